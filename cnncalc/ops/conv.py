"""Convolutions: conv (nn.Conv2d), dwconv (depthwise) and convt (nn.ConvTranspose2d)."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction
from typing import Any

from .base import ConvArgs, ConvTArgs, OpDef, Rule, Step, Window
from .shape import KERAS, Shape, numel
from .signature import BOOL, CHOICE, INT, PADDING, PAIR, Layer, LayerDef, Param, format_value
from .window import (
    Axis,
    Refusal,
    as_int,
    axes_text,
    axis_pad,
    conv_axis,
    drop_notes,
    need_map,
    pad_check_explicit,
    padding_notes,
    pair,
)


def _conv_params(transposed: bool) -> tuple[Param, ...]:
    head = (
        Param("out_channels", INT, short=("out", "c", "filters"), minimum=1),
        Param("kernel_size", PAIR, short=("kernel", "k"), minimum=1),
        Param("stride", PAIR, 1, ("s",), minimum=1),
        Param("padding", PADDING, 0, ("p", "pad")),
    )
    tail = (
        Param("dilation", PAIR, 1, ("d",), minimum=1),
        Param("groups", INT, 1, ("g",), minimum=1),
        Param("bias", BOOL, True, ("b",)),
    )
    if transposed:
        return head + (Param("output_padding", PAIR, 0, ("op",)),) + tail
    # What the padded border holds: no shape or count depends on it, but the model does.
    return head + tail + (Param("padding_mode", CHOICE, "zeros",
                                choices=("zeros", "reflect", "replicate", "circular")),)


def conv(layer: Layer, shape: Shape, convention: str) -> Step:
    c, h, w = need_map(shape, "conv")
    k, s, d = pair(layer["kernel_size"]), pair(layer["stride"]), pair(layer["dilation"])
    g, out_c, bias = as_int(layer["groups"]), as_int(layer["out_channels"]), bool(layer["bias"])
    if c % g:
        raise Refusal(f"groups={g} must divide the {c} input channels")
    if out_c % g:
        raise Refusal(f"groups={g} must divide out_channels={out_c}")
    ke = (d[0] * (k[0] - 1) + 1, d[1] * (k[1] - 1) + 1)
    pad_check_explicit(layer, convention, False, ke, s)
    pad = layer["padding"]
    ah = conv_axis(h, ke[0], s[0], axis_pad(pad, 0), convention)
    aw = conv_axis(w, ke[1], s[1], axis_pad(pad, 1), convention)
    out = (out_c, ah.out, aw.out)
    per_out = (c // g) * k[0] * k[1]
    weights = per_out * out_c
    params = weights + (out_c if bias else 0)
    cin = f"({c}/{g})" if g > 1 else f"{c}"
    pf = f"({k[0]}·{k[1]}·{cin})·{out_c}" + (f" + {out_c}" if bias else "") + f" = {params}"
    macs = numel(out) * per_out
    notes = drop_notes(ah, aw, h, w) + padding_notes(layer, ke)
    if g > 1:
        notes.append(f"groups={g}: each filter sees {c // g} of {c} channels, "
                     f"{g}x fewer weights than groups=1")
    formula = axes_text(ah, aw)
    if d != (1, 1):
        formula = f"dilated kernel {format_value(ke)}; " + formula
    torch_pad = pad if isinstance(pad, str) and convention != KERAS else None
    return Step(
        out, params, 0, macs, formula, pf,
        f"{numel(out)} outputs · {per_out} = {macs}", tuple(notes),
        (Window(ke[0], s[0], ah.pad_left), Window(ke[1], s[1], aw.pad_left)),
        args=ConvArgs(c, out_c, k, s, d, g, bias,
                      (ah.pad_left, ah.pad_right, aw.pad_left, aw.pad_right), torch_pad,
                      str(layer.args.get("padding_mode", "zeros"))),
    )


def dwconv(layer: Layer, shape: Shape, convention: str) -> Step:
    """Depthwise convolution (Keras DepthwiseConv2D): conv with groups = input channels."""
    c = need_map(shape, "dwconv")[0]
    m = as_int(layer["depth_multiplier"])
    args = {"out_channels": c * m, "kernel_size": layer["kernel_size"],
            "stride": layer["stride"], "padding": layer["padding"],
            "dilation": layer["dilation"], "groups": c, "bias": layer["bias"]}
    step = conv(Layer("conv", args), shape, convention)
    notes = tuple(n for n in step.notes if not n.startswith("groups="))
    return replace(step, notes=notes + (f"depthwise: each of the {c} channels has its own "
                                        f"{m} filter{'s' * (m > 1)}",))


def _convt_axis(n: int, s: int, d_k: int, pad: Any, op: int, axis: int,
                convention: str) -> Axis:
    if pad == "same":
        if convention != KERAS:
            raise Refusal("PyTorch's ConvTranspose2d has no padding='same'",
                          "write padding=N with output_padding, or use --convention keras")
        if op == 0:
            return Axis(n * s, 0, 0, f"{n}·{s} = {n * s} (same)")
        p = d_k // 2
    elif pad == "valid":
        p = 0
        if convention == KERAS and op == 0:
            out = n * s + max(d_k - s, 0)
            return Axis(out, 0, 0, f"{n}·{s} + max({d_k} - {s}, 0) = {out} (valid)")
    else:
        p = pair(pad)[axis]
    out = (n - 1) * s - 2 * p + d_k + op
    if out < 1:
        raise Refusal(f"output size {out} is below 1")
    op_txt = f" + {op}" if op else ""
    pad_txt = f" - 2·{p}" if p else ""
    return Axis(out, p, p, f"({n} - 1)·{s}{pad_txt} + {d_k}{op_txt} = {out}")


def convt(layer: Layer, shape: Shape, convention: str) -> Step:
    c, h, w = need_map(shape, "convt")
    k, s, d = pair(layer["kernel_size"]), pair(layer["stride"]), pair(layer["dilation"])
    op = pair(layer["output_padding"])
    g, out_c, bias = as_int(layer["groups"]), as_int(layer["out_channels"]), bool(layer["bias"])
    if c % g:
        raise Refusal(f"groups={g} must divide the {c} input channels")
    if out_c % g:
        raise Refusal(f"groups={g} must divide out_channels={out_c}")
    for o, ss, dd in zip(op, s, d):
        if o >= max(ss, dd):
            raise Refusal(f"output_padding {o} must be smaller than the stride {ss} "
                          f"or the dilation {dd}")
    ke = (d[0] * (k[0] - 1) + 1, d[1] * (k[1] - 1) + 1)
    ah = _convt_axis(h, s[0], ke[0], layer["padding"], op[0], 0, convention)
    aw = _convt_axis(w, s[1], ke[1], layer["padding"], op[1], 1, convention)
    out = (out_c, ah.out, aw.out)
    per_in = (out_c // g) * k[0] * k[1]
    params = c * per_in + (out_c if bias else 0)
    cout = f"({out_c}/{g})" if g > 1 else f"{out_c}"
    pf = f"{c}·({k[0]}·{k[1]}·{cout})" + (f" + {out_c}" if bias else "") + f" = {params}"
    macs = numel(shape) * per_in
    # Keras 'same'/'valid' without output_padding derive their own torch equivalent.
    tp = (ah.pad_left, aw.pad_left)
    top = [ah.out - ((h - 1) * s[0] - 2 * tp[0] + ke[0]),
           aw.out - ((w - 1) * s[1] - 2 * tp[1] + ke[1])]
    crop = (max(-top[0], 0), max(-top[1], 0))
    extra = (max(top[0], 0), max(top[1], 0))
    return Step(
        out, params, 0, macs, axes_text(ah, aw), pf,
        f"{numel(shape)} inputs · {per_in} = {macs}", (),
        (Window(ke[0], Fraction(1, s[0]), ah.pad_left, True),
         Window(ke[1], Fraction(1, s[1]), aw.pad_left, True)),
        args=ConvTArgs(c, out_c, k, s, tp, extra, crop, d, g, bias),
    )


def _window_rule(args: Any, formula: str, convention: str) -> str:
    """The output-size rule of a sliding window (conv and pooling), as explain states it."""
    dilated = getattr(args, "dilation", (1, 1)) != (1, 1)
    ceil = bool(getattr(args, "ceil_mode", False))
    if isinstance(args, ConvArgs) and args.padding == "same":
        return "'same' (stride 1): total padding D·(F − 1), the odd one at bottom/right; O = N"
    if convention == KERAS and "same" in formula:
        return "Keras 'same': O = ⌈N/S⌉, padding max((O − 1)·S + F − N, 0), extra at " \
               "bottom/right"
    core = "N + 2P − D·(F − 1) − 1" if dilated else "N − F + 2P"
    if ceil:
        return (f"O = ⌈({core})/S⌉ + 1, less 1 if the last window would start beyond the "
                "input and its left padding")
    return f"O = ⌊({core})/S⌋ + 1" if dilated else f"O = ({core})/S + 1, rounded down"


def _convt_rule(args: Any, formula: str, convention: str) -> str:
    if convention == KERAS and "same" in formula:
        return "Keras 'same': O = N·S"
    if convention == KERAS and "valid" in formula:
        return "Keras 'valid': O = N·S + max(F − S, 0)"
    return "O = (N − 1)·S − 2P + D·(F − 1) + output_padding + 1"


def window_solve(layer: Layer, axis: int) -> Rule:
    """Solve rule of a sliding window (conv, dwconv, max and average pooling)."""
    k = pair(layer["kernel_size"])[axis]
    s = pair(layer["stride"])[axis]
    d = pair(layer.args.get("dilation", 1))[axis]
    ke = d * (k - 1) + 1
    pad = layer["padding"]
    if pad == "same":
        return ("keep",) if s == 1 and layer.kind in ("conv", "dwconv") else ("never",)
    p = 0 if pad == "valid" else pair(pad)[axis]
    return ("window", ke, s, p, bool(layer.args.get("ceil_mode", False)))


def _convt_solve(layer: Layer, axis: int) -> Rule:
    k = pair(layer["kernel_size"])[axis]
    s = pair(layer["stride"])[axis]
    d = pair(layer["dilation"])[axis]
    pad = layer["padding"]
    if pad == "same":
        return ("never",)
    p = 0 if pad == "valid" else pair(pad)[axis]
    return ("convt", s, p, d * (k - 1) + 1 + pair(layer["output_padding"])[axis])


OPS = [
    OpDef(LayerDef("conv", _conv_params(False), (), "nn.Conv2d"), "conv", _window_rule,
          "(F_h·F_w·C_in/groups)·C_out + C_out (bias)", window_solve, conv),
    OpDef(LayerDef("convt", _conv_params(True), ("deconv",), "nn.ConvTranspose2d"), "conv",
          _convt_rule, "C_in·(F_h·F_w·C_out/groups) + C_out (bias)", _convt_solve, convt),
    OpDef(LayerDef(
        "dwconv",
        (
            Param("kernel_size", PAIR, short=("kernel", "k"), minimum=1),
            Param("stride", PAIR, 1, ("s",), minimum=1),
            Param("padding", PADDING, 0, ("p", "pad")),
            Param("depth_multiplier", INT, 1, ("m",), minimum=1),
            Param("dilation", PAIR, 1, ("d",), minimum=1),
            Param("bias", BOOL, True, ("b",)),
        ),
        ("depthwise",),
        "nn.Conv2d(groups=C)",
    ), "conv", _window_rule, "F_h·F_w·C_in·multiplier + C_out (bias)", window_solve, dwconv),
]
