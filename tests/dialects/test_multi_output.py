"""Models with several outputs: forward() returning a tuple or a list, and keras.Model with a
list or dict of outputs.

The oracle for torch is torch: each module below is built and run by torch, every output's
shape, every weighted layer (shape, parameters, MACs) and the parameter total must equal the
calculator's. A branch that only feeds one output counts, as torch counts it. For Keras the
figures are derived by hand in each test, and checked with real Keras where it imports
(KERAS_BACKEND=torch).
"""

from __future__ import annotations

import json
import os
import textwrap
from collections import Counter
from typing import Any

import pytest
import torch
from torch import nn
from typer.testing import CliRunner

from cnncalc.calc.summary import Summary, summarize
from cnncalc.cli import app
from cnncalc.dialects.resolve import resolve
from cnncalc.dialects.values import CodeError

from ..graph.reference import KIND, _macs

torch.set_num_threads(1)

HEAD = "import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n\n"


def _net(init: str, forward: str) -> str:
    return HEAD + "class Net(nn.Module):\n    def __init__(self):\n" \
        "        super().__init__()\n" + textwrap.indent(textwrap.dedent(init), " " * 8) + \
        "\n    def forward(self, x):\n" + textwrap.indent(textwrap.dedent(forward), " " * 8)


def read(code: str, shape: str | None) -> Summary:
    r = resolve(code, None, shape)
    return summarize(r.nodes, r.shape, r.convention, 1, r.spec)


MODELS = [
    # A VAE encoder: two heads on one hidden vector.
    ("vae_heads", _net("""
        self.conv = nn.Conv2d(1, 8, 3, stride=2)
        self.fc = nn.Linear(8 * 13 * 13, 32)
        self.mu = nn.Linear(32, 4)
        self.logvar = nn.Linear(32, 4)
        """, """
        h = F.relu(self.fc(torch.flatten(F.relu(self.conv(x)), 1)))
        return self.mu(h), self.logvar(h)
        """), "1x28x28"),
    # An auxiliary head that parts before the two main heads (GoogLeNet's aux classifier):
    # the aux branch counts, though it feeds only the third output.
    ("aux_head", _net("""
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.aux = nn.Conv2d(8, 2, 1)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.a = nn.Linear(8, 10)
        self.b = nn.Linear(8, 5)
        """, """
        x = F.relu(self.conv(x))
        side = self.aux(x)
        h = torch.flatten(self.pool(x), 1)
        return self.a(h), self.b(h), side
        """), "3x16x16"),
    # One output is the tensor the others part from; a list, not a tuple.
    ("trunk_and_head", _net("""
        self.conv = nn.Conv2d(1, 4, 3)
        self.bn = nn.BatchNorm2d(4)
        self.head = nn.Conv2d(4, 6, 3, stride=2)
        """, """
        x = self.bn(self.conv(x))
        return [x, self.head(x)]
        """), "1x12x12"),
    # An output computed from another output: its layers are counted once, not twice.
    ("head_on_head", _net("""
        self.conv = nn.Conv2d(1, 4, 3)
        self.fc = nn.Linear(4 * 8 * 8, 3)
        self.other = nn.Conv2d(1, 2, 5)
        """, """
        a = self.conv(x)
        b = self.fc(torch.flatten(a, 1))
        return (a, b, self.other(x))
        """), "1x10x10"),
    # Outputs returned in another order than they part: the aux head between the two heads.
    ("interleaved", _net("""
        self.conv = nn.Conv2d(1, 4, 3)
        self.aux = nn.Conv2d(4, 1, 1)
        self.fc = nn.Linear(4 * 6 * 6, 8)
        self.a = nn.Linear(8, 3)
        self.b = nn.Linear(8, 2)
        """, """
        x = self.conv(x)
        h = self.fc(torch.flatten(x, 1))
        return self.a(h), self.aux(x), self.b(h)
        """), "1x8x8"),
    # Heads after a residual block.
    ("after_residual", _net("""
        self.c1 = nn.Conv2d(4, 4, 3, padding=1)
        self.c2 = nn.Conv2d(4, 4, 3, padding=1)
        self.h1 = nn.Conv2d(4, 1, 1)
        self.h2 = nn.Conv2d(4, 2, 3, stride=2)
        """, """
        x = x + self.c2(F.relu(self.c1(x)))
        return self.h1(x), self.h2(x)
        """), "4x9x9"),
]


