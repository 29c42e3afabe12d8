"""Solving backwards: layer settings that give an output size, and inputs that fit a spec."""

from __future__ import annotations

from dataclasses import dataclass

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


def _axis_walk(nodes: tuple[Node, ...], n: int) -> tuple[int, bool] | None:
    """Spatial size along one axis after the map layers, and whether every window tiled
    exactly; None where a layer cannot apply. Stops at flatten/fc."""
    exact = True
    for node in nodes:
        if isinstance(node, Repeat):
            for _ in range(node.times):
                r = _axis_walk(node.body, n)
                if r is None:
                    return None
                n, ok = r
                exact &= ok
            continue
        if isinstance(node, Residual):
            r = _axis_walk(node.body, n)
            if r is None:
                return None
            m, ok = r
            if m != n and stride_for(n, m) is None:
                return None  # no 1x1 projection makes the shortcut match
            n, exact = m, exact & ok
            continue
        step = _layer_axis(node, n)
        if step is None:
            return None
        if isinstance(step, str):  # flatten/fc: the feature maps end here
            break
        n, ok = step
        exact &= ok
    return n, exact


def _layer_axis(layer: Layer, n: int) -> tuple[int, bool] | str | None:
    if layer.kind in ("flatten", "fc"):
        return "stop"
    if layer.kind == "gap":
        return int(window.pair(layer["output_size"])[0]), True
    if layer.kind not in ("conv", "convt", "maxpool", "avgpool"):
        return n, True
    k = window.pair(layer["kernel_size"])[0]
    s = window.pair(layer["stride"])[0]
    d = window.pair(layer.args.get("dilation", 1))[0]
    ke = d * (k - 1) + 1
    pad = layer["padding"]
    if layer.kind == "convt":
        p = 0 if pad == "valid" else window.pair(pad)[0] if pad != "same" else None
        if p is None:
            return None
        out = (n - 1) * s - 2 * p + ke + window.pair(layer["output_padding"])[0]
        return (out, True) if out >= 1 else None
    if pad == "same":
        return (n, True) if s == 1 and layer.kind == "conv" else None
    p = 0 if pad == "valid" else window.pair(pad)[0]
    try:
        ax = window.axis_floor(n, ke, s, p, p, bool(layer.args.get("ceil_mode", False)))
    except window.Refusal:
        return None
    return ax.out, ax.dropped == 0 and ax.gaps == 0 and not ax.partial


@dataclass(frozen=True)
class InputSolution:
    size: int
    exact: bool


def solve_input(spec: str, target: tuple[int, int], channels: int = 1, lo: int = 1,
                hi: int = 512) -> tuple[list[InputSolution], list[InputSolution]]:
    """Input heights and widths in lo..hi whose last feature map is `target` (H, W)."""
    if lo < 1 or hi < lo:
        raise UsageError(f"bad input range {lo}..{hi}")
    if hi - lo > 100_000:
        raise UsageError("the input range is too wide", "search at most 100,000 sizes")
    if min(target) < 1:
        raise UsageError("--output must be at least 1x1")
    nodes = parse(spec)
    per_axis: dict[int, tuple[int, bool] | None] = {n: _axis_walk(nodes, n)
                                                    for n in range(lo, hi + 1)}
    heights = [InputSolution(n, r[1]) for n, r in per_axis.items()
               if r is not None and r[0] == target[0]]
    widths = [InputSolution(n, r[1]) for n, r in per_axis.items()
              if r is not None and r[0] == target[1]]
    if heights and widths:
        # Rules that do not depend on the input size (groups, pooling padding, ...) are
        # checked once by the full calculator; the per-axis walk covers the rest.
        summarize(nodes, (channels, heights[0].size, widths[0].size), PYTORCH)
    return heights, widths


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
