"""Pooling: maxpool and avgpool (sliding windows), gap and gmp (adaptive, to a fixed size)."""

from __future__ import annotations

from fractions import Fraction

from .base import AdaptiveArgs, OpDef, PoolArgs, Rule, Step, Window, fixed_rule
from .conv import _window_rule, window_solve
from .shape import KERAS, Shape
from .signature import BOOL, PADDING, PAIR, SAME_AS_KERNEL, SIZE, Layer, LayerDef, Param
from .window import (
    Refusal,
    axes_text,
    axis_pad,
    conv_axis,
    drop_notes,
    need_map,
    pad_check_explicit,
    pair,
)


def pool(layer: Layer, shape: Shape, convention: str) -> Step:
    c, h, w = need_map(shape, layer.kind)
    k, s = pair(layer["kernel_size"]), pair(layer["stride"])
    d = pair(layer.args.get("dilation", 1))
    ceil = bool(layer["ceil_mode"])
    ke = (d[0] * (k[0] - 1) + 1, d[1] * (k[1] - 1) + 1)
    pad = layer["padding"]
    if convention == KERAS:
        if ceil:
            raise Refusal("Keras pooling has no ceil_mode", "use padding=same")
        if d != (1, 1):
            raise Refusal("Keras pooling has no dilation")
    pad_check_explicit(layer, convention, True, ke, s)
    if not isinstance(pad, str):
        for p, kk in zip(pair(pad), k):
            # PyTorch: "pad should be at most half of effective kernel size".
            if p > kk // 2:
                raise Refusal(f"padding {p} is more than half the {kk}-wide window",
                              f"PyTorch allows at most padding={kk // 2} here")
    ah = conv_axis(h, ke[0], s[0], axis_pad(pad, 0), convention, ceil)
    aw = conv_axis(w, ke[1], s[1], axis_pad(pad, 1), convention, ceil)
    out = (c, ah.out, aw.out)
    notes = drop_notes(ah, aw, h, w)
    torch_pad = None if pad == "same" else pair(0 if pad == "valid" else pad)
    pads = (ah.pad_left, ah.pad_right, aw.pad_left, aw.pad_right)
    if layer.kind == "maxpool":
        args = PoolArgs(k, s, pads, torch_pad, ceil, dilation=d)
    else:
        args = PoolArgs(k, s, pads, torch_pad, ceil,
                        count_include_pad=bool(layer["count_include_pad"]))
    return Step(out, 0, 0, 0, axes_text(ah, aw), "no parameters", "0 (MACs count weights only)",
                tuple(notes),
                (Window(ke[0], s[0], ah.pad_left), Window(ke[1], s[1], aw.pad_left)),
                args=args)


def adaptive_windows(n: int, o: int) -> tuple[int, int | Fraction]:
    """Largest window and mean stride of PyTorch's adaptive pooling from n to o."""
    largest = max(-(-((i + 1) * n) // o) - (i * n) // o for i in range(o)) if o <= 4096 else \
        -(-n // o) + 1
    return largest, (n // o if n % o == 0 else Fraction(n, o))


def adaptive(layer: Layer, shape: Shape, convention: str) -> Step:
    c, h, w = need_map(shape, layer.kind)
    oh, ow = pair(layer["output_size"])
    kh, sh = adaptive_windows(h, oh)
    kw, sw = adaptive_windows(w, ow)
    formula = f"adaptive: {h}x{w} → {oh}x{ow}"
    if h % oh == 0 and w % ow == 0:
        formula += f" (windows {h // oh}x{w // ow}, stride {h // oh}x{w // ow})"
    else:
        formula += f" (uneven windows, up to {kh}x{kw})"
    return Step((c, oh, ow), 0, 0, 0, formula, "no parameters", "0 (MACs count weights only)", (),
                (Window(kh, sh, 0), Window(kw, sw, 0)), args=AdaptiveArgs((oh, ow)))


def _adaptive_solve(layer: Layer, axis: int) -> Rule:
    return ("to", pair(layer["output_size"])[axis])


_ADAPTIVE_RULE = fixed_rule("adaptive: output cell i pools input rows ⌊i·N/O⌋ to "
                            "⌈(i + 1)·N/O⌉ − 1")

OPS = [
    OpDef(LayerDef(
        "maxpool",
        (
            Param("kernel_size", PAIR, short=("kernel", "k"), minimum=1),
            Param("stride", PAIR, SAME_AS_KERNEL, ("s",), minimum=1),
            Param("padding", PADDING, 0, ("p", "pad")),
            Param("dilation", PAIR, 1, ("d",), minimum=1),
            Param("ceil_mode", BOOL, False, ("ceil",)),
        ),
        ("pool",),
        "nn.MaxPool2d",
    ), "pool", _window_rule, "", window_solve, pool),
    OpDef(LayerDef(
        "avgpool",
        (
            Param("kernel_size", PAIR, short=("kernel", "k"), minimum=1),
            Param("stride", PAIR, SAME_AS_KERNEL, ("s",), minimum=1),
            Param("padding", PADDING, 0, ("p", "pad")),
            Param("ceil_mode", BOOL, False, ("ceil",)),
            Param("count_include_pad", BOOL, True, ("cip",)),
        ),
        (),
        "nn.AvgPool2d",
    ), "pool", _window_rule, "", window_solve, pool),
    OpDef(LayerDef("gap", (Param("output_size", SIZE, 1, ("size", "out", "o"), minimum=1),),
                   ("globalavgpool",), "nn.AdaptiveAvgPool2d"),
          "pool", _ADAPTIVE_RULE, "", _adaptive_solve, adaptive),
    OpDef(LayerDef("gmp", (Param("output_size", SIZE, 1, ("size", "out", "o"), minimum=1),),
                   ("globalmaxpool",), "nn.AdaptiveMaxPool2d"),
          "pool", _ADAPTIVE_RULE, "", _adaptive_solve, adaptive),
]
