"""Fully connected: fc (nn.Linear on a flat vector)."""

from __future__ import annotations

from .base import LinearArgs, OpDef, Step, fixed_rule, stop
from .shape import Shape, format_shape
from .signature import BOOL, INT, Layer, LayerDef, Param
from .window import Refusal, as_int


def fc(layer: Layer, shape: Shape, convention: str) -> Step:
    if len(shape) != 1:
        raise Refusal(f"fc needs a flat input but got {format_shape(shape, convention)}",
                      "insert flatten before it (or gap-flatten)")
    n, out, bias = shape[0], as_int(layer["out_features"]), bool(layer["bias"])
    params = n * out + (out if bias else 0)
    pf = f"{n}·{out}" + (f" + {out}" if bias else "") + f" = {params}"
    return Step((out,), params, 0, n * out, f"{n} → {out}", pf, f"{n}·{out} = {n * out}", (),
                None, True, LinearArgs(n, out, bias))


OPS = [
    OpDef(LayerDef("fc", (Param("out_features", INT, short=("out", "units", "n"), minimum=1),
                          Param("bias", BOOL, True, ("b",))), (), "nn.Linear"),
          "fc", fixed_rule("in_features → out_features"), "in·out + out (bias)", stop, fc),
]
