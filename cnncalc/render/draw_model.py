"""Diagram geometry as pure data, and the plan of what to draw: layers, residuals, repeats."""

from __future__ import annotations

from ..calc.summary import LayerInfo, Summary
from ..ops import OPS
from ..ops.base import ConvArgs, ConvTArgs, PoolArgs
from ..ops.shape import format_shape
from ..records import record

Point = tuple[float, float]

# Okabe-Ito: distinguishable with every common colour-vision deficiency. Each kind also has
# its own hatch and always a text label, so a black-and-white print stays readable.
PALETTE = {
    "conv": "#56B4E9",  # sky blue
    "pool": "#E69F00",  # orange
    "fc": "#009E73",  # bluish green
    "norm": "#F0E442",  # yellow
    "act": "#CC79A7",  # reddish purple
    "join": "#FFFFFF",
    "shape": "#EEEEEE",
    "input": "#BBBBBB",
    "other": "#DDDDDD",
}
HATCH = {"conv": "", "pool": "diag", "fc": "dots", "norm": "", "act": "", "join": "",
         "shape": "dots", "input": "", "other": "cross"}
INK = "#000000"
ACCENT = "#D55E00"  # vermillion: skip arrows and kernels
LINK = "#0072B2"  # blue: repeat brackets

SHAPE_KINDS = frozenset({"conv", "convt", "maxpool", "avgpool", "gap", "fc", "flatten"})
MAX_LAYERS_DRAWN = 300
MAX_PERIOD = 12  # longest repeated group that collapsing looks for


def family(kind: str) -> str:
    """The colour family of a layer kind, as its op declares it."""
    return OPS[kind].family


@record
class Poly:
    points: tuple[Point, ...]
    fill: str
    hatch: str = ""
    role: str = ""  # "hw" marks the HxW face of a feature map; "kernel" a kernel window
    stroke: str = INK
    width: float = 1.0


@record
class Line:
    points: tuple[Point, ...]
    stroke: str = INK
    arrow: bool = False
    dashed: bool = False
    width: float = 1.0


@record
class Text:
    x: float
    y: float
    text: str
    size: float = 11.0
    anchor: str = "middle"  # start, middle or end
    bold: bool = False
    role: str = ""  # "shape" for a shape label


Item = Poly | Line | Text


@record
class Group:
    """One drawn layer (role "layer"), or a decoration such as the legend."""

    role: str
    attrs: tuple[tuple[str, str], ...]
    items: tuple[Item, ...]


@record
class Drawing:
    width: float
    height: float
    title: str
    groups: tuple[Group, ...]
    notes: tuple[str, ...] = ()


LINE = 1.25  # the height of a line of text, in font sizes


def text_width(text: str, size: float) -> float:
    """A conservative width estimate: layouts must not depend on a font being installed."""
    return 0.62 * size * len(text)


def layer_attrs(info: LayerInfo, convention: str) -> tuple[tuple[str, str], ...]:
    return (("data-path", info.path), ("data-kind", info.kind), ("data-spec", info.spec),
            ("data-shape", format_shape(info.output_shape, convention)))


# -- what to draw ---------------------------------------------------------------------------

@record
class Leaf:
    info: LayerInfo


@record
class Res:
    info: LayerInfo
    body: tuple[Node, ...]


@record
class Rep:
    body: tuple[Node, ...]
    times: int


@record
class Fork:
    """A join block: its branches drawn side by side (an empty one is the input itself),
    then the join (`info`, kind cat, add or mul)."""

    info: LayerInfo
    branches: tuple[tuple[Node, ...], ...]

    @property
    def body(self) -> tuple[Node, ...]:
        """Every branch's nodes, in order (for walks that only count or list layers)."""
        return tuple(n for b in self.branches for n in b)


Node = Leaf | Res | Rep | Fork
JOIN_SIGN = {"cat": "‖", "add": "+", "mul": "×", "mean": "μ", "max": "∨"}
"""The sign drawn on a join: channels stacked, summed, multiplied, averaged, or their
maximum taken."""


@record
class Plan:
    nodes: tuple[Node, ...]
    drawn: int  # layers drawn (a collapsed group counts once)
    total: int  # layers in the spec
    cut: int  # layers left out after MAX_LAYERS_DRAWN


def _signature(info: LayerInfo) -> tuple[object, ...]:
    return (info.kind, info.spec, info.input_shape, info.output_shape)


def _flatten(rows: tuple[LayerInfo, ...]) -> list[LayerInfo]:
    """Repeat blocks dissolve into their rows; collapsing finds the repetition again, and
    keeps only the part whose shapes truly repeat."""
    out: list[LayerInfo] = []
    for r in rows:
        if r.kind == "repeat":
            out.extend(_flatten(r.children))
        else:
            out.append(r)
    return out


