"""A Keras input of shape (height, width) among several inputs is refused, naming its line:
its layout (rank 2) is read only for a model with that one input, where the model flattens
it first."""

from __future__ import annotations

import pytest

import cnncalc
from cnncalc.dialects.read import read_model
from cnncalc.dialects.values import CodeError

TWO = """
from tensorflow import keras
from tensorflow.keras import layers
image = keras.Input(shape=(28, 28), name="image")
extra = keras.Input(shape=(10,), name="extra")
x = layers.concatenate([layers.Flatten()(image), extra])
model = keras.Model([image, extra], layers.Dense(2)(x))
"""


def test_a_plane_input_among_several_is_refused() -> None:
    with pytest.raises(CodeError) as e:
        read_model(TWO)
    assert "line 4: an input of shape (height, width) in a model with several inputs" in \
        str(e.value)


def test_with_its_channel_it_reads() -> None:
    # Flatten 28·28·1 = 784, with 10 more: 794 features; Dense(2): 794·2 + 2 = 1,590.
    s = cnncalc.summary(TWO.replace("shape=(28, 28)", "shape=(28, 28, 1)"))
    assert s.total_params == 1_590


def test_one_plane_input_still_reads() -> None:
    one = ("from tensorflow import keras\nfrom tensorflow.keras import layers\n"
           "inputs = keras.Input(shape=(28, 28))\n"
           "model = keras.Model(inputs, layers.Dense(10)(layers.Flatten()(inputs)))\n")
    assert cnncalc.summary(one).total_params == 784 * 10 + 10
