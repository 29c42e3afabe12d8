"""Keras source for a computed model: text only, a keras.Sequential a user can paste."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from ..calc.summary import LayerInfo, Summary
from ..errors import UsageError
from ..ir.tree import OUTPUTS
from ..ops.base import (
    AdaptiveArgs,
    BatchNormArgs,
    ConvArgs,
    ConvTArgs,
    LinearArgs,
    NormArgs,
    PadArgs,
    PoolArgs,
    ReshapeArgs,
    UpsampleArgs,
)
from ..ops.shape import KERAS, format_shape
from .codegen import comment_lines, literal, shared_name, spec_text

_ACTIVATIONS = {"relu": "relu", "tanh": "tanh", "sigmoid": "sigmoid", "gelu": "gelu",
                "elu": "elu", "silu": "silu", "relu6": "relu6", "softmax": "softmax",
                "logsoftmax": "log_softmax"}


def _number(row: LayerInfo, name: str, value: object) -> str:
    """A float argument as source; a NaN or an infinity is refused, naming the layer."""
    if not isinstance(value, (int, float)) or isinstance(value, bool) or \
            not math.isfinite(value):
        raise UsageError(f"layer {row.path} {row.spec}: its {name} is {value!r}, which no "
                         "model can use", "give a finite number")
    return literal(float(value))


def _pair(v: tuple[int, int]) -> str:
    return str(v[0]) if v[0] == v[1] else f"({v[0]}, {v[1]})"


def _keras_same(n: int, k: int, s: int) -> tuple[int, int, int]:
    """(out, pad before, pad after) of Keras padding='same' on one axis."""
    out = -(-n // s)
    total = max((out - 1) * s + k - n, 0)
    return out, total // 2, total - total // 2


def _valid(n: int, k: int, s: int) -> int:
    return (n - k) // s + 1


def _padding(row: LayerInfo, k: tuple[int, int], s: tuple[int, int],
             pads: tuple[int, int, int, int]) -> tuple[list[str], str]:
    """(layers to put first, Keras padding) reproducing the torch pads and output size."""
    _, h, w = row.input_shape
    oh, ow = row.output_shape[1], row.output_shape[2]
    t, b, lft, r = pads
    if not any(pads) and (_valid(h, k[0], s[0]), _valid(w, k[1], s[1])) == (oh, ow):
        return [], "valid"
    sh, sw = _keras_same(h, k[0], s[0]), _keras_same(w, k[1], s[1])
    if (sh, sw) == ((oh, t, b), (ow, lft, r)):
        return [], "same"
    if (_valid(h + t + b, k[0], s[0]), _valid(w + lft + r, k[1], s[1])) != (oh, ow):
        raise UsageError(f"layer {row.path} {row.spec} has no exact Keras equivalent",
                         "export it with --export py")
    return [f"layers.ZeroPadding2D((({t}, {b}), ({lft}, {r}))),"], "valid"


def _ceil_pads(row: LayerInfo, k: tuple[int, int], s: tuple[int, int],
               pads: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    """Bottom/right padding that makes floor division give ceil_mode's extra window."""
    _, h, w = row.input_shape
    oh, ow = row.output_shape[1], row.output_shape[2]
    t, b, lft, r = pads
    b = max(b, (oh - 1) * s[0] + k[0] - h - t)
    r = max(r, (ow - 1) * s[1] + k[1] - w - lft)
    return t, b, lft, r


def _conv(row: LayerInfo, a: ConvArgs) -> list[str]:
    if a.padding_mode != "zeros":
        raise UsageError(f"layer {row.path} {row.spec}: Keras pads with zeros only "
                         f"(padding_mode={a.padding_mode!r})", "export it with --export py")
    k, s, d = a.kernel_size, a.stride, a.dilation
    if max(s) > 1 and max(d) > 1:
        raise UsageError(f"layer {row.path} {row.spec}: Keras allows no stride above 1 with a "
                         "dilation above 1", "export it with --export py")
    ke = (d[0] * (k[0] - 1) + 1, d[1] * (k[1] - 1) + 1)
    first, padding = _padding(row, ke, s, a.pads)
    args = [f"kernel_size={_pair(k)}"]
    if s != (1, 1):
        args.append(f"strides={_pair(s)}")
    if padding != "valid":
        args.append(f"padding={padding!r}")
    if d != (1, 1):
        args.append(f"dilation_rate={_pair(d)}")
    if row.kind == "dwconv":
        m = a.out_channels // a.in_channels
        if m != 1:
            args.append(f"depth_multiplier={m}")
        head = "layers.DepthwiseConv2D("
    else:
        if a.groups != 1:
            args.append(f"groups={a.groups}")
        head = f"layers.Conv2D({a.out_channels}, "
    if not a.bias:
        args.append("use_bias=False")
    return [*first, head + ", ".join(args) + "),"]


