"""The reader runs the model-building part of the code: loops over known values, conditions
on known values, the file's own functions, within a step budget, a call depth and a size cap.

Oracles: parameter counts derived by hand in each test (a Dense(n) after m inputs has
m * n + n parameters), and the same model written out as straight-line code, which the
dialect suites check against Keras and torch.
"""

from __future__ import annotations

import pytest

from cnncalc.calc.summary import summarize
from cnncalc.dialects.read import CodeError, read_model
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
    ("while True:\n    pass\n", "more than 100,000 steps"),
    ("def f(n):\n    return f(n + 1)\nf(0)\n", "nest more than 20 deep"),
    ("x = [i for i in range(100000) for j in range(100000) if False]\n",
     "more than 100,000 steps"),
])
def test_the_bounds_are_one_line_errors_even_where_no_model_uses_the_value(
        code: str, needle: str) -> None:
    code = KERAS + code + "model = keras.Sequential([keras.Input(shape=(4,)), " \
        "layers.Dense(2)])\n"
    assert needle in _error(code)


TORCH_CLASS = """
import functools
import torch
import torch.nn as nn
import torch.nn.functional as F

Conv3 = functools.partial(nn.Conv2d, kernel_size=3, padding=1, bias=False)


def conv_bn(c_in, c_out, stride=1):
    return nn.Sequential(Conv3(c_in, c_out, stride=stride), nn.BatchNorm2d(c_out),
                         nn.ReLU(inplace=True))


class Block(nn.Module):
    expansion = 2

    def __init__(self, c_in, c, stride=1):
        super().__init__()
        self.body = nn.Sequential()
        self.body.add_module("a", conv_bn(c_in, c, stride))
        self.body.add_module("b", Conv3(c, c * self.expansion))
        self.short = None
        if stride != 1 or c_in != c * self.expansion:
            self.short = nn.Conv2d(c_in, c * self.expansion, 1, stride, bias=False)

    def forward(self, x):
        out = self.body(x)
        if self.short is not None:
            out = out + self.short(x)
        else:
            out = out + x
        return F.relu(out)


class Net(nn.Module):
    def __init__(self, block, widths=(4, 8), num_classes=10):
        super().__init__()
        c = 3
        self.stages = nn.ModuleList()
        for i, w in enumerate(widths):
            layers = [block(c, w, stride=1 if i == 0 else 2)]
            layers += [block(w * block.expansion, w) for _ in range(2 - 1)]
            self.stages.append(nn.Sequential(*layers))
            c = w * block.expansion
        self.heads = nn.ModuleDict({"main": nn.Linear(c, num_classes)})
        self.drop = nn.Dropout(0.5)

    def forward(self, x):
        for stage in self.stages:
            x = stage(x)
        x = F.adaptive_avg_pool2d(x, 1)
        x = torch.flatten(x, 1)
        if self.training:
            x = self.drop(x)
        return self.heads["main"](x)


def make_net():
    return Net(Block, widths=[4, 8])
"""


def test_a_class_built_with_partials_containers_and_blocks_reads_as_torch_builds_it() -> None:
    """Oracle: torch runs the same code (exec in this test only)."""
    import torch

    from ..oracle import counts

    r = resolve(TORCH_CLASS, None, "3x16x16", model="make_net")
    s = summarize(r.nodes, r.shape, r.convention)
    scope: dict[str, object] = {}
    exec(TORCH_CLASS, scope)  # the oracle: the code as Python runs it
    net = scope["make_net"]()  # type: ignore[operator]
    assert isinstance(net, torch.nn.Module)
    with torch.no_grad():
        out = net.eval()(torch.zeros(1, 3, 16, 16))
    assert (s.output_shape, s.trainable_params, s.non_trainable_params) == \
        (tuple(out.shape[1:]), *counts(net))


