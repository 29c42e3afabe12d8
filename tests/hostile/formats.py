"""Oracles for "this output is well-formed and holds no live markup": one parser per format.

Each check reads an output with a real parser for its format (xml.etree, html.parser, the
csv module, markdown-it's CommonMark parser) and fails when the text from outside became
structure: a tag, a link, an image, an extra table cell, a formula, a broken label.
"""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

# What no terminal may receive from cnncalc: C0 controls but newline, DEL, C1, and the bidi
# embeddings, overrides and isolates. Written out here independently of cnncalc's list.
FORBIDDEN = frozenset([chr(c) for c in range(0x20) if c != 0x0A] + ["\x7f"]
                      + [chr(c) for c in range(0x80, 0xA0)]
                      + [chr(c) for c in range(0x202A, 0x202F)]
                      + [chr(c) for c in range(0x2066, 0x206A)])


def assert_terminal_safe(text: str) -> None:
    bad = sorted({c for c in text if c in FORBIDDEN})
    assert not bad, (bad, text[:500])


def assert_svg(svg: str) -> ET.Element:
    root = ET.fromstring(svg.encode())  # raises ParseError on anything XML 1.0 forbids
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    return root


HTML_TAGS = frozenset({"div", "table", "caption", "thead", "tbody", "tr", "th", "td", "ul",
                       "li"})


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def assert_html(html: str) -> str:
    """Only the tags the summary writer emits; returns the text content."""
    parser = _Tags()
    parser.feed(html)
    parser.close()
    assert set(parser.tags) <= HTML_TAGS, set(parser.tags) - HTML_TAGS
    return "".join(parser.text)


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"-?\d+(\.\d+)?")
INT_COLUMNS = ("depth", "params", "trainable_params", "non_trainable_params", "macs",
               "activation_bytes")


def assert_csv(text: str) -> list[dict[str, str]]:
    """Parses back into equal-length rows; no text cell starts a spreadsheet formula; the
    count columns are integers."""
    rows = list(csv.reader(io.StringIO(text)))
    head = rows[0]
    assert all(len(r) == len(head) for r in rows), [len(r) for r in rows]
    for row in rows[1:]:
        for cell in row:
            if cell.startswith(FORMULA_START):
                assert cell == "-" or NUMBER.fullmatch(cell), cell
    records = [dict(zip(head, r)) for r in rows[1:]]
    for record in records:
        for key in INT_COLUMNS:
            int(record[key])
    return records


def assert_markdown(text: str, table_columns: int | None = None) -> None:
    """No raw `<`; rendered as CommonMark (with GFM tables): no HTML, link or image, and each
    table row has exactly `table_columns` cells; `$` only inside code spans (GitHub reads
    $...$ elsewhere as math)."""
    from markdown_it import MarkdownIt

    assert "<" not in text
    assert "$" not in re.sub(r"`[^`\n]*`", "", text)
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    kinds = {t.type for t in tokens} | {c.type for t in tokens for c in t.children or []}
    assert not kinds & {"html_inline", "html_block", "link_open", "image"}, kinds
    if table_columns is not None:
        cells = 0
        for t in tokens:
            if t.type == "tr_open":
                cells = 0
            elif t.type in ("td_open", "th_open"):
                cells += 1
            elif t.type == "tr_close":
                assert cells == table_columns, cells


# The lines the Mermaid writer emits; a label is "..." holding no quote, tag, backtick,
# comment, pipe or statement break except as an entity code (#quot; #35;) or our <br/>.
LABEL = r'"(?:[^"<>`%|;&#\n]|#\d+;|#quot;|<br/>)*"'
MERMAID_LINES = [re.compile(p) for p in (
    r"flowchart TD", rf"  %% {LABEL}", rf"  n0\[{LABEL}\]", rf" *n\d+\[{LABEL}\]:::\w+",
    r" *n\d+ --> n\d+",
    rf" *subgraph [rg]\d+\[{LABEL}\]", r" *end", rf" *n\d+ -\.->\|{LABEL}\| n\d+",
    rf"  more\[{LABEL}\]", r"  n\d+ -\.-> more", r"  classDef \w+ [\w:#,\- ]+")]


def assert_mermaid(text: str) -> None:
    for line in text.splitlines():
        assert any(p.fullmatch(line) for p in MERMAID_LINES), line