def _convt(row: LayerInfo, a: ConvTArgs) -> list[str]:
    if a.groups != 1:
        raise UsageError(f"layer {row.path} {row.spec}: Keras' Conv2DTranspose has no groups",
                         "export it with --export py")
    k, s, d = a.kernel_size, a.stride, a.dilation
    ke = (d[0] * (k[0] - 1) + 1, d[1] * (k[1] - 1) + 1)
    _, h, w = row.input_shape
    full = ((h - 1) * s[0] + ke[0], (w - 1) * s[1] + ke[1])
    out = (row.output_shape[1], row.output_shape[2])
    p = a.padding
    # Keras with output_padding given: (n - 1)·s + k + op; crop p before and the rest after.
    extra = [out[i] - full[i] + p[i] for i in range(2)]
    op = (max(extra[0], 0), max(extra[1], 0))
    crop_after = (max(-extra[0], 0), max(-extra[1], 0))
    if any(o >= ss for o, ss in zip(op, s)):
        raise UsageError(f"layer {row.path} {row.spec} has no exact Keras equivalent",
                         "export it with --export py")
    args = [f"{a.out_channels}", f"kernel_size={_pair(k)}"]
    if s != (1, 1):
        args.append(f"strides={_pair(s)}")
    args.append(f"output_padding={_pair((op[0], op[1]))}")
    if d != (1, 1):
        args.append(f"dilation_rate={_pair(d)}")
    if not a.bias:
        args.append("use_bias=False")
    lines = ["layers.Conv2DTranspose(" + ", ".join(args) + "),"]
    if p != (0, 0) or crop_after != (0, 0):
        lines.append(f"layers.Cropping2D((({p[0]}, {crop_after[0]}), ({p[1]}, "
                     f"{crop_after[1]}))),")
    return lines


def _pool(row: LayerInfo, a: PoolArgs) -> list[str]:
    if a.dilation != (1, 1):
        raise UsageError(f"layer {row.path} {row.spec}: Keras pooling has no dilation",
                         "export it with --export py")
    k, s = a.kernel_size, a.stride
    pads = a.pads
    if a.ceil_mode:
        pads = _ceil_pads(row, k, s, pads)
    first, padding = _padding(row, k, s, pads)
    name = "MaxPooling2D" if row.kind == "maxpool" else "AveragePooling2D"
    args = [f"pool_size={_pair(k)}"]
    if s != k:
        args.append(f"strides={_pair(s)}")
    if padding != "valid":
        args.append(f"padding={padding!r}")
    note = "  # zero padding: same shapes, values may differ from PyTorch" if first else ""
    return [*first, f"layers.{name}({', '.join(args)}),{note}"]


def _global(row: LayerInfo, a: AdaptiveArgs) -> list[str]:
    (oh, ow) = a.output_size
    _, h, w = row.input_shape
    name = "Average" if row.kind == "gap" else "Max"
    if (oh, ow) == (1, 1):
        return [f"layers.Global{name}Pooling2D(keepdims=True),"]
    if h % oh == 0 and w % ow == 0:
        return [f"layers.{name}Pooling2D(pool_size={_pair((h // oh, w // ow))}),"]
    raise UsageError(f"layer {row.path} {row.spec}: uneven adaptive pooling has no Keras "
                     "layer", "export it with --export py")


def _fc(row: LayerInfo, a: LinearArgs) -> list[str]:
    dense = f"layers.Dense({a.out_features}" + ("" if a.bias else ", use_bias=False") + "),"
    rank = len(row.input_shape)
    if a.over == "flat" or (a.over == "c" and rank == 3):
        return [dense]  # Keras' Dense acts on the last axis: a channels-last map's channels
    if a.over != "last" or rank != 3:
        raise UsageError(f"layer {row.path} {row.spec}: fc over={a.over} on "
                         f"{format_shape(row.input_shape, KERAS)} has no Keras layer",
                         "export it with --export py")
    # torch's last axis of C x H x W is W; Keras holds H x W x C: bring W last and back.
    return ["layers.Permute((1, 3, 2)),", dense, "layers.Permute((1, 3, 2)),"]


