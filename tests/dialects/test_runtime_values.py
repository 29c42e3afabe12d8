"""Values pasted code knows only when it runs: --set NAME=VALUE, and --input for data shapes.

PyTorch models are compared with the torch module the same code builds when it runs with
the same values (the test runs it; cnncalc never does). Keras figures are derived by hand,
the derivation beside each.
"""

from __future__ import annotations

from typing import Any

import pytest
import torch
from torch import nn
from typer.testing import CliRunner

import cnncalc
from cnncalc.calc.summary import summarize
from cnncalc.cli import app
from cnncalc.dialects.given import parse_sets
from cnncalc.dialects.read import CodeError
from cnncalc.dialects.resolve import resolve
from cnncalc.errors import UsageError

from ..oracle import counts

torch.set_num_threads(1)


def read(code: str, sets: list[str] | None = None, input_shape: str | None = None) -> Any:
    """cnncalc's summary of the code with these --set options and --input."""
    r = resolve(code, None, input_shape, values=parse_sets(sets or []))
    return summarize(r.nodes, r.shape, r.convention, 1, r.spec)


def run(code: str, names: dict[str, Any]) -> dict[str, Any]:
    """Run the code as Python would, with `names` already defined (the oracle side)."""
    namespace: dict[str, Any] = dict(names)
    exec(code, namespace)
    return namespace


def agrees(s: Any, model: nn.Module, x: torch.Tensor) -> None:
    """Parameters and output shape against the torch module on a real input."""
    model.eval()
    with torch.no_grad():
        y = model(x)
    assert s.total_params == counts(model)[0]
    assert tuple(s.output_shape) == tuple(y.shape[1:])


NET_REQUIRED = """
import torch.nn as nn
import torch.nn.functional as F

class Net(nn.Module):
    def __init__(self, num_classes):
        super().__init__()
        self.conv = nn.Conv2d(1, 8, 3)
        self.fc = nn.Linear(8 * 26 * 26, num_classes)

    def forward(self, x):
        x = F.relu(self.conv(x))
        x = x.view(x.size(0), -1)
        return self.fc(x)
"""


def test_a_constructor_argument_is_given() -> None:
    s = read(NET_REQUIRED, ["num_classes=7"])
    agrees(s, run(NET_REQUIRED, {})["Net"](num_classes=7), torch.zeros(1, 1, 28, 28))


def test_an_unknown_argument_names_the_option() -> None:
    with pytest.raises(CodeError) as e:
        read(NET_REQUIRED)
    assert str(e.value) == ("line 6: num_classes is an argument of __init__, only known when "
                            "it is called; pass --set num_classes=VALUE")


NET_DEFAULT = """
import torch.nn as nn

class Net(nn.Module):
    def __init__(self, in_channels=1, num_classes=10, width=16):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, width, 3, padding=1)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(width, num_classes)

    def forward(self, x):
        return self.fc(self.pool(self.conv(x)).flatten(1))

model = Net(width=32)
"""


def test_set_replaces_a_default_and_what_the_call_passes() -> None:
    # The code builds Net(width=32); --set width=8 replaces that, and num_classes' default.
    s = read(NET_DEFAULT, ["width=8", "num_classes=5", "in_channels=3"], "3x32x32")
    oracle = run(NET_DEFAULT, {})["Net"](in_channels=3, num_classes=5, width=8)
    agrees(s, oracle, torch.zeros(1, 3, 32, 32))


BUILDER = """
import torch.nn as nn

class Net(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.fc = nn.Linear(784, num_classes)

    def forward(self, x):
        return self.fc(x.flatten(1))

def small(num_classes=1000):
    return Net(num_classes=num_classes)
"""


def test_set_replaces_the_default_of_a_builder_function() -> None:
    r = resolve(BUILDER, None, "1x28x28", model="small", values={"num_classes": 3})
    s = summarize(r.nodes, r.shape, r.convention, 1, r.spec)
    agrees(s, run(BUILDER, {})["small"](num_classes=3), torch.zeros(1, 1, 28, 28))


KERAS_FUNCTION = """
from tensorflow import keras
from tensorflow.keras import layers

def build_model(num_classes, hidden=64):
    return keras.Sequential([layers.Flatten(input_shape=(28, 28)), layers.Dense(hidden),
                             layers.Dense(num_classes)])
"""


