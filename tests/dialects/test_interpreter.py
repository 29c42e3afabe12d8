"""The reader runs the model-building part of the code: loops over known values, conditions
on known values, the file's own functions, within a step budget, a call depth and a size cap.

Oracles: parameter counts derived by hand in each test (a Dense(n) after m inputs has
m * n + n parameters), and the same model written out as straight-line code, which the
dialect suites check against Keras and torch.
"""

from __future__ import annotations

import pytest

from cnncalc.calc.summary import summarize
from cnncalc.dialects.code import CodeError, read_model
from cnncalc.dialects.resolve import resolve

KERAS = "from tensorflow import keras\nfrom tensorflow.keras import layers\n"


def _params(code: str, model: str | None = None) -> int:
    r = resolve(code, None, None, model=model)
    return summarize(r.nodes, r.shape, r.convention).total_params


def _error(code: str, model: str | None = None) -> str:
    with pytest.raises(CodeError) as info:
        read_model(code, model)
    message = str(info.value)
    assert "\n" not in message
    return message


def test_a_loop_over_a_list_adds_each_layer() -> None:
    code = KERAS + """
model = keras.Sequential([keras.Input(shape=(8,))])
for units in [16, 32]:
    model.add(layers.Dense(units))
"""
    # 8*16+16 = 144; 16*32+32 = 544.
    assert _params(code) == 144 + 544


@pytest.mark.parametrize("loop", [
    "for i in range(3):\n    x = layers.Dense(4)(x)\n",
    "for i, u in enumerate([4] * 3):\n    x = layers.Dense(u)(x)\n",
    "for a, b in zip((4, 4, 4), 'abc'):\n    x = layers.Dense(a)(x)\n",
    "i = 0\nwhile i < 3:\n    x = layers.Dense(4)(x)\n    i += 1\n",
    "for u in [n for n in range(10) if n % 4 == 0][1:] + [4]:\n    x = layers.Dense(4)(x)\n",
    "cfg = {'a': [4, 4, 4]}\nfor u in cfg['a']:\n    x = layers.Dense(u)(x)\n",
    "for u in range(10):\n    if u == 3:\n        break\n    x = layers.Dense(4)(x)\n",
    "for u in range(6):\n    if u % 2:\n        continue\n    x = layers.Dense(4)(x)\n",
    "for u in range(max(1, 2), len('abcd') + min(3, 9) - 2):\n    x = layers.Dense(4)(x)\n",
    "n = sum([1, 1, 1])\nfor _ in range(n):\n    x = layers.Dense(int(4.0))(x)\n",
])
def test_every_way_of_writing_three_dense_layers_reads_the_same(loop: str) -> None:
    code = KERAS + "inputs = keras.Input(shape=(4,))\nx = inputs\n" + loop + \
        "model = keras.Model(inputs, x)\n"
    # Three Dense(4) on 4 features: 3 * (4*4 + 4) = 60.
    assert _params(code) == 60


def test_a_helper_function_adds_its_layers_at_every_call() -> None:
    code = KERAS + """
def block(x, units, *, twice=False, **options):
    x = layers.Dense(units, **options)(x) if False else layers.Dense(units)(x)
    if twice:
        x = layers.Dense(units)(x)
    return x

inputs = keras.Input(shape=(4,))
x = block(inputs, 8)
x = block(x, units=2, twice=True)
model = keras.Model(inputs, x)
"""
    # 4*8+8 = 40; 8*2+2 = 18; 2*2+2 = 6.
    assert _params(code) == 40 + 18 + 6


def test_defaults_are_evaluated_where_the_function_is_defined() -> None:
    code = KERAS + """
n = 8
def block(x, units=n):
    return layers.Dense(units)(x)
n = 2
inputs = keras.Input(shape=(4,))
model = keras.Model(inputs, block(inputs))
"""
    assert _params(code) == 4 * 8 + 8  # as Python binds it: units=8


def test_a_nested_sequential_applied_as_a_layer_adds_its_layers() -> None:
    code = KERAS + """
head = keras.Sequential([layers.Dense(3), layers.Dense(2)])
inputs = keras.Input(shape=(4,))
x = head(inputs)
model = keras.Model(inputs, x)
"""
    assert _params(code, "model") == (4 * 3 + 3) + (3 * 2 + 2)


def test_a_sequential_changed_after_it_is_used_as_a_layer_is_an_error() -> None:
    code = KERAS + """
head = keras.Sequential([layers.Dense(3)])
inputs = keras.Input(shape=(4,))
model = keras.Model(inputs, head(inputs))
head.add(layers.Dense(2))
"""
    assert "line 7: head.add(layers.Dense(2)) changes head after it is used as a layer" in \
        _error(code, "model")


@pytest.mark.parametrize(("body", "needle"), [
    ("for u in range(3):\n    if x.name == 'a':\n        break\n    x = layers.Dense(4)(x)\n",
     "line 6: the if may leave the loop"),
    ("def f(x):\n    if x.name:\n        return x\n    return layers.Dense(4)(x)\nx = f(x)\n",
     "line 6: the if may return"),
    ("x = block(x)\n", "block is not defined"),
    ("def f(x, n):\n    return x\nx = f(x)\n", "f needs its argument n"),
    ("def f(x):\n    return x\nx = f(x, unit=3)\n", "f has no argument 'unit'"),
    ("def f(x):\n    frobnicate()\n    return layers.Dense(4)(x)\nx = f(x)\n",
     "line 6: frobnicate is not defined"),
])
def test_what_the_interpreter_cannot_follow_is_an_error_naming_its_line(
        body: str, needle: str) -> None:
    code = KERAS + "inputs = keras.Input(shape=(4,))\nx = inputs\n" + body + \
        "model = keras.Model(inputs, x)\n"
    assert needle in _error(code)


@pytest.mark.parametrize(("code", "needle"), [
    ("big = [0] * 10**9\n", "would build a sequence of 1,000,000,000 items; the limit is"),
    ("big = list(range(10**9))\n", "would build a range of 1,000,000,000 items"),
    ("s = 'ab' * 10**8\n", "the limit is 100,000"),
    ("while True:\n    pass\n", "more than 500,000 steps"),
    ("def f(n):\n    return f(n + 1)\nf(0)\n", "nest more than 20 deep"),
    ("x = [i for i in range(100000) for j in range(100000) if False]\n",
     "more than 500,000 steps"),
])
def test_the_bounds_are_one_line_errors_even_where_no_model_uses_the_value(
        code: str, needle: str) -> None:
    code = KERAS + code + "model = keras.Sequential([keras.Input(shape=(4,)), " \
        "layers.Dense(2)])\n"
    assert needle in _error(code)
