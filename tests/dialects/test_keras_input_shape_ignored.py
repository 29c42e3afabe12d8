"""Keras uses input_shape= on a Sequential's first layer only and ignores it elsewhere (a
later layer, a layer of the functional API). The reader does the same and says so.

Oracle: hand-derived figures, and real Keras 3 where it imports (KERAS_BACKEND=torch)."""

from __future__ import annotations

import pytest

import cnncalc
from cnncalc.dialects.read import read_model

from ..keras_oracle import real_keras

# Conv2D(16, 3) on 30x30x1: 160 -> 28x28x16; MaxPooling2D(3): 9x9x16; Dense(30) on each of
# the 9x9 positions (its input_shape=(30,) ignored): 16·30 + 30 = 510 -> 9x9x30. 670.
SEQUENTIAL = """import keras
from keras import layers
model = keras.Sequential()
model.add(layers.Conv2D(16, (3, 3), activation="relu", input_shape=(30, 30, 1)))
model.add(layers.MaxPooling2D(pool_size=(3, 3)))
model.add(layers.Dense(30, input_shape=(30,), activation="relu"))
"""

# The Input decides: Dense(8) on 12 features = 104, its input_shape=(99,) ignored.
FUNCTIONAL = """import keras
from keras import layers
inputs = keras.Input(shape=(12,))
outputs = layers.Dense(8, input_shape=(99,))(inputs)
model = keras.Model(inputs, outputs)
"""


@pytest.mark.parametrize(("code", "params", "out", "line"), [
    (SEQUENTIAL, 670, (9, 9, 30), 6), (FUNCTIONAL, 104, (8,), 4),
])
def test_input_shape_on_a_later_layer_is_ignored_as_keras_does(
        code: str, params: int, out: tuple[int, ...], line: int) -> None:
    s = cnncalc.summary(code)
    shape = (s.output_shape[1], s.output_shape[2], s.output_shape[0]) \
        if len(s.output_shape) == 3 else s.output_shape
    assert (s.total_params, shape) == (params, out)
    notes = read_model(code).notes
    assert f"line {line}: input_shape= on Dense is ignored, as Keras ignores it on any layer " \
        "but a Sequential's first" in notes, notes
    net = real_keras(code)
    if net is not None:
        assert net.count_params() == params
        assert tuple(net.outputs[0].shape[1:]) == out


def test_the_first_layers_input_shape_is_used_and_not_noted() -> None:
    first = SEQUENTIAL.replace(', input_shape=(30,)', '')
    assert read_model(first).notes == ()