def test_set_gives_the_arguments_of_a_keras_building_function() -> None:
    with pytest.raises(CodeError, match="num_classes is an argument of build_model, only "
                       "known when it is called; pass --set num_classes=VALUE"):
        read(KERAS_FUNCTION)
    # Flatten: 784; Dense(8): 784*8 + 8 = 6,280; Dense(3): 8*3 + 3 = 27.
    assert read(KERAS_FUNCTION, ["num_classes=3", "hidden=8"]).total_params == 6_280 + 27


SEQ_CONSTANT = """
import torch.nn as nn
HIDDEN = 32
NUM_CLASSES = HIDDEN // 4
model = nn.Sequential(nn.Flatten(), nn.Linear(784, HIDDEN), nn.ReLU(), nn.Linear(HIDDEN, 10),
                      nn.ReLU(), nn.Linear(10, NUM_CLASSES))
"""


def test_set_replaces_a_module_constant_everywhere_it_is_read() -> None:
    s = read(SEQ_CONSTANT, ["HIDDEN=64"], "1x28x28")
    # Both HIDDEN and NUM_CLASSES = HIDDEN // 4 follow: the oracle runs the code with 64.
    oracle = run(SEQ_CONSTANT.replace("HIDDEN = 32", "HIDDEN = 64"), {})["model"]
    agrees(s, oracle, torch.zeros(1, 1, 28, 28))
    assert s.output_shape == (16,)


FROM_FILES = """
import os
import torch.nn as nn
class_names = sorted(os.listdir("data"))
num_classes = len(class_names)
model = nn.Sequential(nn.Flatten(), nn.Linear(784, num_classes))
"""


def test_a_module_value_known_at_run_time_suggests_set_and_takes_it() -> None:
    with pytest.raises(CodeError) as e:
        read(FROM_FILES)
    assert str(e.value) == ("line 5: len(class_names) is only known when the code runs; "
                            "pass --set num_classes=VALUE")
    s = read(FROM_FILES, ["num_classes=10"], "1x28x28")
    agrees(s, nn.Sequential(nn.Flatten(), nn.Linear(784, 10)), torch.zeros(1, 1, 28, 28))


ARGPARSE = """
import argparse
import torch.nn as nn
parser = argparse.ArgumentParser()
parser.add_argument("--hidden", type=int, default=128)
args = parser.parse_args()
model = nn.Sequential(nn.Flatten(), nn.Linear(784, args.hidden), nn.ReLU(),
                      nn.Linear(args.hidden, args.num_classes))
"""


def test_dotted_attributes_of_an_argparse_result() -> None:
    s = read(ARGPARSE, ["args.hidden=100", "args.num_classes=3"], "1x28x28")
    code = ARGPARSE.replace("args = parser.parse_args()",
                            "args = argparse.Namespace(hidden=100, num_classes=3)")
    agrees(s, run(code, {})["model"], torch.zeros(1, 1, 28, 28))


def test_a_missing_attribute_suggests_set() -> None:
    with pytest.raises(CodeError, match=r"line 7: the value args.hidden is not known.*"
                       r"pass --set args.hidden=VALUE"):
        read(ARGPARSE)


TABULAR = """
import numpy as np
import torch.nn as nn
X = np.load("features.npy")
model = nn.Sequential(nn.Linear(X.shape[1], 64), nn.ReLU(), nn.Linear(64, 3))
"""


def test_torch_in_features_from_the_data() -> None:
    s = read(TABULAR, [], "flat:20")
    X = torch.zeros(5, 20)
    agrees(s, run(TABULAR.replace('np.load("features.npy")', "X"), {"X": X})["model"], X[:1])


CHANNELS = """
import torch.nn as nn

class Net(nn.Module):
    def __init__(self, in_channels, num_classes=10):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, 8, 3)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(8, num_classes)

    def forward(self, x):
        return self.fc(self.pool(self.conv(x)).flatten(1))

images = load_images()
model = Net(in_channels=images.shape[1])
"""


def test_torch_in_channels_from_the_data_is_channels_first() -> None:
    s = read(CHANNELS, [], "3x32x32")
    images = torch.zeros(4, 3, 32, 32)
    ns = run(CHANNELS.replace("load_images()", "images"), {"images": images})
    agrees(s, ns["model"], images[:1])


