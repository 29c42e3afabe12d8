"""Every layer kind, one op family per module; the registry every consumer reads.

`OPS[kind]` is the kind's `OpDef`: its signature and facets. Consumers look a kind up here
and never fall back to a default for a kind they do not know.
"""

from __future__ import annotations

from typing import Final

from ..errors import cut
from . import activation, conv, joins, linear, norm, pool, reshape
from .base import OpDef, Step, Window
from .shape import MAX_SIDE, MAX_VALUES, Shape, format_shape, numel
from .signature import Layer, LayerDef, define, lookup
from .window import Refusal

_ORDER = ("conv", "convt", "dwconv", "maxpool", "avgpool", "gap", "gmp", "zeropad", "fc",
          "flatten", "dropout", "bn", "lrn", "leakyrelu", "softmax", "logsoftmax", "relu",
          "tanh", "sigmoid", "gelu", "elu", "silu", "relu6")
"""The kinds in the order `cnncalc layers` lists them (the newer kinds follow)."""

_ALL = {op.kind: op for module in (conv, pool, linear, reshape, norm, activation, joins)
        for op in module.OPS}
OPS: Final[dict[str, OpDef]] = {
    k: _ALL[k] for k in (*_ORDER, *(k for k in _ALL if k not in _ORDER))}
define([op.signature for op in OPS.values()])

FAMILIES: Final = ("conv", "pool", "fc", "norm", "act", "join", "shape", "other")


def op(kind: str) -> OpDef:
    """The definition of a kind; KeyError for a kind that does not exist."""
    return OPS[kind]


def apply(layer: Layer, shape: Shape, convention: str) -> Step:
    """Apply one layer to an input shape, or raise Refusal with the rule it broke."""
    rule = OPS[layer.kind].apply
    assert rule is not None, f"{layer.kind} joins several inputs"
    return rule(layer, shape, convention)


def join(layer: Layer, shapes: tuple[Shape, ...], convention: str) -> Step:
    """A join of several inputs (cat, add, mul), or raise Refusal naming each branch."""
    rule = OPS[layer.kind].join
    assert rule is not None, f"{layer.kind} takes one input"
    return rule(shapes, convention)


def check_size(step: Step, convention: str) -> None:
    """Outputs past 10^12 on a side or 10^15 values are refused, so no figure overflows."""
    if max(step.output_shape) > MAX_SIDE or numel(step.output_shape) > MAX_VALUES:
        raise Refusal(f"the output {cut_shape(step.output_shape, convention)} is too large "
                      "(over 10^12 on a side or 10^15 values)")


def cut_shape(shape: Shape, convention: str) -> str:
    return cut(format_shape(shape, convention), 60)


__all__ = ["FAMILIES", "OPS", "LayerDef", "OpDef", "Refusal", "Step", "Window", "apply",
           "check_size", "join", "lookup", "op"]
