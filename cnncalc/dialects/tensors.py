"""Tensors the code computes, as chains of layers from their input that share prefixes.

A tensor holds only the layers added since its parent (a segment), so a chain of n
assignments costs memory and time linear in n; the branches of a join meet at their last
common tensor, and the join holds the segments between that tensor and each input.

The tree a join makes copies each branch's layers into the join. That is exact only when
no segment ends up in two places: `a = f(x); c = a + g(x); torch.cat([a, c], 1)` would copy
f into both branches of the cat and count it twice, while torch runs it once. Every join
records the segments it holds, and `check_uses` walks the model's output once and refuses a
segment met twice (or, for torch, a segment forward() computes and never uses).
"""

from __future__ import annotations

import ast
from bisect import bisect_left, insort
from dataclasses import dataclass, field, replace

from ..errors import cut
from ..ir.tree import OUTPUTS
from ..spec import MAX_DEPTH, Join, Layer, Node, Residual
from .values import CodeError, at_line, err, text

JOIN_KINDS = ("cat", "add", "mul", "mean", "max")
MAX_NESTING = MAX_DEPTH  # blocks inside blocks, as deep as a spec may nest them


@dataclass(frozen=True, eq=False)
class Source:
    """Where tensors start: a model's input (keras.Input, or forward()'s argument), and the
    book of what was computed from it."""

    line: int
    shape: tuple[int, ...] | None = None  # (C, H, W) or (N,) when the code declares it
    # id(join node) -> (line, the segments it holds); id(tensor) -> its variable's name.
    joins: dict[int, tuple[int, tuple[Tensor, ...]]] = field(default_factory=dict)
    names: dict[int, str] = field(default_factory=dict)
    made: list[Tensor] = field(default_factory=list)
    # (kind, ids of the inputs) -> the join's output, so that cat([a, b, c]) after
    # d = cat([a, b]) reads as cat([d, c]) (a DenseNet block's growing features list).
    seen: dict[tuple[str, tuple[int, ...]], Tensor] = field(default_factory=dict)
    # (kind, id of the first input) -> the input counts of those joins, ascending
    firsts: dict[tuple[str, int], list[int]] = field(default_factory=dict)
    claimed: set[int] = field(default_factory=set)  # ids of segments some join holds
    levels: dict[int, int] = field(default_factory=dict)  # id(join node) -> its nesting
    # A model with several inputs: id(input tensor) -> its name. Its root is then no
    # tensor the code holds, but where the inputs start: each input is a child of the root
    # with no layers, and a join of two inputs' tensors meets at the root.
    inputs: dict[int, str] = field(default_factory=dict)
    input_tensors: list[Tensor] = field(default_factory=list)  # kept alive: ids are keys
    shapes: dict[int, tuple[int, ...] | None] = field(default_factory=dict)  # each declared
    # id(a Keras input given as (H, W), read as one channel: plane.py) -> its line
    planes: dict[int, int] = field(default_factory=dict)
    # id(tensor) -> (how many sizes `n, c, h, w = x.size()` unpacks from it, that line,
    # the tensor, kept alive so that its id names no other): checked against its rank at
    # the first layer the code applies to it (see `then`)
    unpacked: dict[int, tuple[int, int, Tensor]] = field(default_factory=dict)


@dataclass(frozen=True, eq=False)
class Tensor:
    """The layers from `source` to this tensor: the parent's, then `nodes`."""

    parent: Tensor | None
    nodes: tuple[Node, ...]
    depth: int
    source: Source
    line: int = 0  # where the code computed it

    def then(self, nodes: tuple[Node, ...] | list[Node], line: int = 0) -> Tensor:
        nodes = tuple(nodes)
        if not nodes:
            return self
        unpacked = self.source.unpacked.get(id(self))
        if unpacked is not None and unpacked[2] is self and isinstance(nodes[0], Layer):
            # the rank it needs is checked where the calculator knows this tensor's shape:
            # as a size the next layer declares about its input
            first = nodes[0]
            nodes = (replace(first, declared=(*first.declared, ("unpack_rank", unpacked[0]),
                                              ("unpack_line", unpacked[1]))), *nodes[1:])
        t = Tensor(self, nodes, self.depth + 1, self.source, line)
        self.source.made.append(t)
        return t

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


def piece(base: Tensor, nodes: tuple[Node, ...], line: int) -> Tensor:
    """One piece of a chunk or split of `base`: a slice has no weights, so a piece the code
    never uses changes no figure and is not held against it, as `then` would."""
    return Tensor(base, nodes, base.depth + 1, base.source, line)


