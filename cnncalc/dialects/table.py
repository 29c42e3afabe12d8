"""Lecture tables as models: rows such as `[55x55x96] CONV1: 96 11x11 filters at stride 4, pad 0`.

A table is read line by line into rows (a layer with the figures the table states about it),
lowered into ordinary spec layers, and kept with its claims: the bracketed shapes, memory and
weights figures and totals that `cnncalc check TABLE` marks. The format is in docs/spec.md
("Lecture tables"). Every line is read or refused with its number: none is skipped.
"""

from __future__ import annotations

import os
import re
import stat
from fractions import Fraction
from typing import TYPE_CHECKING

from ..errors import CnnCalcError, UsageError, cut
from ..library.binding import MAX_SOURCE
from ..ops.shape import MAX_SIDE, MAX_VALUES, PYTORCH, Shape, describe_input, numel
from ..ops.shape import parse_convention as _convention
from ..records import record
from ..spec import parse_model

if TYPE_CHECKING:
    from .resolved import Resolved

MAX_CHARS = MAX_SOURCE  # a lecture table is a page at most; this is a hundred pages
MAX_LINE = 2_000  # characters in one row
MAX_ROWS = 10_000
MAX_DIGITS = 16  # a figure in a table (a parameter count) is below 10^16
SUFFIXES = (".txt", ".md", ".text")
_BIG = Fraction(10) ** 30  # an expression past this is no figure about a network


class TableError(UsageError):
    """A lecture-table line that cannot be read: its number and text are named."""


def _bad(n: int, line: str, why: str, hint: str | None = None) -> TableError:
    return TableError(f"table line {n}: {why} in '{cut(line.strip(), 70)}'", hint)


# ---------------------------------------------------------------------------- figures

@record
class Figure:
    """A number as a table writes it: exact (`1,728`, `(3*3*3)*64`) or rounded (`3.2M`)."""

    text: str
    options: tuple[tuple[Fraction, Fraction], ...]  # (value, tolerance): any one may fit

    def fits(self, exact: int) -> bool:
        return any(abs(exact - v) <= tol for v, tol in self.options)

    @property
    def approximate(self) -> bool:
        return any(tol for _, tol in self.options)


_SCALE = {"": 1, "k": 10**3, "m": 10**6, "g": 10**9, "b": 10**9, "t": 10**12}
_WHOLE = r"~?\s*(\d{1,16}(?:,\d{3}){0,5})(?:\.(\d{1,6}))?\s*"
_ROUNDED = re.compile(_WHOLE + r"([kmgbt]?)", re.I)
_BYTES = re.compile(_WHOLE + r"(?:([kmgt])(i?)b|(bytes?|b))", re.I)


def _rounded(whole: str, frac: str | None, unit: int, text: str) -> tuple[Fraction, Fraction]:
    """The value of `3.2` x unit and half a unit of its last significant digit.

    `800K` has one significant digit (trailing zeros of a whole number are not), so it stands
    for 750,000 to 850,000; `3.2M` for 3,150,000 to 3,250,000. A figure without a unit or a
    decimal point is exact."""
    digits = whole.replace(",", "")
    if len(digits) > MAX_DIGITS:
        raise ValueError(text)
    value = Fraction(int(digits)) + (Fraction(int(frac), 10 ** len(frac)) if frac else 0)
    if unit == 1 and not frac:
        return value * unit, Fraction(0)
    if frac:
        step = Fraction(1, 10 ** len(frac))
    else:
        trailing = len(digits) - len(digits.rstrip("0")) if digits.strip("0") else 0
        step = Fraction(10) ** trailing
    return value * unit, step * unit / 2


def quantity(text: str) -> Figure:
    """`1,728`, `3.2M`, `25K`, `~138M` or an expression `(3*3*3)*64`; ValueError if neither."""
    raw = text.strip()
    m = _ROUNDED.fullmatch(raw)
    if m:
        return Figure(raw, (_rounded(m.group(1), m.group(2), _SCALE[m.group(3).lower()], raw),))
    value = _evaluate(raw)
    return Figure(raw, ((value, Fraction(0)),))