def _bn(row: LayerInfo, a: BatchNormArgs) -> list[str]:
    if not a.track_running_stats:
        raise UsageError(f"layer {row.path}: Keras' BatchNormalization always keeps "
                         "running statistics")
    args = []
    if a.eps != 1e-3:
        args.append(f"epsilon={_number(row, 'eps', a.eps)}")
    momentum = round(1.0 - float(a.momentum), 12)
    if momentum != 0.99:
        args.append(f"momentum={_number(row, 'momentum', momentum)}")
    if not a.affine:
        args += ["center=False", "scale=False"]
    return [f"layers.BatchNormalization({', '.join(args)}),"]


def _zeropad(row: LayerInfo, a: PadArgs) -> list[str]:
    t, b, lft, r = (a.pads[2], a.pads[3], a.pads[0], a.pads[1])
    if min(t, b, lft, r) >= 0:
        return [f"layers.ZeroPadding2D((({t}, {b}), ({lft}, {r}))),"]
    if max(t, b, lft, r) <= 0:
        return [f"layers.Cropping2D((({-t}, {-b}), ({-lft}, {-r}))),"]
    raise UsageError(f"layer {row.path}: padding on one side and cropping on another "
                     "has no single Keras layer", "split it into two zeropad layers")


def _norm_tail(row: LayerInfo, a: NormArgs) -> list[str]:
    out = []
    if a.eps != 1e-3:
        out.append(f"epsilon={_number(row, 'eps', a.eps)}")
    if not a.affine:
        out += ["center=False", "scale=False"]
    return out


def _groupnorm(row: LayerInfo, a: NormArgs) -> list[str]:
    if a.track_running_stats:
        raise UsageError(f"layer {row.path} {row.spec}: Keras has no instance norm with "
                         "running statistics", "export it with --export py")
    # Instance norm is group norm with one channel per group.
    args = [f"groups={a.num_groups}", *_norm_tail(row, a)]
    return [f"layers.GroupNormalization({', '.join(args)}),"]


def _layernorm(row: LayerInfo, a: NormArgs) -> list[str]:
    flat = len(row.input_shape) == 1
    # Keras' tensors are H x W x C: channels are axis -1, W is axis 2.
    axis = {"c": "-1", "chw": "-1" if flat else "[1, 2, 3]", "last": "-1" if flat else "2"}[
        a.over]
    args = ([f"axis={axis}"] if axis != "-1" else []) + _norm_tail(row, a)
    return [f"layers.LayerNormalization({', '.join(args)}),"]


def _upsample(row: LayerInfo, a: UpsampleArgs) -> list[str]:
    if a.align_corners:
        raise UsageError(f"layer {row.path} {row.spec}: Keras' UpSampling2D has no "
                         "align_corners", "export it with --export py")
    if not all(float(f).is_integer() for f in a.scale):
        raise UsageError(f"layer {row.path} {row.spec}: Keras' UpSampling2D takes whole "
                         "factors", "export it with --export py")
    size = (int(a.scale[0]), int(a.scale[1]))
    mode = "" if a.mode == "nearest" else f", interpolation={a.mode!r}"
    return [f"layers.UpSampling2D(size={_pair(size)}{mode}),"]


def _reshape(row: LayerInfo, a: ReshapeArgs) -> list[str]:
    if len(a.shape) == 1:  # to a flat vector, in the same order as flatten
        return _flatten(row, a)
    raise UsageError(f"layer {row.path} {row.spec}: Keras keeps maps as H x W x C, so a "
                     "reshape of a map has no exact Keras equivalent",
                     "export it with --export py")


def _no_keras(why: str) -> Writer:
    def write(row: LayerInfo, a: Any) -> list[str]:
        raise UsageError(f"layer {row.path} {row.spec}: {why}", "export it with --export py")
    return write


def _flatten(row: LayerInfo, a: Any) -> list[str]:
    return ["layers.Flatten(),"]


def _plain(name: str) -> Writer:
    return lambda row, a: [f"layers.Activation({name!r}),"]


