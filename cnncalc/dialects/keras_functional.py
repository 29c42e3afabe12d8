"""Keras' functional API: keras.Input, `layers.X(...)(x)`, layers.add, and keras.Model.

Each statement is read when it runs, so a tensor is exactly what the code made it at that
point. A tensor the reader cannot follow is an Unknown that names why; a model built from it
is that error. When a tensor meets two problems, the one earlier in the code is kept.
"""

from __future__ import annotations

import ast
from collections.abc import Callable

from ..spec import Node
from .binding import KERAS
from .code import Model, Reader, check_dialect, finish
from .kinds import LayerObj
from .tensors import Source, Tensor, add, start
from .values import CodeError, Unknown, Values, at_line, close_name, err, text

INPUTS = ("Input", "keras.Input", "layers.Input", "keras.layers.Input", "tf.keras.Input",
          "tf.keras.layers.Input")
ADDS = ("Add", "layers.Add", "keras.layers.Add", "tf.keras.layers.Add")
ADD_FUNCTIONS = ("layers.add", "keras.layers.add", "tf.keras.layers.add")
MODELS = ("keras.Model", "Model", "tf.keras.Model", "keras.models.Model", "models.Model",
          "tf.keras.models.Model")
_MODEL_KEYWORDS = ["inputs", "outputs", "name", "trainable"]

Value = object


def first_unknown(*values: Value) -> Unknown | None:
    """The problem that comes first in the code among values that are Unknown."""
    found = [v for v in values if isinstance(v, Unknown)]
    if not found:
        return None
    return min(found, key=lambda u: u.line if u.line is not None else 1 << 62)


def _keep_first(value: Value, error: CodeError) -> Unknown:
    mine = Unknown.of(error)
    earlier = first_unknown(value, mine)
    assert earlier is not None
    return earlier


def input_tensor(call: ast.Call, values: Values) -> Value:
    """keras.Input(shape=...): where a functional model's tensors start."""
    try:
        check_dialect(call, KERAS)
        bound = Reader(values, KERAS).bind(call, True)
    except CodeError as e:
        return Unknown.of(e)
    return start(Source(call.lineno, bound.input_shape))


def _tensor(value: Value, node: ast.AST) -> Tensor | Unknown:
    if isinstance(value, (Tensor, Unknown)):
        return value
    return Unknown.of(err(node, f"{text(node)} is not a tensor of the model"))


def apply_layer(layer: ast.Call, node: ast.Call, value: Value, values: Values) -> Value:
    """`layers.X(...)(x)`: x with the layer's rows added."""
    x = _tensor(value, node.args[0] if node.args else node)
    try:
        check_dialect(layer, KERAS)
        if len(node.args) != 1 or node.keywords:
            raise err(node, f"{text(node)}: a layer takes one tensor here",
                      "write x = layers.X(...)(x)")
        nodes = Reader(values, KERAS).layer_call(layer, False)
    except CodeError as e:
        return _keep_first(x, e)
    if isinstance(x, Unknown):
        return x
    return x.then(nodes)


def apply_object(obj: LayerObj, name: str, node: ast.Call, value: Value) -> Value:
    """`conv(x)` for a layer object built earlier; a second use would share its weights."""
    x = _tensor(value, node.args[0] if node.args else node)
    obj.uses += 1
    try:
        if obj.poison is not None:
            raise obj.poison
        if len(node.args) != 1 or node.keywords:
            raise err(node, f"{text(node)}: a layer takes one tensor here")
        if obj.uses > 1:
            raise err(node, f"{name} is applied twice, sharing its weights",
                      "a layer table cannot show shared weights; define a second layer")
        check_dialect(obj.call, KERAS)
        nodes = Reader(Values(base=obj.view), KERAS).layer_call(obj.call, False)
    except CodeError as e:
        return _keep_first(x, e)
    if isinstance(x, Unknown):
        return x
    return x.then(nodes)


def add_tensors(items: list[Value], node: ast.AST) -> Value:
    """layers.add([a, b]) or layers.Add()([a, b]): a residual block."""
    if len(items) != 2:
        return Unknown.of(err(node, "Add takes a list of two tensors"))
    a, b = (_tensor(v, node) for v in items)
    earlier = first_unknown(a, b)
    if earlier is not None:
        return earlier
    assert isinstance(a, Tensor) and isinstance(b, Tensor)
    try:
        return add(a, b, node)
    except CodeError as e:
        return Unknown.of(e)


def model(call: ast.Call, arg: Callable[[ast.expr], Value], name: str) -> Callable[[], Model]:
    """keras.Model(inputs, outputs): the layers from one keras.Input to the outputs."""
    problem: CodeError | None = None
    given: dict[str, ast.expr] = {}
    for k in call.keywords:
        if k.arg is None:
            problem = problem or err(call, f"**{text(k.value)} is only known when the code runs")
        elif k.arg in _MODEL_KEYWORDS:
            given[k.arg] = k.value
        else:
            hint = close_name(k.arg, _MODEL_KEYWORDS) or "it takes inputs and outputs"
            problem = problem or err(call, f"keras.Model has no argument '{k.arg}'", hint)
    for key, a in zip(("inputs", "outputs"), call.args):
        given.setdefault(key, a)
    if len(call.args) > 2 or any(isinstance(a, ast.Starred) for a in call.args):
        problem = problem or err(call, "keras.Model takes inputs and outputs")
    inputs = arg(given["inputs"]) if "inputs" in given else None
    outputs = arg(given["outputs"]) if "outputs" in given else None
    if problem is None and (inputs is None or outputs is None):
        problem = err(call, "keras.Model needs inputs and outputs")
    result: Model | CodeError
    earlier = first_unknown(inputs, outputs)
    if earlier is not None and (problem is None or (earlier.line or 0) < (problem.line or 0)):
        result = earlier.error()
    elif problem is not None:
        result = problem
    else:
        result = _assemble(call, inputs, outputs, name)

    def build() -> Model:
        if isinstance(result, CodeError):
            raise result
        return result
    return build


def _assemble(call: ast.Call, inputs: Value, outputs: Value, name: str) -> Model | CodeError:
    if not (isinstance(inputs, Tensor) and inputs.parent is None and not inputs.nodes):
        return err(call, "keras.Model inputs must be one keras.Input tensor")
    if not isinstance(outputs, Tensor):
        return err(call, "keras.Model outputs must be one tensor of the model",
                   "several outputs are not read yet")
    if outputs.source is not inputs.source:
        return at_line(call.lineno, "the outputs of keras.Model do not come from its inputs")
    nodes: list[Node] = list(outputs.path())
    try:
        return finish(name, KERAS, nodes, inputs.source.shape, call)
    except CodeError as e:
        return e