def test_a_data_shape_without_input_names_the_expression_and_the_option() -> None:
    with pytest.raises(CodeError) as e:
        read(CHANNELS)
    assert str(e.value) == ("line 15: images.shape[1] is the shape of the data images, only "
                            "known when the code runs; pass the model's input with --input "
                            "(and other values with --set NAME=VALUE)")


KERAS = """
from tensorflow import keras
from tensorflow.keras import layers
(x_train, y_train), (x_test, y_test) = keras.datasets.cifar10.load_data()
model = keras.Sequential([
    layers.Conv2D(32, 3, activation="relu", input_shape=x_train.shape[1:]),
    layers.MaxPooling2D(),
    layers.Flatten(),
    layers.Dense(NUM_CLASSES),
])
"""


def test_keras_input_shape_from_the_data_is_channels_last() -> None:
    # --input 32x32x3 under Keras: x_train.shape[1:] == (32, 32, 3).
    # Conv2D(32, 3) on 3 channels: 3*3*3*32 + 32 = 896 params, 30x30x32 out;
    # MaxPooling2D(): 15x15x32; Flatten: 7,200; Dense(5): 7,200*5 + 5 = 36,005.
    s = read(KERAS, ["NUM_CLASSES=5"], "32x32x3")
    assert s.convention == "keras"
    assert s.input_shape == (3, 32, 32)
    assert s.total_params == 896 + 36_005
    assert s.output_shape == (5,)


FUNCTIONAL = """
import keras
from keras import layers

def build(input_shape, num_classes):
    inputs = keras.Input(shape=input_shape)
    x = layers.Conv2D(16, 3, activation="relu")(inputs)
    x = layers.GlobalAveragePooling2D()(x)
    outputs = layers.Dense(num_classes)(x)
    return keras.Model(inputs, outputs)

shape = train_images.shape[1:]
model = build(shape, len(class_names))
"""


def test_keras_data_shape_through_a_name_and_a_function_argument() -> None:
    # train_images.shape[1:] reaches Input(shape=...) through `shape` and build's argument.
    # --input 64x64x1: Conv2D(16, 3): 3*3*1*16 + 16 = 160; GAP: 16; Dense(4): 16*4 + 4 = 68.
    s = read(FUNCTIONAL, ["class_names=('cat', 'dog', 'bird', 'fish')"], "64x64x1")
    assert s.total_params == 160 + 68
    assert s.output_shape == (4,)
    # --set replaces what the module passes the function that builds its model.
    s = read(FUNCTIONAL, ["class_names=('cat', 'dog')", "num_classes=5"], "64x64x1")
    assert s.total_params == 160 + 16 * 5 + 5


def test_a_value_the_model_needs_is_named_with_the_option() -> None:
    with pytest.raises(CodeError, match=r"line 13: class_names is not defined; define or "
                       r"import it before it is used, or pass --set class_names=VALUE"):
        read(FUNCTIONAL, [], "64x64x1")
    with pytest.raises(CodeError, match=r"line 12: train_images.shape\[1:\] is the shape of "
                       r"the data train_images, only known when the code runs; pass the "
                       r"model's input with --input"):
        read(FUNCTIONAL.replace("len(class_names)", "4"))


def test_the_number_of_samples_is_never_a_value() -> None:
    code = KERAS.replace("x_train.shape[1:]", "x_train.shape")
    with pytest.raises(CodeError, match=r"x_train.shape holds the number of samples"):
        read(code, ["NUM_CLASSES=5"], "32x32x3")
    code = KERAS.replace("x_train.shape[1:]", "x_train.shape[0:2]")
    with pytest.raises(CodeError, match=r"holds the number of samples"):
        read(code, ["NUM_CLASSES=5"], "32x32x3")


def test_a_label_shape_is_not_the_input_but_may_be_set() -> None:
    code = KERAS.replace("NUM_CLASSES", "y_train.shape[1]")
    with pytest.raises(CodeError, match=r"y_train.shape is not known.*--set y_train.shape"):
        read(code, [], "32x32x3")
    # One-hot labels of 10 classes: y_train.shape == (50000, 10). Dense(10): 7,200*10 + 10.
    s = read(code, ["y_train.shape=(50000, 10)"], "32x32x3")
    assert s.total_params == 896 + 72_010


