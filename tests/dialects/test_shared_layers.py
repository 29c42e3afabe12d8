"""A layer object applied more than once is one shared layer: its parameters count once, its
MACs and activations at every use.

Oracles: for PyTorch, the test builds the same module in torch and compares the totals with
`sum(p.numel() for p in model.parameters())` (which counts a shared module once), every
row's output shape with what forward hooks record at each call, and the modules whose
weights count with the state dict's keys. For Keras, the figures are derived by hand in the
comments, and checked with real Keras where it imports (KERAS_BACKEND=torch).
"""

from __future__ import annotations

import os
from itertools import chain
from typing import Any

import pytest
import torch
from torch import nn

from cnncalc.calc.summary import Summary, summarize
from cnncalc.dialects.resolve import resolve
from cnncalc.dialects.values import CodeError
from cnncalc.errors import LayerError, UsageError
from cnncalc.ir.tree import has_ties
from cnncalc.spec import parse

torch.set_num_threads(1)

HEAD = "import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n\n"


def _module(init: str, forward: str, extra: str = "") -> str:
    pad = "\n        "
    return (HEAD + extra + "class Net(nn.Module):\n    def __init__(self):\n"
            "        super().__init__()" + pad + pad.join(init.splitlines()) +
            "\n\n    def forward(self, x):" + pad + pad.join(forward.splitlines()) + "\n")


BLOCK = '''class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv = nn.Conv2d(c, c, 3, padding=1)
        self.bn = nn.BatchNorm2d(c)

    def forward(self, x):
        x = F.relu(self.bn(self.conv(x)))
        return F.relu(self.bn(self.conv(x)))


'''

TORCH = {
    "self.conv twice": _module(
        "self.conv = nn.Conv2d(4, 4, 3, padding=1)\nself.fc = nn.Linear(4 * 8 * 8, 10)",
        "x = F.relu(self.conv(x))\nx = F.relu(self.conv(x))\nreturn self.fc(x.flatten(1))"),
    "a loop applying one block": _module(
        "self.stem = nn.Conv2d(4, 8, 1)\n"
        "self.block = nn.Sequential(nn.Conv2d(8, 8, 3, padding=1), nn.BatchNorm2d(8), "
        "nn.ReLU())\nself.head = nn.Linear(8, 10)",
        "x = self.stem(x)\nfor _ in range(3):\n    x = self.block(x)\n"
        "x = F.adaptive_avg_pool2d(x, 1)\nreturn self.head(torch.flatten(x, 1))"),
    "a ModuleList item by index": _module(
        "self.convs = nn.ModuleList([nn.Conv2d(4, 4, 3, padding=1), "
        "nn.Conv2d(4, 4, 1)])",
        "x = self.convs[0](x)\nx = self.convs[1](x)\nreturn self.convs[0](x)"),
    "a ModuleList looped over, then an item again": _module(
        "self.convs = nn.ModuleList([nn.Conv2d(4, 4, 3, padding=1) for _ in range(2)])",
        "for c in self.convs:\n    x = c(x)\nreturn self.convs[1](x)"),
    "one conv in both branches": _module(
        "self.a = nn.Conv2d(4, 4, 1)\nself.b = nn.Conv2d(4, 4, 3, padding=1)\n"
        "self.h = nn.Conv2d(4, 6, 1)",
        "return torch.cat([self.h(self.a(x)), self.h(self.b(x))], 1)"),
    "f(x) + f(x)": _module("self.c = nn.Conv2d(4, 4, 3, padding=1)",
                           "return self.c(x) + self.c(x)"),
    # Sharing inside a block, and two instances of the block: each instance's own weights.
    "two blocks that share inside": _module(
        "self.one = Block(4)\nself.two = Block(4)", "return self.two(self.one(x))", BLOCK),
    "a block applied twice": _module(
        "self.one = Block(4)", "return self.one(self.one(x))", BLOCK),
    "a GroupNorm and a LayerNorm applied twice": _module(
        "self.c = nn.Conv2d(4, 4, 1)\nself.g = nn.GroupNorm(2, 4)\n"
        "self.n = nn.LayerNorm([4, 8, 8])",
        "x = self.n(self.g(self.c(x)))\nreturn self.n(self.g(self.c(x)))"),
    "a ReLU module reused": _module(
        "self.c1 = nn.Conv2d(4, 4, 1)\nself.c2 = nn.Conv2d(4, 4, 1)\nself.act = nn.ReLU()",
        "return self.act(self.c2(self.act(self.c1(x))))"),
    # One object placed in several places in __init__: torch counts it once, under the name
    # where it is first placed (named_modules() lists it once), and runs it at each place.
    "one conv placed twice in a Sequential": _module(
        "c = nn.Conv2d(8, 8, 3, padding=1)\n"
        "self.body = nn.Sequential(nn.Conv2d(4, 8, 1), c, nn.ReLU(), c)",
        "return self.body(x)"),
    "a ModuleList holding one block twice": _module(
        "b = nn.Sequential(nn.Conv2d(4, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU())\n"
        "self.blocks = nn.ModuleList([b, b])",
        "for blk in self.blocks:\n    x = blk(x)\nreturn x"),
    "[block] * 3 in a Sequential": _module(
        "block = nn.Sequential(nn.Conv2d(4, 4, 3, padding=1), nn.ReLU())\n"
        "self.body = nn.Sequential(nn.Conv2d(4, 4, 1), *[block] * 3)",
        "return self.body(x)"),
    "self.c placed in self.body too": _module(
        "self.c = nn.Conv2d(4, 4, 3, padding=1)\n"
        "self.body = nn.Sequential(self.c, nn.ReLU(), self.c)",
        "return self.body(x)"),
    "self.c placed in self.body and applied": _module(
        "self.c = nn.Conv2d(4, 4, 3, padding=1)\n"
        "self.body = nn.Sequential(nn.Conv2d(4, 4, 1), self.c)",
        "return self.c(self.body(x))"),
    "a block of the file placed twice": _module(
        "b = Block(4)\nself.body = nn.Sequential(b, nn.Conv2d(4, 4, 1), b)",
        "return self.body(x)", BLOCK),
}


