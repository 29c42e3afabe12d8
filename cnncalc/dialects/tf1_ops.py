"""TensorFlow 1 calls as cnncalc layers: tf.nn, tf.layers, tf.contrib.layers, variables.

Each op is mapped to a spec layer under the Keras convention (TensorFlow's SAME padding is
Keras' `same`), and applied at once through the calculator's own shape rules, so a shape
that cannot be is refused on the line that makes it. Each variable is checked where it is
used: a filter's input channels, a matmul's inner size, a bias's length.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import TYPE_CHECKING

from .. import ops
from ..ops.shape import KERAS
from ..spec import Layer, parse
from .tf1_values import (
    MAX_DIM,
    MAX_NUMEL,
    Cost,
    Derived,
    Initial,
    Lib,
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

REQUIRED = object()
DROPOUT_FED = "dropout fed: "  # a note's mark: the rate is only known when the code runs
_HINT = "docs/spec.md lists the TensorFlow 1 calls cnncalc reads"

Handler = Callable[["Runner", ast.Call, dict[str, object]], object]


# --- values the ops take -------------------------------------------------------------------

def _known(v: object) -> object:
    if isinstance(v, Opaque):
        raise v.error()
    return v


def _int(v: object, node: ast.AST, what: str) -> int:
    v = _known(v)
    if type(v) is not int or not 0 < v <= MAX_DIM:
        raise err(node, f"{text(node)}: {what} must be a whole number from 1 to 10^12, "
                  f"not {_show(v)}")
    return v


def _show(v: object) -> str:
    if isinstance(v, (int, float, str, bool, type(None))):
        return repr(v)
    if isinstance(v, tuple):
        return "[" + ", ".join(_show(x) for x in v[:8]) + (", ..." if len(v) > 8 else "") + "]"
    return type(v).__name__.lower()


def shape_of(v: object, node: ast.AST, what: str = "the shape") -> tuple[int, ...]:
    """A shape written as a list of whole numbers, each checked."""
    v = _known(v)
    if type(v) is int:
        v = (v,)
    if not isinstance(v, tuple):
        raise err(node, f"{text(node)}: {what} must be a list of numbers, not {_show(v)}")
    out = tuple(_int(d, node, f"each size in {what}") for d in v)
    if numel(out) > MAX_NUMEL:
        raise err(node, f"{text(node)}: {what} holds more than 10^15 values")
    return out


def _pair(v: object, node: ast.AST, what: str, four: bool) -> tuple[int, int]:
    """A window or stride: n, [n, m], or TensorFlow's [1, n, m, 1]."""
    v = _known(v)
    if type(v) is int:
        return _int(v, node, what), _int(v, node, what)
    if isinstance(v, tuple) and len(v) == 1:
        n = _int(v[0], node, what)
        return n, n
    if isinstance(v, tuple) and len(v) == 2:
        return _int(v[0], node, what), _int(v[1], node, what)
    if isinstance(v, tuple) and len(v) == 4 and four:
        if v[0] != 1 or v[3] != 1:
            raise err(node, f"{text(node)}: {what} {_show(v)} moves over the batch or the "
                      "channels; cnncalc reads [1, height, width, 1]")
        return _int(v[1], node, what), _int(v[2], node, what)
    raise err(node, f"{text(node)}: {what} must be n, [n, m] or [1, n, m, 1], not {_show(v)}")


def _padding(v: object, node: ast.AST) -> str:
    v = _known(v)
    if isinstance(v, str) and v.upper() in ("SAME", "VALID"):
        return v.lower()
    raise err(node, f"{text(node)}: padding must be 'SAME' or 'VALID', not {_show(v)}",
              "explicit paddings are not read yet")


def _channels_last(v: object, node: ast.AST) -> None:
    v = _known(v)
    if v not in (None, "NHWC", "channels_last"):
        raise err(node, f"{text(node)}: data_format={_show(v)} is not read; cnncalc reads "
                  "NHWC (channels last) as TensorFlow's default")


def _size(h: int, w: int) -> str:
    return str(h) if h == w else f"{h}x{w}"


