"""Models with several inputs: forward(self, x, y), each input's shape given by name.

The oracle is torch: each module below is built by torch in the test and run on zeros of
the given shapes; the parameter total (model.parameters(), a shared module once) and every
output's shape must equal the calculator's. Each row that reads an input names it.
"""

from __future__ import annotations

import json
import os
import textwrap
from typing import Any

import pytest
import torch
from typer.testing import CliRunner

from cnncalc.api import summary as api_summary
from cnncalc.calc.summary import LayerInfo, Summary, summarize
from cnncalc.cli import app
from cnncalc.dialects.resolve import resolve
from cnncalc.errors import UsageError

torch.set_num_threads(1)

HEAD = "import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n\n"


def _net(init: str, params: str, forward: str) -> str:
    return HEAD + "class Net(nn.Module):\n    def __init__(self):\n" \
        "        super().__init__()\n" + textwrap.indent(textwrap.dedent(init), " " * 8) + \
        f"\n    def forward(self, {params}):\n" + \
        textwrap.indent(textwrap.dedent(forward), " " * 8)


def read(code: str, shapes: dict[str, str]) -> Summary:
    r = resolve(code, None, [f"{k}={v}" for k, v in shapes.items()])
    return summarize(r.nodes, r.shape, r.convention, 1, r.spec, inputs=r.inputs)


MODELS: list[tuple[str, str, dict[str, str]]] = [
    # An image and a side vector, concatenated before the head.
    ("image_and_vector", _net("""
        self.conv = nn.Conv2d(1, 8, 3, padding=1)
        self.pool = nn.MaxPool2d(2)
        self.side = nn.Linear(10, 16)
        self.head = nn.Linear(8 * 14 * 14 + 16, 10)
        """, "image, extra", """
        a = torch.flatten(self.pool(F.relu(self.conv(image))), 1)
        b = F.relu(self.side(extra))
        return self.head(torch.cat([a, b], 1))
        """), {"image": "1x28x28", "extra": "flat:10"}),
    # A Siamese net: one encoder applied to both inputs (its weights counted once).
    ("siamese", _net("""
        self.enc = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.Flatten(),
                                 nn.Linear(4 * 10 * 10, 8))
        self.fc = nn.Linear(16, 1)
        """, "a, b", """
        return self.fc(torch.cat([self.enc(a), self.enc(b)], dim=1))
        """), {"a": "1x12x12", "b": "1x12x12"}),
    # Three inputs, two of them added: joins that nest where the inputs meet.
    ("three_inputs", _net("""
        self.c1 = nn.Conv2d(3, 6, 3, padding=1)
        self.c2 = nn.Conv2d(2, 6, 1)
        self.c3 = nn.Conv2d(1, 6, 5, padding=2)
        self.out = nn.Conv2d(12, 4, 1)
        """, "x, y, z", """
        s = self.c1(x) + self.c2(y)
        return self.out(torch.cat([s, self.c3(z)], 1))
        """), {"x": "3x8x8", "y": "2x8x8", "z": "1x8x8"}),
    # Two inputs and two outputs: a head on one input, and a joint one on both; u is read
    # twice.
    ("two_in_two_out", _net("""
        self.fa = nn.Linear(6, 4)
        self.ga = nn.Linear(6, 5)
        self.fb = nn.Linear(3, 4)
        self.joint = nn.Linear(9, 2)
        """, "u, v", """
        a = self.fa(u)
        b = self.fb(v)
        return a, self.joint(torch.cat([self.ga(u), b], 1))
        """), {"u": "flat:6", "v": "flat:3"}),
    # Two embeddings of two inputs by one encoder: outputs that part where the inputs start.
    ("siamese_embeddings", _net("""
        self.enc = nn.Sequential(nn.Conv2d(1, 4, 3, stride=2), nn.Flatten())
        """, "a, b", """
        return self.enc(a), self.enc(b)
        """), {"a": "1x9x9", "b": "1x7x7"}),
    # The inputs are used as they are: an input is itself a branch of the join.
    ("input_in_a_join", _net("""
        self.fc = nn.Linear(5, 7)
        self.head = nn.Linear(7 + 3, 2)
        """, "x, y", """
        return self.head(torch.cat([self.fc(x), y], 1))
        """), {"x": "flat:5", "y": "flat:3"}),
]


def _torch(code: str, shapes: list[tuple[int, ...]]) -> tuple[int, list[tuple[int, ...]]]:
    """torch's own figures: parameters() and the output shapes on zeros of these shapes."""
    space: dict[str, Any] = {}
    exec(code, space)  # the model, as the user would run it
    net = space["Net"]().eval()
    with torch.no_grad():
        out = net(*(torch.zeros((1, *s)) for s in shapes))
    outs = out if isinstance(out, tuple) else (out,)
    return sum(p.numel() for p in net.parameters()), [tuple(t.shape[1:]) for t in outs]


