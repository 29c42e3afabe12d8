"""Solving backwards: layer settings that give an output size, and inputs that fit a spec."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..errors import UsageError
from ..spec import Layer, Node, Repeat, Residual, parse
from . import window
from .shape import PYTORCH
from .summary import stride_for, summarize

KERNELS = 64
STRIDES = 64
PADDINGS = 16
DILATIONS = 4


@dataclass(frozen=True)
class LayerSolution:
    kernel: int
    stride: int
    padding: int
    dilation: int
    output_padding: int
    exact: bool  # windows tile the padded input exactly: no pixel is dropped

    def spec(self, kind: str, channels: int | str = "C") -> str:
        parts = [str(channels), str(self.kernel)] if kind in ("conv", "convt") else \
            [str(self.kernel)]
        if self.stride != (1 if kind in ("conv", "convt") else self.kernel):
            parts.append(f"stride={self.stride}")
        if self.padding:
            parts.append(f"padding={self.padding}")
        if self.output_padding:
            parts.append(f"output_padding={self.output_padding}")
        if self.dilation != 1:
            parts.append(f"dilation={self.dilation}")
        return f"{kind}({','.join(parts)})"


def _range(fixed: int | None, hi: int, lo: int = 1) -> range:
    return range(fixed, fixed + 1) if fixed is not None else range(lo, hi + 1)


def solve_layer(n: int, m: int, kind: str = "conv", kernel: int | None = None,
                stride: int | None = None, padding: int | None = None,
                dilation: int | None = None) -> list[LayerSolution]:
    """Every (kernel, stride, padding, dilation) in the search ranges taking n to m under
    PyTorch's rule for `kind` (conv, maxpool, avgpool or convt). Simplest first."""
    if n < 1 or m < 1:
        raise UsageError("--input and --output must be at least 1")
    if kind not in ("conv", "maxpool", "avgpool", "convt"):
        raise UsageError(f"unknown --layer '{kind}'", "choose conv, maxpool, avgpool or convt")
    found = []
    for d in _range(dilation, 1 if kind == "avgpool" else DILATIONS):
        for k in _range(kernel, KERNELS):
            if d > 1 and k == 1:
                continue
            ke = d * (k - 1) + 1
            for s in _range(stride, STRIDES):
                for p in _range(padding, PADDINGS, 0):
                    if kind in ("maxpool", "avgpool") and p > k // 2:
                        break
                    if kind == "convt":
                        base = (n - 1) * s - 2 * p + ke
                        op = m - base
                        if 0 <= op < max(s, d) and base + op >= 1:
                            found.append(LayerSolution(k, s, p, d, op, op == 0))
                        continue
                    span = n + 2 * p - ke
                    if span >= 0 and span // s + 1 == m:
                        reach = (m - 1) * s - p + ke - 1  # last input pixel a window reads
                        exact = reach >= n - 1 and s <= ke and p < ke
                        found.append(LayerSolution(k, s, p, d, 0, exact))

    def plain(x: LayerSolution) -> tuple[int, ...]:
        ke = x.dilation * (x.kernel - 1) + 1
        too_much_pad = x.padding > ke // 2
        return (not x.exact, x.dilation != 1, too_much_pad, x.output_padding, x.kernel,
                x.padding, x.stride, x.dilation)

    found.sort(key=plain)
    return found


WORK_LIMIT = 2_000_000
"""Layer steps one input search may take (a few seconds): past it the search stops at the
last size it finished, and says so. Repeat blocks cost one step per distinct size, not one
per repetition, so only long specs without repeats come near it."""

MAX_INPUT = 100_000
"""Largest input size an input search tries (`solve --max-input`)."""

AxisResult = tuple[int, bool] | None


class _OutOfWork(Exception):
    """The search has used its WORK_LIMIT."""