def as_tensor(run: Runner, v: object, node: ast.AST, what: str = "the input") -> Tensor:
    """A tensor of the model; a placeholder becomes the model's input."""
    if isinstance(v, Tensor):
        return v
    if isinstance(v, Opaque):
        raise v.error()
    if isinstance(v, Placeholder):
        return _input(v, node)
    if isinstance(v, Derived):
        raise err(node, f"{text(node)}: {what} is computed by {v.what or 'code'} (line "
                  f"{v.line}), which is not a layer cnncalc reads", _HINT)
    if isinstance(v, Var):
        raise err(node, f"{text(node)}: {what} is the variable {_var_name(v)}, not a "
                  "tensor of the model")
    raise err(node, f"{text(node)}: {what} is {_show(v)}, not a tensor of the model "
              "(a tf.placeholder, or a layer's output)")


def _input(p: Placeholder, node: ast.AST, written: tuple[int, ...] | None = None) -> Tensor:
    if p.shape is None:
        raise err(node, f"the placeholder {p.called()} (line {p.line}) has no shape",
                  "give tf.placeholder a shape such as [None, 784]")
    if len(p.shape) < 2 or (p.shape[0] is not None and written is None):
        raise err(node, f"the placeholder {p.called()} (line {p.line}) is {_show(p.shape)}; "
                  "cnncalc reads an input of [None, N] or [None, height, width, channels]")
    rest = p.shape[1:]
    if any(d is None for d in rest):
        raise err(node, f"the placeholder {p.called()} (line {p.line}) has a size known only "
                  f"when the code runs ({_show(p.shape)})", "write every size but the batch")
    sizes = tuple(d for d in rest if d is not None)
    if len(sizes) == 3:
        shape: tuple[int, ...] = (sizes[2], sizes[0], sizes[1])
    elif len(sizes) == 1:
        shape = sizes
    else:
        raise err(node, f"the placeholder {p.called()} (line {p.line}) is {_show(p.shape)}; "
                  "cnncalc reads [None, N] or [None, height, width, channels]")
    note = f"the placeholder {p.called()} {_show(p.shape)} (line {p.line})"
    return Tensor(None, "", (), None, shape, p.line, 0, note)


def _var_name(v: Var) -> str:
    return v.name or f"made on line {v.line}"


def use_var(v: object, node: ast.AST, role: str) -> Var:
    if isinstance(v, Opaque):
        raise v.error()
    if isinstance(v, Var):
        line = getattr(node, "lineno", 0)
        if v.used and v.used != line:
            raise err(node, f"{text(node)}: the variable {v.name} is used again (first on line "
                      f"{v.used}); shared weights are not read yet")
        v.used = line
        return v
    if isinstance(v, Initial) or isinstance(v, (int, float, tuple)):
        raise err(node, f"{text(node)}: {role} is a constant, not a tf.Variable; cnncalc "
                  "counts trainable variables", "wrap it in tf.Variable(...)")
    raise err(node, f"{text(node)}: {role} is not a tf.Variable ({_show(v)})")


def step(t: Tensor, kind: str, args: tuple[str, ...], bias: bool | None,
         node: ast.AST, notes: tuple[str, ...] = (), weights: tuple[Var, ...] = ()) -> Tensor:
    """The tensor a layer makes from `t`, its shape from the calculator's own rule."""
    probe = Tensor(t, kind, args, bias, t.shape, 0, 0)
    shape = t.shape
    for layer in parse(probe.spec()):
        assert isinstance(layer, Layer)
        try:
            done = ops.apply(layer, shape, KERAS)
            ops.check_size(done, KERAS)
        except ops.Refusal as r:
            raise err(node, f"{text(node)}: {r.reason} (input {dims(shape)})",
                      getattr(r, "hint", None)) from None
        shape = done.output_shape
    return Tensor(t, kind, args, bias, shape, getattr(node, "lineno", 0), t.depth + 1,
                  notes=notes, weights=weights)


