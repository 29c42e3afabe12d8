"""Plain-data views of a summary: the JSON contract, CSV rows and Markdown tables."""

from __future__ import annotations

from ..calc.costs import LABELS, MACS, TORCHINFO, row_costs, show, total_costs
from ..calc.record import layer_record as layer_record
from ..calc.record import summary_record as summary_record
from ..calc.summary import LayerInfo, Summary
from ..ops.shape import format_shape
from .safe import csv_cell, md_cell, md_code
from .units import count, nbytes

COMPACT_ABOVE = 1_000
"""Rows, counting those nested in blocks, past which JSON is written without indentation:
only unindented JSON goes through Python's C encoder (6x faster on 10,000 rows)."""


def row_count(s: Summary) -> int:
    """Every row a record lists: layers, blocks, and the layers inside blocks."""
    total = 0
    stack = list(s.layers)
    while stack:
        r = stack.pop()
        total += 1
        if r.is_block:
            stack += r.inner()
    return total


def to_json(s: Summary) -> str:
    import json  # here, not at the top: a summary's start-up pays only for what it prints

    indent = None if row_count(s) > COMPACT_ABOVE else 2
    return json.dumps(summary_record(s), indent=indent, ensure_ascii=False)


def flat_rows(s: Summary) -> list[tuple[int, LayerInfo]]:
    """Rows in display order with their nesting depth: blocks, then their children."""
    out: list[tuple[int, LayerInfo]] = []

    def walk(rows: tuple[LayerInfo, ...], depth: int) -> None:
        for r in rows:
            out.append((depth, r))
            if r.is_block:
                walk(r.inner(), depth + 1)

    walk(s.layers, 0)
    return out


def cost_cell(s: Summary, r: LayerInfo, figure: str = MACS) -> str:
    """A row's cost under `figure` (calc.costs), '≥ ' before a lower bound."""
    return show(row_costs(r, s.batch).figure(figure), r.macs_exact or figure == TORCHINFO)


def plain_cells(s: Summary, depth: int, r: LayerInfo, figure: str = MACS) -> list[str]:
    size, jump, start = r.rf.describe()
    text = r.label or r.spec if r.is_block else r.spec
    label = ("  " * depth) + (("↳ " if ".s" in r.path else "") + text)
    mark = "⚠" if r.notes else ""
    return [
        r.path + mark,
        label,
        format_shape(r.input_shape, s.convention),
        format_shape(r.output_shape, s.convention),
        r.formula if not r.is_block else ("shortcut: " + (
            "projection" if r.shortcut else "identity") if r.kind == "residual" else
            r.formula),
        count(r.params),
        cost_cell(s, r, figure),
        nbytes(r.activations * 4 * s.batch),
        size, jump, start,
    ]


def outputs_text(s: Summary) -> tuple[str, str]:
    """The totals' output line: what a module's forward returned, each tensor by name."""
    if len(s.outputs) > 1 or any(name for name, _ in s.outputs):
        return ("outputs", ", ".join(f"{name}: {format_shape(shape, s.convention)}"
                                     for name, shape in s.outputs))
    return ("output", format_shape(s.output_shape, s.convention))


FIGURE_NOTES = {
    "flops": "FLOPs = 2 × MACs (bias additions and normalisation not counted)",
    TORCHINFO: "Mult-Adds as torchinfo counts them: conv weight and bias × output H·W, other "
               "layers' parameters once; attention and functional code not counted "
               "(cnncalc docs conventions)",
}


