"""A layer call its class's signature refuses stops the code when it runs (TypeError), so it
is an error naming its line even where the layer's value never reaches the model: reading
on would give figures for a file that cannot build any model.

Oracle: Python and the libraries' own signatures: `Conv2D(fillters=32)` raises TypeError
("missing 1 required positional argument: 'filters'"), `nn.Conv2d(1, 8, 3, paddin=1)`
raises TypeError ("unexpected keyword argument 'paddin'")."""

from __future__ import annotations

import pytest

from cnncalc.dialects.read import read_model
from cnncalc.dialects.values import CodeError

DEAD_KERAS = """
from tensorflow import keras
from tensorflow.keras import layers
xs = keras.Input([32, 32, 32])
out = layers.Conv2D(fillters=32, kernel_size=[2, 2], padding="SAME")(xs)
out = layers.BatchNormalization()(xs)
out = layers.Flatten()(out)
model = keras.Model(inputs=xs, outputs=layers.Dense(10)(out))
"""

UNUSED_OBJECT = """
from tensorflow import keras
from tensorflow.keras import layers
inputs = keras.Input(shape=(28, 28, 1))
spare = layers.Conv2D(filter=8, kernel_size=3)
model = keras.Model(inputs, layers.Dense(10)(layers.Flatten()(inputs)))
"""

DEAD_TORCH = """
import torch.nn as nn
spare = nn.Conv2d(1, 8, 3, paddin=1)
model = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
"""


@pytest.mark.parametrize(("code", "needle"), [
    (DEAD_KERAS, "line 5: Conv2D has no argument 'fillters'; did you mean 'filters'?"),
    (UNUSED_OBJECT, "line 5: Conv2D has no argument 'filter'; did you mean 'filters'?"),
    (DEAD_TORCH, "line 3: Conv2d has no argument 'paddin'; did you mean 'padding'?"),
])
def test_a_refused_signature_is_an_error_where_the_value_is_dead(code: str,
                                                                  needle: str) -> None:
    with pytest.raises(CodeError) as e:
        read_model(code)
    assert needle in str(e.value)


def test_the_same_file_fixed_reads() -> None:
    """With the Conv2D line removed the file runs. BatchNormalization on 32 channels: gamma
    and beta trainable (64), moving mean and variance not (64). Dense(10) on 32·32·32 =
    32,768 values: 32,768·10 + 10 = 327,690. Trainable 327,690 + 64 = 327,754."""
    import cnncalc

    fixed = DEAD_KERAS.replace(
        'out = layers.Conv2D(fillters=32, kernel_size=[2, 2], padding="SAME")(xs)\n', "")
    s = cnncalc.summary(fixed)
    assert (s.trainable_params, s.non_trainable_params) == (327_754, 64)