def with_bias(t: Tensor, b: object, node: ast.AST) -> Tensor:
    """conv(x, W) + b, tf.nn.bias_add, matmul(x, W) + b: the bias joins its layer."""
    if t.bias is not False:
        what = "already has a bias" if t.bias else f"is the output of {t.spec()}"
        raise err(node, f"{text(node)}: a bias is read right after tf.nn.conv2d or tf.matmul, "
                  f"but this tensor {what}")
    var = use_var(b, node, "the bias")
    out = t.shape[0]
    if not var.shape or var.shape[-1] != out or numel(var.shape) != out:
        raise err(node, f"{text(node)}: the bias {var.name} is {_show(var.shape)}, but the "
                  f"layer it is added to has {out} output{'s' * (out != 1)}")
    return Tensor(t.parent, t.kind, t.args, True, t.shape, t.line, t.depth, t.input_note,
                  t.notes, (*t.weights, var))


# --- binding -------------------------------------------------------------------------------

def bind(name: str, params: tuple[tuple[str, object], ...], node: ast.Call,
         args: list[object], kwargs: dict[str, object]) -> dict[str, object]:
    names = [p for p, _ in params]
    if len(args) > len(names):
        raise err(node, f"{text(node)}: {name} takes at most {len(names)} arguments")
    out: dict[str, object] = dict(zip(names, args))
    for k, v in kwargs.items():
        if k not in names:
            close = suggest(k, names)
            raise err(node, f"{name} has no argument '{k}'" +
                      (f"; did you mean '{close}'?" if close else ""))
        if k in out:
            raise err(node, f"{name} got '{k}' twice")
        out[k] = v
    for p, default in params:
        if p not in out:
            if default is REQUIRED:
                raise err(node, f"{text(node)}: {name} needs '{p}'")
            out[p] = default
    return out


def _activation(v: object, node: ast.AST) -> tuple[str, ...]:
    """activation=tf.nn.relu: the spec layer it adds (none for None)."""
    if v is None:
        return ()
    if isinstance(v, Lib):
        tail = v.name.rsplit(".", 1)[-1]
        if tail in _ACTIVATIONS:
            return (_ACTIVATIONS[tail],)
    if isinstance(v, Opaque):
        raise v.error()
    raise err(node, f"{text(node)}: the activation {text(node, 30)} is not one cnncalc reads",
              "use tf.nn.relu, sigmoid, tanh, elu, relu6, softmax or None")


_ACTIVATIONS = {"relu": "relu", "relu6": "relu6", "sigmoid": "sigmoid", "tanh": "tanh",
                "elu": "elu", "softmax": "softmax", "log_softmax": "logsoftmax",
                "leaky_relu": "leakyrelu(slope=0.2)", "swish": "silu", "silu": "silu",
                "gelu": "gelu"}


def _then(t: Tensor, extra: tuple[str, ...], node: ast.AST) -> Tensor:
    for a in extra:
        kind, _, rest = a.partition("(")
        t = step(t, kind, (rest[:-1],) if rest else (), None, node)
    return t


# --- the ops -------------------------------------------------------------------------------

def _placeholder(run: Runner, node: ast.Call, b: dict[str, object]) -> object:
    raw = b["shape"]
    if raw is None:
        shape = None
    else:
        raw = _known(raw)
        if not isinstance(raw, tuple):
            raise err(node, f"{text(node)}: the shape must be a list such as [None, 784]")
        shape = tuple(None if d is None or d == -1 else _int(d, node, "each size")
                      for d in raw)
    return Placeholder(shape, node.lineno)


