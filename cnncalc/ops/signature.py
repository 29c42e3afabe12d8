"""The spec language's vocabulary types: a layer kind's parameters, and a bound layer.

The definitions themselves live with their op family (ops/conv.py, ops/pool.py, ...); the
package's registry hands them to `define` once, so that `lookup` and a layer's text see
every kind.
"""

from __future__ import annotations

from dataclasses import field
from functools import cached_property, lru_cache
from typing import Final, Union

from ..records import record

REQUIRED: Final = object()
"""Marks a parameter that has no default."""

SAME_AS_KERNEL: Final = "=kernel_size"
"""Default of a pooling stride: the kernel size. Any default written `=name` copies the
value bound to the parameter `name` before it."""

MAX_PAD = 10**12

# Value kinds a parameter accepts, checked when a spec is bound.
INT, PAIR, PADDING, FLOAT, BOOL, SIZE, PROB, CHOICE, DIMS = (
    "int",
    "pair",
    "padding",
    "float",
    "bool",
    "size",
    "prob",
    "choice",
    "dims",  # a shape: one to three integers, 16x1x1 or (16, 1, 1)
)

Value = Union[int, float, str, bool, tuple[int, ...]]


@record
class Param:
    """One parameter of a layer, named as PyTorch names it."""

    name: str
    kind: str
    default: object = REQUIRED
    short: tuple[str, ...] = ()
    minimum: int = 0
    choices: tuple[str, ...] = ()  # the words a CHOICE parameter accepts


@record
class LayerDef:
    """A layer type: canonical name, aliases, parameters in positional order."""

    name: str
    params: tuple[Param, ...]
    aliases: tuple[str, ...] = ()
    torch: str = ""
    join: bool = False  # combines several inputs; written as a block, e.g. cat[a|b]

    def param(self, name: str) -> Param | None:
        for p in self.params:
            if p.name == name or name in p.short:
                return p
        return None


_DEFS: dict[str, LayerDef] = {}
_ALIASES: dict[str, str] = {}


def define(defs: list[LayerDef]) -> None:
    """Register the vocabulary (called once, by the ops package)."""
    for d in defs:
        if d.name in _DEFS:  # pragma: no cover - a programming error, caught by tests
            raise ValueError(f"layer kind {d.name} defined twice")
        _DEFS[d.name] = d
        for name in (d.name, *d.aliases):
            _ALIASES[name] = d.name


def definitions() -> dict[str, LayerDef]:
    return _DEFS


def aliases() -> dict[str, str]:
    return _ALIASES


def lookup(name: str) -> LayerDef | None:
    """The definition for a layer name or alias (case-insensitive), or None."""
    canonical = _ALIASES.get(name.lower())
    return _DEFS[canonical] if canonical else None


@record
class Layer:
    """One layer with every parameter bound (defaults filled in), as PyTorch names them."""

    kind: str
    args: dict[str, Value]
    pos: int = 0
    length: int = 0
    source: str = ""  # the library call it was read from, e.g. "Linear(3136, 10)"
    declared: tuple[tuple[str, int], ...] = ()  # sizes that call states: channels, features
    # The module it was read from, as the code names it: torch's named_modules() path
    # ('layer1.0.conv2'), a Keras layer's name= ; '' for the module being read itself,
    # None where there is none (a spec, F.relu, a Keras layer without name=).
    name: str | None = field(default=None, compare=False)
    # One set of weights used at several places: every layer with the same non-empty tie
    # uses the weights of the first of them in the graph (a torch module or a Keras layer
    # object applied more than once). '' for a layer with weights of its own.
    tie: str = field(default="", compare=False)

    def __getitem__(self, name: str) -> Value:
        return self.args[name]

    @cached_property
    def text(self) -> str:
        return layer_text(self)


def format_value(value: Value, dims: bool = False) -> str:
    """A value as spec text. A pair of equal sizes (3, 3) reads as 3, as the spec writes a
    square kernel; `dims` (a reshape's or permute's dimensions) keeps every number."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        if len(value) == 2 and value[0] == value[1] and not dims:
            return str(value[0])
        return "x".join(map(str, value))
    return str(value)


def layer_text(layer: Layer) -> str:
    """Normalised spec text: required args positionally, others only when not default."""
    return _layer_text(layer.kind, tuple(layer.args.items()))


@lru_cache(maxsize=8192)
def _layer_text(kind: str, items: tuple[tuple[str, Value], ...]) -> str:
    definition = lookup(kind)
    assert definition is not None, kind
    args = dict(items)
    parts: list[str] = []
    for i, p in enumerate(definition.params):
        value = args[p.name]
        if p.default is REQUIRED:
            parts.append(format_value(value, p.kind == DIMS))
            continue
        default = p.default
        if isinstance(default, str) and default.startswith("="):
            default = args[default[1:]]
        elif p.kind in (PAIR, SIZE) and isinstance(default, int):
            default = (default, default)
        elif p.kind == PADDING and isinstance(default, int):
            default = (default, default)
        if value != default:
            # A layer whose only interesting argument comes first reads best positionally.
            positional = i == 0 and all(
                args[q.name] == q.default or (isinstance(q.default, str) and
                                              q.default.startswith("="))
                for q in definition.params[1:])
            shown = format_value(value, p.kind == DIMS)
            parts.append(shown if positional else f"{p.name}={shown}")
    return f"{kind}({','.join(parts)})" if parts else kind