def _torch_net(code: str) -> nn.Module:
    namespace: dict[str, Any] = {}
    exec(code, namespace)  # the oracle side builds the real module
    return namespace["Net"]()  # type: ignore[no-any-return]


def _read(code: str, shape: str, model: str | None = None) -> Summary:
    r = resolve(code, None, shape, None, model)
    return summarize(r.nodes, r.shape, r.convention, 1, r.spec)


def _calls(net: nn.Module) -> tuple[dict[str, list[tuple[int, ...]]], tuple[int, ...]]:
    """The output shape of every call of every leaf module with weights, by module name,
    and the model's output shape."""
    seen: dict[str, list[tuple[int, ...]]] = {}
    hooks = []
    for name, m in net.named_modules():
        if list(m.children()) or not list(m.parameters(recurse=False)):
            continue
        hooks.append(m.register_forward_hook(
            lambda mod, inp, out, name=name: seen.setdefault(name, []).append(
                tuple(out.shape[1:]))))
    with torch.no_grad():
        out = net.eval()(torch.zeros(1, 4, 8, 8))
    for h in hooks:
        h.remove()
    return seen, tuple(out.shape[1:])


@pytest.mark.parametrize("name", list(TORCH))
def test_torch_counts_a_shared_module_once(name: str) -> None:
    code = TORCH[name]
    net = _torch_net(code)
    calls, out = _calls(net)
    s = _read(code, "4x8x8", "Net")
    params = sum(p.numel() for p in net.parameters())
    stats = sum(b.numel() for n, b in net.named_buffers() if not n.endswith("batches_tracked"))
    assert (s.trainable_params, s.non_trainable_params) == (params, stats)
    assert s.output_shape == out
    # Every call of a module is a row, in the order of its calls; the first counts weights.
    rows: dict[str, list[tuple[int, ...]]] = {}
    for row in s.leaves():
        if row.module in calls:
            rows.setdefault(row.module, []).append(row.output_shape)
    assert rows == calls
    # The rows whose weights count are the modules holding parameters or buffers, each
    # once (named_parameters() and named_buffers() list a module placed twice once, under
    # its first name, where the state dict writes it at every place).
    held = chain(net.named_parameters(), net.named_buffers())
    counted = [r.module for r in s.leaves() if r.params]
    assert sorted(counted) == sorted({k.rsplit(".", 1)[0] for k, _ in held})
    for row in s.leaves():
        if row.shares:
            owner = next(r for r in s.leaves() if r.path == row.shares)
            assert (owner.module, owner.spec, row.params) == (row.module, row.spec, 0)
            assert f"shares the weights of row {row.shares}" in row.notes
            assert row.macs == owner.macs or row.input_shape != owner.input_shape