def _initial(run: Runner, node: ast.Call, b: dict[str, object]) -> object:
    if "dims" in b:  # tf.fill
        return Initial(shape_of(b["dims"], node), node.lineno)
    if "value" in b and b.get("shape") is None:  # tf.constant(value)
        return Initial(_nested(_known(b["value"]), node), node.lineno)
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
    if _known(b["trainable"]) is False:
        raise err(node, f"{text(node)}: a variable with trainable=False is not read yet")
    shape = b.get("shape")
    if shape is not None:  # the initializer then changes no count, and is not read
        return Var(shape_of(shape, node), node.lineno, "")
    init = _known(b["initial_value"] if "initial_value" in b else b["initializer"])
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
    sh, sw = _pair(b["strides"], node, "strides", True)
    pad = _padding(b["padding"], node)
    _channels_last(b["data_format"], node)
    dh, dw = _pair(b["dilations"], node, "dilations", True) \
        if b["dilations"] is not None else (1, 1)
    if len(w.shape) != 4:
        raise err(node, f"{text(node)}: the filter {w.name} is {_show(w.shape)}; a filter is "
                  "[height, width, in_channels, out_channels]")
    if len(x.shape) != 3:
        raise err(node, f"{text(node)}: the input is flat ({dims(x.shape)}); tf.nn.conv2d "
                  "needs [batch, height, width, channels]", "tf.reshape it first")
    kh, kw, cin, cout = w.shape
    if cin != x.shape[0]:
        raise err(node, f"{text(node)}: the filter {w.name} {_show(w.shape)} is made for "
                  f"{cin} input channel{'s' * (cin != 1)}, but its input has {x.shape[0]} "
                  f"({dims(x.shape)})")
    args = (str(cout), _size(kh, kw), *(() if (sh, sw) == (1, 1) else
                                        (f"stride={_size(sh, sw)}",)),
            f"padding={pad}", *(() if (dh, dw) == (1, 1) else (f"dilation={_size(dh, dw)}",)))
    return step(x, "conv", args, False, node, weights=(w,))


def _pool(kind: str) -> Handler:
    def handler(run: Runner, node: ast.Call, b: dict[str, object]) -> object:
        x = as_tensor(run, b["value"] if b.get("value") is not None else b.get("input"), node)
        kh, kw = _pair(b["ksize"], node, "ksize", True)
        sh, sw = _pair(b["strides"], node, "strides", True)
        pad = _padding(b["padding"], node)
        _channels_last(b["data_format"], node)
        return step(x, kind, (_size(kh, kw), f"stride={_size(sh, sw)}", f"padding={pad}"),
                    None, node)
    return handler


def _activation_op(kind: str) -> Handler:
    def handler(run: Runner, node: ast.Call, b: dict[str, object]) -> object:
        x = b["x"]
        if isinstance(x, Derived) or (isinstance(x, Opaque) and kind != "relu"):
            return x
        t = as_tensor(run, x, node)
        if ("axis" in b and _known(b["axis"]) not in (None, -1)) or \
                _known(b.get("dim")) not in (None, -1):
            raise err(node, f"{text(node)}: softmax over another axis than the last is not "
                      "read")
        if kind == "leakyrelu":
            alpha = _known(b["alpha"])
            if not isinstance(alpha, (int, float)) or isinstance(alpha, bool):
                raise err(node, f"{text(node)}: alpha must be a number")
            return step(t, kind, (f"slope={alpha}",), None, node)
        return step(t, kind, (), None, node)
    return handler


def _dropout_rate(rate: object, keep: object, node: ast.AST) -> tuple[tuple[str, ...],
                                                                      tuple[str, ...]]:
    for value, is_keep in ((rate, False), (keep, True)):
        if value is None:
            continue
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            p = 1 - value if is_keep else value
            if not 0 <= p < 1:
                raise err(node, f"{text(node)}: the dropout rate {p:g} is not in [0, 1)")
            return (f"{p:g}",), ()
        return (), (f"{DROPOUT_FED}{'keep probability' if is_keep else 'rate'}",)
    return (), ()


def _nn_dropout(run: Runner, node: ast.Call, b: dict[str, object]) -> object:
    x = as_tensor(run, b["x"], node)
    args, notes = _dropout_rate(b["rate"], b["keep_prob"], node)
    return step(x, "dropout", args, None, node, notes)


def _bias_add(run: Runner, node: ast.Call, b: dict[str, object]) -> object:
    _channels_last(b["data_format"], node)
    return with_bias(as_tensor(run, b["value"], node), b["bias"], node)


def _matmul(run: Runner, node: ast.Call, b: dict[str, object]) -> object:
    for flag in ("transpose_a", "transpose_b", "adjoint_a", "adjoint_b"):
        if _known(b[flag]):
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
        raise err(node, f"{text(node)}: the weight {w.name} is {_show(w.shape)}; a weight is "
                  "[inputs, outputs]")
    if w.shape[0] != x.shape[0]:
        raise err(node, f"{text(node)}: the weight {w.name} {_show(w.shape)} is made for "
                  f"{w.shape[0]} inputs, but its input has {x.shape[0]}")
    return step(x, "fc", (str(w.shape[1]),), False, node, weights=(w,))