@pytest.mark.parametrize("name,code,shapes", MODELS, ids=[m[0] for m in MODELS])
def test_counts_and_shapes_agree_with_torch(name: str, code: str,
                                            shapes: dict[str, str]) -> None:
    s = read(code, shapes)
    assert [n for n, _ in s.inputs] == list(shapes)
    params, outs = _torch(code, [shape for _, shape in s.inputs])
    assert s.total_params == params
    ours = [shape for _, shape in s.outputs] if s.outputs else [s.output_shape]
    assert ours == outs


def _rows(rows: tuple[LayerInfo, ...]) -> list[LayerInfo]:
    out: list[LayerInfo] = []
    for r in rows:
        out.append(r)
        out.extend(_rows(r.inner()))
    return out


def test_rows_name_the_inputs_they_read() -> None:
    """image_and_vector: the conv reads `image`, the side Linear `extra`; the cat reads
    both branches' last rows, and its row names no one input shape as the model's."""
    s = read(MODELS[0][1], MODELS[0][2])
    rows = {r.path: r for r in _rows(s.layers)}
    assert rows["1.b1.1"].inputs == ("input:image",)
    assert rows["1.b2.1"].inputs == ("input:extra",)
    assert rows["1"].inputs == ("1.b1.4", "1.b2.2")
    assert rows["1.b2.1"].input_shape == (10,)
    s = read(MODELS[5][1], MODELS[5][2])
    assert {r.path: r for r in _rows(s.layers)}["1"].inputs == ("1.b1.1", "input:y")


def test_input_memory_counts_every_input() -> None:
    """three_inputs: 3·8·8 + 2·8·8 + 1·8·8 = 384 values, 4 bytes each."""
    s = read(MODELS[2][1], MODELS[2][2])
    assert s.input_bytes == 384 * 4


def test_the_json_lists_every_input() -> None:
    got = CliRunner().invoke(app, ["summary", MODELS[0][1], "-i", "image=1x28x28",
                                   "-i", "extra=flat:10", "--format", "json"])
    assert got.exit_code == 0, got.output
    record = json.loads(got.stdout)
    assert record["inputs"] == [{"name": "image", "shape": [1, 28, 28]},
                                {"name": "extra", "shape": [10]}]
    assert record["input_shape"] is None
    # 1·8·9 + 8 = 80; 10·16 + 16 = 176; (1568 + 16)·10 + 10 = 15,850: 16,106 in all
    assert record["total_params"] == 16_106


def test_the_table_lists_every_input() -> None:
    got = CliRunner().invoke(app, ["summary", MODELS[0][1], "-i", "image=1x28x28",
                                   "-i", "extra=flat:10"])
    assert got.exit_code == 0, got.output
    assert "inputs  image: 1x28x28, extra: 10" in " ".join(got.stdout.split("  ")) or \
        "image: 1x28x28, extra: 10" in got.stdout


def test_the_api_takes_a_size_per_input() -> None:
    s = api_summary(MODELS[1][1], input_size={"a": (1, 12, 12), "b": "1x12x12"})
    params, _ = _torch(MODELS[1][1], [(1, 12, 12), (1, 12, 12)])
    assert s.total_params == params
    with pytest.raises(UsageError, match="gives no shape for b"):
        api_summary(MODELS[1][1], input_size={"a": (1, 12, 12)})


def test_explain_and_check_read_several_inputs() -> None:
    """siamese: fc is Linear(16, 1): 16·1 + 1 = 17 parameters, output 1."""
    runner = CliRunner()
    args = [MODELS[1][1], "-i", "a=1x12x12", "-i", "b=1x12x12"]
    got = runner.invoke(app, ["explain", *args])
    assert got.exit_code == 0, got.output
    got = runner.invoke(app, ["check", *args, "--expect", "2: 17\n2: (1,)"])
    assert got.exit_code == 0, got.output
    assert "2 of 2 right" in got.stdout


def _args(shapes: dict[str, str]) -> list[str]:
    return [x for k, v in shapes.items() for x in ("-i", f"{k}={v}")]


@pytest.mark.parametrize("name,code,shapes", MODELS, ids=[m[0] for m in MODELS])
def test_build_check_runs_every_input(name: str, code: str, shapes: dict[str, str]) -> None:
    got = CliRunner().invoke(app, ["build", "--check", code, *_args(shapes)])
    assert got.exit_code == 0, got.output
    assert "every shape and count agrees" in got.stdout


