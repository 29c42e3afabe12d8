"""`@record` against `@dataclass(frozen=True)`: the same class body decorated both ways must
compare, hash, print, refuse changes and take `dataclasses.replace` alike. The oracle is
dataclass itself, on bodies covering the options a field or a class can set."""

from __future__ import annotations

import dataclasses
import math
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
