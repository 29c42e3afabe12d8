"""The summary table exactly as rich draws it for a pipe, without loading rich (start-up).

rich takes longer to import than the whole calculation, and a table written to a pipe or
file needs none of its styling: no colour, a fixed width, and columns at their natural
widths whenever the table fits. This writer draws only that case, the same bytes as
render.table.summary_table printed by cli.term.console (tests compare the two on every
preset and on random specs), and returns None for anything else: a table that would have
to shrink or wrap, elided rows, or characters whose terminal width rich might count
differently. The caller then uses rich.
"""

from __future__ import annotations

import re

from ..calc.summary import Summary
from .records import figure_notes, flat_rows, legend, notes, plain_cells, totals

HEADERS = ("#", "layer", "input", "output", "formula", "params", "MACs", "memory", "RF",
           "jump", "start")
RIGHT = (True, False, True, True, False, True, True, True, True, True, True)
MAX_ROWS = 150  # below the rich table's elision threshold: past it, rich decides
MAX_NOTES = 20  # as the rich table: the flagged layers listed, then a count
# Characters the calculator writes that are one cell wide in rich's table (ASCII aside).
ONE_CELL = frozenset("·→←⌊⌋⌈⌉−–⚠↳✓×…⋮²√≈≤≥")
_EMOJI = re.compile(r":\S*?:")  # what rich would try as an emoji code


def _plain(text: str) -> bool:
    return all((" " <= c <= "~") or c in ONE_CELL for c in text)


def piped_table(s: Summary, title: str | None, width: int) -> str | None:
    """The table, totals, flags and legend as rich prints them at `width` columns on a
    non-terminal, or None where only rich can say."""
    rows = flat_rows(s)
    if not rows or len(rows) > MAX_ROWS:
        return None
    if s.mode:  # a module summary says the mode it ran the model in, as fitted_table does
        title = f"{title or s.spec} ({s.mode} mode)"
    cells = [plain_cells(s, depth, r) for depth, r in rows]
    if not all(_plain(c) for row in cells for c in row):
        return None
    widths = [max(len(h), *(len(row[i]) for row in cells)) for i, h in enumerate(HEADERS)]
    table_width = sum(widths) + 3 * len(widths) + 1
    # A title of several lines (a model read from code, then its input) is drawn line by
    # line, each padded to the table's width, as long as none has to wrap.
    heading = [] if title is None else title.split("\n")
    if table_width > width or any(
            len(t) > table_width or not _plain(t) or "[" in t
            or _EMOJI.search(t) for t in heading):  # rich reads [markup] and :emoji:
        return None

    def line(left: str, fill: str, mid: str, right: str) -> str:
        return left + mid.join(fill * (w + 2) for w in widths) + right

    def cells_line(edge: str, values: list[str] | tuple[str, ...]) -> str:
        parts = [" " + (v.rjust(w) if r else v.ljust(w)) + " "
                 for v, w, r in zip(values, widths, RIGHT)]
        return edge + edge.join(parts) + edge

    out: list[str] = []
    out += [t.ljust(table_width) for t in heading]
    out.append(line("┏", "━", "┳", "┓"))
    out.append(cells_line("┃", HEADERS))
    out.append(line("┡", "━", "╇", "┩"))
    out += [cells_line("│", row) for row in cells]
    out.append(line("└", "─", "┴", "┘"))
    pairs = totals(s)
    kw = max(len(k) for k, _ in pairs)
    vw = max(len(v) for _, v in pairs)
    out += [k.ljust(kw) + "  " + v.rjust(vw) for k, v in pairs]
    flagged = notes(s)
    text: list[str] = figure_notes(s)  # a total that is a lower bound says so
    text += [f"⚠ layer {n}" for n in flagged[:MAX_NOTES]]
    if len(flagged) > MAX_NOTES:
        text.append(f"⚠ … and {len(flagged) - MAX_NOTES:,} more flagged layers (see --format csv)")
    text += legend(s)
    # rich wraps a long line at the width and trims trailing blanks: leave those to rich.
    if any(len(t) > width or t != t.rstrip() or not _plain(t) for t in text):
        return None
    out += text
    return "\n".join(out) + "\n"
