"""The course notes' TensorFlow 1 MNIST labs, in each of their forms, against TensorFlow.

Oracle: TensorFlow's own count of trainable variables and its static output shapes,
recorded with TensorFlow 2.21.0 (tensorflow-cpu 2.21.0 and tf-keras 2.21.0 in a venv outside
the repository; each lab run through `tf.compat.v1` with eager execution off and
`TF_USE_LEGACY_KERAS=1` for `tf.layers`; `tf.contrib.layers.xavier_initializer` replaced by
`glorot_uniform_initializer`, which changes no shape; the training code cut off):

    sum(np.prod(v.shape.as_list()) for v in tf.compat.v1.trainable_variables())

The hand derivations are written next to each figure. CI does not need TensorFlow.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cnncalc.calc.summary import summarize
from cnncalc.cli import app
from cnncalc.dialects.resolve import resolve

LABS = Path(__file__).parent / "labs"

# Hand derivation of the notes' L1-L5 net (3x3 filters without bias, SAME padding):
# W1 3·3·1·32 = 288, W2 3·3·32·64 = 18,432, W3 3·3·64·128 = 73,728,
# W4 2048·625 + b4 625 = 1,280,625, W5 625·10 + b5 10 = 6,260; sum 1,379,333.
NN_LAB = 1_379_333
# tf.layers version: each conv has a bias: 320 + 18,496 + 73,856 + 1,280,625 + 6,260.
LAYERS_LAB = 1_379_557
# mnist_deep: 5·5·1·32+32 = 832, 5·5·32·64+64 = 51,264, 3136·1024+1024 = 3,212,288,
# 1024·10+10 = 10,250; sum 3,274,634.
DEEP = 3_274_634

TENSORFLOW = {  # recorded with TensorFlow 2.21.0 as the module docstring says
    "flat.py": 1_379_333,
    "model_class.py": 1_379_333,
    "layers_ensemble.py": 1_379_557,  # one instance; two instances have 2,759,114
    "deep_helpers.py": 3_274_634,
}
# TensorFlow's static shapes of the flat lab's tensors (batch dropped), H x W x C.
FLAT_SHAPES = {"X_img": (28, 28, 1), "L1": (14, 14, 32), "L2": (7, 7, 64), "L3": (4, 4, 128),
               "L3_flat": (2048,), "L4": (625,), "logits": (10,)}


def _summary(path: Path, model: str | None = None):  # type: ignore[no-untyped-def]
    r = resolve(str(path), None, None, None, model)
    return r, summarize(r.nodes, r.shape, r.convention)


@pytest.mark.parametrize("name", sorted(TENSORFLOW))
def test_each_lab_form_counts_what_tensorflow_counts(name: str) -> None:
    r, s = _summary(LABS / name)
    assert s.total_params == TENSORFLOW[name]
    assert s.trainable_params == TENSORFLOW[name]
    assert s.output_shape == (10,)
    assert r.convention == "keras"  # TensorFlow's SAME is Keras' same
    assert r.shape == (1, 28, 28)  # the placeholder [None, 784] reshaped to 28x28x1


def test_hand_derivations_agree_with_tensorflow() -> None:
    assert TENSORFLOW["flat.py"] == NN_LAB
    assert TENSORFLOW["layers_ensemble.py"] == LAYERS_LAB
    assert TENSORFLOW["deep_helpers.py"] == DEEP


@pytest.mark.parametrize("tensor", sorted(FLAT_SHAPES))
def test_flat_lab_tensor_shapes_are_tensorflows(tensor: str) -> None:
    if tensor == "X_img":
        _, s = _summary(LABS / "flat.py", "L1")
        hwc = s.layers[0].input_shape
    else:
        _, s = _summary(LABS / "flat.py", tensor)
        hwc = s.output_shape
    shape = (hwc[1], hwc[2], hwc[0]) if len(hwc) == 3 else hwc
    assert shape == FLAT_SHAPES[tensor]


def test_the_table_says_which_tensor_and_which_input() -> None:
    r, _ = _summary(LABS / "flat.py")
    assert "logits (TensorFlow 1 code, flat.py)" in r.title
    assert "the model is the tensor logits, made on line 58: the cost on line 61 is computed" \
        in r.title
    assert "the placeholder X [None, 784] (line 18), read as 28x28x1 by tf.reshape on " \
        "line 19" in r.title
    assert "the dropout keep probability on lines 28, 36, 44, 52 is fed" in r.title


def test_model_class_is_the_users_not_keras() -> None:
    r, s = _summary(LABS / "model_class.py")
    assert r.title.startswith("self.logits (TensorFlow 1 code")
    assert "one instance of class Model (line 96)" in r.title
    assert s.total_params == NN_LAB


def test_ensemble_counts_one_instance_and_says_so() -> None:
    r, s = _summary(LABS / "layers_ensemble.py")
    assert "class Model is built in a loop (line 103): one instance is counted" in r.title
    assert s.total_params == LAYERS_LAB  # not 2 x 1,379,557 = 2,759,114


def test_helpers_are_read_where_they_are_called() -> None:
    r, s = _summary(LABS / "deep_helpers.py")
    assert "the model is the tensor y_conv" in r.title and "in main()" in r.title
    kinds = [layer.kind for layer in s.layers]
    assert kinds == ["conv", "relu", "maxpool", "conv", "relu", "maxpool", "flatten", "fc",
                     "relu", "dropout", "fc"]
    assert s.total_params == DEEP


def test_model_picks_a_tensor_or_a_scope() -> None:
    _, s = _summary(LABS / "deep_helpers.py", "h_pool1")
    assert s.output_shape == (32, 14, 14)
    _, s = _summary(LABS / "deep_helpers.py", "main")
    assert s.total_params == DEEP
    _, s = _summary(LABS / "model_class.py", "logits")  # self.logits
    assert s.total_params == NN_LAB
    _, s = _summary(LABS / "model_class.py", "Model")  # the class the module builds
    assert s.total_params == NN_LAB
    _, s = _summary(LABS / "layers_ensemble.py", "Model")  # the class built in a loop
    assert s.total_params == LAYERS_LAB


def test_cli_summary_explain_check_and_draw_read_a_lab(tmp_path: Path) -> None:
    runner = CliRunner()
    lab = str(LABS / "flat.py")
    out = runner.invoke(app, ["summary", lab, "-f", "json"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)["total_params"] == NN_LAB
    # JSON has no title: the reader's notes (which tensor is the model) come on stderr
    assert "note: the model is the tensor" in out.stderr
    out = runner.invoke(app, ["explain", lab])
    assert out.exit_code == 0, out.output
    out = runner.invoke(app, ["check", lab, "--expect", "output: (None, 10)\ntotal: 1379333"])
    assert out.exit_code == 0, out.output
    out = runner.invoke(app, ["check", lab, "--expect", "total: 1379334"])
    assert out.exit_code == 1, out.output
    svg = tmp_path / "net.svg"
    out = runner.invoke(app, ["draw", lab, "-o", str(svg)])
    assert out.exit_code == 0, out.output
    assert svg.read_text().startswith("<")


def test_a_variable_outside_the_model_is_named_not_counted() -> None:
    # An extra W9 [3, 3, 1, 8] (72 values) that no op uses: TensorFlow's trainable count
    # would be 1,379,333 + 72; the model's is 1,379,333, and the title says why.
    code = (LABS / "flat.py").read_text(encoding="utf-8").replace(
        "# L2 ImgIn", "W9 = tf.Variable(tf.random_normal([3, 3, 1, 8]))\n# L2 ImgIn", 1)
    r = resolve(code, None, None)
    assert summarize(r.nodes, r.shape, r.convention).total_params == NN_LAB
    assert "1 variable the code creates is not in this model and not counted (72 values; " \
        "TensorFlow's trainable count includes them): W9 [3, 3, 1, 8] (line 30)" in r.title


CONTRIB = '''
import tensorflow as tf
X = tf.placeholder(tf.float32, [None, 28, 28, 1])
Y = tf.placeholder(tf.float32, [None, 10])
net = tf.contrib.layers.conv2d(X, 32, [3, 3])
net = tf.contrib.layers.max_pool2d(net, [2, 2])
net = tf.contrib.layers.flatten(net)
net = tf.contrib.layers.dropout(net, keep_prob=0.75)
logits = tf.contrib.layers.fully_connected(net, 10, activation_fn=None)
cost = tf.reduce_mean(tf.losses.softmax_cross_entropy(Y, logits))
'''


def test_contrib_layers_take_tensorflow_1_15_defaults() -> None:
    # TF 1.15's tf.contrib.layers: conv2d pads SAME, adds a bias and a ReLU; max_pool2d has
    # stride 2 and VALID padding. By hand: conv 3·3·1·32 + 32 = 320 on 28x28 (SAME keeps
    # 28), pool (28 - 2)/2 + 1 = 14, flatten 14·14·32 = 6,272, fc 6,272·10 + 10 = 62,730;
    # 63,050 in all.
    r = resolve(CONTRIB, None, None)
    s = summarize(r.nodes, r.shape, r.convention)
    assert [layer.kind for layer in s.layers] == ["conv", "relu", "maxpool", "flatten",
                                                   "dropout", "fc"]
    assert s.layers[2].output_shape == (32, 14, 14)
    assert s.layers[4].spec == "dropout(0.25)"  # 1 - keep_prob
    assert s.total_params == 63_050
    assert "the placeholder X [None, 28, 28, 1] (line 3)" in r.title


def test_compat_v1_layers_read_as_tf_layers() -> None:
    code = (LABS / "layers_ensemble.py").read_text(encoding="utf-8").replace(
        "tf.layers.", "tf.compat.v1.layers.").replace("tf.placeholder", "tf.compat.v1.placeholder")
    r = resolve(code, None, None)
    assert summarize(r.nodes, r.shape, r.convention).total_params == LAYERS_LAB


BATCH_NORM = '''
import tensorflow as tf
X = tf.placeholder(tf.float32, [None, 28, 28, 1])
Y = tf.placeholder(tf.float32, [None, 10])
training = tf.placeholder(tf.bool)
net = tf.layers.conv2d(X, 16, 3, padding='same', use_bias=False)
net = tf.layers.batch_normalization(net, training=training)
net = tf.nn.relu(net)
net = tf.layers.max_pooling2d(net, 2, 2)
net = tf.layers.flatten(net)
net = tf.layers.dense(net, 32)
net = tf.layers.batch_normalization(net, training=training)
logits = tf.layers.dense(tf.nn.relu(net), 10)
cost = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(labels=Y, logits=logits))
'''


def test_layers_batch_normalization_counts_as_tensorflow_does() -> None:
    # TensorFlow 2.21.0 (tf.compat.v1.layers, as the module docstring says):
    # trainable_variables 100,954, global_variables 101,050 (the moving mean and variance).
    # By hand: conv 3·3·1·16 = 144 (no bias), bn 2·16 = 32 (+ 32 moving), fc 3136·32 + 32 =
    # 100,384, bn 2·32 = 64 (+ 64 moving), fc 32·10 + 10 = 330.
    r = resolve(BATCH_NORM, None, None)
    s = summarize(r.nodes, r.shape, r.convention)
    assert s.trainable_params == 100_954
    assert s.total_params == 101_050
    assert s.output_shape == (10,)
