"""Keras' functional API: keras.Input, `layers.X(...)(x)`, joins (layers.add, concatenate,
multiply, `x + y`), and keras.Model.

Each statement is read when it runs, so a tensor is exactly what the code made it at that
point. A tensor the reader cannot follow is an Unknown that names why; a model built from it
is that error. When a tensor meets two problems, the one earlier in the code is kept.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import replace

from ..errors import cut
from ..ir.tree import holds_weights, with_starts
from ..library.binding import KERAS
from ..spec import Layer, Node
from .code import Model, Reader, check_dialect, finish
from .given import active
from .kinds import LayerObj
from .tensors import Source, Tensor, check_uses, join, model_input, start
from .tensors import outputs as several_outputs
from .values import (
    CodeError,
    LimitError,
    Unknown,
    Values,
    at_line,
    close_name,
    dotted,
    err,
    text,
)

INPUTS = ("Input", "keras.Input", "layers.Input", "keras.layers.Input", "tf.keras.Input",
          "tf.keras.layers.Input")
_LAYER_PREFIXES = ("", "layers.", "keras.layers.", "tf.keras.layers.",
                   "tensorflow.keras.layers.")
# Merge layers (class, then function) and the join each is; Subtract, Minimum and Dot
# have no join in the calculator, and are refused by name.
_MERGES = {"Add": ("add", "add"), "Concatenate": ("concatenate", "cat"),
           "Multiply": ("multiply", "mul"), "Average": ("average", "mean"),
           "Maximum": ("maximum", "max")}
_UNJOINED = {"Subtract": "subtract", "Minimum": "minimum", "Dot": "dot"}
JOIN_CLASSES = {f"{p}{cls}": kind for cls, (_, kind) in _MERGES.items()
                for p in _LAYER_PREFIXES if p}
JOIN_CLASSES |= {f"{p}{cls}": "" for cls in _UNJOINED for p in _LAYER_PREFIXES if p}
JOIN_FUNCTIONS = {f"{p}{fn}": kind for _, (fn, kind) in _MERGES.items()
                  for p in _LAYER_PREFIXES if p}
JOIN_FUNCTIONS |= {f"{p}{fn}": "" for fn in _UNJOINED.values() for p in _LAYER_PREFIXES if p}
ADDS = tuple(n for n, k in JOIN_CLASSES.items() if k == "add")
ADD_FUNCTIONS = tuple(n for n, k in JOIN_FUNCTIONS.items() if k == "add")
_JOIN_OPS: dict[type[ast.operator], str] = {ast.Add: "add", ast.Mult: "mul"}
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
    """keras.Input(shape=...): where a functional model's tensors start. Every keras.Input
    of one reading starts at one root, so that a model may join several."""
    try:
        check_dialect(call, KERAS)
        bound = Reader(values, KERAS).bind(call, True)
        label = _input_label(call, values)
    except LimitError:
        raise
    except CodeError as e:
        return Unknown.of(e)
    given = active()
    if given is None:
        t = start(Source(call.lineno, bound.input_shape))
        if bound.plane:
            t.source.planes[id(t)] = call.lineno
        return t
    if not isinstance(given.keras_root, Tensor):
        given.keras_root = start(Source(call.lineno))
    root = given.keras_root
    assert isinstance(root, Tensor)
    t = model_input(root, label or f"keras.Input on line {call.lineno}", call.lineno)
    root.source.shapes[id(t)] = bound.input_shape
    if bound.plane:
        root.source.planes[id(t)] = call.lineno
    if label:
        given.keras_names[id(t)] = label
    return t


def _input_label(call: ast.Call, values: Values) -> str:
    """keras.Input's name=, "" where it gives none."""
    for k in call.keywords:
        if k.arg == "name":
            value = values.eval(k.value)
            if value is None:
                return ""
            if not isinstance(value, str) or not value:
                raise err(call, f"{text(call)}: name= must be a string")
            if not value.isprintable():
                raise err(call, f"keras.Input name {cut(repr(value))} holds characters that "
                          "cannot be shown", "name it with printable characters")
            return value
    return ""


