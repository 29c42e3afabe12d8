"""Text from outside made safe for where it lands: terminals, Markdown, CSV, XML, HTML, Mermaid.

Spec strings, file names, module names and checkpoint contents are written by someone else.
Each writer passes them through one function here, for its format, and never writes them
raw. Everything is plain standard library (no rich): the summary fast path uses it too.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Control characters (C0 but tab and newline, DEL, C1), the Unicode bidi controls that
# reorder text on screen (embeddings, overrides, isolates, marks), the line and paragraph
# separators, lone surrogates (undecodable bytes in a file name) and the two
# noncharacters XML 1.0 forbids.
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e"
                    "\u2028\u2029\u2066-\u2069\ud800-\udfff\ufffe\uffff]")
_UNSAFE_OR_BREAK = re.compile(UNSAFE.pattern[:-1] + "\t\n]")

# ASCII stand-ins for the glyphs cnncalc itself prints, for a stream that cannot encode them
# (a cp1252 or ASCII terminal, a Windows redirect).
GLYPHS = {
    "→": "->", "←": "<-", "·": "*", "×": "x", "−": "-", "–": "-", "—": "-", "…": "...",
    "⋮": ":", "⚠": "!", "✓": "ok", "✗": "x", "↳": "\\_", "≤": "<=", "≥": ">=", "≈": "~",
    "∝": "~", "²": "^2", "√": "sqrt", "⌊": "floor(", "⌋": ")", "⌈": "ceil(", "⌉": ")",
    "γ": "gamma", "β": "beta", "▁": "_", "▂": ".", "▃": ":", "▄": "-", "▅": "=", "▆": "+",
    "▇": "*", "█": "#",
}
UTF = ("utf-8", "utf8", "utf-16", "utf-32", "utf_8", "utf_16", "utf_32")
_NAMED = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}


def escape_char(ch: str) -> str:
    """One character as a visible Python-style escape: \\n, \\x1b, \\u202e or \\U0001f600."""
    n = ord(ch)
    if ch in _NAMED:
        return _NAMED[ch]
    if n < 0x100:
        return f"\\x{n:02x}"
    return f"\\u{n:04x}" if n < 0x10000 else f"\\U{n:08x}"


def _sub(match: re.Match[str]) -> str:
    return escape_char(match.group())


def visible(text: str, breaks: bool = False) -> str:
    """`text` with every unsafe character shown as an escape (ESC as \\x1b, U+202E as
    \\u202e), so it can neither move the cursor, restyle or reorder the screen, nor break
    a format; with `breaks`, tabs and newlines are escaped too (a one-line cell)."""
    return (_UNSAFE_OR_BREAK if breaks else UNSAFE).sub(_sub, text)


def is_plain(text: str) -> bool:
    """True when `visible` leaves `text` as it is, tabs and newlines included."""
    return _UNSAFE_OR_BREAK.search(text) is None


def _codec(encoding: str | None) -> str | None:
    """The encoding to check characters against, or None where every character encodes."""
    name = (encoding or "utf-8").lower()
    if name in UTF or name.startswith("utf"):
        return None
    try:
        "".encode(name)
    except LookupError:
        return "ascii"
    return name


@lru_cache(maxsize=4096)
def _fits(ch: str, codec: str) -> bool:
    try:
        ch.encode(codec)
    except UnicodeError:
        return False
    return True


def for_stream(text: str, encoding: str | None) -> str:
    """Text for a human on a stream in `encoding`: unsafe characters escaped (`visible`), and
    each character the stream cannot encode replaced by its ASCII stand-in (→ as ->) or,
    failing one, an escape. Never raises UnicodeEncodeError when written."""
    text = visible(text)
    codec = _codec(encoding)
    if codec is None or text.isascii():
        return text
    return "".join(ch if _fits(ch, codec) else GLYPHS.get(ch) or escape_char(ch)
                   for ch in text)


def _json_escape(ch: str) -> str:
    n = ord(ch)
    if n < 0x10000:
        return f"\\u{n:04x}"
    n -= 0x10000
    return f"\\u{0xD800 + (n >> 10):04x}\\u{0xDC00 + (n & 0x3FF):04x}"


def for_data(text: str, encoding: str | None) -> str:
    """Machine output (JSON, Python source) for a stream in `encoding`: unsafe and
    unencodable characters as \\uXXXX escapes. Inside a JSON or Python string literal an
    escape reads back as the same character, so nothing is lost; anywhere else it is
    visible text. (JSON itself escapes only C0, so DEL, C1 and the bidi controls would
    otherwise reach a terminal raw.)"""
    codec = _codec(encoding)
    if codec is not None and not text.isascii():
        text = "".join(ch if _fits(ch, codec) else _json_escape(ch) for ch in text)
    return UNSAFE.sub(lambda m: _json_escape(m.group()), text)


def for_xml(text: str, encoding: str | None) -> str:
    """An XML document for a stream in `encoding`: unsafe characters escaped visibly and
    unencodable ones as character references (&#x2192;), which XML reads as the same text."""
    text = visible(text)
    codec = _codec(encoding)
    if codec is None or text.isascii():
        return text
    return "".join(ch if _fits(ch, codec) else f"&#x{ord(ch):x};" for ch in text)


# -- formats ---------------------------------------------------------------------------------

_MD = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "|": "&#124;", "`": "&#96;", "\\": "&#92;",
       "[": "&#91;", "]": "&#93;", "$": "&#36;", "*": "&#42;", "_": "&#95;", "~": "&#126;"}
