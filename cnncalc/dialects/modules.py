"""Find the models in a module's code: Sequentials, model.add(...) chains, Keras functional
models, nn.Module classes, and the same inside the file's functions."""

from __future__ import annotations

import ast
from collections import Counter
from collections.abc import Callable

from ..library.binding import PYTORCH, ClassError
from ..spec import Node
from . import hooks
from .code import Model, Reader, check_dialect, finish, sequential_dialect
from .given import active, arguments, parameters, set_hint
from .inherit import REFUSED, class_kind
from .kinds import Found, LayerObj, Owner, Param, SeqModel
from .script import Script, Unit
from .values import (
    CodeError,
    Unknown,
    Values,
    View,
    dotted,
    earliest,
    end_budget,
    err,
    fresh_budget,
    text,
)


def refuse_subclass(cls: ast.ClassDef) -> None:
    """A subclass of a model class of the file that cannot be read exactly (inherit.py):
    an error naming why, never its base read in its place."""
    why = getattr(cls, REFUSED, None)
    if why is not None:
        raise err(cls, f"class {cls.name} subclasses a model class of the file in a way "
                  f"cnncalc does not read: {why}",
                  "write the subclass's layers in a class of its own, or change only class "
                  "attributes and methods other than those it reaches through super()")


def class_found(cls: ast.ClassDef, owner: Owner, unit: Unit) -> Found | None:
    """An nn.Module class is a model; a subclassed keras.Model is refused when picked."""
    if owner.kind == "torch":
        class_model = hooks.up("class_model")  # from torch_module (above)

        def read() -> object:
            assert unit.module is not None
            return class_model(cls, owner, unit.tree, unit.module.view())
        return Found(cls.name, cls.lineno, read, [], (owner,))
    if owner.kind == "keras":
        from .keras_class import keras_class_model  # it runs bodies with script's reader

        def read_keras() -> object:
            refuse_subclass(cls)
            return keras_class_model(cls, owner, unit, call_site_arguments)
        return Found(cls.name, cls.lineno, read_keras, [], (owner,))
    return None


def find_models(tree: ast.Module) -> list[tuple[str, int, Callable[[], Model]]]:
    """Every model of the code, as (name, line, reader), in the order of the code."""
    return models_and_problem(tree)[0]


def models_and_problem(tree: ast.Module) -> tuple[list[tuple[str, int, Callable[[], Model]]],
                                                   CodeError | None]:
    """Every model of the code, and the first statement of the module that could not be
    read (what to report when no model is found: it may be the one that builds it)."""
    token = fresh_budget()
    try:
        return _find_models(tree)
    finally:
        end_budget(token)


def _find_models(tree: ast.Module) -> tuple[list[tuple[str, int, Callable[[], Model]]],
                                            CodeError | None]:
    unit = Unit(tree)
    module = Script(unit, None, None)
    module.history.given = active()  # --set replaces the module's own values
    module.history.bind("__name__", "__main__")  # the file read as a script
    unit.module = module
    module.body(tree.body)
    end = module.view()
    for owner in unit.functions:
        _read_function(unit, owner, end)
        builder = _builder(owner, end, unit)
        if builder is not None:
            unit.found.append(builder)
    _follow_links(unit)
    helpers = _helpers(tree)
    found = sorted((f for f in unit.found if f.name not in helpers), key=lambda f: f.line)
    for f in found:
        f.holders = (*f.holders, unit.libraries, *unit.nested)
    counts = Counter(f.name for f in found)
    return [(f"{f.name}@{f.line}" if counts[f.name] > 1 else f.name, f.line,
             _typed(f)) for f in found], earliest(*module.problems)


