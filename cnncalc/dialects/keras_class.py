"""A subclassed keras.Model: its layers from __init__, its data flow from call(), read as the
functional API reads `layers.X(...)(x)`.

__init__ and call() are run as one function body of the file, `self.X` read as a name of
that body, and call()'s input bound to the model's input tensor: every statement is run by
the module reader (or is an error naming its line), a layer object applied twice is one
shared layer as in the functional API, and the tensor call() returns is the model's output
(a tuple of tensors returned, `return mu, logvar`, its several outputs).
"""

from __future__ import annotations

import ast
from collections.abc import Callable

from ..library.binding import KERAS
from ..spec import Layer
from .code import Model, finish
from .given import arguments, parameters
from .kinds import Owner
from .script import Script, Unit, _Return
from .tensors import Source, Tensor, check_uses, outputs, start
from .values import Unknown, Values, earliest, err, text

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


def _arguments(fn: ast.FunctionDef, takes: int, given: dict[str, object],
               evaluate: Callable[[ast.expr], object]) -> dict[str, object]:
    """Each argument after self (and, for call(), the input): what the code passes when it
    builds the class, else its default, else a value known only when the code runs;
    **kwargs holds the passed keywords no argument names."""
    a = fn.args
    if a.posonlyargs or a.vararg:
        raise err(fn, f"{fn.name}() takes *args or positional-only arguments: not read")
    named = [*a.args[1 + takes:], *a.kwonlyargs]
    defaults = dict(zip([p.arg for p in a.args[len(a.args) - len(a.defaults):]], a.defaults))
    defaults.update({p.arg: d for p, d in zip(a.kwonlyargs, a.kw_defaults) if d is not None})
    out: dict[str, object] = {}
    for p in named:
        if p.arg in given:
            out[p.arg] = given[p.arg]
        elif p.arg in defaults:
            out[p.arg] = evaluate(defaults[p.arg])
        else:
            out[p.arg] = Unknown(fn.lineno, f"{p.arg} is an argument of {fn.name}(), only "
                                 "known when the model is built")
    if a.kwarg is not None:
        out[a.kwarg.arg] = {k: v for k, v in given.items() if k not in out}
    return out


CallSite = Callable[[ast.AST, ast.FunctionDef, str, Values, bool], dict[str, object]]
"""modules.call_site_arguments: the arguments the file builds a class with."""


def keras_class_model(cls: ast.ClassDef, owner: Owner, unit: Unit,
                      call_site_arguments: CallSite) -> Model:
    """The model a subclassed keras.Model describes, built with the arguments the file
    passes (`Net(num_classes=5)`), else __init__'s defaults."""
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
    returns = [n for n in ast.walk(call) if isinstance(n, ast.Return)]
    several = _several(call)
    for n in returns:
        if isinstance(n.value, (ast.Tuple, ast.List)) and n is not several:
            raise err(n, f"call() of {cls.name} returns {text(n.value)}; cnncalc reads "
                      "several outputs from one return of two or more tensors, written "
                      "out, at the end of call()", "end call() with return a, b")
        if isinstance(n.value, ast.Dict):
            raise err(n, f"call() of {cls.name} returns a dict; cnncalc reads one tensor "
                      "or a tuple of them", "return a, b")
    if len(call.args.args) < 2:
        raise err(call, "call() takes no input", "write call(self, inputs)")
    body: list[ast.stmt] = []
    names = _SelfNames()
    for s in init.body:
        if not _is_super_init(s):
            body.append(names.visit(s))
    body.extend(names.visit(s) for s in call.body)
    count = 0
    if several is not None:  # `return a, b` as `_0 = a; _1 = b; return _0`: then _1 is read
        assert isinstance(several.value, (ast.Tuple, ast.List))
        count = len(several.value.elts)
        body[-1:] = [ast.copy_location(ast.Assign([ast.Name(_out(i), ast.Store())], e), e)
                     for i, e in enumerate(several.value.elts)] + \
            [ast.copy_location(ast.Return(ast.Name(_out(0), ast.Load())), several)]
    fn = ast.FunctionDef(name=cls.name, args=ast.arguments([], [], None, [], [], None, []),
                         body=body, decorator_list=[], returns=None)
    ast.copy_location(fn, cls)
    ast.fix_missing_locations(fn)
    home = unit.module
    assert home is not None
    frame = Script(unit, Owner(fn, "function"), home.view(), frame=True)
    x = start(Source(call.lineno, _build_shape(unit.tree, cls.name)))
    # The arguments the file builds the class with (one set: different ones are refused).
    given = call_site_arguments(unit.tree, init, cls.name,
                                Values(base=owner.first_call or home.view()), True)
    given.update(arguments(parameters(init, True)))  # --set replaces what the code passes
    bound = {**_arguments(init, 0, given, frame.value), **_arguments(call, 1, {}, frame.value)}
    bound[call.args.args[1].arg] = x
    for arg, value in bound.items():
        frame.history.bind(arg, value)
    result: object = None
    try:
        frame.body(fn.body)
    except _Return as r:
        result = r.value
    first = earliest(*frame.problems)
    if first is not None:
        raise first
    if count:
        result = [result, *(frame.value(ast.copy_location(ast.Name(_out(i), ast.Load()),
                                                          call)) for i in range(1, count))]
    return _model(cls, call, x, result)


