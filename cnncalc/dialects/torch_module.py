"""Read an nn.Module class: its layers from __init__, their order from forward()."""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import replace

from ..errors import cut
from ..spec import Layer, Node, Residual
from .binding import PYTORCH, Bound, ClassError, Made, Raw
from .code import CodeError, Model, Reader, Values, _dialect, _err, _text, dotted
from .functional import FUNCTIONAL_PREFIXES, functional_call

Path = tuple[Node, ...]


_WITH_WEIGHTS = ("conv", "convt", "dwconv", "fc", "bn")
_TORCH_ACTS = ("relu", "sigmoid", "tanh", "softmax", "log_softmax")
def _defaults(fn: ast.FunctionDef, values: Values) -> None:
    """Arguments with literal defaults (num_classes=10) are constants inside the function."""
    args = fn.args
    pairs = list(zip(args.args[len(args.args) - len(args.defaults):], args.defaults))
    pairs += [(a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults) if d is not None]
    for a, d in pairs:
        try:
            values.names[a.arg] = values.eval(d)
        except CodeError:
            continue


def _call_arguments(tree: ast.AST, fn: ast.FunctionDef, name: str, values: Values,
                    skip_self: bool) -> None:
    """When the code calls `name(...)` with arguments (Net(num_classes=100)), those values
    replace the defaults; calls with different arguments are ambiguous and refused."""
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and
             isinstance(n.func, ast.Name) and n.func.id == name]
    if not calls:
        return
    shapes = {ast.dump(ast.Tuple(elts=[*c.args, *[k.value for k in c.keywords]], ctx=ast.Load()))
              + repr([k.arg for k in c.keywords]) for c in calls}
    if len(shapes) > 1:
        raise _err(calls[1], f"{name} is built with different arguments (lines "
                   f"{', '.join(str(c.lineno) for c in calls[:5])})",
                   "keep one, or write each as its own model")
    call = calls[0]
    params = [a.arg for a in fn.args.args][1 if skip_self else 0:]
    if len(call.args) > len(params):
        raise _err(call, f"{name} is called with more arguments than it takes")
    for param, arg in zip(params, call.args):
        values.names[param] = values.eval(arg)
    for k in call.keywords:
        if k.arg is None or k.arg not in params + [a.arg for a in fn.args.kwonlyargs]:
            raise _err(call, f"{name} has no argument '{k.arg}'")
        values.names[k.arg] = values.eval(k.value)


def join_add(a: Path, b: Path, node: ast.AST) -> Path:
    """a + b from a common tensor: a residual block. When both branches have layers, the
    shorter is the shortcut (a projection such as a 1x1 conv and batch norm)."""
    k = 0
    while k < min(len(a), len(b)) and a[k] is b[k]:
        k += 1
    body, shortcut = a[k:], b[k:]
    if len(shortcut) > len(body):
        body, shortcut = shortcut, body
    if not body:
        raise _err(node, f"{_text(node)} adds a tensor to itself")
    if any(isinstance(n, Residual) for n in shortcut):
        raise _err(node, f"{_text(node)}: a shortcut with a residual block inside is not "
                   "supported")
    return a[:k] + (Residual(tuple(body), identity=not shortcut, shortcut=tuple(shortcut)),)


def _class_model(cls: ast.ClassDef, module_values: Values,
                 tree: ast.AST) -> Callable[[], Model]:
    def build() -> Model:
        return _ModuleReader(cls, module_values, tree).read()
    return build