def start(source: Source) -> Tensor:
    return Tensor(None, (), 0, source)


def model_input(root: Tensor, name: str, line: int) -> Tensor:
    """One of several inputs of the model whose root is `root`: a tensor with no layers
    below the root, named `name`."""
    t = Tensor(root, (), 1, root.source, line)
    root.source.inputs[id(t)] = name
    root.source.names[id(t)] = name
    root.source.input_tensors.append(t)
    return t


def input_of(t: Tensor) -> Tensor | None:
    """The input `t` comes from, where its root holds several; None for a tensor of joined
    inputs, or of a root that is itself the input."""
    while t.parent is not None and t.parent.parent is not None:
        t = t.parent
    return t if id(t) in t.source.inputs else None


def _starts(base: Tensor, branches: list[list[Tensor]]) -> tuple[str, ...]:
    """The model inputs branches from `base` start at: where base is the root of a model
    with several inputs, each branch's first segment is an input (or a join of inputs,
    which starts at the root itself, ""); elsewhere none."""
    inputs = base.source.inputs
    if not inputs or base.parent is not None:
        return ()
    return tuple(inputs.get(id(b[0]), "") if b else "" for b in branches)


def name_tensor(t: Tensor, label: str) -> None:
    """Record that the code holds `t` in the variable `label` (for messages)."""
    if t.nodes:
        t.source.names.setdefault(id(t), label)


def _label(t: Tensor) -> str:
    found = t.source.names.get(id(t))
    if found is not None:
        return cut(found)
    return f"the tensor computed on line {t.line}" if t.line else "a tensor"


def _segments(t: Tensor, ancestor: Tensor) -> list[Tensor]:
    """The segments from `ancestor` (excluded) to `t`, in order."""
    out: list[Tensor] = []
    while t is not ancestor:
        assert t.parent is not None
        out.append(t)
        t = t.parent
    out.reverse()
    return out


def _since(t: Tensor, ancestor: Tensor) -> tuple[Node, ...]:
    return tuple(n for s in _segments(t, ancestor) for n in s.nodes)


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


def _regroup(kind: str, items: list[Tensor]) -> list[Tensor]:
    """cat([a, b, c]) where cat([a, b]) was computed before is cat([that, c]): the same
    values, and a tree with no copied branch. Sums regroup the same way."""
    source = items[0].source
    if kind == "mul":
        return items
    while len(items) > 1:
        lengths = source.firsts.get((kind, id(items[0])), [])
        for j in reversed(lengths[:bisect_left(lengths, len(items))]):
            hit = source.seen.get((kind, tuple(id(t) for t in items[:j])))
            if hit is not None:
                items = [hit, *items[j:]]
                break
        else:
            return items
    return items


def _nest(kind: str, items: list[Tensor], node: ast.AST) -> Tensor:
    """cat([a, b, c]) where a and b branch from a later tensor than c is cat([cat([a, b]),
    c]): neighbours that share a later tensor are joined there first, so that no layer
    between is copied into two branches. Only neighbours: a cat keeps its order.

    The groups are those of an operator-precedence parse, the depth of two neighbours' last
    common tensor binding them (deeper binds tighter): one pass with a stack, no recursion,
    so a cat of a long chain of tensors costs time linear in its length."""
    frames: list[tuple[int, list[Tensor]]] = []  # (depth, the inputs joined there)
    top = items[0]
    for nxt in items[1:]:
        depth = common(top, nxt).depth
        while frames and frames[-1][0] > depth:
            top = _join_at(kind, [*frames.pop()[1], top], node)
        if frames and frames[-1][0] == depth:
            frames[-1][1].append(top)
        else:
            frames.append((depth, [top]))
        top = nxt
    while frames:
        top = _join_at(kind, [*frames.pop()[1], top], node)
    return top


def join(kind: str, items: list[Tensor], node: ast.AST) -> Tensor:
    """The `kind` join (cat, add, mul, mean or max) of `items`, placed at their last common
    tensor, one branch per input (empty where the input is that tensor). A sum of two
    tensors is a residual block, its shorter branch the shortcut, as `res[...]` writes it."""
    if not items:
        raise err(node, f"{text(node)} joins no tensors")
    source = items[0].source
    if any(t.source is not source for t in items):
        raise err(node, f"{text(node)} joins tensors that come from different inputs",
                  "cnncalc reads models with one input")
    if len(items) == 1:
        return items[0]
    if kind == "mean":  # not associative: one join of every input (or an error), never nested
        return _join_at(kind, items, node)
    key = (kind, tuple(id(t) for t in items))
    items = _regroup(kind, items)
    result = _nest(kind, items, node)
    source.seen[key] = result
    lengths = source.firsts.setdefault((kind, key[1][0]), [])
    if len(key[1]) not in lengths:
        insort(lengths, len(key[1]))
    return result


