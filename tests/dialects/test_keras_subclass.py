"""Subclassed keras.Model (layers in __init__, data flow in call()) and functional models
with several inputs or outputs.

The oracle is hand-derived figures, with the derivation beside each; every figure was
checked against Keras 3.15.1 (KERAS_BACKEND=torch, `model(x)` then `count_params()`). The
last test repeats that check where keras is installed.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from cnncalc.calc.summary import Summary, summarize
from cnncalc.dialects.resolve import resolve
from cnncalc.dialects.values import CodeError

HEAD = "import keras\nfrom keras import layers\n\n"

RESIDUAL = HEAD + '''class Block(keras.Model):
    def __init__(self, filters=16, **kwargs):
        super().__init__(**kwargs)
        self.c1 = layers.Conv2D(filters, 3, padding="same", activation="relu")
        self.c2 = layers.Conv2D(filters, 3, padding="same")
        self.proj = layers.Conv2D(filters, 1)
        self.pool = layers.GlobalAveragePooling2D()
        self.drop = layers.Dropout(0.5)
        self.out = layers.Dense(10, activation="softmax")

    def call(self, inputs, training=False):
        x = self.c1(inputs)
        x = self.c2(x)
        x = layers.add([x, self.proj(inputs)])
        x = self.pool(x)
        if training:
            x = self.drop(x, training=training)
        return self.out(x)
'''
# 32x32x3 in. c1: (3·3·3 + 1)·16 = 448; c2: (3·3·16 + 1)·16 = 2,320; proj: (3 + 1)·16 = 64;
# out: (16 + 1)·10 = 170. Total 3,002; output 10. Dropout is skipped (training is False).

NESTED = HEAD + '''class Net(keras.Model):
    def __init__(self, num_classes=10):
        super().__init__()
        self.features = keras.Sequential([layers.Conv2D(8, 3, activation="relu"),
                                          layers.MaxPooling2D()])
        self.bn = layers.BatchNormalization()
        self.flatten = layers.Flatten()
        self.fc = layers.Dense(num_classes)

    def call(self, x, training=None):
        x = self.features(x)
        x = self.bn(x, training=training)
        return self.fc(self.flatten(x))

model = Net()
model.build((None, 28, 28, 1))
'''
# 28x28x1 in. conv: (3·3·1 + 1)·8 = 80 -> 26x26x8; max pool -> 13x13x8; batch norm: gamma
# and beta 2·8 = 16 trainable, moving mean and variance 16 not; flatten 13·13·8 = 1,352;
# fc: (1,352 + 1)·10 = 13,530. Trainable 80 + 16 + 13,530 = 13,626; total 13,642.

# The same with the argument the file builds it with: fc (1,352 + 1)·5 = 6,765, so
# trainable 80 + 16 + 6,765 = 6,861.
NESTED_5 = NESTED.replace("model = Net()", "model = Net(num_classes=5)")

CASES = [("residual", RESIDUAL, "Block", "32x32x3", 3_002, 0, (10,)),
         ("nested", NESTED, "Net", "28x28x1", 13_626, 16, (10,)),
         ("nested-built-with-5", NESTED_5, "Net", "28x28x1", 6_861, 16, (5,))]


def _read(code: str, shape: str) -> Summary:
    r = resolve(code, None, shape, "keras")
    return summarize(r.nodes, r.shape, r.convention, 1, r.spec)


@pytest.mark.parametrize(("name", "code", "cls", "shape", "trainable", "frozen", "out"), CASES,
                         ids=[c[0] for c in CASES])
def test_subclassed_models_match_hand_derived_counts(name: str, code: str, cls: str,
                                                     shape: str, trainable: int, frozen: int,
                                                     out: tuple[int, ...]) -> None:
    s = _read(code, shape)
    assert (s.trainable_params, s.non_trainable_params) == (trainable, frozen)
    assert s.output_shape == out


def test_the_residual_lands_where_call_adds_it() -> None:
    """layers.add([c2(c1(x)), proj(x)]): a residual whose shortcut is the 1x1 projection;
    GlobalAveragePooling2D is a 1x1 pool and a flatten, as Keras gives (None, 16)."""
    s = _read(RESIDUAL, "32x32x3")
    assert [(r.kind, r.output_shape) for r in s.layers] == [
        ("residual", (16, 32, 32)), ("gap", (16, 1, 1)), ("flatten", (16,)), ("fc", (10,)),
        ("softmax", (10,))]
    assert [r.kind for r in s.layers[0].shortcut] == ["conv"]


def _class(init: str, call: str, tail: str = "") -> str:
    return HEAD + "class Net(keras.Model):\n    def __init__(self):\n" \
        "        super().__init__()\n" + "".join(f"        {x}\n" for x in init.split("\n")) + \
        "    def call(self, x):\n" + "".join(f"        {x}\n" for x in call.split("\n")) + tail


# HEAD is 3 lines: class on 4, __init__ on 5, its first line on 7.
REFUSED = [
    (_class("self.c = layers.Conv2D(8, 3)", "y = self.c(x)\nreturn (y,)"), 10,
     "returns (y,); cnncalc reads several outputs from one return of two or more"),
    (_class("self.c = layers.Conv2D(8, 3)\nself.d = layers.Conv2D(4, 1)",
            "y = self.c(x)\nif True:\n    return y, self.d(y)\nreturn y"), 12,
     "at the end of call()"),
    (_class("self.c = layers.Conv2D(8, 3)", "y = self.c(x)\nreturn {'a': y, 'b': x}"), 10,
     "returns a dict"),
    (_class("self.c = layers.Conv2D(8, 3)", "return self.c(x)", "a = Net()\nb = Net(5)\n"),
     11, "Net is built with different arguments"),
    (_class("self.c = layers.Conv2D(8, 3)", "print(self)\nreturn self.c(x)"), 9,
     "self is used in the Keras model other than as self.name"),
    (_class("self.c = layers.Conv2D(8, 3)\nself.c.trainable = False", "return self.c(x)"), 8,
     "changes"),
    # Keras builds every layer call() applies and counts its weights (checked: Keras 3.15.1
    # counts 72 for two Dense(4) on 8 features, the unused one included); refused, never 36.
    (_class("self.c = layers.Dense(4)\nself.d = layers.Dense(4)", "y = self.d(x)\n"
            "return self.c(x)"), 10, "y is computed in call() but never reaches its output"),
    (HEAD + "class Net(keras.Model):\n    def __init__(self):\n        super().__init__()\n"
     "    def helper(self, x):\n        return x\n    def call(self, x):\n        return x\n",
     7, "the method helper() of a Keras model is not read yet"),
    (HEAD + "a = keras.Input(shape=(8, 8, 3))\nb = keras.Input(shape=(8, 8, 3))\n"
     "model = keras.Model([a, b], layers.Conv2D(4, 3)(a))\n", 6,
     "the model's input keras.Input on line 5 never reaches its output"),
]


@pytest.mark.parametrize(("code", "line", "needle"), REFUSED, ids=[r[2][:30] for r in REFUSED])
def test_what_cannot_be_read_is_refused_naming_the_line(code: str, line: int,
                                                        needle: str) -> None:
    with pytest.raises(CodeError) as e:
        _read(code, "8x8x3")
    assert e.value.message.startswith(f"line {line}: "), e.value.message
    assert needle in e.value.message and "\n" not in e.value.message


@pytest.mark.skipif(os.environ.get("KERAS_BACKEND") != "torch",
                    reason="Keras is checked on the torch backend (KERAS_BACKEND=torch)")
@pytest.mark.parametrize(("name", "code", "cls", "shape", "trainable", "frozen", "out"), CASES,
                         ids=[c[0] for c in CASES])
def test_keras_counts_the_same(name: str, code: str, cls: str, shape: str, trainable: int,
                               frozen: int, out: tuple[int, ...]) -> None:
    keras = pytest.importorskip("keras")
    import numpy as np

    namespace: dict[str, Any] = {}
    exec(code, namespace)  # the oracle side builds the real Keras model
    net = namespace.get("model") or namespace[cls]()  # as the file builds it
    h, w, c = (int(v) for v in shape.split("x"))
    y = net(np.zeros((1, h, w, c), dtype="float32"))
    assert net.count_params() == trainable + frozen
    assert tuple(y.shape[1:]) == out
    assert keras.__version__


# A VAE encoder whose call() returns two tensors, as Deep Learning with Python's encoder
# does with the functional API. 28x28x1 in. Conv2D(32, 3, strides=2, same): (9 + 1)·32 =
# 320 -> 14x14x32; Conv2D(64, 3, strides=2, same): (9·32 + 1)·64 = 18,496 -> 7x7x64;
# flatten 3,136; Dense(16): (3,136 + 1)·16 = 50,192; each head Dense(2): (16 + 1)·2 = 34.
# Total 69,076; outputs z_mean and z_log_var, 2 each (their layers' name=).
ENCODER = HEAD + '''class Encoder(keras.Model):
    def __init__(self, latent_dim=2):
        super().__init__()
        self.c1 = layers.Conv2D(32, 3, strides=2, padding="same", activation="relu")
        self.c2 = layers.Conv2D(64, 3, strides=2, padding="same", activation="relu")
        self.flatten = layers.Flatten()
        self.dense = layers.Dense(16, activation="relu")
        self.z_mean = layers.Dense(latent_dim, name="z_mean")
        self.z_log_var = layers.Dense(latent_dim, name="z_log_var")

    def call(self, inputs):
        x = self.c2(self.c1(inputs))
        x = self.dense(self.flatten(x))
        return self.z_mean(x), self.z_log_var(x)
'''

# A classifier with an auxiliary head on its features, returned first: 8x8x3 in.
# Conv2D(8, 3): (27 + 1)·8 = 224 -> 6x6x8; aux: GAP then Dense(4): (8 + 1)·4 = 36; main:
# Conv2D(16, 3): (72 + 1)·16 = 1,168 -> 4x4x16, GAP, Dense(10): (16 + 1)·10 = 170.
# Total 224 + 36 + 1,168 + 170 = 1,598; outputs output_0 (4) and output_1 (10), unnamed.
AUX = HEAD + '''class Net(keras.Model):
    def __init__(self):
        super().__init__()
        self.c1 = layers.Conv2D(8, 3)
        self.c2 = layers.Conv2D(16, 3)
        self.pool = layers.GlobalAveragePooling2D()
        self.aux = layers.Dense(4)
        self.head = layers.Dense(10)

    def call(self, x):
        f = self.c1(x)
        aux = self.aux(self.pool(f))
        return [aux, self.head(self.pool(self.c2(f)))]
'''

SEVERAL = [("encoder", ENCODER, "Encoder", "28x28x1", 69_076,
            [("z_mean", (2,)), ("z_log_var", (2,))]),
           ("aux", AUX, "Net", "8x8x3", 1_598, [("output_0", (4,)), ("output_1", (10,))])]


@pytest.mark.parametrize(("name", "code", "cls", "shape", "params", "outs"), SEVERAL,
                         ids=[c[0] for c in SEVERAL])
def test_a_call_returning_a_tuple_has_several_outputs(
        name: str, code: str, cls: str, shape: str, params: int,
        outs: list[tuple[str, tuple[int, ...]]]) -> None:
    s = _read(code, shape)
    assert s.total_params == params
    assert list(s.outputs) == outs
    if os.environ.get("KERAS_BACKEND") == "torch":
        pytest.importorskip("keras")
        import numpy as np

        namespace: dict[str, Any] = {}
        exec(code, namespace)  # the oracle side builds the real Keras model
        net = namespace[cls]()
        h, w, c = (int(v) for v in shape.split("x"))
        got = net(np.zeros((1, h, w, c), dtype="float32"))
        assert net.count_params() == params
        assert [tuple(y.shape[1:]) for y in got] == [shape for _, shape in outs]


def test_model_build_gives_a_subclassed_model_its_input() -> None:
    """`model.build((None, 20, 20, 1))` states the input, as keras.Input does: conv 3x3 ->
    18x18x8, max pool -> 9x9x8, flatten 648, fc (648 + 1)·10 = 6,490; trainable 80 + 16 +
    6,490 = 6,586, and the 16 moving statistics. Without a build call, or with two that
    disagree, the input stays the default 28x28x1 (13,626, as above), and says so."""
    code = NESTED.replace("model.build((None, 28, 28, 1))", "model.build((None, 20, 20, 1))")
    r = resolve(code, None, None, "keras")
    assert r.shape == (1, 20, 20) and "from the code" in r.input_note
    s = summarize(r.nodes, r.shape, r.convention)
    assert (s.trainable_params, s.non_trainable_params) == (6_586, 16)
    if os.environ.get("KERAS_BACKEND") == "torch":
        pytest.importorskip("keras")
        import numpy as np

        namespace: dict[str, Any] = {}
        exec(code, namespace)  # the oracle side builds the real Keras model
        net = namespace["model"]
        net(np.zeros((1, 20, 20, 1), dtype="float32"))
        assert net.count_params() == 6_586 + 16
    for other in (NESTED.replace("model.build((None, 28, 28, 1))\n", ""),
                  code + "model.build((None, 24, 24, 1))\n"):
        r = resolve(other, None, None, "keras")
        assert r.shape == (1, 28, 28) and "default" in r.input_note
