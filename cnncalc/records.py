"""`@record`: a frozen dataclass whose equality, hash and repr are shared, not compiled.

`@dataclass(frozen=True)` writes six methods for each class as source text and compiles each
one when the module is imported: __init__, __setattr__ and __delattr__ (which make it frozen),
__eq__, __hash__ and __repr__. For the hundred-odd record classes of this package that was
about half of `import cnncalc.calc`, and so of a command's start-up. A record is the same
frozen dataclass (fields, defaults, `dataclasses.replace`, `fields`, `asdict`, frozen
instances) whose __eq__, __hash__ and __repr__ are the three functions below, shared by
every record: each reads the class's fields through an `operator.attrgetter` made once,
and gives what the generated method gives (tests/test_records.py compares them with
`dataclass(frozen=True)` on the same classes):

- equal: instances of the very same class whose fields with `compare` are equal, in order,
  as one tuple compares (NotImplemented for another class);
- hash: the hash of the tuple of the fields that `hash` (or, by default, `compare`) keeps;
- repr: `QualName(field=value, ...)` over the fields with `repr`, "..." for a record inside
  itself.

A method the class defines itself is kept, as dataclass keeps it. Only what dataclass does
with `frozen=True` and its other options at their defaults is offered: a class that needs
another option uses dataclass itself.
"""

from __future__ import annotations

import reprlib
from collections.abc import Callable
from dataclasses import MISSING, dataclass, fields
from operator import attrgetter
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from typing_extensions import dataclass_transform
else:
    def dataclass_transform(**_: Any) -> Callable[[Any], Any]:
        return lambda f: f

T = TypeVar("T", bound=type)


def _getter(names: list[str]) -> Callable[[Any], tuple[Any, ...]]:
    """A function giving the tuple of these attributes (a tuple also for one or none)."""
    if not names:
        return lambda _: ()
    if len(names) == 1:
        one = attrgetter(names[0])
        return lambda obj: (one(obj),)
    many: Callable[[Any], tuple[Any, ...]] = attrgetter(*names)
    return many


def _eq(self: Any, other: Any) -> Any:
    if other.__class__ is self.__class__:
        key = self.__class__.__record_compare__
        return key(self) == key(other)
    return NotImplemented


def _hash(self: Any) -> int:
    return hash(self.__class__.__record_hash__(self))


@reprlib.recursive_repr()
def _repr(self: Any) -> str:
    names = self.__class__.__record_repr__
    return (f"{self.__class__.__qualname__}("
            + ", ".join(f"{name}={getattr(self, name)!r}" for name in names) + ")")


@dataclass_transform(frozen_default=True)
def record(cls: T) -> T:
    """The class as a frozen dataclass with shared equality, hash and repr (see above)."""
    own = dict(cls.__dict__)
    made: Any = dataclass(frozen=True, eq=False, repr=False)(cls)
    found = fields(made)
    made.__record_compare__ = _getter([f.name for f in found if f.compare])
    made.__record_hash__ = _getter([f.name for f in found
                                    if (f.compare if f.hash is None else f.hash)])
    made.__record_repr__ = tuple(f.name for f in found if f.repr)
    if "__eq__" not in own:
        made.__eq__ = _eq
    # dataclass(frozen=True) hashes by the fields unless the class sets __hash__ itself (the
    # None that Python gives a class defining its own __eq__ does not count)
    class_hash = own.get("__hash__", MISSING)
    if class_hash is MISSING or (class_hash is None and "__eq__" in own):
        made.__hash__ = _hash
    if "__repr__" not in own:
        made.__repr__ = _repr
    result: T = made
    return result
