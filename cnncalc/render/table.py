"""The rich table for `summary`: one row per layer, blocks indented, totals and flags below."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from ..calc.summary import LayerInfo, Summary
from .records import flat_rows, legend, notes, plain_cells, totals

MAX_ROWS = 200  # a terminal table past this is unreadable, and slow to lay out
HEAD, TAIL = 120, 30
MAX_NOTES = 20


def visible_rows(s: Summary) -> tuple[list[tuple[int, LayerInfo] | None], str]:
    """The rows a table shows (None marks an elision), and a line saying what was left out."""
    rows = flat_rows(s)
    if len(rows) <= MAX_ROWS:
        return list(rows), ""
    top = [(d, r) for d, r in rows if d == 0]
    if len(top) <= MAX_ROWS:
        return list(top), (f"showing the {len(top):,} top-level rows of {len(rows):,}, blocks "
                           "collapsed; --format csv or json lists every layer")
    shown: list[tuple[int, LayerInfo] | None] = [*top[:HEAD], None, *top[-TAIL:]]
    return shown, (f"showing {HEAD + TAIL} of {len(rows):,} rows; --format csv or json lists "
                   "every layer")


def summary_table(s: Summary, title: str | None = None) -> RenderableType:
    table = Table(title=title, title_justify="left", header_style="bold")
    for name, justify in (("#", "right"), ("layer", "left"), ("input", "right"),
                          ("output", "right"), ("formula", "left"), ("params", "right"),
                          ("MACs", "right"), ("memory", "right"), ("RF", "right"),
                          ("jump", "right"), ("start", "right")):
        table.add_column(name, justify=justify,  # type: ignore[arg-type]
                         overflow="fold", no_wrap=name not in ("layer", "formula"))
    rows, elided = visible_rows(s)
    for item in rows:
        if item is None:
            hidden = len(flat_rows(s)) - len(rows) + 1
            table.add_row("⋮", Text(f"{hidden:,} rows not shown"), style="dim")
            continue
        depth, r = item
        cells = plain_cells(s, depth, r)
        style = "bold" if r.is_block else ("yellow" if r.notes else None)
        table.add_row(*(Text(c) for c in cells), style=style)
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column(justify="right")
    for k, v in totals(s):
        grid.add_row(k, v)
    parts: list[RenderableType] = [table, grid]
    if elided:
        parts.append(Text(elided, style="dim"))
    flagged = notes(s)
    if flagged:
        more = len(flagged) - MAX_NOTES
        lines = [f"⚠ layer {n}" for n in flagged[:MAX_NOTES]]
        if more > 0:
            lines.append(f"⚠ … and {more:,} more flagged layers (see --format csv)")
        parts.append(Text("\n".join(lines), style="yellow"))
    if legend(s):
        parts.append(Text("\n".join(legend(s)), style="dim"))
    return Group(*parts)
