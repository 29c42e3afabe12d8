"""Keras `model.summary()` and torchinfo tables, read as the answers `check --expect` marks.

Read: Keras 3 (box characters, or their ASCII stand-ins), Keras 2 (aligned columns, long names
wrapped or cut), the same tables pasted as Markdown, and torchinfo's `summary()`. Each row
keeps its line, its layer type, its output shape as printed (batch removed) and its Param #;
the totals keep their figures. A line that is none of these is an error naming it.
"""

from __future__ import annotations

import re
from dataclasses import replace
from fractions import Fraction

from ..errors import UsageError, cut
from ..records import record
from .table import Figure

KERAS = "keras"
TORCHINFO = "torchinfo"
MAX_LINE = 4_000
MAX_ROWS = 100_000

# What a table row's class stands for in cnncalc's layers. A tuple is a sequence of layers
# (Keras' SeparableConv2D is a depthwise then a pointwise conv); 'flatten?' is the flatten
# that follows a global pooling whose output is flat.
_ACTIVATIONS = frozenset({"relu", "relu6", "tanh", "sigmoid", "gelu", "elu", "silu",
                          "leakyrelu", "softmax", "logsoftmax"})
KINDS: dict[str, tuple[frozenset[str], ...]] = {}


def _kinds(names: str, *kinds: str) -> None:
    for name in names.split():
        KINDS[name] = tuple(frozenset(k.split("|")) for k in kinds)


_kinds("Conv2D Convolution2D Conv2d", "conv")
_kinds("Conv2DTranspose ConvTranspose2d", "convt")
_kinds("DepthwiseConv2D", "dwconv")
_kinds("SeparableConv2D", "dwconv", "conv")
_kinds("Dense Linear", "fc")
_kinds("MaxPooling2D MaxPool2D MaxPool2d", "maxpool")
_kinds("AveragePooling2D AvgPool2D AvgPool2d", "avgpool")
_kinds("GlobalAveragePooling2D GlobalAvgPool2D", "gap", "flatten?")
_kinds("GlobalMaxPooling2D GlobalMaxPool2D", "gmp", "flatten?")
_kinds("AdaptiveAvgPool2d", "gap")
_kinds("AdaptiveMaxPool2d", "gmp")
_kinds("BatchNormalization BatchNorm2d BatchNorm1d", "bn")
_kinds("Flatten", "flatten")
_kinds("Dropout SpatialDropout2D Dropout2d", "dropout")
_kinds("ZeroPadding2D Cropping2D ZeroPad2d ConstantPad2d", "zeropad")
_kinds("LocalResponseNorm", "lrn")
_kinds("ReLU", "relu|relu6")
_kinds("ReLU6", "relu6")
_kinds("LeakyReLU", "leakyrelu")
_kinds("ELU", "elu")
_kinds("GELU", "gelu")
_kinds("SiLU", "silu")
_kinds("Tanh", "tanh")
_kinds("Sigmoid", "sigmoid")
_kinds("Softmax", "softmax")
_kinds("LogSoftmax", "logsoftmax")
_kinds("Activation", "|".join(sorted(_ACTIVATIONS)))
_kinds("Identity", "identity")
_kinds("Add", "add")
_kinds("InputLayer", "input")

_TORCH = frozenset({"Conv2d", "ConvTranspose2d", "Linear", "MaxPool2d", "AvgPool2d",
                    "AdaptiveAvgPool2d", "AdaptiveMaxPool2d", "BatchNorm2d", "BatchNorm1d",
                    "Dropout2d", "ZeroPad2d", "ConstantPad2d", "LocalResponseNorm", "ReLU6",
                    "GELU", "SiLU", "Tanh", "Sigmoid", "LogSoftmax", "Identity"})
"""torch's classes: a Keras class cut off at the column edge is completed among Keras' own."""

WEIGHTLESS = _ACTIVATIONS | {"dropout", "flatten", "identity", "add"}
"""Kinds that keep the values (a reshape at most) and have no weights: a row of one of these
that only one side lists is reported as a note, not as a mismatch."""


@record
class TableRow:
    """One layer row as the table prints it."""

    line: int
    name: str  # 'conv2d_1 (Conv2D)', '├─Conv2d: 1-1' as printed, cleaned
    type: str  # the class: Conv2D, Conv2d ('' when it is cut off or unknown)
    kinds: tuple[frozenset[str], ...]  # () when the class is not one cnncalc knows
    output: tuple[int, ...] | None  # printed order, batch removed; None: not given
    output_text: str
    params: int | None  # None: not given ('--')
    params_text: str
    depth: int = 1  # torchinfo nesting (0: the model itself)
    leaf: bool = True  # torchinfo: no rows nested under it
    input: tuple[int, ...] | None = None  # torchinfo's Input Shape column
    input_text: str = ""
    batch: int | None = None  # torchinfo: the batch size its shapes start with
    note: str = ""  # e.g. the class name was cut off and completed


