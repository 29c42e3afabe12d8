"""`check --expect` keyed by module names, against the names torch's named_modules() gives
the same code's modules, and the shapes and counts torch's forward hooks see."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import torch
from torch import nn
from typer.testing import CliRunner, Result

from cnncalc.calc.check import mark, parse_answers
from cnncalc.calc.module_names import ModuleNames
from cnncalc.calc.summary import summarize
from cnncalc.cli import app
from cnncalc.dialects.resolve import resolve
from cnncalc.errors import UsageError
from cnncalc.ops.shape import PYTORCH

from ..oracle import counts
from .realworld import fixture
from .test_pytorch import torch_model
from .test_realworld_torch import EXACT as REALWORLD
from .test_realworld_torch import _torch
from .torch_models import MODELS

torch.set_num_threads(1)

BLOCKS = """
from collections import OrderedDict


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False),
                                            nn.BatchNorm2d(cout))

    def forward(self, x):
        identity = x
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        if self.downsample is not None:
            identity = self.downsample(x)
        return self.relu(out + identity)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.layer1 = self._make_layer(16, 32)
        self.heads = nn.ModuleList([nn.Conv2d(32, 32, 1) for _ in range(2)])
        self.pool = nn.ModuleDict({"avg": nn.AdaptiveAvgPool2d(1)})
        self.classifier = nn.Sequential(OrderedDict([("flat", nn.Flatten()),
                                                     ("drop", nn.Dropout(0.5)),
                                                     ("fc", nn.Linear(32, 10))]))

    def _make_layer(self, cin, cout):
        layers = [BasicBlock(cin, cin)]
        layers.append(BasicBlock(cin, cout, 2))
        return nn.Sequential(*layers)

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = self.layer1(x)
        for h in self.heads:
            x = h(x)
        x = self.pool["avg"](x)
        return self.classifier(x)
"""

NESTED = """
def block(cin, cout):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1), nn.BatchNorm2d(cout), nn.ReLU())

model = nn.Sequential(block(1, 8), nn.MaxPool2d(2),
                      nn.Sequential(nn.Conv2d(8, 16, 3), nn.ReLU()),
                      nn.Flatten(), nn.Linear(16 * 12 * 12, 10))