class _ModuleReader:
    """An nn.Module class: layers from __init__, their order from forward()."""

    def __init__(self, cls: ast.ClassDef, values: Values, tree: ast.AST) -> None:
        self.cls = cls
        self.tree = tree
        self.values = values.child()
        self.reader = Reader(self.values, PYTORCH)
        self.attrs: dict[str, tuple[list[Node], ast.AST]] = {}
        self.used: dict[str, int] = {}
        self.batch: set[str] = set()
        self.env: dict[str, Path] = {}
        self.input = ""

    def method(self, name: str) -> ast.FunctionDef | None:
        for stmt in self.cls.body:
            if isinstance(stmt, ast.FunctionDef) and stmt.name == name:
                return stmt
        return None

    def read(self) -> Model:
        _dialect(self.cls, PYTORCH)
        init, forward = self.method("__init__"), self.method("forward")
        if init is None or forward is None:
            raise _err(self.cls, f"class {self.cls.name} needs __init__ and forward")
        self.init(init)
        result = self.forward(forward)
        for attr, (nodes, where) in self.attrs.items():
            if attr not in self.used and any(
                    isinstance(n, Layer) and n.kind in _WITH_WEIGHTS for n in nodes):
                raise _err(where, f"self.{attr} has weights but forward() never uses it; "
                           "torch still counts them", "remove it, or use it in forward")
        return _finish(self.cls.name, PYTORCH, list(result), None, self.cls)

    def init(self, fn: ast.FunctionDef) -> None:
        _defaults(fn, self.values)
        _call_arguments(self.tree, fn, self.cls.name, self.values, True)
        for stmt in fn.body:
            if _skippable(stmt) or _is_super_init(stmt):
                continue
            target, value = _assignment(stmt)
            if target is None or value is None:
                raise _err(stmt, f"{_statement(stmt)} in __init__ cannot be read without "
                           "running the code", "assign layers to self.name, one per line")
            key = dotted(target)
            if key is None:
                raise _err(stmt, f"cannot read the assignment to {_text(target)}")
            if key.startswith("self.") and key.count(".") == 1 and isinstance(value, ast.Call) \
                    and dotted(value.func) not in ("int", "float"):
                self.attrs[key[5:]] = (self.reader.layer_call(value, False), stmt)
            else:
                self.values.names[key] = self.values.eval(value)

    def forward(self, fn: ast.FunctionDef) -> Path:
        params = [a.arg for a in fn.args.args]
        if len(params) != 2 or fn.args.vararg or fn.args.kwonlyargs:
            raise _err(fn, "forward must take one input: forward(self, x)")
        self.input = params[1]
        for i, stmt in enumerate(fn.body):
            if _skippable(stmt) or _is_print(stmt):
                continue
            if isinstance(stmt, ast.Return):
                if stmt.value is None:
                    raise _err(stmt, "forward returns nothing")
                if i != len(fn.body) - 1:
                    raise _err(fn.body[i + 1], "code after return")
                return self.path(stmt.value)
            if isinstance(stmt, ast.AugAssign) and isinstance(stmt.target, ast.Name) and \
                    isinstance(stmt.op, ast.Add):
                self.env[stmt.target.id] = self.add(self.name(stmt.target), self.path(
                    stmt.value), stmt)
                continue
            target, value = _assignment(stmt)
            if isinstance(target, ast.Name) and value is not None:
                if self.is_batch(value):
                    self.batch.add(target.id)
                else:
                    self.env[target.id] = self.path(value)
                continue
            raise _err(stmt, f"{_statement(stmt)} in forward() cannot be read without running "
                       "the code", "write forward as a chain of assignments and one return")
        raise _err(fn, "forward() has no return")

    def name(self, node: ast.Name) -> Path:
        if node.id in self.env:
            return self.env[node.id]
        if node.id == self.input:
            return ()
        raise _err(node, f"'{cut(node.id)}' is not a tensor forward() computed")

    def path(self, node: ast.AST) -> Path:
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            return self.add(self.path(node.left), self.path(node.right), node)
        if isinstance(node, ast.Call):
            return self.call(node)
        raise _err(node, f"{_text(node)} in forward() is not supported")

    def call(self, node: ast.Call) -> Path:
        func = dotted(node.func)
        if func is not None and func.startswith("self.") and func.count(".") == 1:
            return self.module(func[5:], node)
        if func is not None and func in ("torch.flatten",):
            return self.flatten(node, node.args[1:] if node.args else [], 0)
        if func is not None and (func.startswith(FUNCTIONAL_PREFIXES) or func in
                                 tuple(f"torch.{a}" for a in _TORCH_ACTS)):
            short = func.rsplit(".", 1)[1]
            if not node.args:
                raise _err(node, f"{func} needs its input tensor")
            base = self.path(node.args[0])
            return base + tuple(self.functional(short, node.args[1:], node))
        if isinstance(node.func, ast.Attribute):
            method = node.func.attr
            if method in ("view", "reshape"):
                return self.view(node)
            if method == "flatten":
                return self.flatten(node, node.args, 1)
            if method in _TORCH_ACTS and not node.args:
                return self.path(node.func.value) + tuple(self.functional(method, [], node))
            if method == "contiguous" and not node.args:
                return self.path(node.func.value)
        raise _err(node, f"{_text(node)} in forward() is not supported",
                   "use self.layers, F.* functions, torch.flatten and x.view")

    def module(self, attr: str, node: ast.Call) -> Path:
        if attr not in self.attrs:
            raise _err(node, f"self.{cut(attr)} is not a layer defined in __init__")
        if len(node.args) != 1 or node.keywords:
            raise _err(node, f"self.{cut(attr)} must be called with one tensor")
        nodes, _ = self.attrs[attr]
        if self.used.get(attr) and any(isinstance(n, Layer) and n.kind in _WITH_WEIGHTS
                                       for n in nodes):
            raise _err(node, f"self.{cut(attr)} is applied twice, sharing its weights",
                       "a layer table cannot show shared weights; define a second layer")
        self.used[attr] = self.used.get(attr, 0) + 1
        return self.path(node.args[0]) + tuple(_copy(n) for n in nodes)

    def functional(self, short: str, args: list[ast.expr], node: ast.Call) -> list[Node]:
        positional = [self.values.eval(a) for a in args]
        keywords: dict[str, Raw] = {}
        for k in node.keywords:
            if k.arg is None:
                raise _err(node, "**kwargs are only known when the code runs")
            if k.arg == "training":
                continue
            keywords[k.arg] = self.values.eval(k.value)
        try:
            bound = functional_call(short, positional, keywords)
        except ClassError as e:
            raise _err(node, e.message, e.hint) from None
        return self.reader.made(bound, f"F.{short}", f"F.{short}(...)", node)

    def flatten(self, node: ast.Call, rest: list[ast.expr], base_arg: int) -> Path:
        if base_arg and isinstance(node.func, ast.Attribute):
            base = self.path(node.func.value)
        elif node.args:
            base = self.path(node.args[0])
        else:
            raise _err(node, "torch.flatten needs its input tensor")
        start = self.values.eval(rest[0]) if rest else 0
        for k in node.keywords:
            if k.arg == "start_dim":
                start = self.values.eval(k.value)
            else:
                raise _err(node, f"flatten({k.arg}=...) is not supported")
        if start != 1:
            raise _err(node, f"{_text(node)} flattens the batch too",
                       "write torch.flatten(x, 1)")
        return base + tuple(self.reader.made(Bound((_made_flatten(),)), "flatten", "", node))

    def view(self, node: ast.Call) -> Path:
        assert isinstance(node.func, ast.Attribute)
        base = self.path(node.func.value)
        args = node.args
        if len(args) == 1 and isinstance(args[0], (ast.Tuple, ast.List)):
            args = list(args[0].elts)
        if len(args) != 2 or node.keywords:
            raise _err(node, f"{_text(node)} does not give one flat vector per sample",
                       "write x.view(x.size(0), -1)")
        first, second = args
        if self.is_batch(first) and _is_minus_one(second, self.values):
            features = None
        elif _is_minus_one(first, self.values) or self.is_batch(first):
            value = self.values.eval(second)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise _err(node, f"{_text(second)} is not a feature count")
            features = value
        else:
            raise _err(node, f"{_text(node)} does not give one flat vector per sample",
                       "write x.view(x.size(0), -1)")
        declared = (("features", features),) if features is not None else ()
        made = _made_flatten(declared)
        return base + tuple(self.reader.made(Bound((made,)), "view",
                                             f"{_text(node)}", node))

    def is_batch(self, node: ast.AST) -> bool:
        if isinstance(node, ast.Name):
            return node.id in self.batch
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                node.func.attr == "size" and len(node.args) == 1 and \
                isinstance(node.args[0], ast.Constant) and node.args[0].value == 0:
            return True
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute) and \
                node.value.attr == "shape" and isinstance(node.slice, ast.Constant) and \
                node.slice.value == 0:
            return True
        return isinstance(node, ast.Call) and dotted(node.func) == "len" and len(node.args) == 1

    def add(self, a: Path, b: Path, node: ast.AST) -> Path:
        return join_add(a, b, node)


