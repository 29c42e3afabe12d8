"""Elementwise layers: activations, softmax, dropout. Each keeps its input's shape."""

from __future__ import annotations

from .base import OpDef, PlainArgs, Step, fixed_rule, keep
from .shape import Shape
from .signature import FLOAT, PROB, Layer, LayerDef, Param

UNCHANGED = fixed_rule("the shape is unchanged")


def pointwise(layer: Layer, shape: Shape, convention: str) -> Step:
    return Step(shape, 0, 0, 0, "shape unchanged", "no parameters", "0",
                args=PlainArgs(tuple(layer.args.items())))


def _simple(name: str, torch: str, family: str = "act") -> OpDef:
    return OpDef(LayerDef(name, (), (), torch), family, UNCHANGED, "", keep, pointwise)


OPS = [
    _simple("relu", "nn.ReLU"),
    _simple("tanh", "nn.Tanh"),
    _simple("sigmoid", "nn.Sigmoid"),
    _simple("gelu", "nn.GELU"),
    _simple("elu", "nn.ELU"),
    _simple("silu", "nn.SiLU"),
    _simple("relu6", "nn.ReLU6"),
    _simple("hardswish", "nn.Hardswish"),
    _simple("hardsigmoid", "nn.Hardsigmoid"),
    OpDef(LayerDef("leakyrelu", (Param("negative_slope", FLOAT, 0.01, ("slope",)),),
                   ("lrelu",), "nn.LeakyReLU"), "act", UNCHANGED, "", keep, pointwise),
    _simple("softmax", "nn.Softmax(dim=1)"),
    _simple("logsoftmax", "nn.LogSoftmax(dim=1)", "other"),
    OpDef(LayerDef("dropout", (Param("p", PROB, 0.5, ("rate",)),), (), "nn.Dropout"),
          "other", UNCHANGED, "", keep, pointwise),
]
