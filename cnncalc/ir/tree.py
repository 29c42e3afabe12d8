"""The tree a spec, a code reader or a preset writes: layers, repeats, residuals and joins, in
the order written. The graph (ir/graph.py) is lowered from it."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import replace
from typing import Union

from ..ops.signature import Layer
from ..records import record


@record
class Repeat:
    """`[ body ]*times`: the body applied `times` times in sequence."""

    body: tuple[Node, ...]
    times: int
    pos: int = 0

    @property
    def text(self) -> str:
        return f"[{to_text(self.body)}]*{self.times}"


@record
class Residual:
    """`res[ body ]`: body(x) + shortcut(x), the shortcut chosen by the calculator."""

    body: tuple[Node, ...]
    pos: int = 0
    # Code that adds x itself (`f(x) + x`) declares an identity shortcut: a body that changes
    # the shape is then an error, as it is in torch and Keras, not a projection.
    identity: bool = False
    shortcut: tuple[Node, ...] = ()  # `res[body|shortcut]`: the shortcut's own layers

    @property
    def text(self) -> str:
        if self.shortcut:
            return f"res[{to_text(self.body)}|{to_text(self.shortcut)}]"
        return f"res[{to_text(self.body)}]"


@record
class Join:
    """`cat[a|b|...]`, `add[a|b|...]`, `mul[|gate]`: every branch applied to the same input,
    then joined. An empty branch is the input itself."""

    kind: str  # "cat", "add", "mul", "mean", "max", or OUTPUTS
    branches: tuple[tuple[Node, ...], ...]
    pos: int = 0
    # OUTPUTS: each branch's output name (torch: its place in forward()'s tuple, "0", "1";
    # Keras: its layer's name= or "output_0", "output_1"). Empty for a join.
    names: tuple[str, ...] = ()
    # OUTPUTS: each branch's place among the model's outputs, -1 for a branch that ends in
    # a further OUTPUTS block (outputs that part later, such as a VAE's two heads after an
    # auxiliary one).
    places: tuple[int, ...] = ()
    # A model with several inputs: each branch's model input, by name ("" for a branch that
    # starts at the block's input). Only a block that meets where the inputs start has them;
    # empty for every block of a model with one input.
    starts: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        if self.starts:
            parts = (_started(s, b) for s, b in zip(self.starts, self.branches))
            return f"{self.kind}[{'|'.join(parts)}]"
        return f"{self.kind}[{'|'.join(to_text(b) for b in self.branches)}]"


def _started(start: str, branch: tuple[Node, ...]) -> str:
    """A branch that starts at a model input, written `<name>` then its layers."""
    if not start:
        return to_text(branch)
    return f"<{start}>" + (f"-{to_text(branch)}" if branch else "")


OUTPUTS = "outputs"
"""The kind of the Join that ends a model with several outputs: its branches start at the
same tensor, each ends at one output or at a further OUTPUTS block, and nothing joins them.
It is only ever the last node of the model or of such a branch (code returns several
tensors); the spec language has no such block."""


Node = Union[Layer, Repeat, Residual, Join]

JOINS = {"cat": "cat", "concat": "cat", "add": "add", "mul": "mul", "mean": "mean",
         "max": "max"}
"""Block names that join branches, and the join each stands for."""


def outputs_of(nodes: Sequence[Node]) -> Join | None:
    """The block of a model's several outputs, or None for a model with one output."""
    last = nodes[-1] if nodes else None
    return last if isinstance(last, Join) and last.kind == OUTPUTS else None


def output_names(nodes: Sequence[Node]) -> list[str]:
    """The names of a model's outputs in the order the code returns them ([] for one)."""
    found: list[tuple[int, str]] = []
    stack = [outputs_of(nodes)]
    while stack:
        block = stack.pop()
        if block is None:
            continue
        for place, name, branch in zip(block.places, block.names, block.branches):
            if place >= 0:
                found.append((place, name))
            else:
                stack.append(outputs_of(branch))
    return [name for _, name in sorted(found)]


def input_names(nodes: Sequence[Node]) -> list[str]:
    """The model inputs a tree's blocks start branches at, each once, in the order met
    ([] for a model with one input)."""
    found: dict[str, None] = {}
    stack: list[Sequence[Node]] = [nodes]
    while stack:
        seq = stack.pop()
        for n in seq:
            if isinstance(n, Join):
                found.update((s, None) for s in n.starts if s)
                stack.extend(n.branches)
            elif isinstance(n, Residual):
                stack.extend((n.body, n.shortcut))
            elif isinstance(n, Repeat):
                stack.append(n.body)
    return list(found)


def with_starts(nodes: Sequence[Node], names: Mapping[str, str]) -> list[Node]:
    """The tree with every branch's input renamed by `names` (the names a model gives the
    inputs it lists, once they are known)."""
    out: list[Node] = []
    for n in nodes:
        if isinstance(n, Join):
            out.append(replace(n, branches=tuple(tuple(with_starts(b, names))
                                                 for b in n.branches),
                               starts=tuple(names.get(s, s) for s in n.starts)))
        elif isinstance(n, Residual):
            out.append(replace(n, body=tuple(with_starts(n.body, names)),
                               shortcut=tuple(with_starts(n.shortcut, names))))
        elif isinstance(n, Repeat):
            out.append(replace(n, body=tuple(with_starts(n.body, names))))
        else:
            out.append(n)
    return out