@pytest.mark.parametrize(("old", "new", "needle"), [
    ('self.heads["main"](x)', 'self.heads["aux"](x)', "'aux' is not a key of self.heads"),
    ("for stage in self.stages:\n            x = stage(x)",
     "x = self.stages[0](x)", "self.stages['1'] has weights but forward() never uses it"),
    ("layers += [", "layers += [nn.ReLU()] * 2 + [", None),
    ("    expansion = 2\n", "", "self.expansion is not set before it is used"),
    ("        super().__init__()\n        self.body", "        super().__init__()\n"
     "        nn.init.zeros_(self.short.weight)\n        self.body",
     "self.short is not a layer defined above"),
])
def test_what_the_class_interpreter_cannot_follow_is_an_error(old: str, new: str,
                                                               needle: str | None) -> None:
    code = TORCH_CLASS.replace(old, new, 1)
    assert code != TORCH_CLASS
    if needle is None:
        read_model(code, "make_net")  # ReLU has no weights: repeating it is harmless
        return
    assert needle in _error(code, "make_net")


def test_a_keras_partial_alias_reads_as_its_class_with_the_fixed_arguments() -> None:
    """Hands-On Machine Learning's DefaultConv2D. By hand: Conv2D(64, 7) on 1 channel:
    7*7*1*64 + 64 = 3,200; 28 -> pool -> 14; Conv2D(128, 3) on 64: 3*3*64*128 + 128 =
    73,856; on 128: 3*3*128*128 + 128 = 147,584; 14 -> pool -> 7; Dense(10) on 7*7*128 =
    6,272: 62,730. Total 287,370."""
    code = """from functools import partial
from tensorflow import keras
DefaultConv2D = partial(keras.layers.Conv2D, kernel_size=3, activation="relu", padding="SAME")
model = keras.models.Sequential([
    DefaultConv2D(filters=64, kernel_size=7, input_shape=[28, 28, 1]),
    keras.layers.MaxPooling2D(pool_size=2),
    DefaultConv2D(filters=128),
    DefaultConv2D(filters=128),
    keras.layers.MaxPooling2D(pool_size=2),
    keras.layers.Flatten(),
    keras.layers.Dense(units=10, activation="softmax"),
])
"""
    assert _params(code) == 287_370


SHARED = """import torch.nn as nn
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        c = 3
        convs = [nn.Conv2d(1, 1, 3) for c in (1, 2)]
        self.a = nn.Sequential(*convs)
        self.b = nn.Conv2d(c, 4, 1)
        BODY
    def forward(self, x):
        return self.b(self.a(x))
"""


def test_a_comprehensions_names_are_its_own() -> None:
    """As in Python 3, `c` after the comprehension is still 3: Conv2d(3, 4, 1)."""
    m = read_model(SHARED.replace("BODY", "pass"), "Net")
    assert [n.args.get("out_channels") for n in m.nodes] == [1, 1, 4]
    assert "Conv2d(3, 4, 1)" in [getattr(n, "source", "") for n in m.nodes]


@pytest.mark.parametrize("body", ["self.c = self.b", "self.c = nn.ModuleList([self.b])"])
def test_one_layer_object_placed_twice_counts_once(body: str) -> None:
    """Oracle: torch runs the same code. self.b held again as self.c is one module: its
    weights count once (model.parameters() lists them once), and forward() uses it."""
    import torch

    from ..oracle import counts

    code = SHARED.replace("BODY", body).replace("nn.Conv2d(c, 4, 1)", "nn.Conv2d(1, 4, 1)")
    scope: dict[str, object] = {}
    exec(code, scope)  # the oracle: the code as Python runs it
    net = scope["Net"]()  # type: ignore[operator]
    assert isinstance(net, torch.nn.Module)
    with torch.no_grad():
        out = net.eval()(torch.zeros(1, 1, 12, 12))
    r = resolve(code, None, "1x12x12", model="Net")
    s = summarize(r.nodes, r.shape, r.convention)
    assert (s.output_shape, s.trainable_params, s.non_trainable_params) == \
        (tuple(out.shape[1:]), *counts(net))


def test_a_module_placed_only_where_forward_never_goes_is_an_error() -> None:
    """torch counts self.c's weights though forward() never runs it."""
    body = "conv = nn.Conv2d(4, 4, 1)\n        self.c = nn.Sequential(conv, conv)"
    assert "self.c has weights but forward() never uses it" in \
        _error(SHARED.replace("BODY", body), "Net")