def _helpers(tree: ast.Module) -> set[str]:
    """Top-level functions that are not models of their own: those that need arguments
    and that the file calls (`nin_block(1, 96, 11, 4, 0)` builds part of a model), and
    those the module code calls (`model = build()`: the model is `model`)."""
    called = {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and
              isinstance(n.func, ast.Name)}
    stack: list[ast.AST] = [s for s in tree.body if not isinstance(
        s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
    at_module: set[str] = set()
    while stack:
        n = stack.pop()
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name):
            at_module.add(n.func.id)
        stack.extend(ast.iter_child_nodes(n))
    out: set[str] = set()
    for s in tree.body:
        if isinstance(s, ast.FunctionDef) and s.name in called:
            a = s.args
            if s.name in at_module or len(a.defaults) < len(a.posonlyargs) + len(a.args) or \
                    any(d is None for d in a.kw_defaults):
                out.add(s.name)
    return out


def _builder(owner: Owner, end: View, unit: Unit) -> Found | None:
    """A function that takes no required argument and returns one of the file's nn.Module
    classes built (`def ResNet18(): return ResNet(BasicBlock, [2, 2, 2, 2])`): a model of
    its own, picked by the function's name."""
    fn = owner.node
    if not isinstance(fn, ast.FunctionDef) or owner.kind != "function" or \
            len(fn.args.defaults) < len(fn.args.posonlyargs) + len(fn.args.args) or \
            any(d is None for d in fn.args.kw_defaults):
        return None
    returns = [s for s in fn.body if isinstance(s, ast.Return)]
    if len(returns) != 1 or not isinstance(returns[0].value, (ast.Call, ast.Name)):
        return None
    called = [end.get(n.func.id) for n in ast.walk(fn) if isinstance(n, ast.Call) and
              isinstance(n.func, ast.Name)]
    owners = [c for c in called if isinstance(c, Owner) and c is not owner]
    if not any(c.kind == "torch" for c in owners) and not (
            isinstance(returns[0].value, ast.Call) and any(c.kind == "function"
                                                           for c in owners)):
        return None
    cls = owners[0]

    def read() -> object:
        builder_model = hooks.up("builder_model")  # from torch_module (above)

        return builder_model(fn, unit.tree, end)
    return Found(fn.name, fn.lineno, read, [], (owner, cls))


def _typed(found: Found) -> Callable[[], Model]:
    def build() -> Model:
        token = fresh_budget()
        try:
            model = found.build()
        finally:
            end_budget(token)
        assert isinstance(model, Model)
        return model
    return build


def call_site_arguments(tree: ast.AST, fn: ast.FunctionDef | ast.AsyncFunctionDef,
                        name: str, values: Values, skip_self: bool) -> dict[str, object]:
    """When the code calls `name(...)` (Net(num_classes=100)), the values it passes, which
    replace the defaults; calls with different arguments are ambiguous and refused."""
    by_name: dict[str, list[ast.Call]] | None = getattr(tree, "_cnncalc_calls", None)
    if by_name is None:  # every call of a plain name, found once per file
        by_name = {}
        for n in ast.walk(tree):
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Name):
                by_name.setdefault(n.func.id, []).append(n)
        setattr(tree, "_cnncalc_calls", by_name)  # noqa: B010 - an attribute of our own
    calls = by_name.get(name, [])
    params = [a.arg for a in (*fn.args.posonlyargs, *fn.args.args)][1 if skip_self else 0:]
    if params or fn.args.kwonlyargs:
        handed = _handed_on(tree, name)
        if handed is not None:
            raise err(handed, f"{name} is handed on as a value ({text(handed)}): the "
                      "arguments it is built with there are only known when the code runs",
                      f"build it as {name}(...) with its arguments, or pass them with --set")
    if not calls:
        return {}
    shapes = {ast.dump(ast.Tuple(elts=[*c.args, *[k.value for k in c.keywords]], ctx=ast.Load()))
              + repr([k.arg for k in c.keywords]) for c in calls}
    if len(shapes) > 1:
        raise err(calls[1], f"{name} is built with different arguments (lines "
                  f"{', '.join(str(c.lineno) for c in calls[:5])})",
                  "keep one, or write each as its own model")
    call = calls[0]
    out: dict[str, object] = {}
    for a in call.args:
        if isinstance(a, ast.Starred):
            raise err(call, f"{text(call)}: *{text(a.value)} is only known when the code runs")
    if len(call.args) > len(params):
        raise err(call, f"{name} is called with more arguments than it takes")
    for param, arg in zip(params, call.args):
        out[param] = _evaluated(values, arg)
    known = params + [a.arg for a in fn.args.kwonlyargs]
    for k in call.keywords:
        if k.arg is None:
            raise err(call, f"{text(call)}: **{text(k.value)} is only known when the code "
                      "runs")
        if k.arg not in known and fn.args.kwarg is None:
            raise err(call, f"{name} has no argument '{k.arg}'")
        out[k.arg] = _evaluated(values, k.value)
    return out