def _made_flatten(declared: tuple[tuple[str, int], ...] = ()) -> Made:
    return Made("flatten", {}, declared)


def _copy(n: Node) -> Node:
    return replace(n)


def _is_minus_one(node: ast.AST, values: Values) -> bool:
    try:
        return values.eval(node) == -1
    except CodeError:
        return False


def _skippable(stmt: ast.stmt) -> bool:
    return isinstance(stmt, ast.Pass) or (isinstance(stmt, ast.Expr) and isinstance(
        stmt.value, ast.Constant))


def _is_super_init(stmt: ast.stmt) -> bool:
    return isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call) and isinstance(
        stmt.value.func, ast.Attribute) and stmt.value.func.attr == "__init__"


def _is_print(stmt: ast.stmt) -> bool:
    return isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call) and \
        dotted(stmt.value.func) == "print"


def _assignment(stmt: ast.stmt) -> tuple[ast.expr | None, ast.expr | None]:
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
        return stmt.targets[0], stmt.value
    if isinstance(stmt, ast.AnnAssign):
        return stmt.target, stmt.value
    return None, None


def _statement(stmt: ast.stmt) -> str:
    names = {ast.If: "an if", ast.For: "a for loop", ast.While: "a while loop",
             ast.With: "a with block", ast.Try: "a try block", ast.FunctionDef: "a function"}
    return names.get(type(stmt), f"'{_text(stmt)}'")
def _finish(name: str, dialect: str | None, nodes: list[Node],
            shape: tuple[int, ...] | None, where: ast.AST) -> Model:
    if not nodes:
        raise _err(where, f"the model {cut(name)} has no layers")
    return Model(name, dialect or PYTORCH, tuple(nodes), shape, getattr(where, "lineno", 0))
