"""HTML tables for notebooks: what a Summary shows under Jupyter's `_repr_html_`."""

from __future__ import annotations

from ..calc.summary import Summary
from .records import figure_notes, flat_rows, legend, notes, plain_cells, totals
from .safe import html_text

HEAD = ("#", "layer", "input", "output", "formula", "params", "MACs", "memory", "RF", "jump",
        "start")
LEFT = {"layer", "formula"}
MAX_ROWS = 500  # a notebook cell past this is slow to scroll; to_csv/to_json have them all

STYLE = ("border-collapse:collapse;font-family:ui-monospace,SFMono-Regular,Menlo,monospace;"
         "font-size:12px")
CELL = "padding:2px 8px;border-bottom:1px solid #ddd;white-space:pre"


def summary_html(s: Summary, title: str | None = None) -> str:
    rows = flat_rows(s)
    out = [f'<div class="cnncalc-summary"><table style="{STYLE}">']
    if title:
        out.append(f'<caption style="text-align:left">{html_text(title)}</caption>')
    out.append("<thead><tr>" + "".join(
        f'<th style="{CELL};text-align:{"left" if h in LEFT else "right"}">{html_text(h)}</th>'
        for h in HEAD) + "</tr></thead><tbody>")
    for depth, r in rows[:MAX_ROWS]:
        cells = plain_cells(s, depth, r)
        weight = "font-weight:bold;" if r.is_block else ""
        color = "background:#fff6d5;" if r.notes else ""
        out.append(f'<tr style="{weight}{color}">' + "".join(
            f'<td style="{CELL};text-align:{"left" if h in LEFT else "right"}">{html_text(c)}</td>'
            for h, c in zip(HEAD, cells)) + "</tr>")
    if len(rows) > MAX_ROWS:
        out.append(f'<tr><td colspan="{len(HEAD)}" style="{CELL}">… {len(rows) - MAX_ROWS:,} '
                   "more rows (to_csv() or to_json() lists every layer)</td></tr>")
    out.append("</tbody></table>")
    out.append(f'<table style="{STYLE};margin-top:6px">' + "".join(
        f'<tr><td style="padding:1px 8px;font-weight:bold">{html_text(k)}</td>'
        f'<td style="padding:1px 8px;text-align:right">{html_text(v)}</td></tr>'
        for k, v in totals(s)) + "</table>")
    extra = [f"⚠ layer {n}" for n in notes(s)] + figure_notes(s) + legend(s)
    if s.error is not None:
        extra.insert(0, f"error: {s.error}")
    if extra:
        out.append('<ul style="font-size:12px">' + "".join(
            f"<li>{html_text(n)}</li>" for n in extra) + "</ul>")
    out.append("</div>")
    return "\n".join(out)