Row = tuple[str, tuple[int, ...], int, int, int | None]


def _torch_run(net: nn.Module, shape: tuple[int, ...]) -> tuple[list[Row], list[Any]]:
    rows: list[Row] = []

    def hook(m: nn.Module, args: tuple[torch.Tensor, ...], out: torch.Tensor) -> None:
        stats = sum(b.numel() for n, b in m.named_buffers()
                    if n.endswith(("running_mean", "running_var")))
        rows.append((KIND[type(m)], tuple(out.shape[1:]), sum(p.numel() for p in
                                                              m.parameters()),
                     stats, _macs(m, args[0], out)))

    handles = [m.register_forward_hook(hook) for m in net.modules() if not list(m.children())]
    try:
        net.eval()
        with torch.no_grad():
            out = net(torch.zeros((1, *shape)))
    finally:
        for h in handles:
            h.remove()
    return [r for r in rows if r[2] or r[3]], list(out)


@pytest.mark.parametrize(("name", "code", "shape"), MODELS, ids=[m[0] for m in MODELS])
def test_several_outputs_match_torch(name: str, code: str, shape: str) -> None:
    s = read(code, shape)
    namespace: dict[str, Any] = {}
    exec(code, namespace)  # the oracle side builds the real module
    net = namespace["Net"]()
    theirs, outs = _torch_run(net, s.input_shape)
    assert isinstance(net(torch.zeros((1, *s.input_shape))), (tuple, list))
    assert s.outputs == tuple((str(i), tuple(o.shape[1:])) for i, o in enumerate(outs))
    assert s.output_shape == tuple(outs[0].shape[1:])
    mine: list[Row] = [(r.kind, r.output_shape, r.trainable_params, r.non_trainable_params,
                        r.macs if r.kind in ("conv", "convt", "fc") else None)
                       for r in s.leaves() if r.trainable_params or r.non_trainable_params]
    assert Counter(mine) == Counter(theirs)
    trainable = sum(p.numel() for p in net.parameters())
    stats = sum(b.numel() for n, b in net.named_buffers()
                if n.endswith(("running_mean", "running_var")))
    assert (s.trainable_params, s.non_trainable_params) == (trainable, stats)
    assert s.total_macs == sum(r[4] or 0 for r in theirs)


def test_the_json_lists_every_output_and_one_output_adds_nothing() -> None:
    code = MODELS[1][1]
    runner = CliRunner()
    got = runner.invoke(app, ["summary", code, "--input", "3x16x16", "--format", "json"])
    assert got.exit_code == 0, got.output
    record = json.loads(got.stdout)
    # torch: a(h) is 10, b(h) 5, aux a 1x1 conv to 2 channels on the 16x16 map
    assert record["outputs"] == [{"name": "0", "shape": [10]}, {"name": "1", "shape": [5]},
                                 {"name": "2", "shape": [2, 16, 16]}]
    single = runner.invoke(app, ["summary", "conv(4,3)-relu", "--input", "1x8x8", "--format",
                                 "json"])
    assert "outputs" not in json.loads(single.stdout)
    table = runner.invoke(app, ["summary", code, "--input", "3x16x16"])
    assert "outputs" in table.stdout and "0: 10, 1: 5, 2: 2x16x16" in table.stdout


# forward() line 1 is the file's line 10; the return is on line 11.
REFUSED = [
    ("return x, x", 11, "returns the same tensor as outputs 0 and 1"),
    ("return (x,)", 11, "a tuple of 1 tensor"),
    ("return *[x], x", 11, "a starred item"),
    # torch runs a once, feeding both the output and the cat: the tree would copy it
    ("a = self.conv(x)\nreturn a, torch.cat([a, self.other(x)], 1)", 12,
     "a is used in two of them"),
]


