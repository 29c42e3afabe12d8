"""tf.layers and tf.contrib.layers calls as cnncalc layers, with TensorFlow's defaults."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from .tf1_tensors import (
    REQUIRED,
    Handler,
    activation_layers,
    as_tensor,
    channels_last,
    dropout_rate,
    known,
    padding_of,
    pair,
    size_text,
    step,
    then,
    whole,
)
from .tf1_values import Lib, Tensor, dims, numel
from .values import err, text

if TYPE_CHECKING:
    from .tf1_run import Runner

def _flatten(run: Runner, node: ast.Call, b: dict[str, object]) -> object:
    if "data_format" in b:
        channels_last(b["data_format"], node)
    x = as_tensor(run, b["inputs"], node)
    return x if len(x.shape) == 1 else step(x, "flatten", (), None, node)


def _no_reuse(b: dict[str, object], node: ast.AST) -> None:
    if known(b.get("reuse")) not in (None, False):
        raise err(node, f"{text(node)}: reuse= shares weights; that is not read yet")
    if known(b.get("trainable", True)) is not True:
        raise err(node, f"{text(node)}: trainable=False is not read yet")


def _layers_conv2d(run: Runner, node: ast.Call, b: dict[str, object]) -> object:
    _no_reuse(b, node)
    channels_last(b["data_format"], node)
    x = as_tensor(run, b["inputs"], node)
    out = whole(b["filters"], node, "filters")
    kh, kw = pair(b["kernel_size"], node, "kernel_size", False)
    sh, sw = pair(b["strides"], node, "strides", False)
    dh, dw = pair(b["dilation_rate"], node, "dilation_rate", False)
    pad = padding_of(b["padding"], node)
    return _conv_layer(x, out, (kh, kw), (sh, sw), (dh, dw), pad,
                       bool(known(b["use_bias"])), activation_layers(b["activation"], node), node)


def _conv_layer(x: Tensor, out: int, k: tuple[int, int], s: tuple[int, int],
                d: tuple[int, int], pad: str, bias: bool, act: tuple[str, ...],
                node: ast.AST) -> Tensor:
    if len(x.shape) != 3:
        raise err(node, f"{text(node)}: the input is flat ({dims(x.shape)}); a convolution "
                  "needs [batch, height, width, channels]", "tf.reshape it first")
    args = (str(out), size_text(*k), *(() if s == (1, 1) else (f"stride={size_text(*s)}",)),
            f"padding={pad}", *(() if d == (1, 1) else (f"dilation={size_text(*d)}",)))
    t = step(x, "conv", args if bias else (*args, "bias=false"), None, node)
    return then(t, act, node)


def _layers_pool(kind: str) -> Handler:
    def handler(run: Runner, node: ast.Call, b: dict[str, object]) -> object:
        channels_last(b["data_format"], node)
        x = as_tensor(run, b["inputs"], node)
        kh, kw = pair(b["pool_size"], node, "pool_size", False)
        sh, sw = pair(b["strides"], node, "strides", False)
        return step(x, kind, (size_text(kh, kw), f"stride={size_text(sh, sw)}",
                              f"padding={padding_of(b['padding'], node)}"), None, node)
    return handler


def _dense_layer(x: Tensor, units: int, bias: bool, act: tuple[str, ...],
                 node: ast.AST) -> Tensor:
    if len(x.shape) != 1:
        raise err(node, f"{text(node)}: a dense layer on {dims(x.shape)} acts on the last "
                  "axis only; cnncalc reads it on a flat input",
                  f"flatten it first: tf.reshape(x, [-1, {numel(x.shape)}])")
    args = (str(units),) if bias else (str(units), "bias=false")
    return then(step(x, "fc", args, None, node), act, node)


def _layers_dense(run: Runner, node: ast.Call, b: dict[str, object]) -> object:
    _no_reuse(b, node)
    x = as_tensor(run, b["inputs"], node)
    return _dense_layer(x, whole(b["units"], node, "units"), bool(known(b["use_bias"])),
                        activation_layers(b["activation"], node), node)


def _layers_dropout(run: Runner, node: ast.Call, b: dict[str, object]) -> object:
    x = as_tensor(run, b["inputs"], node)
    args, notes = dropout_rate(b["rate"], None, node)
    return step(x, "dropout", args, None, node, notes)


def _layers_batch_norm(run: Runner, node: ast.Call, b: dict[str, object]) -> object:
    _no_reuse(b, node)
    x = as_tensor(run, b["inputs"], node)
    axis = known(b["axis"])
    if axis not in (-1, len(x.shape)) or known(b["center"]) is not True or \
            known(b["scale"]) is not True or known(b["renorm"]) or \
            known(b["virtual_batch_size"]) is not None:
        raise err(node, f"{text(node)}: cnncalc reads batch normalization over the last axis "
                  "with center and scale, without renorm or virtual batches")
    eps, momentum = known(b["epsilon"]), known(b["momentum"])
    for v, what in ((eps, "epsilon"), (momentum, "momentum")):
        if not isinstance(v, (int, float)) or isinstance(v, bool):
            raise err(node, f"{text(node)}: {what} must be a number")
    assert isinstance(momentum, (int, float))
    # TensorFlow's momentum weighs the old statistic, PyTorch's (the spec's) the new one.
    return step(x, "bn", (f"eps={eps}", f"momentum={round(1.0 - momentum, 12)}"), None, node)


def _contrib_conv2d(run: Runner, node: ast.Call, b: dict[str, object]) -> object:
    _no_reuse(b, node)
    channels_last(b["data_format"], node)
    if known(b["normalizer_fn"]) is not None:
        raise err(node, f"{text(node)}: normalizer_fn= is not read yet")
    x = as_tensor(run, b["inputs"], node)
    out = whole(b["num_outputs"], node, "num_outputs")
    k = pair(b["kernel_size"], node, "kernel_size", False)
    s = pair(b["stride"], node, "stride", False)
    d = pair(b["rate"], node, "rate", False)
    bias = b["biases_initializer"] is not None
    return _conv_layer(x, out, k, s, d, padding_of(b["padding"], node), bias,
                       activation_layers(b["activation_fn"], node), node)


def _contrib_dense(run: Runner, node: ast.Call, b: dict[str, object]) -> object:
    _no_reuse(b, node)
    if known(b["normalizer_fn"]) is not None:
        raise err(node, f"{text(node)}: normalizer_fn= is not read yet")
    x = as_tensor(run, b["inputs"], node)
    return _dense_layer(x, whole(b["num_outputs"], node, "num_outputs"),
                        b["biases_initializer"] is not None,
                        activation_layers(b["activation_fn"], node), node)


def _contrib_pool(kind: str) -> Handler:
    def handler(run: Runner, node: ast.Call, b: dict[str, object]) -> object:
        channels_last(b["data_format"], node)
        x = as_tensor(run, b["inputs"], node)
        kh, kw = pair(b["kernel_size"], node, "kernel_size", False)
        sh, sw = pair(b["stride"], node, "stride", False)
        return step(x, kind, (size_text(kh, kw), f"stride={size_text(sh, sw)}",
                              f"padding={padding_of(b['padding'], node)}"), None, node)
    return handler


def _contrib_dropout(run: Runner, node: ast.Call, b: dict[str, object]) -> object:
    x = as_tensor(run, b["inputs"], node)
    args, notes = dropout_rate(None, b["keep_prob"], node)
    return step(x, "dropout", args, None, node, notes)


_LAYERS_CONV = (("inputs", REQUIRED), ("filters", REQUIRED), ("kernel_size", REQUIRED),
                ("strides", (1, 1)), ("padding", "valid"), ("data_format", "channels_last"),
                ("dilation_rate", (1, 1)), ("activation", None), ("use_bias", True),
                ("kernel_initializer", None), ("bias_initializer", None),
                ("kernel_regularizer", None), ("bias_regularizer", None),
                ("activity_regularizer", None), ("kernel_constraint", None),
                ("bias_constraint", None), ("trainable", True), ("name", None),
                ("reuse", None))
_LAYERS_POOL = (("inputs", REQUIRED), ("pool_size", REQUIRED), ("strides", REQUIRED),
                ("padding", "valid"), ("data_format", "channels_last"), ("name", None))
_LAYERS_DENSE = (("inputs", REQUIRED), ("units", REQUIRED), ("activation", None),
                 ("use_bias", True), ("kernel_initializer", None), ("bias_initializer", None),
                 ("kernel_regularizer", None), ("bias_regularizer", None),
                 ("activity_regularizer", None), ("kernel_constraint", None),
                 ("bias_constraint", None), ("trainable", True), ("name", None),
                 ("reuse", None))
_RELU = Lib("tensorflow.nn.relu")
_ZEROS = Lib("tensorflow.zeros_initializer")
_CONTRIB_CONV = (("inputs", REQUIRED), ("num_outputs", REQUIRED), ("kernel_size", REQUIRED),
                 ("stride", 1), ("padding", "SAME"), ("data_format", None), ("rate", 1),
                 ("activation_fn", _RELU), ("normalizer_fn", None),
                 ("normalizer_params", None), ("weights_initializer", None),
                 ("weights_regularizer", None), ("biases_initializer", _ZEROS),
                 ("biases_regularizer", None), ("reuse", None),
                 ("variables_collections", None), ("outputs_collections", None),
                 ("trainable", True), ("scope", None))
_CONTRIB_DENSE = (("inputs", REQUIRED), ("num_outputs", REQUIRED), ("activation_fn", _RELU),
                  ("normalizer_fn", None), ("normalizer_params", None),
                  ("weights_initializer", None), ("weights_regularizer", None),
                  ("biases_initializer", _ZEROS), ("biases_regularizer", None),
                  ("reuse", None), ("variables_collections", None),
                  ("outputs_collections", None), ("trainable", True), ("scope", None))
_CONTRIB_POOL = (("inputs", REQUIRED), ("kernel_size", REQUIRED), ("stride", 2),
                 ("padding", "VALID"), ("data_format", "NHWC"), ("outputs_collections", None),
                 ("scope", None))

LAYER_OPS: dict[str, tuple[tuple[tuple[str, object], ...], Handler, bool]] = {
    # name: (signature, handler, builds the graph)
    "layers.conv2d": (_LAYERS_CONV, _layers_conv2d, True),
    "layers.max_pooling2d": (_LAYERS_POOL, _layers_pool("maxpool"), True),
    "layers.average_pooling2d": (_LAYERS_POOL, _layers_pool("avgpool"), True),
    "layers.dense": (_LAYERS_DENSE, _layers_dense, True),
    "layers.dropout": ((("inputs", REQUIRED), ("rate", 0.5), ("noise_shape", None),
                        ("seed", None), ("training", False), ("name", None)),
                       _layers_dropout, True),
    "layers.batch_normalization": ((("inputs", REQUIRED), ("axis", -1), ("momentum", 0.99),
                                    ("epsilon", 0.001), ("center", True), ("scale", True),
                                    ("beta_initializer", None), ("gamma_initializer", None),
                                    ("moving_mean_initializer", None),
                                    ("moving_variance_initializer", None),
                                    ("beta_regularizer", None), ("gamma_regularizer", None),
                                    ("beta_constraint", None), ("gamma_constraint", None),
                                    ("training", False), ("trainable", True), ("name", None),
                                    ("reuse", None), ("renorm", False),
                                    ("renorm_clipping", None), ("renorm_momentum", 0.99),
                                    ("fused", None), ("virtual_batch_size", None),
                                    ("adjustment", None)), _layers_batch_norm, True),
    "layers.flatten": ((("inputs", REQUIRED), ("name", None),
                        ("data_format", "channels_last")), _flatten, True),
    "contrib.layers.conv2d": (_CONTRIB_CONV, _contrib_conv2d, True),
    "contrib.layers.convolution2d": (_CONTRIB_CONV, _contrib_conv2d, True),
    "contrib.layers.fully_connected": (_CONTRIB_DENSE, _contrib_dense, True),
    "contrib.layers.max_pool2d": (_CONTRIB_POOL, _contrib_pool("maxpool"), True),
    "contrib.layers.avg_pool2d": (_CONTRIB_POOL, _contrib_pool("avgpool"), True),
    "contrib.layers.flatten": ((("inputs", REQUIRED), ("outputs_collections", None),
                                ("scope", None)), _flatten, True),
    "contrib.layers.dropout": ((("inputs", REQUIRED), ("keep_prob", 0.5), ("noise_shape", None),
                                ("is_training", True), ("outputs_collections", None),
                                ("scope", None), ("seed", None)), _contrib_dropout, True),
}