"""

EXTRA = [("blocks", BLOCKS, None), ("nested", NESTED, None)]


def torch_leaves(model: nn.Module, shape: tuple[int, ...]
                 ) -> dict[str, tuple[int, tuple[int, ...], int, int]]:
    """Each leaf module's named_modules() name: (calls in one forward pass, its last output's
    shape, trainable parameters, running statistics)."""
    seen: dict[str, tuple[int, tuple[int, ...], int, int]] = {}

    def hook(name: str) -> Any:
        def record(m: nn.Module, _: Any, out: torch.Tensor) -> None:
            calls = seen.get(name, (0,))[0]
            seen[name] = (calls + 1, tuple(out.shape[1:]), *counts(m))
        return record

    for name, m in model.named_modules():
        if name and not list(m.children()):
            m.register_forward_hook(hook(name))
    model.eval()
    with torch.no_grad():
        model(torch.zeros(1, *shape))
    return seen


@pytest.mark.parametrize(("name", "code", "input_shape"), MODELS + EXTRA,
                         ids=[m[0] for m in MODELS + EXTRA])
def test_names_are_torchs_and_key_the_rows_torch_sees(name: str, code: str,
                                                      input_shape: str | None) -> None:
    r = resolve(code, None, input_shape, model="Net" if name == "blocks" else None)
    s = summarize(r.nodes, r.shape, r.convention, 1, r.spec)
    names = ModuleNames(s, r.dialect)
    leaves = torch_leaves(torch_model(code), r.shape)
    # No name cnncalc gives is one torch lacks.
    assert set(names.runs) <= set(leaves)
    assert [m for m, v in leaves.items() if v[0] == 1 and v[2] + v[3] and
            m not in names.runs] == []
    answers = []
    for module, (calls, shape, trainable, stats) in leaves.items():
        if module not in names.runs:
            continue  # torch's only: an Identity, or a module cnncalc folds into another
        if calls > 1:
            with pytest.raises(UsageError, match="ambiguous"):
                names.find(module)
            continue
        rows = names.find(module)
        assert rows[-1].output_shape == shape, module
        assert sum(x.trainable_params for x in rows) == trainable, module
        assert sum(x.non_trainable_params for x in rows) == stats, module
        dims = "x".join(map(str, shape)) if len(shape) == 3 else f"({shape[0]},)"
        answers.append(f"'{module}': {dims}, {trainable + stats}")
    assert answers, "no module of the code is keyed by its name"
    marks = mark(s, parse_answers("\n".join(answers), PYTORCH), r.dialect)
    assert all(m.right for m in marks), [m for m in marks if not m.right]


def test_resnet_style_paths() -> None:
    """The paths torch gives through a method's Sequential of blocks, a ModuleList, a
    ModuleDict and an OrderedDict are the ones read."""
    r = resolve(BLOCKS, None, None, model="Net")
    s = summarize(r.nodes, r.shape, r.convention, 1, r.spec)
    leaves = torch_leaves(torch_model(BLOCKS), r.shape)
    assert {"layer1.1.downsample.0", "heads.1", "pool.avg", "classifier.fc"} <= \
        set(ModuleNames(s, r.dialect).runs)
    assert set(ModuleNames(s, r.dialect).runs) <= set(leaves)


@pytest.mark.parametrize(("name", "model", "shape", "build"), REALWORLD,
                         ids=[f"{e[0]}:{e[1]}" for e in REALWORLD])
def test_real_files_key_by_torchs_names(name: str, model: str, shape: str,
                                        build: str) -> None:
    """torchvision's resnet18 (layer1.0.conv2), blocks of blocks, branches joined by
    torch.cat: every module torch calls once is keyed by its named_modules() name."""
    r = resolve(fixture(name), None, shape, model=model)
    s = summarize(r.nodes, r.shape, r.convention)
    names = ModuleNames(s, r.dialect)
    leaves = torch_leaves(_torch(name, build), r.shape)
    assert set(names.runs) <= set(leaves)
    keyed = 0
    for module, (calls, out, trainable, stats) in leaves.items():
        if module not in names.runs:
            continue
        if calls > 1:
            with pytest.raises(UsageError, match="ambiguous"):
                names.find(module)
            continue
        rows = names.find(module)
        assert (rows[-1].output_shape, sum(x.trainable_params for x in rows),
                sum(x.non_trainable_params for x in rows)) == (out, trainable, stats), module
        keyed += 1
    assert keyed >= len(leaves) // 2
    # Every module with weights that torch calls once has its name.
    assert [m for m, v in leaves.items() if v[0] == 1 and v[2] + v[3] and
            m not in names.runs] == []
    if name == "torchvision_resnet.py":
        assert {"layer1.0.conv2", "layer2.0.downsample.0", "fc"} <= set(names.runs)


# --------------------------------------------------------------------------- through the CLI

KERAS = """
from tensorflow import keras
from tensorflow.keras import layers

model = keras.Sequential([
    keras.Input(shape=(28, 28, 1)),
    layers.Conv2D(32, 3, activation="relu", name="c1"),
    layers.MaxPooling2D(2),
    layers.Flatten(name="flat"),
    layers.Dense(64, activation="relu", name="hidden"),
    layers.Dense(10),
])
"""

KERAS_FUNCTIONAL = """
from tensorflow import keras
from tensorflow.keras import layers

inputs = keras.Input(shape=(28, 28, 1))
x = layers.Conv2D(8, 3, name="conv_a")(inputs)
x = layers.Flatten()(x)
outputs = layers.Dense(10, name="out")(x)
model = keras.Model(inputs, outputs)
"""

KERAS_ADD = """
from tensorflow import keras
from tensorflow.keras import layers

model = keras.Sequential()
model.add(keras.Input(shape=(28, 28, 1)))
model.add(layers.Conv2D(4, 3, name="first"))
model.add(layers.Flatten())
"""

OUTPUT_MODULE = """
import torch.nn as nn

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.flat = nn.Flatten()
        self.output = nn.Linear(784, 10)

    def forward(self, x):
        return self.output(self.flat(x))