def short_text(nodes: tuple[Node, ...]) -> str:
    """A compact outline by layer kind, e.g. `res[conv-bn-relu-conv-bn]`, for table rows."""
    parts = []
    for n in nodes:
        if isinstance(n, Layer):
            parts.append(n.kind)
        elif isinstance(n, Repeat):
            parts.append(f"[{short_text(n.body)}]*{n.times}")
        elif isinstance(n, Join):
            parts.append(f"{n.kind}[{'|'.join(short_text(b) for b in n.branches)}]")
        else:
            parts.append(f"res[{short_text(n.body)}]")
    return "-".join(parts)


def to_text(nodes: tuple[Node, ...]) -> str:
    return "-".join(n.text for n in nodes)


def count_layers(nodes: tuple[Node, ...]) -> int:
    """Number of layers after expanding repetitions (residual shortcuts not counted)."""
    total = 0
    for n in nodes:
        if isinstance(n, Layer):
            total += 1
        elif isinstance(n, Repeat):
            total += n.times * count_layers(n.body)
        elif isinstance(n, Join):
            total += sum(count_layers(b) for b in n.branches)
        else:
            total += count_layers(n.body) + count_layers(n.shortcut)
    return total


def _renamed(nodes: Sequence[Node], rename: Callable[[str | None], str | None],
             retie: Callable[[str], str] = lambda t: t) -> list[Node]:
    out: list[Node] = []
    for n in nodes:
        if isinstance(n, Layer):
            out.append(replace(n, name=rename(n.name), tie=retie(n.tie) if n.tie else ""))
        elif isinstance(n, Join):
            out.append(replace(n, branches=tuple(tuple(_renamed(b, rename, retie))
                                                 for b in n.branches)))
        elif isinstance(n, Residual):
            out.append(replace(n, body=tuple(_renamed(n.body, rename, retie)),
                               shortcut=tuple(_renamed(n.shortcut, rename, retie))))
        else:
            out.append(replace(n, body=tuple(_renamed(n.body, rename, retie))))
    return out


def named(nodes: Sequence[Node], name: str | None) -> list[Node]:
    """The layers one module call made, each given that module's name."""
    return _renamed(nodes, lambda _: name)


def holds_weights(layer: Layer) -> bool:
    """Whether a layer has weights or running statistics that torch counts: the layers a
    shared module ties, and a module of which is counted even when forward() skips it."""
    if layer.kind in ("conv", "convt", "dwconv", "fc", "bn"):
        return True
    if layer.kind in ("groupnorm", "layernorm"):
        return layer.args.get("affine") is True
    if layer.kind == "instancenorm":
        return layer.args.get("affine") is True or \
            layer.args.get("track_running_stats") is True
    return False


def tied(nodes: Sequence[Node], shared: Callable[[str], bool]) -> list[Node]:
    """The layers with weights whose module path `shared` accepts, each tied to that path
    and its own text: the uses of one module object then share one set of weights."""
    return _tied(nodes, lambda n: f"{n.name}:{n.text}"
                 if n.name is not None and shared(n.name) else n.tie)


def tied_to(nodes: Sequence[Node], key: str) -> list[Node]:
    """The layers with weights of one object's use, each tied to `key` (the object) and its
    place and text within it: every use of the object then shares one set of weights."""
    return _tied(nodes, lambda n: f"{key}:{n.name or ''}:{n.text}")


def _tied(nodes: Sequence[Node], tie: Callable[[Layer], str]) -> list[Node]:
    out: list[Node] = []
    for n in nodes:
        if isinstance(n, Layer):
            out.append(replace(n, tie=tie(n)) if holds_weights(n) else n)
        elif isinstance(n, Join):
            out.append(replace(n, branches=tuple(tuple(_tied(b, tie)) for b in n.branches)))
        elif isinstance(n, Residual):
            out.append(replace(n, body=tuple(_tied(n.body, tie)),
                               shortcut=tuple(_tied(n.shortcut, tie))))
        else:
            out.append(replace(n, body=tuple(_tied(n.body, tie))))
    return out


def walk_layers(nodes: Sequence[Node], times: int = 1) -> Iterator[tuple[Layer, int]]:
    """Every layer in graph order (branches in turn, a residual's body then its shortcut),
    with how many times it runs (repeats multiply)."""
    for n in nodes:
        if isinstance(n, Layer):
            yield n, times
        elif isinstance(n, Join):
            for b in n.branches:
                yield from walk_layers(b, times)
        elif isinstance(n, Residual):
            yield from walk_layers(n.body, times)
            yield from walk_layers(n.shortcut, times)
        else:
            yield from walk_layers(n.body, times * n.times)


def has_ties(nodes: Sequence[Node]) -> bool:
    """Whether any layer uses weights it shares with another (a tie met more than once)."""
    seen: set[str] = set()
    for layer, times in walk_layers(nodes):
        if layer.tie and (layer.tie in seen or times > 1):
            return True
        if layer.tie:
            seen.add(layer.tie)
    return False


def prefixed(nodes: Sequence[Node], prefix: str) -> list[Node]:
    """Layers read inside a module, their names put under the name it has in its parent
    (`conv1` inside `layer1.0` is `layer1.0.conv1`); a layer of no module stays unnamed."""
    if not prefix:
        return list(nodes)
    return _renamed(nodes, lambda n: n if n is None else (f"{prefix}.{n}" if n else prefix),
                    lambda t: f"{prefix}.{t}")