def byte_figure(text: str) -> Figure:
    """`93MB`, `61 MiB`, `1,024 bytes`: MB is read both ways, as 10^6 and as 2^20 bytes."""
    raw = text.strip()
    m = _BYTES.fullmatch(raw)
    if not m:
        raise ValueError(raw)
    prefix, binary = (m.group(3) or "").lower(), bool(m.group(4))
    if not prefix:
        return Figure(raw, (_rounded(m.group(1), m.group(2), 1, raw),))
    power = "kmgt".index(prefix) + 1
    units = [2 ** (10 * power)] if binary else [10 ** (3 * power), 2 ** (10 * power)]
    return Figure(raw, tuple(_rounded(m.group(1), m.group(2), u, raw) for u in units))


_TOKEN = re.compile(r"\s*(?:(\d{1,16}(?:,\d{3}){0,5})|([*x×·+()]))", re.I)


def _evaluate(text: str) -> Fraction:
    """The value of a product or sum of whole numbers, e.g. `(3*3*64)*128`; ValueError else."""
    tokens: list[str] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            if text[pos:].strip():
                raise ValueError(text)
            break
        tokens.append((m.group(1) or m.group(2)).lower())
        pos = m.end()
        if len(tokens) > 200:
            raise ValueError(text)
    if not tokens:
        raise ValueError(text)
    at = 0

    def peek() -> str:
        return tokens[at] if at < len(tokens) else ""

    def factor(depth: int) -> Fraction:
        nonlocal at
        tok = peek()
        at += 1
        if tok == "(" and depth < 16:
            value = expr(depth + 1)
            if peek() != ")":
                raise ValueError(text)
            at += 1
            return value
        if tok[:1].isdigit():
            return Fraction(int(tok.replace(",", "")))
        raise ValueError(text)

    def term(depth: int) -> Fraction:
        nonlocal at
        value = factor(depth)
        while peek() in ("*", "x", "×", "·"):
            at += 1
            value *= factor(depth)
            if value > _BIG:
                raise ValueError(text)
        return value

    def expr(depth: int) -> Fraction:
        nonlocal at
        value = term(depth)
        while peek() == "+":
            at += 1
            value += term(depth)
        return value

    result = expr(0)
    if at != len(tokens):
        raise ValueError(text)
    return result


# ---------------------------------------------------------------------------- claims

@record
class Claim:
    """One thing the table states, for `check` to mark: a shape, a memory or weights figure,
    or a total."""

    line: int
    row: str  # the row's name as written: CONV1, MAX POOL1, CONV3-64, TOTAL
    what: str  # shape, memory, weights, total memory, total bytes, total params
    path: str  # the layer it is about ('' for the input and the totals)
    written: str
    dims: tuple[int, ...] = ()  # a shape as written: H x W x C, or N
    figures: tuple[Figure, ...] = ()
    paths: tuple[str, ...] = ()  # for a total: the rows it sums (the input first, as '')


@record
class Row:
    """A table line read as a layer."""

    line: int
    name: str  # as written: CONV1, MAX POOL2, FC6
    spec: str  # the layer it lowers to: conv(96,11,stride=4)
    path: str  # its row in the summary: '2'
    dims: tuple[int, ...]  # the bracketed shape, H x W x C or N
    text: str


@record
class LectureTable:
    """A lecture table: its input, its layers lowered to a spec, and what it claims."""

    input_dims: tuple[int, ...]
    input_line: int
    spec: str
    rows: tuple[Row, ...]
    claims: tuple[Claim, ...]
    notes: tuple[str, ...]
    title: str = ""
    where: str = ""

    @property
    def input_shape(self) -> Shape:
        d = self.input_dims
        return (d[2], d[0], d[1]) if len(d) == 3 else d


# ---------------------------------------------------------------------------- reading

