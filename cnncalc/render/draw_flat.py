"""The flat diagram: a vertical block diagram, one row per layer, the shape between rows."""

from __future__ import annotations

from ..calc.summary import Summary
from ..errors import cut
from ..ops.shape import format_shape
from .draw_model import (
    ACCENT,
    HATCH,
    INK,
    JOIN_SIGN,
    LINK,
    PALETTE,
    Drawing,
    Fork,
    Group,
    Item,
    Leaf,
    Line,
    Node,
    Plan,
    Poly,
    Rep,
    Res,
    Text,
    cut_notes,
    family,
    layer_attrs,
    shortcut_note,
    text_width,
    tint,
    totals,
)

ROW = 26.0  # box height
GAP = 24.0  # room for the arrow and the shape between boxes
MAX_LABEL = 56  # characters of a layer's spec shown in its box


def _label(spec: str) -> str:
    return cut(spec, MAX_LABEL)


LANE_GAP = 28.0  # between branches drawn side by side


def _width(nodes: tuple[Node, ...], box_w: float) -> float:
    """How wide a run of nodes is drawn: a box, or its branches side by side."""
    return max((_fork_width(n, box_w) if isinstance(n, Fork) else
                _width(n.body, box_w) if isinstance(n, (Res, Rep)) else box_w
                for n in nodes), default=box_w)


def _fork_width(n: Fork, box_w: float) -> float:
    lanes = [_width(b, box_w) if b else 60.0 for b in n.branches]
    return max(box_w, sum(lanes) + LANE_GAP * (len(lanes) - 1))


class _Flat:
    def __init__(self, summary: Summary, box_x: float, box_w: float) -> None:
        self.conv = summary.convention
        self.x, self.w = box_x, box_w
        self.y = 76.0
        self.groups: list[Group] = []
        self.decor: list[Group] = []

    def walk(self, nodes: tuple[Node, ...], depth: int) -> None:
        for n in nodes:
            if isinstance(n, Leaf):
                self.leaf(n)
            elif isinstance(n, Fork):
                self.fork(n, depth)
            elif isinstance(n, Res):
                top = self.y - GAP / 2
                self.walk(n.body, depth + 1)
                bottom = self.y - GAP / 2
                xs = self.x + self.w + 24 + 14 * depth
                note = shortcut_note(n.info)
                right = self.x + self.w
                self.decor.append(Group("residual", (("data-shortcut", note),), (
                    Line(((right - 30, top), (xs, top), (xs, bottom), (right - 28, bottom)),
                         ACCENT, True, False, 1.6),
                    Text(xs + 6, (top + bottom) / 2, f"skip: {note}", 9, "start"))))
            else:
                top = self.y - 4
                self.walk(n.body, depth + 1)
                bottom = self.y - GAP + 4
                xb = self.x - 14 - 12 * depth
                self.decor.append(Group("repeat", (("data-times", str(n.times)),), (
                    Line(((xb + 6, top), (xb, top), (xb, bottom), (xb + 6, bottom)), LINK,
                         False, False, 1.4),
                    Text(xb - 4, (top + bottom) / 2 + 4, f"×{n.times}", 12, "end", True))))

    def fork(self, n: Fork, depth: int) -> None:
        """Branches side by side under the arrow that feeds them, the join below them."""
        x, w, y0 = self.x, self.w, self.y
        full = _fork_width(n, w)
        left = x + w / 2 - full / 2
        mid_in = x + w / 2
        ends: list[tuple[float, float]] = []  # (centre x, bottom y) of each branch
        top = y0 + 14  # the branches start below the split
        for branch in n.branches:
            lane = _width(branch, w) if branch else 60.0
            cx = left + lane / 2
            self.decor.append(Group("fork", (), (
                Line(((mid_in, y0 - 2), (cx, top - 2)), INK, bool(branch)),)))
            if branch:
                self.x, self.y = cx - w / 2, top
                self.walk(branch, depth)
                ends.append((cx, self.y - 2))
            else:
                self.decor.append(Group("fork", (), (
                    Text(cx + 4, top + ROW / 2 + 4, "input", 9, "start"),)))
                ends.append((cx, top - 2))
            left += lane + LANE_GAP
        self.x, self.w = x, w
        bottom = max(b for _, b in ends) + 4
        jy = bottom + 12  # the join's circle centre
        mid = x + w / 2
        for cx, b in ends:
            self.decor.append(Group("fork", (), (
                Line(((cx, b), (cx, bottom), (mid, jy - 10)), INK, True),)))
        info = n.info
        shape = format_shape(info.output_shape, self.conv)
        r = 10.0
        circle = tuple((mid + r * c, jy + r * s) for c, s in
                       ((1, 0), (0.7, 0.7), (0, 1), (-0.7, 0.7), (-1, 0), (-0.7, -0.7),
                        (0, -1), (0.7, -0.7)))
        self.groups.append(Group("layer", layer_attrs(info, self.conv), (
            Poly(circle, PALETTE["join"], "", "join"),
            Text(mid, jy + 4, JOIN_SIGN[info.kind], 12, bold=True),
            Text(mid + r + 6, jy + 4, info.kind, 10, "start"),
            Line(((mid, jy + r), (mid, jy + r + GAP - 1)), INK, True),
            Text(mid + 8, jy + r + GAP / 2 + 4, shape, 10, "start", role="shape"))))
        self.y = jy + r + GAP

    def leaf(self, n: Leaf) -> None:
        info, y = n.info, self.y
        fam = family(info.kind)
        x0, x1 = self.x, self.x + self.w
        shape = format_shape(info.output_shape, self.conv)
        mid = x0 + self.w / 2
        # The kind's colour fills the box, lightened so the text stays readable; its hatch
        # fills a strip at the left end, which is what tells kinds apart in black and white.
        items: list[Item] = [
            Poly(((x0, y), (x1, y), (x1, y + ROW), (x0, y + ROW)), tint(PALETTE[fam], 0.4),
                 "", "box"),
            Poly(((x0, y), (x0 + 16, y), (x0 + 16, y + ROW), (x0, y + ROW)), PALETTE[fam],
                 HATCH[fam] or "", "strip"),
            Text(mid + 8, y + 17, _label(info.spec), 11, bold=fam == "conv"),
            Line(((mid, y + ROW), (mid, y + ROW + GAP - 1)), INK, True),
            Text(mid + 8, y + ROW + GAP / 2 + 4, shape, 10, "start", role="shape"),
        ]
        self.groups.append(Group("layer", layer_attrs(info, self.conv), tuple(items)))
        self.y += ROW + GAP