_NOT_HANDED = ("isinstance", "issubclass", "super", "type", "print", "repr", "str", "id")


def _handed_on(tree: ast.AST, name: str) -> ast.AST | None:
    """The first place the code hands the class or function `name` on as a value (an
    argument, an assigned or returned value: `functools.partial(Net, n=5)`, `Mk = Net`),
    where whatever receives it may build it with other arguments; None if it only calls it
    (or reads an attribute of it, or asks isinstance, super or print about it)."""
    found: list[ast.Call | ast.Assign | ast.AnnAssign | ast.Return] = []
    for n in ast.walk(tree):
        if isinstance(n, ast.Call):
            if isinstance(n.func, ast.Name) and n.func.id in _NOT_HANDED:
                continue
            places: list[ast.expr] = [*n.args, *(k.value for k in n.keywords)]
        elif isinstance(n, (ast.Assign, ast.AnnAssign, ast.Return)) and n.value is not None:
            places = [n.value]
        else:
            continue
        for place in places:
            if _names_value(place, name):
                found.append(n)
                break
    return min(found, key=lambda n: (n.lineno, n.col_offset)) if found else None


def _names_value(node: ast.expr, name: str) -> bool:
    """Whether `node` holds `name` itself as a value: not called, not an attribute's owner."""
    skip: set[int] = set()
    for n in ast.walk(node):
        if isinstance(n, ast.Call):
            skip.add(id(n.func))
            if isinstance(n.func, ast.Name) and n.func.id in _NOT_HANDED:
                skip.update(id(a) for a in n.args)
        elif isinstance(n, ast.Attribute):
            skip.add(id(n.value))
    return any(isinstance(n, ast.Name) and n.id == name and id(n) not in skip
               for n in ast.walk(node))


def _evaluated(values: Values, node: ast.expr) -> object:
    if isinstance(node, ast.Name) and isinstance(values.get(node.id), Owner):
        return values.get(node.id)  # a class or function of the file given as a value
    try:
        return values.eval(node)
    except CodeError as e:
        return Unknown.of(e)


def bind_arguments(fn: ast.FunctionDef | ast.AsyncFunctionDef, owner: Owner, values: Values,
                   given: dict[str, object], skip_self: bool) -> dict[str, object]:
    """Each parameter's value inside the function: what the code passes, else its default,
    else unknown; a model passed in is followed (see Param)."""
    args = fn.args
    positional = [*args.posonlyargs, *args.args]
    defaults: dict[str, ast.expr] = {a.arg: d for a, d in zip(
        positional[len(positional) - len(args.defaults):], args.defaults)}
    defaults.update({a.arg: d for a, d in zip(args.kwonlyargs, args.kw_defaults)
                     if d is not None})
    out: dict[str, object] = {}
    for a in [*positional[1 if skip_self else 0:], *args.kwonlyargs]:
        if a.arg in given:
            stands: object = given[a.arg]
        elif a.arg in defaults:
            stands = _evaluated(values, defaults[a.arg])
        else:
            stands = Unknown(fn.lineno, f"{a.arg} is an argument of {fn.name}, only known "
                             "when it is called", set_hint(a.arg))
        param = Param(owner, a.arg, stands, home=owner)
        owner.params[a.arg] = param
        out[a.arg] = param
    for star in (args.vararg, args.kwarg):
        if star is not None:
            out[star.arg] = Unknown(fn.lineno, f"{star.arg} ({'*' if star is args.vararg else '**'}"
                                    f"{star.arg}) is only known when the code runs")
    return out


