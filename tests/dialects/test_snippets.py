"""A pasted snippet without its imports, and the layout of the machine formats.

Oracles: Python itself (the snippet raises NameError when run as it is; with its imports it
builds the model whose figures cnncalc gives), and hand-derived Keras shapes."""

from __future__ import annotations

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from cnncalc.cli import app
from cnncalc.dialects.read import read_model, unimported

SNIPPET = """
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 8, 3)
        self.fc = nn.Linear(8 * 26 * 26, 10)

    def forward(self, x):
        return self.fc(torch.flatten(F.relu(self.conv(x)), 1))
"""


def test_a_snippet_without_imports_is_read_and_said(tmp_path) -> None:  # type: ignore[no-untyped-def]
    torch = pytest.importorskip("torch")
    with pytest.raises(NameError):
        exec(compile(SNIPPET, "<snippet>", "exec"), {})
    space: dict[str, object] = {}
    exec(compile("import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n"
                 + SNIPPET, "<whole>", "exec"), space)
    net = space["Net"]()  # type: ignore[operator]
    params = sum(p.numel() for p in net.parameters())  # 80 + 54,090 = 54,170
    assert params == 8 * 9 + 8 + 8 * 26 * 26 * 10 + 10
    assert tuple(net(torch.zeros(1, 1, 28, 28)).shape) == (1, 10)
    model = read_model(SNIPPET)
    assert any("uses nn, torch, F without importing them" in n for n in model.notes)
    path = tmp_path / "snippet.py"
    path.write_text(SNIPPET)
    r = CliRunner().invoke(app, ["summary", str(path), "-i", "1x28x28", "-f", "json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["trainable_params"] == params
    assert "note: the code uses nn, torch, F without importing them" in r.stderr
    table = CliRunner().invoke(app, ["summary", str(path), "-i", "1x28x28"])
    assert "without importing them" in table.stdout


@pytest.mark.parametrize(("code", "missing"), [
    ("import torch.nn as nn\nnet = nn.Sequential(nn.Linear(4, 2))\n", []),
    ("from torch import nn\nnet = nn.Sequential(nn.Linear(4, 2))\n", []),
    ("net = nn.Sequential(nn.Linear(4, 2))\n", ["nn"]),
    ("from keras.layers import *\nmodel = Sequential([Dense(2)])\n", []),  # not knowable
    ("from keras.models import Sequential\nmodel = Sequential([Dense(2)])\n", ["Dense"]),
    ("def f(nn):\n    return nn.Linear(4, 2)\n", []),  # an argument binds it
])
def test_unimported_names(code: str, missing: list[str]) -> None:
    import ast

    assert unimported(ast.parse(code)) == missing


KERAS = """
from tensorflow import keras
from tensorflow.keras import layers
model = keras.Sequential([keras.Input(shape=(64, 64, 3)), layers.Conv2D(16, 3)])
"""


def test_machine_formats_say_their_layout(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Conv2D(16, 3) on 64x64x3: (64 - 3)/1 + 1 = 62, so Keras gives (None, 62, 62, 16) and
    3·3·3·16 + 16 = 448 parameters."""
    path = tmp_path / "k.py"
    path.write_text(KERAS)
    r = CliRunner().invoke(app, ["summary", str(path), "-f", "json"])
    data = json.loads(r.stdout)
    assert data["convention"] == "keras" and data["shape_layout"] == "CHW"
    assert data["output_shape"] == [16, 62, 62] and data["total_params"] == 448
    rows = list(csv.DictReader(io.StringIO(
        CliRunner().invoke(app, ["summary", str(path), "-f", "csv"]).stdout)))
    assert rows[0]["output_shape"] == "(None, 62, 62, 16)"
    assert rows[0]["input_shape"] == "(None, 64, 64, 3)"


LAYER_OBJECT = """
from keras.models import Sequential
from keras.layers import Conv2D, Dense, Flatten
model = Sequential()
conv_layer = Conv2D(filters=32, kernel_size=3, strides=2, padding='same', activation='relu',
                    input_shape=(128, 128, 3))
model.add(conv_layer)
model.add(Flatten())
model.add(Dense(10)){extra}
"""


def test_a_layer_object_added_to_a_sequential() -> None:
    """Conv2D(32, 3, strides=2, 'same') on 128x128x3: ⌈128/2⌉ = 64, so 64x64x32 with
    3·3·3·32 + 32 = 896 parameters; Flatten 64·64·32 = 131,072; Dense(10) 1,310,730.
    Total 1,311,626, as Keras 3.15.1 counts it (model.count_params())."""
    from cnncalc.calc.summary import summarize
    from cnncalc.dialects.resolve import resolve

    r = resolve(LAYER_OBJECT.format(extra=""), None, None)
    s = summarize(r.nodes, r.shape, r.convention)
    assert s.total_params == 1_311_626
    assert tuple(s.layers[0].output_shape) == (32, 64, 64)


def test_a_layer_object_added_again_where_it_does_not_fit_is_refused() -> None:
    """The same Conv2D object added again after Dense(10) is one shared layer (as Keras
    counts it), applied to a flat vector of 10: Keras cannot build that, and cnncalc
    refuses it naming the layer; its input_shape= is its first use's, not a later layer's."""
    from cnncalc.calc.summary import summarize
    from cnncalc.dialects.resolve import resolve
    from cnncalc.errors import LayerError

    r = resolve(LAYER_OBJECT.format(extra="\nmodel.add(conv_layer)"), None, None)
    with pytest.raises(LayerError, match=r"layer 5 conv.*needs a CxHxW input but got the "
                                         r"flat vector 10"):
        summarize(r.nodes, r.shape, r.convention)


def test_a_sequential_of_layer_objects_only_is_read_as_keras() -> None:
    """The class of the layer object says the library: Keras' 'same' with stride 2 gives
    ⌈128/2⌉ = 64 (PyTorch refuses padding='same' with a stride); 3·3·3·32 + 32 = 896."""
    from cnncalc.calc.summary import summarize
    from cnncalc.dialects.resolve import resolve

    code = LAYER_OBJECT.format(extra="").replace("model.add(Flatten())\nmodel.add(Dense(10))", "")
    r = resolve(code, None, None)
    assert r.convention == "keras"
    s = summarize(r.nodes, r.shape, r.convention)
    assert s.total_params == 896 and tuple(s.output_shape) == (32, 64, 64)


DUPLICATE = """
from tensorflow import keras
from tensorflow.keras import layers
model = keras.Sequential([keras.Input(shape=(8,)), layers.Dense(4, activation="relu", name="d"),
                          layers.Dense(2, name={second!r})])
"""


def test_two_keras_layers_with_one_name_are_refused_as_keras_refuses_them() -> None:
    """Keras 3.15.1: "All layers added to a Sequential model should have unique names"; the
    activation row of Dense(4, activation="relu", name="d") is the same layer, not a second
    'd'. With distinct names: 8·4 + 4 + 4·2 + 2 = 46 parameters."""
    from cnncalc.calc.summary import summarize
    from cnncalc.dialects.resolve import resolve
    from cnncalc.dialects.values import CodeError

    with pytest.raises(CodeError, match="two Keras layers of model are named 'd'"):
        read_model(DUPLICATE.format(second="d"))
    r = resolve(DUPLICATE.format(second="e"), None, None)
    assert summarize(r.nodes, r.shape, r.convention).total_params == 46