@record
class Total:
    """A figure under the table: Total params, Trainable params, torchinfo's sizes..."""

    line: int
    key: str  # total, trainable, non-trainable, total bytes, ..., mult-adds, input size, ...
    label: str  # as printed
    figure: Figure


@record
class SummaryTable:
    flavor: str  # keras or torchinfo
    layout: str  # how it was printed, for the title
    rows: tuple[TableRow, ...]
    totals: tuple[Total, ...]
    notes: tuple[str, ...]

    @property
    def channels_last(self) -> bool:
        return self.flavor == KERAS


class SummaryTableError(UsageError):
    """A line of a pasted summary table that cannot be read."""


def _bad(n: int, line: str, why: str, hint: str | None = None) -> SummaryTableError:
    return SummaryTableError(f"summary table line {n}: {why} in '{cut(line.strip(), 70)}'",
                             hint)


_HEADER = re.compile(r"Layer \(type.{0,40}?\).{0,200}?Output Shape", re.I)
_CLEAN = re.compile(r"</?(?:pre|code|b|strong)>|\*\*", re.I)
_BORDER = re.compile(r"[\s─━│┃├┤┼┡┩╇┏┓┗┛┳┻└┘┴┬╞╡╪═\-+=_|:]*")
_MODEL = re.compile(r"(?:#+\s*)?Model:\s*\S.{0,200}")


def is_summary_table(text: str) -> bool:
    """Whether the answers are a pasted model.summary() or torchinfo table."""
    return bool(_HEADER.search(text[:200_000]))


def _clean(line: str) -> str:
    line = line.replace("\\_", "_").replace("\\*", "*").replace("\t", "    ")
    return _CLEAN.sub("", line).rstrip()


def _is_border(line: str) -> bool:
    return bool(line.strip()) and _BORDER.fullmatch(line) is not None and not \
        re.search(r"[A-Za-z0-9]", line)


def _number(text: str, n: int, line: str) -> int:
    digits = text.replace(",", "")
    if not digits.isdigit() or len(digits) > 16:
        raise _bad(n, line, f"cannot read the count '{cut(text, 30)}'",
                   "a Param # is a whole number of at most 16 digits, e.g. 18,496")
    return int(digits)


_SHAPE = re.compile(r"[\[(]\s*(None|\d{1,13})((?:\s*,\s*\d{1,13}){0,6})\s*,?\s*[\])]")


def _shape(text: str, n: int, line: str, batch_first: bool
           ) -> tuple[tuple[int, ...] | None, int | None]:
    """(dims without the batch, the batch) of '(None, 26, 26, 32)', '[(None, 28, 28, 1)]'
    or '[1, 32, 26, 26]'; (None, None) for 'multiple' or '--'."""
    raw = text.strip()
    if raw.startswith("[(") and raw.endswith(")]"):
        raw = raw[1:-1]  # Keras 2 prints an InputLayer's shape as a list of one
    if raw.lower() in ("multiple", "--", "?", ""):
        return None, None
    m = _SHAPE.fullmatch(raw)
    if not m:
        raise _bad(n, line, f"cannot read the shape '{cut(raw, 40)}'",
                   "Keras prints (None, 26, 26, 32), torchinfo [1, 32, 26, 26]")
    dims = tuple(int(x) for x in m.group(2).replace(",", " ").split())
    batch = None if m.group(1) == "None" else int(m.group(1))
    return dims, batch


def _type(cell: str) -> tuple[str, str, str]:
    """(name, class, note) of 'conv2d_1 (Conv2D)'; a class cut off at the column edge
    ('(MaxPooling2') is completed only where one known class starts that way."""
    m = re.fullmatch(r"(.*?)\s*\(([^()]*)\)?\s*", cell)
    if not m:
        return cell.strip(), "", ""
    name, kind = m.group(1).strip(), re.sub(r"\s+", "", m.group(2))
    if cell.rstrip().endswith(")") or kind in KINDS:
        return name, kind, ""
    matches = [k for k in KINDS if k.startswith(kind) and k not in _TORCH] if kind else []
    if len(matches) == 1:
        return name, matches[0], f"class cut off as '{kind}', read as {matches[0]}"
    return name, "", f"class cut off as '{kind or '('}'"


