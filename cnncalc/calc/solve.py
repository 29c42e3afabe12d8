"""Solving backwards: layer settings that give an output size, and inputs that fit a spec."""

from __future__ import annotations

from functools import lru_cache

from ..errors import LayerError, UsageError
from ..ops import OPS, window
from ..ops.base import Rule
from ..ops.shape import PYTORCH
from ..records import record
from ..spec import Join, Layer, Node, Repeat, Residual, parse
from .declared import DeclaredSizeError
from .summary import stride_for, summarize

KERNELS = 64
STRIDES = 64
PADDINGS = 16
DILATIONS = 4


@record
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
"""The size along one axis after a sequence, and whether every window tiled exactly; None
where a layer cannot apply or solve cannot follow it."""


class _OutOfWork(Exception):
    """The search has used its WORK_LIMIT."""


class _CannotFollow(Exception):
    """A layer whose output size solve has no rule for (a reshape to a map, a permute,
    'same' padding with a stride): no input size can be said to give, or not give, the
    target through it."""

    def __init__(self, layer: Layer) -> None:
        super().__init__(layer.text)
        self.layer = layer


class _Stopped(Exception):
    """A flatten or fc inside a block: the maps end there, so the block has no map size."""


class _AxisWalker:
    """Spatial size along one axis (0: H, 1: W) after the map layers, and whether every
    window tiled exactly; None where a layer cannot apply. Stops at flatten/fc.

    A block's result depends only on the block and the size that enters it, so it is
    memoised per (block, size); a repeat stops walking once its sizes cycle (a body that
    keeps the size is a cycle of one), so `[conv(8,3,padding=1)]*100000` costs one step.
    Each layer's effect comes from its kind's solve rule (cnncalc.ops).
    """

    def __init__(self, axis: int, limit: int = WORK_LIMIT) -> None:
        self.axis = axis
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
            plan = [r for r in (self.rule(n) for n in nodes) if r[0] != "keep"]
            self.plans[id(nodes)] = plan
        return plan

    def rule(self, node: Node) -> Rule:
        if isinstance(node, Repeat):
            return ("repeat", node)
        if isinstance(node, Residual):
            return ("residual", node)
        if isinstance(node, Join):
            return ("join", node)
        rule = OPS[node.kind].solve(node, self.axis)
        return ("never", node) if rule[0] == "never" else rule

    def walk(self, nodes: tuple[Node, ...], n: int, inner: bool = False) -> AxisResult:
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
                r = self.residual(rule[1], n)
            elif kind == "join":
                r = self.join(rule[1], n)
            elif kind == "stop":  # flatten/fc: the feature maps end here
                if inner:
                    raise _Stopped
                break
            elif kind == "to":
                r = rule[1], True
            elif kind == "scale":
                r = n * rule[1], True
            elif kind == "grow":
                r = (n + rule[1], True) if n + rule[1] >= 1 else None
            elif kind == "convt":
                out = (n - 1) * rule[1] - 2 * rule[2] + rule[3]
                r = (out, True) if out >= 1 else None
            elif kind == "never":
                raise _CannotFollow(rule[1])
            else:
                raise AssertionError(f"no solve step for rule {kind!r}")
            if r is None:
                return None
            n = r[0]
            exact = exact and r[1]
        return n, exact

    def block(self, body: tuple[Node, ...], n: int) -> AxisResult:
        key = (id(body), n)
        if key in self.memo:
            return self.memo[key]
        try:
            r = self.walk(body, n, inner=True)
        except _Stopped:
            r = None
        self.memo[key] = r
        return r

    def residual(self, node: Residual, n: int) -> AxisResult:
        r = self.block(node.body, n)
        if r is None:
            return None
        if node.shortcut:
            sc = self.block(node.shortcut, n)
            return (r[0], r[1] and sc[1]) if sc is not None and sc[0] == r[0] else None
        if r[0] != n and (node.identity or stride_for(n, r[0]) is None):
            return None  # no shortcut makes the sum match
        return r

    def join(self, node: Join, n: int) -> AxisResult:
        results = [self.block(b, n) if b else (n, True) for b in node.branches]
        if any(r is None for r in results):
            return None
        sizes = {r[0] for r in results if r is not None}
        exact = all(r[1] for r in results if r is not None)
        if node.kind == "mul":
            sizes.discard(1)
            return (sizes.pop() if sizes else 1, exact) if len(sizes) <= 1 else None
        return (sizes.pop(), exact) if len(sizes) == 1 else None

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


