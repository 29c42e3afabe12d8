"""Receptive fields (Araujo et al., Distill 2019): size, jump and centre of the first unit."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property
from typing import Union

from ..ops.base import Step, Window

Num = Union[int, Fraction]
"""Exact coordinates: ints where possible (fast), fractions after halves or transposed convs."""


def _exact(x: Num) -> Num:
    return x.numerator if isinstance(x, Fraction) and x.denominator == 1 else x


def _half(n: int) -> Num:
    return n // 2 if n % 2 == 0 else Fraction(n, 2)


@dataclass(frozen=True)
class RField:
    """Receptive field of one output unit, per axis (H, W), in input-pixel units.

    size:  how many input pixels one output unit can see (r).
    jump:  distance in input pixels between neighbouring output units (j, the effective stride).
    start: centre of the first output unit's field, with input pixel 0 centred at 0.
    whole: every unit sees the whole input (after flatten or fc).
    unknown: a layer moved values between positions (a reshape, a permute): the field is
             not known from here on.
    """

    size: tuple[int, int]
    jump: tuple[Num, Num]
    start: tuple[Num, Num]
    whole: bool = False
    unknown: bool = False

    def describe(self) -> tuple[str, str, str]:
        """The RF, jump and start columns as text (cached: pointwise layers share fields)."""
        return self._columns

    @cached_property
    def _columns(self) -> tuple[str, str, str]:
        if self.unknown:
            return "?", "?", "?"
        if self.whole:
            return "all", "-", "-"
        return (_fmt(self.size), _fmt(tuple(_num(j) for j in self.jump)),
                _fmt(tuple(_num(s) for s in self.start)))


def _num(x: Num) -> str:
    if isinstance(x, int):
        return str(x)
    if x.denominator == 1:
        return str(x.numerator)
    if x.denominator == 2:
        return f"{float(x):g}"
    return f"{x.numerator}/{x.denominator}"


def _fmt(pair: tuple[object, ...]) -> str:
    return str(pair[0]) if pair[0] == pair[1] else f"{pair[0]}x{pair[1]}"


INPUT = RField((1, 1), (1, 1), (0, 0))


def _ceil(x: Num) -> int:
    if isinstance(x, int):
        return x
    return -(-x.numerator // x.denominator)


def _axis(r: int, j: Num, start: Num, win: Window) -> tuple[int, Num, Num]:
    if win.transposed:
        # An output of a transposed conv draws on at most ceil(k/s) neighbouring inputs,
        # and neighbouring outputs sit 1/s input units apart.
        s = int(1 / win.stride)
        taps = -(-win.kernel // s)
        r_new = r + _ceil((taps - 1) * j)
        shifted = start + (Fraction(win.pad_left) - Fraction(win.kernel - 1, 2)) / s * j
        return r_new, _exact(j * win.stride), _exact(shifted)
    r_new = r + _ceil((win.kernel - 1) * j)
    centre = start + (_half(win.kernel - 1) - win.pad_left) * j
    return r_new, _exact(j * win.stride), _exact(centre)


UNKNOWN = RField((0, 0), (0, 0), (0, 0), unknown=True)


def update(rf: RField, step: Step) -> RField:
    """The receptive field after a layer, from the one before it."""
    if rf.unknown or step.scrambles:
        return UNKNOWN
    if rf.whole or step.global_view:
        return RField(rf.size, rf.jump, rf.start, True)
    if step.windows is None:
        return rf
    h = _axis(rf.size[0], rf.jump[0], rf.start[0], step.windows[0])
    w = _axis(rf.size[1], rf.jump[1], rf.start[1], step.windows[1])
    return RField((h[0], w[0]), (h[1], w[1]), (h[2], w[2]))


def larger(a: RField, b: RField) -> RField:
    """The path with the larger field, as a residual block's output sees it."""
    if a.unknown or b.unknown:
        return UNKNOWN
    if a.whole or b.whole:
        return a if a.whole else b
    return a if a.size[0] * a.size[1] >= b.size[0] * b.size[1] else b


def join_rf(fields: list[RField], shapes: list[tuple[int, ...]],
            out: tuple[int, ...]) -> RField:
    """The field of a join's output: the largest over every path, with the jump and start
    of the largest path whose map has the output's height and width (a broadcast gate of
    1x1 sees everything but does not set the output's grid)."""
    if any(f.unknown for f in fields):
        return UNKNOWN
    aligned = [f for f, s in zip(fields, shapes) if s[1:] == out[1:]] or fields
    best = aligned[0]
    for f in aligned[1:]:
        best = larger(best, f)
    widest = fields[0]
    for f in fields[1:]:
        widest = larger(widest, f)
    if widest.whole or best.whole:
        return widest if widest.whole else best
    if widest is best:
        return best
    size = (max(widest.size[0], best.size[0]), max(widest.size[1], best.size[1]))
    return RField(size, best.jump, best.start)


def update_text(before: RField, after: RField, step: Step) -> str:
    """The receptive-field update written out, for `explain`."""
    if after.unknown:
        return ("unknown: this layer moves values between positions" if step.scrambles
                else "unknown (an earlier layer moved values between positions)")
    if after.whole:
        return "every output sees the whole input"
    if step.windows is None:
        return f"unchanged: r = {_fmt(after.size)}"
    win = step.windows[0]
    j = _num(before.jump[0])
    if win.transposed:
        s = int(1 / win.stride)
        return (f"r = {before.size[0]} + (⌈{win.kernel}/{s}⌉ - 1)·{j} = "
                f"{after.size[0]}, j = {j}/{s} = {_num(after.jump[0])}")
    return (f"r = {before.size[0]} + ({win.kernel} - 1)·{j} = {after.size[0]}, "
            f"j = {j}·{_num(win.stride)} = {_num(after.jump[0])}")
