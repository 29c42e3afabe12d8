"""Keras code read by cnncalc against Keras' own figures.

TensorFlow cannot be installed here, so the figures are of two kinds:
- published: the keras.io MNIST convnet (34,826 parameters) and TensorFlow's CNN tutorial
  (122,570), whose model.summary() tables are printed in their documentation;
- recorded: for every model below, the (output shape, Param #) of each row of Keras'
  model.summary(), i.e. `layer.output.shape[1:]` and `layer.count_params()`, from Keras
  3.15.1 (torch backend) when this test was written. A few are derived by hand in comments.
`test_live_keras_agrees` recomputes them with Keras itself when it is importable.
"""

from __future__ import annotations

import os
import sys
import types
from typing import Any

import pytest

from cnncalc.calc.summary import Summary, summarize
from cnncalc.dialects.resolve import Resolved, resolve
from cnncalc.spec import Layer

from .keras_models import HEADER, MODELS

KerasRow = tuple[tuple[int, ...], int]

KERAS_SUMMARIES: dict[str, list[KerasRow]] = {
    'keras-io-mnist': [
        ((26, 26, 32), 320), ((13, 13, 32), 0), ((11, 11, 64), 18496), ((5, 5, 64), 0),
        ((1600,), 0), ((1600,), 0), ((10,), 16010),
    ],
    'tf-cnn-tutorial': [
        ((30, 30, 32), 896), ((15, 15, 32), 0), ((13, 13, 64), 18496), ((6, 6, 64), 0),
        ((4, 4, 64), 36928), ((1024,), 0), ((64,), 65600), ((10,), 650),
    ],
    'dense-only': [
        ((784,), 0), ((128,), 100480), ((128,), 0), ((10,), 1290),
    ],
    'same-stride2': [
        ((14, 14, 16), 160), ((7, 7, 16), 0), ((4, 4, 8), 3208),
    ],
    'same-even': [
        ((11, 6, 4), 196), ((6, 3, 4), 0), ((6, 3, 4), 100),
    ],
    'valid-rect': [
        ((18, 28, 6), 186), ((6, 14, 6), 0), ((5, 13, 6), 0),
    ],
    'dilated-groups': [
        ((28, 28, 8), 144), ((28, 28, 8), 584),
    ],
    'batchnorm': [
        ((26, 26, 32), 288), ((26, 26, 32), 128), ((26, 26, 32), 0), ((12, 12, 64), 18432),
        ((12, 12, 64), 128), ((12, 12, 64), 0), ((64,), 0), ((10,), 650),
    ],
    'bn-dense': [
        ((64,), 1344), ((64,), 256), ((64,), 0), ((1,), 65),
    ],
    'depthwise': [
        ((32, 32, 3), 30), ((15, 15, 6), 54), ((15, 15, 16), 112),
    ],
    'separable': [
        ((26, 26, 16), 216), ((13, 13, 32), 1824),
    ],
    'transpose': [
        ((14, 14, 16), 4624), ((28, 28, 1), 145),
    ],
    'transpose-valid': [
        ((11, 13, 8), 296), ((33, 39, 2), 18), ((66, 78, 2), 18),
    ],
    'transpose-op': [
        ((18, 18, 4), 112), ((53, 52, 4), 260), ((107, 105, 2), 74),
    ],
    'zero-padding': [
        ((32, 32, 1), 0), ((28, 28, 6), 156), ((29, 29, 6), 0), ((14, 14, 6), 330),
        ((16, 18, 6), 0), ((15, 15, 6), 0),
    ],
    'global-max': [
        ((22, 22, 12), 336), ((12,), 0), ((4,), 52),
    ],
    'global-keepdims': [
        ((22, 22, 12), 336), ((1, 1, 12), 0), ((12,), 0), ((4,), 52),
    ],
    'activations': [
        ((14, 14, 4), 76), ((12, 12, 4), 148), ((10, 10, 4), 148), ((8, 8, 4), 148),
        ((8, 8, 4), 0), ((8, 8, 4), 0), ((8, 8, 4), 0), ((8, 8, 4), 0),
    ],
    'input-layer': [
        ((8, 8, 2), 20), ((128,), 0), ((3,), 384),
    ],
    'tf-keras-prefix': [
        ((148, 148, 16), 448), ((74, 74, 16), 0), ((72, 72, 32), 4640), ((36, 36, 32), 0),
        ((34, 34, 64), 18496), ((17, 17, 64), 0), ((18496,), 0), ((512,), 9470464),
        ((1,), 513),
    ],
    'keras-layers-prefix': [
        ((26, 26, 8), 80), ((13, 13, 8), 0), ((1352,), 0), ((10,), 13530),
    ],
    'vgg-ish': [
        ((32, 32, 64), 1792), ((32, 32, 64), 36928), ((16, 16, 64), 0), ((16, 16, 64), 0),
        ((16, 16, 128), 73856), ((16, 16, 128), 147584), ((8, 8, 128), 0), ((8, 8, 128), 0),
        ((8192,), 0), ((256,), 2097408), ((256,), 0), ((10,), 2570),
    ],
    'lenet-keras': [
        ((28, 28, 6), 156), ((14, 14, 6), 0), ((10, 10, 16), 2416), ((5, 5, 16), 0),
        ((400,), 0), ((120,), 48120), ((84,), 10164), ((10,), 850),
    ],
    'alexnet-keras': [
        ((55, 55, 96), 34944), ((55, 55, 96), 384), ((27, 27, 96), 0), ((27, 27, 256), 614656),
        ((27, 27, 256), 1024), ((13, 13, 256), 0), ((13, 13, 384), 885120),
        ((13, 13, 384), 1327488), ((13, 13, 256), 884992), ((6, 6, 256), 0), ((9216,), 0),
        ((4096,), 37752832), ((4096,), 0), ((4096,), 16781312), ((4096,), 0),
        ((1000,), 4097000),
    ],
    'built': [
        ((10, 10, 8), 224), ((800,), 0), ((5,), 4005),
    ],
    'in-function': [
        ((32, 32, 32), 896), ((16, 16, 32), 0), ((16, 16, 64), 18496), ((64,), 0),
        ((10,), 650),
    ],
    'flat-input': [
        ((512,), 401920), ((512,), 0), ((512,), 262656), ((10,), 5130),
    ],
    'given-input': [
        ((64, 48, 8), 224), ((32, 24, 8), 0), ((30, 22, 4), 292), ((2640,), 0), ((2,), 5282),
    ],
    'relu6-spatial-dropout': [
        ((18, 18, 8), 224), ((18, 18, 8), 0), ((18, 18, 8), 0), ((16, 16, 8), 584),
        ((16, 16, 8), 0),
    ],
    'strides-tuple-pool': [
        ((17, 7, 5), 0), ((17, 4, 10), 360),
    ],
    'kwargs-ignored': [
        ((14, 14, 4), 40), ((784,), 0), ((3,), 2355),
    ],
    'dense-on-map': [
        ((10, 8, 8), 224), ((10, 8, 16), 144), ((10, 8, 4), 64), ((5, 4, 4), 0), ((80,), 0),
        ((5,), 405),
    ],
    'mobilenet-block': [
        ((97, 97, 3), 0), ((48, 48, 32), 864), ((48, 48, 32), 128), ((48, 48, 32), 0),
        ((48, 48, 32), 288), ((48, 48, 32), 128), ((48, 48, 32), 0), ((48, 48, 64), 2048),
        ((48, 48, 64), 256), ((48, 48, 64), 0), ((64,), 0), ((64,), 0), ((1000,), 65000),
    ],
}

