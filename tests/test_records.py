"""`@record` against `@dataclass(frozen=True)`: the same class body decorated both ways must
compare, hash, print, refuse changes and take `dataclasses.replace` alike. The oracle is
dataclass itself, on bodies covering the options a field or a class can set."""

from __future__ import annotations

import copy
import dataclasses
import inspect
import math
import pickle
from dataclasses import FrozenInstanceError, field
from typing import Any

import pytest

from cnncalc.records import record


def _bodies() -> dict[str, type]:
    """Fresh, undecorated class bodies (each call makes new classes)."""

    class Plain:
        """A docstring."""

        a: int
        b: str = "x"

    class Options:
        a: int
        b: list[int] = field(default_factory=list, compare=False)
        c: float = field(default=1.0, repr=False)
        d: int = field(default=0, hash=False)
        e: int = field(default=0, compare=False, hash=True)

    class OwnRepr:
        a: int

        def __repr__(self) -> str:
            return "own"

    class OwnEq:
        a: int

        def __eq__(self, other: object) -> bool:
            return True

    class OwnHash:
        a: int

        def __hash__(self) -> int:
            return 7

    class NoHash:
        a: int
        __hash__ = None  # type: ignore[assignment]

    class Empty:
        pass

    class One:
        a: float

    return {k: v for k, v in locals().items() if isinstance(v, type)}


SAMPLES: dict[str, list[dict[str, Any]]] = {
    "Plain": [{"a": 1}, {"a": 1, "b": "x"}, {"a": 2}, {"a": 1, "b": "y"}],
    "Options": [{"a": 1}, {"a": 1, "b": [5]}, {"a": 1, "c": 2.0}, {"a": 1, "d": 3},
                {"a": 1, "e": 4}, {"a": 2}],
    "OwnRepr": [{"a": 1}, {"a": 2}],
    "OwnEq": [{"a": 1}, {"a": 2}],
    "OwnHash": [{"a": 1}, {"a": 2}],
    "NoHash": [{"a": 1}, {"a": 2}],
    "Empty": [{}, {}],
    "One": [{"a": 1.0}, {"a": math.nan}, {"a": 2.0}],
}


def _behaviour(cls: type, values: list[dict[str, Any]]) -> list[Any]:
    made = [cls(**v) for v in values]
    nan_twice = [cls(**v) for v in values]  # equal fields, other objects
    seen: list[Any] = [repr(m) for m in made]
    for x in made + nan_twice:
        for y in made + nan_twice:
            seen.append(x == y)
            seen.append(x != y)
        seen.append(x == object())
        seen.append(x.__eq__(object()))
    for m in made:
        try:
            seen.append(("hash", hash(m)))
        except TypeError as e:
            seen.append(("unhashable", str(e)))
        with pytest.raises(FrozenInstanceError):
            m.a = 9  # type: ignore[misc]
        with pytest.raises(FrozenInstanceError):
            del m.a  # type: ignore[misc]
        with pytest.raises(FrozenInstanceError):
            m.new = 1  # type: ignore[attr-defined]
        seen.append(repr(dataclasses.replace(m)))
        seen.append(dataclasses.asdict(m))
        seen.append([f.name for f in dataclasses.fields(m)])
        seen.append(m.__match_args__)  # type: ignore[attr-defined]
    return seen


@pytest.mark.parametrize("name", list(SAMPLES))
def test_a_record_behaves_as_a_frozen_dataclass(name: str) -> None:
    ours = record(_bodies()[name])
    theirs = dataclasses.dataclass(frozen=True)(_bodies()[name])
    assert ours.__qualname__ == theirs.__qualname__
    assert _behaviour(ours, SAMPLES[name]) == _behaviour(theirs, SAMPLES[name])


def test_a_record_inside_itself_prints_as_dataclass_prints_it() -> None:
    ours = record(_bodies()["Options"])
    theirs = dataclasses.dataclass(frozen=True)(_bodies()["Options"])
    got = []
    for cls in (ours, theirs):
        x = cls(1)
        x.b.append(x)
        got.append(repr(x))
    assert got[0] == got[1] == "_bodies.<locals>.Options(a=1, b=[...], d=0, e=0)"


def test_a_subclass_compares_as_dataclass_compares_it() -> None:
    """A plain subclass of a record (as UnknownRF of RField) inherits its methods: an
    instance of it equals another of its own class only, as dataclass's __eq__ says."""
    got = []
    for decorate in (record, dataclasses.dataclass(frozen=True)):
        base = decorate(_bodies()["Plain"])
        sub = type("Sub", (base,), {})
        got.append((base(1) == sub(1), sub(1) == sub(1), sub(1) == base(1),
                    hash(sub(1)) == hash(base(1)), repr(sub(1))))
    assert got[0] == got[1]


def _more_bodies() -> dict[str, type]:
    """Bodies for the options the first set leaves out (fresh classes on each call)."""

    class Later:
        a: int
        b: list[int] = field(default_factory=list)
        c: int = field(default=5, init=False)
        d: tuple[int, ...] = field(default_factory=tuple, init=False)
        e: str = field(default="e", compare=False, repr=False)

    class Checked:
        a: int
        b: int = 1

        def __post_init__(self) -> None:
            if self.a < 0:
                raise ValueError("a must be >= 0")

    return {k: v for k, v in locals().items() if isinstance(v, type)}


