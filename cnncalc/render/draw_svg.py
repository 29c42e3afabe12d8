"""SVG 1.1 text from a Drawing: written by hand, one element a line, readable in an editor.

Text from outside (titles, spec strings, module and file names) is written only through
xml_text and xml_attr: markup escaped, and characters XML 1.0 forbids (\x01) shown as
escapes, so the document always parses.
"""

from __future__ import annotations

from .draw_model import LINE, Drawing, Group, Item, Line, Poly
from .safe import xml_attr, xml_text

# Hatches keep the layer kinds apart in black and white; Okabe-Ito colours keep them apart
# for colour-blind readers.
_DEFS = """<defs>
<pattern id="hatch-diag" patternUnits="userSpaceOnUse" width="6" height="6">
<path d="M0,6 L6,0 M-1,1 L1,-1 M5,7 L7,5" stroke="#000000" stroke-width="0.7"/>
</pattern>
<pattern id="hatch-dots" patternUnits="userSpaceOnUse" width="5" height="5">
<circle cx="2.5" cy="2.5" r="0.9" fill="#000000"/>
</pattern>
<pattern id="hatch-cross" patternUnits="userSpaceOnUse" width="6" height="6">
<path d="M0,3 L6,3 M3,0 L3,6" stroke="#000000" stroke-width="0.6"/>
</pattern>
<marker id="arrow-ink" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" \
markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#000000"/></marker>
<marker id="arrow-accent" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" \
markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#D55E00"/></marker>
</defs>"""


def _n(v: float) -> str:
    text = f"{v:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _points(points: tuple[tuple[float, float], ...]) -> str:
    return " ".join(f"{_n(x)},{_n(y)}" for x, y in points)


def _item(item: Item) -> list[str]:
    if isinstance(item, Poly):
        role = f' class="{item.role}"' if item.role else ""
        out = [f'<polygon{role} points="{_points(item.points)}" fill="{item.fill}" '
               f'stroke="{item.stroke}" stroke-width="{_n(item.width)}"/>']
        if item.hatch:
            out.append(f'<polygon points="{_points(item.points)}" fill="url(#hatch-'
                       f'{item.hatch})" stroke="none"/>')
        return out
    if isinstance(item, Line):
        dash = ' stroke-dasharray="5,3"' if item.dashed else ""
        marker = ""
        if item.arrow:
            name = "arrow-accent" if item.stroke == "#D55E00" else "arrow-ink"
            marker = f' marker-end="url(#{name})"'
        return [f'<polyline points="{_points(item.points)}" fill="none" stroke="{item.stroke}" '
                f'stroke-width="{_n(item.width)}"{dash}{marker}/>']
    role = f' class="{item.role}"' if item.role else ""
    weight = ' font-weight="bold"' if item.bold else ""
    lines = item.text.split("\n")
    # SVG collapses a newline inside <text>: each line is a <tspan> a line height down.
    body = xml_text(lines[0]) if len(lines) == 1 else "".join(
        f'<tspan x="{_n(item.x)}" dy="{_n(0 if i == 0 else item.size * LINE)}">'
        f"{xml_text(line)}</tspan>" for i, line in enumerate(lines))
    return [f'<text{role} x="{_n(item.x)}" y="{_n(item.y)}" font-size="{_n(item.size)}" '
            f'text-anchor="{item.anchor}"{weight}>{body}</text>']


def _group(g: Group) -> list[str]:
    attrs = "".join(f" {k}={xml_attr(v)}" for k, v in g.attrs)
    out = [f'<g class="{g.role}"{attrs}>']
    spec = dict(g.attrs).get("data-spec")
    if spec:
        out.append(f"<title>{xml_text(spec)}</title>")
    for item in g.items:
        out.extend(_item(item))
    out.append("</g>")
    return out


def to_svg(d: Drawing) -> str:
    """A standalone SVG 1.1 document."""
    w, h = _n(d.width), _n(d.height)
    lines = ['<?xml version="1.0" encoding="UTF-8" standalone="no"?>',
             f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{w}" '
             f'height="{h}" viewBox="0 0 {w} {h}" '
             'font-family="DejaVu Sans, Helvetica, Arial, sans-serif">',
             f"<title>{xml_text(d.title)}</title>", _DEFS,
             f'<rect x="0" y="0" width="{w}" height="{h}" fill="#FFFFFF"/>']
    for g in d.groups:
        lines.extend(_group(g))
    lines.append("</svg>")
    return "\n".join(lines) + "\n"
