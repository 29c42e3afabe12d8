"""`@record`: a frozen dataclass made without dataclass's per-class code generation.

`@dataclass(frozen=True)` writes six methods for each class as source text and compiles
each one when the module is imported: __init__, __setattr__ and __delattr__ (which make it
frozen), __eq__, __hash__ and __repr__; and a class without a docstring gets one from
`inspect.signature`. For the hundred-odd record classes of this package that was most of
`import cnncalc.calc`, and so of a command's start-up (about 0.3 ms a class). A record is
the same frozen dataclass to everything that reads one (`dataclasses.fields`, `replace`,
`asdict`, `is_dataclass`, a dataclass subclassing it, `__match_args__`, frozen instances,
field options), made this way:

- its fields are read from the class's annotations as dataclass reads them (a base's
  fields first; `field(...)` with a default, a default_factory, init, repr, hash and
  compare), and kept as `dataclasses.Field` objects in `__dataclass_fields__`;
- __eq__, __hash__, __repr__, __setattr__ and __delattr__ are functions shared by every
  record: each reads the class's fields through an `operator.attrgetter` made once;
- __init__ is written and compiled on the class's first instance, not at import (most
  classes of a run are never made); it sets the fields as dataclass's frozen __init__
  does, through the instance's __dict__. Until then `inspect.signature` of the class
  shows (*args, **kwargs).

What each method gives is what the generated one gives (tests/test_records.py compares
both decorators on the same class bodies):

- equal: instances of the very same class whose fields with `compare` are equal, in order,
  as one tuple compares (NotImplemented for another class);
- hash: the hash of the tuple of the fields that `hash` (or, by default, `compare`) keeps;
- repr: `QualName(field=value, ...)` over the fields with `repr`, "..." for a record inside
  itself;
- an assignment or a deletion raises FrozenInstanceError (in a plain subclass, only of a
  field);
- `__replace__` (copy.replace, Python 3.13) is dataclasses.replace.

A method the class defines itself is kept, as dataclass keeps it. Only what dataclass does
with `frozen=True` and its other options at their defaults is offered, and a class that
needs more (InitVar, ClassVar, kw_only, slots, its own __setattr__) is refused with a
TypeError at import: it uses dataclass itself. A record's own docstring is kept; one
without gets none (dataclass writes the signature there).
"""

from __future__ import annotations

import inspect
import keyword
import reprlib
from collections.abc import Callable
from dataclasses import MISSING, Field, FrozenInstanceError, dataclass, field, replace
from operator import attrgetter
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from typing_extensions import dataclass_transform
else:
    def dataclass_transform(**_: Any) -> Callable[[Any], Any]:
        return lambda f: f

T = TypeVar("T", bound=type)


@dataclass(frozen=True)
class _Template:
    """Where a record's shared `__dataclass_params__` and its fields' kind come from."""

    x: int


_PARAMS = _Template.__dataclass_params__  # type: ignore[attr-defined]
# dataclasses.fields() keeps the fields of this kind (a ClassVar or an InitVar is another)
_KIND = _Template.__dataclass_fields__["x"]._field_type  # type: ignore[attr-defined]


class _Factory:
    """The default of an argument whose field has a default_factory."""

    def __repr__(self) -> str:
        return "<factory>"


_FACTORY = _Factory()


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


def _replace(self: Any, /, **changes: Any) -> Any:
    """copy.replace's hook (Python 3.13), which dataclass also gives."""
    return replace(self, **changes)


def _owner(self: Any, name: str, method: Any) -> Any:
    """The record class in self's MRO whose `name` is `method` (_setattr or _delattr)."""
    for cls in type(self).__mro__:
        if cls.__dict__.get(name) is method:
            return cls
    raise AssertionError(name)  # the method was found through the MRO


def _setattr(self: Any, name: str, value: Any) -> None:
    cls = _owner(self, "__setattr__", _setattr)
    if type(self) is cls or name in cls.__record_names__:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")
    super(cls, self).__setattr__(name, value)


def _delattr(self: Any, name: str) -> None:
    cls = _owner(self, "__delattr__", _delattr)
    if type(self) is cls or name in cls.__record_names__:
        raise FrozenInstanceError(f"cannot delete field {name!r}")
    super(cls, self).__delattr__(name)


def _special(annotation: Any) -> str:
    """'ClassVar' or 'InitVar' where the annotation is one (written or as an object)."""
    text = annotation if isinstance(annotation, str) else repr(annotation)
    for kind in ("ClassVar", "InitVar"):
        if text.replace("typing.", "").replace("dataclasses.", "").startswith(kind):
            return kind
    return ""