def _join_at(kind: str, items: list[Tensor], node: ast.AST) -> Tensor:
    """One join node of `items`, whose neighbours all meet at the same tensor."""
    source = items[0].source
    base = items[0]
    for t in items[1:]:
        base = common(base, t)
    branches = [_segments(t, base) for t in items]
    starts = _starts(base, branches)
    held = tuple(s for b in branches for s in b)
    line = getattr(node, "lineno", 0)
    _claim(source, held, line)
    bodies = [tuple(n for s in b for n in s.nodes) for b in branches]
    level = 1 + max((source.levels.get(id(n), 0) for b in bodies for n in b), default=0)
    if level > MAX_NESTING:
        raise err(node, f"{text(node)} nests joins deeper than {MAX_NESTING} levels",
                  "cnncalc's blocks nest at most that deep")
    out: Node
    if starts:  # where the inputs meet: a join of branches that start at different inputs
        out = Join(kind, tuple(bodies), starts=starts)
    elif kind == "add" and len(items) == 2:
        body, shortcut = bodies
        if len(shortcut) > len(body):
            body, shortcut = shortcut, body
        if not body:
            raise err(node, f"{text(node)} adds a tensor to itself")
        if any(isinstance(n, (Residual, Join)) for n in shortcut):
            out = Join("add", tuple(bodies))
        else:
            out = Residual(body, identity=not shortcut, shortcut=shortcut)
    else:
        if kind == "add" and sum(1 for b in bodies if not b) > 1:
            raise err(node, f"{text(node)} adds a tensor to itself")
        if not any(bodies):
            raise err(node, f"{text(node)} joins a tensor with itself only",
                      "a join in cnncalc needs a branch with layers")
        out = Join(kind, tuple(bodies))
    source.joins[id(out)] = (line, held)
    source.levels[id(out)] = level
    return base.then((out,), line)


def outputs(items: list[Tensor], names: list[str], node: ast.AST) -> Tensor:
    """A model's several outputs: an OUTPUTS block at their last common tensor, a branch per
    output (empty where the output is that tensor); outputs that part later share a branch
    that ends in a further OUTPUTS block, so that each layer is placed, and counted, once.
    The book of claimed segments is left as it was: another model may join the same tensors
    (a VAE's encoder, and the whole model); check_uses refuses a segment this model would
    hold twice (an output that also feeds one of its joins)."""
    source = items[0].source
    line = getattr(node, "lineno", 0)
    if any(t.source is not source for t in items):
        raise err(node, f"{text(node)}: the outputs come from different inputs",
                  "cnncalc reads models with one input")
    seen: dict[int, int] = {}
    for i, t in enumerate(items):
        if id(t) in seen:
            raise err(node, f"{text(node)} returns the same tensor as outputs {seen[id(t)]} "
                      f"and {i}", "return each tensor once")
        seen[id(t)] = i
    tree = _OutputTree(_root(items[0]), items, names, node)
    base = tree.parting()
    held: list[Tensor] = []
    out = tree.block(base, held, 1)
    # An output that also feeds a join of this model is then met twice by check_uses.
    source.joins[id(out)] = (line, tuple(held))
    return base.then((out,), line)


