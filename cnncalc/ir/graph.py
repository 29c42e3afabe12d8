"""The network as a graph: nodes in topological order, each naming its inputs, and the blocks
a table groups them into.

This is the one model every front-end lowers into and every consumer reads. A chain is the
special case of one input per node. Besides the data flow (`GNode.inputs`), a graph keeps
its display structure (`Graph.body`): the blocks a person wrote or a module nests (a
repeat, a residual, a concatenation of branches), each listing its items in the order a
table shows them. That order is always a topological order of the nodes it holds.
"""

from __future__ import annotations

from typing import Union

from ..ops.signature import Layer
from ..records import record
from .tree import OUTPUTS, Join, Node, Repeat, Residual, short_text

INPUT_KIND = "input"

# How a residual block's shortcut is formed.
GIVEN = "given"  # the block lists the shortcut's own layers (res[body|shortcut])
IDENTITY = "identity"  # the code adds the input itself (f(x) + x): a changed shape is an error
AUTO = "auto"  # res[body]: the input itself, or a 1x1 projection when the body changes shape


@record
class GNode:
    """One operation: a layer applied to the outputs of earlier nodes, or a graph input."""

    layer: Layer | None  # None for a graph input
    inputs: tuple[int, ...]  # indices of earlier nodes in Graph.nodes

    @property
    def kind(self) -> str:
        return self.layer.kind if self.layer is not None else INPUT_KIND


@record
class Block:
    """A group of items shown as one row with its totals, its items indented below it.

    `parts` holds the block's sequences: a repeat has one, a residual two (body, shortcut),
    a join one per branch (an empty branch is the block's input itself). `join` is the node
    that combines the parts (-1 for a repeat, whose output is its last item's)."""

    kind: str  # "repeat", "residual", a join kind ("cat", "mul"), or OUTPUTS (no join node)
    text: str  # the block in the spec language
    label: str  # a compact outline for table rows
    input: int  # the node that feeds the block
    parts: tuple[tuple[Item, ...], ...]
    join: int = -1
    shortcut: str = GIVEN  # residuals: GIVEN, IDENTITY or AUTO
    places: tuple[int, ...] = ()  # OUTPUTS: each part's place among the model's outputs
    # A block where several model inputs meet: the node each part starts at (a model
    # input's, or `input`). Empty where every part starts at `input`.
    starts: tuple[int, ...] = ()
    start_names: tuple[str, ...] = ()  # and each one's input name ("" for `input`)

    def start(self, part: int) -> int:
        """The node part `part` starts at."""
        return self.starts[part] if self.starts else self.input


Item = Union[int, Block]
"""An entry of a sequence: a node (its index), or a block of further items."""


@record
class Graph:
    nodes: tuple[GNode, ...]
    body: tuple[Item, ...]
    output: int  # the first output where there are several
    # A model with several outputs: each one's name and node, in the order the code returns
    # them. Empty for a model with one output (`output`).
    outputs: tuple[tuple[str, int], ...] = ()
    # A model with several inputs: each one's name and node, in the order the model takes
    # them. Empty for a model with one input (node 0).
    inputs: tuple[tuple[str, int], ...] = ()

    def __len__(self) -> int:
        return len(self.nodes)


def output_of(item: Item, graph: Graph) -> int:
    """The node whose value an item yields."""
    while isinstance(item, Block):
        if item.join >= 0:
            return item.join
        last = item.parts[0]
        if not last:  # an output that is the block's input itself (repeats have a body)
            return item.input
        item = last[-1]
    return item


def sequence_output(items: tuple[Item, ...], start: int, graph: Graph) -> int:
    """The node a sequence yields: its last item's, or `start` when it is empty."""
    return output_of(items[-1], graph) if items else start


_JOIN_LAYERS = {kind: Layer(kind, {}) for kind in ("add", "cat", "mul", "mean", "max")}