MORE: dict[str, list[dict[str, Any]]] = {
    "Later": [{"a": 1}, {"a": 1, "b": [2]}, {"a": 1, "e": "f"}, {"a": 2}],
    "Checked": [{"a": 0}, {"a": 3, "b": 2}],
}


@pytest.mark.parametrize("name", list(MORE))
def test_factories_init_false_and_post_init_behave_as_dataclass(name: str) -> None:
    ours = record(_more_bodies()[name])
    theirs = dataclasses.dataclass(frozen=True)(_more_bodies()[name])
    assert _behaviour(ours, MORE[name]) == _behaviour(theirs, MORE[name])
    # the same __init__: its signature, once made, and what it refuses
    ours(**MORE[name][0])
    assert str(inspect.signature(ours)) == str(inspect.signature(theirs))
    for cls in (ours, theirs):
        with pytest.raises(TypeError):
            cls(1, 2, 3, 4, 5, 6)
        with pytest.raises(TypeError):
            cls(zzz=1)
        with pytest.raises(TypeError):
            cls()
    if name == "Later":  # each instance gets a fresh list from the factory
        x, y = ours(1), ours(1)
        assert x.b == [] and x.b is not y.b and (x.c, x.d) == (5, ())
        with pytest.raises(ValueError):  # init=False: replace refuses it, as for dataclass
            dataclasses.replace(x, c=6)
    else:
        for cls in (ours, theirs):
            with pytest.raises(ValueError, match="a must be >= 0"):
                cls(-1)


def test_a_record_of_a_record_and_a_dataclass_of_a_record_take_their_base_fields() -> None:
    """Fields come base first, as dataclass orders them: a record subclassing a record
    (TfModel of Model), and a frozen dataclass subclassing a record (api.Summary)."""
    got = []
    for decorate in (record, dataclasses.dataclass(frozen=True)):
        base = decorate(_bodies()["Plain"])
        sub = decorate(type("Sub", (base,), {"__annotations__": {"c": "int"}, "c": 3}))
        plain_sub = dataclasses.dataclass(frozen=True, repr=False)(
            type("Wrapped", (base,), {"__annotations__": {"d": "int"}, "d": 4}))
        x, y = sub(1, "y", 7), plain_sub(2)
        got.append((repr(x), x == sub(1, "y", 7), x == base(1, "y"),
                    hash(x) == hash(sub(1, "y", 7)),
                    [f.name for f in dataclasses.fields(sub)],
                    [f.name for f in dataclasses.fields(plain_sub)],
                    dataclasses.asdict(y), repr(dataclasses.replace(x, c=8))))
        with pytest.raises(FrozenInstanceError):
            y.a = 3  # type: ignore[misc]
    assert got[0] == got[1]


def test_a_record_refuses_what_dataclass_refuses_and_what_it_does_not_offer() -> None:
    class Order:
        a: int = 1
        b: int  # type: ignore[misc]

    class Mutable:
        a: list[int] = []  # noqa: RUF012

    for body, error in ((Order, TypeError), (Mutable, ValueError)):
        with pytest.raises(error):
            dataclasses.dataclass(frozen=True)(type(body.__name__, (), dict(body.__dict__)))
        with pytest.raises(error):
            record(type(body.__name__, (), dict(body.__dict__)))

    class Keyword:
        a: int = field(default=0, kw_only=True)

    class OwnSetattr:
        a: int

        def __setattr__(self, name: str, value: Any) -> None:
            raise AttributeError(name)

    class Later:
        a: dataclasses.InitVar[int]

    for body in (Keyword, OwnSetattr, Later):
        with pytest.raises(TypeError, match="use dataclass"):
            record(body)


def test_a_record_is_made_without_compiling_its_init_until_its_first_instance() -> None:
    cls = record(_bodies()["Plain"])
    lazy = cls.__dict__["__init__"]
    x = cls(1)
    made = cls.__dict__["__init__"]
    assert made is not lazy and (x.a, x.b) == (1, "x")
    assert cls(2, "z").b == "z" and cls.__dict__["__init__"] is made
    # a package record pickles and copies as a dataclass does
    from cnncalc.ops.signature import Layer

    layer = Layer("conv", {"out_channels": 8})
    assert pickle.loads(pickle.dumps(layer)) == layer
    assert copy.deepcopy(layer) == layer and copy.copy(layer) == layer


def test_a_record_takes_copy_replace_as_a_dataclass_does_from_python_3_13() -> None:
    cls = record(_bodies()["Plain"])
    x = cls(1, "y")
    assert x.__replace__(a=2) == dataclasses.replace(x, a=2) == cls(2, "y")
    with pytest.raises(TypeError):
        x.__replace__(zzz=1)


def test_a_field_name_that_is_not_an_identifier_is_refused_before_any_code_is_made() -> None:
    """__init__ is written from the field names: a name that is not an identifier (set by
    hand in __annotations__) could make that text run something else."""
    for name in ("a); import os; (", "class", "1x"):
        with pytest.raises(TypeError, match="is not an identifier"):
            record(type("X", (), {"__annotations__": {name: "int"}}))
