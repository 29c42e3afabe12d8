"""Keras' Reshape: the target (H, W, C) or (N,), one -1 at most, read as cnncalc's (C, H, W).
Oracles: hand-derived figures below, and real Keras 3 (count_params and output shape) where
it imports (KERAS_BACKEND=torch)."""

from __future__ import annotations

import pytest

import cnncalc
from cnncalc.dialects.read import read_model
from cnncalc.dialects.values import CodeError

from ..keras_oracle import real_keras

HEAD = "import keras\nfrom keras import layers\n"

READ = {
    # DCGAN-style generator: Dense(7·7·64) on 100 = 100·3136 + 3136 = 316,736; Reshape to
    # 7x7x64; Conv2DTranspose(32, 3, s=2, same) = 3·3·64·32 + 32 = 18,464 -> 14x14x32;
    # Conv2D(1, 3, same) = 3·3·32 + 1 = 289 -> 14x14x1. 335,489 in all.
    "generator": (HEAD + """model = keras.Sequential([
    keras.Input(shape=(100,)),
    layers.Dense(7 * 7 * 64),
    layers.Reshape((7, 7, 64)),
    layers.Conv2DTranspose(32, 3, strides=2, padding="same"),
    layers.Conv2D(1, 3, padding="same"),
])
""", 335_489, (14, 14, 1)),
    # A size worked out: Reshape((7, 7, -1)) of 3,136 values is 7x7x64, as above.
    "minus one": (HEAD + """model = keras.Sequential([
    keras.Input(shape=(100,)),
    layers.Dense(3136),
    layers.Reshape((7, 7, -1)),
    layers.Conv2D(8, 3),
])
""", 316_736 + 3 * 3 * 64 * 8 + 8, (5, 5, 8)),
    # A rank-2 input given its channel: (28, 28) -> (28, 28, 1); Conv2D(8, 3) = 80 ->
    # 26x26x8; Flatten 5,408; Dense(10) = 54,090. 54,170 in all.
    "channel added": (HEAD + """inputs = keras.Input(shape=(28, 28))
x = layers.Reshape((28, 28, 1))(inputs)
x = layers.Conv2D(8, 3)(x)
x = layers.Flatten()(x)
model = keras.Model(inputs, layers.Dense(10)(x))
""", 54_170, (10,)),
}


@pytest.mark.parametrize("name", list(READ))
def test_reshape_reads_as_keras_builds_it(name: str) -> None:
    code, params, out = READ[name]
    s = cnncalc.summary(code)
    assert s.total_params == params
    channels_last = (s.output_shape[1], s.output_shape[2], s.output_shape[0]) \
        if len(s.output_shape) == 3 else s.output_shape
    assert channels_last == out
    net = real_keras(code)
    if net is not None:
        assert net.count_params() == params
        assert tuple(net.outputs[0].shape[1:]) == out


@pytest.mark.parametrize(("target", "needle"), [
    ("(56, 56)", "gives a tensor of rank 2"),
    ("(-1, -1, 4)", "has more than one -1"),
    ("(2, 2, 2, 98)", "cnncalc follows (height, width, channels) maps and flat vectors"),
    ("(0, 3136)", "must be at least 1"),
    ("(7, 7, 65)", "cannot be reshaped"),
])
def test_a_reshape_cnncalc_cannot_follow_is_refused(target: str, needle: str) -> None:
    code = HEAD + ("model = keras.Sequential([keras.Input(shape=(3136,)), "
                   f"layers.Reshape({target}), layers.Flatten()])\n")
    with pytest.raises(Exception) as e:
        cnncalc.summary(code)
    assert needle in str(e.value)
    if "cannot be reshaped" not in needle:
        with pytest.raises(CodeError):
            read_model(code)
