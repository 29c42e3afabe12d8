"""Writing Python source from input: escaped comments, checked literals and safe class names.

Generated files (`build --export py|keras`, `export`) never carry text from an input except
through `literal()` (the repr of a value whose type was checked) or `comment()` (printable
ASCII only, so no input can end the comment and start live code). Specs reach them only as
the calculator's normalised text (`spec_text`), which holds no ignored argument.
"""

from __future__ import annotations

import builtins
import keyword
import math

from ..calc.summary import Summary
from ..errors import UsageError, cut

COMMENT_WIDTH = 92  # characters of escaped text on one comment line

# Names the generated files define or import at module level: a class of that name would
# replace them. Builtins too (`float`, `super`): the generated code calls some of them.
MODULE_NAMES = frozenset({"torch", "nn", "hashlib", "io", "os", "keras", "layers", "Residual",
                          "Normalize", "WEIGHTS_SHA256", "WEIGHTS_BYTES", "load"})


def _escape(ch: str) -> str:
    code = ord(ch)
    if ch == "\\":
        return "\\\\"
    if 0x20 <= code < 0x7F:
        return ch
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def comment_lines(text: str, first: str = "", indent: str = "") -> list[str]:
    """`text` as comment lines of printable ASCII: a backslash, and every character that is
    not printable ASCII (newlines, CR, form feed, ESC, NUL, U+2028/2029/0085, bidi controls,
    all non-ASCII) are written as backslash escapes, so the comment can never end early and
    a reader sees every character that is there. Long text wraps, never inside an escape."""
    pieces = [_escape(ch) for ch in text]
    lines: list[str] = []
    line = ""
    for piece in pieces:
        if len(line) + len(piece) > COMMENT_WIDTH and line:
            lines.append(line)
            line = ""
        line += piece
    lines.append(line)
    lead = f"{indent}# {first}"
    cont = f"{indent}# {' ' * len(first)}"
    return [(lead if i == 0 else cont) + part for i, part in enumerate(lines)]


def comment(text: str) -> str:
    """One escaped comment line (`# text`) for short generated notes; see comment_lines."""
    return "# " + "".join(_escape(ch) for ch in text)


def literal(value: object) -> str:
    """Python source for a value of a checked type: None, bool, int, finite float, +-inf
    (as `float('inf')`), str (ASCII escapes), or a tuple of these. NaN and any other type
    raise ValueError: a NaN is never a sensible layer argument, and nothing else is expected.
    """
    if value is None or isinstance(value, (bool, int)):
        return repr(value)
    if isinstance(value, float):
        if math.isnan(value):
            raise ValueError("nan")
        if math.isinf(value):
            return "float('-inf')" if value < 0 else "float('inf')"
        return repr(value)
    if isinstance(value, str):
        return ascii(value)
    if isinstance(value, tuple):
        items = [literal(v) for v in value]
        return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
    raise ValueError(f"a {type(value).__name__}")


def check_class_name(name: str) -> str:
    """A name a generated file can define for its class: an ASCII identifier that is not a
    keyword, a builtin (`float`, `super`), a name the file uses itself, or a __dunder__."""
    if not (name.isascii() and name.isidentifier()):
        what = "not an ASCII Python identifier"
    elif keyword.iskeyword(name):
        what = "a Python keyword"
    elif name.startswith("__"):
        what = "a name Python reserves (it starts with two underscores)"
    elif name in MODULE_NAMES:
        what = "a name the generated file uses itself"
    elif hasattr(builtins, name):
        what = "a Python builtin, which the generated code may call"
    else:
        return name
    raise UsageError(f"--class-name {cut(repr(name), 60)} is {what}", "choose a name such as Net")


def spec_text(summary: Summary) -> str:
    """The summary's spec as the calculator normalised it (`conv(4,3)-relu-...`): what the
    layers keep, never the text a user typed (ignored arguments such as device= are gone)."""
    return "-".join(row.spec for row in summary.layers)



def shared_name(path: str) -> str:
    """The variable a generated file holds a shared layer in: `shared_3_s1` for row 3.s1
    (a row path is the calculator's own: digits, dots and the letters s and b)."""
    name = "shared_" + path.replace(".", "_")
    assert name.isidentifier(), path
    return name
