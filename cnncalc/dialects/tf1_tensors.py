"""What the TensorFlow 1 ops take and make: arguments checked, variables checked where
they are used, and each layer applied at once through the calculator's own shape rules, so
a shape that cannot be is refused on the line that makes it."""

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
from .values import err, text

if TYPE_CHECKING:
    from .tf1_run import Runner

REQUIRED = object()
DROPOUT_FED = "dropout fed: "  # a note's mark: the rate is only known when the code runs
HINT = "'cnncalc docs spec tensorflow' lists the TensorFlow 1 calls cnncalc reads"

Handler = Callable[["Runner", ast.Call, dict[str, object]], object]



def known(v: object) -> object:
    if isinstance(v, Opaque):
        raise v.error()
    return v


def whole(v: object, node: ast.AST, what: str) -> int:
    v = known(v)
    if type(v) is not int or not 0 < v <= MAX_DIM:
        raise err(node, f"{text(node)}: {what} must be a whole number from 1 to 10^12, "
                  f"not {show(v)}")
    return v


def show(v: object) -> str:
    if isinstance(v, (int, float, str, bool, type(None))):
        return repr(v)
    if isinstance(v, tuple):
        return "[" + ", ".join(show(x) for x in v[:8]) + (", ..." if len(v) > 8 else "") + "]"
    return type(v).__name__.lower()


def shape_of(v: object, node: ast.AST, what: str = "the shape") -> tuple[int, ...]:
    """A shape written as a list of whole numbers, each checked."""
    v = known(v)
    if type(v) is int:
        v = (v,)
    if not isinstance(v, tuple):
        raise err(node, f"{text(node)}: {what} must be a list of numbers, not {show(v)}")
    out = tuple(whole(d, node, f"each size in {what}") for d in v)
    if numel(out) > MAX_NUMEL:
        raise err(node, f"{text(node)}: {what} holds more than 10^15 values")
    return out


def pair(v: object, node: ast.AST, what: str, four: bool) -> tuple[int, int]:
    """A window or stride: n, [n, m], or TensorFlow's [1, n, m, 1]."""
    v = known(v)
    if type(v) is int:
        return whole(v, node, what), whole(v, node, what)
    if isinstance(v, tuple) and len(v) == 1:
        n = whole(v[0], node, what)
        return n, n
    if isinstance(v, tuple) and len(v) == 2:
        return whole(v[0], node, what), whole(v[1], node, what)
    if isinstance(v, tuple) and len(v) == 4 and four:
        if v[0] != 1 or v[3] != 1:
            raise err(node, f"{text(node)}: {what} {show(v)} moves over the batch or the "
                      "channels; cnncalc reads [1, height, width, 1]")
        return whole(v[1], node, what), whole(v[2], node, what)
    raise err(node, f"{text(node)}: {what} must be n, [n, m] or [1, n, m, 1], not {show(v)}")


def padding_of(v: object, node: ast.AST) -> str:
    v = known(v)
    if isinstance(v, str) and v.upper() in ("SAME", "VALID"):
        return v.lower()
    raise err(node, f"{text(node)}: padding must be 'SAME' or 'VALID', not {show(v)}",
              "explicit paddings are not read yet")


def channels_last(v: object, node: ast.AST) -> None:
    v = known(v)
    if v not in (None, "NHWC", "channels_last"):
        raise err(node, f"{text(node)}: data_format={show(v)} is not read; cnncalc reads "
                  "NHWC (channels last) as TensorFlow's default")


def size_text(h: int, w: int) -> str:
    return str(h) if h == w else f"{h}x{w}"


def as_tensor(run: Runner, v: object, node: ast.AST, what: str = "the input") -> Tensor:
    """A tensor of the model; a placeholder becomes the model's input."""
    if isinstance(v, Tensor):
        return v
    if isinstance(v, Opaque):
        raise v.error()
    if isinstance(v, Placeholder):
        return input_of(v, node)
    if isinstance(v, Derived):
        raise err(node, f"{text(node)}: {what} is computed by {v.what or 'code'} (line "
                  f"{v.line}), which is not a layer cnncalc reads", HINT)
    if isinstance(v, Var):
        raise err(node, f"{text(node)}: {what} is the variable {var_name(v)}, not a "
                  "tensor of the model")
    raise err(node, f"{text(node)}: {what} is {show(v)}, not a tensor of the model "
              "(a tf.placeholder, or a layer's output)")


def input_of(p: Placeholder, node: ast.AST,
             written: tuple[int, ...] | None = None) -> Tensor:
    if p.shape is None:
        raise err(node, f"the placeholder {p.called()} (line {p.line}) has no shape",
                  "give tf.placeholder a shape such as [None, 784]")
    if len(p.shape) < 2 or (p.shape[0] is not None and written is None):
        raise err(node, f"the placeholder {p.called()} (line {p.line}) is {show(p.shape)}; "
                  "cnncalc reads an input of [None, N] or [None, height, width, channels]")
    rest = p.shape[1:]
    if any(d is None for d in rest):
        raise err(node, f"the placeholder {p.called()} (line {p.line}) has a size known only "
                  f"when the code runs ({show(p.shape)})", "write every size but the batch")
    sizes = tuple(d for d in rest if d is not None)
    if len(sizes) == 3:
        shape: tuple[int, ...] = (sizes[2], sizes[0], sizes[1])
    elif len(sizes) == 1:
        shape = sizes
    else:
        raise err(node, f"the placeholder {p.called()} (line {p.line}) is {show(p.shape)}; "
                  "cnncalc reads [None, N] or [None, height, width, channels]")
    note = f"the placeholder {p.called()} {show(p.shape)} (line {p.line})"
    return Tensor(None, "", (), None, shape, p.line, 0, note)


def var_name(v: Var) -> str:
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
    raise err(node, f"{text(node)}: {role} is not a tf.Variable ({show(v)})")


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
        raise err(node, f"{text(node)}: the bias {var.name} is {show(var.shape)}, but the "
                  f"layer it is added to has {out} output{'s' * (out != 1)}")
    return Tensor(t.parent, t.kind, t.args, True, t.shape, t.line, t.depth, t.input_note,
                  t.notes, (*t.weights, var))



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


def activation_layers(v: object, node: ast.AST) -> tuple[str, ...]:
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


def then(t: Tensor, extra: tuple[str, ...], node: ast.AST) -> Tensor:
    for a in extra:
        kind, _, rest = a.partition("(")
        t = step(t, kind, (rest[:-1],) if rest else (), None, node)
    return t



def dropout_rate(rate: object, keep: object, node: ast.AST) -> tuple[tuple[str, ...],
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

