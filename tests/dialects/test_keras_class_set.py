"""--set gives a subclassed keras.Model's constructor arguments, as it does a torch
module's: one the layers use sizes them, one the code only stores is accepted, and a
misspelt one is refused with a suggestion that is another name.

Oracle: hand-derived figures, and real Keras 3 where it imports (KERAS_BACKEND=torch)."""

from __future__ import annotations

import pytest

import cnncalc
from cnncalc.errors import UsageError

from ..keras_oracle import real_keras

CODE = """import keras
from keras import layers


class MyModel(keras.Model):
    def __init__(self, n_inputs, n_classes):
        super().__init__()
        self.n_inputs = n_inputs
        self.flatten = layers.Flatten()
        self.d1 = layers.Dense(16, activation="relu")
        self.d2 = layers.Dense(n_classes)

    def call(self, x):
        return self.d2(self.d1(self.flatten(x)))


model = MyModel(784, 10)
model.build((None, 28, 28, 1))
"""


@pytest.mark.parametrize(("classes", "values"), [
    (10, None),  # the code's own call: MyModel(784, 10)
    (5, {"n_classes": 5}),  # --set replaces what the code passes
    (10, {"n_inputs": 100}),  # stored, never used by a layer: accepted, changes nothing
])
def test_set_gives_a_keras_constructor_argument(classes: int, values: dict[str, int] | None
                                                ) -> None:
    # Flatten 784; Dense(16): 784·16 + 16 = 12,560; Dense(classes): 16·classes + classes.
    s = cnncalc.summary(CODE, values=values)
    assert (s.total_params, s.output_shape) == (12_560 + 17 * classes, (classes,))
    net = real_keras(CODE.replace("MyModel(784, 10)", f"MyModel(784, {classes})")) \
        if values and "n_classes" in values else None
    if net is not None:
        import numpy as np

        out = net(np.zeros((1, 28, 28, 1), dtype="float32"))  # builds every layer it calls
        assert net.count_params() == 12_560 + 17 * classes
        assert tuple(out.shape[1:]) == (classes,)


def test_a_misspelt_keras_argument_is_refused_naming_another_name() -> None:
    with pytest.raises(UsageError) as e:
        cnncalc.summary(CODE, values={"n_input": 100})
    assert "the model's code never reads n_input; did you mean 'n_inputs'?" in str(e.value)