def _xw_plus_b(run: Runner, node: ast.Call, b: dict[str, object]) -> object:
    return with_bias(dense_from(run, b["x"], b["weights"], node), b["biases"], node)


def _reshape(run: Runner, node: ast.Call, b: dict[str, object]) -> object:
    raw = _known(b["shape"])
    src = b["tensor"]
    if not isinstance(raw, tuple) or len(raw) < 2:
        raise err(node, f"{text(node)}: cnncalc reads a reshape to [-1, N] or "
                  "[-1, height, width, channels]")
    first, rest = raw[0], raw[1:]
    if not (first == -1 or first is None or isinstance(first, Opaque)):
        raise err(node, f"{text(node)}: the first size must be -1, the batch",
                  "write tf.reshape(x, [-1, ...])")
    sizes = tuple(_int(d, node, "each size after the batch") for d in rest)
    if isinstance(src, Placeholder) and src.shape is not None:
        given = src.shape[1:]
        if any(d is None for d in given):
            raise err(node, f"{text(node)}: the placeholder has a size known only when the "
                      "code runs")
        have = numel(tuple(d for d in given if d is not None))
        if have != numel(sizes):
            raise err(node, f"{text(node)}: the placeholder {src.called()} holds {have:,} values "
                      f"per example, but {_show(raw)} needs {numel(sizes):,}")
        if len(sizes) not in (1, 3):
            raise err(node, f"{text(node)}: cnncalc reads an input of N or height x width x "
                      "channels")
        shaped = Placeholder((None, *sizes), src.line, src.called())
        t = _input(shaped, node)
        note = (f"the placeholder {src.called()} {_show(src.shape)} (line {src.line}), read as "
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
    raise err(node, f"{text(node)}: a reshape from {dims(x.shape)} to {_show(raw)} is not "
              "read yet", "cnncalc reads a flatten, tf.reshape(x, [-1, N])")


def _flatten(run: Runner, node: ast.Call, b: dict[str, object]) -> object:
    if "data_format" in b:
        _channels_last(b["data_format"], node)
    x = as_tensor(run, b["inputs"], node)
    return x if len(x.shape) == 1 else step(x, "flatten", (), None, node)


def _no_reuse(b: dict[str, object], node: ast.AST) -> None:
    if _known(b.get("reuse")) not in (None, False):
        raise err(node, f"{text(node)}: reuse= shares weights; that is not read yet")
    if _known(b.get("trainable", True)) is not True:
        raise err(node, f"{text(node)}: trainable=False is not read yet")


def _layers_conv2d(run: Runner, node: ast.Call, b: dict[str, object]) -> object:
    _no_reuse(b, node)
    _channels_last(b["data_format"], node)
    x = as_tensor(run, b["inputs"], node)
    out = _int(b["filters"], node, "filters")
    kh, kw = _pair(b["kernel_size"], node, "kernel_size", False)
    sh, sw = _pair(b["strides"], node, "strides", False)
    dh, dw = _pair(b["dilation_rate"], node, "dilation_rate", False)
    pad = _padding(b["padding"], node)
    return _conv_layer(x, out, (kh, kw), (sh, sw), (dh, dw), pad,
                       bool(_known(b["use_bias"])), _activation(b["activation"], node), node)


def _conv_layer(x: Tensor, out: int, k: tuple[int, int], s: tuple[int, int],
                d: tuple[int, int], pad: str, bias: bool, act: tuple[str, ...],
                node: ast.AST) -> Tensor:
    if len(x.shape) != 3:
        raise err(node, f"{text(node)}: the input is flat ({dims(x.shape)}); a convolution "
                  "needs [batch, height, width, channels]", "tf.reshape it first")
    args = (str(out), _size(*k), *(() if s == (1, 1) else (f"stride={_size(*s)}",)),
            f"padding={pad}", *(() if d == (1, 1) else (f"dilation={_size(*d)}",)))
    t = step(x, "conv", args if bias else (*args, "bias=false"), None, node)
    return _then(t, act, node)


def _layers_pool(kind: str) -> Handler:
    def handler(run: Runner, node: ast.Call, b: dict[str, object]) -> object:
        _channels_last(b["data_format"], node)
        x = as_tensor(run, b["inputs"], node)
        kh, kw = _pair(b["pool_size"], node, "pool_size", False)
        sh, sw = _pair(b["strides"], node, "strides", False)
        return step(x, kind, (_size(kh, kw), f"stride={_size(sh, sw)}",
                              f"padding={_padding(b['padding'], node)}"), None, node)
    return handler


def _dense_layer(x: Tensor, units: int, bias: bool, act: tuple[str, ...],
                 node: ast.AST) -> Tensor:
    if len(x.shape) != 1:
        raise err(node, f"{text(node)}: a dense layer on {dims(x.shape)} acts on the last "
                  "axis only; cnncalc reads it on a flat input",
                  f"flatten it first: tf.reshape(x, [-1, {numel(x.shape)}])")
    args = (str(units),) if bias else (str(units), "bias=false")
    return _then(step(x, "fc", args, None, node), act, node)


def _layers_dense(run: Runner, node: ast.Call, b: dict[str, object]) -> object:
    _no_reuse(b, node)
    x = as_tensor(run, b["inputs"], node)
    return _dense_layer(x, _int(b["units"], node, "units"), bool(_known(b["use_bias"])),
                        _activation(b["activation"], node), node)


def _layers_dropout(run: Runner, node: ast.Call, b: dict[str, object]) -> object:
    x = as_tensor(run, b["inputs"], node)
    args, notes = _dropout_rate(b["rate"], None, node)
    return step(x, "dropout", args, None, node, notes)


def _layers_batch_norm(run: Runner, node: ast.Call, b: dict[str, object]) -> object:
    _no_reuse(b, node)
    x = as_tensor(run, b["inputs"], node)
    axis = _known(b["axis"])
    if axis not in (-1, len(x.shape)) or _known(b["center"]) is not True or \
            _known(b["scale"]) is not True or _known(b["renorm"]) or \
            _known(b["virtual_batch_size"]) is not None:
        raise err(node, f"{text(node)}: cnncalc reads batch normalization over the last axis "
                  "with center and scale, without renorm or virtual batches")
    eps, momentum = _known(b["epsilon"]), _known(b["momentum"])
    for v, what in ((eps, "epsilon"), (momentum, "momentum")):
        if not isinstance(v, (int, float)) or isinstance(v, bool):
            raise err(node, f"{text(node)}: {what} must be a number")
    assert isinstance(momentum, (int, float))
    # TensorFlow's momentum weighs the old statistic, PyTorch's (the spec's) the new one.
    return step(x, "bn", (f"eps={eps}", f"momentum={round(1.0 - momentum, 12)}"), None, node)


def _lrn(run: Runner, node: ast.Call, b: dict[str, object]) -> object:
    x = as_tensor(run, b["input"], node)
    r = _known(b["depth_radius"])
    if type(r) is not int or not 0 <= r <= 10**6:
        raise err(node, f"{text(node)}: depth_radius must be a whole number")
    values = [_known(b[k]) for k in ("bias", "alpha", "beta")]
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        raise err(node, f"{text(node)}: bias, alpha and beta must be numbers")
    bias, alpha, beta = (float(v) for v in values)  # type: ignore[arg-type]
    size = 2 * r + 1
    # TensorFlow divides by (bias + alpha·Σa²)^beta over 2r + 1 channels; PyTorch's (the
    # spec's) alpha is divided by the size: the same function with alpha·size.
    return step(x, "lrn", (f"size={size}", f"alpha={alpha * size:g}", f"beta={beta:g}",
                           f"k={bias:g}"), None, node)


def _contrib_conv2d(run: Runner, node: ast.Call, b: dict[str, object]) -> object:
    _no_reuse(b, node)
    _channels_last(b["data_format"], node)
    if _known(b["normalizer_fn"]) is not None:
        raise err(node, f"{text(node)}: normalizer_fn= is not read yet")
    x = as_tensor(run, b["inputs"], node)
    out = _int(b["num_outputs"], node, "num_outputs")
    k = _pair(b["kernel_size"], node, "kernel_size", False)
    s = _pair(b["stride"], node, "stride", False)
    d = _pair(b["rate"], node, "rate", False)
    bias = b["biases_initializer"] is not None
    return _conv_layer(x, out, k, s, d, _padding(b["padding"], node), bias,
                       _activation(b["activation_fn"], node), node)


def _contrib_dense(run: Runner, node: ast.Call, b: dict[str, object]) -> object:
    _no_reuse(b, node)
    if _known(b["normalizer_fn"]) is not None:
        raise err(node, f"{text(node)}: normalizer_fn= is not read yet")
    x = as_tensor(run, b["inputs"], node)
    return _dense_layer(x, _int(b["num_outputs"], node, "num_outputs"),
                        b["biases_initializer"] is not None,
                        _activation(b["activation_fn"], node), node)


def _contrib_pool(kind: str) -> Handler:
    def handler(run: Runner, node: ast.Call, b: dict[str, object]) -> object:
        _channels_last(b["data_format"], node)
        x = as_tensor(run, b["inputs"], node)
        kh, kw = _pair(b["kernel_size"], node, "kernel_size", False)
        sh, sw = _pair(b["stride"], node, "stride", False)
        return step(x, kind, (_size(kh, kw), f"stride={_size(sh, sw)}",
                              f"padding={_padding(b['padding'], node)}"), None, node)
    return handler


def _contrib_dropout(run: Runner, node: ast.Call, b: dict[str, object]) -> object:
    x = as_tensor(run, b["inputs"], node)
    args, notes = _dropout_rate(None, b["keep_prob"], node)
    return step(x, "dropout", args, None, node, notes)


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
    "nn.lrn": ((("input", REQUIRED), ("depth_radius", 5), ("bias", 1.0), ("alpha", 1.0),
                ("beta", 0.5), ("name", None)), _lrn, True),
    "nn.local_response_normalization": ((("input", REQUIRED), ("depth_radius", 5),
                                         ("bias", 1.0), ("alpha", 1.0), ("beta", 0.5),
                                         ("name", None)), _lrn, True),
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


# --- the dispatch --------------------------------------------------------------------------

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
                      "reads", f"did you mean tf.{close}?" if close else _HINT)
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