# Hand derivations of some rows above (Keras' rules: 'same' gives ⌈N/S⌉, 'valid' ⌊(N-K)/S⌋+1;
# Param # counts moving statistics too):
# same-even: Conv2D(4, 4, strides=3, 'same') on 31x17x3: ⌈31/3⌉ = 11, ⌈17/3⌉ = 6;
#   (4·4·3 + 1)·4 = 196. AveragePooling2D(3, 2, 'same'): ⌈11/2⌉ = 6, ⌈6/2⌉ = 3.
# batchnorm: BatchNormalization on 32 channels: γ, β, moving mean, moving variance = 4·32 = 128.
# separable: SeparableConv2D(16, 3) on 8 channels: depthwise 3·3·8 = 72, pointwise 8·16 = 128,
#   bias 16: 216.
# transpose-valid: Conv2DTranspose(8, 3, strides=2) 'valid' on 5: 5·2 + max(3 - 2, 0) = 11.
# transpose-op: output_padding=1 on 8: (8 - 1)·2 + 3 - 0 + 1 = 18.
# dense-on-map: Conv2D(8, 3) on 12x10x3: 10x8x8, (3·3·3 + 1)·8 = 224. Dense(16) acts on the
#   last axis, the 8 channels, at each of the 10·8 positions: 10x8x16, 8·16 + 16 = 144
#   (one shared kernel). Dense(4, use_bias=False): 16·4 = 64. MaxPooling2D: 5x4x4;
#   Flatten: 80; Dense(5): 80·5 + 5 = 405.
# zero-padding: Cropping2D(((1, 0), (2, 1))) on 16x18: 16 - 1 = 15, 18 - 3 = 15.


