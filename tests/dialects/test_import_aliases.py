"""Import aliases of the libraries (`import torch.nn as N`, `from keras import layers as L`,
`from torch.nn import Conv2d as C`) read as the usual names. Oracles: the module torch
builds from the same code, real Keras 3 where it imports, hand-derived figures, and Python
itself (the renamed code runs to the same model as the code as written)."""

from __future__ import annotations

import ast
from typing import Any

import pytest

import cnncalc
from cnncalc.dialects.aliases import canonical_imports
from cnncalc.errors import CnnCalcError

from ..keras_oracle import real_keras

torch = pytest.importorskip("torch")

from ..oracle import assert_reads_as_torch  # noqa: E402

# 1x28x28: conv 1·8·3·3 + 8 = 80 -> 8x26x26; fc 8·26·26·10 + 10 = 54,090. 54,170 in all.
SEQUENTIAL = """from torch.nn import Sequential as S, Conv2d as C, ReLU as R, Flatten, Linear as L
model = S(C(1, 8, 3), R(), Flatten(), L(8 * 26 * 26, 10))
"""
# The same net as a class, through three kinds of alias of torch.nn and its functional module
CLASS = """import torch
{nn_import}
{f_import}


class Net({nn}.Module):
    def __init__(self):
        super().__init__()
        self.conv = {nn}.Conv2d(1, 8, 3)
        self.fc = {nn}.Linear(8 * 26 * 26, 10)

    def forward(self, x):
        x = {f}.relu(self.conv(x))
        return self.fc(torch.flatten(x, 1))


model = Net()
"""
CLASSES = [
    {"nn_import": "import torch.nn as N", "f_import": "import torch.nn.functional as Fn",
     "nn": "N", "f": "Fn"},
    {"nn_import": "from torch import nn as tnn", "f_import": "from torch.nn import "
     "functional as fun", "nn": "tnn", "f": "fun"},
    {"nn_import": "import torch.nn as nn", "f_import": "from torch.nn import functional as G",
     "nn": "nn", "f": "G"},
]


def _run(code: str, var: str = "model") -> Any:
    namespace: dict[str, Any] = {}
    exec(code, namespace)  # the oracle side: the module torch builds from the code
    return namespace[var]


@pytest.mark.parametrize("code", [SEQUENTIAL, *(CLASS.format(**c) for c in CLASSES)])
def test_torch_aliases_read_as_torch_builds_them(code: str) -> None:
    s = cnncalc.summary(code, input_size="1x28x28")
    assert (s.total_params, s.output_shape) == (54_170, (10,))
    assert_reads_as_torch(code, None, "1x28x28", _run(code))


@pytest.mark.parametrize("code", [SEQUENTIAL, *(CLASS.format(**c) for c in CLASSES)])
def test_the_renamed_code_runs_to_the_same_model(code: str) -> None:
    """Python is the oracle for the renaming itself: run as renamed, the code builds a
    model with the same parameters, in the same order and shapes, as run as written."""
    renamed = ast.unparse(canonical_imports(ast.parse(code)))
    assert renamed != code
    shapes = [[tuple(p.shape) for p in _run(c).parameters()] for c in (code, renamed)]
    assert shapes[0] == shapes[1]


# 28x28x1: Conv2D(8, 3) = 3·3·1·8 + 8 = 80 -> 26x26x8; Dense(10) on 5,408 = 54,090.
KERAS = [
    """import keras
from keras import layers as L
model = keras.Sequential([keras.Input(shape=(28, 28, 1)), L.Conv2D(8, 3), L.Flatten(),
                          L.Dense(10)])
""",
    """import keras.layers as KL
from keras.models import Sequential as Seq
model = Seq([KL.Input(shape=(28, 28, 1)), KL.Conv2D(8, 3), KL.Flatten(), KL.Dense(10)])
""",
    """import keras as K
from keras.layers import Conv2D as Conv, Dense as D
inputs = K.Input(shape=(28, 28, 1))
x = K.layers.Flatten()(Conv(8, 3)(inputs))
model = K.Model(inputs, D(10)(x))
""",
]


@pytest.mark.parametrize("code", KERAS)
def test_keras_aliases_read_as_keras_builds_them(code: str) -> None:
    s = cnncalc.summary(code)
    assert (s.total_params, s.output_shape) == (54_170, (10,))
    net = real_keras(code)
    if net is not None:
        assert net.count_params() == 54_170


# Where renaming would change what the code means, nothing is renamed, and the reader
# refuses the alias it cannot follow, as before
LEFT = {
    "the alias is assigned again": """import torch.nn as N
N = None
model = N.Sequential(N.Linear(4, 2))
""",
    "the usual name is the code's own variable": """import keras
from keras import layers as L
layers = [L.Dense(3)]
model = keras.Sequential([keras.Input(shape=(4,)), *layers])
""",
    "the usual name is used without an import": """import torch.nn as N
model = nn.Sequential(N.Linear(4, 2))
""",
    "a function's argument has the alias's name": """import torch.nn as N
def make(N):
    return N
model = make(3)
""",
    "an import * could bind any name": """from helpers import *
import torch.nn as N
model = N.Sequential(N.Linear(4, 2))
""",
    "two classes would take one name": """from torch.nn import Sequential as TS
from keras.models import Sequential as KS
model = TS()
""",
}


@pytest.mark.parametrize("why", list(LEFT))
def test_an_alias_is_left_as_written_where_renaming_could_change_the_code(why: str) -> None:
    code = LEFT[why]
    assert ast.unparse(canonical_imports(ast.parse(code))) == ast.unparse(ast.parse(code))


def test_a_rebound_alias_is_still_refused_not_misread() -> None:
    code = """import torch.nn as N
N = None
model = N.Sequential(N.Linear(4, 2))
"""
    with pytest.raises(CnnCalcError):
        cnncalc.summary(code, input_size="4")