@pytest.mark.parametrize("name,code,shapes", MODELS, ids=[m[0] for m in MODELS])
def test_the_python_export_takes_every_input(name: str, code: str,
                                             shapes: dict[str, str]) -> None:
    """The written class, run by torch: forward(self, <the code's names>), the same
    parameter count and output shapes as the code's own module on zeros."""
    got = CliRunner().invoke(app, ["build", "--export", "py", code, *_args(shapes)])
    assert got.exit_code == 0, got.output
    space: dict[str, Any] = {}
    exec(got.stdout, space)  # the generated file, as a user would run it
    net = space["Net"]().eval()
    s = read(code, shapes)
    params, outs = _torch(code, [shape for _, shape in s.inputs])
    assert sum(p.numel() for p in net.parameters()) == params
    with torch.no_grad():
        out = net(**{n: torch.zeros((1, *shape)) for n, shape in s.inputs})
    assert [tuple(t.shape[1:]) for t in (out if isinstance(out, tuple) else (out,))] == outs


def test_the_keras_export_writes_a_keras_input_per_input() -> None:
    """image_and_vector as Keras: keras.Input (28, 28, 1) named image and (10,) named extra;
    with real Keras (KERAS_BACKEND=torch), its parameters are torch's 16,106 and its output
    (None, 10)."""
    code, shapes = MODELS[0][1], MODELS[0][2]
    got = CliRunner().invoke(app, ["build", "--export", "keras", code, *_args(shapes)])
    assert got.exit_code == 0, got.output
    assert "keras.Input(shape=(28, 28, 1), name='image')" in got.stdout
    assert "keras.Input(shape=(10,), name='extra')" in got.stdout
    if os.environ.get("KERAS_BACKEND") != "torch":
        return
    pytest.importorskip("keras")
    space: dict[str, Any] = {}
    exec(got.stdout, space)  # the generated Keras file, as a user would run it
    model = space["model"]
    params, outs = _torch(code, [(1, 28, 28), (10,)])
    assert model.count_params() == params
    assert [tuple(o.shape[1:]) for o in model.outputs] == outs


def test_an_input_name_the_export_cannot_write_is_refused() -> None:
    code = _net("self.c = nn.Linear(4, 2)", "torch, nn_", "return self.c(torch + nn_)")
    got = CliRunner().invoke(app, ["build", "--export", "py", code, "-i", "torch=flat:4",
                                   "-i", "nn_=flat:4"])
    assert got.exit_code == 2, got.output
    assert "the model's input 'torch' cannot name a parameter of the written forward()" in \
        got.output


@pytest.mark.parametrize("command", [["draw", "-o", "x.svg"], ["train", "--epochs", "1"]])
def test_commands_that_need_one_input_refuse_in_one_line(command: list[str]) -> None:
    got = CliRunner().invoke(app, [command[0], MODELS[1][1], "-i", "a=1x12x12", "-i",
                                   "b=1x12x12", *command[1:]])
    assert got.exit_code == 1, got.output
    lines = got.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(
        f"error: the model takes 2 inputs (a, b); cnncalc {command[0]} reads a model with "
        "one input"), got.output


@pytest.mark.parametrize("given,needles", [
    ([], ["the model takes 2 inputs (a, b), and --input gives no shape for a",
          "-i a=1x28x28 -i b=1x28x28"]),
    (["a=1x12x12"], ["gives no shape for b"]),
    (["1x12x12"], ["--input 1x12x12 names none of them"]),
    (["a=1x12x12", "c=1x12x12"], ["--input names c, which is not an input of the model"]),
    (["a=1x12x12", "a=1x12x12"], ["--input gives the input a twice"]),
    (["1x12x12", "1x12x12"], ["--input is given 2 times, but 2 of them name no input"]),
])
def test_input_mistakes_are_usage_errors(given: list[str], needles: list[str]) -> None:
    args = [x for g in given for x in ("-i", g)]
    got = CliRunner().invoke(app, ["summary", MODELS[1][1], *args])
    assert got.exit_code == 2, got.output
    lines = got.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), got.output
    for n in needles:
        assert n in lines[0], got.output


def test_one_input_models_refuse_a_named_input() -> None:
    got = CliRunner().invoke(app, ["summary", "conv(4,3)-relu", "-i", "x=1x8x8"])
    assert got.exit_code == 2, got.output
    assert "names an input, but a spec has one input" in got.output


@pytest.mark.parametrize("forward,body,given,code,needle", [
    ("x, **extra", "return self.c(x)", [], 1, "forward() takes keyword-only"),
    ("x, *, y", "return self.c(x + y)", [], 1, "forward() takes keyword-only"),
    ("x, y", "return self.c(x)", ["x=flat:4", "y=flat:4"], 1,
     "line 10: the model's input y never reaches its output"),
    ("x, y", "return self.c(x + y)", ["x=flat:4", "1x2x2"], 2,
     "--input is given 2 times, and 1 of them names no input"),
    ("x, y", "return self.c(x + y)", ["x=flat:4", "y=flat:4;import os"], 2,
     "bad flat input 'flat:4;import os'"),
    ("x, y", "return self.c(x + y)", ["x=flat:4", "not a name=flat:4"], 2,
     "'not a name' is not an input's name"),
])
def test_forms_cnncalc_cannot_read_are_refused(forward: str, body: str, given: list[str],
                                               code: int, needle: str) -> None:
    source = _net("self.c = nn.Linear(4, 2)", forward, body)
    got = CliRunner().invoke(app, ["summary", source,
                                   *[x for g in given for x in ("-i", g)]])
    assert got.exit_code == code, got.output
    lines = got.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and needle in lines[0], \
        got.output