def read_file(spec: str) -> tuple[str, str] | None:
    """(text, file name) when SPEC names a .txt or .md file, else None (not a table file)."""
    name = spec.strip()
    if "\n" in spec or len(name) > 4096 or not name.lower().endswith(SUFFIXES):
        return None
    try:
        # A FIFO or a device named x.txt would block, or never end: regular files only.
        if not stat.S_ISREG(os.stat(name).st_mode):
            raise CnnCalcError(f"{cut(name, 80)} is not a regular file")
        with open(name, encoding="utf-8") as f:
            text = f.read(MAX_CHARS + 1)
    except FileNotFoundError:
        raise CnnCalcError(f"no such file: {cut(name, 80)}") from None
    except UnicodeDecodeError:
        raise CnnCalcError(f"{cut(name, 80)} is not UTF-8 text") from None
    except OSError as e:
        raise CnnCalcError(f"cannot read {cut(name, 80)}: {e.strerror}") from None
    return text, os.path.basename(name)


_BULLET = re.compile(r"(?:[-*•]\s+)?")
_COMMENT = re.compile(r"\s//.*$")
_SHAPE_FIRST = re.compile(r"\[([^\[\]]{0,200})\]\s*(.*)")
_NAME_FIRST = re.compile(r"([A-Za-z][A-Za-z0-9 _\-]{0,40}?)\s*:\s*\[([^\[\]]{0,200})\]\s*(.*)")
_TOTAL = re.compile(r"total\s+(memory|params|parameters|weights)\s*:\s*(.*)", re.I)
_CODE = re.compile(r"\s*(?:class|def|if|elif|else|for|while|with|try|except|finally)\b")
_FIRST = re.compile(r"\s*(?:[-*•]\s+)?(?:\[\s*\d|input\s*:\s*\[)", re.I)


def _skipped(line: str) -> bool:
    """Blank lines, code fences (```, ~~~) and `#` comment lines carry nothing to read."""
    s = line.strip()
    return not s or s.startswith(("```", "~~~", "#"))


def is_table(text: str, where: str = "") -> bool:
    """Whether TEXT is a lecture table: its first line to read is a row (`[227x227x3] INPUT`
    or `INPUT: [224x224x3]`), or a title ending in ':' followed by one. Code is never one."""
    if where.lower().endswith(".py"):
        return False
    title = False
    for line in text[:MAX_CHARS + 1].splitlines():  # stops at the first line it reads
        if _skipped(line):
            continue
        if _FIRST.match(line) and not (title and line[:1].isspace()):
            return True
        # One title line may come first ('Full (simplified) AlexNet architecture:'); a
        # Python block ('class Net(nn.Module):') is none, and its body is indented anyway.
        if title or not line.rstrip().endswith(":") or _CODE.match(line):
            return False
        title = True
    return False


_NAME = re.compile(
    r"(input|conv(?:olution)?|max[\s_]*pool(?:ing)?|avg[\s_]*pool(?:ing)?|average[\s_]*"
    r"pool(?:ing)?|pool(?:ing)?|norm(?:ali[sz]ation)?|lrn|fc|fully[\s_-]*connected|relu)"
    r"([\s_-]?\d{1,6}(?:-\d{1,13})?)?(?![A-Za-z0-9])\s*", re.I)
_KINDS = {"inp": "input", "con": "conv", "max": "maxpool", "avg": "avgpool",
          "ave": "avgpool", "poo": "maxpool", "nor": "lrn", "lrn": "lrn", "fc": "fc",
          "ful": "fc", "rel": "relu"}