def test_an_unused_norm_layer_with_weights_is_refused() -> None:
    """torch counts a LayerNorm's 2·4 = 8 weights even when forward() never calls it, so
    leaving them out would be a wrong total: it is an error, as for an unused conv."""
    code = _module("self.c = nn.Conv2d(4, 4, 1)\nself.u = nn.LayerNorm(4)",
                   "return self.c(x)")
    assert sum(p.numel() for p in _torch_net(code).parameters()) == 20 + 8
    with pytest.raises(CodeError, match=r"self\.u has weights but forward"):
        _read(code, "4x8x8")


def test_the_reused_relu_is_not_marked() -> None:
    s = _read(TORCH["a ReLU module reused"], "4x8x8")
    assert not any(r.shares for r in s.leaves())


def test_the_second_use_counts_macs_and_memory_as_the_first() -> None:
    """self.conv on 4x8x8 twice: each use 8·8·4·(3·3·4) = 9,216 MACs and writes 256 values;
    only the first has its (3·3·4 + 1)·4 = 148 parameters."""
    s = _read(TORCH["self.conv twice"], "4x8x8")
    convs = [r for r in s.leaves() if r.kind == "conv"]
    assert [(r.params, r.macs, r.activations, r.shares) for r in convs] == [
        (148, 9_216, 256, ""), (0, 9_216, 256, convs[0].path)]
    record = s.to_dict()["layers"]
    assert [r.get("shares") for r in record if r["type"] == "conv"] == [None, convs[0].path]


@pytest.mark.parametrize("name", ["a loop applying one block",
                                  "[block] * 3 in a Sequential"])
def test_the_built_model_shares_the_module(name: str) -> None:
    """train/model.py's build reuses one module instance, so its parameters are torch's."""
    from cnncalc.train.buildcheck import check_model
    from cnncalc.train.model import build

    code = TORCH[name]
    s = _read(code, "4x8x8")
    model = build(s)
    assert sum(p.numel() for p in model.parameters()) == \
        sum(p.numel() for p in _torch_net(code).parameters())
    convs = [m for m in model.modules() if isinstance(m, nn.Conv2d) and m.kernel_size == (3, 3)]
    assert len({id(m) for m in convs}) == 1
    rows, ok = check_model(s, model)
    assert ok, rows


def test_a_shared_layer_on_an_input_of_another_size_is_an_error() -> None:
    """Weights fit one input size: Linear(8, 8) after Linear(4, 8) is refused by torch, and
    a Keras Dense(8) built for 16 inputs cannot take 8."""
    code = _module("self.fc = nn.Linear(4, 8)", "return self.fc(self.fc(x))")
    with pytest.raises((LayerError, CodeError)):
        _read(code, "flat:4")
    keras_code = ("import keras\nfrom keras import layers\n"
                  "inputs = keras.Input(shape=(16,))\nshared = layers.Dense(8)\n"
                  "outputs = shared(shared(inputs))\nmodel = keras.Model(inputs, outputs)\n")
    with pytest.raises(LayerError, match="shares the weights of layer 1"):
        _read(keras_code, None)  # type: ignore[arg-type]


# Keras, derived by hand. Input 16; Dense(16, relu) applied twice: (16 + 1)·16 = 272 once;
# Dense(3): (16 + 1)·3 = 51. Total 323. Keras counts the shared Dense once.
KERAS_DENSE = '''import keras
from keras import layers
inputs = keras.Input(shape=(16,))
shared = layers.Dense(16, activation="relu")
a = shared(inputs)
b = shared(a)
outputs = layers.Dense(3)(b)
model = keras.Model(inputs, outputs)
'''

# Siamese branches on 8x8x4: Conv2D(6, 3, padding='same') applied to the input and to
# a = Conv2D(4, 1)(input): (3·3·4 + 1)·6 = 222 once; a: (4 + 1)·4 = 20; concatenate gives
# 8x8x12; GlobalAveragePooling2D then Dense(2): (12 + 1)·2 = 26. Total 222 + 20 + 26 = 268.
KERAS_SIAMESE = '''import keras
from keras import layers
inputs = keras.Input(shape=(8, 8, 4))
shared = layers.Conv2D(6, 3, padding="same")
a = layers.Conv2D(4, 1)(inputs)
left = shared(inputs)
right = shared(a)
x = layers.concatenate([left, right])
x = layers.GlobalAveragePooling2D()(x)
outputs = layers.Dense(2)(x)
model = keras.Model(inputs, outputs)
'''

# A subclassed model with self.c applied twice: Conv2D(8, 3, padding='same') on 8x8x8:
# (3·3·8 + 1)·8 = 584 once; output 8x8x8.
KERAS_CLASS = '''import keras
from keras import layers

class Net(keras.Model):
    def __init__(self):
        super().__init__()
        self.c = layers.Conv2D(8, 3, padding="same")

    def call(self, x):
        x = self.c(x)
        return self.c(x)

model = Net()
'''

