"""`if K.image_data_format() == 'channels_first':` (the Keras examples' MNIST convnet) reads
the layout as Keras' default, 'channels_last', and the reading says so beside the figures.

Oracle: hand-derived figures and real Keras 3 (its default layout is channels_last) where it
imports (KERAS_BACKEND=torch)."""

from __future__ import annotations

import pytest

import cnncalc
from cnncalc.dialects.read import read_model

from ..keras_oracle import real_keras

# Conv2D(32, 3) on 28x28x1: 3·3·1·32 + 32 = 320 -> 26x26x32; Flatten 21,632; Dense(10):
# 216,330. 216,650 in all. Read channels-first, the input would be 28 channels of 28x1.
CODE = """import keras
from keras import layers
from keras import backend as K
img_rows, img_cols = 28, 28
if {ask} == "channels_first":
    input_shape = (1, img_rows, img_cols)
else:
    input_shape = (img_rows, img_cols, 1)
model = keras.Sequential()
model.add(layers.Conv2D(32, kernel_size=(3, 3), activation="relu", input_shape=input_shape))
model.add(layers.Flatten())
model.add(layers.Dense(10))
"""


@pytest.mark.parametrize("ask", ["K.image_data_format()", "keras.backend.image_data_format()",
                                 "keras.config.image_data_format()"])
def test_the_layout_asked_of_keras_is_its_default_and_said(ask: str) -> None:
    code = CODE.format(ask=ask)
    s = cnncalc.summary(code)
    assert (s.total_params, s.input_shape) == (216_650, (1, 28, 28))
    notes = read_model(code).notes
    assert any(n.startswith("line 5 asks Keras for its image layout: read as "
                            "'channels_last'") for n in notes), notes
    net = real_keras(code)
    if net is not None:
        assert net.count_params() == 216_650


def test_a_layout_function_of_the_file_is_not_taken_for_keras() -> None:
    code = CODE.format(ask="image_data_format()").replace(
        "img_rows, img_cols", "def image_data_format():\n    return 'channels_last'\n\n\n"
        "img_rows, img_cols", 1)
    assert cnncalc.summary(code).total_params == 216_650