def static_shape(t: Tensor) -> tuple[object, ...]:
    """x.get_shape() / x.shape as TensorFlow gives it: (None, H, W, C) or (None, N)."""
    if len(t.shape) == 3:
        return (None, t.shape[1], t.shape[2], t.shape[0])
    return (None, *t.shape)


def method_call(run: Runner, base: object, attr: str, node: ast.Call, args: list[object],
                kwargs: dict[str, object]) -> object:
    if isinstance(base, Tensor) and attr == "get_shape" and not args:
        return static_shape(base)
    if isinstance(base, Placeholder) and attr == "get_shape" and base.shape is not None:
        return base.shape
    if isinstance(base, Var) and attr == "get_shape":
        return base.shape
    if isinstance(base, tuple) and attr == "as_list" and not args:
        return base
    return Opaque(node.lineno, f"{text(node)} is only known when the code runs")


def tensor_binop(run: Runner, op: ast.operator, left: object, right: object,
                 node: ast.AST) -> object:
    """Arithmetic on the graph: a bias added to a conv or a matmul joins its layer; an
    error term or a log of the output is outside the model."""
    line = getattr(node, "lineno", 0)
    if isinstance(op, ast.Add):
        for t, other in ((left, right), (right, left)):
            if isinstance(t, Tensor) and isinstance(other, Var):
                return with_bias(t, other, node)
        if isinstance(left, Tensor) and isinstance(right, Tensor):
            raise err(node, f"{text(node)}: a sum of two tensors of the model (a branch) is "
                      "not read yet in TensorFlow 1 code")
        for t, other in ((left, right), (right, left)):
            if isinstance(t, Tensor) and isinstance(other, Initial):
                raise err(node, f"{text(node)}: a constant is added to the model; cnncalc "
                          "reads a tf.Variable bias", "wrap it in tf.Variable(...)")
    for v in (left, right):
        if isinstance(v, (Tensor, Derived)):
            src = v.tensor if isinstance(v, Derived) else v
            return Derived(src, False, line, text(node))
    return Opaque(line, f"{text(node)} is only known when the code runs")