def _fields(cls: type) -> dict[str, Field[Any]]:
    """The class's fields, a base's first, as dataclass finds them."""
    found: dict[str, Field[Any]] = {}
    for base in cls.__mro__[-1:0:-1]:
        found.update(base.__dict__.get("__dataclass_fields__", {}))
    for name, annotation in inspect.get_annotations(cls).items():
        if not name.isidentifier() or keyword.iskeyword(name):  # it is written into __init__
            raise TypeError(f"{cls.__qualname__}: field name {name!r} is not an identifier")
        if _special(annotation):
            raise TypeError(f"{cls.__qualname__}.{name}: a record has no "
                            f"{_special(annotation)}; use dataclass")
        default = cls.__dict__.get(name, MISSING)
        f: Any = default if isinstance(default, Field) else field(default=default)
        if f.kw_only not in (MISSING, False):
            raise TypeError(f"{cls.__qualname__}.{name}: a record has no kw_only field; "
                            "use dataclass")
        if f.default is not MISSING and f.default.__class__.__hash__ is None:
            raise ValueError(f"mutable default {type(f.default)} for field {name} is not "
                             "allowed: use default_factory")
        f.name, f.type, f.kw_only = name, annotation, False
        f._field_type = _KIND
        if isinstance(default, Field):  # the class attribute is the default, or none
            if f.default is MISSING:
                delattr(cls, name)
            else:
                setattr(cls, name, f.default)
        found[name] = f
    later = False
    for f in found.values():
        if not f.init:
            continue
        if f.default is MISSING and f.default_factory is MISSING:
            if later:
                raise TypeError(f"non-default argument {f.name!r} follows default argument")
        else:
            later = True
    return found


def _init(cls: type, found: list[Field[Any]]) -> Callable[..., None]:
    """The class's __init__, written and compiled: dataclass's frozen __init__ (arguments,
    defaults, factories, __post_init__), setting each field in the instance's __dict__."""
    env: dict[str, Any] = {"__name__": cls.__module__, "__record_factory__": _FACTORY}
    args = ["__record_self__"]
    body = ["__record_fields__ = __record_self__.__dict__"]
    for f in found:
        name = f.name
        if f.default is not MISSING:
            env[f"__record_d_{name}"] = f.default
            value = f"__record_d_{name}"
        elif f.default_factory is not MISSING:
            env[f"__record_f_{name}"] = f.default_factory
            value = f"__record_f_{name}()"
        else:
            value = ""
        if f.init:
            if f.default_factory is not MISSING:
                args.append(f"{name}=__record_factory__")
                value = f"{value} if {name} is __record_factory__ else {name}"
            else:
                args.append(f"{name}={value}" if value else name)
                value = name
        elif not value:
            continue  # init=False and no default: dataclass leaves it unset too
        body.append(f"__record_fields__[{name!r}] = {value}")
    if hasattr(cls, "__post_init__"):
        body.append("__record_self__.__post_init__()")
    source = f"def __init__({', '.join(args)}):\n" + "".join(f"    {b}\n" for b in body)
    exec(source, env)  # the text is made above from field names checked to be identifiers
    made: Callable[..., None] = env["__init__"]
    made.__qualname__ = f"{cls.__qualname__}.__init__"
    made.__annotations__ = {**{f.name: f.type for f in found if f.init}, "return": None}
    return made


def _lazy_init(cls: type, found: list[Field[Any]]) -> Callable[..., None]:
    """An __init__ that, on the first instance, puts the compiled one in its place."""

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        real = cls.__dict__["__init__"]
        if real is __init__:
            real = _init(cls, found)
            type.__setattr__(cls, "__init__", real)
        real(self, *args, **kwargs)

    __init__.__qualname__ = f"{cls.__qualname__}.__init__"
    return __init__


@dataclass_transform(frozen_default=True)
def record(cls: T) -> T:
    """The class as a frozen dataclass with shared methods and a lazy __init__ (see above)."""
    own = dict(cls.__dict__)  # as written: the methods set below are not its own
    for name in ("__setattr__", "__delattr__", "__slots__"):
        if name in own:
            raise TypeError(f"{cls.__qualname__} defines {name}: a record cannot; use "
                            "dataclass")
    found = _fields(cls)
    made: Any = cls
    made.__dataclass_fields__ = found
    made.__dataclass_params__ = _PARAMS
    listed = list(found.values())
    made.__record_names__ = frozenset(found)
    made.__record_compare__ = _getter([f.name for f in listed if f.compare])
    made.__record_hash__ = _getter([f.name for f in listed
                                    if (f.compare if f.hash is None else f.hash)])
    made.__record_repr__ = tuple(f.name for f in listed if f.repr)
    if "__init__" not in own:
        made.__init__ = _lazy_init(cls, listed)
    if "__match_args__" not in own:
        made.__match_args__ = tuple(f.name for f in listed if f.init)  # type: ignore[misc]
    made.__setattr__ = _setattr
    made.__delattr__ = _delattr
    if "__eq__" not in own:
        made.__eq__ = _eq
    # dataclass(frozen=True) hashes by the fields unless the class sets __hash__ itself (the
    # None that Python gives a class defining its own __eq__ does not count)
    class_hash = own.get("__hash__", MISSING)
    if class_hash is MISSING or (class_hash is None and "__eq__" in own):
        made.__hash__ = _hash
    if "__repr__" not in own:
        made.__repr__ = _repr
    if "__replace__" not in own:
        made.__replace__ = _replace
    result: T = made
    return result