def flat(summary: Summary, p: Plan, title: str) -> Drawing:
    conv = summary.convention
    labels = [_label(i.info.spec) for i in _leaves(p.nodes)] or ["input"]
    box_w = max(220.0, max(text_width(t, 11) * 1.1 for t in labels) + 40)  # bold, strip
    depth = _depth(p.nodes)
    box_x = 60.0 + 12 * depth
    wide = _width(p.nodes, box_w)
    box_x += (wide - box_w) / 2  # room on the left for branches drawn beside the main line
    f = _Flat(summary, box_x, box_w)
    mid = box_x + box_w / 2
    head = Group("title", (), (Text(20, 22, title, 14, "start", True),
                               Text(20, 40, totals(summary), 11, "start")))
    start = Group("input", (("data-shape", format_shape(summary.input_shape, conv)),), (
        Text(mid, 60, f"input {format_shape(summary.input_shape, conv)}", 11, bold=True,
             role="shape"),
        Line(((mid, 64), (mid, 75)), INK, True)))
    f.walk(p.nodes, 0)
    y = f.y + 6
    legend = ("Colours (Okabe-Ito) and hatches mark the kind: conv plain blue, pooling "
              "hatched orange, fc dotted green, norm yellow, activation purple, other crossed "
              "grey.")
    notes: list[Item] = [Text(20, y + 10, legend, 10, "start")]
    y += 24
    for note in cut_notes(p):
        notes.append(Text(20, y, "note: " + note, 10, "start", True))
        y += 14
    width = max(box_x + wide / 2 + box_w / 2 + 60 + 14 * depth + 200,
                text_width(totals(summary), 11) + 40,
                text_width(title, 14) + 40, text_width(legend, 10) + 40, 760.0)
    return Drawing(width, y + 6, title,
                   (head, start, *f.groups, *f.decor, Group("legend", (), tuple(notes))),
                   cut_notes(p))


def _leaves(nodes: tuple[Node, ...]) -> list[Leaf]:
    out: list[Leaf] = []
    for n in nodes:
        out.extend([n] if isinstance(n, Leaf) else _leaves(n.body))
    return out


def _depth(nodes: tuple[Node, ...]) -> int:
    return max(((0 if isinstance(n, Fork) else 1) + _depth(n.body) for n in nodes
                if isinstance(n, (Res, Rep, Fork))), default=0)
