"""Choose which table columns fit a width: whole columns are dropped, cells are never cut."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.cells import cell_len

from ..errors import UsageError
from ..records import record

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderResult


MIN_WRAP = 8  # narrowest a wrapping column gets when even the kept columns barely fit


@record
class Column:
    name: str
    justify: str = "right"
    wraps: bool = False  # text that may wrap inside its cell (never cut)
    min_width: int = 0  # narrowest a wrapping column may get


@record
class Fit:
    """Columns to show (indices into the table's columns), their widths, and what was left."""

    shown: tuple[int, ...]
    widths: tuple[int, ...]
    dropped: tuple[str, ...]


def table_width(widths: Sequence[int]) -> int:
    """Width of a boxed rich table with padding (0, 1): two padding cells and a rule each."""
    return sum(widths) + 3 * len(widths) + 1


def natural_widths(columns: Sequence[Column], rows: Sequence[Sequence[str]]) -> list[int]:
    widths = [cell_len(c.name) for c in columns]
    for row in rows:
        for i, cell in enumerate(row):
            for line in cell.split("\n"):
                widths[i] = max(widths[i], cell_len(line))
    return widths


def pick(columns: Sequence[Column], wanted: str) -> tuple[str, ...]:
    """Column names from a --columns value, checked against the table's columns."""
    names = [c.name for c in columns]
    lower = {n.lower(): n for n in names}
    out: list[str] = []
    for part in wanted.split(","):
        key = part.strip().lower()
        if not key:
            continue
        if key not in lower:
            raise UsageError(f"unknown column '{part.strip()}' in --columns",
                             "choose from " + ", ".join(names))
        if lower[key] not in out:
            out.append(lower[key])
    if not out:
        raise UsageError("--columns is empty", "choose from " + ", ".join(names))
    return tuple(out)


def fit(columns: Sequence[Column], rows: Sequence[Sequence[str]], width: int,
        importance: Sequence[str], only: Sequence[str] | None = None, keep: int = 1) -> Fit:
    """Show the most important columns that fit in `width`, in the table's own order.

    `importance` lists column names, most important first; the first `keep` are always kept.
    A wrapping column starts at its minimum width and gets whatever room is left over. With
    `only`, exactly those columns are shown (the caller asked; nothing is dropped).
    """
    natural = natural_widths(columns, rows)
    names = [c.name for c in columns]

    def least(i: int) -> int:
        c = columns[i]
        if c.wraps:
            return min(natural[i], max(c.min_width, cell_len(c.name)))
        return natural[i]

    if only is not None:
        chosen = {names.index(n) for n in only}
    else:
        chosen = set()
        for rank, name in enumerate(importance):
            i = names.index(name)
            trial = chosen | {i}
            if rank < keep or table_width([least(j) for j in sorted(trial)]) <= width:
                chosen = trial
    shown = sorted(chosen)
    widths = [least(i) for i in shown]
    spare = width - table_width(widths)
    for k, i in enumerate(shown):
        if columns[i].wraps and spare < 0:  # the kept columns alone are too wide: wrap more
            floor = max(cell_len(columns[i].name), MIN_WRAP)
            cut = min(-spare, max(0, widths[k] - floor))
            widths[k] -= cut
            spare += cut
    for k, i in enumerate(shown):
        if columns[i].wraps and spare > 0:
            grow = min(spare, natural[i] - widths[k])
            widths[k] += grow
            spare -= grow
    dropped = tuple(n for i, n in enumerate(names) if i not in chosen)
    return Fit(tuple(shown), tuple(widths), dropped)


def wrap_cell(text: str, width: int) -> str:
    """Break a cell's text into lines of at most `width` cells, after '-' or ',' where it
    can, keeping the leading indent on every line. Nothing is dropped."""
    if width <= 0 or cell_len(text) <= width:
        return text
    indent = text[: len(text) - len(text.lstrip(" "))]
    body = text[len(indent):]
    room = max(1, width - len(indent))
    lines: list[str] = []
    while cell_len(body) > room:
        cut = 0
        used = 0
        for k, ch in enumerate(body):
            used += cell_len(ch)
            if used > room:
                break
            if ch in "-,]/" or (ch == " " and k > 0):
                cut = k + 1
        if cut == 0:  # one token longer than the cell: fold it
            cut = 1
            used = cell_len(body[0])
            while cut < len(body) and used + cell_len(body[cut]) <= room:
                used += cell_len(body[cut])
                cut += 1
        lines.append(indent + body[:cut].rstrip(" "))
        body = body[cut:].lstrip(" ")
    lines.append(indent + body)
    return "\n".join(lines)


def dropped_line(dropped: Sequence[str], hint: str = "--wide shows them") -> str:
    """The footer that names what did not fit, so nothing disappears silently."""
    return "not shown: " + ", ".join(dropped) + f" ({hint})"


class FittedTable:
    """A table of plain-text cells that fits the width it is drawn at (see `fit`)."""

    def __init__(self, columns: Sequence[Column], rows: Sequence[Sequence[str]],
                 importance: Sequence[str] | None = None, keep: int = 1,
                 title: str | None = None, row_styles: Sequence[str | None] | None = None,
                 hint: str | None = "widen the terminal to see them") -> None:
        self.columns = tuple(columns)
        self.rows = [list(r) for r in rows]
        self.importance = tuple(importance or [c.name for c in columns])
        self.keep = keep
        self.title = title
        self.row_styles = list(row_styles) if row_styles is not None else None
        self.hint = hint

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        from rich.table import Table
        from rich.text import Text

        from .screen import safe_str

        # Widths are measured here, so cells are made safe for this console first.
        rows = [[safe_str(c, console) for c in row] for row in self.rows]
        title = None if self.title is None else safe_str(self.title, console)
        width = options.max_width
        chosen = fit(self.columns, rows, width, self.importance, keep=self.keep)
        table = Table(title=title, title_justify="left", header_style="bold")
        for i, w in zip(chosen.shown, chosen.widths):
            c = self.columns[i]
            table.add_column(c.name, justify=c.justify, width=w,  # type: ignore[arg-type]
                             no_wrap=not c.wraps, overflow="fold")
        for k, row in enumerate(rows):
            cells = [wrap_cell(row[i], w) if self.columns[i].wraps else row[i]
                     for i, w in zip(chosen.shown, chosen.widths)]
            style = self.row_styles[k] if self.row_styles is not None else None
            table.add_row(*(Text(c) for c in cells), style=style)
        yield table
        if chosen.dropped and self.hint is not None:
            yield Text(dropped_line(chosen.dropped, self.hint), style="dim")