def test_an_output_another_model_joins_is_read() -> None:
    """Keras: the encoder's outputs a and b are joined by another model of the file; the
    encoder itself holds each once. By hand: conv 3·3·3·4 + 4 = 112 (8x8 -> 6x6), Dense(3)
    on 6·6·4 = 144 features 435, the 1x1 conv 4·2 + 2 = 10: 557."""
    code = KERAS_HEAD + textwrap.dedent("""\
        inputs = keras.Input(shape=(8, 8, 3))
        x = layers.Conv2D(4, 3)(inputs)
        a = layers.Dense(3, name="a")(layers.Flatten()(x))
        b = layers.Conv2D(2, 1, name="b")(x)
        c = layers.concatenate([layers.Flatten()(b), a])
        encoder = keras.Model(inputs, [a, b])
        whole = keras.Model(inputs, c)
        """)
    r = resolve(code, None, None, model="encoder")
    s = summarize(r.nodes, r.shape, r.convention)
    assert s.total_params == 557
    assert s.outputs == (("a", (3,)), ("b", (2, 6, 6)))


@pytest.mark.parametrize(("body", "line", "needle"), REFUSED, ids=[r[2] for r in REFUSED])
def test_what_cannot_be_read_is_refused_naming_the_line(body: str, line: int,
                                                        needle: str) -> None:
    code = _net("self.conv = nn.Conv2d(1, 4, 3, padding=1)\n"
                "self.other = nn.Conv2d(1, 4, 3, padding=1)", body)
    with pytest.raises(CodeError) as e:
        read(code, "1x8x8")
    assert e.value.message.startswith(f"line {line}: "), e.value.message
    assert needle in e.value.message and "\n" not in e.value.message


def test_a_block_returning_two_tensors_is_refused_as_a_layer() -> None:
    code = HEAD + textwrap.dedent("""\
        class Two(nn.Module):
            def __init__(self):
                super().__init__()
                self.a = nn.Conv2d(1, 2, 3)
            def forward(self, x):
                return self.a(x), x

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.two = Two()
            def forward(self, x):
                return self.two(x)
        """)
    r = resolve(code, None, "1x8x8", model="Two")  # alone, it is a model with two outputs
    assert summarize(r.nodes, r.shape, r.convention).outputs == (("0", (2, 6, 6)),
                                                                 ("1", (1, 8, 8)))
    with pytest.raises(CodeError, match=r"Two\.forward\(\) returns 2 tensors"):
        resolve(code, None, "1x8x8", model="Net")


KERAS_HEAD = "import keras\nfrom keras import layers\n\n"

# Deep Learning with Python's VAE encoder. By hand: conv 3·3·1·32 + 32 = 320 (28 -> 14 with
# stride 2 and same padding), conv 3·3·32·64 + 64 = 18,496 (14 -> 7), flatten 7·7·64 = 3,136,
# Dense(16) 3136·16 + 16 = 50,192, each head Dense(2) 16·2 + 2 = 34: 69,076 in all, as the
# book prints.
KERAS_VAE = KERAS_HEAD + """\
encoder_inputs = keras.Input(shape=(28, 28, 1))
x = layers.Conv2D(32, 3, activation="relu", strides=2, padding="same")(encoder_inputs)
x = layers.Conv2D(64, 3, activation="relu", strides=2, padding="same")(x)
x = layers.Flatten()(x)
x = layers.Dense(16, activation="relu")(x)
z_mean = layers.Dense(2, name="z_mean")(x)
z_log_var = layers.Dense(2, name="z_log_var")(x)
model = keras.Model(encoder_inputs, [z_mean, z_log_var], name="encoder")
"""

# Two heads that part at the input: a conv 3·3·3·4 + 4 = 112 on 8x8x3 (6x6x4 out), then
# GlobalAveragePooling and Dense(3) 4·3 + 3 = 15; a Flatten of the input (192) then Dense(2)
# 192·2 + 2 = 386. 513 in all; the dict names the outputs.
KERAS_DICT = KERAS_HEAD + """\
inputs = keras.Input(shape=(8, 8, 3))
a = layers.Dense(3)(layers.GlobalAveragePooling2D()(layers.Conv2D(4, 3)(inputs)))
b = layers.Dense(2)(layers.Flatten()(inputs))
model = keras.Model(inputs=inputs, outputs={"cls": a, "box": b})
"""

