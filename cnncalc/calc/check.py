"""Mark a student's answers (per-layer shapes and parameter counts, totals) against a summary."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import partial

from ..dialects.summary_table import TORCHINFO, WEIGHTLESS, SummaryTable, TableRow
from ..dialects.table import Claim
from ..errors import UsageError, cut
from ..ops.base import ConvArgs, ConvTArgs, LinearArgs
from ..ops.shape import KERAS, Shape, format_shape, numel
from ..records import record
from .module_names import ModuleNames
from .summary import LayerInfo, Summary

MAX_ANSWERS = 10_000
MAX_DIGITS = 16
TOTALS = ("total", "trainable", "non-trainable", "output")
_NUMBER = re.compile(r"\d{1,3}(?:[,_ ]\d{3})+|\d+")
_KEY = re.compile(r"(?:layer\s*)?(\d+(?:\.s?\d+)*|total|trainable|non-trainable|output)\s*$",
                  re.I)
# A module's name as the code gives it: torch's dotted path (layer1.0.conv2), a Keras name=;
# quoted ('0', "output") it is always a name, never a row number or a total.
_NAME = re.compile(r"[A-Za-z_][\w\-]*(?:\.[\w\-]+)*")
_QUOTED = re.compile(r"""(['"])([^'"\n]{1,100})\1""")


@record
class Answer:
    """One value the student wrote: the shape or the parameter count of a layer, or a total."""

    key: str  # "3", "3.2", "total", "trainable", "non-trainable", "output", or a name
    what: str  # "shape" or "params"
    value: Shape | int
    text: str  # as written
    line: int
    name: bool = False  # the key is a module's name (conv1, layer1.0.conv2, dense_2)
    # A row or total key that is written as a name could be too ('layer3', 'output'):
    # ambiguous where the code has a module of that name.
    alias: str = ""


@record
class Mark:
    answer: Answer
    right: bool
    correct: str  # the right value, as the table prints it
    working: str  # the formula with numbers, for a wrong answer
    row: str = ""  # the table's row a name key stands for ('7', or '7-8' for several)


def _bad(line: int, text: str, hint: str) -> UsageError:
    return UsageError(f"answers line {line}: cannot read '{cut(text)}'", hint)


def _shape(text: str, line: int, convention: str) -> Shape:
    raw = text.strip().lower()
    for prefix in ("shape=", "shape:", "shape "):
        if raw.startswith(prefix):
            raw = raw[len(prefix):].strip()
    if raw.startswith("flat:"):
        raw = raw[5:]
    raw = raw.strip("()[] ")
    parts = [p for p in re.split(r"[x×*,\s]+", raw) if p]
    keras_style = bool(parts) and parts[0] == "none"
    if keras_style:
        parts = parts[1:]
    if not parts or len(parts) not in (1, 3) or not all(re.fullmatch(r"\d{1,13}", p)
                                                        for p in parts):
        raise _bad(line, text, "write a shape as CxHxW (HxWxC under Keras), (N,) for a flat "
                   "vector, or (None, H, W, C)")
    dims = tuple(int(p) for p in parts)
    if len(dims) == 3 and (convention == KERAS or keras_style):
        return (dims[2], dims[0], dims[1])
    return dims


def _split_items(body: str) -> list[str]:
    """Items split at commas outside parentheses; '62,006' stays one number."""
    items, depth, cur = [], 0, ""
    for ch in body:
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        if ch == "," and depth == 0:
            items.append(cur)
            cur = ""
        else:
            cur += ch
    items.append(cur)
    merged: list[str] = []
    for item in (i.strip() for i in items):
        if merged and re.fullmatch(r"\d{3}", item) and re.fullmatch(
                r"(?:params?\s*[=:]?\s*)?[\d,]+", merged[-1], re.I):
            merged[-1] += "," + item
        elif item:
            merged.append(item)
    return merged


def parse_answers(text: str, convention: str) -> list[Answer]:
    """Read answers written by hand; see docs/spec.md ('Checking answers')."""
    out: list[Answer] = []
    entries = [(n, part) for n, line in enumerate(text.splitlines(), 1)
               for part in line.split("#", 1)[0].split(";")]
    for n, entry in entries:
        if not entry.strip():
            continue
        if ":" not in entry and "=" not in entry.split("(")[0]:
            raise _bad(n, entry.strip(), "write 'LAYER: shape, params', e.g. 1: 16x30x30, "
                       "448, or 'total: 62006'")
        sep = ":" if ":" in entry else "="
        key_text, body = entry.split(sep, 1)
        written = key_text.strip()
        m = _KEY.fullmatch(written) if len(key_text) <= 100 else None
        quoted = _QUOTED.fullmatch(written)
        by_name = m is None and len(written) <= 200 and (
            quoted is not None or _NAME.fullmatch(written) is not None)
        if not m and not by_name:
            raise _bad(n, written, "a key is a layer number from the table's # column (3, "
                       "3.2), a module's name from the code (conv1, layer1.0.conv2), or "
                       "total, trainable, non-trainable, output")
        if m:
            key = m.group(1).lower()
            alias = written if _NAME.fullmatch(written) else ""
        else:
            key = quoted.group(2) if quoted is not None else written
            alias = ""
        for item in _split_items(body):
            low = item.lower().replace("params", "").replace("param", "").strip(" =:")
            if (key == "output" and not by_name) or not _NUMBER.fullmatch(low):
                if key in ("total", "trainable", "non-trainable") and not by_name:
                    raise _bad(n, item, f"{key} is a parameter count, e.g. {key}: 62006")
                out.append(Answer(key, "shape", _shape(item, n, convention), item, n,
                                  by_name, alias))
            else:
                digits = re.sub(r"[,_ ]", "", low)
                if len(digits) > MAX_DIGITS:  # int() of 4,300+ digits raises; none is a count
                    raise _bad(n, item, f"a parameter count has at most {MAX_DIGITS} digits")
                out.append(Answer(key, "params", int(digits), item, n, by_name, alias))
        if len(out) > MAX_ANSWERS:
            raise UsageError(f"more than {MAX_ANSWERS:,} answers")
    if not out:
        raise UsageError("no answers given", "e.g. --expect '1: 16x30x30, 448; total: 448'")
    return out


def _rows(s: Summary) -> dict[str, LayerInfo]:
    found: dict[str, LayerInfo] = {}

    def walk(rows: tuple[LayerInfo, ...]) -> None:
        for r in rows:
            found[r.path] = r
            walk(r.children)
            walk(r.shortcut)

    walk(s.layers)
    return found


def _param_working(r: LayerInfo) -> str:
    if r.is_block:
        return f"sum of the block's layers: {r.trainable_params:,} trainable" + (
            f" + {r.non_trainable_params:,} non-trainable" if r.non_trainable_params else "")
    return r.param_formula


def mark(s: Summary, answers: list[Answer], dialect: str | None = None) -> list[Mark]:
    """Each answer marked right or wrong, with the right value and its working. `dialect`:
    the library the code is written with (None for a spec), for keys that name modules."""
    rows = _rows(s)
    conv = s.convention
    marks: list[Mark] = []
    modules = ModuleNames(s, dialect) if any(a.name or a.alias for a in answers) else None
    for a in answers:
        if a.alias and modules is not None and modules.known(a.alias):
            if a.key[0].isdigit() and a.key not in rows:  # layer1.0: only the module is
                a = replace(a, key=a.alias, name=True)
            else:
                modules.ambiguous(a)
        if a.name and modules is not None:
            marks.append(_mark_named(a, modules.find(a.key), conv))
            continue
        if a.key in ("total", "trainable", "non-trainable"):
            want = {"total": (s.trainable_params, s.total_params),
                    "trainable": (s.trainable_params,),
                    "non-trainable": (s.non_trainable_params,)}[a.key]
            parts = [f"{r.params:,}" for r in s.layers if r.params]
            shown = " + ".join(parts) if len(parts) <= 12 else \
                " + ".join(parts[:6]) + " + … + " + " + ".join(parts[-3:])
            working = f"sum of the layers: {shown or 0} = {s.total_params:,}" + (
                f" ({s.non_trainable_params:,} of them running statistics)"
                if s.non_trainable_params else "")
            right = a.value in want
            correct = f"{want[-1]:,}" if a.key != "total" or not s.non_trainable_params else \
                f"{s.total_params:,} ({s.trainable_params:,} trainable)"
            marks.append(Mark(a, right, correct, "" if right else working))
            continue
        if a.key == "output" and s.outputs:
            shown = ", ".join(f"{cut(name, 20)}: {format_shape(shape, conv)}"
                              for name, shape in s.outputs[:6])
            raise UsageError(f"line {a.line}: 'output' names no one output; the model has "
                             f"{len(s.outputs)} outputs ({shown}{', …' * (len(s.outputs) > 6)})",
                             "check each output at the layer that makes it: the module's "
                             "name in the code (fc_mu: (20,)), or its # in the summary")
        r = s.layers[-1] if a.key == "output" and s.layers else rows.get(a.key)
        if r is None:
            marks.append(Mark(a, False, "-", f"there is no layer {a.key}; the table numbers "
                              f"layers 1 to {len(s.layers)}"))
            continue
        if a.what == "shape":
            right = a.value == r.output_shape
            working = r.formula or "see its layers"
            if r.is_block:
                working = f"output of its last layer ({r.spec[:60]})"
            marks.append(Mark(a, right, format_shape(r.output_shape, conv),
                              "" if right else working))
        else:
            right = a.value in (r.trainable_params, r.params)
            correct = f"{r.params:,}" + (f" ({r.trainable_params:,} trainable)"
                                          if r.non_trainable_params else "")
            marks.append(Mark(a, right, correct, "" if right else _param_working(r)))
    return marks


def _mark_named(a: Answer, rows: list[LayerInfo], conv: str) -> Mark:
    """An answer keyed by a module's name: the output of its last row, the parameters of
    all its rows."""
    at = rows[0].path if len(rows) == 1 else f"{rows[0].path}-{rows[-1].path}"
    if a.what == "shape":
        out = rows[-1].output_shape
        right = a.value == out
        working = " then ".join(r.formula or r.spec for r in rows)
        return Mark(a, right, format_shape(out, conv), "" if right else working, at)
    total = sum(r.params for r in rows)
    trainable = sum(r.trainable_params for r in rows)
    right = a.value in (trainable, total)
    correct = f"{total:,}" + (f" ({trainable:,} trainable)" if trainable != total else "")
    working = " + ".join(r.param_formula or "0" for r in rows if r.params) or "no parameters"
    return Mark(a, right, correct, "" if right else working, at)


# ---------------------------------------------------------------------------- tables

@record
class RowMark:
    """One figure of a table (a lecture table, or a model.summary()/torchinfo table) marked
    against the calculator: right, wrong, or a note (`right` None) where nothing is checked."""

    line: int  # the table's line
    row: str  # the row as the table names it: CONV1, conv2d_1 (Conv2D), Total params
    layer: str  # the calculator's layer it was matched to: '3' ('' for the input, totals)
    what: str  # shape, params, memory, weights, total ...
    written: str  # as the table writes it
    right: bool | None
    correct: str = ""
    working: str = ""


def _hwc(shape: Shape) -> tuple[int, ...]:
    return (shape[1], shape[2], shape[0]) if len(shape) == 3 else shape


def _bracket(dims: tuple[int, ...]) -> str:
    return "[" + "x".join(map(str, dims)) + "]"


def _biases(r: LayerInfo) -> int:
    a = r.args
    if isinstance(a, (ConvArgs, ConvTArgs)) and a.bias:
        return a.out_channels
    if isinstance(a, LinearArgs) and a.bias:
        return a.out_features
    return 0


def _sum_text(parts: list[int], total: int) -> str:
    shown = [f"{p:,}" for p in parts]
    if len(shown) > 8:
        shown = shown[:4] + ["…"] + shown[-2:]
    return " + ".join(shown) + f" = {total:,}"


def _shape_working(r: LayerInfo) -> str:
    working = r.formula or "see its layers"
    if r.kind in ("conv", "dwconv", "convt") and len(r.output_shape) == 3:
        working += f"; C = {r.output_shape[0]} filters"
    elif len(r.output_shape) == 3 and r.formula == "shape unchanged":
        working = f"shape unchanged: {_bracket(_hwc(r.input_shape))}"
    elif len(r.output_shape) == 3 and r.output_shape[0] == r.input_shape[0]:
        working += f"; C = {r.output_shape[0]}, unchanged"
    return working


def mark_claims(s: Summary, claims: tuple[Claim, ...]) -> list[RowMark]:
    """Each thing a lecture table states, marked: shapes H x W x C, memory and weights
    figures, totals. Rows past a layer the calculator could not apply are marked unreached."""
    rows = _rows(s)
    marks: list[RowMark] = []
    for c in claims:
        r = rows.get(c.path) if c.path else None
        if c.path and r is None:
            marks.append(RowMark(c.line, c.row, c.path, c.what, c.written, False, "-",
                                 "not reached: an earlier layer cannot be applied (below)"))
            continue
        marks.append(_mark_claim(s, c, r, rows))
    return marks


def _mark_claim(s: Summary, c: Claim, r: LayerInfo | None,
                rows: dict[str, LayerInfo]) -> RowMark:
    if c.what == "shape":
        assert r is not None
        ours = _hwc(r.output_shape)
        right = c.dims == ours or (len(ours) == 1 and c.dims == (1, 1) + ours)
        return RowMark(c.line, c.row, c.path, "shape", c.written, right, _bracket(ours),
                       "" if right else _shape_working(r))
    if c.what == "memory":
        shape = r.output_shape if r is not None else s.input_shape
        exact = numel(shape)
        right = all(f.fits(exact) for f in c.figures)
        working = "·".join(map(str, _hwc(shape))) + f" = {exact:,}"
        return RowMark(c.line, c.row, c.path, "memory", c.written, right, f"{exact:,}",
                       "" if right else working)
    if c.what == "weights":
        params = r.params if r is not None else 0
        weights = params - (_biases(r) if r is not None else 0)
        right = all(f.fits(weights) for f in c.figures) or all(f.fits(params)
                                                               for f in c.figures)
        correct = f"{weights:,}" + (f" ({params:,} with biases)" if params != weights else "")
        working = (r.param_formula if r is not None else "the input has no weights") + (
            f"; without the biases {weights:,}" if params != weights else "")
        return RowMark(c.line, c.row, c.path, "weights", c.written, right, correct,
                       "" if right else working)
    if c.what in ("total memory", "total bytes"):
        parts = [numel(rows[p].output_shape) if p else numel(s.input_shape)
                 for p in c.paths if not p or p in rows]
        total = sum(parts)
        if c.what == "total memory":
            right = all(f.fits(total) for f in c.figures)
            return RowMark(c.line, c.row, "", c.what, c.written, right, f"{total:,}",
                           "" if right else "the memory column's sum: "
                           + _sum_text(parts, total))
        size = total * 4
        right = all(f.fits(size) for f in c.figures)
        return RowMark(c.line, c.row, "", c.what, c.written, right,
                       f"{size:,} bytes ({size / 1e6:,.1f} MB, {size / 2**20:,.1f} MiB)",
                       "" if right else f"{total:,} values · 4 bytes = {size:,} bytes")
    # total params
    counts = [x.params for x in s.leaves() if x.params]
    total = s.total_params
    weights = total - sum(_biases(x) for x in s.leaves())
    right = all(f.fits(total) for f in c.figures) or all(f.fits(weights) for f in c.figures)
    return RowMark(c.line, c.row, "", c.what, c.written, right,
                   f"{total:,}" + (f" ({weights:,} without biases)" if weights != total else ""),
                   "" if right else "sum of the layers: " + _sum_text(counts, total))


def _printed(shape: Shape, t: SummaryTable, batch: int) -> tuple[int, ...]:
    """A shape in the table's own order: (H, W, C) for Keras, (C, H, W) for torchinfo."""
    return _hwc(shape) if t.channels_last else shape


def _shape_text(dims: tuple[int, ...], t: SummaryTable, batch: int) -> str:
    if t.channels_last:
        return "(None, " + ", ".join(map(str, dims)) + ")"
    return "[" + ", ".join(map(str, (batch, *dims))) + "]"


def _matches(row: TableRow, ours: list[LayerInfo], j: int) -> int:
    """How many of our layers from j the row stands for (0: it matches none)."""
    if not row.kinds:
        return 0
    take = 0
    for want in row.kinds:
        if "flatten?" in want:
            flat = row.output is not None and len(row.output) == 1
            if flat and j + take < len(ours) and ours[j + take].kind == "flatten":
                take += 1
            continue
        if j + take >= len(ours) or ours[j + take].kind not in want:
            return 0
        take += 1
    return take


def _weighted(kinds: tuple[frozenset[str], ...] | str) -> bool:
    heavy = {"conv", "convt", "dwconv", "fc", "bn"}
    if isinstance(kinds, str):
        return kinds in heavy
    return any(k in heavy for want in kinds for k in want)


def _weightless_kind(row: TableRow) -> bool:
    return bool(row.kinds) and all(want <= WEIGHTLESS for want in row.kinds)


def _row_working(take: list[LayerInfo]) -> str:
    last = take[-1]
    working = _shape_working(last).replace("; C = ", "; channels: ")
    if len(take) > 1:
        working = " then ".join(x.spec for x in take) + ": " + working
    return working


def mark_summary_table(s: Summary, t: SummaryTable) -> list[RowMark]:
    """The rows of a model.summary() or torchinfo table matched, in order, to the model's
    layers, and each row's output shape and Param # marked, then the totals.

    A row matches the next layer of the same kind. A layer without weights that keeps the
    values (an activation, dropout, flatten) and that only one side lists is a note: Keras
    folds `activation=` into its layer, torchinfo lists modules and not F.relu. Any other
    row or layer without a partner is marked wrong, never skipped."""
    ours = s.leaves()
    torchinfo = t.flavor == TORCHINFO
    batch = next((r.batch for r in t.rows if r.batch is not None), 1) if torchinfo else 1
    marks: list[RowMark] = []
    for note in t.notes:
        marks.append(RowMark(0, "", "", "note", "", None, "", note))
    for r in t.rows:
        if r.note:
            marks.append(RowMark(r.line, r.name, "", "note", "", None, "", r.note))
    containers = [r for r in t.rows if not r.leaf and r.depth > 0]
    if containers:
        shown = sorted({r.type for r in containers})
        marks.append(RowMark(0, "", "", "note", "", None, "",
                             f"{len(containers)} container row{'s' * (len(containers) > 1)} "
                             f"({', '.join(shown[:4])}) not checked themselves: the layers "
                             "nested under them are"))
    theirs = [r for r in t.rows if r.leaf or r.depth == 0]
    i = j = 0
    while i < len(theirs) or j < len(ours):
        row = theirs[i] if i < len(theirs) else None
        mine = ours[j] if j < len(ours) else None
        if row is not None and row.depth == 0:  # torchinfo's first row: the whole model
            marks.extend(_shape_marks(row, s.output_shape, t, batch, "", "output",
                                      f"the model's output ({s.layers[-1].path} "
                                      f"{s.layers[-1].spec})" if s.layers else ""))
            i += 1
            continue
        if row is not None and row.kinds and "input" in row.kinds[0]:
            marks.extend(_shape_marks(row, s.input_shape, t, batch, "", "input",
                                      "the model's input"))
            if row.params:
                marks.append(RowMark(row.line, row.name, "", "params", row.params_text,
                                     False, "0", "an input has no parameters"))
            i += 1
            continue
        take = _matches(row, ours, j) if row is not None else 0
        if row is not None and take:
            marks.extend(_row_marks(row, ours[j:j + take], t, batch))
            i += 1
            j += take
            continue
        # Rows or layers that one side only lists are passed over only where that lets the
        # row in hand meet its layer; or, at the end of either side, one by one.
        skip_ours = _skip_to(ours, j, partial(_skip_ours, ours, t), partial(_row_meets, row, ours))
        if mine is not None and skip_ours:
            for x in ours[j:j + skip_ours]:
                marks.append(_unlisted(x, t, row.line if row else 0))
            j += skip_ours
            continue
        skip_theirs = _skip_to(theirs, i, partial(_skip_theirs, theirs),
                               partial(_layer_meets, theirs, ours, j, mine is None))
        if row is not None and skip_theirs:
            for extra in theirs[i:i + skip_theirs]:
                marks.append(RowMark(extra.line, extra.name, "", "note", "", None, "",
                                     f"the code has no {extra.type} here; no weights, same "
                                     "values: nothing to check"))
            i += skip_theirs
            continue
        # A real difference: the row's layer comes later in the code (the code has layers
        # the table lacks), or the layer's row comes later in the table, whichever is
        # nearer; else the row and the layer differ, and both are marked.
        extra_ours = next((k for k in range(1, LOOKAHEAD) if row is not None and
                           j + k < len(ours) and _matches(row, ours, j + k)), None)
        extra_rows = next((k for k in range(1, LOOKAHEAD) if mine is not None and
                           i + k < len(theirs) and _matches(theirs[i + k], ours, j)), None)
        if row is None or (extra_ours is not None and (extra_rows is None or
                                                        extra_ours <= extra_rows)):
            for layer in ours[j:j + (extra_ours or 1)]:
                marks.append(_unlisted(layer, t, row.line if row else 0)
                             if _unlisted_ok(layer, t) else
                             _missing(row.line if row else 0, layer))
            j += extra_ours or 1
            continue
        for extra in theirs[i:i + (extra_rows or 1)]:
            what = f"the code's next layer is {mine.path} {mine.spec}" if mine else \
                "the code has no more layers"
            marks.append(RowMark(extra.line, extra.name, "", "row", extra.name, False, "-",
                                 f"no layer of the code matches this {extra.type or 'row'}: "
                                 f"{what}"))
        i += extra_rows or 1
        if mine is not None and extra_rows is None:
            marks.append(_unlisted(mine, t, row.line) if _unlisted_ok(mine, t) else
                         _missing(row.line, mine))
            j += 1
    marks.extend(_total_marks(s, t, batch))
    return marks


def _skip_ours(ours: list[LayerInfo], t: SummaryTable, k: int) -> bool:
    return _unlisted_ok(ours[k], t)


def _skip_theirs(theirs: list[TableRow], k: int) -> bool:
    return _weightless_kind(theirs[k])


def _row_meets(row: TableRow | None, ours: list[LayerInfo], k: int) -> bool:
    return row is None or _matches(row, ours, k) > 0


def _layer_meets(theirs: list[TableRow], ours: list[LayerInfo], j: int, done: bool,
                 k: int) -> bool:
    return done or _matches(theirs[k], ours, j) > 0


LOOKAHEAD = 16  # how far a row and its layer may drift apart and still be matched


def _skip_to(items: Sequence[object], start: int, skippable: Callable[[int], bool],
             meets: Callable[[int], bool]) -> int:
    """How many skippable items from `start` to pass over so that the next one meets its
    partner (to the end, if the other side has run out); 0 when that cannot be done."""
    k = start
    while k < len(items) and skippable(k):
        k += 1
        if k == len(items) or meets(k):
            return k - start
    return 0


def _unlisted(mine: LayerInfo, t: SummaryTable, line: int) -> RowMark:
    keeps = mine.kind in WEIGHTLESS
    return RowMark(line, "", mine.path, "note", "", None, "",
                   f"{mine.spec}: no row in the table{_why_unlisted(mine, t)}; "
                   + ("no weights, same values: nothing to check" if keeps else
                      "no weights; the next rows' shapes check its output"))


def _unlisted_ok(mine: LayerInfo, t: SummaryTable) -> bool:
    """Whether a layer of ours may have no row: one that keeps the values, or, in torchinfo,
    any layer without weights (F.max_pool2d and torch.flatten are calls, not modules)."""
    if t.flavor == TORCHINFO:
        return not mine.params and not _weighted(mine.kind)
    return mine.kind in WEIGHTLESS


def _why_unlisted(mine: LayerInfo, t: SummaryTable) -> str:
    if t.flavor == TORCHINFO:
        return " (torchinfo lists modules, not calls such as F.relu or F.max_pool2d)"
    if mine.kind in WEIGHTLESS - {"dropout", "flatten", "identity", "add"}:
        return " (Keras shows activation= inside its layer's row)"
    return ""


def _missing(line: int, mine: LayerInfo) -> RowMark:
    return RowMark(line, "", mine.path, "row", "-", False, mine.spec,
                   f"the table has no row for layer {mine.path} {mine.spec}")


def _shape_marks(row: TableRow, shape: Shape, t: SummaryTable, batch: int, path: str,
                 what: str, working: str) -> list[RowMark]:
    if row.output is None:
        return [RowMark(row.line, row.name, path, what, row.output_text, None, "",
                        "the table gives no shape here")]
    want = _printed(shape, t, batch)
    right = row.output == want and (row.batch in (None, batch))
    return [RowMark(row.line, row.name, path, what, row.output_text, right,
                    _shape_text(want, t, batch), "" if right else working)]


def _row_marks(row: TableRow, take: list[LayerInfo], t: SummaryTable,
               batch: int) -> list[RowMark]:
    last = take[-1]
    path = last.path if len(take) == 1 else f"{take[0].path}-{last.path}"
    out = _shape_marks(row, last.output_shape, t, batch, path, "shape", _row_working(take))
    if row.input is not None:
        want = _printed(take[0].input_shape, t, batch)
        right = row.input == want
        out.append(RowMark(row.line, row.name, path, "input shape", row.input_text, right,
                           _shape_text(want, t, batch), "" if right else
                           f"the output of the layer before {take[0].path}"))
    params = sum(x.trainable_params if t.flavor == TORCHINFO else x.params for x in take)
    if row.params is None:
        right = params == 0
        out.append(RowMark(row.line, row.name, path, "params", row.params_text, right,
                           f"{params:,}", "" if right else
                           " + ".join(x.param_formula for x in take)))
        return out
    right = row.params == params
    working = " + ".join(x.param_formula for x in take)
    if not right and t.flavor == TORCHINFO and any(x.non_trainable_params for x in take):
        working += "; torchinfo counts parameters, not running statistics"
    out.append(RowMark(row.line, row.name, path, "params", row.params_text, right,
                       f"{params:,}", "" if right else working))
    return out


def _total_marks(s: Summary, t: SummaryTable, batch: int) -> list[RowMark]:
    torchinfo = t.flavor == TORCHINFO
    counts = {"total": s.trainable_params if torchinfo else s.total_params,
              "trainable": s.trainable_params,
              "non-trainable": 0 if torchinfo else s.non_trainable_params}
    leaves = s.leaves()
    per_layer = [x.trainable_params if torchinfo else x.params for x in leaves]
    sums = {"total": _sum_text([p for p in per_layer if p], counts["total"]),
            "trainable": _sum_text([x.trainable_params for x in leaves if x.trainable_params],
                                   counts["trainable"]),
            "non-trainable": "torchinfo counts no running statistics" if torchinfo else
            _sum_text([x.non_trainable_params for x in leaves if x.non_trainable_params],
                      counts["non-trainable"])}
    pass_bytes = sum(numel(x.output_shape) for x in leaves if x.trainable_params) * 4 * 2 * \
        batch
    input_bytes = numel(s.input_shape) * 4 * batch
    sizes = {"input size": (input_bytes, f"{'·'.join(map(str, s.input_shape))} values · "
                                         f"batch {batch} · 4 bytes = {input_bytes:,} bytes"),
             "pass size": (pass_bytes, f"outputs of the layers with parameters · 4 bytes · 2 "
                                       f"(gradients) · batch {batch} = {pass_bytes:,} bytes"),
             "params size": (s.trainable_params * 4, f"{s.trainable_params:,} · 4 bytes = "
                                                     f"{s.trainable_params * 4:,} bytes")}
    total_size = sum(v for v, _ in sizes.values())
    sizes["estimated size"] = (total_size, f"input + pass + params = {total_size:,} bytes")
    out = []
    for total in t.totals:
        key = total.key
        if key in counts:
            exact, correct, working = counts[key], f"{counts[key]:,}", "sum of the layers: " + \
                sums[key]
        elif key.endswith(" bytes"):
            n = counts[key[:-6]]
            exact, correct, working = n * 4, _keras_size(n * 4), f"{n:,} · 4 bytes = {n * 4:,}"
        elif key == "mult-adds":
            from .explain import torchinfo_mult_adds

            exact = torchinfo_mult_adds(s) * batch
            correct, working = f"{exact:,}", (f"conv parameters · output H·W, + the other "
                                              f"parameters, · batch {batch} = {exact:,}")
        else:
            exact, working = sizes[key]
            correct = f"{exact / 1e6:,.2f} MB"
        right = total.figure.fits(exact)
        what = "total" if key in counts else ("mult-adds" if key == "mult-adds" else "size")
        out.append(RowMark(total.line, total.label, "", what, total.figure.text, right,
                           correct, "" if right else working))
    return out


def _keras_size(n: int) -> str:
    size = float(n)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if size < 1024:
            return f"{size:.2f} {unit}"
        size /= 1024
    return f"{size:.2f} PB"