@lru_cache(maxsize=65_536)  # identical layers on identical sizes recur across candidates
def _window(n: int, ke: int, s: int, p: int, ceil: bool) -> AxisResult:
    try:
        ax = window.axis_floor(n, ke, s, p, p, ceil)
    except window.Refusal:
        return None
    return ax.out, ax.dropped == 0 and ax.gaps == 0 and not ax.partial


@record
class InputSolution:
    size: int
    exact: bool


@record
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
                  hi: int = 512, limit: int | None = None,
                  nodes: tuple[Node, ...] | None = None,
                  convention: str = PYTORCH) -> InputSearch:
    """Input heights and widths in lo..hi whose last feature map is `target` (H, W), tried
    in increasing order until `limit` layer steps are spent. `nodes`: the model read from
    code (the spec's layers with the sizes the code declares, such as Linear's
    in_features), checked on the first input found, as the rules that do not depend on the
    input size are; a LayerError names a declared size no input found can meet."""
    if lo < 1 or hi < lo:
        raise UsageError(f"bad input range {lo}..{hi}")
    if hi > MAX_INPUT:
        raise UsageError(f"--max-input {hi:,} is too large",
                         f"search at most {MAX_INPUT:,} sizes")
    if min(target) < 1:
        raise UsageError("--output must be at least 1x1")
    model = nodes
    nodes = parse(spec)
    budget = WORK_LIMIT if limit is None else limit
    heights_walker = _AxisWalker(0, budget)
    per_h: dict[int, AxisResult] = {}
    per_w: dict[int, AxisResult] = {}
    searched = lo - 1
    try:
        for n in range(lo, hi + 1):
            per_h[n] = heights_walker.walk(nodes, n)
            searched = n
    except _OutOfWork:
        pass
    except _CannotFollow as e:
        raise _cannot(e) from None
    if _symmetric(nodes):
        per_w = per_h
    else:
        widths_walker = _AxisWalker(1, budget)
        try:
            for n in range(lo, searched + 1):
                per_w[n] = widths_walker.walk(nodes, n)
        except _CannotFollow as e:
            raise _cannot(e) from None
        except _OutOfWork:
            searched = max(per_w, default=lo - 1)
            per_h = {n: r for n, r in per_h.items() if n <= searched}
    heights = [InputSolution(n, r[1]) for n, r in per_h.items()
               if r is not None and r[0] == target[0]]
    widths = [InputSolution(n, r[1]) for n, r in per_w.items()
              if r is not None and r[0] == target[1]]
    if heights and widths:
        # Rules that do not depend on the input size (groups, pooling padding, ...) are
        # checked once by the full calculator; the per-axis walk covers the rest. So are
        # the sizes code declares: what reaches them is fixed by the target map (the
        # features a Linear after the last map gets) or by no input size at all (a
        # Conv2d's in_channels), so the first input found meets them if any does.
        first = (channels, heights[0].size, widths[0].size)
        try:
            summarize(model or nodes, first, convention if model else PYTORCH)
        except DeclaredSizeError as e:  # (a LayerError of the rules above propagates as is)
            raise LayerError(f"no input whose last map is {target[0]}x{target[1]} fits the "
                             f"sizes the code declares: {e.message}", e.hint) from None
    return InputSearch(heights, widths, lo, hi, searched)


def _cannot(e: _CannotFollow) -> LayerError:
    return LayerError(f"solve cannot follow {e.layer.text}: its output size is not a rule of "
                      "its input size that solve knows, so it cannot say which inputs give "
                      "the target", "compute candidate inputs with 'cnncalc summary' instead")


def _symmetric(nodes: tuple[Node, ...]) -> bool:
    """Whether every layer acts on W exactly as on H (square kernels, strides, paddings)."""
    stack = list(nodes)
    seen: set[int] = set()
    while stack:
        n = stack.pop()
        if id(n) in seen:
            continue
        seen.add(id(n))
        if isinstance(n, Repeat):
            stack.extend(n.body)
        elif isinstance(n, Residual):
            stack.extend(n.body + n.shortcut)
        elif isinstance(n, Join):
            stack.extend(x for b in n.branches for x in b)
        elif OPS[n.kind].solve(n, 0) != OPS[n.kind].solve(n, 1):
            return False
    return True


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
