"""Window arithmetic along one axis: PyTorch's and Keras' output-size rules, with notes."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from ..records import record
from .shape import KERAS
from .signature import Layer, format_value


class Refusal(Exception):
    """A layer that cannot apply to its input. The walker adds the layer's name and index."""

    def __init__(self, reason: str, hint: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.hint = hint


@record
class Axis:
    out: int
    pad_left: int
    pad_right: int
    formula: str
    dropped: int = 0  # input rows past the last window
    partial: bool = False  # ceil mode added a window that hangs over the edge
    gaps: int = 0  # input rows between windows when the stride exceeds the window


def as_int(v: object) -> int:
    assert isinstance(v, int)
    return v


def as_float(v: object) -> float:
    assert isinstance(v, (int, float)) and not isinstance(v, bool)
    return float(v)


def pair(v: Any) -> tuple[int, int]:
    return v if isinstance(v, tuple) else (v, v)


def axis_floor(n: int, k: int, s: int, pl: int, pr: int, ceil: bool = False) -> Axis:
    """PyTorch's output-size rule for convolution and pooling along one axis."""
    span = n + pl + pr - k
    floor_out = span // s + 1  # floor division rounds toward -inf, as PyTorch's div_rtn
    out, partial = floor_out, False
    if ceil:
        out = (span + s - 1) // s + 1
        # The last window must start inside the input or the left padding.
        if (out - 1) * s >= n + pl:
            out -= 1
        partial = out > floor_out
    if out < 1:
        raise Refusal(f"input {n} (padded to {n + pl + pr}) is smaller than the {k}-wide window,"
                      f" so the output would be {out}")
    pad_txt = f" + {pl}+{pr}" if pl != pr else (f" + 2·{pl}" if pl else "")
    inner = f"{n} - {k}{pad_txt}"
    if ceil:
        formula = f"⌈({inner})/{s}⌉ + 1 = {out}"
    elif span % s:
        formula = f"⌊({inner})/{s}⌋ + 1 = {out}"
    else:
        formula = f"({inner})/{s} + 1 = {out}"
    # Real pixels (not padding) past the last window's reach, and between windows.
    last = (out - 1) * s - pl + k - 1
    dropped = max(0, n - 1 - last)
    gaps = max(0, s - k) * (out - 1) if out > 1 else 0
    return Axis(out, pl, pr, formula, dropped, partial, gaps)


def axis_same_keras(n: int, k: int, s: int) -> Axis:
    out = -(-n // s)
    total = max((out - 1) * s + k - n, 0)
    pl = total // 2
    return Axis(out, pl, total - pl, f"⌈{n}/{s}⌉ = {out} (same: pad {pl}+{total - pl})")


@lru_cache(maxsize=4096)  # layers repeat (N, F, S, P) far more than they repeat channels
def conv_axis(n: int, k: int, s: int, pad: int | str, convention: str,
              ceil: bool = False) -> Axis:
    """One axis of a window layer; `pad` is this axis's padding, or 'same'/'valid'."""
    if pad == "valid":
        return axis_floor(n, k, s, 0, 0, ceil)
    if pad == "same":
        if convention == KERAS:
            return axis_same_keras(n, k, s)
        total = k - 1
        pl = total // 2
        ax = axis_floor(n, k, s, pl, total - pl)
        return Axis(ax.out, pl, total - pl, f"same: pad {pl}+{total - pl} → {ax.out}")
    assert isinstance(pad, int)
    return axis_floor(n, k, s, pad, pad, ceil)


def axis_pad(pad: Any, axis: int) -> int | str:
    """The padding of one axis: 'same'/'valid' as they are, a number from an HxW pair."""
    return pad if isinstance(pad, str) else pair(pad)[axis]


def axes_text(h: Axis, w: Axis) -> str:
    if h.formula == w.formula:
        return h.formula
    return f"H: {h.formula}; W: {w.formula}"


def drop_notes(h: Axis, w: Axis, n_h: int, n_w: int) -> list[str]:
    notes = []
    if h.dropped or w.dropped:
        parts = []
        if h.dropped:
            parts.append(f"{h.dropped} row{'s' * (h.dropped > 1)}")
        if w.dropped:
            parts.append(f"{w.dropped} column{'s' * (w.dropped > 1)}")
        notes.append(f"window does not tile the {n_h}x{n_w} input: the last "
                     f"{' and '.join(parts)} are never read")
    if h.gaps or w.gaps:
        notes.append("the stride is larger than the window: rows/columns between windows are "
                     "never read")
    if h.partial or w.partial:
        notes.append("ceil_mode adds a last window that hangs over the bottom/right edge")
    return notes


def pad_check_explicit(layer: Layer, convention: str, pooling: bool,
                        k: tuple[int, int], s: tuple[int, int]) -> None:
    pad = layer["padding"]
    if pad == "same" and convention != KERAS:
        if pooling:
            raise Refusal("PyTorch pooling has no padding='same'",
                          "write padding=N or ceil=true for PyTorch, or use --convention keras")
        if s != (1, 1):
            total = [kk - 1 for kk in k]
            sym = all(t % 2 == 0 for t in total)
            fix = f"padding={total[0] // 2}" if sym and total[0] == total[1] else "padding=N"
            raise Refusal(f"PyTorch allows padding='same' only with stride 1, not "
                          f"{format_value(s)}", f"write {fix} or use --convention keras")


def padding_notes(layer: Layer, k: tuple[int, int]) -> list[str]:
    """Padding larger than it needs to be, per axis; one note where both axes agree."""
    pad = layer["padding"]
    if isinstance(pad, str):
        return []
    per_axis = []
    for p, kk in zip(pair(pad), k):
        keep = -(-(kk - 1) // 2)  # ceil((F - 1)/2): what keeps the size at stride 1
        if p >= kk:
            per_axis.append(f"padding {p} ≥ window {kk}: some outputs see only padding")
        elif p > keep:
            per_axis.append(f"padding {p} is more than the {keep} that keeps the size at "
                            "stride 1; the border outputs mostly see zeros")
        else:
            per_axis.append("")
    h, w = per_axis
    if h == w:
        return [h] if h else []
    return [f"{text} (along {axis})" for text, axis in ((h, "H"), (w, "W")) if text]


def need_map(shape: tuple[int, ...], what: str) -> tuple[int, int, int]:
    """(C, H, W) of a feature map, or a Refusal for a flat vector."""
    if len(shape) != 3:
        raise Refusal(f"{what} needs a CxHxW input but got the flat vector {shape[0]}",
                      "put it before flatten/fc")
    return shape[0], shape[1], shape[2]