class _AxisWalker:
    """Spatial size along one axis after the map layers, and whether every window tiled
    exactly; None where a layer cannot apply. Stops at flatten/fc.

    A block's result depends only on the block and the size that enters it, so it is
    memoised per (block, size); a repeat stops walking once its sizes cycle (a body that
    keeps the size is a cycle of one), so `[conv(8,3,padding=1)]*100000` costs one step.
    """

    def __init__(self, limit: int = WORK_LIMIT) -> None:
        self.limit = limit
        self.work = 0
        # Keyed by id(): the parsed nodes outlive the walker, and Layer is not hashable.
        self.memo: dict[tuple[int, int], AxisResult] = {}
        self.plans: dict[int, list[Rule]] = {}

    def spend(self, units: int) -> None:
        self.work += units
        if self.work > self.limit:
            raise _OutOfWork

    def plan(self, nodes: tuple[Node, ...]) -> list[Rule]:
        """The sequence's rules, read once; layers that keep the size are left out."""
        plan = self.plans.get(id(nodes))
        if plan is None:
            plan = [r for r in map(_node_rule, nodes) if r[0] != "keep"]
            self.plans[id(nodes)] = plan
        return plan

    def walk(self, nodes: tuple[Node, ...], n: int) -> AxisResult:
        plan = self.plan(nodes)
        self.spend(len(plan) + 1)
        exact = True
        for rule in plan:
            kind = rule[0]
            r: AxisResult
            if kind == "window":
                r = _window(n, rule[1], rule[2], rule[3], rule[4])
            elif kind == "repeat":
                r = self.repeat(rule[1], n)
            elif kind == "residual":
                r = self.block(rule[1], n)
                if r is not None and r[0] != n and stride_for(n, r[0]) is None:
                    return None  # no 1x1 projection makes the shortcut match
            elif kind == "stop":  # flatten/fc: the feature maps end here
                break
            elif kind == "to":
                r = rule[1], True
            elif kind == "convt":
                out = (n - 1) * rule[1] - 2 * rule[2] + rule[3]
                r = (out, True) if out >= 1 else None
            else:
                return None
            if r is None:
                return None
            n = r[0]
            exact = exact and r[1]
        return n, exact

    def block(self, body: tuple[Node, ...], n: int) -> AxisResult:
        key = (id(body), n)
        if key in self.memo:
            return self.memo[key]
        r = self.walk(body, n)
        self.memo[key] = r
        return r

    def repeat(self, node: Repeat, n: int) -> AxisResult:
        sizes = [n]  # sizes[t]: the size after t repetitions
        seen = {n: 0}
        exact = True
        for t in range(1, node.times + 1):
            self.spend(1)
            r = self.block(node.body, sizes[-1])
            if r is None:
                return None
            m, ok = r
            exact &= ok
            if m in seen:
                # The sizes cycle from repetition `first` with this period; every step of
                # the cycle has been taken once, so `exact` already covers the rest.
                first = seen[m]
                period = t - first
                return sizes[first + (node.times - first) % period], exact
            seen[m] = t
            sizes.append(m)
        return sizes[-1], exact


Rule = tuple[Any, ...]
"""A node's effect along one axis, its arguments read once: ("stop",), ("keep",),
("to", size), ("never",), ("convt", stride, padding, extent + output_padding),
("window", extent, stride, padding, ceil), ("repeat", node) or ("residual", body)."""


def _layer_rule(layer: Layer) -> Rule:
    if layer.kind in ("flatten", "fc"):
        return ("stop",)
    if layer.kind == "gap":
        return ("to", int(window.pair(layer["output_size"])[0]))
    if layer.kind not in ("conv", "convt", "maxpool", "avgpool"):
        return ("keep",)
    k = window.pair(layer["kernel_size"])[0]
    s = window.pair(layer["stride"])[0]
    d = window.pair(layer.args.get("dilation", 1))[0]
    ke = d * (k - 1) + 1
    pad = layer["padding"]
    if layer.kind == "convt":
        if pad == "same":
            return ("never",)
        p = 0 if pad == "valid" else window.pair(pad)[0]
        return ("convt", s, p, ke + window.pair(layer["output_padding"])[0])
    if pad == "same":
        return ("keep",) if s == 1 and layer.kind == "conv" else ("never",)
    p = 0 if pad == "valid" else window.pair(pad)[0]
    return ("window", ke, s, p, bool(layer.args.get("ceil_mode", False)))