class _OutputTree:
    """The tensors on the paths from `root` to the outputs, as a tree of children: built
    once, in time linear in the tensors it holds, however the outputs nest."""

    def __init__(self, root: Tensor, items: list[Tensor], names: list[str],
                 node: ast.AST) -> None:
        self.root = root
        self.names = names
        self.node = node
        self.place = {id(t): i for i, t in enumerate(items)}
        self.children: dict[int, list[Tensor]] = {}
        self.first: dict[int, int] = {id(root): 0}  # the least output place below a tensor
        for i, t in enumerate(items):  # in place order: a tensor's first is its least
            u: Tensor = t
            while id(u) not in self.first:
                self.first[id(u)] = i
                assert u.parent is not None  # root is an ancestor of every output
                self.children.setdefault(id(u.parent), []).append(u)
                u = u.parent

    def parting(self) -> Tensor:
        """The last tensor every output comes from: where the outputs part."""
        at = self.root
        while id(at) not in self.place and len(self.children.get(id(at), [])) == 1:
            at = self.children[id(at)][0]
        return at

    def block(self, at: Tensor, held: list[Tensor], level: int) -> Join:
        """The OUTPUTS block whose branches leave `at`: one per child, and an empty one
        where `at` is itself an output; in the order of their first output."""
        if level > MAX_NESTING:
            raise err(self.node, f"{text(self.node)}: the outputs part at more than "
                      f"{MAX_NESTING} places", "cnncalc's blocks nest at most that deep")
        # (order, layers, name, place, start): place -1 for a branch ending in a further
        # block; start: the model input the branch starts at, at the root of several inputs
        entries: list[tuple[int, tuple[Node, ...], str, int, str]] = []
        inputs = at.source.inputs if at.parent is None else {}
        if id(at) in self.place:
            place = self.place[id(at)]
            entries.append((place, (), self.names[place], place, ""))
        for child in self.children.get(id(at), []):
            chain = [child]
            while id(chain[-1]) not in self.place and \
                    len(self.children.get(id(chain[-1]), [])) == 1:
                chain.append(self.children[id(chain[-1])][0])
            end = chain[-1]
            held.extend(chain)
            nodes = tuple(n for seg in chain for n in seg.nodes)
            begin = inputs.get(id(child), "")
            if id(end) in self.children:
                entries.append((self.first[id(end)],
                                (*nodes, self.block(end, held, level + 1)), "", -1, begin))
            else:  # an output, and nothing below it
                place = self.place[id(end)]
                entries.append((place, nodes, self.names[place], place, begin))
        entries.sort(key=lambda e: e[0])
        return Join(OUTPUTS, tuple(e[1] for e in entries), names=tuple(e[2] for e in entries),
                    places=tuple(e[3] for e in entries),
                    starts=tuple(e[4] for e in entries) if inputs else ())


def _claim(source: Source, held: tuple[Tensor, ...], line: int) -> None:
    """Refuse a segment that a join would hold a second time (in two of its branches, or
    after another join holds it)."""
    taken: set[int] = set()
    for s in held:
        if id(s) in source.inputs:  # an input holds no layers: any branch may start there
            continue
        if id(s) in taken or id(s) in source.claimed:
            raise _shared(s, line)
        taken.add(id(s))
    source.claimed.update(taken)


def _shared(s: Tensor, line: int) -> CodeError:
    return at_line(line, f"cnncalc reads branches that nest; {_label(s)} is used in two of "
                   "them", "a layer that runs once cannot be copied into two branches; "
                   "join the branches where they start")


def add(a: Tensor, b: Tensor, node: ast.AST) -> Tensor:
    """a + b: a residual block (or a sum of branches)."""
    return join("add", [a, b], node)


def check_uses(out: Tensor, line: int, every: bool,
               runner: tuple[str, str] = ("forward()", "torch"),
               inputs: list[Tensor] | None = None) -> None:
    """Walk the model's output once: a segment met twice is an error (its layers would be
    counted twice); with `every`, so is a segment computed and never used (torch would
    still run it and count its module's weights). Every input must reach the output, and
    with `inputs` (the inputs a model lists, where several models share a root), no other
    may."""
    source = out.source
    visited: set[int] = set()
    stack: list[tuple[Tensor, int]] = [(s, line) for s in _segments(out, _root(out))]
    while stack:
        s, where = stack.pop()
        if id(s) in source.inputs:
            visited.add(id(s))
            continue
        if id(s) in visited:
            raise _shared(s, where)
        visited.add(id(s))
        for n in s.nodes:
            held = source.joins.get(id(n))
            if held is not None:
                stack.extend((h, held[0]) for h in held[1])
    wanted = source.inputs if inputs is None else \
        {id(t): source.inputs.get(id(t), "") for t in inputs}
    for t_id, name in wanted.items():
        if t_id not in visited:
            raise at_line(line or None, f"the model's input {cut(name)} never reaches its "
                          "output", "use every input, or remove the ones it does not use")
    for t in source.input_tensors:
        if id(t) in visited and id(t) not in wanted:
            raise at_line(line or None, f"the outputs use the input made on line {t.line}, "
                          "which is not among the model's inputs", "list it in the inputs")
    if every:
        for s in reversed(source.made):
            if id(s) not in visited:
                raise at_line(s.line or None, f"{_label(s)} is computed in {runner[0]} but "
                              f"never reaches its output; {runner[1]} still runs it and "
                              "counts its layers", "remove it, or use it in the output")


def _root(t: Tensor) -> Tensor:
    while t.parent is not None:
        t = t.parent
    return t
