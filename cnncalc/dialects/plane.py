"""A Keras input of shape (height, width), with no channel axis: read as one channel where
that changes nothing, refused where it would.

Keras keeps such an input rank 2: a Dense or a Conv1D takes it as rows of values, which a
CxHxW map does not describe. Read as (1, H, W) it gives the same figures only while it is
flattened or reshaped before any layer that looks at its axes: (H, W) and (H, W, 1) hold
the same values in the same order. Dropout and activations on the way change values only.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..ir.tree import Join, Repeat, Residual
from ..spec import Layer, Node
from .values import at_line

SETTLES = frozenset({"flatten", "reshape"})
"""Layers that lay the input's values out anew: after them the missing axis is no matter."""
ELEMENTWISE = frozenset({"dropout", "relu", "tanh", "sigmoid", "gelu", "elu", "silu", "relu6",
                         "hardswish", "hardsigmoid", "leakyrelu"})
"""Layers that change values only, on any layout (not softmax: it works along an axis)."""


def check_plane(nodes: Sequence[Node], line: int, shape: tuple[int, ...] | None) -> None:
    """Refuse, naming the layer, a model whose (H, W) input (declared on `line`, read as
    `shape` = (1, H, W)) meets a layer that looks at its axes before it is flattened."""
    settled, bad = _walk(nodes)
    if settled:
        return
    size = "x".join(str(d) for d in shape[1:]) if shape else "(height, width)"
    what = "the model's output" if bad is None else \
        f"layer {bad.source or bad.text}" if isinstance(bad, Layer) else \
        f"the block {bad.text}"
    raise at_line(line, f"the input {size} has no channel axis, and {what} takes it as a "
                  "rank-2 tensor (Keras applies a Dense or a Conv1D to its last axis), which "
                  "cnncalc does not follow; it reads such an input only where it is "
                  "flattened or reshaped first (after Dropout or an activation)",
                  f"give the channel, shape=({size.replace('x', ', ')}, 1), or flatten it "
                  "first")


def _walk(nodes: Sequence[Node]) -> tuple[bool, Node | None]:
    """(whether the path settles the layout, the first node that looks at the axes before
    it does; None when the path ends still rank 2)."""
    for n in nodes:
        if isinstance(n, Layer):
            if n.kind in SETTLES:
                return True, None
            if n.kind in ELEMENTWISE:
                continue
            return False, n
        if isinstance(n, Repeat):
            settled, bad = _walk(n.body)
            if bad is not None or settled:
                return settled, bad
            continue
        branches = n.branches if isinstance(n, Join) else \
            (n.body, n.shortcut) if isinstance(n, Residual) else ()
        for b in branches:  # each branch must settle on its own before the join
            settled, bad = _walk(b)
            if not settled:
                return False, bad or n
        return True, None
    return False, None


__all__ = ["check_plane"]