def keras_rows(r: Resolved, s: Summary) -> list[KerasRow]:
    """cnncalc's rows grouped back into the Keras layers they came from: a layer's
    activation=, or GlobalAveragePooling2D's flatten, adds rows to the same Keras layer."""
    groups: list[list[int]] = []
    for i, node in enumerate(r.nodes):
        assert isinstance(node, Layer)
        if node.source or not groups:
            groups.append([])
        groups[-1].append(i)
    leaves = s.leaves()
    out = []
    for g in groups:
        shape = leaves[g[-1]].output_shape
        hwc = (shape[1], shape[2], shape[0]) if len(shape) == 3 else shape
        out.append((hwc, sum(leaves[i].params for i in g)))
    return out


def read(code: str, input_shape: str | None) -> tuple[Resolved, Summary]:
    r = resolve(code, None, input_shape)
    return r, summarize(r.nodes, r.shape, r.convention, 1, r.spec)


@pytest.mark.parametrize(("name", "code", "input_shape"), MODELS, ids=[m[0] for m in MODELS])
def test_model_matches_keras_summary(name: str, code: str, input_shape: str | None) -> None:
    r, s = read(code, input_shape)
    assert r.convention == "keras" and r.dialect == "keras"
    assert keras_rows(r, s) == KERAS_SUMMARIES[name]


def test_published_totals() -> None:
    by_name = {m[0]: m for m in MODELS}
    _, s = read(by_name["keras-io-mnist"][1], None)
    assert s.total_params == 34_826
    _, s = read(by_name["tf-cnn-tutorial"][1], None)
    assert s.total_params == 122_570


def _keras() -> Any:
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    return keras


def test_live_keras_agrees() -> None:
    """With Keras installed, its own model.summary() figures replace the recorded ones."""
    keras = _keras()
    sys.modules.setdefault("tensorflow", types.SimpleNamespace(keras=keras))  # type: ignore
    for name, code, input_shape in MODELS:
        namespace: dict[str, Any] = {}
        exec(HEADER + code, namespace)  # the oracle side builds the real Keras model
        found = [v for v in namespace.values() if isinstance(v, keras.Model)]
        makers = [v for k, v in namespace.items() if k.startswith("make") and callable(v)]
        model = found[-1] if found else makers[0]() if makers else eval(code.strip(), namespace)
        r, s = read(code, input_shape)
        if input_shape:
            model.build((None, r.shape[1], r.shape[2], r.shape[0]))
        want = [(tuple(x.output.shape[1:]), x.count_params()) for x in model.layers]
        assert keras_rows(r, s) == want, name


def test_keras_signatures_are_keras_own() -> None:
    import inspect

    from cnncalc.library.binding import REQUIRED
    from cnncalc.library.keras import CLASSES

    keras = _keras()
    for d in CLASSES:
        obj = getattr(keras.layers, d.name)
        params = inspect.signature(obj if inspect.isfunction(obj) else obj.__init__
                                   ).parameters.values()
        theirs = [(p.name, REQUIRED if p.default is p.empty else p.default) for p in params
                  if p.name != "self" and p.kind == p.POSITIONAL_OR_KEYWORD]
        assert list(d.params) == theirs[:len(d.params)], d.name


FUNCTIONAL = """
inputs = keras.Input(shape=(32, 32, 3))
x = layers.Conv2D(16, 3, padding="same", activation="relu")(inputs)
y = layers.Conv2D(16, 3, padding="same")(x)
y = layers.BatchNormalization()(y)
x = layers.Add()([y, x])
x = layers.Activation("relu")(x)
x = layers.GlobalAveragePooling2D()(x)
outputs = layers.Dense(10)(x)
model = keras.Model(inputs, outputs, name="tiny_resnet")
"""


def test_functional_model_with_a_residual() -> None:
    r, s = read(FUNCTIONAL, None)
    assert r.convention == "keras" and r.shape == (3, 32, 32)
    # Keras' model.count_params() (3.15.1) is 3,002; by hand: (3·3·3 + 1)·16 = 448,
    # (3·3·16 + 1)·16 = 2,320, batch norm 4·16 = 64, (16 + 1)·10 = 170.
    assert s.total_params == 448 + 2320 + 64 + 170 == 3002
    assert s.layers[2].kind == "residual" and s.output_shape == (10,)


def test_residual_export_is_functional_and_reads_back() -> None:
    from cnncalc.calc import summarize_spec
    from cnncalc.export.keras import to_keras

    spec = "conv(16,3,padding=1)-res[conv(16,3,padding=1)-bn-relu-conv(16,3,padding=1)]" \
        "-res[conv(32,3,stride=2,padding=1)-relu]-gap"
    s = summarize_spec(spec + "-flatten-fc(10)", (3, 32, 32))
    code = to_keras(s)
    assert "layers.Add()([x, shortcut1])" in code and "keras.Model(inputs, x)" in code
    _, back = read(code, None)
    assert (back.trainable_params, back.non_trainable_params) == (s.trainable_params,
                                                                  s.non_trainable_params)
    assert back.output_shape == s.output_shape
