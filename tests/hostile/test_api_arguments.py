"""The Python API checks each argument's type at the boundary: one UsageError naming the
argument and the value, never an AttributeError from deep inside, a garbled message, or a
wrong type quietly taken (True as an input size of 1)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from cnncalc import api
from cnncalc.errors import UsageError

SPEC = "conv(4,3)-relu"


class Loud:
    """An object whose repr must never be called to describe it (it could be anything)."""

    def __repr__(self) -> str:
        raise AssertionError("repr called")


CASES: list[tuple[Callable[[], Any], str]] = [
    # Before: AttributeError: 'int' object has no attribute 'lower'.
    (lambda: api.summary(SPEC, convention=3), "convention must be 'pytorch' or 'keras', got 3"),
    (lambda: api.summary(SPEC, convention=b"keras"), "convention must be 'pytorch' or 'keras'"),
    # Before: "bad input shape '49x120x50x56x120x50x56'" (the bytes' values).
    (lambda: api.summary(SPEC, input_size=b"1x28x28"),
     "input_size must be a tuple of ints such as (1, 28, 28) or a string such as '1x28x28', "
     "got b'1x28x28'"),
    (lambda: api.summary(SPEC, input_size=(1, 28.0, 28)), "got (1, 28.0, 28)"),
    (lambda: api.summary(SPEC, input_size=(1, True, 28)), "input_size must be"),
    (lambda: api.summary(SPEC, input_size=range(3)), "got a range"),
    (lambda: api.summary(SPEC, batch=2.0), "batch must be a whole number from 1 to"),
    (lambda: api.summary(SPEC, batch=True), "batch must be a whole number"),
    (lambda: api.summary(b"conv(4,3)"), "spec_or_code must be a spec string, a preset name "
     "or a torch nn.Module, got b'conv(4,3)'"),
    (lambda: api.summary(Loud()), "spec_or_code must be a spec string, a preset name or a "
     "torch nn.Module, got a Loud"),
    (lambda: api.explain(3), "spec must be a spec string or a preset name, got 3"),
    # Before: accepted, and solved as input 1.
    (lambda: api.solve(input=True, output=14), "input must be a whole number from 1 to "
     "1,000,000,000,000, got True"),
    (lambda: api.solve(input=28, output=14.0), "output must be a whole number"),
    (lambda: api.solve(input=28, output=14, kernel="3"), "kernel must be a whole number"),
    (lambda: api.solve(input=28, output=14, padding=-1), "padding must be a whole number "
     "from 0"),
    (lambda: api.solve(input=28, output=14, layer=3), "layer must be 'conv', 'maxpool', "
     "'avgpool' or 'convt', got 3"),
    (lambda: api.solve(input=10**5000, output=7), "got an int of 16,610 bits"),
    (lambda: api.solve(SPEC, output=b"7x7"), "output must be an int, 'HxW' or (H, W), "
     "got b'7x7'"),
    (lambda: api.solve(SPEC, output=(7, 7.5)), "output must be (H, W) as two whole numbers"),
    (lambda: api.solve(SPEC, output=7, max_input=True), "max_input must be a whole number"),
    (lambda: api.solve(SPEC, output=7, channels="1"), "channels must be a whole number"),
    (lambda: api.solve(SPEC, output=7, kernel=3), "kernel is for a layer question, not with "
     "a spec"),
    (lambda: api.solve(3, output=7), "spec must be a spec string or None, got 3"),
    (lambda: api.solve(input="x" * 10_000, output=7), "got 'xxxxx"),
]


@pytest.mark.parametrize(("call", "needle"), CASES)
def test_each_argument_is_checked_and_named(call: Callable[[], Any], needle: str) -> None:
    with pytest.raises(UsageError) as caught:
        call()
    text = str(caught.value)
    assert needle in text, text
    assert "\n" not in text and len(text) < 300, text  # one line, the value cut short


def test_good_arguments_still_answer() -> None:
    # Oracle: 28x28 input, conv 3x3 with no padding gives 26x26 (28 - 3 + 1); 4 filters of
    # 1*3*3 weights plus a bias: 4 * 10 = 40 parameters.
    s = api.summary(SPEC, input_size=[1, 28, 28], convention="torch")
    assert s.layers[-1].output_shape == (4, 26, 26) and s.total_params == 40
    # 28 -> 14 with a kernel of 2 and stride 2: (28 - 2) // 2 + 1 = 14.
    found = api.solve(input=28, output=14, kernel=2, stride=2)
    assert any(x.padding == 0 for x in found.solutions)
    # conv 3x3 takes 9 to 7: (9 - 3) + 1.
    assert 9 in api.solve(SPEC, output=(7, 7)).sizes("h")