def _split_cells(line: str) -> list[str]:
    body = line.strip()
    if body[:1] in "│┃|":
        body = body[1:]
    if body[-1:] in "│┃|":
        body = body[:-1]
    return [c.strip() for c in re.split(r"[│┃|]", body)]


def parse_summary_table(text: str) -> SummaryTable:
    """Read a pasted model.summary() or torchinfo table; SummaryTableError names a bad line."""
    lines = [(n, _clean(raw)) for n, raw in enumerate(text.splitlines(), 1)]
    for n, line in lines:
        if len(line) > MAX_LINE:
            raise SummaryTableError(f"summary table line {n} is {len(line):,} characters; a "
                                    f"row is at most {MAX_LINE:,}")
    headers = [i for i, (_, line) in enumerate(lines) if _HEADER.search(line)]
    if len(headers) != 1:
        raise SummaryTableError(
            f"the answers hold {len(headers)} summary tables (header rows on lines "
            f"{', '.join(str(lines[i][0]) for i in headers[:5])})", "keep one table")
    h = headers[0]
    for n, line in lines[:h]:
        if line.strip() and not _is_border(line) and not _MODEL.fullmatch(line.strip()) \
                and not line.strip().startswith("#"):
            raise _bad(n, line, "not part of a summary table",
                       "paste the table alone, from 'Model: ...' or its top border")
    header = lines[h][1]
    torchinfo = "depth-idx" in header or "var_name" in header
    if "┃" in header or header.strip().startswith("|"):
        rows, end, layout = _boxed(lines, h)
    elif torchinfo:
        rows, end, layout = _torchinfo(lines, h)
    else:
        rows, end, layout = _keras2(lines, h)
    totals, notes = _totals(lines[end:], torchinfo)
    flavor = TORCHINFO if torchinfo else KERAS
    columns = _columns(lines[h][1])
    known = {"layer", "output shape", "param #", "input shape"}
    others = [c for c in columns if c.lower() not in known and not c.lower().startswith(
        "layer (")]
    if others:
        notes = (f"not checked: the {', '.join(others)} column{'s' * (len(others) > 1)}",
                 ) + notes
    if not rows:
        raise SummaryTableError("the summary table has no layer rows")
    return SummaryTable(flavor, layout, tuple(rows), tuple(totals), notes)


def _columns(header: str) -> list[str]:
    return [c.strip() for c in re.split(r"\s{2,}|[│┃|]", header.strip()) if c.strip()]


def _keras_row(n: int, line: str, cells: list[str]) -> TableRow:
    if len(cells) < 3:
        raise _bad(n, line, "a row needs a layer, an output shape and a Param #")
    _, kind, note = _type(cells[0])
    dims, _ = _shape(cells[1], n, line, batch_first=False)
    params_text = cells[2].strip()
    params = _number(params_text, n, line)
    return TableRow(n, cells[0].strip(), kind, KINDS.get(kind, ()), dims, cells[1].strip(),
                    params, params_text, note=note)


def _boxed(lines: list[tuple[int, str]], h: int) -> tuple[list[TableRow], int, str]:
    """Keras 3 with box characters (or rich's ASCII ones), and Markdown tables: cells between
    bars, a row's text wrapped over lines up to the next border line."""
    header = lines[h][1]
    box = "┃" in header
    width = len(_split_cells(header))
    body: list[tuple[int, str]] = []
    end = len(lines)
    for i in range(h + 1, len(lines)):
        n, line = lines[i]
        s = line.strip()
        if s[:1] in "└╰+":  # the bottom border
            end = i + 1
            break
        if not s or s[:1] not in "│┃|├┡╞":
            end = i
            break
        body.append((n, line))
    # Keras 3 draws a border under every row (rich's ASCII box too, under a '+---+' top);
    # a Markdown table has one border, under its header, and one line a row.
    grouped = box or (h > 0 and lines[h - 1][1].strip().startswith("+"))
    groups: list[list[tuple[int, str]]] = []
    current: list[tuple[int, str]] = []
    for n, line in body:
        if _is_border(line):
            if current:
                groups.append(current)
            current = []
            continue
        if grouped:
            current.append((n, line))
        else:
            groups.append([(n, line)])
    if current:
        groups.append(current)
    rows = []
    for group in groups:
        n0, first = group[0]
        cells = [""] * width
        for n, line in group:
            parts = _split_cells(line)
            if len(parts) != width:
                raise _bad(n, line, f"{len(parts)} cells where the header has {width}")
            cells = [f"{a} {b}".strip() for a, b in zip(cells, parts)]
        rows.append(_keras_row(n0, first, cells))
        if len(rows) > MAX_ROWS:
            raise SummaryTableError(f"the summary table has more than {MAX_ROWS:,} rows")
    layout = "Keras 3" if box else ("Keras 3 (ASCII)" if grouped else "Markdown")
    return rows, end, layout


