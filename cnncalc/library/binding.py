"""Library class signatures: bind a PyTorch or Keras call's arguments as the library would."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import field, replace
from typing import Final

from ..errors import cut
from ..records import record

PYTORCH: Final = "pytorch"
KERAS: Final = "keras"

REQUIRED: Final = object()
"""Marks a library parameter without a default."""

MAX_INT: Final = 10**12
"""Largest integer a spec or pasted model may use (sizes, counts); larger is an error."""

MAX_SOURCE: Final = 256_000
"""Characters of pasted code read: far beyond any pasted model."""

Raw = object
"""A Python literal as written: int, float, str, bool, None, or a tuple of them."""


class ClassError(Exception):
    """A library call that cannot be bound exactly; the caller adds where it was written."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class SignatureError(ClassError):
    """A call its class's signature refuses (an unknown keyword, too many positional
    arguments, a required one missing): run, Python stops there with a TypeError."""


@record
class Made:
    """One cnncalc layer a library call stands for, with the sizes the call declares."""

    kind: str
    args: dict[str, Raw]
    declared: tuple[tuple[str, int], ...] = ()


@record
class Bound:
    """What one library call means: cnncalc layers, and an input shape it may declare."""

    layers: tuple[Made, ...]
    input_shape: tuple[int, ...] | None = None  # (C, H, W) or (N,)
    # A Keras input given as (H, W), read as one channel: only where every layer on it
    # until a flatten is layout-agnostic (dialects/plane.py checks the model).
    plane: bool = False

    def without_declared(self, keep: tuple[tuple[str, int], ...] = ()) -> Bound:
        """The same layers with no stated input size (a lazy layer infers it), but `keep`."""
        return Bound(tuple(replace(m, declared=keep) for m in self.layers))


Args = dict[str, Raw]


@record
class ClassDef:
    """A library class: its parameters in positional order, and what it binds to."""

    name: str
    dialect: str
    params: tuple[tuple[str, Raw], ...]
    make: Callable[[Args], Bound]
    ignored: frozenset[str] = field(default_factory=frozenset)

    def signature(self) -> str:
        parts = [n if d is REQUIRED else f"{n}={d!r}" for n, d in self.params]
        return f"{self.name}({', '.join(parts)})"


def show(value: Raw) -> str:
    return cut(repr(value))


def as_int(value: Raw, what: str, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ClassError(f"{what} must be an integer, got {show(value)}")
    if value < minimum:
        raise ClassError(f"{what} must be at least {minimum}, got {value}")
    if value > MAX_INT:
        raise ClassError(f"{what} is {cut(str(value))}; the limit is 10^12")
    return value


def as_pair(value: Raw, what: str, minimum: int = 0) -> tuple[int, int]:
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ClassError(f"{what} must be an integer or a pair (h, w), got {show(value)}")
        return (as_int(value[0], what, minimum), as_int(value[1], what, minimum))
    n = as_int(value, what, minimum)
    return (n, n)


def as_bool(value: Raw, what: str) -> bool:
    if not isinstance(value, bool):
        raise ClassError(f"{what} must be True or False, got {show(value)}")
    return value


def as_float(value: Raw, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ClassError(f"{what} must be a number, got {show(value)}")
    return float(value)


def bind_args(d: ClassDef, positional: list[Raw], keywords: dict[str, Raw]) -> Args:
    """Positional then keyword arguments onto d's parameters, defaults filled in."""
    names = [n for n, _ in d.params]
    if "*" in d.ignored:
        return {}
    if keywords.get("trainable") is False:
        raise ClassError(f"{d.name}(trainable=False) moves its weights to non-trainable",
                         "cnncalc counts every layer as trainable; remove it")
    if len(positional) > len(names):
        raise SignatureError(f"{d.name} takes at most {len(names)} positional argument(s), got "
                         f"{len(positional)}", f"its signature is {cut(d.signature(), 200)}")
    args: Args = dict(zip(names, positional))
    for key, value in keywords.items():
        if key in args:
            raise SignatureError(f"{d.name} got '{key}' twice")
        if key in names or key in d.ignored:
            args[key] = value
        else:
            hint = _close(key, names)
            raise SignatureError(f"{d.name} has no argument '{cut(key)}'",
                             hint or f"its signature is {cut(d.signature(), 200)}")
    for name, default in d.params:
        if name not in args:
            if default is REQUIRED:
                raise SignatureError(f"{d.name} needs '{name}'",
                                 f"its signature is {cut(d.signature(), 200)}")
            args[name] = default
    return args


def _close(word: str, options: list[str]) -> str | None:
    import difflib  # only on errors

    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else None


def one(kind: str, declared: tuple[tuple[str, int], ...] = (), **args: Raw) -> Bound:
    return Bound((Made(kind, dict(args), declared),))


def dialect_of(names: Iterable[tuple[str, str | None]], table: dict[str, list[ClassDef]]
               ) -> str | None:
    """The one library a model's class names come from (None: only shared or cnncalc names).

    `names` holds (class name, dialect its prefix names or None). Mixing is an error."""
    seen: dict[str, str] = {}
    for name, prefixed in names:
        defs = table.get(name, [])
        dialects = {x.dialect for x in defs}
        if prefixed is not None and defs:
            dialects &= {prefixed}
        if len(dialects) == 1:
            seen.setdefault(dialects.pop(), name)
    if len(seen) > 1:
        raise ClassError(f"the model mixes PyTorch ({seen[PYTORCH]}) and Keras "
                         f"({seen[KERAS]}) classes",
                         "write it in one library, or in cnncalc's own names")
    return next(iter(seen), None)