def _tensor(value: Value, node: ast.AST) -> Tensor | Unknown:
    if isinstance(value, (Tensor, Unknown)):
        return value
    return Unknown.of(err(node, f"{text(node)} is not a tensor of the model"))


def _keywords(node: ast.Call) -> list[ast.keyword]:
    """A layer call's keywords but `training=` (which changes no shape and no count: the
    summary describes inference, and every layer's weights are counted either way)."""
    return [k for k in node.keywords if k.arg != "training"]


def apply_layer(layer: ast.Call, node: ast.Call, value: Value, values: Values) -> Value:
    """`layers.X(...)(x)`: x with the layer's rows added."""
    x = _tensor(value, node.args[0] if node.args else node)
    try:
        check_dialect(layer, KERAS)
        if len(node.args) != 1 or _keywords(node):
            raise err(node, f"{text(node)}: a layer takes one tensor here",
                      "write x = layers.X(...)(x)")
        nodes = Reader(values, KERAS).layer_call(layer, False)
    except LimitError:
        raise
    except CodeError as e:
        return _keep_first(x, e)
    if isinstance(x, Unknown):
        return x
    return x.then(nodes, node.lineno)


def apply_object(obj: LayerObj, name: str, node: ast.Call, value: Value) -> Value:
    """`conv(x)` for a layer object built earlier; a second use shares its weights."""
    x = _tensor(value, node.args[0] if node.args else node)
    obj.uses += 1
    try:
        if obj.poison is not None:
            raise obj.poison
        if len(node.args) != 1 or _keywords(node):
            raise err(node, f"{text(node)}: a layer takes one tensor here")
        check_dialect(obj.call, KERAS)
        nodes = Reader(Values(base=obj.view), KERAS).layer_call(obj.call, False)
        # Every use of the object is tied to it: a second use shares the first one's weights.
        nodes = [replace(n, tie=f"{name}#{obj.serial}:{n.text}")
                 if isinstance(n, Layer) and holds_weights(n) else n for n in nodes]
        if obj.uses > 1 and not all(isinstance(n, Layer) for n in nodes):
            raise err(node, f"{name} is applied twice, sharing its weights; a shared block "
                      "is not read yet", "define a second layer")
    except LimitError:
        raise
    except CodeError as e:
        return _keep_first(x, e)
    if isinstance(x, Unknown):
        return x
    return x.then(nodes, node.lineno)


def add_tensors(items: list[Value], node: ast.AST) -> Value:
    """layers.add([a, b]) or layers.Add()([a, b]): a residual block."""
    return join_tensors("add", items, node)


def join_tensors(kind: str, items: list[Value], node: ast.AST) -> Value:
    """The `kind` join of `items` (a residual block for a sum of two)."""
    if len(items) < 2:
        return Unknown.of(err(node, f"{text(node)} joins a list of at least two tensors"))
    tensors = [_tensor(v, node) for v in items]
    earlier = first_unknown(*tensors)
    if earlier is not None:
        return earlier
    try:
        return join(kind, [t for t in tensors if isinstance(t, Tensor)], node)
    except CodeError as e:
        return Unknown.of(e)


def _merge_kind(name: str, kind: str, node: ast.Call, axis: ast.expr | None,
                values: Values) -> str | CodeError:
    """The join a merge call is, or why it is refused (its kind, or its axis)."""
    last = name.rpartition(".")[2]
    if not kind:
        return err(node, f"{last} of tensors is not a join the calculator has",
                   "cnncalc joins with concatenate, add, multiply, average and maximum")
    if axis is not None:
        try:
            value = values.eval(axis)
        except CodeError as e:
            return e
        if kind != "cat" or value != -1:
            what = f"{last}(axis={value!r})"
            return err(node, f"{what}: cnncalc joins on the channels, axis=-1"
                       if kind == "cat" else f"{what} is not supported",
                       "write axis=-1 (the default)")
    return kind


