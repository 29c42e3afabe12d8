"""The layered diagram: feature maps as boxes to scale, kernels on the maps they slide over."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from ..calc.summary import LayerInfo, Summary
from ..ops.shape import Shape, format_shape
from ..records import record
from .draw_model import (
    ACCENT,
    HATCH,
    INK,
    JOIN_SIGN,
    LINK,
    PALETTE,
    SHAPE_KINDS,
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
    kernel_note,
    kernel_size,
    layer_attrs,
    shortcut_note,
    text_width,
    tint,
    totals,
)

ROW_WIDTH = 1200.0
MARGIN = 30.0
SLANT = 0.35  # the W edge is drawn at 45 degrees, foreshortened to this fraction
MIN_SIDE = 3.0
LINE = 13.0  # label line height


def thickness(channels: int) -> float:
    return 4 + 5 * math.log2(max(channels, 1))


def bar_height(n: int) -> float:
    return 10 + 9 * math.log2(max(n, 1))


@dataclass
class _Col:
    """One feature map (or flat vector) and the layers drawn with it."""

    shape: Shape
    maker: LayerInfo | None  # None for the input
    ops: list[tuple[LayerInfo, str]] = field(default_factory=list)
    adds: list[int] = field(default_factory=list)  # where a residual sum comes in the ops
    x: float = 0.0
    row: int = 0
    # A join: its branches, each a run of columns after a placeholder for the split (whose
    # ops are the branch's shape-keeping layers); the column itself is the join's output.
    lanes: list[list[_Col]] | None = None
    note: str = ""  # "×N" on a column inside a repeated group drawn within a branch


@record
class _Span:
    kind: str  # residual or repeat
    first: int
    last: int
    label: str


class _Collector:
    def __init__(self, input_shape: Shape, lane: bool = False) -> None:
        self.cols = [_Col(input_shape, None)]
        self.spans: list[_Span] = []
        self.lane = lane  # inside a branch: arcs and frames become labels on the maps

    def walk(self, nodes: tuple[Node, ...]) -> None:
        for n in nodes:
            if isinstance(n, Leaf):
                self.leaf(n.info)
            elif isinstance(n, Fork):
                lanes = []
                for branch in n.branches:
                    sub = _Collector(self.cols[-1].shape, lane=True)
                    sub.walk(branch)
                    lanes.append(sub.cols)
                self.cols.append(_Col(n.info.output_shape, n.info, lanes=lanes))
            elif self.lane and isinstance(n, Rep):
                first = len(self.cols)
                self.walk(n.body)
                for c in self.cols[first:]:
                    c.note = f" ×{n.times}"
            elif isinstance(n, Res):
                start = len(self.cols) - 1
                self.walk(n.body)
                self.spans.append(_Span("residual", start, len(self.cols) - 1,
                                        shortcut_note(n.info)))
                self.cols[-1].adds.append(len(self.cols[-1].ops))
            else:
                self.repeat(n)

    def repeat(self, n: Rep) -> None:
        first, col, ops = len(self.cols), self.cols[-1], len(self.cols[-1].ops)
        self.walk(n.body)
        if len(self.cols) > first:
            self.spans.append(_Span("repeat", first, len(self.cols) - 1, f"×{n.times}"))
        else:  # only pointwise layers repeat: say so on their labels
            col.ops[ops:] = [(info, f"{note} ×{n.times}") for info, note in col.ops[ops:]]

    def leaf(self, info: LayerInfo) -> None:
        if info.kind in SHAPE_KINDS or info.output_shape != info.input_shape:
            self.cols.append(_Col(info.output_shape, info))
        else:
            self.cols[-1].ops.append((info, ""))


@record
class _Geo:
    """Drawn extent of one column: front face height, slant of W, thickness, label width."""

    h: float
    slant: float
    t: float
    width: float
    band: float = 0.0  # height of a join's branches drawn above and below its centre line
    lanes: tuple[tuple[float, float, float], ...] = ()  # each branch's width, height, centre


LANE_PAD = 14.0  # between branches, and before and after them


def _lane(cols: list[_Col], scale: float, convention: str) -> tuple[float, float, float]:
    """Width, height and centre line (from the top) of one branch drawn as a row of maps
    (its first column is the split, whose ops are written above the branch's line)."""
    split = cols[0]
    w = max([text_width(info.kind + note, 10) for info, note in split.ops] + [40.0])
    above = LINE * (len(split.ops) + 1)  # room over the centre line
    below = LINE * 2
    for c in cols[1:]:
        g = _geo(c, scale, convention)
        w += _gap(c) + g.width
        above = max(above, max(g.h, g.band) / 2 + g.slant + LINE)
        below = max(below, max(g.h, g.band) / 2 + 12 + LINE * (2 + len(c.ops) + len(c.adds)))
    return w, above + below, above


def _gap(c: _Col) -> float:
    return max(44.0, text_width(kernel_note(c.maker), 10) + 12) if c.maker else 44.0


def _geo(col: _Col, scale: float, convention: str) -> _Geo:
    labels = [format_shape(col.shape, convention),
              (col.maker.kind + col.note) if col.maker else "input"]
    labels += [info.kind + note for info, note in col.ops] + ["+ skip"] * bool(col.adds)
    label_w = max(text_width(t, 10) for t in labels)
    if len(col.shape) == 3:
        _, h, w = col.shape
        g = _Geo(max(MIN_SIDE, h * scale), max(MIN_SIDE, w * scale) * SLANT,
                 thickness(col.shape[0]), 0.0)
    else:
        g = _Geo(bar_height(col.shape[0]), 0.0, 10.0, 0.0)
    if col.lanes is None:
        return _Geo(g.h, g.slant, g.t, max(g.t + g.slant, label_w))
    lanes = tuple(_lane(lane, scale, convention) for lane in col.lanes)
    before = max(w for w, _, _ in lanes) + 2 * LANE_PAD
    band = sum(h for _, h, _ in lanes) + LANE_PAD * (len(lanes) - 1)
    return _Geo(g.h, g.slant, before + g.t, before + max(g.t + g.slant, label_w), band, lanes)


def _box(x: float, yc: float, g: _Geo, fam: str) -> list[Item]:
    top, bottom, right, d = yc - g.h / 2, yc + g.h / 2, x + g.t, g.slant
    fill = PALETTE[fam]
    items: list[Item] = [Poly(((x, top), (right, top), (right, bottom), (x, bottom)), fill,
                              HATCH[fam], "front")]
    if d > 0:
        items.append(Poly(((x, top), (right, top), (right + d, top - d), (x + d, top - d)),
                          tint(fill, 0.45), "", "top"))
        items.append(Poly(((right, top), (right + d, top - d), (right + d, bottom - d),
                           (right, bottom)), tint(fill, 0.25), "", "hw"))
    return items


def layered(summary: Summary, p: Plan, title: str) -> Drawing:
    conv = summary.convention
    coll = _Collector(summary.input_shape)
    coll.walk(p.nodes)
    cols, spans = coll.cols, coll.spans
    spatial = [s for c in cols if len(c.shape) == 3 for s in c.shape[1:]]
    scale = min(6.0, 150.0 / max(spatial)) if spatial else 1.0
    geos = [_geo(c, scale, conv) for c in cols]
    gaps = [0.0] + [_gap(c) for c in cols[1:]]

    # Rows: break before a column when the row is full, never inside a repeated group (a
    # residual's arc may go on in the next row).
    inside: set[int] = set()
    for s in spans:
        if s.kind == "repeat":
            inside.update(range(s.first + 1, s.last + 1))
    row, x = 0, MARGIN
    for i, (c, g) in enumerate(zip(cols, geos)):
        if i and x + gaps[i] + g.width > ROW_WIDTH and i not in inside:
            row, x = row + 1, MARGIN + 20
        elif i:
            x += gaps[i]
        c.x, c.row = x, row
        x += g.width
    rows = row + 1

    groups: list[Group] = []
    y = 58.0
    row_y: list[float] = []
    row_top: list[float] = []
    for r in range(rows):
        members = [i for i, c in enumerate(cols) if c.row == r]
        max_h = max(max(geos[i].h, geos[i].band) for i in members)
        maps_h = max(geos[i].h for i in members)  # kernel notes sit over the maps
        max_d = max(geos[i].slant for i in members)
        n_lines = max(2 + len(cols[i].ops) + len(cols[i].adds) for i in members)
        yc = y + 70 + max_d + max_h / 2
        row_y.append(yc)
        row_top.append(yc - max_h / 2 - max_d)
        for i in members:
            groups.extend(_column(cols, geos, i, yc, max_h, max_d, conv, scale, maps_h))
        y = yc + max_h / 2 + 12 + LINE * n_lines + 14
    right = max(c.x + g.width for c, g in zip(cols, geos)) + MARGIN
    level = 0
    for s in spans:
        level = (level + 1) % 2 if s.kind == "residual" else level
        groups.append(_span(s, cols, geos, row_y, row_top, level, right - MARGIN + 10))
    for r in range(rows - 1):  # the net goes on in the next row
        ends = [i for i, c in enumerate(cols) if c.row == r]
        last = ends[-1]
        xe = cols[last].x + geos[last].t + geos[last].slant
        groups.append(Group("wrap", (), (
            Line(((xe + 4, row_y[r]), (xe + 24, row_y[r])), INK, True),
            Line(((MARGIN - 10, row_y[r + 1]), (MARGIN + 18, row_y[r + 1])), INK, True))))
    head = Group("title", (), (Text(MARGIN, 24, title, 14, "start", True),
                               Text(MARGIN, 42, totals(summary), 11, "start")))
    kinds = {s.kind for s in spans} | ({"join"} if _has_join(cols) else set())
    legend, height = _legend(y + 6, scale, p, kinds)
    width = max(right, 760.0, text_width(title, 14) + 2 * MARGIN,
                text_width(totals(summary), 11) + 2 * MARGIN)
    return Drawing(width, height, title, (head, *groups, legend), cut_notes(p))


def _column(cols: list[_Col], geos: list[_Geo], i: int, yc: float, max_h: float,
            max_d: float, conv: str, scale: float = 1.0, maps_h: float = 0.0) -> list[Group]:
    c, g = cols[i], geos[i]
    fam = family(c.maker.kind) if c.maker else "input"
    out: list[Group] = []
    x0 = c.x
    if c.lanes is not None and c.maker is not None:
        out.extend(_fork(cols[i - 1], geos[i - 1], c, g, yc, conv, scale))
        x0 = c.x + (g.t - _plain_t(g))
    items: list[Item] = list(_box(x0, yc, _Geo(g.h, g.slant, _plain_t(g), 0.0), fam))
    label_x = (x0 + c.x + g.width) / 2 if c.lanes is not None else c.x + g.width / 2
    ly = yc + max_h / 2 + 12 + LINE * 0.8
    if c.lanes is not None and c.maker is not None:
        items.append(Text(x0 + _plain_t(g) / 2, yc + 5, JOIN_SIGN[c.maker.kind], 13, bold=True))
    items.append(Text(label_x, ly, format_shape(c.shape, conv), 10, bold=True, role="shape"))
    items.append(Text(label_x, ly + LINE, (c.maker.kind + c.note) if c.maker else "input", 10))
    if c.maker is not None and i > 0 and c.lanes is None:
        items.extend(_link(cols[i - 1], geos[i - 1], c, g, yc, maps_h or max_h, max_d))
    out.append(Group("layer", layer_attrs(c.maker, conv), tuple(items)) if c.maker
               else Group("input", (("data-shape", format_shape(c.shape, conv)),),
                              tuple(items)))
    line = 2
    for n, (info, note) in enumerate(c.ops):
        for _ in range(c.adds.count(n)):
            out.append(Group("sum", (), (Text(label_x, ly + LINE * line, "+ skip", 10),)))
            line += 1
        out.append(Group("layer", layer_attrs(info, conv),
                         (Text(label_x, ly + LINE * line, info.kind + note, 10),)))
        line += 1
    for _ in range(c.adds.count(len(c.ops))):
        out.append(Group("sum", (), (Text(label_x, ly + LINE * line, "+ skip", 10),)))
        line += 1
    return out


def _plain_t(g: _Geo) -> float:
    """The thickness of a join's own map, without the branches drawn before it."""
    if not g.lanes:
        return g.t
    return g.t - (max(w for w, _, _ in g.lanes) + 2 * LANE_PAD)


def _fork(prev: _Col, pg: _Geo, c: _Col, g: _Geo, yc: float, conv: str,
          scale: float) -> list[Group]:
    """A join's branches, one above the other between the split and the join's map: lines
    from the map before to each branch, each branch's maps in a row, lines to the join."""
    assert c.lanes is not None
    out: list[Group] = []
    start = (prev.x + pg.t + pg.slant if prev.row == c.row else c.x - 18, yc)
    x_lanes = c.x + LANE_PAD
    join_x = c.x + g.t - _plain_t(g)
    y = yc - g.band / 2
    for lane, (_, h, centre) in zip(c.lanes, g.lanes):
        ly = y + centre  # the branch's centre line, its labels below
        items: list[Item] = [Line((start, (x_lanes, ly)), INK, False, False, 0.8)]
        split = lane[0]
        x = x_lanes
        for n, (info, note) in enumerate(split.ops):
            out.append(Group("layer", layer_attrs(info, conv), (
                Text(x, ly - 4 - LINE * (len(split.ops) - 1 - n), info.kind + note, 10,
                     "start"),)))
        if len(lane) == 1:
            items.append(Text(x, ly + LINE, "input" if not split.ops else "", 9, "start"))
        x += max([text_width(info.kind + note, 10) for info, note in split.ops] + [40.0])
        items.append(Line(((x_lanes, ly), (x - 2, ly)), INK, len(lane) > 1, False, 0.8))
        split.x, split.row = x, c.row
        prev_col, prev_geo, prev_x = split, _Geo(0.0, 0.0, 0.0, 0.0), x
        for col in lane[1:]:
            cg = _geo(col, scale, conv)
            x += _gap(col)
            col.x, col.row = x, c.row
            sub = _column([prev_col, col], [prev_geo, cg], 1, ly, max(cg.h, cg.band),
                          cg.slant, conv, scale) if col.lanes is not None else \
                _lane_map(col, cg, ly, conv)
            out.extend(sub)
            if col.lanes is None:
                note = kernel_note(col.maker) if col.maker else ""
                items.append(Line(((prev_x + 2, ly), (x - 2, ly)), INK, True, False, 0.8))
                if note:
                    items.append(Text((prev_x + x) / 2, ly - cg.h / 2 - cg.slant - 4, note, 9,
                                      role="kernel"))
            prev_col, prev_geo = col, cg
            x += cg.t + cg.slant if col.lanes is None else cg.width
            prev_x = x
        items.append(Line(((prev_x + 2, ly), (join_x - 2, yc)), INK, True, False, 0.8))
        out.append(Group("branch", (), tuple(items)))
        y += h + LANE_PAD
    return out


def _lane_map(col: _Col, g: _Geo, yc: float, conv: str) -> list[Group]:
    """One map inside a branch, with its labels under it."""
    assert col.maker is not None
    items: list[Item] = list(_box(col.x, yc, g, family(col.maker.kind)))
    label_x = col.x + (g.t + g.slant) / 2
    ly = yc + g.h / 2 + 12 + LINE * 0.8
    items.append(Text(label_x, ly, format_shape(col.shape, conv), 10, bold=True, role="shape"))
    items.append(Text(label_x, ly + LINE, col.maker.kind + col.note, 10))
    out = [Group("layer", layer_attrs(col.maker, conv), tuple(items))]
    line = 2
    for info, note in col.ops:
        out.append(Group("layer", layer_attrs(info, conv),
                         (Text(label_x, ly + LINE * line, info.kind + note, 10),)))
        line += 1
    for _ in col.adds:
        out.append(Group("sum", (), (Text(label_x, ly + LINE * line, "+ skip", 10),)))
        line += 1
    return out


def _link(prev: _Col, pg: _Geo, c: _Col, g: _Geo, yc: float, max_h: float,
          max_d: float) -> list[Item]:
    """The kernel window on the face of the input map, and lines to the output map."""
    assert c.maker is not None
    note = kernel_note(c.maker)
    target = (c.x, yc)
    if prev.row != c.row:
        return [Line(((c.x - 18, yc), target), INK, True)]
    x0 = prev.x + pg.t
    k = kernel_size(c.maker)
    if not note or k is None or len(prev.shape) != 3 or pg.slant == 0:
        return [Line(((x0 + pg.slant + 2, yc), (c.x - 2, yc)), INK, True)]
    _, h, w = prev.shape
    kh = max(2.0, pg.h * min(1.0, k[0] / h))
    kw = max(2.0, pg.slant * min(1.0, k[1] / w))
    bx, by = x0 + (pg.slant - kw) / 2, yc + kh / 2 - (pg.slant - kw) / 2
    window = Poly(((bx, by), (bx + kw, by - kw), (bx + kw, by - kw - kh), (bx, by - kh)),
                  "#FFFFFF", "", "kernel", ACCENT, 1.5)
    top = yc - max_h / 2 - max_d - 8
    return [window,
            Line(((bx + kw, by - kw - kh), target), ACCENT, False, False, 0.8),
            Line(((bx + kw, by - kw), target), ACCENT, False, False, 0.8),
            Text((x0 + pg.slant + c.x) / 2, top, note, 10, role="kernel")]


def _span(s: _Span, cols: list[_Col], geos: list[_Geo], row_y: list[float],
          row_top: list[float], level: int, right: float) -> Group:
    a, b = cols[s.first], cols[s.last]
    members = range(s.first, s.last + 1)

    def top(row: int) -> float:
        return row_top[row] - 10

    if s.kind == "residual":
        # Start and end off-centre and alternate heights, so chained blocks stay apart; a
        # join's own map is the last part of its column, after its branches.
        ga = geos[s.first]
        x0 = a.x + ga.t - _plain_t(ga) * 0.7
        x1 = b.x + geos[s.last].t * 0.7 + (0 if s.first != s.last else 12)
        y0, y1 = row_y[a.row] - geos[s.first].h / 2, row_y[b.row] - geos[s.last].h / 2
        lift = 26 + 16 * level
        label = Text((x0 + x1) / 2 if a.row == b.row else x0 + 4, top(a.row) - lift - 4,
                     f"skip: {s.label}", 9, "middle" if a.row == b.row else "start")
        if a.row == b.row:
            arc = top(a.row) - lift
            lines = [Line(((x0, y0 - 2), (x0, arc), (x1, arc), (x1, y1 - 2)), ACCENT, True,
                          False, 1.6)]
        else:  # the arc leaves this row on the right and comes back in the next
            arc0, arc1 = top(a.row) - lift, top(b.row) - lift
            lines = [Line(((x0, y0 - 2), (x0, arc0), (right, arc0)), ACCENT, True, True, 1.6),
                     Line(((MARGIN - 10, arc1), (x1, arc1), (x1, y1 - 2)), ACCENT, True,
                          False, 1.6)]
        return Group("residual", (("data-shortcut", s.label),), (*lines, label))
    x0, x1 = a.x - 8, b.x + geos[s.last].width + 8
    t = top(a.row) - 10
    bottom = row_y[b.row] + max(geos[i].h for i in members) / 2 + 4
    return Group("repeat", (("data-times", s.label.lstrip("×")),), (
        Line(((x0, t), (x1, t), (x1, bottom), (x0, bottom), (x0, t)), LINK, False, True, 1.2),
        Text(x0 + 2, t - 3, s.label, 13, "start", True)))


def _has_join(cols: list[_Col]) -> bool:
    return any(c.lanes is not None for c in cols)


def _legend(y: float, scale: float, p: Plan, kinds: set[str]) -> tuple[Group, float]:
    items: list[Item] = [
        Text(MARGIN, y + 12, "Each box is a feature map CxHxW: height ∝ H and slant ∝ W "
             f"(a map pixel is {scale:.3g} px, at least {MIN_SIDE:g} px in all); "
             "thickness ∝ log2(C): 4 + 5·log2(C) px.", 10, "start"),
        Text(MARGIN, y + 26, "Bars are flat vectors of N values: height 10 + 9·log2(N) px. "
             "White window: the kernel on the map it slides over (KxK, s=stride).", 10,
             "start")]
    extra = [text for kind, text in (
        ("residual", "Arc: residual shortcut (identity or 1x1 projection)."),
        ("join", "White map marked ‖, +, ×, μ or ∨: the branches before it concatenated, "
                 "added, multiplied, averaged, or their maximum taken."),
        ("repeat", "Dashed frame ×N: a group repeated N times, drawn once.")) if kind in kinds]
    if extra:
        items.append(Text(MARGIN, y + 40, " ".join(extra), 10, "start"))
        y += 14
    x = MARGIN
    for fam in ("input", "conv", "pool", "fc"):
        items.append(Poly(((x, y + 36), (x + 16, y + 36), (x + 16, y + 48), (x, y + 48)),
                          PALETTE[fam], HATCH[fam], "swatch"))
        name = {"input": "input", "conv": "conv", "pool": "pooling",
                "fc": "fc / flatten"}[fam]
        items.append(Text(x + 21, y + 46, name, 10, "start"))
        x += 30 + text_width(name, 10)
    bottom = y + 62
    for note in cut_notes(p):
        items.append(Text(MARGIN, bottom, "note: " + note, 10, "start", True))
        bottom += 14
    return Group("legend", (), tuple(items)), bottom + 8