_SECTION = re.compile(r"\b(memory|weights|params|parameters)\s*:", re.I)
_REMARK = re.compile(r"\(([^()]*)\)")
_WORDS = re.compile(r"[A-Za-z]{2}")
_N = r"(\d{1,13})"
_DESC = [(key, re.compile(pattern + r"(?![a-z0-9])", re.I)) for key, pattern in (
    ("count kernel", _N + r"\s+" + _N + r"\s*[x×]\s*" + _N + r"(?:\s+(?:filters?|kernels?))?"),
    ("kernel", _N + r"\s*[x×]\s*" + _N + r"(?:\s+(?:filters?|kernels?|windows?|pooling))?"),
    ("count", _N + r"\s+(?:filters?|kernels?)"),
    ("units", _N + r"\s+(?:neurons?|units?|outputs?)"),
    ("stride", r"(?:at\s+)?stride\s*[=:]?\s*" + _N),
    ("stride", r"s\s*=\s*" + _N),
    ("pad", r"pad(?:ding)?\s*[=:]?\s*" + _N),
    ("pad", r"p\s*=\s*" + _N),
    ("f", r"f\s*=\s*" + _N),
    ("count", r"k\s*=\s*" + _N),
    ("size", r"(?:size|n)\s*[=:]?\s*" + _N),
    ("words", r"(?:local\s+response\s+)?normali[sz]ation(?:\s+layer)?|lrn|layer|at|with|"
              r"and|filters?"),
)]
_SEP = re.compile(r"[\s,;]+")
_TAKES = {"input": set(), "conv": {"count", "kernel", "stride", "pad"},
          "maxpool": {"kernel", "stride", "pad"}, "avgpool": {"kernel", "stride", "pad"},
          "lrn": {"size"}, "fc": {"units"}, "relu": set()}
_WHAT = {"count": "a filter count", "kernel": "a filter size", "stride": "a stride",
         "pad": "a pad", "size": "a size", "units": "a number of neurons"}


Said = dict[str, "int | tuple[int, int]"]


def _kernel(said: Said) -> tuple[int, int]:
    k = said["kernel"]
    assert isinstance(k, tuple)
    return k


def _description(n: int, line: str, desc: str, directives: list[str]) -> Said:
    """The values a row's description states: '96 11x11 filters at stride 4, pad 0'."""
    def remark(m: re.Match[str]) -> str:
        body = m.group(1).strip()
        if body.startswith("+"):
            directives.append(body[1:].strip())
            return " "
        if _WORDS.search(body):
            return " "  # a remark such as (class scores): words, not figures
        raise _bad(n, line, f"cannot read '({cut(body, 30)})'",
                   "remarks in parentheses are words; figures go in the row itself")

    text = _REMARK.sub(remark, desc)
    if "(" in text or ")" in text:
        raise _bad(n, line, "unbalanced parentheses")
    found: Said = {}
    pos = 0
    while pos < len(text):
        sep = _SEP.match(text, pos)
        if sep and sep.end() > pos:
            pos = sep.end()
            continue
        for key, pattern in _DESC:  # noqa: B007 - the matching key is used below
            m = pattern.match(text, pos)
            if m:
                break
        else:
            word = text[pos:].split()[0] if text[pos:].split() else text[pos:]
            raise _bad(n, line, f"cannot read '{cut(word, 30)}'",
                       "describe a layer as '96 11x11 filters at stride 4, pad 0', "
                       "'3x3 filters at stride 2', '4096 neurons' "
                       "(see 'cnncalc docs spec lecture')")
        pos = m.end()
        values = [int(g) for g in m.groups() if g is not None]
        if key == "words":
            continue
        items: list[tuple[str, int | tuple[int, int]]]
        if key == "count kernel":
            items = [("count", values[0]), ("kernel", (values[1], values[2]))]
        elif key == "kernel":
            items = [("kernel", (values[0], values[1]))]
        elif key == "f":
            items = [("kernel", (values[0], values[0]))]
        else:
            items = [(key, values[0])]
        for k, v in items:
            if k in found:
                raise _bad(n, line, f"{_WHAT[k]} is given twice")
            found[k] = v
    return found


