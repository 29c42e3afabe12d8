"""Entry points for diagrams: a Summary in, a Drawing (geometry) or Mermaid text out."""

from __future__ import annotations

from dataclasses import replace

from ..calc.summary import Summary
from ..errors import UsageError, cut
from .draw_flat import flat
from .draw_layered import layered
from .draw_mermaid import to_mermaid
from .draw_model import LINE, MAX_LAYERS_DRAWN, Drawing, Group, Item, Line, Poly, Text, plan

STYLES = ("layered", "flat")


def diagram(summary: Summary, style: str = "layered", title: str = "",
            collapse: bool = True, budget: int = MAX_LAYERS_DRAWN) -> Drawing:
    """The geometry of a diagram; at most `budget` layers are drawn, the rest noted."""
    if style not in STYLES:
        raise UsageError(f"unknown style '{style}'", "choose layered or flat")
    if not summary.layers:
        raise UsageError("the spec has no layers to draw")
    p = plan(summary, collapse, budget)
    heading = title or _short(summary.spec)
    d = layered(summary, p, heading) if style == "layered" else flat(summary, p, heading)
    return _title_room(d)


def _title_room(d: Drawing) -> Drawing:
    """A title of several lines (a model's name, then its input) drawn one text a line,
    with everything below moved down to make room for it."""
    head = next((g for g in d.groups if g.role == "title"), None)
    if head is None or not head.items or not isinstance(head.items[0], Text):
        return d
    title = head.items[0]
    lines = title.text.split("\n")
    if len(lines) == 1:
        return d
    step = title.size * LINE
    extra = step * (len(lines) - 1)

    def down(item: Item) -> Item:
        if isinstance(item, Text):
            return replace(item, y=item.y + extra)
        if isinstance(item, (Poly, Line)):
            return replace(item, points=tuple((x, y + extra) for x, y in item.points))
        raise AssertionError(f"no shift for {type(item).__name__}")

    texts = tuple(replace(title, text=line, y=title.y + i * step)
                  for i, line in enumerate(lines))
    groups = tuple(Group(g.role, g.attrs, texts + tuple(down(x) for x in g.items[1:]))
                   if g is head else Group(g.role, g.attrs, tuple(down(x) for x in g.items))
                   for g in d.groups)
    return replace(d, height=d.height + extra, groups=groups)


def mermaid(summary: Summary, title: str = "", collapse: bool = True,
            budget: int = MAX_LAYERS_DRAWN) -> str:
    if not summary.layers:
        raise UsageError("the spec has no layers to draw")
    return to_mermaid(summary, plan(summary, collapse, budget), title or _short(summary.spec))


def _short(spec: str) -> str:
    return cut(" ".join(spec.split()), 110)
