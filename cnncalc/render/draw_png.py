"""PNG from a Drawing through matplotlib (the optional `plot` extra)."""

from __future__ import annotations

import io
import math

from .draw_model import LINE, Drawing, Line, Point, Poly, Text
from .safe import visible

DPI = 100
_HATCH = {"diag": "////", "dots": "..", "cross": "++", "": None}
HEAD = 7.0  # arrowhead length in drawing pixels, as the SVG marker draws it


def _head(a: Point, b: Point) -> tuple[Point, Point, Point]:
    """An arrowhead at b, pointing from a to b."""
    dx, dy = b[0] - a[0], b[1] - a[1]
    n = math.hypot(dx, dy) or 1.0
    ux, uy = dx / n, dy / n
    bx, by = b[0] - HEAD * ux, b[1] - HEAD * uy
    return b, (bx - HEAD * 0.4 * uy, by + HEAD * 0.4 * ux), (bx + HEAD * 0.4 * uy,
                                                             by - HEAD * 0.4 * ux)


def to_png(d: Drawing, scale: float = 1.0) -> bytes:
    """The drawing rasterised at `scale` device pixels per SVG pixel. Shapes go in a few
    collections (one per hatch), which keeps long nets fast."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.collections import LineCollection, PolyCollection

    fig = plt.figure(figsize=(d.width * scale / DPI, d.height * scale / DPI), dpi=DPI)
    ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
    ax.set_xlim(0, d.width)
    ax.set_ylim(d.height, 0)
    ax.set_axis_off()
    pt = 72 / DPI * scale  # an SVG pixel in points at this scale
    polys: dict[str, list[Poly]] = {}
    lines: list[Line] = []
    texts: list[Text] = []
    for g in d.groups:  # drawing order is kept within each kind: polygons, lines, text
        for item in g.items:
            if isinstance(item, Poly):
                polys.setdefault(item.hatch, []).append(item)
            elif isinstance(item, Line):
                lines.append(item)
            else:
                texts.append(item)
    for hatch, group in polys.items():
        ax.add_collection(PolyCollection(
            [list(p.points) for p in group], facecolors=[p.fill for p in group],
            edgecolors=[p.stroke for p in group], linewidths=[p.width * pt for p in group],
            hatch=_HATCH.get(hatch)))
    if lines:
        ax.add_collection(LineCollection(
            [list(ln.points) for ln in lines], colors=[ln.stroke for ln in lines],
            linewidths=[ln.width * pt for ln in lines],
            linestyles=["--" if ln.dashed else "-" for ln in lines]))
        heads = [ln for ln in lines if ln.arrow and len(ln.points) > 1]
        if heads:
            ax.add_collection(PolyCollection(
                [list(_head(ln.points[-2], ln.points[-1])) for ln in heads],
                facecolors=[ln.stroke for ln in heads], edgecolors="none"))
    for t in texts:
        # Titles and labels hold file names and spec strings: shown as written, never read
        # as math text ($...$) or handed to TeX, whatever the user's matplotlibrc says.
        # Each line is its own text, a line height below the one before, as in the SVG:
        # matplotlib would stack the lines of one text upwards from its last baseline.
        for i, line in enumerate(t.text.split("\n")):
            ax.text(t.x, t.y + i * t.size * LINE, visible(line), fontsize=t.size * pt,
                    ha={"start": "left", "middle": "center", "end": "right"}[t.anchor],
                    va="baseline", fontweight="bold" if t.bold else "normal",
                    parse_math=False, usetex=False)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, facecolor="white")
    plt.close(fig)
    return buf.getvalue()