def _dims(n: int, line: str, text: str) -> tuple[int, ...]:
    parts = [p for p in re.split(r"\s*[x×*]\s*", text.strip())]
    if len(parts) not in (1, 3) or not all(re.fullmatch(r"\d{1,13}", p) for p in parts):
        raise _bad(n, line, f"cannot read the shape [{cut(text, 30)}]",
                   "write it as [HxWxC], e.g. [55x55x96], or [N] for a flat vector")
    dims = tuple(int(p) for p in parts)
    if min(dims) < 1 or max(dims) > MAX_SIDE or numel(dims) > MAX_VALUES:
        raise _bad(n, line, f"the shape [{cut(text, 30)}] is out of range",
                   "every side at least 1 and at most 10^12, at most 10^15 values")
    return dims


def _figure(n: int, line: str, what: str, text: str) -> Figure:
    try:
        return quantity(text)
    except ValueError:
        raise _bad(n, line, f"cannot read the {what} figure '{cut(text.strip(), 40)}'",
                   "write a whole number (1,728), a rounded one (3.2M) or a product "
                   "((3*3*3)*64)") from None


def _sections(n: int, line: str, rest: str) -> tuple[str, dict[str, str]]:
    """A row's description and its `memory:` and `weights:` (or `params:`) figures."""
    found = list(_SECTION.finditer(rest))
    sections: dict[str, str] = {}
    for i, m in enumerate(found):
        key = "memory" if m.group(1).lower() == "memory" else "weights"
        if key in sections:
            raise _bad(n, line, f"'{m.group(1)}:' is given twice")
        end = found[i + 1].start() if i + 1 < len(found) else len(rest)
        sections[key] = _REMARK.sub(lambda r: " " if _WORDS.search(r.group(1)) else r.group(0),
                                    rest[m.end():end])
    return (rest[:found[0].start()] if found else rest), sections


def _claims_for(n: int, name: str, line: str, path: str, sections: dict[str, str]
                ) -> list[Claim]:
    out = []
    for key in ("memory", "weights"):
        if key not in sections:
            continue
        body = sections[key].strip()
        if not body:
            raise _bad(n, line, f"'{key}:' has no figure")
        parts = body.split("=")
        figures = tuple(_figure(n, line, key, p) for p in parts)
        out.append(Claim(n, name, key, path, " = ".join(p.strip() for p in parts),
                         figures=figures))
    return out


