"""Receptive fields (Araujo et al., Distill 2019): size, jump and centre of the first unit."""

from __future__ import annotations

from fractions import Fraction
from functools import cached_property
from typing import Union

from ..ops.base import Step, Window
from ..records import record

Num = Union[int, Fraction]
"""Exact coordinates: ints where possible (fast), fractions after halves or transposed convs."""


def _exact(x: Num) -> Num:
    return x.numerator if isinstance(x, Fraction) and x.denominator == 1 else x


def _half(n: int) -> Num:
    return n // 2 if n % 2 == 0 else Fraction(n, 2)


@record
class RField:
    """Receptive field of one output unit, per axis (H, W), in input-pixel units.

    size:  how many input pixels one output unit can see (r).
    jump:  distance in input pixels between neighbouring output units (j, the effective stride).
    start: centre of the first output unit's field, with input pixel 0 centred at 0.
    whole: every unit sees the whole input (after flatten or fc).
    unknown: a layer moved values between positions (a reshape, a permute): the field is
             not known from here on.
    approx: the size is an estimate. After a transposed conv or an upsampling, neighbouring
            outputs sit a fraction of an input apart and see different numbers of inputs;
            a window or a join over them sees a field that depends on the output's position,
            which one number per axis cannot hold. Shown with "≈".
    """

    size: tuple[int, int]
    jump: tuple[Num, Num]
    start: tuple[Num, Num]
    whole: bool = False
    unknown: bool = False
    approx: bool = False

    def describe(self) -> tuple[str, str, str]:
        """The RF, jump and start columns as text (cached: pointwise layers share fields)."""
        return self._columns

    @cached_property
    def _columns(self) -> tuple[str, str, str]:
        if self.unknown:
            return "?", "?", "?"
        if self.whole:
            return "all", "-", "-"
        return (("≈" if self.approx else "") + _fmt(self.size),
                _fmt(tuple(_num(j) for j in self.jump)),
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
    k, stride, pad = win.kernel, win.stride, win.pad_left
    if type(j) is int and type(stride) is int and type(pad) is int and not win.transposed:
        # The common case, in whole numbers: with an int jump, stride and padding the centre
        # counted in half pixels is an int (the start is then an int or n/2), which saves
        # the Fraction arithmetic (about 10 µs a pooling row).
        if type(start) is int:
            halves = 2 * start
        elif isinstance(start, Fraction) and start.denominator <= 2:
            halves = start.numerator * (2 // start.denominator)
        else:
            return _fraction_axis(r, j, start, win)
        halves += (k - 1 - 2 * pad) * j
        return r + (k - 1) * j, j * stride, (halves // 2 if halves % 2 == 0
                                             else Fraction(halves, 2))
    return _fraction_axis(r, j, start, win)


def _fraction_axis(r: int, j: Num, start: Num, win: Window) -> tuple[int, Num, Num]:
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
    wh, ww = step.windows
    h = _axis(rf.size[0], rf.jump[0], rf.start[0], wh)
    w = _axis(rf.size[1], rf.jump[1], rf.start[1], ww)
    # Outputs of a transposed conv or an upsampling see fields that depend on their position
    # (neighbours share inputs unevenly): from there on one number per axis is an estimate.
    approx = rf.approx or (wh.transposed and wh.stride != 1) or \
        (ww.transposed and ww.stride != 1) or \
        (wh.kernel > 1 and not isinstance(_exact(rf.jump[0]), int)) or \
        (ww.kernel > 1 and not isinstance(_exact(rf.jump[1]), int))
    return RField((h[0], w[0]), (h[1], w[1]), (h[2], w[2]), approx=approx)


def join_rf(fields: list[RField], shapes: list[tuple[int, ...]],
            out: tuple[int, ...]) -> RField:
    """The field of a join's output unit: on each axis, the union of what every path's unit
    sees (with aligned centres, the largest path's field; a 1x3 branch and a 3x1 branch give
    3x3). The output's grid, its jump, comes from the paths whose maps have the output's
    height and width (a broadcast 1x1 gate sees everything but does not set the grid)."""
    if any(f.unknown for f in fields):
        return UNKNOWN
    if any(f.whole for f in fields):
        return next(f for f in fields if f.whole)
    aligned = [f for f, s in zip(fields, shapes) if s[1:] == out[1:]] or fields
    approx = any(f.approx or not all(isinstance(_exact(j), int) for j in f.jump)
                 for f in fields)
    size: list[int] = []
    jump: list[Num] = []
    start: list[Num] = []
    for a in (0, 1):
        lo = min(f.start[a] - Fraction(f.size[a] - 1, 2) for f in fields)
        hi = max(f.start[a] + Fraction(f.size[a] - 1, 2) for f in fields)
        size.append(int(hi - lo) + 1)
        jump.append(max(f.jump[a] for f in aligned))
        start.append(_exact((lo + hi) / 2))
    return RField((size[0], size[1]), (jump[0], jump[1]), (start[0], start[1]),
                  approx=approx)


def update_text(before: RField, after: RField, step: Step) -> str:
    """The receptive-field update written out, for `explain`."""
    text = _update_text(before, after, step)
    if after.approx and not before.approx:
        text += ("; an estimate from here on (≈): outputs of a transposed conv or an "
                 "upsampling share their inputs unevenly, so the field depends on the "
                 "output's position")
    return text


def _update_text(before: RField, after: RField, step: Step) -> str:
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