# d = Conv2D(4, 1) applied twice to the input and added: (4 + 1)·4 = 20 once; 8x8x4 out.
KERAS_ADD = '''import keras
from keras import layers
x = keras.Input(shape=(8, 8, 4))
d = layers.Conv2D(4, 1)
y = layers.add([d(x), d(x)])
model = keras.Model(x, y)
'''

# One Dense(8) object placed twice in a Sequential on 8 features: (8 + 1)·8 = 72 once, as
# Keras counts it (model.layers lists it twice, count_params() once).
KERAS_SEQUENTIAL = """import keras
from keras import layers
d = layers.Dense(8)
model = keras.Sequential([keras.Input(shape=(8,)), d, layers.ReLU(), d])
"""

KERAS = [("dense", KERAS_DENSE, None, 323, (3,), 2),
         ("sequential", KERAS_SEQUENTIAL, None, 72, (8,), 2),
         ("siamese", KERAS_SIAMESE, None, 268, (2,), 2),
         ("subclass", KERAS_CLASS, "8x8x8", 584, (8, 8, 8), 2),
         ("add", KERAS_ADD, None, 20, (8, 8, 4), 2)]


@pytest.mark.parametrize(("name", "code", "shape", "params", "out", "uses"), KERAS,
                         ids=[k[0] for k in KERAS])
def test_keras_counts_a_shared_layer_once(name: str, code: str, shape: str | None,
                                          params: int, out: tuple[int, ...],
                                          uses: int) -> None:
    s = _read(code, shape)  # type: ignore[arg-type]
    assert s.total_params == params
    assert s.output_shape[0] == out[-1]  # features, or channels (kept first inside)
    assert s.output_shape[1:] == out[:-1]
    shared = [r for r in s.leaves() if r.shares]
    assert len(shared) == uses - 1
    assert has_ties(resolve(code, None, shape, None).nodes)  # type: ignore[arg-type]


# A helper that builds a new Dense each call, called three times: three layers with their
# own weights, (16 + 1)·16 = 272 each, then Dense(3): 51. Total 3·272 + 51 = 867, as Keras
# counts it: a new object at each call is never shared.
KERAS_HELPER = '''import keras
from keras import layers

def block(x, n):
    d = layers.Dense(n, activation="relu")
    return d(x)

inputs = keras.Input(shape=(16,))
x = inputs
for _ in range(3):
    x = block(x, 16)
outputs = layers.Dense(3)(x)
model = keras.Model(inputs, outputs)
'''


def test_a_new_layer_at_each_helper_call_is_not_shared() -> None:
    s = _read(KERAS_HELPER, None)  # type: ignore[arg-type]
    assert s.total_params == 867
    assert not any(r.shares for r in s.leaves())
    assert not has_ties(resolve(KERAS_HELPER, None, None, None).nodes)
    if os.environ.get("KERAS_BACKEND") == "torch":
        pytest.importorskip("keras")
        namespace: dict[str, Any] = {}
        exec(KERAS_HELPER, namespace)  # the oracle side builds the real Keras model
        assert namespace["model"].count_params() == 867


@pytest.mark.skipif(os.environ.get("KERAS_BACKEND") != "torch",
                    reason="Keras is checked on the torch backend (KERAS_BACKEND=torch)")
@pytest.mark.parametrize(("name", "code", "shape", "params", "out", "uses"), KERAS,
                         ids=[k[0] for k in KERAS])
def test_real_keras_counts_the_same(name: str, code: str, shape: str | None, params: int,
                                    out: tuple[int, ...], uses: int) -> None:
    pytest.importorskip("keras")
    import numpy as np

    namespace: dict[str, Any] = {}
    exec(code, namespace)  # the oracle side builds the real Keras model
    net = namespace["model"]
    if shape is not None:
        h, w, c = (int(v) for v in shape.split("x"))
        net(np.zeros((1, h, w, c), dtype="float32"))  # a subclassed model builds when called
    assert net.count_params() == params
    if shape is None:
        assert tuple(net.outputs[0].shape[1:]) == out
    else:
        assert tuple(net(np.zeros((1, h, w, c), dtype="float32")).shape[1:]) == out


@pytest.mark.parametrize("name", ["self.conv twice", "a loop applying one block",
                                  "f(x) + f(x)", "one conv in both branches",
                                  "one conv placed twice in a Sequential",
                                  "a ModuleList holding one block twice"])