class _Reader:
    def __init__(self, where: str) -> None:
        self.where = where
        self.rows: list[Row] = []
        self.claims: list[Claim] = []
        self.parts: list[str] = []  # spec layers, in order
        self.notes: list[str] = []
        self.assumed: dict[str, list[int]] = {}
        self.vgg: set[str] = set()
        self.input: tuple[int, ...] | None = None
        self.input_line = 0
        self.flat = False
        self.title = ""
        self.totals_at = 0
        self.lrn: list[str] = []
        self.from_shape: list[int] = []  # FC rows whose neurons only their shape gives

    def path(self) -> str:
        return str(len(self.parts))

    def add(self, spec: str) -> str:
        self.parts.append(spec)
        return self.path()

    def assume(self, what: str, n: int) -> None:
        self.assumed.setdefault(what, []).append(n)

    def line(self, n: int, raw: str) -> None:
        if len(raw) > MAX_LINE:
            raise TableError(f"table line {n} is {len(raw):,} characters; a row is at most "
                             f"{MAX_LINE:,}")
        text = _COMMENT.sub("", raw.strip())
        text = text[_BULLET.match(text).end():]  # type: ignore[union-attr]
        total = _TOTAL.fullmatch(text)
        if total:
            self.total(n, raw, total.group(1).lower(), total.group(2))
            return
        if self.totals_at:
            raise _bad(n, raw, "a row after the TOTAL lines",
                       "TOTAL memory and TOTAL params come last")
        m = _SHAPE_FIRST.fullmatch(text)
        if m:
            shape_text, rest = m.group(1), m.group(2)
            nm = _NAME.match(rest)
            if not nm:
                raise self.unknown(n, raw, rest)
            name = rest[:nm.end()].strip()
            desc = rest[nm.end():]
            if desc.startswith(":"):
                desc = desc[1:]
            self.row(n, raw, nm, name.rstrip(":").strip(), shape_text, desc, {}, vgg=False)
            return
        m = _NAME_FIRST.fullmatch(text)
        if m:
            nm = _NAME.fullmatch(m.group(1).strip() + " ")
            if not nm:
                raise self.unknown(n, raw, m.group(1))
            desc, sections = _sections(n, raw, m.group(3))
            self.row(n, raw, nm, m.group(1).strip(), m.group(2), desc, sections, vgg=True)
            return
        if not self.rows and self.input is None and not self.title and text.endswith(":"):
            self.title = text[:-1].strip()
            return
        raise _bad(n, raw, "not a table row",
                   "a row is '[HxWxC] NAME: description' or 'NAME: [HxWxC] memory: ... "
                   "weights: ...'; start other lines with #")

    def unknown(self, n: int, raw: str, name: str) -> TableError:
        word = name.split(":")[0].strip() or name.strip()
        return _bad(n, raw, f"unknown layer '{cut(word, 30)}'",
                    "a row names INPUT, CONV, POOL (MAX POOL, AVG POOL), NORM (LRN), FC or RELU")

    def row(self, n: int, raw: str, nm: re.Match[str], name: str, shape_text: str,
            desc: str, sections: dict[str, str], vgg: bool) -> None:
        key = nm.group(1).lower()
        kind = "fc" if key == "fc" else _KINDS[key[:3]]
        label = (nm.group(2) or "").lstrip("_- ")
        dims = _dims(n, raw, shape_text)
        directives: list[str] = []
        said = _description(n, raw, desc, directives)
        extra = set(said) - _TAKES[kind]
        if extra:
            what = _WHAT[sorted(extra)[0]]
            raise _bad(n, raw, f"{name} takes no {what.split(' ', 1)[1]}")
        if kind == "input":
            self.read_input(n, raw, name, dims, sections, directives)
            return
        if self.input is None:
            raise _bad(n, raw, f"the table starts with {name}, not INPUT",
                       "give the input's shape first, e.g. [227x227x3] INPUT")
        if len(self.rows) >= MAX_ROWS:
            raise TableError(f"the table has more than {MAX_ROWS:,} rows")
        spec, shape_given = self.lower(n, raw, kind, name, label, said, dims, vgg)
        if kind == "fc" and not self.flat:
            self.add("flatten")
            self.notes.append(f"flatten inserted before {name} (line {n}): fc needs a flat input")
            self.flat = True
        path = self.add(spec)
        self.rows.append(Row(n, name, spec, path, dims, raw.strip()))
        if not shape_given:
            self.claims.append(Claim(n, name, "shape", path, f"[{shape_text.strip()}]", dims))
        self.claims.extend(_claims_for(n, name, raw, path, sections))
        for d in directives:
            low = d.lower()
            if low == "relu":
                self.add("relu")
            elif re.fullmatch(r"(?:reshape|flatten)\b.*", low) and not self.flat:
                self.add("flatten")
                self.flat = True
            else:
                raise _bad(n, raw, f"cannot read '(+{cut(d, 30)})'",
                           "'(+ReLU)' adds a ReLU after the row, '(+Flatten)' a flatten")

    def read_input(self, n: int, raw: str, name: str, dims: tuple[int, ...],
                   sections: dict[str, str], directives: list[str]) -> None:
        if self.input is not None:
            raise _bad(n, raw, f"a second INPUT row (the first is line {self.input_line})")
        if self.rows:
            raise _bad(n, raw, "INPUT must be the first row")
        if directives:
            raise _bad(n, raw, "INPUT takes no (+...) layer")
        self.input, self.input_line = dims, n
        self.flat = len(dims) == 1
        self.claims.extend(_claims_for(n, name, raw, "", sections))

    def lower(self, n: int, raw: str, kind: str, name: str, label: str,
              said: Said, dims: tuple[int, ...], vgg: bool) -> tuple[str, bool]:
        """The spec of one row, and whether its bracketed shape defined it (not a claim)."""
        if kind in ("conv", "maxpool", "avgpool", "lrn", "relu") and self.flat:
            raise _bad(n, raw, f"{name} needs a feature map, but the rows before it are flat")
        if kind == "conv":
            if "count" not in said and "kernel" not in said and vgg and \
                    re.fullmatch(r"\d+-\d+", label):
                k, c = (int(x) for x in label.split("-"))
                if k % 2 == 0 or k > MAX_SIDE or c > MAX_SIDE or c < 1:
                    raise _bad(n, raw, f"{name}: VGG's CONVk-N notation needs an odd k")
                self.vgg.add(f"CONV{k}-N as a {k}x{k} conv with N filters, stride 1, pad "
                             f"{(k - 1) // 2} (VGG's notation)")
                return f"conv({c},{k},padding={(k - 1) // 2})", False
            if "count" not in said or "kernel" not in said:
                missing = "a filter count" if "count" not in said else "a filter size"
                raise _bad(n, raw, f"{name} gives no {missing.split(' ', 1)[1]}",
                           "write e.g. '96 11x11 filters at stride 4, pad 0' (or VGG's "
                           "CONV3-64 as 'CONV3-64: [224x224x64]')")
            kh, kw = _kernel(said)
            stride = self.value(said, "stride", 1, n)
            pad = self.value(said, "pad", 0, n)
            return (f"conv({said['count']},{kh}x{kw},stride={stride},padding={pad})", False)
        if kind in ("maxpool", "avgpool"):
            if "kernel" not in said:
                if vgg and re.fullmatch(r"\d+", label) and 1 <= int(label) <= MAX_SIDE:
                    k = int(label)
                    self.vgg.add(f"POOL{k} as a {k}x{k} max pooling, stride {k}")
                    return f"{kind}({k})", False
                raise _bad(n, raw, f"{name} gives no window size",
                           "write e.g. '3x3 filters at stride 2'")
            kh, kw = _kernel(said)
            if "stride" not in said:
                self.assume("a pooling stride equal to the window", n)
            step = str(said["stride"]) if "stride" in said else f"{kh}x{kw}"
            pad = self.value(said, "pad", 0, n)
            return f"{kind}({kh}x{kw},stride={step},padding={pad})", False
        if kind == "lrn":
            size = said.get("size", 5)
            if "size" not in said:
                self.assume("a normalisation size of 5 (AlexNet's)", n)
            self.lrn.append(name)
            return f"lrn(size={size})", False
        if kind == "relu":
            return "relu", False
        # fc
        if "units" in said:
            return f"fc({said['units']})", False
        if len(dims) == 1 or dims[:2] == (1, 1):
            self.from_shape.append(n)
            return f"fc({dims[-1]})", True
        raise _bad(n, raw, f"{name} gives no number of neurons",
                   "write e.g. '4096 neurons', or its shape as [4096] or [1x1x4096]")

    def value(self, said: Said, key: str, default: int, n: int) -> int | tuple[int, int]:
        if key not in said:
            self.assume(f"{key} {default}", n)
        return said.get(key, default)

    def total(self, n: int, raw: str, what: str, rest: str) -> None:
        self.totals_at = self.totals_at or n
        body = _REMARK.sub(lambda r: " " if _WORDS.search(r.group(1)) else r.group(0), rest)
        body = re.sub(r"/\s*image\b", " ", body, flags=re.I).strip()
        paths = ("",) + tuple(r.path for r in self.rows)
        if what == "memory":
            m = re.fullmatch(r"(.+?)(?:\s*[*x×]\s*(\d{1,2})\s*bytes?\s*(?:~=|≈|=|~)\s*(.+))?",
                             body, re.I)
            if not m:
                raise _bad(n, raw, "cannot read the total")
            self.claims.append(Claim(n, "TOTAL", "total memory", "", m.group(1).strip(),
                                     figures=(_figure(n, raw, "memory", m.group(1)),),
                                     paths=paths))
            if m.group(3):
                if m.group(2) != "4":
                    raise _bad(n, raw, f"{m.group(2)} bytes a value",
                               "cnncalc counts float32 values, 4 bytes each")
                try:
                    fig = byte_figure(m.group(3))
                except ValueError:
                    raise _bad(n, raw, f"cannot read '{cut(m.group(3).strip(), 30)}'",
                               "write bytes as 93MB, 61 MiB or 1,024 bytes") from None
                self.claims.append(Claim(n, "TOTAL", "total bytes", "", m.group(3).strip(),
                                         figures=(fig,), paths=paths))
            return
        body = re.sub(r"\s*(?:parameters|params|weights)\s*$", "", body, flags=re.I)
        self.claims.append(Claim(n, "TOTAL", "total params", "", body.strip(),
                                 figures=(_figure(n, raw, "parameter", body),), paths=paths))

    def finish(self) -> LectureTable:
        if self.input is None:
            raise TableError("the table has no INPUT row",
                             "start it with the input's shape, e.g. [227x227x3] INPUT")
        if not self.rows:
            raise TableError("the table has no layer rows after its INPUT row")
        notes = list(self.notes)
        if self.lrn:
            notes.append(f"{', '.join(self.lrn[:6])}{', …' * (len(self.lrn) > 6)} read as lrn: "
                         "local response normalisation, which has no parameters")
        notes += sorted(f"read {v}" for v in self.vgg)
        if self.from_shape:
            lines = self.from_shape
            notes.append(f"FC neurons read from the row's shape, which is then not checked "
                         f"(line{'s' * (len(lines) > 1)} {', '.join(map(str, lines[:8]))}"
                         f"{', …' * (len(lines) > 8)})")
        for what, lines in self.assumed.items():
            shown = ", ".join(map(str, lines[:8])) + (", …" if len(lines) > 8 else "")
            notes.append(f"not written, so assumed: {what} (line{'s' * (len(lines) > 1)} "
                         f"{shown})")
        if not any(p == "relu" for p in self.parts):
            notes.append("the table lists no activations, so the model has none (they change "
                         "no shape or count)")
        return LectureTable(self.input, self.input_line, "-".join(self.parts),
                            tuple(self.rows), tuple(self.claims), tuple(notes), self.title,
                            self.where)


