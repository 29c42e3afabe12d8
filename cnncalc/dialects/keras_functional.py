"""Read Keras' functional API: Input, `x = layers.X(...)(x)`, Add, keras.Model."""

from __future__ import annotations

import ast
from collections.abc import Callable

from ..spec import Node
from .binding import KERAS
from .code import (
    CodeError,
    Model,
    Reader,
    Values,
    _dialect,
    _err,
    _text,
    dotted,
    sequential_dialect,
)
from .torch_module import Path, _assignment, _copy, _finish, join_add

_INPUTS = ("Input", "keras.Input", "layers.Input", "keras.layers.Input", "tf.keras.Input",
           "tf.keras.layers.Input")
_ADDS = ("Add", "layers.Add", "keras.layers.Add", "tf.keras.layers.Add")
_ADD_FUNCTIONS = ("add", "layers.add", "keras.layers.add", "tf.keras.layers.add")
def _functional_model(model_call: ast.Call, before: list[ast.stmt],
                      values: Values) -> Callable[[], Model]:
    """keras.Model(inputs, outputs) over a chain of `x = layers.X(...)(x)` assignments, with
    layers.Add()([f(x), x]) as a residual."""
    def build() -> Model:
        args = {k.arg: k.value for k in model_call.keywords if k.arg}
        given = list(model_call.args) + [args[k] for k in ("inputs", "outputs") if k in args]
        if len(given) != 2:
            raise _err(model_call, "keras.Model needs inputs and outputs")
        dialect = _dialect(ast.Module(body=list(before), type_ignores=[]), KERAS)
        reader = Reader(values, dialect)
        env: dict[str, Path] = {}
        layers: dict[str, list[Node]] = {}
        used: set[str] = set()

        def path(node: ast.AST) -> Path:
            if isinstance(node, ast.Name) and node.id in env:
                return env[node.id]
            if isinstance(node, ast.Call) and len(node.args) == 1 and not node.keywords:
                (arg,) = node.args
                if isinstance(node.func, ast.Call):
                    if dotted(node.func.func) in _ADDS:
                        return _added(arg, node)
                    return path(arg) + tuple(reader.layer_call(node.func, False))
                if isinstance(node.func, ast.Name) and node.func.id in layers:
                    if node.func.id in used:
                        raise _err(node, f"{node.func.id} is applied twice, sharing its weights")
                    used.add(node.func.id)
                    return path(arg) + tuple(_copy(n) for n in layers[node.func.id])
                if dotted(node.func) in _ADD_FUNCTIONS:
                    return _added(arg, node)
            raise _err(node, f"{_text(node)} is not supported in a functional model",
                       "write x = layers.X(...)(x), and layers.Add()([f(x), x])")

        def _added(arg: ast.AST, node: ast.AST) -> Path:
            if not isinstance(arg, (ast.List, ast.Tuple)) or len(arg.elts) != 2:
                raise _err(node, "Add takes a list of two tensors")
            return join_add(path(arg.elts[0]), path(arg.elts[1]), node)

        for stmt in before:
            target, value = _assignment(stmt)
            if isinstance(target, ast.Name) and isinstance(value, ast.Name) and \
                    value.id in env:
                env[target.id] = env[value.id]  # x = inputs; shortcut = x
                continue
            if not isinstance(target, ast.Name) or not isinstance(value, ast.Call):
                continue
            if dotted(value.func) in _INPUTS:
                reader.layer_call(value, True)
                env[target.id] = ()
            elif isinstance(value.func, ast.Call) or (
                    isinstance(value.func, ast.Name) and value.func.id in layers) or \
                    dotted(value.func) in _ADD_FUNCTIONS:
                env[target.id] = path(value)
            elif dotted(value.func) and sequential_dialect(value) is None:
                try:
                    layers[target.id] = reader.layer_call(value, False)
                except CodeError:
                    continue  # not a layer: some other statement of the script
        inputs, outputs = given
        if not (isinstance(inputs, ast.Name) and env.get(inputs.id) == ()):
            raise _err(model_call, "keras.Model inputs must be one keras.Input tensor")
        result = path(outputs)
        return _finish("model", KERAS, list(result), reader.input_shape, model_call)
    return build