def totals(s: Summary, figure: str = MACS) -> list[tuple[str, str]]:
    costs = total_costs(s)
    batch = f" (batch {s.batch})" if s.batch > 1 else ""
    lines = [
        *([("mode", f"{s.mode}, as torchinfo runs a model")] if s.mode else []),
        *([("inputs", ", ".join(f"{name}: {format_shape(shape, s.convention)}"
                                for name, shape in s.inputs))] if s.inputs else []),
        outputs_text(s),
        ("total params", count(s.total_params)),
        ("trainable params", count(s.trainable_params)),
        ("non-trainable params", count(s.non_trainable_params)),
        ("MACs" + batch, show(costs.macs, costs.exact)),
    ]
    if figure != MACS:
        lines.append((LABELS[figure] + batch, show(costs.figure(figure),
                                                   costs.exact or figure == TORCHINFO)))
    return lines + [
        ("param memory", nbytes(s.param_bytes)),
        ("activation memory" + (f" (batch {s.batch})" if s.batch > 1 else ""),
         nbytes(s.activation_bytes)),
    ]


def notes(s: Summary) -> list[str]:
    return [f"{r.path}: {n}" for _, r in flat_rows(s) for n in r.notes]


def figure_notes(s: Summary, figure: str = MACS) -> list[str]:
    """What the chosen cost figure counts, and a lower bound said in words."""
    out = [FIGURE_NOTES[figure]] if figure in FIGURE_NOTES else []
    if not s.macs_exact:
        out.append("≥: some MACs are not derived (the flagged layers): the total is a lower "
                   "bound")
    return out


RF_NOTES = {
    "convt": "RF after a transposed conv: jump = j/s, and r adds (⌈k/s⌉ - 1)·j, the most "
             "any output sees (some see fewer); a window or a join after it sees a field that "
             "depends on the output's position, an estimate marked ≈",
    "upsample": "RF after upsampling: jump = j/s; a window or a join after it sees a field "
                "that depends on the output's position, an estimate marked ≈",
    "gap": "RF after adaptive pooling: the largest window and the mean stride N/O",
}


def legend(s: Summary) -> list[str]:
    """What the receptive-field columns mean for the layers where they need a reading."""
    kinds = {r.kind for r in s.leaves()}
    return [text for kind, text in RF_NOTES.items() if kind in kinds]


def to_csv(s: Summary) -> str:
    import csv
    import io

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["path", "depth", "type", "spec", "input_shape", "output_shape", "params",
                     "trainable_params", "non_trainable_params", "macs", "activation_bytes",
                     "formula", "rf", "jump", "start", "notes", "macs_exact", "flops",
                     "mult_adds"])
    for depth, r in flat_rows(s):
        size, jump, start = r.rf.describe()
        costs = row_costs(r, s.batch)
        # Module names and spec strings come from outside: no cell may start a formula.
        writer.writerow([csv_cell(v) for v in (
            r.path, depth, r.kind, r.spec, format_shape(r.input_shape, s.convention),
            format_shape(r.output_shape, s.convention), r.params, r.trainable_params,
            r.non_trainable_params, r.macs * s.batch, r.activations * 4 * s.batch, r.formula,
            size, jump, start, " | ".join(r.notes), r.macs_exact, costs.flops,
            costs.mult_adds)])
    return buf.getvalue()


def to_markdown(s: Summary, figure: str = MACS) -> str:
    head = ["#", "layer", "input", "output", "formula", "params", LABELS[figure], "memory",
            "RF", "jump", "start"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for depth, r in flat_rows(s):
        raw = plain_cells(s, depth, r, figure)
        cells = [md_cell(c) for c in raw]
        # The layer text holds module names and spec strings: a code span where that is
        # safe, else escaped text (render.safe.md_code).
        cells[1] = "&nbsp;" * 2 * depth + md_code(raw[1].strip())
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    lines += [f"- **{k}**: {md_cell(v)}" for k, v in totals(s, figure)]
    lines += [f"- {md_cell(n)}" for n in figure_notes(s, figure)]
    if notes(s):
        lines.append("")
        lines += [f"- ⚠ {md_cell(n)}" for n in notes(s)]
    if legend(s):
        lines.append("")
        lines += [f"- {n}" for n in legend(s)]
    return "\n".join(lines) + "\n"
