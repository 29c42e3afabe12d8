"""Keras' Average and Maximum merges (layers and functions) read as the mean[...] and
max[...] joins. Oracles: hand-derived figures, and real Keras 3 (count_params and output
shape) where it imports (KERAS_BACKEND=torch)."""

from __future__ import annotations

import pytest

import cnncalc

from ..keras_oracle import real_keras

# Two Conv2D(8, 3, same) on 28x28x1: 2·(3·3·1·8 + 8) = 160; merged 28x28x8 = 6,272 values;
# Dense(10): 6,272·10 + 10 = 62,730. 62,890 in all, output (10,).
CODE = """import keras
from keras import layers
inputs = keras.Input(shape=(28, 28, 1))
a = layers.Conv2D(8, 3, padding="same")(inputs)
b = layers.Conv2D(8, 3, padding="same")(inputs)
x = {merge}
x = layers.Flatten()(x)
model = keras.Model(inputs, layers.Dense(10)(x))
"""


@pytest.mark.parametrize(("merge", "kind"), [
    ("layers.Average()([a, b])", "mean"), ("layers.average([a, b])", "mean"),
    ("layers.Maximum()([a, b])", "max"), ("layers.maximum([a, b])", "max"),
])
def test_average_and_maximum_are_joins(merge: str, kind: str) -> None:
    code = CODE.format(merge=merge)
    s = cnncalc.summary(code)
    assert (s.total_params, s.output_shape) == (62_890, (10,))
    assert any(r.spec.startswith(f"{kind}[") for r in s.layers)
    net = real_keras(code)
    if net is not None:
        assert net.count_params() == 62_890


def test_subtract_is_still_refused_by_name() -> None:
    with pytest.raises(Exception, match="Subtract of tensors is not a join"):
        cnncalc.summary(CODE.format(merge="layers.Subtract()([a, b])"))