"""


def _check(runner: CliRunner, tmp_path: Path, code: str, expect: str,
           *more: str) -> Result:
    path = tmp_path / "model.py"
    path.write_text(code)
    return runner.invoke(app, ["check", str(path), "--expect", expect, *more])


@pytest.mark.parametrize(("code", "answers", "count"), [
    # Hand-derived, Keras shapes H x W x C. c1: 3·3·1·32 + 32 = 320 weights, 28 - 3 + 1 = 26;
    # max pooling halves 26 to 13, and flat is 13·13·32 = 5,408 values; hidden: 5,408·64 +
    # 64 = 346,176 (its activation= is a relu row of the same layer).
    (KERAS, "c1: 26x26x32, 320; flat: (5408,); hidden: (64,), 346176", 5),
    # conv_a: 3·3·1·8 + 8 = 80, 26x26x8; out: 26·26·8 = 5,408 inputs, 5,408·10 + 10 = 54,090.
    (KERAS_FUNCTIONAL, "conv_a: 26x26x8, 80; out: (10,), 54090", 4),
    # first: 3·3·1·4 + 4 = 40, 26x26x4.
    (KERAS_ADD, "first: 26x26x4, 40", 2),
    # Names made in a loop: conv0 as first above; conv1: 3·3·4·4 + 4 = 148, 24x24x4.
    (KERAS_ADD.replace('model.add(layers.Conv2D(4, 3, name="first"))',
                       'for i in range(2):\n    model.add(layers.Conv2D(4, 3, name="conv" + '
                       'str(i)))'), "conv0: 26x26x4, 40; conv1: 24x24x4, 148", 4),
])
def test_keras_layers_are_keyed_by_their_name(runner: CliRunner, tmp_path: Path, code: str,
                                              answers: str, count: int) -> None:
    result = _check(runner, tmp_path, code, answers, "-f", "json")
    assert result.exit_code == 0, result.output
    got = json.loads(result.stdout)
    assert (got["right"], got["wrong"]) == (count, 0)


def test_a_wrong_answer_by_name_is_marked_with_its_row_and_working(runner: CliRunner,
                                                                    tmp_path: Path) -> None:
    # hidden without its bias: 5,408·64 = 346,112; its rows are 5 (dense) and 6 (relu).
    result = _check(runner, tmp_path, KERAS, "hidden: 346112", "-f", "json")
    assert result.exit_code == 1
    (answer,) = json.loads(result.stdout)["answers"]
    assert (answer["layer"], answer["row"], answer["right"], answer["correct"]) == \
        ("hidden", "5-6", False, "346,176")
    assert "5408·64 + 64" in answer["working"]


@pytest.mark.parametrize(("code", "expect", "needles"), [
    (KERAS, "dense_1: (10,)", ("no layer named 'dense_1'", "explicit names",
                               "name='...'")),
    (KERAS, "hiden: (64,)", ("no layer named 'hiden'", "did you mean 'hidden'?")),
    (KERAS_ADD.replace(', name="first"', ""), "first: 1",
     ("'first' is a module name, but none of the code's Keras layers has name=",)),
    (BLOCKS, "'layer1.0.relu': 16x28x28",
     ("'layer1.0.relu' is ambiguous", "applies that module 2 times")),
    (BLOCKS, "layer1: 16x28x28", ("'layer1' could be row 1 or the module layer1",
                                  "name one of the module's layers (layer1.0.conv1",
                                  "write 1: for row 1")),
    (OUTPUT_MODULE, "output: (10,)", ("write 'output': (quoted) for the module",)),
    (BLOCKS, "'layer1': 16x28x28", ("'layer1' is a module that holds several layers",
                                    "layer1.0.conv1")),
    (BLOCKS, "layer1.0.conv3: 1", ("no module named 'layer1.0.conv3'",
                                   "did you mean 'layer1.0.conv2' or 'layer1.0.conv1'?")),
    (BLOCKS, "heads.5: 1", ("did you mean 'heads.0' or 'heads.1'?",)),
    (OUTPUT_MODULE, "output: (10,)", ("'output' could be the model's output or the module",)),
])
def test_a_key_that_names_no_one_row_is_a_usage_error(runner: CliRunner, tmp_path: Path,
                                                      code: str, expect: str,
                                                      needles: tuple[str, ...]) -> None:
    result = _check(runner, tmp_path, code, expect, "--model", "Net") if "class Net" in code \
        else _check(runner, tmp_path, code, expect)
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]


def test_quotes_and_spaces_say_which_is_meant(runner: CliRunner, tmp_path: Path) -> None:
    # 'output' quoted is the module: Linear(784, 10) has 784·10 + 10 = 7,850 parameters;
    # "layer 1" with a space is row 1, the flatten: 1·28·28 = 784 values.
    result = _check(runner, tmp_path, OUTPUT_MODULE, "'output': 7850; layer 1: (784,); "
                    "output: 7850", "--model", "Net")
    assert result.exit_code == 2  # the bare 'output' is still ambiguous here
    result = _check(runner, tmp_path, OUTPUT_MODULE, "'output': 7850; layer 1: (784,)",
                    "--model", "Net", "-f", "json")
    assert result.exit_code == 0, result.output
    assert [a["layer"] for a in json.loads(result.stdout)["answers"]] == ["output", "1"]


def test_a_spec_has_no_names(runner: CliRunner) -> None:
    result = runner.invoke(app, ["check", "conv(8,3)-relu", "--expect", "conv1: 8x26x26"])
    assert result.exit_code == 2
    assert "'conv1' is a module name, but a spec has no module names" in result.stderr
    assert "row numbers" in result.stderr


def test_top_level_sequential_names_are_indices_quoted(runner: CliRunner,
                                                        tmp_path: Path) -> None:
    """nn.Sequential's children are named '0', '1'... by torch; a bare 3 stays row 3 (rows
    count from 1), and '0' quoted is torch's module 0. Conv2d(1, 4, 3): 3·3·1·4 + 4 = 40."""
    code = "import torch.nn as nn\nmodel = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU())\n"
    result = _check(runner, tmp_path, code, "'0': 4x26x26, 40; 1: 4x26x26, 40", "-f", "json")
    assert result.exit_code == 0, result.output
    rows = [(a["layer"], a.get("row")) for a in json.loads(result.stdout)["answers"]]
    assert rows == [("0", "1"), ("0", "1"), ("1", None), ("1", None)]


