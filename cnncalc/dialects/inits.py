"""Weight initialisation in an nn.Module's __init__: recognised by name, recorded, and known
to change no shape and no count.

    torch.nn.init.xavier_uniform_(self.fc.weight)        nn.init.constant_(self.fc.bias, 0)
    self.fc.weight.data.normal_(0, 0.01)                 self.fc.bias.data.zero_()
    self.apply(init_weights)                             for m in self.modules(): ...

A function given to self.apply, a loop over self.modules() and a helper method such as
self._initialize_weights() are accepted when every statement in them is one of these, under
conditions on the module (isinstance, type, m.bias is not None); anything else is an error.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import Final

from .code import Init
from .values import CodeError, dotted, err, text

INIT_FUNCTIONS: Final = frozenset({
    "uniform_", "normal_", "constant_", "ones_", "zeros_", "eye_", "dirac_",
    "xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_",
    "trunc_normal_", "orthogonal_", "sparse_",
    # the spellings torch deprecated, still found in course notes
    "uniform", "normal", "constant", "xavier_uniform", "xavier_normal", "kaiming_uniform",
    "kaiming_normal", "orthogonal", "sparse",
})
_INIT_MODULES: Final = ("nn.init.", "torch.nn.init.", "init.")
TENSOR_FILLS: Final = frozenset({"normal_", "uniform_", "fill_", "zero_"})
TENSORS: Final = ("weight", "bias")
_PURE_CALLS: Final = frozenset({"isinstance", "type", "hasattr", "getattr", "len", "str"})
_PURE_METHODS: Final = frozenset({"find", "startswith", "endswith", "lower", "upper"})

# (layer attribute or '*', tensor) for a tensor expression, or None when it is not one.
Target = Callable[[ast.expr], tuple[str, str] | None]
HINT: Final = "an __init__ may give weights an initialisation with nn.init.*_, " \
    ".weight.data.normal_/fill_/zero_, self.apply(fn) or a loop over self.modules()"


def tensor_of(node: ast.expr) -> tuple[ast.expr, str] | None:
    """(owner expression, 'weight'/'bias') for `X.weight`, `X.bias`, `X.weight.data`."""
    if isinstance(node, ast.Attribute) and node.attr == "data":
        node = node.value
    if isinstance(node, ast.Attribute) and node.attr in TENSORS:
        return node.value, node.attr
    return None


def init_call(call: ast.Call, target: Target, when: str) -> Init | None:
    """An initialisation call, or None when `call` is not one."""
    name = dotted(call.func) or ""
    if name.startswith(_INIT_MODULES) and name.rpartition(".")[2] in INIT_FUNCTIONS:
        if not call.args or isinstance(call.args[0], ast.Starred):
            raise err(call, f"{text(call)} needs the tensor it initialises")
        where, rest = call.args[0], call.args[1:]
        function = name.rpartition(".")[2]
    elif isinstance(call.func, ast.Attribute) and call.func.attr in TENSOR_FILLS and \
            tensor_of(call.func.value) is not None:
        where, rest, function = call.func.value, list(call.args), call.func.attr
    else:
        return None
    found = target(where)
    if found is None:
        raise err(call, f"{text(call)}: {text(where)} is not the weight or bias of a layer "
                  "cnncalc can tell", HINT)
    args = tuple(text(a) for a in rest) + tuple(
        f"{k.arg}={text(k.value)}" if k.arg else f"**{text(k.value)}" for k in call.keywords)
    return Init(found[0], found[1], function, args, when, call.lineno)


def module_var(var: str) -> Target:
    """The tensors of the module a loop or an applied function is handed (`m.weight`)."""
    def target(node: ast.expr) -> tuple[str, str] | None:
        found = tensor_of(node)
        if found is not None and isinstance(found[0], ast.Name) and found[0].id == var:
            return "*", found[1]
        return None
    return target


def _pure(node: ast.AST, var: str) -> bool:
    """An expression about the module that calls nothing but type tests and str methods."""
    for n in ast.walk(node):
        if isinstance(n, ast.Call):
            name = dotted(n.func) or ""
            if name not in _PURE_CALLS and not (isinstance(n.func, ast.Attribute) and
                                                n.func.attr in _PURE_METHODS):
                return False
        elif isinstance(n, (ast.NamedExpr, ast.Lambda, ast.Await, ast.Yield)):
            return False
    return True


def init_body(body: list[ast.stmt], var: str, when: str, context: str,
              out: list[Init]) -> None:
    """The statements of a function given to self.apply, or of a loop over self.modules():
    each an initialisation of `var`'s tensors, under conditions on `var`."""
    target = module_var(var)
    for s in body:
        if isinstance(s, ast.Pass) or (isinstance(s, ast.Expr) and
                                       isinstance(s.value, ast.Constant)):
            continue
        if isinstance(s, ast.Expr) and isinstance(s.value, ast.Call):
            if dotted(s.value.func) == "print":
                continue
            found = init_call(s.value, target, when)
            if found is not None:
                out.append(found)
                continue
        elif isinstance(s, ast.If) and _pure(s.test, var):
            init_body(s.body, var, _joined(when, text(s.test)), context, out)
            init_body(s.orelse, var, _joined(when, f"not ({text(s.test)})"), context, out)
            continue
        elif isinstance(s, ast.Assign) and all(isinstance(t, ast.Name) and t.id != var
                                               for t in s.targets) and _pure(s.value, var):
            continue  # classname = m.__class__.__name__
        raise err(s, f"{text(s)} in {context} is not a weight initialisation cnncalc knows",
                  HINT)


def _joined(a: str, b: str) -> str:
    return f"{a} and {b}" if a else b


def modules_loop(s: ast.For, context: str, out: list[Init]) -> bool:
    """`for m in self.modules(): ...` (or children(), named_modules()) of initialisations."""
    it = s.iter
    if not (isinstance(it, ast.Call) and dotted(it.func) in (
            "self.modules", "self.children", "self.named_modules", "self.named_children")
            and not it.args and not s.orelse):
        return False
    var = s.target
    if isinstance(var, ast.Tuple) and len(var.elts) == 2:
        var = var.elts[1]  # for name, m in self.named_modules()
    if not isinstance(var, ast.Name):
        return False
    init_body(s.body, var.id, "", context, out)
    return True


def applied_function(fn: ast.FunctionDef, skip_self: bool, out: list[Init]) -> None:
    """The function given to self.apply(fn): one argument, the module."""
    params = [a.arg for a in fn.args.args][1 if skip_self else 0:]
    if len(params) != 1 or fn.args.vararg or fn.args.kwarg or fn.decorator_list:
        raise err(fn, f"{fn.name}, given to self.apply, must take one module: "
                  f"def {fn.name}(m)", HINT)
    init_body(fn.body, params[0], "", f"{fn.name}() (given to self.apply)", out)


def is_init_error(e: CodeError) -> bool:
    return e.hint == HINT
