"""Entry points for diagrams: a Summary in, a Drawing (geometry) or Mermaid text out."""

from __future__ import annotations

from ..calc.summary import Summary
from ..errors import UsageError, cut
from .draw_flat import flat
from .draw_layered import layered
from .draw_mermaid import to_mermaid
from .draw_model import MAX_LAYERS_DRAWN, Drawing, plan

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
    return layered(summary, p, heading) if style == "layered" else flat(summary, p, heading)


def mermaid(summary: Summary, title: str = "", collapse: bool = True,
            budget: int = MAX_LAYERS_DRAWN) -> str:
    if not summary.layers:
        raise UsageError("the spec has no layers to draw")
    return to_mermaid(summary, plan(summary, collapse, budget), title or _short(summary.spec))


def _short(spec: str) -> str:
    return cut(" ".join(spec.split()), 110)