def test_a_set_the_code_never_reads_is_an_error_with_a_suggestion() -> None:
    with pytest.raises(UsageError, match=r"--set num_clases: the model's code never reads "
                       r"num_clases; did you mean 'num_classes'\?") as e:
        read(NET_REQUIRED, ["num_clases=7"])
    assert e.value.exit_code == 2
    with pytest.raises(UsageError, match=r"--set depth: the model's code never reads"):
        read(NET_REQUIRED, ["num_classes=7", "depth=3"])


def test_a_set_may_not_replace_what_the_code_imports_or_defines() -> None:
    with pytest.raises(UsageError, match=r"--set nn: the code imports nn \(line 2\)"):
        read(NET_REQUIRED, ["nn=3"])
    with pytest.raises(UsageError, match=r"--set Net.x: the code defines Net"):
        read(NET_REQUIRED, ["Net.x=3"])


@pytest.mark.parametrize(("item", "needle"), [
    ("n=__import__('os').system('echo hacked')", "not a Python literal"),
    ("n=10**100", "not a Python literal"),
    ("n=relu", "not a Python literal"),
    ("n=99999999999999", r"too large; the limit is 10\^12"),
    ("n=1e999", "not a finite number"),
    ("n={1: 2}", "a dict is not a value"),
    ("n=1j", "a complex is not a value"),
    ("n", "write NAME=VALUE"),
    ("=3", "write NAME=VALUE"),
    ("1n=3", "is not a name"),
    ("a.class=3", "is not a name"),
    ("self.fc=3", "constructor argument"),
    ("n=" + "1" * 1001, "the limit is 1,000"),
])
def test_set_values_are_literals_within_bounds(item: str, needle: str) -> None:
    with pytest.raises(UsageError, match=needle) as e:
        parse_sets([item])
    assert e.value.exit_code == 2


def test_set_values_parse_as_literals() -> None:
    got = parse_sets(["a=3", "b=-2.5", "c='relu'", "d=[1, (2, 3)]", "e=None", "f=True"])
    assert got == {"a": 3, "b": -2.5, "c": "relu", "d": (1, (2, 3)), "e": None, "f": True}
    with pytest.raises(UsageError, match="given twice"):
        parse_sets(["a=1", "a=2"])


def test_set_is_refused_for_a_spec_and_a_preset() -> None:
    with pytest.raises(UsageError, match="not to a spec"):
        resolve("conv(8,3)-flatten-fc(10)", None, None, values={"n": 3})
    with pytest.raises(UsageError, match="not to a preset"):
        resolve(None, "lenet5", None, values={"n": 3})


def test_the_api_takes_values() -> None:
    s = cnncalc.summary(NET_REQUIRED, values={"num_classes": 7})
    agrees(s, run(NET_REQUIRED, {})["Net"](num_classes=7), torch.zeros(1, 1, 28, 28))
    with pytest.raises(UsageError, match="values must be a mapping"):
        cnncalc.summary(NET_REQUIRED, values=[("num_classes", 7)])  # type: ignore[arg-type]
    with pytest.raises(UsageError, match=r"values\['n'\]: a set is not a value"):
        cnncalc.summary(NET_REQUIRED, values={"n": {1}})


def test_the_command_line_takes_set_on_each_command(tmp_path: Any) -> None:
    path = tmp_path / "net.py"
    path.write_text(NET_REQUIRED)
    runner = CliRunner()
    oracle = counts(run(NET_REQUIRED, {})["Net"](num_classes=7))[0]
    got = runner.invoke(app, ["summary", str(path), "--set", "num_classes=7", "-f", "json"])
    assert got.exit_code == 0, got.output
    assert f'"total_params": {oracle}' in got.output
    for command in (["explain"], ["draw", "-f", "mermaid"], ["build", "--export", "py"]):
        got = runner.invoke(app, [*command, str(path), "--set", "num_classes=7"])
        assert got.exit_code == 0, (command, got.output)
        assert "7" in got.output
    got = runner.invoke(app, ["check", str(path), "--set", "num_classes=7", "--expect",
                              f"total: {oracle}"])
    assert got.exit_code == 0, got.output
    got = runner.invoke(app, ["summary", str(path), "--set", "n=__import__('os')"])
    assert got.exit_code == 2
    assert "--set n=__import__('os'): the value is not a Python literal" in got.output

