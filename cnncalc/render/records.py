"""Plain-data views of a summary: the JSON contract, CSV rows and Markdown tables."""

from __future__ import annotations

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


def plain_cells(s: Summary, depth: int, r: LayerInfo) -> list[str]:
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
        count(r.macs * s.batch),
        nbytes(r.activations * 4 * s.batch),
        size, jump, start,
    ]


def totals(s: Summary) -> list[tuple[str, str]]:
    return [
        ("output", format_shape(s.output_shape, s.convention)),
        ("total params", count(s.total_params)),
        ("trainable params", count(s.trainable_params)),
        ("non-trainable params", count(s.non_trainable_params)),
        ("MACs" + (f" (batch {s.batch})" if s.batch > 1 else ""), count(s.total_macs * s.batch)),
        ("param memory", nbytes(s.param_bytes)),
        ("activation memory" + (f" (batch {s.batch})" if s.batch > 1 else ""),
         nbytes(s.activation_bytes)),
    ]


def notes(s: Summary) -> list[str]:
    return [f"{r.path}: {n}" for _, r in flat_rows(s) for n in r.notes]


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
                     "formula", "rf", "jump", "start", "notes"])
    for depth, r in flat_rows(s):
        size, jump, start = r.rf.describe()
        # Module names and spec strings come from outside: no cell may start a formula.
        writer.writerow([csv_cell(v) for v in (
            r.path, depth, r.kind, r.spec, "x".join(map(str, r.input_shape)),
            "x".join(map(str, r.output_shape)), r.params, r.trainable_params,
            r.non_trainable_params, r.macs * s.batch, r.activations * 4 * s.batch, r.formula,
            size, jump, start, " | ".join(r.notes))])
    return buf.getvalue()


def to_markdown(s: Summary) -> str:
    head = ["#", "layer", "input", "output", "formula", "params", "MACs", "memory", "RF",
            "jump", "start"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for depth, r in flat_rows(s):
        raw = plain_cells(s, depth, r)
        cells = [md_cell(c) for c in raw]
        # The layer text holds module names and spec strings: a code span where that is
        # safe, else escaped text (render.safe.md_code).
        cells[1] = "&nbsp;" * 2 * depth + md_code(raw[1].strip())
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    lines += [f"- **{k}**: {md_cell(v)}" for k, v in totals(s)]
    if notes(s):
        lines.append("")
        lines += [f"- ⚠ {md_cell(n)}" for n in notes(s)]
    if legend(s):
        lines.append("")
        lines += [f"- {n}" for n in legend(s)]
    return "\n".join(lines) + "\n"