# Unnamed heads, list in outputs=: output_0 and output_1. Dense(5) on 4 features is
# 4·5 + 5 = 25, Dense(1) 4·1 + 1 = 5: 30.
KERAS_UNNAMED = KERAS_HEAD + """\
inputs = keras.Input(shape=(4,))
model = keras.Model(inputs, outputs=[layers.Dense(5)(inputs), layers.Dense(1)(inputs)])
"""

KERAS = [
    ("vae_encoder", KERAS_VAE, 69_076, (("z_mean", (2,)), ("z_log_var", (2,)))),
    ("dict", KERAS_DICT, 513, (("cls", (3,)), ("box", (2,)))),
    ("unnamed", KERAS_UNNAMED, 30, (("output_0", (5,)), ("output_1", (1,)))),
]


@pytest.mark.parametrize(("name", "code", "params", "outputs"), KERAS,
                         ids=[k[0] for k in KERAS])
def test_keras_outputs_by_hand(name: str, code: str, params: int,
                               outputs: tuple[tuple[str, tuple[int, ...]], ...]) -> None:
    s = read(code, None)
    assert s.total_params == params
    assert s.outputs == outputs


@pytest.mark.skipif(os.environ.get("KERAS_BACKEND") != "torch",
                    reason="Keras is checked on the torch backend (KERAS_BACKEND=torch)")
@pytest.mark.parametrize(("name", "code", "params", "outputs"), KERAS,
                         ids=[k[0] for k in KERAS])
def test_real_keras_counts_the_same(name: str, code: str, params: int,
                                    outputs: tuple[tuple[str, tuple[int, ...]], ...]) -> None:
    pytest.importorskip("keras")
    namespace: dict[str, Any] = {}
    exec(code, namespace)  # the oracle side builds the real Keras model
    net = namespace["model"]
    assert net.count_params() == params
    got = net.output
    tensors = list(got.values()) if isinstance(got, dict) else list(got)
    assert [tuple(t.shape[1:]) for t in tensors] == [shape for _, shape in outputs]


def test_keras_outputs_with_one_name_twice_are_refused() -> None:
    code = KERAS_HEAD + ("inputs = keras.Input(shape=(4,))\n"
                         "a = layers.Dense(5, name='h')(inputs)\n"
                         "b = layers.Dense(1, name='h')(layers.Dense(3)(inputs))\n"
                         "model = keras.Model(inputs, [a, b])\n")
    with pytest.raises(CodeError, match="two outputs have the same name"):
        read(code, None)


@pytest.mark.parametrize(("name", "code", "shape"), MODELS, ids=[m[0] for m in MODELS])
def test_the_built_model_returns_the_outputs_in_order(name: str, code: str, shape: str) -> None:
    """The torch model `build --check` builds from the summary returns a tuple whose shapes
    are the real module's, in its order; the check passes."""
    from cnncalc.train.buildcheck import check_model
    from cnncalc.train.model import build

    s = read(code, shape)
    namespace: dict[str, Any] = {}
    exec(code, namespace)  # the oracle side builds the real module
    net = namespace["Net"]().eval()
    built = build(s).eval()
    with torch.no_grad():
        x = torch.zeros((2, *s.input_shape))
        theirs, mine = net(x), built(x)
    assert isinstance(mine, tuple)
    assert [tuple(t.shape) for t in mine] == [tuple(t.shape) for t in theirs]
    assert sum(p.numel() for p in built.parameters()) == sum(p.numel() for p in net.parameters())
    assert check_model(s, built)[1]


