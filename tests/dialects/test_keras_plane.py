"""A Keras input given as (height, width), with no channel axis: read as one channel where
every layer on it until a flatten is layout-agnostic (Dropout, an activation), as
`Flatten(input_shape=(28, 28))` already reads; refused, naming the layer, where a layer
would take it as a rank-2 tensor (Dense, Conv1D, softmax) or where it reaches the output.

Oracles: figures derived by hand in the comments, and real Keras 3 on the torch backend
where it imports (KERAS_BACKEND=torch): its count_params() and output shape.
"""

from __future__ import annotations

from typing import Any

import pytest

from cnncalc.calc.summary import summarize
from cnncalc.dialects.resolve import resolve
from cnncalc.dialects.values import CodeError

from ..keras_oracle import real_keras

HEAD = "import keras\nfrom keras import layers\n"

# Each reads 28·28 = 784 values; Dense(10) on them: (784 + 1)·10 = 7,850.
READ = {
    "functional, Dropout then Flatten": (HEAD + """inputs = keras.Input(shape=(28, 28))
x = layers.Dropout(0.2)(inputs)
x = layers.Flatten()(x)
outputs = layers.Dense(10)(x)
model = keras.Model(inputs, outputs)
""", 7_850, (10,)),
    # Dense(300, relu): (784 + 1)·300 = 235,500; Dense(10): (300 + 1)·10 = 3,010.
    "Sequential with keras.Input": (HEAD + """model = keras.Sequential([
    keras.Input(shape=(28, 28)), layers.Flatten(), layers.Dense(300, activation="relu"),
    layers.Dense(10)])
""", 238_510, (10,)),
    "Sequential, input_shape on a Dropout": (HEAD + """model = keras.Sequential([
    layers.Dropout(0.1, input_shape=(28, 28)), layers.Activation("relu"), layers.Flatten(),
    layers.Dense(10)])
""", 7_850, (10,)),
    "model.add(InputLayer)": (HEAD + """model = keras.Sequential()
model.add(layers.InputLayer(shape=(28, 28)))
model.add(layers.Flatten())
model.add(layers.Dense(10))
""", 7_850, (10,)),
    # Two flattened branches joined: 784 + 784 = 1,568 features; (1,568 + 1)·10 = 15,690.
    "two branches, each flattened": (HEAD + """inputs = keras.Input(shape=(28, 28))
a = layers.Flatten()(inputs)
b = layers.Flatten()(layers.Activation("tanh")(inputs))
x = layers.concatenate([a, b])
outputs = layers.Dense(10)(x)
model = keras.Model(inputs, outputs)
""", 15_690, (10,)),
}


def _read(code: str) -> Any:
    r = resolve(code, None, None, None)
    return summarize(r.nodes, r.shape, r.convention, 1, r.spec)


@pytest.mark.parametrize("name", list(READ))
def test_an_input_without_channels_reads_where_it_is_flattened(name: str) -> None:
    code, params, out = READ[name]
    s = _read(code)
    assert (s.total_params, s.output_shape) == (params, out)
    assert s.input_shape == (1, 28, 28)  # one channel, as Flatten(input_shape=(28, 28))
    net = real_keras(code)
    if net is not None:
        assert net.count_params() == params
        assert tuple(net.outputs[0].shape[1:]) == out


# (code, the line named: the input's, the layer named)
REFUSED = {
    # Keras: Dense on (None, 28, 28) gives (None, 28, 64), 28 rows of 64.
    "Dense on the rows": (HEAD + """inputs = keras.Input(shape=(28, 28))
x = layers.Dropout(0.2)(inputs)
x = layers.Dense(64)(x)
outputs = layers.Dense(10)(layers.Flatten()(x))
model = keras.Model(inputs, outputs)
""", 3, "layer Dense(64) takes it as a rank-2 tensor"),
    "Dense first in a Sequential": (HEAD + """model = keras.Sequential([
    layers.Dense(10, input_shape=(28, 28))])
""", 4, "layer Dense(10, input_shape=(28, 28)) takes it as a rank-2 tensor"),
    "softmax works along an axis": (HEAD + """model = keras.Sequential([
    keras.Input(shape=(28, 28)), layers.Softmax(), layers.Flatten()])
""", 4, "takes it as a rank-2 tensor"),
    "a join before the flatten": (HEAD + """inputs = keras.Input(shape=(28, 28))
x = layers.add([inputs, layers.Activation("relu")(inputs)])
outputs = layers.Dense(10)(layers.Flatten()(x))
model = keras.Model(inputs, outputs)
""", 3, "the block"),
    "the output still rank 2": (HEAD + """inputs = keras.Input(shape=(28, 28))
outputs = layers.Dropout(0.2)(inputs)
model = keras.Model(inputs, outputs)
""", 3, "the model's output takes it as a rank-2 tensor"),
}


@pytest.mark.parametrize("name", list(REFUSED))
def test_a_layer_that_takes_the_rank_2_input_is_refused_naming_it(name: str) -> None:
    code, line, needle = REFUSED[name]
    with pytest.raises(CodeError) as e:
        _read(code)
    message = e.value.message
    assert message.startswith(f"line {line}: the input 28x28 has no channel axis"), message
    assert needle in message and "\n" not in message
    assert "shape=(28, 28, 1)" in (e.value.hint or "")
