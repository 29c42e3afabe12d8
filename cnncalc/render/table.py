"""The rich table for `summary`: one row per layer, blocks indented, totals and flags below.

The table fits the width it is drawn at: columns are dropped whole, by importance, and named
in a footer; layer texts wrap inside their cell. No cell is ever cut.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.table import Table
from rich.text import Text

from ..calc.costs import LABELS, MACS
from ..calc.summary import LayerInfo, Summary
from .fit import Column, dropped_line, fit, pick, wrap_cell
from .records import figure_notes, flat_rows, legend, notes, plain_cells, totals
from .safe import for_stream

MAX_ROWS = 200  # a terminal table past this is unreadable, and slow to lay out
HEAD, TAIL = 120, 30
MAX_NOTES = 20

COLUMNS = (Column("#"), Column("layer", "left", wraps=True, min_width=22), Column("input"),
           Column("output"), Column("formula", "left"), Column("params"), Column("MACs"),
           Column("memory"), Column("RF"), Column("jump"), Column("start"))
COLUMN_NAMES = tuple(c.name for c in COLUMNS)
# Most important first; the first four are always shown. `input` is last: it repeats the
# previous row's output.
IMPORTANCE = ("#", "layer", "output", "params", "formula", "MACs", "memory", "RF", "jump",
              "start", "input")
ALWAYS = 4


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


WIDE_HINT = "--wide shows them"  # the command line's way to see the columns left out


class SummaryTable:
    """A summary drawn as a table at whatever width the console gives it."""

    def __init__(self, s: Summary, title: str | None = None,
                 columns: Sequence[str] | None = None, wide: bool = False,
                 figure: str = MACS, shows_more: str = WIDE_HINT) -> None:
        self.summary = s
        self.title = title
        self.columns = tuple(columns) if columns else None
        self.wide = wide
        self.figure = figure
        self.shows_more = shows_more

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield fitted_table(self.summary, self.title, options.max_width, self.columns,
                           self.wide, console.encoding, self.figure, self.shows_more)


def parse_columns(text: str | None) -> tuple[str, ...] | None:
    """A --columns value as column names (None when not given)."""
    return None if text is None else pick(COLUMNS, text)


def _rows(s: Summary, encoding: str | None = None, figure: str = MACS
          ) -> tuple[list[tuple[list[str], str | None, bool]], str]:
    """Cells, style and whether the row is the elision marker, for every visible row, as a
    stream in `encoding` shows them (render.safe.for_stream)."""
    shown, elided = visible_rows(s)
    out: list[tuple[list[str], str | None, bool]] = []
    for item in shown:
        if item is None:
            hidden = len(flat_rows(s)) - len(shown) + 1
            out.append(([for_stream("⋮", encoding), f"{hidden:,} rows not shown"]
                        + [""] * (len(COLUMNS) - 2), "dim", True))
            continue
        depth, r = item
        style = "bold" if r.is_block else ("yellow" if r.notes else None)
        out.append(([for_stream(c, encoding) for c in plain_cells(s, depth, r, figure)], style,
                    False))
    return out, elided


def summary_table(s: Summary, title: str | None = None, columns: Sequence[str] | None = None,
                  wide: bool = False, figure: str = MACS,
                  shows_more: str = WIDE_HINT) -> SummaryTable:
    """The summary as a renderable that fits whatever width it is printed at; `figure`
    (calc.costs) picks what the MACs column shows: MACs, FLOPs or torchinfo's Mult-Adds;
    `shows_more` says how to see the columns that did not fit."""
    return SummaryTable(s, title, columns, wide, figure, shows_more)


def _named(names: Sequence[str], label: str) -> tuple[str, ...]:
    return tuple(label if n == "MACs" else n for n in names)


def fitted_table(s: Summary, title: str | None = None, width: int | None = None,
                 columns: Sequence[str] | None = None, wide: bool = False,
                 encoding: str | None = None, figure: str = MACS,
                 shows_more: str = WIDE_HINT) -> RenderableType:
    """The table, totals, flags and legend, fitted to `width` (None: every column, unwrapped),
    with every text as a stream in `encoding` can show it safely."""
    rows, elided = _rows(s, encoding, figure)
    if s.mode:
        title = f"{title or s.spec} ({s.mode} mode)"
    if title is not None:
        title = for_stream(title, encoding)
    label = LABELS[figure]
    cols = tuple(replace(c, name=label) if c.name == "MACs" else c for c in COLUMNS)
    only = _named(columns, label) if columns else (_named(COLUMN_NAMES, label)
                                                   if wide or width is None else None)
    # A figure asked for by name (--macs) is kept beside params, whatever the width.
    importance = _named(IMPORTANCE, label) if figure == MACS else \
        (*IMPORTANCE[:ALWAYS], label, *(n for n in IMPORTANCE[ALWAYS:] if n != "MACs"))
    chosen = fit(cols, [r for r, _, _ in rows], width or 10_000, importance, only,
                 keep=ALWAYS if figure == MACS else ALWAYS + 1)
    table = Table(title=title, title_justify="left", header_style="bold")
    for i, w in zip(chosen.shown, chosen.widths):
        c = cols[i]
        table.add_column(c.name, justify=c.justify, width=w,  # type: ignore[arg-type]
                         no_wrap=not c.wraps, overflow="fold")
    for cells, style, _ in rows:
        picked = [cells[i] for i in chosen.shown]
        picked = [wrap_cell(t, w) if cols[i].wraps else t
                  for t, i, w in zip(picked, chosen.shown, chosen.widths)]
        table.add_row(*(Text(t) for t in picked), style=style)
    parts: list[RenderableType] = [table]
    if chosen.dropped and width is not None and only is None:
        parts.append(Text(dropped_line(chosen.dropped, shows_more), style="dim"))
    parts.append(_totals_grid((for_stream(k, encoding), for_stream(v, encoding))
                              for k, v in totals(s, figure)))
    if figure_notes(s, figure):
        parts.append(Text("\n".join(for_stream(x, encoding) for x in figure_notes(s, figure)),
                          style="dim"))
    if elided:
        parts.append(Text(elided, style="dim"))
    flagged = notes(s)
    if flagged:
        more = len(flagged) - MAX_NOTES
        lines = [f"⚠ layer {n}" for n in flagged[:MAX_NOTES]]
        if more > 0:
            lines.append(f"⚠ … and {more:,} more flagged layers (see --format csv)")
        parts.append(Text("\n".join(for_stream(x, encoding) for x in lines), style="yellow"))
    if legend(s):
        parts.append(Text("\n".join(for_stream(x, encoding) for x in legend(s)), style="dim"))
    return Group(*parts)


def _totals_grid(items: Iterable[tuple[str, str]]) -> Table:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(justify="right", no_wrap=True)
    for k, v in items:
        grid.add_row(k, v)
    return grid