def test_a_row_like_key_is_the_module_where_the_table_has_no_such_row(
        runner: CliRunner, tmp_path: Path) -> None:
    """README's cnn.py: layer1.0 could read as row 1.0, but the table's rows are 1 to 10,
    so it is torch's module layer1.0, Conv2d(1, 16, 5, padding=2): 5·5·1·16 + 16 = 416
    parameters, 28 + 2·2 - 5 + 1 = 28."""
    code = """
import torch.nn as nn

class ConvNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer1 = nn.Sequential(nn.Conv2d(1, 16, kernel_size=5, padding=2), nn.ReLU())
        self.fc = nn.Linear(16 * 28 * 28, 10)

    def forward(self, x):
        return self.fc(self.layer1(x).reshape(x.size(0), -1))
"""
    result = _check(runner, tmp_path, code, "layer1.0: 16x28x28, 416", "-f", "json")
    assert result.exit_code == 0, result.output
    assert [(a["layer"], a["row"]) for a in json.loads(result.stdout)["answers"]] == \
        [("layer1.0", "1")] * 2


def test_json_rows_give_the_module_name_of_code_and_none_for_a_spec(runner: CliRunner,
                                                                    tmp_path: Path) -> None:
    path = tmp_path / "net.py"
    path.write_text(BLOCKS)
    result = runner.invoke(app, ["summary", str(path), "--model", "Net", "-f", "json"])
    assert result.exit_code == 0, result.output
    layers = json.loads(result.stdout)["layers"]
    assert [row.get("module") for row in layers[:2]] == ["conv1", None]  # F.relu: no module
    block = layers[2]  # layer1's first BasicBlock, a residual: a block row has no module
    assert "module" not in block and block["layers"][0]["module"] == "layer1.0.conv1"
    result = runner.invoke(app, ["summary", "conv(8,3)-relu", "-f", "json"])
    assert all("module" not in row for row in json.loads(result.stdout)["layers"])


def test_two_keras_layers_with_one_name_stop_before_any_key() -> None:
    """Keras refuses a model whose layer names repeat ("All layers added to a Sequential model
    should have unique names"): the code is refused before a key could be ambiguous."""
    r = CliRunner().invoke(app, ["check", "-", "--expect", "c1: 320"],
                           input=KERAS.replace('name="flat"', 'name="c1"'))
    assert r.exit_code == 1
    assert "two Keras layers of model are named 'c1'" in r.stderr
