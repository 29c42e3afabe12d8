"""Receptive fields against brute force: perturb one input pixel in torch, see what changes."""

from __future__ import annotations

import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from cnncalc.calc import summarize_spec
from cnncalc.train.model import build

torch.set_num_threads(1)

layer = st.one_of(
    st.builds(lambda k, s, p, d: f"conv(2,{k},stride={s},padding={min(p, k // 2)},dilation={d})",
              st.integers(1, 4), st.integers(1, 3), st.integers(0, 2), st.integers(1, 2)),
    st.builds(lambda k, s, p, c: f"maxpool({k},stride={s},padding={min(p, k // 2)},ceil={c})",
              st.integers(1, 3), st.integers(1, 3), st.integers(0, 1),
              st.sampled_from(["true", "false"])),
    st.builds(lambda k, s: f"avgpool({k},stride={s})", st.integers(1, 3), st.integers(1, 3)),
    st.just("relu"),
)


def affected_rows(model: nn.Module, size: int, out_row: int, out_col: int) -> list[int]:
    """Input rows whose perturbation changes output unit (out_row, out_col), channel 0."""
    base = torch.ones(1, 1, size, size)
    with torch.no_grad():
        y0 = model(base)[0, 0, out_row, out_col]
        rows = []
        for r in range(size):
            x = base.clone()
            x[0, 0, r, :] += 100.0
            if model(x)[0, 0, out_row, out_col] != y0:
                rows.append(r)
    return rows


@settings(max_examples=150, deadline=None, derandomize=True)
@given(st.lists(layer, min_size=1, max_size=4), st.integers(12, 28))
def test_field_matches_brute_force(layers: list[str], size: int) -> None:
    spec = "-".join(layers)
    try:
        s = summarize_spec(spec, (1, size, size))
    except Exception:
        return
    model = build(s).eval()
    for m in model.modules():  # positive weights: every input in a field moves the output
        if isinstance(m, nn.Conv2d):
            nn.init.constant_(m.weight, 1.0)
            nn.init.zeros_(m.bias)
    rf = s.layers[-1].rf
    out_h = s.output_shape[1]
    unit = out_h // 2
    centre = rf.start[0] + unit * rf.jump[0]
    lo_f = centre - (rf.size[0] - 1) / 2
    hi_f = centre + (rf.size[0] - 1) / 2
    rows = affected_rows(model, size, unit, 0)
    assert rows, spec
    # Every affected pixel lies inside the computed field ...
    assert lo_f <= rows[0] and rows[-1] <= hi_f, (spec, rows, (lo_f, hi_f))
    # ... and where the field lies wholly inside the image, its ends are reached exactly
    # (dilation and strides may leave holes inside it, never extra reach).
    if lo_f >= 0 and hi_f <= size - 1:
        assert (rows[0], rows[-1]) == (lo_f, hi_f), (spec, rows, (lo_f, hi_f))


@settings(max_examples=400, deadline=None, derandomize=True)
@given(st.integers(1, 50), st.integers(1, 8), st.integers(-20, 20), st.sampled_from([1, 2]),
       st.integers(1, 7), st.integers(1, 4), st.integers(0, 3))
def test_whole_number_axis_equals_fraction_arithmetic(r: int, j: int, start_halves: int,
                                                      denominator: int, k: int, s: int,
                                                      pad: int) -> None:
    """The int shortcut for a plain window gives the very values (and types: an int where
    the value is whole) of the Fraction formula r + (k-1)·j, j·s, start + ((k-1)/2 - p)·j."""
    from fractions import Fraction

    from cnncalc.calc.receptive import _axis, _fraction_axis
    from cnncalc.ops.base import Window

    start = Fraction(start_halves, denominator)
    start_value: int | Fraction = start.numerator if start.denominator == 1 else start
    win = Window(k, s, pad)
    fast = _axis(r, j, start_value, win)
    exact = _fraction_axis(r, j, start_value, win)
    assert fast == exact
    assert [type(v) for v in fast] == [type(v) for v in exact]
    centre = start + (Fraction(k - 1, 2) - pad) * j
    assert (fast[0], fast[1], fast[2]) == (r + (k - 1) * j, j * s, centre)
