"""Find the models in a module's code: Sequentials, model.add(...) chains, nn.Module classes."""

from __future__ import annotations

import ast
from collections.abc import Callable

from ..spec import Node
from .binding import PYTORCH, ClassError
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
from .keras_functional import _functional_model
from .torch_module import _call_arguments, _class_model, _defaults, _finish

Found = tuple[str, int, Callable[[], Model]]

_MODULE_BASES = ("nn.Module", "Module", "torch.nn.Module")
_KERAS_BASES = ("keras.Model", "Model", "tf.keras.Model", "keras.models.Model")
_FUNCTIONAL_MODELS = _KERAS_BASES + ("models.Model", "tf.keras.models.Model")
def _constants(body: list[ast.stmt], values: Values) -> None:
    for stmt in body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and \
                isinstance(stmt.targets[0], ast.Name):
            try:
                values.names[stmt.targets[0].id] = values.eval(stmt.value)
            except CodeError:
                continue


_MUTATORS = frozenset({"add_module", "append", "extend", "insert", "pop", "remove",
                       "register_module", "__setitem__", "__delitem__"})


def _root(node: ast.AST) -> str | None:
    """The name an attribute or subscript chain starts from: `model` in model.layers[0]."""
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _mutation(body: list[ast.stmt], var: str) -> ast.AST | None:
    """A statement that changes a model after it was built (add_module, pop, model[0] = ...)."""
    for stmt in body:
        for node in ast.walk(stmt):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                    node.func.attr in _MUTATORS and _root(node.func.value) == var:
                return node
            targets: list[ast.expr] = []
            if isinstance(node, (ast.Assign, ast.Delete)):
                targets = list(node.targets)
            elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
                targets = [node.target]
            if any(isinstance(t, (ast.Attribute, ast.Subscript)) and _root(t) == var
                   for t in targets):
                return node
    return None


def find_models(tree: ast.Module) -> list[Found]:
    values = Values()
    _constants(tree.body, values)
    found: list[Found] = []
    _scan(tree.body, values, None, found)
    for stmt in tree.body:
        if isinstance(stmt, ast.FunctionDef):
            local = values.child()
            _defaults(stmt, local)
            _constants(stmt.body, local)
            _scan(stmt.body, local, stmt.name, found, (tree, stmt))
        elif isinstance(stmt, ast.ClassDef):
            bases = [dotted(b) for b in stmt.bases]
            if any(b in _MODULE_BASES for b in bases):
                found.append((stmt.name, stmt.lineno, _class_model(stmt, values, tree)))
            elif any(b in _KERAS_BASES for b in bases):
                found.append((stmt.name, stmt.lineno, _refused(
                    stmt, "a subclassed Keras Model is only known when it runs",
                    "write it as keras.Sequential([...])")))
    found.sort(key=lambda f: f[1])
    names = [f[0] for f in found]
    return [(f"{n}@{line}" if names.count(n) > 1 else n, line, b) for n, line, b in found]


def _refused(node: ast.AST, message: str, hint: str) -> Callable[[], Model]:
    def build() -> Model:
        raise _err(node, message, hint)
    return build


