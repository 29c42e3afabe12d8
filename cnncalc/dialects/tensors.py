"""Tensors the code computes, as chains of layers from their input that share prefixes.

A tensor holds only the layers added since its parent, so a chain of n assignments costs
memory and time linear in n; two branches meet at their last common tensor.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from ..spec import Node, Residual
from .values import err, text


@dataclass(frozen=True, eq=False)
class Source:
    """Where tensors start: a model's input (keras.Input, or forward()'s argument)."""

    line: int
    shape: tuple[int, ...] | None = None  # (C, H, W) or (N,) when the code declares it


@dataclass(frozen=True, eq=False)
class Tensor:
    """The layers from `source` to this tensor: the parent's, then `nodes`."""

    parent: Tensor | None
    nodes: tuple[Node, ...]
    depth: int
    source: Source

    def then(self, nodes: tuple[Node, ...] | list[Node]) -> Tensor:
        nodes = tuple(nodes)
        return Tensor(self, nodes, self.depth + 1, self.source) if nodes else self

    def path(self) -> tuple[Node, ...]:
        """Every layer from the source to this tensor, in order."""
        parts: list[tuple[Node, ...]] = []
        t: Tensor | None = self
        while t is not None:
            parts.append(t.nodes)
            t = t.parent
        return tuple(n for part in reversed(parts) for n in part)

    def count(self) -> int:
        n = 0
        t: Tensor | None = self
        while t is not None:
            n += len(t.nodes)
            t = t.parent
        return n


def start(source: Source) -> Tensor:
    return Tensor(None, (), 0, source)


def _since(t: Tensor, ancestor: Tensor) -> tuple[Node, ...]:
    parts: list[tuple[Node, ...]] = []
    while t is not ancestor:
        assert t.parent is not None
        parts.append(t.nodes)
        t = t.parent
    return tuple(n for part in reversed(parts) for n in part)


def common(a: Tensor, b: Tensor) -> Tensor:
    """The last tensor both come from; a walk over the two branches only."""
    while a.depth > b.depth:
        assert a.parent is not None
        a = a.parent
    while b.depth > a.depth:
        assert b.parent is not None
        b = b.parent
    while a is not b:
        assert a.parent is not None and b.parent is not None
        a, b = a.parent, b.parent
    return a


def add(a: Tensor, b: Tensor, node: ast.AST) -> Tensor:
    """a + b from a common tensor: a residual block. When both branches have layers, the
    shorter is the shortcut (a projection such as a 1x1 conv and batch norm)."""
    if a.source is not b.source:
        raise err(node, f"{text(node)} adds tensors that come from different inputs")
    base = common(a, b)
    body, shortcut = _since(a, base), _since(b, base)
    if len(shortcut) > len(body):
        body, shortcut = shortcut, body
    if not body:
        raise err(node, f"{text(node)} adds a tensor to itself")
    if any(isinstance(n, Residual) for n in shortcut):
        raise err(node, f"{text(node)}: a shortcut with a residual block inside is not "
                  "supported")
    return base.then((Residual(body, identity=not shortcut, shortcut=shortcut),))
