"""PNG from a Drawing through matplotlib (the optional `plot` extra)."""

from __future__ import annotations

import io

from .draw_model import Drawing, Line, Poly, Text

DPI = 100
_HATCH = {"diag": "////", "dots": "..", "cross": "++", "": None}


def to_png(d: Drawing, scale: float = 1.0) -> bytes:
    """The drawing rasterised at `scale` device pixels per SVG pixel."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Polygon

    fig = plt.figure(figsize=(d.width * scale / DPI, d.height * scale / DPI), dpi=DPI)
    ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
    ax.set_xlim(0, d.width)
    ax.set_ylim(d.height, 0)
    ax.set_axis_off()
    pt = 72 / DPI * scale  # an SVG pixel in points at this scale
    for g in d.groups:
        for item in g.items:
            if isinstance(item, Poly):
                ax.add_patch(Polygon(list(item.points), closed=True, facecolor=item.fill,
                                     edgecolor=item.stroke, linewidth=item.width * pt,
                                     hatch=_HATCH.get(item.hatch)))
            elif isinstance(item, Line):
                xs = [p[0] for p in item.points]
                ys = [p[1] for p in item.points]
                ax.plot(xs, ys, color=item.stroke, linewidth=item.width * pt,
                        linestyle="--" if item.dashed else "-")
                if item.arrow and len(item.points) > 1:
                    ax.annotate("", xy=item.points[-1], xytext=item.points[-2],
                                arrowprops=dict(arrowstyle="-|>", color=item.stroke,
                                                lw=item.width * pt, shrinkA=0, shrinkB=0))
            elif isinstance(item, Text):
                ax.text(item.x, item.y, item.text, fontsize=item.size * pt,
                        ha={"start": "left", "middle": "center", "end": "right"}[item.anchor],
                        va="baseline", fontweight="bold" if item.bold else "normal")
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, facecolor="white")
    plt.close(fig)
    return buf.getvalue()