_KERAS2_ROW = re.compile(r"\s*(\S+)\s+\(([^()]*)\)?\s+(\[?\([^()]*\)\]?|multiple)\s+([\d,]+)"
                         r"(?:\s+.*)?")


def _keras2(lines: list[tuple[int, str]], h: int) -> tuple[list[TableRow], int, str]:
    """Keras 2's aligned columns: a row's cells wrap (or are cut) at the header's column
    starts, and rows are set apart by blank or '_' lines."""
    header = lines[h][1]
    starts = [m.start() for m in re.finditer(r"\S+(?: \S+)*", header)]
    starts[0] = 0
    groups: list[list[tuple[int, str]]] = []
    current: list[tuple[int, str]] = []
    end = len(lines)
    seen_rule = False
    for i in range(h + 1, len(lines)):
        n, line = lines[i]
        if re.fullmatch(r"\s*=+\s*", line):
            if not seen_rule and not groups and not current:
                seen_rule = True  # the rule under the header
                continue
            end = i + 1
            break
        if not line.strip() or re.fullmatch(r"\s*_+\s*", line):
            if current:
                groups.append(current)
            current = []
            continue
        if re.match(r"\s*(?:Total|Trainable|Non-trainable) params", line):
            end = i
            break
        current.append((n, line))
        if len(current) > 50:
            raise _bad(current[0][0], current[0][1], "a row wrapped over more than 50 lines")
    if current:
        groups.append(current)
    rows = []
    for group in groups:
        n0, first = group[0]
        cells = ["".join(line[a:b].strip() for _, line in group)
                 for a, b in zip(starts, starts[1:] + [10**6])]
        try:
            row = _keras_row(n0, first, cells)
        except SummaryTableError:
            joined = " ".join(line.strip() for _, line in group)
            m = _KERAS2_ROW.fullmatch(joined) if len(joined) <= MAX_LINE else None
            if not m:
                raise
            row = _keras_row(n0, first, [f"{m.group(1)} ({m.group(2)})", m.group(3),
                                         m.group(4)])
        rows.append(row)
        if len(rows) > MAX_ROWS:
            raise SummaryTableError(f"the summary table has more than {MAX_ROWS:,} rows")
    return rows, end, "Keras 2"


_TI_LAYER = re.compile(r"[\s│├└─|]*([A-Za-z_][\w.]*)(?:\s*\(([^()]*)\))?(?::\s*(\d{1,4})-"
                       r"(\d{1,9}))?(?=\s|$)")
_TI_TOKEN = re.compile(r"\[[^\]]*\]|\S+")


def _torchinfo(lines: list[tuple[int, str]], h: int) -> tuple[list[TableRow], int, str]:
    """torchinfo: one row a line, nested modules indented under '├─' and '└─'."""
    columns = _columns(lines[h][1])[1:]
    raw: list[TableRow] = []
    end = len(lines)
    for i in range(h + 1, len(lines)):
        n, line = lines[i]
        if re.fullmatch(r"\s*=+\s*", line):
            if raw:
                end = i + 1
                break
            continue
        if not line.strip():
            continue
        m = _TI_LAYER.match(line)
        if not m:
            raise _bad(n, line, "cannot read the layer", "torchinfo rows read like "
                       "'├─Conv2d: 1-1   [1, 32, 26, 26]   320'")
        tokens = _TI_TOKEN.findall(line[m.end():])
        if len(tokens) != len(columns):
            raise _bad(n, line, f"{len(tokens)} values where the header has {len(columns)}")
        cells = dict(zip((c.lower() for c in columns), tokens))
        depth = int(m.group(3)) if m.group(3) else 0
        if depth == 0 and raw:
            raise _bad(n, line, "a second model row", "paste one torchinfo table")
        out, batch = _shape(cells.get("output shape", "--"), n, line, batch_first=True)
        inp, in_batch = _shape(cells.get("input shape", "--"), n, line, batch_first=True)
        ptext = cells.get("param #", "--")
        params = None if ptext in ("--", "(recursive)") else _number(ptext.strip("()"), n,
                                                                     line)
        kind = m.group(1)
        name = line[:m.end()].strip().lstrip("│├└─| ")
        raw.append(TableRow(n, name, kind, KINDS.get(kind, ()), out,
                            cells.get("output shape", ""), params, ptext, depth,
                            input=inp, input_text=cells.get("input shape", ""),
                            batch=batch if batch is not None else in_batch))
        if len(raw) > MAX_ROWS:
            raise SummaryTableError(f"the summary table has more than {MAX_ROWS:,} rows")
    rows = [replace(row, leaf=row.depth > 0 and not (k + 1 < len(raw) and
                                                     raw[k + 1].depth > row.depth))
            for k, row in enumerate(raw)]
    return rows, end, "torchinfo"