class _Lowering:
    def __init__(self, inputs: dict[str, int] | None = None) -> None:
        self.inputs = inputs or {}  # a model with several inputs: each one's node
        self.nodes: list[GNode] = []
        # A repeated block lowers once per repetition; its texts are the same each time.
        self.texts: dict[int, tuple[str, str]] = {}
        self.outputs: list[tuple[int, str, int]] = []  # (place, name, node)

    def texts_of(self, n: Node) -> tuple[str, str]:
        key = id(n)
        hit = self.texts.get(key)
        if hit is None:
            hit = self.texts[key] = (n.text, short_text((n,)))
        return hit

    def add(self, layer: Layer | None, inputs: tuple[int, ...]) -> int:
        self.nodes.append(GNode(layer, inputs))
        return len(self.nodes) - 1

    def sequence(self, nodes: tuple[Node, ...], x: int) -> tuple[tuple[Item, ...], int]:
        items: list[Item] = []
        for n in nodes:
            item, x = self.item(n, x)
            items.append(item)
        return tuple(items), x

    def item(self, n: Node, x: int) -> tuple[Item, int]:
        if isinstance(n, Layer):
            i = self.add(n, (x,))
            return i, i
        if isinstance(n, Repeat):
            start = x
            items: list[Item] = []
            for _ in range(n.times):
                seq, x = self.sequence(n.body, x)
                items.extend(seq)
            text, label = self.texts_of(n)
            return Block("repeat", text, label, start, (tuple(items),)), x
        if isinstance(n, Residual):
            body, body_out = self.sequence(n.body, x)
            if n.shortcut:
                shortcut, short_out = self.sequence(n.shortcut, x)
                mode = GIVEN
            else:
                shortcut, short_out = (), x
                mode = IDENTITY if n.identity else AUTO
            j = self.add(_JOIN_LAYERS["add"], (body_out, short_out))
            text, label = self.texts_of(n)
            return Block("residual", text, label, x, (body, shortcut), j, mode), j
        parts: list[tuple[Item, ...]] = []
        outs: list[int] = []
        starts = tuple(self.inputs[s] if s else x for s in n.starts)
        for b, branch in enumerate(n.branches):
            seq, out = self.sequence(branch, starts[b] if starts else x)
            parts.append(seq)
            outs.append(out)
        text, label = self.texts_of(n)
        if n.kind == OUTPUTS:  # nothing joins the outputs: the block yields the first
            self.outputs.extend((place, name, out) for place, name, out
                                in zip(n.places, n.names, outs) if place >= 0)
            return Block(OUTPUTS, text, label, x, tuple(parts), places=n.places,
                         starts=starts, start_names=n.starts), outs[0]
        j = self.add(_JOIN_LAYERS[n.kind], tuple(outs))
        return Block(n.kind, text, label, x, tuple(parts), j, starts=starts,
                     start_names=n.starts), j


def lower(nodes: tuple[Node, ...], inputs: tuple[str, ...] = ()) -> Graph:
    """The graph of a parsed spec (or of code read into the spec's blocks). `inputs`: the
    names of a model's several inputs, in the order it takes them (one input node each);
    its first node is then a block where they meet."""
    lowering = _Lowering()
    start = lowering.add(None, ())
    named: dict[str, int] = {}
    if inputs:
        named[inputs[0]] = start
        for name in inputs[1:]:
            named[name] = lowering.add(None, ())
        lowering.inputs = named
        first = nodes[0] if nodes else None
        if not (isinstance(first, Join) and first.starts):
            raise ValueError("a model with several inputs starts where they meet")
    for i, n in enumerate(nodes[:-1]):
        if isinstance(n, Join) and n.kind == OUTPUTS:  # pragma: no cover - readers end there
            raise ValueError(f"node {i + 1}: a model's outputs come last")
    body, out = lowering.sequence(nodes, start)
    outputs = tuple((name, node) for _, name, node in sorted(lowering.outputs))
    return Graph(tuple(lowering.nodes), body, out, outputs, tuple(named.items()))


__all__ = ["AUTO", "GIVEN", "IDENTITY", "INPUT_KIND", "Block", "GNode", "Graph", "Item",
           "Join", "lower", "output_of", "sequence_output"]