Writer = Callable[[LayerInfo, Any], list[str]]

WRITERS: dict[str, Writer] = {
    "conv": _conv, "dwconv": _conv, "convt": _convt, "maxpool": _pool, "avgpool": _pool,
    "gap": _global, "gmp": _global, "fc": _fc, "flatten": _flatten, "bn": _bn,
    "zeropad": _zeropad, "groupnorm": _groupnorm, "instancenorm": _groupnorm,
    "layernorm": _layernorm, "upsample": _upsample, "reshape": _reshape,
    "dropout": lambda row, a: [f"layers.Dropout({_number(row, 'p', a.get('p'))}),"],
    "leakyrelu": lambda row, a: [
        "layers.LeakyReLU(negative_slope="
        f"{_number(row, 'negative_slope', a.get('negative_slope'))}),"],
    **{kind: _plain(name) for kind, name in _ACTIVATIONS.items()},
    "hardswish": _plain("hard_swish"), "hardsigmoid": _plain("hard_sigmoid"),
    "lrn": _no_keras("Keras has no local response normalisation layer"),
    "pixelshuffle": _no_keras("Keras has no pixel shuffle layer (tf.nn.depth_to_space "
                              "orders channels differently)"),
    "channelshuffle": _no_keras("Keras has no channel shuffle layer"),
    "permute": _no_keras("Keras keeps maps as H x W x C, so a permute of a map has no exact "
                         "Keras equivalent"),
    "slice": _no_keras("Keras has no layer that takes a slice of the channels"),
}
"""The Keras layer of each one-input kind, or the reason there is none: a kind missing here
fails tests/test_ops.py instead of falling through."""

JOINS = {"cat": "layers.Concatenate()", "add": "layers.Add()", "mul": "layers.Multiply()",
         "mean": "layers.Average()", "max": "layers.Maximum()"}


def _leaf(row: LayerInfo) -> list[str]:
    return WRITERS[row.kind](row, row.args)


def _has_residual(rows: tuple[LayerInfo, ...]) -> bool:
    """A residual or a join anywhere: the model needs Keras' functional API."""
    return any(r.kind == "residual" or r.branches or _has_residual(r.children) for r in rows)


def _functional(rows: tuple[LayerInfo, ...], var: str, lines: list[str],
                names: list[int], owners: frozenset[str] = frozenset(),
                outputs: dict[int, str] | None = None) -> None:
    """`var = layers.X(...)(var)` for each layer; a residual block adds its shortcut. A
    layer whose weights later rows share (`owners`) is one object, `shared_N = layers.X(...)`,
    applied at each of its rows. An outputs block puts each output's variable in `outputs`
    by its place."""
    for row in rows:
        if row.kind == "repeat":
            _functional(row.children, var, lines, names, owners, outputs)
        elif row.starts:  # where the model's inputs meet: each branch reads its own
            outs = []
            for start, rows_b in zip(row.starts, row.branches):
                # -1: a further such block, whose branches read the inputs themselves
                begin = f"inputs[{start}]" if start >= 0 else ""
                if not rows_b:
                    outs.append(begin)
                    continue
                names[0] += 1
                b = f"branch{names[0]}"
                if begin:
                    lines.append(f"    {b} = {begin}")
                _functional(rows_b, b, lines, names, owners, outputs)
                outs.append(b)
            if row.kind == OUTPUTS:
                assert outputs is not None, "to_keras passes the outputs of such a model"
                outputs.update((place, b) for place, b in zip(row.places, outs) if place >= 0)
            else:
                out = format_shape(row.output_shape, KERAS)
                lines.append(f"    {var} = {JOINS[row.kind]}([{', '.join(outs)}])  # {out}")
        elif row.kind == OUTPUTS:
            assert outputs is not None, "to_keras passes the outputs of such a model"
            names[0] += 1
            saved = f"branch_in{names[0]}"
            lines.append(f"    {saved} = {var}")
            for place, rows_b in zip(row.places, row.branches):
                names[0] += 1
                b = f"branch{names[0]}"
                lines.append(f"    {b} = {saved}")
                _functional(rows_b, b, lines, names, owners, outputs)
                if place >= 0:
                    outputs[place] = b
        elif row.kind == "residual":
            names[0] += 1
            saved = f"shortcut{names[0]}"
            lines.append(f"    {saved} = {var}")
            _functional(row.children, var, lines, names, owners, outputs)
            _functional(row.shortcut, saved, lines, names, owners, outputs)
            out = format_shape(row.output_shape, KERAS)
            lines.append(f"    {var} = layers.Add()([{var}, {saved}])  # {out}")
        elif row.branches:
            names[0] += 1
            saved = f"branch_in{names[0]}"
            lines.append(f"    {saved} = {var}")
            outs = []
            for rows_b in row.branches:
                if not rows_b:  # the block's input itself
                    outs.append(saved)
                    continue
                names[0] += 1
                b = f"branch{names[0]}"
                lines.append(f"    {b} = {saved}")
                _functional(rows_b, b, lines, names, owners, outputs)
                outs.append(b)
            out = format_shape(row.output_shape, KERAS)
            lines.append(f"    {var} = {JOINS[row.kind]}([{', '.join(outs)}])  # {out}")
        else:
            body = _leaf(row)
            key = row.shares or (row.path if row.path in owners else "")
            for i, text in enumerate(body):
                call, _, note = text.partition("  # ")
                if i == len(body) - 1 and not note:
                    note = format_shape(row.output_shape, KERAS)
                layer = call.rstrip(",")
                if key:  # one layer object, made at its first row
                    obj = f"{shared_name(key)}_{i}"
                    if not row.shares:
                        lines.append(f"    {obj} = {layer}")
                    layer = obj
                lines.append(f"    {var} = {layer}({var})" + (f"  # {note}" if note else ""))