@lru_cache(maxsize=65_536)  # identical layers on identical sizes recur across candidates
def _window(n: int, ke: int, s: int, p: int, ceil: bool) -> AxisResult:
    try:
        ax = window.axis_floor(n, ke, s, p, p, ceil)
    except window.Refusal:
        return None
    return ax.out, ax.dropped == 0 and ax.gaps == 0 and not ax.partial


def _node_rule(node: Node) -> Rule:
    if isinstance(node, Repeat):
        return ("repeat", node)
    if isinstance(node, Residual):
        return ("residual", node.body)
    return _layer_rule(node)


@dataclass(frozen=True)
class InputSolution:
    size: int
    exact: bool


@dataclass(frozen=True)
class InputSearch:
    """The input sizes that fit, and how far the search went (it may stop early)."""

    heights: list[InputSolution]
    widths: list[InputSolution]
    lo: int
    hi: int  # the largest size asked for
    searched: int  # the largest size tried: below `hi` where the work limit stopped it

    @property
    def narrowed(self) -> bool:
        return self.searched < self.hi


def search_inputs(spec: str, target: tuple[int, int], channels: int = 1, lo: int = 1,
                  hi: int = 512, limit: int | None = None) -> InputSearch:
    """Input heights and widths in lo..hi whose last feature map is `target` (H, W), tried
    in increasing order until `limit` layer steps are spent."""
    if lo < 1 or hi < lo:
        raise UsageError(f"bad input range {lo}..{hi}")
    if hi > MAX_INPUT:
        raise UsageError(f"--max-input {hi:,} is too large",
                         f"search at most {MAX_INPUT:,} sizes")
    if min(target) < 1:
        raise UsageError("--output must be at least 1x1")
    nodes = parse(spec)
    walker = _AxisWalker(WORK_LIMIT if limit is None else limit)
    per_axis: dict[int, AxisResult] = {}
    searched = lo - 1
    try:
        for n in range(lo, hi + 1):
            per_axis[n] = walker.walk(nodes, n)
            searched = n
    except _OutOfWork:
        pass
    heights = [InputSolution(n, r[1]) for n, r in per_axis.items()
               if r is not None and r[0] == target[0]]
    widths = [InputSolution(n, r[1]) for n, r in per_axis.items()
              if r is not None and r[0] == target[1]]
    if heights and widths:
        # Rules that do not depend on the input size (groups, pooling padding, ...) are
        # checked once by the full calculator; the per-axis walk covers the rest.
        summarize(nodes, (channels, heights[0].size, widths[0].size), PYTORCH)
    return InputSearch(heights, widths, lo, hi, searched)


def solve_input(spec: str, target: tuple[int, int], channels: int = 1, lo: int = 1,
                hi: int = 512) -> tuple[list[InputSolution], list[InputSolution]]:
    """Input heights and widths in lo..hi whose last feature map is `target` (H, W)."""
    found = search_inputs(spec, target, channels, lo, hi)
    return found.heights, found.widths


def ranges(values: list[int]) -> str:
    """1,2,3,7,8 → '1–3, 7–8'."""
    if not values:
        return ""
    out, start, prev = [], values[0], values[0]
    tail: list[int | None] = [*values[1:], None]
    for v in tail:
        if v is not None and v == prev + 1:
            prev = v
            continue
        out.append(str(start) if start == prev else f"{start}–{prev}")
        if v is not None:
            start = prev = v
    return ", ".join(out)
