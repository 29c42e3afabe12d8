"""Fully connected: fc (nn.Linear on a flat vector, or per position on a map).

`over` says which axis a map's fc transforms. `flat` (the default) takes only a flat vector,
so a spec that forgets its flatten is an error rather than a per-position layer. `c` is Keras'
Dense on a channels-last map: the same C -> units matrix at every position (H and W kept).
`last` is torch's nn.Linear on a CxHxW tensor, which transforms the last axis, W: each row of
each channel maps W -> units. On a flat vector all three are the same layer.
"""

from __future__ import annotations

from typing import Any

from .base import LinearArgs, OpDef, Rule, Step, stop
from .shape import KERAS, Shape, format_shape, numel
from .signature import BOOL, CHOICE, INT, Layer, LayerDef, Param
from .window import Refusal, as_int

OVER = ("flat", "c", "last")


def fc(layer: Layer, shape: Shape, convention: str) -> Step:
    over = str(layer["over"])
    out, bias = as_int(layer["out_features"]), bool(layer["bias"])
    if len(shape) == 1:
        n = shape[0]
        params = n * out + (out if bias else 0)
        pf = f"{n}·{out}" + (f" + {out}" if bias else "") + f" = {params}"
        return Step((out,), params, 0, n * out, f"{n} → {out}", pf, f"{n}·{out} = {n * out}",
                    (), None, True, LinearArgs(n, out, bias))
    if over == "flat":
        raise Refusal(f"fc needs a flat input but got {format_shape(shape, convention)}",
                      "insert flatten before it (or gap-flatten); for a dense layer at each "
                      "position write fc(n,over=c) (Keras' Dense on a map) or "
                      "fc(n,over=last) (nn.Linear on the last axis)")
    axis = 0 if over == "c" else len(shape) - 1
    n = shape[axis]
    output = shape[:axis] + (out,) + shape[axis + 1:]
    positions = numel(shape) // n
    params = n * out + (out if bias else 0)
    pf = f"{n}·{out}" + (f" + {out}" if bias else "") + f" = {params} (shared by every " + \
        ("position" if over == "c" else "row") + ")"
    macs = positions * n * out
    mf = f"{positions}·{n}·{out} = {macs}"
    notes: tuple[str, ...] = ()
    if over == "c":
        formula = f"{n} → {out} channels at each position; H, W unchanged"
    else:
        formula = f"last axis {n} → {out} (nn.Linear on each row of each channel)"
        if convention == KERAS and len(shape) == 3:
            # The shapes are shown H x W x C, whose last axis is C: say which axis this is
            notes = (f"over=last is the last axis of C x H x W, W ({n}), as torch's "
                     f"nn.Linear takes it; Keras' Dense transforms the channels: "
                     f"fc({out},over=c)",)
    # Over the channels each output sees only its own position: the receptive field is
    # unchanged. Over the last axis an output mixes a whole row, which one size per axis
    # cannot state: the field is marked unknown rather than guessed.
    return Step(output, params, 0, macs, formula, pf, mf, notes, None, False,
                LinearArgs(n, out, bias, over), scrambles=over == "last")


def _size_rule(args: Any, formula: str, convention: str) -> str:
    over = getattr(args, "over", "flat")
    if over == "c":
        return "per position: C → out_features; H and W unchanged"
    if over == "last":
        return "the last axis (W of CxHxW) → out_features; the other axes unchanged"
    return "in_features → out_features"


def _solve(layer: Layer, axis: int) -> Rule:
    over = layer["over"]
    if over == "c":
        return ("keep",)
    if over == "last":
        return ("to", as_int(layer["out_features"])) if axis == 1 else ("keep",)
    return stop(layer, axis)


OPS = [
    OpDef(LayerDef("fc", (Param("out_features", INT, short=("out", "units", "n"), minimum=1),
                          Param("bias", BOOL, True, ("b",)),
                          Param("over", CHOICE, "flat", choices=OVER)), (), "nn.Linear"),
          "fc", _size_rule, "in·out + out (bias)", _solve, fc),
]