_COUNT = r"(\d{1,16}(?:,\d{3}){0,5})"
_KERAS_TOTAL = re.compile(r"(Total|Trainable|Non-trainable) params:\s*" + _COUNT +
                          r"(?:\s*\((\d{1,16}(?:\.\d{1,6})?)\s*(B|Byte|Bytes|KB|MB|GB|TB)\))?",
                          re.I)
_TI_SIZE = re.compile(r"(Input size|Forward/backward pass size|Params size|Estimated Total "
                      r"Size) \(MB\):\s*(\d{1,16}(?:,\d{3}){0,5}(?:\.\d{1,6})?)", re.I)
_TI_MACS = re.compile(r"Total mult-adds(?:\s*\((?:Units\.)?(\w+)\))?:\s*"
                      r"(\d{1,16}(?:,\d{3}){0,5}(?:\.\d{1,6})?)", re.I)
_UNCHECKED = re.compile(r"Optimizer params:.*", re.I)
_KERAS_UNITS = {"b": 1, "byte": 1, "bytes": 1, "kb": 2**10, "mb": 2**20, "gb": 2**30,
                "tb": 2**40}
_MAC_UNITS = {"k": 10**3, "kilobytes": 10**3, "m": 10**6, "megabytes": 10**6,
              "g": 10**9, "gigabytes": 10**9, "t": 10**12, "terabytes": 10**12,
              "none": 1, "": 1}


def _decimal(text: str, unit: int, suffix: str = "") -> Figure:
    """A figure printed with a fixed number of decimals: '364.54' KB is right to 0.005 KB."""
    whole, _, frac = text.replace(",", "").partition(".")
    value = Fraction(int(whole)) + (Fraction(int(frac), 10 ** len(frac)) if frac else 0)
    tolerance = Fraction(1, 2 * 10 ** len(frac)) if frac else Fraction(0)
    return Figure(text + suffix, ((value * unit, tolerance * unit),))


def _totals(lines: list[tuple[int, str]], torchinfo: bool) -> tuple[list[Total], tuple[str, ...]]:
    totals: list[Total] = []
    notes: list[str] = []
    for n, line in lines:
        if not line.strip() or _is_border(line):
            continue
        if _HEADER.search(line):
            raise _bad(n, line, "a second table", "keep one table")
        rest = line
        for m in _KERAS_TOTAL.finditer(line):
            key = m.group(1).lower()
            totals.append(Total(n, key, f"{m.group(1)} params",
                                Figure(m.group(2), ((Fraction(int(m.group(2).replace(",", ""))),
                                                     Fraction(0)),))))
            if m.group(3):
                unit = _KERAS_UNITS[m.group(4).lower()]
                totals.append(Total(n, key + " bytes", f"{m.group(1)} params (size)",
                                    _decimal(m.group(3), unit, f" {m.group(4)}")))
            rest = rest.replace(m.group(0), " ", 1)
        for m in _TI_SIZE.finditer(line):
            key = m.group(1).lower().split()[0].replace("forward/backward", "pass")
            totals.append(Total(n, key + " size", m.group(1) + " (MB)",
                                _decimal(m.group(2), 10**6, " MB")))
            rest = rest.replace(m.group(0), " ", 1)
        for m in _TI_MACS.finditer(line):
            macs_unit = (m.group(1) or "").lower()
            if macs_unit not in _MAC_UNITS:
                raise _bad(n, line, f"unknown unit '{cut(macs_unit, 20)}'")
            totals.append(Total(n, "mult-adds", "Total mult-adds",
                                _decimal(m.group(2), _MAC_UNITS[macs_unit],
                                         f" ({m.group(1)})" if m.group(1) else "")))
            rest = rest.replace(m.group(0), " ", 1)
        if _UNCHECKED.fullmatch(rest.strip()):
            notes.append(f"not checked: {cut(rest.strip(), 60)} (line {n})")
            continue
        if rest.strip() and not _is_border(rest) and not rest.strip().startswith("#"):
            raise _bad(n, line, f"cannot read '{cut(rest.strip(), 40)}'",
                       "under the table come Total params, Trainable params, Non-trainable "
                       "params (and torchinfo's sizes)")
    if not torchinfo and not totals:
        notes.append("the table has no totals")
    return totals, tuple(notes)