def join_function(name: str, node: ast.Call, items: Callable[[ast.expr], Value],
                  values: Values) -> Value:
    """layers.concatenate([a, b], axis=-1), layers.add([...]), layers.multiply([...])."""
    axis: ast.expr | None = None
    for k in node.keywords:
        if k.arg == "axis":
            axis = k.value
        elif k.arg != "name":
            return Unknown.of(err(node, f"{text(node)}: {k.arg}= is not read"))
    args = list(node.args)
    if len(args) == 2 and axis is None:
        axis = args.pop()
    if len(args) != 1 or not isinstance(args[0], (ast.List, ast.Tuple)):
        return Unknown.of(err(node, f"{text(node)} takes one list of tensors"))
    tensors = [items(e) for e in args[0].elts]
    kind = _merge_kind(name, JOIN_FUNCTIONS[name], node, axis, values)
    if isinstance(kind, CodeError):
        return _keep_first(first_unknown(*tensors), kind)
    return join_tensors(kind, tensors, node)


def join_layer(layer: ast.Call, node: ast.Call, items: Callable[[ast.expr], Value],
               values: Values) -> Value:
    """layers.Concatenate(axis=-1)([a, b]), layers.Add()([a, b]), layers.Multiply()(...)."""
    name = dotted(layer.func) or ""
    axis: ast.expr | None = layer.args[0] if layer.args else None
    for k in layer.keywords:
        if k.arg == "axis":
            axis = k.value
        elif k.arg != "name":
            return Unknown.of(err(layer, f"{text(layer)}: {k.arg}= is not read"))
    if len(node.args) != 1 or node.keywords or \
            not isinstance(node.args[0], (ast.List, ast.Tuple)) or len(layer.args) > 1:
        return Unknown.of(err(node, f"{text(node)}: a merge layer takes one list of tensors"))
    tensors = [items(e) for e in node.args[0].elts]
    kind = _merge_kind(name, JOIN_CLASSES[name], node, axis, values)
    if isinstance(kind, CodeError):
        return _keep_first(first_unknown(*tensors), kind)
    return join_tensors(kind, tensors, node)


def arithmetic(node: ast.expr, parts: list[Value]) -> Value | None:
    """`x + y` or `x * y` on the model's tensors: a join; None when it is not that."""
    if not (isinstance(node, ast.BinOp) and type(node.op) in _JOIN_OPS and len(parts) == 2
            and all(isinstance(p, (Tensor, Unknown)) for p in parts)):
        return None
    return join_tensors(_JOIN_OPS[type(node.op)], parts, node)


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
    listed = given.get("inputs")
    inputs: list[Value] | None = None
    if isinstance(listed, ast.Dict):
        problem = problem or err(call, f"keras.Model with inputs {text(listed)}: inputs by "
                                 "name are not read", "list the keras.Input tensors")
    elif isinstance(listed, (ast.List, ast.Tuple)):
        if any(isinstance(e, ast.Starred) for e in listed.elts) or not listed.elts:
            problem = problem or err(call, f"keras.Model with inputs {text(listed)}: list "
                                     "the keras.Input tensors one by one")
        else:
            inputs = [arg(e) for e in listed.elts]
    elif listed is not None:
        inputs = [arg(listed)]
    named: list[tuple[str | None, Value]] = []
    if "outputs" in given:
        named, wrong = _outputs(given["outputs"], arg)
        problem = problem or wrong
    outputs = [v for _, v in named]
    if problem is None and (inputs is None or not outputs):
        problem = err(call, "keras.Model needs inputs and outputs")
    result: Model | CodeError
    earlier = first_unknown(*(inputs or []), *outputs)
    if earlier is not None and (problem is None or (earlier.line or 0) < (problem.line or 0)):
        result = earlier.error()
    elif problem is not None:
        result = problem
    else:
        result = _assemble(call, inputs or [], named, name)

    def build() -> Model:
        if isinstance(result, CodeError):
            raise result
        return result
    return build


