"""The rich table for `summary`: one row per layer, blocks indented, totals and flags below."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from ..calc.summary import Summary
from .records import flat_rows, legend, notes, plain_cells, totals


def summary_table(s: Summary, title: str | None = None) -> RenderableType:
    table = Table(title=title, title_justify="left", header_style="bold")
    for name, justify in (("#", "right"), ("layer", "left"), ("input", "right"),
                          ("output", "right"), ("formula", "left"), ("params", "right"),
                          ("MACs", "right"), ("memory", "right"), ("RF", "right"),
                          ("jump", "right"), ("start", "right")):
        table.add_column(name, justify=justify,  # type: ignore[arg-type]
                         overflow="fold", no_wrap=name not in ("layer", "formula"))
    for depth, r in flat_rows(s):
        cells = plain_cells(s, depth, r)
        style = "bold" if r.is_block else ("yellow" if r.notes else None)
        table.add_row(*(Text(c) for c in cells), style=style)
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column(justify="right")
    for k, v in totals(s):
        grid.add_row(k, v)
    parts: list[RenderableType] = [table, grid]
    flagged = notes(s)
    if flagged:
        parts.append(Text("\n".join(f"⚠ layer {n}" for n in flagged), style="yellow"))
    if legend(s):
        parts.append(Text("\n".join(legend(s)), style="dim"))
    return Group(*parts)
