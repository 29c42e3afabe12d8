"""The shape of a tensor the code computes, for code that reads it (`x.shape[-1]`)."""

from __future__ import annotations

import ast

from ..errors import CnnCalcError
from ..ir.tree import Residual
from ..ops import apply
from ..spec import Layer
from .tensors import Tensor, input_of
from .values import CodeError, err, text


def keras_shape(tensor: Tensor, node: ast.AST) -> tuple[int | None, ...]:
    """`x.shape` of a Keras tensor: (None, H, W, C) or (None, N), as Keras gives it."""
    shape = tensor.source.shape
    if tensor.source.inputs:  # keras.Input tensors below one root: the one this comes from
        found = input_of(tensor)
        if found is None:
            raise err(node, f"{text(node)}: the shape of a tensor that joins several inputs "
                      "is not read")
        shape = tensor.source.shapes.get(id(found))
    if shape is None:
        raise err(node, f"{text(node)}: the input's shape is not declared")
    try:
        for n in tensor.path():
            shape = _through(n, shape, node)
    except CodeError:
        raise
    except CnnCalcError as e:
        raise err(node, f"{text(node)}: {e.message}") from None
    if len(shape) == 3:
        return (None, shape[1], shape[2], shape[0])
    return (None, *shape)


def _through(n: object, shape: tuple[int, ...], node: ast.AST) -> tuple[int, ...]:
    if isinstance(n, Layer):
        return tuple(apply(n, shape, "keras").output_shape)
    if isinstance(n, Residual):
        out = shape
        for inner in n.body:
            out = _through(inner, out, node)
        return out
    raise err(node, f"{text(node)}: the shape after a {type(n).__name__} is not read")
