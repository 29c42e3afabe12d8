"""Keras' own aliases read as their classes: Convolution2D is Conv2D, and so on. Oracle:
hand-derived figures, and real Keras 3 (which has these aliases) where it imports."""

from __future__ import annotations

import pytest

import cnncalc

from ..keras_oracle import real_keras

# On 28x28x3: Conv2D(8, 3) = 3·3·3·8 + 8 = 224 -> 26x26x8; Conv2DTranspose(4, 3, s=2) =
# 3·3·8·4 + 4 = 292 -> 53x53x4 ((26 - 1)·2 + 3); SeparableConv2D(2, 3): depthwise 3·3·4 = 36
# and pointwise 4·2 + 2 = 10 -> 51x51x2. 562 in all.
CODE = """import keras
from keras import layers
model = keras.Sequential([
    keras.Input(shape=(28, 28, 3)),
    layers.{conv}(8, 3),
    layers.{convt}(4, 3, strides=2),
    layers.{sep}(2, 3),
])
"""


@pytest.mark.parametrize("names", [
    ("Conv2D", "Conv2DTranspose", "SeparableConv2D"),
    ("Convolution2D", "Convolution2DTranspose", "SeparableConvolution2D"),
])
def test_aliases_read_as_their_classes(names: tuple[str, str, str]) -> None:
    code = CODE.format(conv=names[0], convt=names[1], sep=names[2])
    s = cnncalc.summary(code)
    assert (s.total_params, s.output_shape) == (562, (2, 51, 51))
    net = real_keras(code)
    if net is not None:
        assert net.count_params() == 562
        assert tuple(net.outputs[0].shape[1:]) == (51, 51, 2)