def test_the_pytorch_export_writes_one_module_used_twice(name: str) -> None:
    """The generated class places one module object at each of its rows: its parameters are
    the original module's, its state dict is the builder's, and it runs to the same shape."""
    from cnncalc.export.pytorch import to_python
    from cnncalc.train.model import build

    original = _torch_net(TORCH[name])
    s = _read(TORCH[name], "4x8x8", "Net")
    namespace: dict[str, Any] = {}
    exec(to_python(s), namespace)  # the oracle side runs the generated file
    net = namespace["Net"]()
    assert sum(p.numel() for p in net.parameters()) == \
        sum(p.numel() for p in original.parameters()) == s.trainable_params
    assert list(net.state_dict()) == ["layers." + k for k in build(s).state_dict()]
    with torch.no_grad():
        assert tuple(net.eval()(torch.zeros(1, 4, 8, 8)).shape[1:]) == s.output_shape


def test_the_keras_export_applies_one_layer_object_twice() -> None:
    """self.conv twice becomes one `shared_N = layers.Conv2D(...)` applied at both rows."""
    from cnncalc.export.keras import to_keras

    s = _read(TORCH["self.conv twice"], "4x8x8", "Net")
    source = to_keras(s)
    conv = [line.strip() for line in source.splitlines() if "Conv2D" in line]
    assert len(conv) == 1 and conv[0].startswith("shared_")
    obj = conv[0].split(" = ")[0]
    assert sum(line.strip().startswith(f"x = {obj}(x)") for line in source.splitlines()) == 2
    if os.environ.get("KERAS_BACKEND") == "torch":
        pytest.importorskip("keras")
        namespace: dict[str, Any] = {}
        exec(source, namespace)  # real Keras builds the generated model
        # conv (3·3·4 + 1)·4 = 148 once; fc (4·8·8 + 1)·10 = 2,570
        assert namespace["model"].count_params() == s.total_params == 148 + 2_570


@pytest.mark.parametrize("name", ["self.conv twice", "one conv placed twice in a Sequential"])
def test_training_refuses_a_shared_layer(name: str) -> None:
    """A checkpoint rebuilds its model from spec text, which cannot say that two layers
    share weights: train refuses the model, never training independent layers."""
    from cnncalc.cli.train_cmds import _no_shared_layers

    r = resolve(TORCH[name], None, "4x8x8", None, "Net")
    with pytest.raises(UsageError, match="sharing its weights"):
        _no_shared_layers(r)


def test_a_spec_never_shares() -> None:
    """`[conv]*2` in a spec is two layers with their own weights; no tie is made."""
    assert not has_ties(parse("[conv(4,3,padding=1)]*2-relu"))
    s = summarize(parse("[conv(4,3,padding=1)]*2"), (4, 8, 8))
    assert s.total_params == 2 * 148


def test_a_module_level_sequential_placing_one_object_twice_counts_it_once() -> None:
    """`c` twice in a module-level nn.Sequential: torch's model.parameters() counts it once
    and named_modules() names it '1' (its first place) only."""
    code = (HEAD + "c = nn.Conv2d(8, 8, 3, padding=1)\n"
            "model = nn.Sequential(nn.Conv2d(4, 8, 1), c, nn.ReLU(), c)\n")
    namespace: dict[str, Any] = {}
    exec(code, namespace)  # the oracle side builds the real module
    net = namespace["model"]
    s = _read(code, "4x8x8")
    with torch.no_grad():
        out = net.eval()(torch.zeros(1, 4, 8, 8))
    assert (s.trainable_params, s.output_shape) == \
        (sum(p.numel() for p in net.parameters()), tuple(out.shape[1:]))
    modules = [r.module for r in s.leaves()]
    assert modules == ["0", "1", "2", "1"]
    assert set(modules) == {n for n, _ in net.named_modules() if n}


def test_an_answer_key_names_a_module_placed_twice_as_torch_does() -> None:
    """named_modules() lists the shared conv once, as body.1: an answer for body.1 stands
    for two rows (ambiguous, as for a module forward() applies twice), and body.3, a name
    torch never gives, is no module."""
    from cnncalc.calc.module_names import ModuleNames

    code = TORCH["one conv placed twice in a Sequential"]
    names = {n for n, _ in _torch_net(code).named_modules()}
    assert "body.1" in names and "body.3" not in names
    keys = ModuleNames(_read(code, "4x8x8"), "pytorch")
    assert [r.path for r in keys.find("body.0")] == ["1"]
    with pytest.raises(UsageError, match="applies that module 2 times"):
        keys.find("body.1")
    with pytest.raises(UsageError, match=r"no module named 'body\.3'"):
        keys.find("body.3")
