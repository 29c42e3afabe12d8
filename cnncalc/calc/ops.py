"""Per-layer math: output shape, parameters and MACs of one layer, under PyTorch or Keras rules."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any

from ..errors import cut
from ..spec import Layer, format_value
from .shape import KERAS, Shape, format_shape, numel
from .window import (
    Axis,
    Refusal,
    as_int,
    axes_text,
    axis_pad,
    conv_axis,
    drop_notes,
    pad_check_explicit,
    padding_notes,
    pair,
)


@dataclass(frozen=True)
class Window:
    """How one spatial axis is sampled: the receptive-field view of a layer."""

    kernel: int  # effective (dilated) size
    stride: int | Fraction  # a fraction 1/s for transposed convolutions
    pad_left: int
    transposed: bool = False


@dataclass(frozen=True)
class Step:
    """What one layer does to its input."""

    output_shape: Shape
    trainable: int = 0
    non_trainable: int = 0
    macs: int = 0
    formula: str = ""
    param_formula: str = ""
    mac_formula: str = ""
    notes: tuple[str, ...] = ()
    windows: tuple[Window, Window] | None = None  # None: spatially pointwise
    global_view: bool = False  # every output sees the whole input (flatten, fc)
    torch_args: dict[str, Any] = field(default_factory=dict)


def _need_map(shape: Shape, what: str) -> tuple[int, int, int]:
    if len(shape) != 3:
        raise Refusal(f"{what} needs a CxHxW input but got the flat vector {shape[0]}",
                      "put it before flatten/fc")
    return shape[0], shape[1], shape[2]


def conv(layer: Layer, shape: Shape, convention: str) -> Step:
    c, h, w = _need_map(shape, "conv")
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
    torch_pad: Any = pad if pad in ("same", "valid") and convention != KERAS else None
    return Step(
        out, params, 0, macs, formula, pf,
        f"{numel(out)} outputs · {per_out} = {macs}", tuple(notes),
        (Window(ke[0], s[0], ah.pad_left), Window(ke[1], s[1], aw.pad_left)),
        torch_args=dict(in_channels=c, out_channels=out_c, kernel_size=k, stride=s,
                        padding=torch_pad, pads=(ah.pad_left, ah.pad_right, aw.pad_left,
                                                 aw.pad_right),
                        dilation=d, groups=g, bias=bias),
    )


def dwconv(layer: Layer, shape: Shape, convention: str) -> Step:
    """Depthwise convolution (Keras DepthwiseConv2D): conv with groups = input channels."""
    c = _need_map(shape, "dwconv")[0]
    m = as_int(layer["depth_multiplier"])
    args = {"out_channels": c * m, "kernel_size": layer["kernel_size"],
            "stride": layer["stride"], "padding": layer["padding"],
            "dilation": layer["dilation"], "groups": c, "bias": layer["bias"]}
    step = conv(Layer("conv", args), shape, convention)
    notes = tuple(n for n in step.notes if not n.startswith("groups="))
    return replace(step, notes=notes + (f"depthwise: each of the {c} channels has its own "
                                        f"{m} filter{'s' * (m > 1)}",))


def zeropad(layer: Layer, shape: Shape, convention: str) -> Step:
    c, h, w = _need_map(shape, "zeropad")
    t, b, lft, r = (as_int(layer[k]) for k in ("top", "bottom", "left", "right"))
    out = (c, h + t + b, w + lft + r)
    if min(out) < 1:
        raise Refusal(f"cropping leaves {out[1]}x{out[2]}, below 1x1")
    return Step(out, 0, 0, 0, f"H: {h} + {t}+{b} = {out[1]}; W: {w} + {lft}+{r} = {out[2]}",
                "no parameters", "0", (), (Window(1, 1, t), Window(1, 1, lft)),
                torch_args=dict(pads=(lft, r, t, b)))


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
    c, h, w = _need_map(shape, "convt")
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
    tp = [ah.pad_left, aw.pad_left]
    top = [ah.out - ((h - 1) * s[0] - 2 * tp[0] + ke[0]), aw.out - ((w - 1) * s[1] - 2 * tp[1]
                                                                       + ke[1])]
    crop = [max(-x, 0) for x in top]
    top = [max(x, 0) for x in top]
    return Step(
        out, params, 0, macs, axes_text(ah, aw), pf,
        f"{numel(shape)} inputs · {per_in} = {macs}", (),
        (Window(ke[0], Fraction(1, s[0]), ah.pad_left, True),
         Window(ke[1], Fraction(1, s[1]), aw.pad_left, True)),
        torch_args=dict(in_channels=c, out_channels=out_c, kernel_size=k, stride=s,
                        padding=tuple(tp), output_padding=tuple(top), crop=tuple(crop),
                        dilation=d, groups=g, bias=bias),
    )


def pool(layer: Layer, shape: Shape, convention: str) -> Step:
    c, h, w = _need_map(shape, layer.kind)
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
    args: dict[str, Any] = dict(kernel_size=k, stride=s, ceil_mode=ceil,
                                pads=(ah.pad_left, ah.pad_right, aw.pad_left, aw.pad_right),
                                padding=None if pad == "same" else pair(0 if pad == "valid"
                                                                         else pad))
    if layer.kind == "maxpool":
        args["dilation"] = d
    else:
        args["count_include_pad"] = bool(layer["count_include_pad"])
    return Step(out, 0, 0, 0, axes_text(ah, aw), "no parameters", "0 (MACs count weights only)",
                tuple(notes),
                (Window(ke[0], s[0], ah.pad_left), Window(ke[1], s[1], aw.pad_left)),
                torch_args=args)


def adaptive_windows(n: int, o: int) -> tuple[int, int | Fraction]:
    """Largest window and mean stride of PyTorch's adaptive pooling from n to o."""
    largest = max(-(-((i + 1) * n) // o) - (i * n) // o for i in range(o)) if o <= 4096 else \
        -(-n // o) + 1
    return largest, (n // o if n % o == 0 else Fraction(n, o))


def gap(layer: Layer, shape: Shape, convention: str) -> Step:
    c, h, w = _need_map(shape, layer.kind)
    oh, ow = pair(layer["output_size"])
    kh, sh = adaptive_windows(h, oh)
    kw, sw = adaptive_windows(w, ow)
    formula = f"adaptive: {h}x{w} → {oh}x{ow}"
    if h % oh == 0 and w % ow == 0:
        formula += f" (windows {h // oh}x{w // ow}, stride {h // oh}x{w // ow})"
    else:
        formula += f" (uneven windows, up to {kh}x{kw})"
    return Step((c, oh, ow), 0, 0, 0, formula, "no parameters", "0 (MACs count weights only)", (),
                (Window(kh, sh, 0), Window(kw, sw, 0)), torch_args=dict(output_size=(oh, ow)))


def fc(layer: Layer, shape: Shape, convention: str) -> Step:
    if len(shape) != 1:
        raise Refusal(f"fc needs a flat input but got {format_shape(shape, convention)}",
                      "insert flatten before it (or gap-flatten)")
    n, out, bias = shape[0], as_int(layer["out_features"]), bool(layer["bias"])
    params = n * out + (out if bias else 0)
    pf = f"{n}·{out}" + (f" + {out}" if bias else "") + f" = {params}"
    return Step((out,), params, 0, n * out, f"{n} → {out}", pf, f"{n}·{out} = {n * out}", (),
                None, True, dict(in_features=n, out_features=out, bias=bias))


def flatten(layer: Layer, shape: Shape, convention: str) -> Step:
    n = numel(shape)
    notes = ("input is already flat",) if len(shape) == 1 else ()
    formula = "·".join(str(d) for d in shape) + f" = {n}"
    if convention == KERAS and len(shape) == 3:
        notes = ("Keras flattens in H,W,C order, PyTorch in C,H,W: weights of the next fc "
                 "differ in order, not in count",)
    return Step((n,), 0, 0, 0, formula, "no parameters", "0", notes, None, len(shape) == 3)


def batchnorm(layer: Layer, shape: Shape, convention: str) -> Step:
    c = shape[0]
    affine = bool(layer["affine"])
    stats = bool(layer["track_running_stats"])
    tr = 2 * c if affine else 0
    pf = (f"γ,β: 2·{c} = {tr} trainable" if affine else "no γ,β") + (
        f"; running mean,var: 2·{c} = {2 * c} non-trainable" if stats else
        "; no running statistics")
    return Step(shape, tr, 2 * c if stats else 0, 0, "shape unchanged", pf,
                "0 (normalisation is not counted)", (), None, False,
                dict(num_features=c, eps=layer["eps"], momentum=layer["momentum"],
                     affine=affine, track_running_stats=stats, dims=len(shape)))


def pointwise(layer: Layer, shape: Shape, convention: str) -> Step:
    if layer.kind == "lrn":
        _need_map(shape, "lrn")
    return Step(shape, 0, 0, 0, "shape unchanged", "no parameters", "0", (), None, False,
                dict(layer.args))


OPS = {
    "conv": conv,
    "dwconv": dwconv,
    "convt": convt,
    "zeropad": zeropad,
    "gmp": gap,
    "maxpool": pool,
    "avgpool": pool,
    "gap": gap,
    "fc": fc,
    "flatten": flatten,
    "bn": batchnorm,
}


MAX_SIDE = 10**12
MAX_VALUES = 10**15


def check_declared(layer: Layer, shape: Shape, giver: str, convention: str,
                   flattened: Shape | None = None) -> None:
    """The sizes a library call states (Conv2d's in_channels, Linear's in_features) against
    what the layer before it gives. `giver` names that layer ('layer 6 flatten'); `flattened`
    is what that layer flattened, when it is a flatten."""
    if not layer.declared:
        return
    said = dict(layer.declared)
    name = layer.source or layer.text
    giver += " has" if giver == "the input" else " gives"
    shown = format_shape(shape, convention)
    if "rank" in said:
        if said["rank"] == 3 and len(shape) != 3:
            raise Refusal(f"{name} needs a CxHxW input, but {giver} the flat vector "
                          f"{shape[0]}", "use BatchNorm1d after flatten")
        if said["rank"] == 1 and len(shape) != 1:
            raise Refusal(f"{name} needs a flat input, but {giver} {shown}",
                          "use BatchNorm2d on feature maps")
    if "channels" in said and len(shape) == 3 and said["channels"] != shape[0]:
        raise Refusal(f"{name} expects {said['channels']} input channels, but {giver} "
                      f"{shape[0]} ({shown})")
    if "channels" in said and len(shape) == 1 and layer.kind == "bn" and \
            said["channels"] != shape[0]:
        raise Refusal(f"{name} expects {said['channels']} input features, but {giver} "
                      f"{shape[0]}")
    if "features" in said:
        n = numel(shape)
        if said["features"] != n or (layer.kind == "fc" and len(shape) != 1):
            detail = f" ({shown})" if len(shape) > 1 else (
                f" ({format_shape(flattened, convention)})" if flattened else "")
            if layer.kind == "fc" and len(shape) != 1:
                raise Refusal(f"{name} expects {said['features']} input features, but {giver}"
                              f" a {shown} map", "flatten it first")
            raise Refusal(f"{name} expects {said['features']} input features, but {giver} "
                          f"{n}{detail}")


def check_size(step: Step, convention: str) -> None:
    """Outputs past 10^12 on a side or 10^15 values are refused, so no figure overflows."""
    if max(step.output_shape) > MAX_SIDE or numel(step.output_shape) > MAX_VALUES:
        raise Refusal(f"the output {cut_shape(step.output_shape, convention)} is too large "
                      "(over 10^12 on a side or 10^15 values)")


def cut_shape(shape: Shape, convention: str) -> str:
    return cut(format_shape(shape, convention), 60)


def apply(layer: Layer, shape: Shape, convention: str) -> Step:
    """Apply one layer to an input shape, or raise Refusal with the rule it broke."""
    return OPS.get(layer.kind, pointwise)(layer, shape, convention)