@pytest.mark.parametrize(("name", "code", "shape"), MODELS, ids=[m[0] for m in MODELS])
def test_the_python_export_returns_the_outputs_in_order(name: str, code: str,
                                                        shape: str) -> None:
    """The class `build --export py` writes returns the real module's outputs, in order,
    with as many parameters."""
    from cnncalc.export.pytorch import to_python

    s = read(code, shape)
    namespace: dict[str, Any] = {}
    exec(code, namespace)  # the oracle side builds the real module
    net = namespace["Net"]().eval()
    written: dict[str, Any] = {}
    exec(to_python(s, "Exported"), written)  # the generated file, as a user would run it
    exported = written["Exported"]().eval()
    with torch.no_grad():
        x = torch.zeros((2, *s.input_shape))
        theirs, mine = net(x), exported(x)
    assert isinstance(mine, tuple)
    assert [tuple(t.shape) for t in mine] == [tuple(t.shape) for t in theirs]
    assert sum(p.numel() for p in exported.parameters()) == \
        sum(p.numel() for p in net.parameters())


@pytest.mark.parametrize(("name", "code", "shape"), MODELS, ids=[m[0] for m in MODELS])
def test_the_keras_export_returns_the_outputs_in_order(name: str, code: str,
                                                       shape: str) -> None:
    """`build --export keras` ends in keras.Model(inputs, [...]) with an output per
    returned tensor; with real Keras (KERAS_BACKEND=torch), its parameters are the torch
    module's and its outputs the torch module's shapes, channels last, in order."""
    import ast

    from cnncalc.export.keras import to_keras

    s = read(code, shape)
    source = to_keras(s)
    model_call = [n for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Call)
                  and ast.unparse(n.func) == "keras.Model"]
    assert len(model_call) == 1 and isinstance(model_call[0].args[1], ast.List)
    assert len(model_call[0].args[1].elts) == len(s.outputs)
    if os.environ.get("KERAS_BACKEND") != "torch":
        return
    pytest.importorskip("keras")
    namespace: dict[str, Any] = {}
    exec(code, namespace)  # the oracle side builds the real module
    net = namespace["Net"]().eval()
    with torch.no_grad():
        theirs = net(torch.zeros((1, *s.input_shape)))
    written: dict[str, Any] = {}
    exec(source, written)  # the generated Keras file, as a user would run it
    model = written["model"]
    stats = sum(b.numel() for n, b in net.named_buffers()  # Keras counts them as weights
                if n.endswith(("running_mean", "running_var")))
    assert model.count_params() == sum(p.numel() for p in net.parameters()) + stats
    hwc = [tuple(t.shape[1:]) if t.dim() == 2 else (t.shape[2], t.shape[3], t.shape[1])
           for t in theirs]
    assert [tuple(o.shape[1:]) for o in model.outputs] == hwc


@pytest.mark.parametrize("command", [["draw"], ["train", "--epochs", "1"],
                                     ["solve", "--output", "1"]])
def test_commands_that_need_one_output_refuse_in_one_line(command: list[str]) -> None:
    got = CliRunner().invoke(app, [command[0], MODELS[0][1], *command[1:]])
    assert got.exit_code == 1, got.output
    lines = got.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: the model has 2 outputs (0, 1); "
                                                   f"cnncalc {command[0]} reads a model "
                                                   "with one output"), got.output


def test_check_reads_answers_by_layer_and_refuses_output() -> None:
    """vae_heads: torch's mu is nn.Linear(32, 4), 32·4 + 4 = 132 parameters, output 4."""
    runner = CliRunner()
    got = runner.invoke(app, ["check", MODELS[0][1], "--input", "1x28x28", "--expect",
                              "mu: (4,)\nmu: 132"])
    assert got.exit_code == 0, got.output
    assert "2 of 2 right" in got.stdout
    got = runner.invoke(app, ["check", MODELS[0][1], "--input", "1x28x28", "--expect",
                              "output: 4"])
    assert got.exit_code == 2, got.output
    lines = got.output.strip().splitlines()
    assert len(lines) == 1 and "'output' names no one output; the model has 2 outputs " \
        "(0: 4, 1: 4)" in lines[0], got.output


def test_build_check_compares_every_output() -> None:
    got = CliRunner().invoke(app, ["build", "--check", MODELS[1][1], "--input", "3x16x16"])
    assert got.exit_code == 0, got.output
    assert "output 0" in got.stdout and "output 2" in got.stdout
    assert "every shape and count agrees" in got.stdout