KERAS_TWO = """import keras
from keras import layers

image = keras.Input(shape=(28, 28, 1), name="image")
meta = keras.Input(shape=(10,))
x = layers.Conv2D(8, 3, activation="relu")(image)
x = layers.GlobalAveragePooling2D()(x)
y = layers.Dense(16, activation="relu")(meta)
out = layers.Dense(10)(layers.concatenate([x, y]))
model = keras.Model([image, meta], out)
"""


def test_keras_reads_a_model_of_two_inputs() -> None:
    """Conv2D(8, 3) on 28x28x1: 3·3·1·8 + 8 = 80; Dense(16) on 10: 10·16 + 16 = 176; the
    concatenation is 8 (pooled) + 16 = 24 features, Dense(10): 24·10 + 10 = 250; 506 in
    all, output (None, 10). The inputs are named by name=, else by place (input_1). With
    real Keras (KERAS_BACKEND=torch), count_params() and the output agree."""
    r = resolve(KERAS_TWO, None, None)
    s = summarize(r.nodes, r.shape, r.convention, 1, r.spec, inputs=r.inputs)
    assert s.inputs == (("image", (1, 28, 28)), ("input_1", (10,)))
    assert s.total_params == 506 and s.output_shape == (10,)
    if os.environ.get("KERAS_BACKEND") != "torch":
        return
    pytest.importorskip("keras")
    space: dict[str, Any] = {}
    exec(KERAS_TWO, space)  # the oracle: Keras builds the same model
    assert space["model"].count_params() == s.total_params
    assert tuple(space["model"].outputs[0].shape[1:]) == s.output_shape


def test_keras_input_shapes_can_be_given_by_name() -> None:
    """-i image=32x32x1 (channels-last under Keras): the conv sees 32x32, the head the same
    24 features: 506 parameters still, and the row's input (None, 32, 32, 1)."""
    got = CliRunner().invoke(app, ["summary", KERAS_TWO, "-i", "image=32x32x1", "-f", "json"])
    assert got.exit_code == 0, got.output
    record = json.loads(got.stdout)
    assert record["inputs"] == [{"name": "image", "shape": [1, 32, 32]},
                                {"name": "input_1", "shape": [10]}]
    assert record["total_params"] == 506


@pytest.mark.parametrize("model,needle", [
    ("keras.Model([image, meta], layers.Dense(2)(x))",
     "the model's input keras.Input on line 5 never reaches its output"),
    ("keras.Model(image, out)", "the outputs use the input made on line 5, which is not "
                                "among the model's inputs"),
    ("keras.Model([image, image], out)", "keras.Model lists one keras.Input twice"),
    ("keras.Model({'a': image, 'b': meta}, out)", "inputs by name are not read"),
    ("keras.Model([image, keras.Input(shape=(10,), name='a\\nb')], out)",
     "keras.Input name 'a\\nb' holds characters that cannot be shown"),
])
def test_keras_inputs_it_cannot_read_are_refused(model: str, needle: str) -> None:
    code = KERAS_TWO.replace("model = keras.Model([image, meta], out)", f"model = {model}")
    got = CliRunner().invoke(app, ["summary", code])
    assert got.exit_code == 1, got.output
    lines = got.output.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0], got.output


def test_a_command_that_needs_one_input_says_so_before_asking_for_shapes() -> None:
    got = CliRunner().invoke(app, ["solve", MODELS[1][1], "--output", "3"])
    assert got.exit_code == 1, got.output
    assert got.output.startswith("error: the model takes 2 inputs (a, b); cnncalc solve "
                                 "reads a model with one input"), got.output


def test_the_receptive_field_where_inputs_meet_is_unknown() -> None:
    """three_inputs: each branch's field counts pixels of its own input, so no one field in
    pixels holds after they meet: '?' from there on. Inside a branch it is as before: the
    3x3 conv on x sees 3 pixels."""
    s = read(MODELS[2][1], MODELS[2][2])
    rows = {r.path: r for r in _rows(s.layers)}
    assert rows["1"].rf.describe() == ("?", "?", "?")
    assert rows["2"].rf.describe() == ("?", "?", "?")
    assert rows["1.b1.1.b1.1"].rf.describe()[0] == "3"