def _count(rows: tuple[LayerInfo, ...]) -> int:
    return sum(_count(r.inner()) if r.is_block else 1 for r in rows)


class _Planner:
    def __init__(self, collapse: bool, budget: int) -> None:
        self.collapse = collapse
        self.budget = budget
        self.drawn = 0
        self.cut = 0

    def sequence(self, rows: list[LayerInfo]) -> tuple[Node, ...]:
        out: list[Node] = []
        i = 0
        sigs = [_signature(r) for r in rows]
        while i < len(rows):
            if self.drawn >= self.budget:
                self.cut += sum(_count((r,)) for r in rows[i:])
                break
            period, times = self._period(sigs, i) if self.collapse else (1, 1)
            if times > 1:
                body = self.sequence(rows[i:i + period])
                out.append(Rep(body, times))
                i += period * times
                continue
            out.append(self.node(rows[i]))
            i += 1
        return tuple(out)

    def node(self, row: LayerInfo) -> Node:
        if row.kind == "residual":
            return Res(row, self.sequence(_flatten(row.children)))
        self.drawn += 1
        if row.branches:
            return Fork(row, tuple(self.sequence(_flatten(b)) for b in row.branches))
        return Leaf(row)

    @staticmethod
    def _period(sigs: list[tuple[object, ...]], i: int) -> tuple[int, int]:
        best = (1, 1)
        for p in range(1, MAX_PERIOD + 1):
            if i + 2 * p > len(sigs):
                break
            unit = sigs[i:i + p]
            times = 1
            while sigs[i + times * p:i + (times + 1) * p] == unit:
                times += 1
            if times > 1 and p * times > best[0] * best[1]:
                best = (p, times)
        return best


def plan(summary: Summary, collapse: bool = True, budget: int = MAX_LAYERS_DRAWN) -> Plan:
    """The nodes to draw: repeated groups collapsed (when `collapse`), at most `budget`
    layers, the rest counted in `cut`."""
    planner = _Planner(collapse, budget)
    nodes = planner.sequence(_flatten(summary.layers))
    return Plan(nodes, planner.drawn, _count(summary.layers), planner.cut)


def leaves(nodes: tuple[Node, ...]) -> list[LayerInfo]:
    """The drawn layers in order (each collapsed group once)."""
    out: list[LayerInfo] = []
    for n in nodes:
        if isinstance(n, Leaf):
            out.append(n.info)
        else:
            out.extend(leaves(n.body))
            if isinstance(n, Fork):
                out.append(n.info)
    return out


def kernel_size(info: LayerInfo) -> tuple[int, int] | None:
    """The window a layer slides over its input (conv, transposed conv, pooling), or None."""
    a = info.args
    return a.kernel_size if isinstance(a, (ConvArgs, ConvTArgs, PoolArgs)) else None


def kernel_note(info: LayerInfo) -> str:
    """'3x3, s=2' for a sliding window; '' for layers without one."""
    a = info.args
    if not isinstance(a, (ConvArgs, ConvTArgs, PoolArgs)):
        return ""
    k, s, d = a.kernel_size, a.stride, a.dilation
    ks = f"{k[0]}x{k[1]}"
    ss = str(s[0]) if s[0] == s[1] else f"{s[0]}x{s[1]}"
    extra = f", d={d[0]}" if d[0] == d[1] and d[0] > 1 else ""
    return f"{ks}, s={ss}{extra}"


def shortcut_note(info: LayerInfo) -> str:
    """How a residual's shortcut gets its shape: identity, or the 1x1 projection."""
    for r in info.shortcut:
        if r.kind == "conv":
            return f"1x1 conv, {kernel_note(r).split(', ', 1)[1]} + bn"
    return "identity"


def tint(color: str, f: float) -> str:
    """`color` mixed with white: f=0 keeps it, f=1 gives white."""
    r, g, b = (int(color[i:i + 2], 16) for i in (1, 3, 5))
    return "#" + "".join(f"{round(v + (255 - v) * f):02X}" for v in (r, g, b))


def totals(summary: Summary) -> str:
    """The one-line description under the title."""
    return (f"input {format_shape(summary.input_shape, summary.convention)} → "
            f"{format_shape(summary.output_shape, summary.convention)}; "
            f"{summary.trainable_params:,} trainable parameters, "
            f"{summary.total_macs:,} MACs per sample")


def cut_notes(p: Plan) -> tuple[str, ...]:
    if not p.cut:
        return ()
    return (f"only the first {p.drawn:,} layers are drawn; {p.cut:,} more are left out "
            "(see 'cnncalc summary' for every layer)",)