def _hwc(shape: tuple[int, ...]) -> tuple[int, ...]:
    return (shape[1], shape[2], shape[0]) if len(shape) == 3 else shape


def to_keras(summary: Summary, name: str = "model") -> str:
    """Keras source with the same shapes and parameter counts as the summary: a
    keras.Sequential, or the functional API when there is a residual block or a layer
    applied at several rows."""
    shape = summary.input_shape
    keras_shape = (shape[1], shape[2], shape[0]) if len(shape) == 3 else shape
    if not (name.isascii() and name.isidentifier()):
        raise UsageError(f"the Keras model name {name[:40]!r} is not an ASCII identifier")
    lines = [f'"""{name}: generated by cnncalc (Keras 3 or tf.keras)."""', "",
             "import keras", "from keras import layers", "",
             *comment_lines(spec_text(summary), "spec: "), ""]
    owners = frozenset(r.shares for r in summary.leaves() if r.shares)
    if _has_residual(summary.layers) or owners:
        body: list[str] = []
        found: dict[int, str] = {}
        _functional(summary.layers, "x", body, [0], owners, found)
        returned = "x"
        if summary.outputs:  # several: a list, in the order the code returned them
            assert sorted(found) == list(range(len(summary.outputs)))
            returned = f"[{', '.join(found[i] for i in range(len(found)))}]"
            body.append("    # outputs: " + ", ".join(
                format_shape(shape, KERAS) for _, shape in summary.outputs))
        if summary.inputs:  # several: a list of keras.Input, each named as the code names it
            given = ["    inputs = [  # as the model takes them"] + [
                f"        keras.Input(shape={tuple(_hwc(s))!r}, name={literal(n)}),"
                for n, s in summary.inputs] + ["    ]"]
        else:
            given = [f"    inputs = keras.Input(shape={tuple(keras_shape)!r})", "    x = inputs"]
        return "\n".join([
            *lines, f"def build_{name}() -> keras.Model:",
            *given,
            *body, f"    return keras.Model(inputs, {returned})", "", "",
            f"{name} = build_{name}()", ""])
    lines.append(f"{name} = keras.Sequential([")
    lines.append(f"    keras.Input(shape={tuple(keras_shape)!r}),")
    for row in summary.leaves():
        out = format_shape(row.output_shape, KERAS)
        body = _leaf(row)
        body[-1] = body[-1] + ("" if "#" in body[-1] else f"  # {out}")
        lines += ["    " + x for x in body]
    if summary.convention != KERAS and any(r.kind == "flatten" and len(r.input_shape) == 3
                                           for r in summary.leaves()):
        lines.append("    # Flatten orders features H, W, C in Keras and C, H, W in PyTorch: "
                     "same counts, other order")
    lines += ["])", ""]
    return "\n".join(lines)