_MD_SPECIAL = re.compile("[" + re.escape("".join(_MD)) + "]")
_MD_ACTIVE = re.compile(r"[&<>|`\\\[\]$]")  # what can make HTML, links, math or break a cell
_MD_CODE_BREAKERS = re.compile("[`|<>&]")


def md_text(text: str) -> str:
    """Markdown text that renders as exactly `text`: no HTML, link, image, emphasis, math,
    table cell break or line break can come from it. Markdown punctuation becomes character
    references, which CommonMark shows as the character and never reads as syntax."""
    return _MD_SPECIAL.sub(lambda m: _MD[m.group()], visible(text, breaks=True))


def md_code(text: str) -> str:
    """`text` as an inline code span where it can be one safely; otherwise as `md_text`
    (a code span shows entities literally, so text with `<`, `&`, `|` or a backtick
    cannot be escaped inside one)."""
    if text.strip() and is_plain(text) and not _MD_CODE_BREAKERS.search(text):
        return f"`{text}`"
    return md_text(text)


def md_cell(text: str) -> str:
    """Markdown for text that is mostly cnncalc's own (shapes, counts, formulas, notes):
    left as it is when it holds nothing that could make HTML, a link, math or a broken
    cell (so `F_h·F_w` stays readable), else escaped whole as `md_text`."""
    return md_text(text) if _MD_ACTIVE.search(text) or not is_plain(text) else text


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def csv_cell(value: object) -> object:
    """A CSV cell a spreadsheet shows as text, never evaluates: a text starting with
    = + - @ tab or CR is prefixed with ' (as OWASP advises); numbers, including negative
    ones written as text, and the "-" placeholder are left alone. Unsafe characters and
    tabs are escaped; newlines are kept (the csv module quotes them)."""
    if not isinstance(value, str):
        return value
    text = visible(value).replace("\t", "\\t")
    if (text.startswith(_FORMULA_START) and text != "-"
            and _NUMBER.fullmatch(text) is None):
        return "'" + text
    return text


def _html_escape(text: str, quote: bool) -> str:
    """html.escape without importing html (its entity table slows the summary start-up)."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace('"', "&quot;").replace("'", "&#x27;") if quote else text


def xml_text(text: str) -> str:
    """Character data for XML 1.0 (and HTML): markup escaped, and every character XML
    forbids or a renderer would act on shown as an escape."""
    return _html_escape(visible(text), quote=False)


def xml_attr(text: str) -> str:
    """A quoted XML attribute value; tabs and newlines as references, which attribute
    normalisation would otherwise turn into spaces."""
    body = _html_escape(visible(text), quote=True)
    return '"' + body.replace("\t", "&#9;").replace("\n", "&#10;") + '"'


def html_text(text: str) -> str:
    """Text for an HTML element or a double-quoted attribute."""
    return _html_escape(visible(text), quote=True)


_MERMAID = re.compile('[#&"<>`%|;]')


def mermaid_text(text: str) -> str:
    """Text inside a double-quoted Mermaid label: every character that could end the
    string, start a markdown string, an entity, a comment, an edge label or a statement, or
    become HTML is a Mermaid entity code (#quot; or #35;); newlines are escaped."""
    text = visible(text, breaks=True)

    def code(m: re.Match[str]) -> str:
        return "#quot;" if m.group() == '"' else f"#{ord(m.group())};"

    return _MERMAID.sub(code, text)
