"""Keras' data-augmentation layers (RandomFlip, RandomRotation, RandomZoom,
RandomTranslation, RandomContrast, RandomBrightness): each changes values only, and only in
training, so at inference it passes its input on. They have no row, and the reading says so
for each; a Sequential of them applied to a tensor passes it on. Oracles: hand-derived
figures below, and real Keras 3 (count_params and output shape) where it imports
(KERAS_BACKEND=torch)."""

from __future__ import annotations

import os

import pytest

from cnncalc.calc.summary import summarize
from cnncalc.dialects.read import read_model
from cnncalc.dialects.resolve import resolve
from cnncalc.dialects.values import CodeError

from ..keras_oracle import real_keras

HEAD = "import keras\nfrom keras import layers\n"

MODEL = HEAD + """augment = keras.Sequential([
    layers.RandomFlip("horizontal"),
    layers.RandomRotation(0.1),
    layers.RandomZoom(0.2, fill_mode="nearest"),
    layers.RandomTranslation(0.1, 0.1),
    layers.RandomContrast(0.2),
    layers.RandomBrightness(0.2, value_range=(0, 1)),
])
inputs = keras.Input(shape=(32, 32, 3))
x = augment(inputs)
x = layers.Rescaling(1 / 255)(x)
x = layers.Conv2D(16, 3, activation="relu")(x)
x = layers.MaxPooling2D()(x)
x = layers.Flatten()(x)
outputs = layers.Dense(10)(x)
model = keras.Model(inputs, outputs)
"""


def test_augmentation_passes_the_input_on_with_no_row() -> None:
    # Conv2D(16, 3) on 32x32x3: 3·3·3·16 + 16 = 448 -> 30x30x16; pooling -> 15x15x16;
    # Flatten 3,600; Dense(10): 3,600·10 + 10 = 36,010. 36,458 in all.
    r = resolve(MODEL, None, None, None, "model")
    s = summarize(r.nodes, r.shape, r.convention)
    assert s.total_params == 448 + 36_010
    assert [r.kind for r in s.layers] == ["conv", "relu", "maxpool", "flatten", "fc"]
    assert s.layers[0].input_shape == (3, 32, 32)
    net = real_keras(MODEL)
    if net is not None:
        assert net.count_params() == s.total_params
        assert tuple(net.outputs[0].shape[1:]) == (10,)


def test_the_reading_says_each_has_no_row() -> None:
    notes = read_model(MODEL, "model").notes
    for line, cls in ((4, "RandomFlip"), (5, "RandomRotation"), (6, "RandomZoom"),
                      (7, "RandomTranslation"), (8, "RandomContrast"), (9, "RandomBrightness"),
                      (13, "Rescaling")):
        assert f"line {line}: {cls} changes no shape and holds no weights: it has no row" \
            in notes


def test_a_model_of_augmentation_alone_is_refused_in_one_line() -> None:
    with pytest.raises(CodeError) as info:
        read_model(MODEL, "augment")
    assert "the model augment (line 3) has no layers that change a shape or hold weights" \
        in str(info.value)


@pytest.mark.parametrize(("call", "needle"), [
    ("layers.RandomRotation()", "factor"),  # its factor is required, as in Keras
    ("layers.RandomRotation(factr=0.1)", "factr"),  # a misspelt keyword stops the code
    ("layers.RandomTranslation(0.1)", "width_factor"),
])
def test_a_call_keras_refuses_is_an_error_naming_it(call: str, needle: str) -> None:
    code = HEAD + f"model = keras.Sequential([keras.Input(shape=(8, 8, 1)), {call}, " \
        "layers.Flatten(), layers.Dense(2)])\n"
    with pytest.raises(CodeError) as info:
        read_model(code, "model")
    assert needle in str(info.value)
    if os.environ.get("KERAS_BACKEND") == "torch":  # Keras refuses the same call
        pytest.importorskip("keras")
        with pytest.raises(TypeError):
            exec(code, {})