def parse_table(text: str, where: str = "") -> LectureTable:
    """Read a lecture table (docs/spec.md, "Lecture tables"); TableError names a bad line."""
    if len(text) > MAX_CHARS:
        raise TableError(f"the table is over {MAX_CHARS:,} characters",
                         "a lecture table is a page or two; give only the table")
    reader = _Reader(where)
    for n, raw in enumerate(text.splitlines(), 1):
        if not _skipped(raw):
            reader.line(n, raw)
    table = reader.finish()
    try:
        parse_model(table.spec)
    except UsageError as e:  # pragma: no cover - every row lowers to a valid layer
        raise TableError(f"the table lowers to a spec that does not parse: {e}") from None
    return table


def resolved(table: LectureTable, input_shape: str | None, convention: str | None,
             model: str | None) -> Resolved:
    """The table as a model for every command: its own input, its layers, its notes."""
    from .resolved import Resolved

    if input_shape is not None:
        raise UsageError("a lecture table gives its own input on its INPUT row (line "
                         f"{table.input_line})", "drop --input, or edit the INPUT row")
    if model is not None:
        raise UsageError("--model picks a model in pasted code, not in a lecture table")
    conv = _convention(convention) if convention else PYTORCH
    shape = table.input_shape
    d = table.input_dims
    written = "x".join(map(str, d))
    note = f"{describe_input(shape, conv)}, from the table's INPUT row [{written}]"
    head = (table.title or "lecture table") + (f" ({table.where})" if table.where else "")
    title = "\n".join([f"{head}: input {note}", *table.notes])
    nodes = parse_model(table.spec).nodes
    return Resolved(nodes, table.spec, shape, conv, title, None, note)