def _read_function(unit: Unit, owner: Owner, end: View) -> None:
    fn = owner.node
    assert not isinstance(fn, ast.ClassDef)
    script = Script(unit, owner, end)
    values = Values(base=end)
    method = bool(fn.args.args) and fn.args.args[0].arg == "self"
    try:
        given = call_site_arguments(unit.tree, fn, fn.name, values, method)
    except CodeError as e:
        script.problems.append(e)
        given = {}
    calls: dict[str, list[ast.Call]] = getattr(unit.tree, "_cnncalc_calls", {})
    if fn.name not in calls:  # a function the file calls gets --set where it is called
        given.update(arguments(parameters(fn, method)))
    for name, value in bind_arguments(fn, owner, values, given, method).items():
        script.history.bind(name, value)
    script.body(fn.body)


def _follow_links(unit: Unit) -> None:
    """A model handed to a function of the file is spoiled when that function may change
    its argument (found while its body was read); followed through calls of calls."""
    changed = True
    while changed:
        changed = False
        for holder, owner, param, error in unit.links:
            p = owner.params.get(param)
            unsafe = p is None or p.poison is not None or owner.kind != "function"
            if unsafe and holder.poison is None:
                holder.spoil(error)
                changed = True


def _made(arg: ast.expr, view: View) -> ast.expr:
    """What model.add(arg) adds: a layer object's own call (`conv = Conv2D(...)`), whose
    class says the library, else the argument as written."""
    key = dotted(arg) if isinstance(arg, ast.Name) else None
    bound = view.get(key) if key is not None else None
    return bound.call if isinstance(bound, LayerObj) else arg


def sequential_model(seq: SeqModel, nested: bool = False) -> Callable[[], Model]:
    """Read a Sequential and its model.add/model.build calls, each with the names as they
    stood at its own statement. `nested`: it is applied to a tensor inside another model,
    where a Sequential with no rows (data augmentation: layers that change values only)
    passes its input on, as Keras runs it at inference."""
    def build() -> Model:
        prefixed = sequential_dialect(seq.call) or None
        dialect = check_dialect(ast.Module(body=[ast.Expr(seq.call),
                                                 *[ast.Expr(_made(a, v)) for a, v in seq.adds]],
                                           type_ignores=[]), prefixed)
        reader = Reader(Values(base=seq.view), dialect)
        nodes = reader.sequential(seq.call, True)
        for arg, view in seq.adds:
            reader.values = Values(base=view)
            nodes.extend(reader.item(arg, not nodes and reader.input_shape is None))
        shape = reader.input_shape
        for b, view in seq.builds:
            raw = Values(base=view).eval(b.args[0])
            if not isinstance(raw, tuple) or len(raw) < 2:
                raise err(b, "model.build needs (None, height, width, channels)")
            from ..library.keras import input_shape
            try:
                shape = input_shape(raw[1:], "model.build input_shape")
            except ClassError as e:
                raise err(b, e.message, e.hint) from None
        if nested and not nodes:
            return Model(seq.var, dialect or PYTORCH, (), shape, seq.call.lineno)
        return finish(seq.var, dialect or PYTORCH, nodes, shape, seq.call,
                      plane=reader.plane if not seq.builds else None)
    return build


def list_model(node: ast.List | ast.Tuple, view: View) -> Callable[[], object]:
    """A bare list of layer calls, `[Conv2D(...), MaxPooling2D(), ...]`."""
    def build() -> Model:
        dialect = check_dialect(node)
        reader = Reader(Values(base=view), dialect)
        nodes: list[Node] = []
        for e in node.elts:
            nodes.extend(reader.item(e, not nodes))
        return finish("model", dialect, nodes, reader.input_shape, node, plane=reader.plane)
    return build


hooks.provide(
    sequential_model=sequential_model,
    list_model=list_model,
    class_kind=class_kind,
    class_found=class_found,
    refuse_subclass=refuse_subclass,
)