def _build_shape(tree: ast.AST, name: str) -> tuple[int, ...] | None:
    """The input that `model.build((None, H, W, C))` (or `(None, N)`) gives a model the
    module builds as `model = Name(...)`, as cnncalc's (C, H, W) or (N,); None where there
    is no such call, or calls give different shapes."""
    built = {t.id for s in ast.walk(tree) if isinstance(s, ast.Assign)
             and isinstance(s.value, ast.Call) and isinstance(s.value.func, ast.Name)
             and s.value.func.id == name for t in s.targets if isinstance(t, ast.Name)}
    shapes: set[tuple[int, ...]] = set()
    for n in ast.walk(tree):
        if not (isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and
                n.func.attr == "build" and isinstance(n.func.value, ast.Name) and
                n.func.value.id in built):
            continue
        args = [*n.args, *(k.value for k in n.keywords if k.arg == "input_shape")]
        if len(args) != 1 or not isinstance(args[0], (ast.Tuple, ast.List)):
            return None
        dims = args[0].elts
        if not dims or not (isinstance(dims[0], ast.Constant) and dims[0].value is None):
            return None
        sizes = [d.value for d in dims[1:] if isinstance(d, ast.Constant) and
                 type(d.value) is int and d.value >= 1]
        if len(sizes) != len(dims) - 1 or len(sizes) not in (1, 3):
            return None
        shapes.add((sizes[2], sizes[0], sizes[1]) if len(sizes) == 3 else (sizes[0],))
    return shapes.pop() if len(shapes) == 1 else None


def _several(call: ast.FunctionDef) -> ast.Return | None:
    """The return of several tensors, `return mu, logvar`, that ends call() (its only
    return); None where call() ends otherwise."""
    last = call.body[-1] if call.body else None
    if not (isinstance(last, ast.Return) and isinstance(last.value, (ast.Tuple, ast.List))):
        return None
    if len(last.value.elts) < 2 or any(isinstance(e, ast.Starred) for e in last.value.elts):
        return None
    if sum(isinstance(n, ast.Return) for n in ast.walk(call)) != 1:
        return None
    return last


def _out(i: int) -> str:
    return f"__cnncalc_output_{i}"  # not a name Python code of a model writes


def _model(cls: ast.ClassDef, call: ast.FunctionDef, x: Tensor, result: object) -> Model:
    if isinstance(result, (tuple, list)):
        result = _outputs(cls, call, x, list(result))
    if isinstance(result, Unknown):
        raise result.error()
    if not isinstance(result, Tensor) or result.source is not x.source:
        raise err(call, f"call() of {cls.name} does not return a tensor computed from its "
                  "input")
    # Every layer call() applies is built, and Keras counts its weights, whether or not
    # its output reaches the model's: a tensor computed and never used is refused.
    check_uses(result, call.lineno, True, ("call()", "Keras"))
    return finish(cls.name, KERAS, list(result.path()), x.source.shape, cls)


def _outputs(cls: ast.ClassDef, call: ast.FunctionDef, x: Tensor,
             items: list[object]) -> object:
    """`return mu, logvar`: the model's several outputs, as the functional API reads
    keras.Model(inputs, [a, b]): each named by its layer's name=, else output_0, output_1."""
    for item in items:
        if isinstance(item, Unknown):
            return item
        if not isinstance(item, Tensor) or item.source is not x.source:
            raise err(call, f"call() of {cls.name} returns a value that is not a tensor "
                      "computed from its input")
    tensors = [t for t in items if isinstance(t, Tensor)]
    names = [_output_name(t, i) for i, t in enumerate(tensors)]
    if len(set(names)) != len(names):
        raise err(call, f"call() of {cls.name} returns outputs named {', '.join(names)}: two "
                  "outputs have the same name", "give each output layer its own name=")
    return outputs(tensors, names, _several(call) or call)


def _output_name(t: Tensor, place: int) -> str:
    last = t.nodes[-1] if t.nodes else None
    return last.name if isinstance(last, Layer) and last.name else f"output_{place}"


__all__ = ["keras_class_model"]
