"""TensorFlow 1 calls as cnncalc layers: tf.nn, variables, reshape, matmul, losses; the
registry of every call read (with tf.layers and tf.contrib.layers), and the dispatch.

Each op is mapped to a spec layer under the Keras convention (TensorFlow's SAME padding is
Keras' `same`), and applied at once through the calculator's own shape rules.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from .tf1_layers import LAYER_OPS
from .tf1_tensors import (
    HINT,
    REQUIRED,
    Handler,
    as_tensor,
    bind,
    channels_last,
    dropout_rate,
    input_of,
    known,
    padding_of,
    pair,
    shape_of,
    show,
    size_text,
    step,
    tensor_binop,
    use_var,
    whole,
    with_bias,
)
from .tf1_values import (
    MAX_NUMEL,
    Cost,
    Derived,
    Initial,
    Opaque,
    Placeholder,
    Tensor,
    Var,
    dims,
    numel,
    suggest,
)
from .values import CodeError, err, text

if TYPE_CHECKING:
    from .tf1_run import Runner

def _placeholder(run: Runner, node: ast.Call, b: dict[str, object]) -> object:
    raw = b["shape"]
    if raw is None:
        shape = None
    else:
        raw = known(raw)
        if not isinstance(raw, tuple):
            raise err(node, f"{text(node)}: the shape must be a list such as [None, 784]")
        shape = tuple(None if d is None or d == -1 else whole(d, node, "each size")
                      for d in raw)
    return Placeholder(shape, node.lineno)


def _initial(run: Runner, node: ast.Call, b: dict[str, object]) -> object:
    if "dims" in b:  # tf.fill
        return Initial(shape_of(b["dims"], node), node.lineno)
    if "value" in b and b.get("shape") is None:  # tf.constant(value)
        return Initial(_nested(known(b["value"]), node), node.lineno)
    return Initial(shape_of(b["shape"], node), node.lineno)


def _nested(v: object, node: ast.AST) -> tuple[int, ...]:
    if not isinstance(v, tuple):
        return ()
    if not v:
        return (0,)
    inner = {_nested(x, node) for x in v}
    if len(inner) != 1:
        raise err(node, f"{text(node)}: the constant's rows differ in length")
    return (len(v), *inner.pop())


def _variable(run: Runner, node: ast.Call, b: dict[str, object]) -> object:
    var = _new_variable(node, b)
    run.scope.made.append(var)
    return var


def _new_variable(node: ast.Call, b: dict[str, object]) -> Var:
    if known(b["trainable"]) is False:
        raise err(node, f"{text(node)}: a variable with trainable=False is not read yet")
    shape = b.get("shape")
    if shape is not None:  # the initializer then changes no count, and is not read
        return Var(shape_of(shape, node), node.lineno, "")
    init = known(b["initial_value"] if "initial_value" in b else b["initializer"])
    if isinstance(init, Initial):
        return Var(init.shape, node.lineno, "")
    if isinstance(init, (int, float)) and not isinstance(init, bool):
        return Var((), node.lineno, "")
    if isinstance(init, tuple):
        return Var(_nested(init, node), node.lineno, "")
    raise err(node, f"{text(node)}: the variable's shape is only known when the code runs",
              "give its initial value a shape, e.g. tf.random_normal([3, 3, 1, 32])")


def _conv2d(run: Runner, node: ast.Call, b: dict[str, object]) -> object:
    x = as_tensor(run, b["input"], node)
    w = use_var(b["filter"] if b["filter"] is not None else b["filters"], node, "the filter")
    sh, sw = pair(b["strides"], node, "strides", True)
    pad = padding_of(b["padding"], node)
    channels_last(b["data_format"], node)
    dh, dw = pair(b["dilations"], node, "dilations", True) \
        if b["dilations"] is not None else (1, 1)
    if len(w.shape) != 4:
        raise err(node, f"{text(node)}: the filter {w.name} is {show(w.shape)}; a filter is "
                  "[height, width, in_channels, out_channels]")
    if len(x.shape) != 3:
        raise err(node, f"{text(node)}: the input is flat ({dims(x.shape)}); tf.nn.conv2d "
                  "needs [batch, height, width, channels]", "tf.reshape it first")
    kh, kw, cin, cout = w.shape
    if cin != x.shape[0]:
        raise err(node, f"{text(node)}: the filter {w.name} {show(w.shape)} is made for "
                  f"{cin} input channel{'s' * (cin != 1)}, but its input has {x.shape[0]} "
                  f"({dims(x.shape)})")
    args = (str(cout), size_text(kh, kw), *(() if (sh, sw) == (1, 1) else
                                        (f"stride={size_text(sh, sw)}",)),
            f"padding={pad}", *(() if (dh, dw) == (1, 1) else (f"dilation={size_text(dh, dw)}",)))
    return step(x, "conv", args, False, node, weights=(w,))


def _pool(kind: str) -> Handler:
    def handler(run: Runner, node: ast.Call, b: dict[str, object]) -> object:
        x = as_tensor(run, b["value"] if b.get("value") is not None else b.get("input"), node)
        kh, kw = pair(b["ksize"], node, "ksize", True)
        sh, sw = pair(b["strides"], node, "strides", True)
        pad = padding_of(b["padding"], node)
        channels_last(b["data_format"], node)
        return step(x, kind, (size_text(kh, kw), f"stride={size_text(sh, sw)}", f"padding={pad}"),
                    None, node)
    return handler


def _activation_op(kind: str) -> Handler:
    def handler(run: Runner, node: ast.Call, b: dict[str, object]) -> object:
        x = b["x"]
        if isinstance(x, Derived) or (isinstance(x, Opaque) and kind != "relu"):
            return x
        t = as_tensor(run, x, node)
        if ("axis" in b and known(b["axis"]) not in (None, -1)) or \
                known(b.get("dim")) not in (None, -1):
            raise err(node, f"{text(node)}: softmax over another axis than the last is not "
                      "read")
        if kind == "leakyrelu":
            alpha = known(b["alpha"])
            if not isinstance(alpha, (int, float)) or isinstance(alpha, bool):
                raise err(node, f"{text(node)}: alpha must be a number")
            return step(t, kind, (f"slope={alpha}",), None, node)
        return step(t, kind, (), None, node)
    return handler


def _nn_dropout(run: Runner, node: ast.Call, b: dict[str, object]) -> object:
    x = as_tensor(run, b["x"], node)
    args, notes = dropout_rate(b["rate"], b["keep_prob"], node)
    return step(x, "dropout", args, None, node, notes)


def _bias_add(run: Runner, node: ast.Call, b: dict[str, object]) -> object:
    channels_last(b["data_format"], node)
    return with_bias(as_tensor(run, b["value"], node), b["bias"], node)


def _matmul(run: Runner, node: ast.Call, b: dict[str, object]) -> object:
    for flag in ("transpose_a", "transpose_b", "adjoint_a", "adjoint_b"):
        if known(b[flag]):
            raise err(node, f"{text(node)}: {flag}=True is not read yet")
    return dense_from(run, b["a"], b["b"], node)


def dense_from(run: Runner, a: object, w_value: object, node: ast.AST) -> Tensor:
    if isinstance(a, Var) and isinstance(w_value, (Tensor, Placeholder)):
        raise err(node, f"{text(node)}: the weights come first; cnncalc reads "
                  "tf.matmul(x, W)")
    x = as_tensor(run, a, node)
    w = use_var(w_value, node, "the weight")
    if len(x.shape) != 1:
        raise err(node, f"{text(node)}: tf.matmul needs a flat input, but it gets "
                  f"{dims(x.shape)}", f"flatten it first: tf.reshape(x, [-1, {numel(x.shape)}])")
    if len(w.shape) != 2:
        raise err(node, f"{text(node)}: the weight {w.name} is {show(w.shape)}; a weight is "
                  "[inputs, outputs]")
    if w.shape[0] != x.shape[0]:
        raise err(node, f"{text(node)}: the weight {w.name} {show(w.shape)} is made for "
                  f"{w.shape[0]} inputs, but its input has {x.shape[0]}")
    return step(x, "fc", (str(w.shape[1]),), False, node, weights=(w,))


def _xw_plus_b(run: Runner, node: ast.Call, b: dict[str, object]) -> object:
    return with_bias(dense_from(run, b["x"], b["weights"], node), b["biases"], node)


def _reshape(run: Runner, node: ast.Call, b: dict[str, object]) -> object:
    raw = known(b["shape"])
    src = b["tensor"]
    if not isinstance(raw, tuple) or len(raw) < 2:
        raise err(node, f"{text(node)}: cnncalc reads a reshape to [-1, N] or "
                  "[-1, height, width, channels]")
    first, rest = raw[0], raw[1:]
    if not (first == -1 or first is None or isinstance(first, Opaque)):
        raise err(node, f"{text(node)}: the first size must be -1, the batch",
                  "write tf.reshape(x, [-1, ...])")
    sizes = tuple(whole(d, node, "each size after the batch") for d in rest)
    if isinstance(src, Placeholder) and src.shape is not None:
        given = src.shape[1:]
        if any(d is None for d in given):
            raise err(node, f"{text(node)}: the placeholder has a size known only when the "
                      "code runs")
        have = numel(tuple(d for d in given if d is not None))
        if have != numel(sizes):
            raise err(node, f"{text(node)}: the placeholder {src.called()} holds {have:,} values "
                      f"per example, but {show(raw)} needs {numel(sizes):,}")
        if len(sizes) not in (1, 3):
            raise err(node, f"{text(node)}: cnncalc reads an input of N or height x width x "
                      "channels")
        shaped = Placeholder((None, *sizes), src.line, src.called())
        t = input_of(shaped, node)
        note = (f"the placeholder {src.called()} {show(src.shape)} (line {src.line}), read as "
                f"{dims(t.shape)} by tf.reshape on line {node.lineno}")
        return Tensor(None, "", (), None, t.shape, node.lineno, 0, note)
    x = as_tensor(run, src, node)
    if numel(sizes) != numel(x.shape):
        raise err(node, f"{text(node)}: the reshape needs {numel(sizes):,} values per example, "
                  f"but its input holds {numel(x.shape):,} ({dims(x.shape)})")
    if len(sizes) == 1 and len(x.shape) == 3:
        return step(x, "flatten", (), None, node)
    if tuple(sizes) == (x.shape if len(x.shape) == 1 else (x.shape[1], x.shape[2],
                                                            x.shape[0])):
        return x
    raise err(node, f"{text(node)}: a reshape from {dims(x.shape)} to {show(raw)} is not "
              "read yet", "cnncalc reads a flatten, tf.reshape(x, [-1, N])")


def _lrn(run: Runner, node: ast.Call, b: dict[str, object]) -> object:
    x = as_tensor(run, b["input"], node)
    r = known(b["depth_radius"])
    if type(r) is not int or not 0 <= r <= 10**6:
        raise err(node, f"{text(node)}: depth_radius must be a whole number")
    values = [known(b[k]) for k in ("bias", "alpha", "beta")]
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        raise err(node, f"{text(node)}: bias, alpha and beta must be numbers")
    bias, alpha, beta = (float(v) for v in values)  # type: ignore[arg-type]
    size = 2 * r + 1
    # TensorFlow divides by (bias + alpha·Σa²)^beta over 2r + 1 channels; PyTorch's (the
    # spec's) alpha is divided by the size: the same function with alpha·size.
    return step(x, "lrn", (f"size={size}", f"alpha={alpha * size:g}", f"beta={beta:g}",
                           f"k={bias:g}"), None, node)


def _loss(*names: str) -> Handler:
    """A loss: the model tensor it is computed from is a candidate for the model."""
    def handler(run: Runner, node: ast.Call, b: dict[str, object]) -> object:
        for n in names:
            v = b.get(n)
            if v is None:
                continue
            source = v.tensor if isinstance(v, Derived) else v
            if isinstance(source, (Tensor, Opaque)):
                cost = Cost(source, node.lineno, _arg_text(node, n, list(b)))
                run.scope.costs.append(cost)
                return cost
        return Opaque(node.lineno, f"{text(node)} is only known when the code runs")
    return handler


def _arg_text(node: ast.Call, name: str, order: list[str]) -> str:
    for k in node.keywords:
        if k.arg == name:
            return text(k.value, 80)
    i = order.index(name)
    return text(node.args[i], 80) if i < len(node.args) else name


def _reduce(run: Runner, node: ast.Call, b: dict[str, object]) -> object:
    v = b["input_tensor"]
    if isinstance(v, Cost):
        return v
    if (isinstance(v, Derived) and not v.metric) or isinstance(v, Tensor):
        source = v.tensor if isinstance(v, Derived) else v
        cost = Cost(source, node.lineno, _arg_text(node, "input_tensor", list(b)))
        run.scope.costs.append(cost)
        return cost
    if isinstance(v, Derived):
        return v
    return Opaque(node.lineno, f"{text(node)} is only known when the code runs")


def _elementwise(metric: bool) -> Handler:
    def handler(run: Runner, node: ast.Call, b: dict[str, object]) -> object:
        for v in b.values():
            if isinstance(v, (Tensor, Derived)):
                return Derived(v.tensor if isinstance(v, Derived) else v, metric,
                               node.lineno, text(node))
            if isinstance(v, Opaque):
                return v
        return Opaque(node.lineno, f"{text(node)} is only known when the code runs")
    return handler


def _add(run: Runner, node: ast.Call, b: dict[str, object]) -> object:
    return tensor_binop(run, ast.Add(), b["x"], b["y"], node)


_X = (("x", REQUIRED), ("name", None))
_CONV = (("input", REQUIRED), ("filter", None), ("strides", None), ("padding", None),
         ("use_cudnn_on_gpu", True), ("data_format", "NHWC"), ("dilations", None),
         ("name", None), ("filters", None))
_POOL = (("value", None), ("ksize", REQUIRED), ("strides", REQUIRED), ("padding", REQUIRED),
         ("data_format", "NHWC"), ("name", None), ("input", None))
_POOL2D = (("input", REQUIRED), ("ksize", REQUIRED), ("strides", REQUIRED),
           ("padding", REQUIRED), ("data_format", "NHWC"), ("name", None))
_SHAPED = (("shape", REQUIRED), ("mean", 0.0), ("stddev", 1.0), ("dtype", None),
           ("seed", None), ("name", None))
_LOSS = (("_sentinel", None), ("labels", None), ("logits", None), ("dim", -1), ("name", None),
         ("axis", None))
_REDUCE = (("input_tensor", REQUIRED), ("axis", None), ("keepdims", None), ("name", None),
           ("reduction_indices", None), ("keep_dims", None))
_ANY = (("x", REQUIRED), ("y", None), ("z", None), ("name", None), ("w", None))

OPS: dict[str, tuple[tuple[tuple[str, object], ...], Handler, bool]] = {
    # name: (signature, handler, builds the graph)
    "placeholder": ((("dtype", REQUIRED), ("shape", None), ("name", None)), _placeholder,
                    True),
    "random_normal": (_SHAPED, _initial, False),
    "random.normal": (_SHAPED, _initial, False),
    "truncated_normal": (_SHAPED, _initial, False),
    "random.truncated_normal": (_SHAPED, _initial, False),
    "random_uniform": ((("shape", REQUIRED), ("minval", 0), ("maxval", None), ("dtype", None),
                        ("seed", None), ("name", None)), _initial, False),
    "random.uniform": ((("shape", REQUIRED), ("minval", 0), ("maxval", None), ("dtype", None),
                        ("seed", None), ("name", None)), _initial, False),
    "zeros": ((("shape", REQUIRED), ("dtype", None), ("name", None)), _initial, False),
    "ones": ((("shape", REQUIRED), ("dtype", None), ("name", None)), _initial, False),
    "constant": ((("value", REQUIRED), ("dtype", None), ("shape", None), ("name", None),
                  ("verify_shape", False)), _initial, False),
    "fill": ((("dims", REQUIRED), ("value", REQUIRED), ("name", None)), _initial, False),
    "Variable": ((("initial_value", None), ("trainable", None), ("collections", None),
                  ("validate_shape", True), ("caching_device", None), ("name", None),
                  ("variable_def", None), ("dtype", None), ("expected_shape", None),
                  ("import_scope", None), ("constraint", None), ("use_resource", None),
                  ("synchronization", None), ("aggregation", None), ("shape", None)),
                 _variable, True),
    "get_variable": ((("name", REQUIRED), ("shape", None), ("dtype", None),
                      ("initializer", None), ("regularizer", None), ("trainable", None),
                      ("collections", None), ("caching_device", None), ("partitioner", None),
                      ("validate_shape", True), ("use_resource", None), ("custom_getter", None),
                      ("constraint", None), ("synchronization", None), ("aggregation", None)),
                     _variable, True),
    "nn.conv2d": (_CONV, _conv2d, True),
    "nn.max_pool": (_POOL, _pool("maxpool"), True),
    "nn.avg_pool": (_POOL, _pool("avgpool"), True),
    "nn.max_pool2d": (_POOL2D, _pool("maxpool"), True),
    "nn.avg_pool2d": (_POOL2D, _pool("avgpool"), True),
    "nn.dropout": ((("x", REQUIRED), ("keep_prob", None), ("noise_shape", None), ("seed", None),
                    ("name", None), ("rate", None)), _nn_dropout, True),
    "nn.bias_add": ((("value", REQUIRED), ("bias", REQUIRED), ("data_format", None),
                     ("name", None)), _bias_add, True),
    "matmul": ((("a", REQUIRED), ("b", REQUIRED), ("transpose_a", False),
                ("transpose_b", False), ("adjoint_a", False), ("adjoint_b", False),
                ("a_is_sparse", False), ("b_is_sparse", False), ("output_type", None),
                ("name", None)), _matmul, True),
    "nn.xw_plus_b": ((("x", REQUIRED), ("weights", REQUIRED), ("biases", REQUIRED),
                      ("name", None)), _xw_plus_b, True),
    "reshape": ((("tensor", REQUIRED), ("shape", REQUIRED), ("name", None)), _reshape, True),
    "nn.lrn": ((("input", REQUIRED), ("depth_radius", 5), ("bias", 1.0), ("alpha", 1.0),
                ("beta", 0.5), ("name", None)), _lrn, True),
    "nn.local_response_normalization": ((("input", REQUIRED), ("depth_radius", 5),
                                         ("bias", 1.0), ("alpha", 1.0), ("beta", 0.5),
                                         ("name", None)), _lrn, True),
    "nn.leaky_relu": ((("x", REQUIRED), ("alpha", 0.2), ("name", None)),
                      _activation_op("leakyrelu"), True),
    "nn.softmax": ((("x", REQUIRED), ("axis", None), ("name", None), ("dim", None)),
                   _activation_op("softmax"), True),
    "nn.log_softmax": ((("x", REQUIRED), ("axis", None), ("name", None), ("dim", None)),
                       _activation_op("logsoftmax"), True),
    "nn.softmax_cross_entropy_with_logits": (_LOSS, _loss("logits"), False),
    "nn.softmax_cross_entropy_with_logits_v2": (_LOSS, _loss("logits"), False),
    "nn.sparse_softmax_cross_entropy_with_logits": (_LOSS, _loss("logits"), False),
    "nn.sigmoid_cross_entropy_with_logits": (_LOSS, _loss("logits"), False),
    "losses.softmax_cross_entropy": ((("onehot_labels", REQUIRED), ("logits", REQUIRED),
                                      ("weights", 1.0), ("label_smoothing", 0),
                                      ("scope", None), ("loss_collection", None),
                                      ("reduction", None)), _loss("logits"), False),
    "losses.sparse_softmax_cross_entropy": ((("labels", REQUIRED), ("logits", REQUIRED),
                                             ("weights", 1.0), ("scope", None),
                                             ("loss_collection", None), ("reduction", None)),
                                            _loss("logits"), False),
    "losses.mean_squared_error": ((("labels", REQUIRED), ("predictions", REQUIRED),
                                   ("weights", 1.0), ("scope", None),
                                   ("loss_collection", None), ("reduction", None)),
                                  _loss("predictions"), False),
    "add": ((("x", REQUIRED), ("y", REQUIRED), ("name", None)), _add, True),
}
OPS.update(LAYER_OPS)
for _act, _kind in (("relu", "relu"), ("relu6", "relu6"), ("sigmoid", "sigmoid"),
                    ("tanh", "tanh"), ("elu", "elu")):
    for _where in ("nn.", "", "math."):
        OPS.setdefault(f"{_where}{_act}", ((("x", REQUIRED), ("name", None)),
                                           _activation_op(_kind), True))
for _r in ("reduce_mean", "reduce_sum", "math.reduce_mean", "math.reduce_sum"):
    OPS[_r] = (_REDUCE, _reduce, False)
for _e, _metric in (("log", False), ("square", False), ("exp", False), ("abs", False),
                    ("sqrt", False), ("pow", False), ("negative", False),
                    ("clip_by_value", False), ("subtract", False), ("multiply", False),
                    ("div", False), ("divide", False), ("math.log", False),
                    ("math.square", False), ("argmax", True), ("argmin", True),
                    ("equal", True), ("not_equal", True), ("cast", True), ("to_float", True),
                    ("math.argmax", True), ("math.equal", True)):
    OPS[_e] = (_ANY, _elementwise(_metric), False)



def tf_name(full: str) -> str | None:
    """'tensorflow.compat.v1.nn.conv2d' -> 'nn.conv2d'; None outside TensorFlow."""
    for prefix in ("tensorflow.compat.v1.", "tensorflow.compat.v2.", "tensorflow."):
        if full.startswith(prefix):
            return full[len(prefix):]
    return None


def library_call(run: Runner, full: str, node: ast.Call, args: list[object],
                 kwargs: dict[str, object]) -> object:
    name = tf_name(full)
    if name is None:
        return _other_call(full, node, args)
    entry = OPS.get(name)
    if entry is None:
        close = suggest(name, list(OPS))
        return Opaque(node.lineno, f"{text(node.func)}(...) is not a TensorFlow call cnncalc "
                      "reads", f"did you mean tf.{close}?" if close else HINT)
    params, handler, builds = entry
    if builds and not run.scope.graph:
        run.scope.graph = node.lineno
        run.graphs += 1
    try:
        b = bind(f"tf.{name}", params, node, args, kwargs)
        return handler(run, node, b)
    except CodeError as e:
        if builds:  # why a layer could not be made: told if no model can be found
            run.scope.problems.append(Opaque.of(e))
        raise


def _other_call(full: str, node: ast.Call, args: list[object]) -> object:
    plain = (int, float, str, bool, type(None))
    if full == "print":
        return None
    if full in ("len",) and len(args) == 1 and isinstance(args[0], (tuple, str)):
        return len(args[0])
    if full in ("int", "float") and len(args) == 1 and isinstance(args[0], (int, float)) \
            and not isinstance(args[0], bool):
        try:
            return int(args[0]) if full == "int" else float(args[0])
        except (OverflowError, ValueError):  # int(1e309), int(nan)
            return Opaque(node.lineno, f"{text(node)} is not a finite number")
    if full == "str" and len(args) == 1 and isinstance(args[0], plain):
        return str(args[0])[:1000]
    if full in ("numpy.prod", "np.prod", "math.prod") and len(args) == 1 and \
            isinstance(args[0], tuple) and all(type(a) is int for a in args[0]):
        n = numel(tuple(a for a in args[0] if isinstance(a, int)))
        return n if n <= MAX_NUMEL else Opaque(node.lineno, f"{text(node)} is too large")
    return Opaque(node.lineno, f"{text(node)} is only known when the code runs")


