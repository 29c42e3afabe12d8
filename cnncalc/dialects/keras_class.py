"""A subclassed keras.Model: its layers from __init__, its data flow from call(), read as the
functional API reads `layers.X(...)(x)`.

__init__ and call() are run as one function body of the file, `self.X` read as a name of
that body, and call()'s input bound to the model's input tensor: every statement is run by
the module reader (or is an error naming its line), a layer object applied twice is refused
as in the functional API, and the tensor call() returns is the model's output.
"""

from __future__ import annotations

import ast

from ..library.binding import KERAS
from .code import Model, finish
from .kinds import Owner
from .script import Script, Unit, _Return
from .tensors import Source, Tensor, check_uses, start
from .values import Unknown, earliest, err, text

_SELF = "self"


class _SelfNames(ast.NodeTransformer):
    """`self.conv` as the name `self.conv` of one body; a bare `self` is refused."""

    def visit_Attribute(self, node: ast.Attribute) -> ast.AST:
        if isinstance(node.value, ast.Name) and node.value.id == _SELF:
            return ast.copy_location(ast.Name(f"{_SELF}.{node.attr}", node.ctx), node)
        self.generic_visit(node)
        return node

    def visit_Name(self, node: ast.Name) -> ast.AST:
        if node.id == _SELF:
            raise err(node, "self is used in the Keras model other than as self.name",
                      "assign layers to self.name in __init__ and call them in call()")
        return node


def _is_super_init(s: ast.stmt) -> bool:
    """super().__init__(...), super(Net, self).__init__(**kwargs), keras.Model.__init__."""
    if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Call) and
            isinstance(s.value.func, ast.Attribute) and s.value.func.attr == "__init__"):
        return False
    base = s.value.func.value
    return (isinstance(base, ast.Call) and isinstance(base.func, ast.Name) and
            base.func.id == "super") or (isinstance(base, ast.Attribute) and
                                         base.attr == "Model")


def _params(fn: ast.FunctionDef, takes: int) -> list[ast.arg]:
    """The arguments after self (and, for call, the input): each must have a default."""
    a = fn.args
    if a.posonlyargs or a.vararg:
        raise err(fn, f"{fn.name}() takes *args or positional-only arguments: not read")
    args = a.args[1 + takes:]
    given = len(a.defaults)
    if len(a.args) < 1 + takes or given < len(args) or \
            any(d is None for d in a.kw_defaults):
        need = "call(self, inputs)" if takes else "__init__(self) with defaults"
        raise err(fn, f"{fn.name}() has arguments without defaults", f"write {need}")
    return [*args, *a.kwonlyargs]


def _built_with_arguments(tree: ast.AST, name: str) -> ast.Call | None:
    for n in ast.walk(tree):
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == name \
                and (n.args or n.keywords):
            return n
    return None


def keras_class_model(cls: ast.ClassDef, owner: Owner, unit: Unit) -> Model:
    """The model a subclassed keras.Model describes, built with __init__'s defaults."""
    methods: dict[str, ast.FunctionDef] = {}
    for s in cls.body:
        if isinstance(s, ast.FunctionDef):
            methods[s.name] = s
        elif not (isinstance(s, ast.Pass) or (isinstance(s, ast.Expr) and
                                              isinstance(s.value, ast.Constant))):
            raise err(s, f"'{text(s)}' in class {cls.name} is not read",
                      "a Keras model's class holds __init__ and call")
    init, call = methods.get("__init__"), methods.get("call")
    if init is None or call is None:
        raise err(cls, f"class {cls.name} needs __init__ and call")
    for name, fn in methods.items():
        if name not in ("__init__", "call", "get_config"):
            raise err(fn, f"the method {name}() of a Keras model is not read yet",
                      "write its layers in __init__ and its data flow in call()")
    built = _built_with_arguments(unit.tree, cls.name)
    if built is not None:
        raise err(built, f"{text(built)} builds {cls.name} with arguments: a subclassed "
                  "Keras model is read with the defaults of its __init__ only",
                  "give __init__ those values as defaults")
    for n in ast.walk(call):
        if isinstance(n, ast.Return) and isinstance(n.value, (ast.Tuple, ast.List)):
            raise err(n, f"call() of {cls.name} returns {len(n.value.elts)} values "
                      f"({text(n.value)}); cnncalc reads models with one output",
                      "return one tensor")
    if len(call.args.args) < 2:
        raise err(call, "call() takes no input", "write call(self, inputs)")
    body: list[ast.stmt] = []
    names = _SelfNames()
    for s in init.body:
        if not _is_super_init(s):
            body.append(names.visit(s))
    body.extend(names.visit(s) for s in call.body)
    defaults = _defaults(init, 0) + _defaults(call, 1)
    fn = ast.FunctionDef(name=cls.name, args=ast.arguments([], [], None, [], [], None, []),
                         body=body, decorator_list=[], returns=None)
    ast.copy_location(fn, cls)
    ast.fix_missing_locations(fn)
    home = unit.module
    assert home is not None
    frame = Script(unit, Owner(fn, "function"), home.view(), frame=True)
    x = start(Source(call.lineno))
    frame.history.bind(call.args.args[1].arg, x)
    for arg, default in defaults:
        frame.history.bind(arg, frame.value(default))
    result: object = None
    try:
        frame.body(fn.body)
    except _Return as r:
        result = r.value
    first = earliest(*frame.problems)
    if first is not None:
        raise first
    return _model(cls, call, x, result)


def _defaults(fn: ast.FunctionDef, takes: int) -> list[tuple[str, ast.expr]]:
    params = _params(fn, takes)
    values = [*fn.args.defaults, *(d for d in fn.args.kw_defaults if d is not None)]
    out = [(p.arg, v) for p, v in zip(params, values)]
    if fn.args.kwarg is not None:
        out.append((fn.args.kwarg.arg, ast.copy_location(ast.Dict([], []), fn)))
    return out


def _model(cls: ast.ClassDef, call: ast.FunctionDef, x: Tensor, result: object) -> Model:
    if isinstance(result, Unknown):
        raise result.error()
    if not isinstance(result, Tensor) or result.source is not x.source:
        raise err(call, f"call() of {cls.name} does not return a tensor computed from its "
                  "input")
    # Every layer call() applies is built, and Keras counts its weights, whether or not
    # its output reaches the model's: a tensor computed and never used is refused.
    check_uses(result, call.lineno, True, ("call()", "Keras"))
    return finish(cls.name, KERAS, list(result.path()), None, cls)


__all__ = ["keras_class_model"]