def _outputs(node: ast.expr, arg: Callable[[ast.expr], Value]
             ) -> tuple[list[tuple[str | None, Value]], CodeError | None]:
    """keras.Model's outputs: one tensor, a list or tuple of them, or a dict by name; each
    with the name a dict gives it (None where it has none)."""
    if isinstance(node, (ast.List, ast.Tuple)):
        if any(isinstance(e, ast.Starred) for e in node.elts):
            return [], err(node, f"keras.Model outputs {text(node)}: a starred item is only "
                           "known when the code runs", "list the output tensors one by one")
        return [(None, arg(e)) for e in node.elts], None
    if isinstance(node, ast.Dict):
        keys = [k.value if isinstance(k, ast.Constant) and isinstance(k.value, str) else None
                for k in node.keys]
        if any(k is None for k in keys):
            return [], err(node, f"keras.Model outputs {text(node)}: each key must be a "
                           "string written in the code", "name each output with a string")
        return [(k, arg(v)) for k, v in zip(keys, node.values)], None
    return [(None, arg(node))], None


def _output_name(t: Tensor, place: int) -> str:
    """Keras names an output by the layer that makes it: its name= where the code gives one
    (Keras' own names, dense_1..., depend on what was built before: output_0 stands in)."""
    last = t.nodes[-1] if t.nodes else None
    if isinstance(last, Layer) and last.name:
        return last.name
    return f"output_{place}"


def _assemble(call: ast.Call, inputs: list[Value], named: list[tuple[str | None, Value]],
              name: str) -> Model | CodeError:
    def is_input(v: Value) -> bool:
        return isinstance(v, Tensor) and not v.nodes and (
            v.parent is None or (v.parent.parent is None and id(v) in v.source.inputs))

    if not all(is_input(v) for v in inputs):
        return err(call, "keras.Model inputs must be keras.Input tensors")
    given = [v for v in inputs if isinstance(v, Tensor)]
    if len({id(t) for t in given}) != len(given):
        return err(call, "keras.Model lists one keras.Input twice among its inputs")
    tensors = [v for _, v in named]
    if not all(isinstance(v, Tensor) for v in tensors):
        return err(call, "keras.Model outputs must be tensors of the model")
    if any(t.source is not given[0].source for t in tensors if isinstance(t, Tensor)):
        return at_line(call.lineno, "the outputs of keras.Model do not come from its inputs")
    # Keras names an input by its name=, else input_0, input_1, ... (Keras' own names,
    # input_layer_1..., depend on what was built before)
    reading = active()
    declared = reading.keras_names if reading is not None else {}
    labels = [declared.get(id(t), f"input_{i}") for i, t in enumerate(given)]
    if len(set(labels)) != len(labels):
        return err(call, f"keras.Model inputs {', '.join(labels)}: two inputs have the same "
                   "name", "give each keras.Input its own name=")
    try:
        if len(named) > 1:
            items = [t for t in tensors if isinstance(t, Tensor)]
            names = [label if label is not None else _output_name(t, i)
                     for i, ((label, _), t) in enumerate(zip(named, items))]
            if len(set(names)) != len(names):
                return err(call, f"keras.Model outputs {', '.join(names)}: two outputs have "
                           "the same name", "give each output layer its own name=")
            outputs = several_outputs(items, names, call)
        else:
            assert isinstance(tensors[0], Tensor)
            outputs = tensors[0]
        rooted = given[0].parent is not None  # keras.Input tensors of one reading's root
        check_uses(outputs, call.lineno, False, ("the model", "Keras"),
                   given if rooted else None)
        nodes: list[Node] = list(outputs.path())
        if len(given) == 1:
            source = given[0].source
            shape = source.shapes.get(id(given[0])) if rooted else source.shape
            return finish(name, KERAS, nodes, shape, call, plane=source.planes.get(id(given[0])))
        source = given[0].source
        planar = [source.planes[id(t)] for t in given if id(t) in source.planes]
        if planar:
            return at_line(planar[0], "an input of shape (height, width) in a model with "
                           "several inputs is not read", "give it its channel: "
                           "shape=(height, width, 1)")
        nodes = with_starts(nodes, {source.inputs[id(t)]: label
                                    for t, label in zip(given, labels)})
        model = finish(name, KERAS, nodes, None, call)
        return replace(model, inputs=tuple((label, source.shapes.get(id(t)))
                                           for t, label in zip(given, labels)))
    except CodeError as e:
        return e