def _scan(body: list[ast.stmt], values: Values, owner: str | None, found: list[Found],
          builder: tuple[ast.AST, ast.FunctionDef] | None = None) -> None:
    models: dict[str, tuple[ast.Call, list[ast.expr], list[ast.Call]]] = {}
    for stmt in body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and \
                isinstance(stmt.targets[0], ast.Name) and \
                sequential_dialect(stmt.value) is not None:
            assert isinstance(stmt.value, ast.Call)
            var = stmt.targets[0].id
            models[var] = (stmt.value, [], [])
            name = owner or var
            later = body[body.index(stmt) + 1:]
            found.append((name, stmt.lineno, _sequential_model(var, models, values, later,
                                                               builder)))
        elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call) and \
                isinstance(stmt.value.func, ast.Attribute) and \
                isinstance(stmt.value.func.value, ast.Name) and \
                stmt.value.func.value.id in models:
            _, adds, builds = models[stmt.value.func.value.id]
            if stmt.value.func.attr == "add":
                if len(stmt.value.args) != 1:
                    raise _err(stmt, "model.add takes one layer")
                adds.append(stmt.value.args[0])
            elif stmt.value.func.attr == "build":
                builds.append(stmt.value)
        elif isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and \
                isinstance(stmt.targets[0], ast.Name) and isinstance(stmt.value, ast.Call) \
                and dotted(stmt.value.func) in _FUNCTIONAL_MODELS:
            var = stmt.targets[0].id
            before = body[:body.index(stmt)]
            found.append((owner or var, stmt.lineno, _functional_model(
                stmt.value, before, values)))
        elif owner is not None and isinstance(stmt, ast.Return) and \
                isinstance(stmt.value, ast.Call) and \
                dotted(stmt.value.func) in _FUNCTIONAL_MODELS:
            before = body[:body.index(stmt)]
            found.append((owner, stmt.lineno, _functional_model(stmt.value, before, values)))
        elif owner is None and isinstance(stmt, ast.Expr) and _is_model_expr(stmt.value):
            found.append(("model", stmt.lineno, _expr_model(stmt.value, values)))


def _is_model_expr(node: ast.AST) -> bool:
    if sequential_dialect(node) is not None:
        return True
    return isinstance(node, (ast.List, ast.Tuple)) and bool(node.elts) and all(
        isinstance(e, ast.Call) for e in node.elts)


def _expr_model(node: ast.AST, values: Values) -> Callable[[], Model]:
    def build() -> Model:
        if isinstance(node, ast.Call):
            return _sequential(node, [], [], values, "model")
        assert isinstance(node, (ast.List, ast.Tuple))
        dialect = _dialect(node)
        reader = Reader(values, dialect)
        nodes: list[Node] = []
        for e in node.elts:
            nodes.extend(reader.item(e, not nodes))
        return _finish("model", dialect, nodes, reader.input_shape, node)
    return build


def _sequential_model(var: str, models: dict[str, tuple[ast.Call, list[ast.expr],
                                                         list[ast.Call]]],
                      values: Values, later: list[ast.stmt],
                      builder: tuple[ast.AST, ast.FunctionDef] | None) -> Callable[[], Model]:
    def build() -> Model:
        call, adds, builds = models[var]
        changed = _mutation(later, var)
        if changed is not None:
            raise _err(changed, f"{_text(changed)} changes the model after it is built",
                       "write every layer in the Sequential or with model.add(...)")
        if builder is not None:
            _call_arguments(builder[0], builder[1], builder[1].name, values, False)
        return _sequential(call, adds, builds, values, var)
    return build


def _sequential(call: ast.Call, adds: list[ast.expr], builds: list[ast.Call], values: Values,
                name: str) -> Model:
    prefixed = sequential_dialect(call) or None
    dialect = _dialect(ast.Module(body=[ast.Expr(call), *[ast.Expr(a) for a in adds]],
                                  type_ignores=[]), prefixed)
    reader = Reader(values, dialect)
    nodes = reader.sequential(call, True)
    for a in adds:
        nodes.extend(reader.item(a, not nodes and reader.input_shape is None))
    shape = reader.input_shape
    for b in builds:
        if len(b.args) != 1:
            raise _err(b, "model.build takes one input shape")
        raw = values.eval(b.args[0])
        if not isinstance(raw, tuple) or len(raw) < 2:
            raise _err(b, "model.build needs (None, height, width, channels)")
        from .keras import input_shape
        try:
            shape = input_shape(raw[1:], "model.build input_shape")
        except ClassError as e:
            raise _err(b, e.message, e.hint) from None
    return _finish(name, dialect or PYTORCH, nodes, shape, call)
