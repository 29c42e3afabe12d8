"""Expressions of a module or function body, each evaluated as the code would evaluate it:
to a constant, a tensor, a model under construction, or an Unknown that says why not.

A call is dispatched on what it calls. A library layer, Sequential, Input or Model builds
the model; a call from the allow-list changes no model; a function or class of the file
gives an Unknown (helpers are not read yet). Any other call is an error naming its line:
the reader cannot tell what it does to the model.
"""

from __future__ import annotations

import ast
import copy
from collections.abc import Callable

from ..library.classes import library_name
from . import allow, hooks
from . import keras_functional as kf
from .code import Reader, sequential_dialect
from .given import value_of
from .kinds import Built, Holder, Instance, LayerObj, Module, Owner, Param, SeqModel
from .tensors import Tensor
from .values import (
    BUILTIN_FUNCTIONS,
    MISSING,
    RAW_TYPES,
    CodeError,
    History,
    LimitError,
    Unknown,
    Values,
    View,
    close_name,
    dotted,
    err,
    text,
)

_MUTATING = frozenset({"add_module", "append", "extend", "insert", "pop", "remove", "clear",
                       "register_module", "register_parameter", "register_buffer",
                       "__setitem__", "__delitem__", "add", "build", "apply",
                       "requires_grad_"})
READ_HINT = "cnncalc reads the statements that build the model; remove this one, or keep " \
    "the model's code in a file of its own"


def is_holder(value: object) -> bool:
    return isinstance(value, Holder)


def as_unknown(value: object, node: ast.AST) -> Unknown:
    """What a value that is not a constant means where a constant was needed."""
    if isinstance(value, Unknown):
        return value
    stands = getattr(value, "stands_for", None)
    if isinstance(stands, Unknown):
        return stands
    return Unknown(getattr(node, "lineno", None),
                   f"{text(node)} is only known when the code runs")


class Expressions:
    """Evaluates the expressions of one body (see Script, which reads its statements)."""

    history: History
    outer: View | None
    star: bool
    sandbox: list[tuple[ast.stmt, str]]

    # Provided by Script.
    def link(self, holder: Holder, owner: Owner, param: str, node: ast.AST) -> None:
        raise NotImplementedError

    def first_call(self, owner: Owner) -> None:
        raise NotImplementedError

    # --- names -------------------------------------------------------------------------

    def view(self) -> View:
        return View(self.history, None, self.outer)

    def snapshot(self) -> View:
        return View(self.history, self.history.clock, self.outer)

    def values(self) -> Values:
        return Values(base=self.view())

    def get(self, name: str) -> object:
        return self.view().get(name)

    def missing(self, node: ast.AST, name: str, as_value: bool = False) -> CodeError:
        """`name` is not defined; `as_value`: it is read as a value (not called), which the
        user may give with --set."""
        hint = close_name(name, self.view().names()) or close_name(
            name, sorted(allow.BUILTINS)) or "define or import it before it is used" + (
                f", or pass --set {name}=VALUE" if as_value else "")
        return err(node, f"{name} is not defined", hint)

    def root(self, node: ast.Name, as_value: bool = False) -> object:
        """What a name means here: a binding, a builtin, a conventional module alias."""
        value = self.get(node.id)
        if value is not MISSING:
            return value
        if node.id in allow.BUILTINS:
            return Module(node.id)
        if node.id in allow.REFUSED_BUILTINS:
            raise err(node, f"{node.id} can change any name or model; cnncalc does not read "
                      "it", READ_HINT)
        if node.id in allow.ALIASES:
            return Module(allow.ALIASES[node.id])
        if self.star:  # `from x import *` may have defined it
            return Unknown(node.lineno, f"{node.id} comes from an import *; its value is only "
                           "known when the code runs")
        raise self.missing(node, node.id, as_value)

    # --- values ------------------------------------------------------------------------

    def value(self, node: ast.expr) -> object:
        """What `node` evaluates to (raising for a construct that is a problem)."""
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, ast.Name):
            return self.root(node, as_value=True)
        if isinstance(node, (ast.Attribute, ast.Subscript)):
            given = self.given(node)
            if given is not MISSING:
                return given
        if isinstance(node, ast.Attribute):
            return self.attribute(self.value(node.value), node)
        if isinstance(node, (ast.Constant, ast.Tuple, ast.List, ast.UnaryOp, ast.BinOp,
                             ast.Compare, ast.BoolOp, ast.Subscript)):
            return self.constant(node)
        if isinstance(node, ast.IfExp):
            test = self.constant(node.test)
            if isinstance(test, Unknown):
                return test
            return self.value(node.body if test else node.orelse)
        if isinstance(node, ast.Lambda):
            return Unknown(node.lineno, "a lambda is only known when it runs")
        if isinstance(node, (ast.ListComp, ast.GeneratorExp, ast.Dict)):
            known = self.raw(node)
            if not isinstance(known, Unknown):
                return known
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp,
                             ast.Dict, ast.Set, ast.JoinedStr, ast.FormattedValue,
                             ast.Starred)):
            self.calls_within(node)
            return Unknown(node.lineno, f"{text(node)} is only known when the code runs")
        raise err(node, f"{text(node)} is not read", READ_HINT)

    def given(self, node: ast.Attribute | ast.Subscript) -> object:
        """A value the user gives for this attribute (`--set args.num_classes=10`), or the
        data shape --input stands for (`x_train.shape[1:]`); else MISSING."""
        key = dotted(node)
        if key is not None:
            value = value_of(key)
            if value is not MISSING:
                return value
        if self.values().data(node.value if isinstance(node, ast.Subscript) else node):
            return self.raw(node)
        return MISSING

    def calls_within(self, node: ast.AST) -> None:
        """Every call inside an expression whose value is not kept: each must be one the
        reader knows; a model used inside one is spoiled."""
        for sub in ast.iter_child_nodes(node):
            if isinstance(sub, ast.expr) and not isinstance(sub, (ast.Lambda,)):
                if isinstance(sub, ast.Call):
                    self.call(sub)
                elif isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Load):
                    v = self.get(sub.id)
                    if is_holder(v):
                        assert isinstance(v, Holder)
                        v.spoil(err(sub, f"{text(node)} uses {sub.id} in a way cnncalc "
                                    "does not follow"))
                else:
                    self.calls_within(sub)
            elif isinstance(sub, ast.comprehension):
                self.calls_within(sub)

    def constant(self, node: ast.expr) -> object:
        """A literal, arithmetic or comparison: a constant when every part is one."""
        parts: list[object] = []
        for sub in _operands(node):
            parts.append(self.value(sub))
        joined = kf.arithmetic(node, parts)
        if joined is not None:
            return joined
        for part, sub in zip(parts, _operands(node)):
            if isinstance(part, Param):
                part = part.stands_for
            if isinstance(part, Unknown):
                return part
            if isinstance(part, Tensor):
                return Unknown(node.lineno, f"{text(node)}: arithmetic on tensors is not "
                               "read yet", "use layers.add([...]) for a residual")
            if is_holder(part):
                assert isinstance(part, Holder)
                part.spoil(err(node, f"{text(node)} uses {text(sub)} in a way cnncalc "
                               "does not follow"))
                return as_unknown(part, node)
            if not isinstance(part, RAW_TYPES):
                return Unknown(node.lineno, f"{text(node)} is only known when the code runs")
        known = {id(sub): part for part, sub in zip(parts, _operands(node))
                 if not isinstance(sub, (ast.Name, ast.Constant))}
        if known:  # x.shape[-1], len(cfg): parts only this reader computes
            return self.raw(_with_known(node, known), {f"__known_{k}": v
                                                       for k, v in known.items()})
        return self.raw(node)

    def raw(self, node: ast.expr, known: dict[str, object] | None = None) -> object:
        """A constant expression's value; one Python would refuse (1 / 0, 1e309) is an
        Unknown that says why, an error only where a model uses it."""
        try:
            return Values(known, self.view()).eval(node)
        except LimitError:
            raise
        except CodeError as e:
            return Unknown.of(e)

    def attribute(self, base: object, node: ast.Attribute) -> object:
        if isinstance(base, Tensor) and node.attr == "shape":
            from .shapes import keras_shape  # only for code that reads a shape

            try:
                return keras_shape(base, node)
            except LimitError:
                raise
            except CodeError as e:
                return Unknown.of(e)
        if isinstance(base, Module):
            return Module(f"{base.name}.{node.attr}")
        if isinstance(base, Holder) and not isinstance(base, Owner) and \
                node.attr not in allow.READ_ONLY_ATTRIBUTES:
            base.spoil(err(node, f"{text(node)} reaches into the model; cnncalc cannot "
                           "follow what is done with it"))
        return as_unknown(base, node) if not isinstance(base, Unknown) else base

    # --- calls -------------------------------------------------------------------------

    def call(self, node: ast.Call) -> object:
        func = node.func
        if isinstance(func, ast.Call):  # layers.Dense(10)(x), make_block()(x)
            return self.apply(func, node)
        name = dotted(func)
        if name is not None:
            built = self.model_call(node, name)
            if built is not None:
                return built
        if name is not None and not node.args and not node.keywords and \
                self.canonical(name) in allow.IMAGE_DATA_FORMAT:
            return "channels_last"  # Keras' default, which the reading says it assumed
        if isinstance(func, ast.Attribute):
            return self.method(self.value(func.value), func.attr, node)
        if isinstance(func, ast.Name):
            return self.called(self.root(func), func.id, node)
        self.calls_within(node)
        raise err(node, f"{text(node)} is not read", READ_HINT)

    def canonical(self, name: str) -> str:
        """The full dotted name a call's written name stands for, through the imports."""
        head, _, rest = name.partition(".")
        bound = self.get(head)
        full = bound.name if isinstance(bound, Module) else allow.ALIASES.get(head, head)
        return f"{full}.{rest}" if rest else full

    def model_call(self, node: ast.Call, name: str) -> object | None:
        """A call that builds a model or a layer, by the name it is written with."""
        root = self.get(name.split(".")[0])
        if isinstance(root, (Owner, Holder, Unknown, Tensor)) or isinstance(root, RAW_TYPES):
            return None  # the file's own `Model` class, a variable... not the library's
        if name in kf.INPUTS:
            return kf.input_tensor(node, self.values())
        if sequential_dialect(node) is not None:
            return SeqModel("", node, self.snapshot(), home=self)
        if name in kf.MODELS:
            return self.functional_model(node)
        if name in kf.JOIN_FUNCTIONS:
            return kf.join_function(name, node, self.value, self.values())
        module, _, last = self.canonical(name).rpartition(".")
        if library_name(name) is not None or (last[:1].isupper() and module in (
                "torch.nn", "keras.layers", "tensorflow.keras.layers", "keras",
                "tensorflow.keras")):
            Reader(self.values(), None).check_signature(node)
            return LayerObj(node, self.snapshot(), home=self)
        return None

    def functional_model(self, node: ast.Call) -> Built:
        return Built(node.lineno, kf.model(node, self.tensor, "model"), home=self)

    def tensor(self, node: ast.expr) -> object:
        """The value of an expression a layer is applied to."""
        v = self.value(node)
        return v if isinstance(v, (Tensor, Unknown)) else as_unknown(v, node)

    def apply(self, inner: ast.Call, node: ast.Call) -> object:
        """Something called on tensors: a layer built in place, or a value that is one."""
        name = dotted(inner.func)
        root = self.get(name.split(".")[0]) if name is not None else None
        if name in kf.JOIN_CLASSES and not isinstance(root, (Owner, Holder, Unknown)):
            return kf.join_layer(inner, node, self.tensor, self.values())
        made = self.model_call(inner, name) if name is not None else None
        if isinstance(made, LayerObj):
            arg = self.tensor(node.args[0]) if node.args and \
                not isinstance(node.args[0], ast.Starred) else None
            self.keywords(node)
            return kf.apply_layer(inner, node, arg, self.values())
        callee = made if made is not None else self.call(inner)
        args = [self.tensor(a) for a in node.args if not isinstance(a, ast.Starred)]
        self.keywords(node)
        return self.applied(callee, text(inner.func), node, args)

    def applied(self, callee: object, name: str, node: ast.Call, args: list[object]) -> object:
        if isinstance(callee, LayerObj):
            return kf.apply_object(callee, name, node, args[0] if args else None)
        tensor_in = any(isinstance(a, Tensor) for a in args)
        if isinstance(callee, SeqModel) and len(args) == 1 and isinstance(args[0], Tensor) \
                and not node.keywords:
            return self.nested(callee, args[0], node)
        if isinstance(callee, (SeqModel, Built)) and tensor_in:
            return Unknown(node.lineno, f"{text(node)} applies a model as a layer: nested "
                           "models are not read yet")
        if isinstance(callee, Unknown):
            return callee
        if tensor_in or isinstance(callee, Instance):
            return as_unknown(callee, node) if not tensor_in else Unknown(
                node.lineno, f"{text(node)}: {name} is only known when the code runs")
        return Unknown(node.lineno, f"{text(node)} is only known when the code runs")

    def nested(self, seq: SeqModel, x: Tensor, node: ast.Call) -> object:
        """A Sequential applied to a tensor as a layer: its layers, as they stand."""
        sequential_model = hooks.up("sequential_model")  # from modules (above)

        if seq.poison is not None:
            return Unknown.of(seq.poison)
        try:
            model = sequential_model(seq, nested=True)()
        except LimitError:
            raise
        except CodeError as e:
            return Unknown.of(e)
        if seq.applied is None:
            seq.applied = node
        self.nests(seq)
        return x.then(model.nodes)

    def nests(self, seq: SeqModel) -> None:
        raise NotImplementedError

    def called(self, callee: object, name: str, node: ast.Call) -> object:
        """A call of a name: a builtin or imported function, the file's own code, a model."""
        if isinstance(callee, Module):
            return self.library(callee.name, node)
        if isinstance(callee, Owner):
            return self.file_call(callee, node)
        if isinstance(callee, (SeqModel, Built, LayerObj, Instance, Param)):
            args = [self.tensor(a) for a in node.args if not isinstance(a, ast.Starred)]
            self.keywords(node)
            return self.applied(callee, name, node, args)
        if isinstance(callee, Unknown):
            self.arguments(node, reads=False)
            return callee
        raise err(node, f"{text(node)}: {name} cannot be called")

    def library(self, name: str, node: ast.Call) -> object:
        """A call of an imported or builtin function: allowed, or an error naming it."""
        if name in ("int", "float") and len(node.args) == 1 and not node.keywords and \
                not isinstance(node.args[0], ast.Starred):
            arg = self.value(node.args[0])
            if not isinstance(arg, RAW_TYPES):
                return as_unknown(arg, node)
            return self.raw(node)
        if name == "functools.partial":
            made = self.partial(node)
            if made is not None:
                return made
        if name in BUILTIN_FUNCTIONS and not node.keywords and \
                not any(isinstance(a, ast.Starred) for a in node.args):
            args = [self.value(a) for a in node.args]
            if name == "isinstance" or all(isinstance(a, RAW_TYPES) for a in args):
                return self.raw(node)
        if not allow.harmless(name) and not allow.reads_models(name):
            problem = err(node, f"{text(node)} is not read: cnncalc cannot tell what {name} "
                          "does to the model", READ_HINT)
            for a in [*node.args, *(k.value for k in node.keywords)]:
                v = self.get(a.id) if isinstance(a, ast.Name) else None
                if isinstance(v, Holder) and not isinstance(v, Owner):
                    v.spoil(problem)
            self.calls_within(node)
            raise problem
        self.arguments(node, reads=allow.reads_models(name))
        return Unknown(node.lineno, f"{text(node)} is only known when the code runs")

    def partial(self, node: ast.Call) -> object | None:
        """functools.partial(layers.Conv2D, kernel_size=3, ...) of a library class with
        known arguments: a class alias with those arguments fixed."""
        Partial = hooks.up("Partial")  # from init_run (above)

        if not node.args or any(isinstance(a, ast.Starred) for a in node.args) or \
                any(k.arg is None for k in node.keywords):
            return None
        func = self.value(node.args[0])
        rest = [self.value(a) for a in node.args[1:]]
        keywords = [(k.arg, self.value(k.value)) for k in node.keywords if k.arg]
        if not isinstance(func, Module) or not all(
                isinstance(v, RAW_TYPES) for v in [*rest, *(v for _, v in keywords)]):
            return None
        made: object = Partial(func, node.args[0], tuple(rest), tuple(keywords))
        return made

    def arguments(self, node: ast.Call, reads: bool) -> list[object]:
        """The arguments' values; a model handed to a call that may change it is spoiled."""
        out: list[object] = []
        for a in [*node.args, *(k.value for k in node.keywords)]:
            v = self.value(a.value if isinstance(a, ast.Starred) else a)
            if isinstance(v, Holder) and not isinstance(v, Owner) and not reads:
                v.spoil(err(node, f"{text(node)} is handed {text(a)}; cnncalc cannot tell "
                            "what it does to it"))
            out.append(v)
        return out

    def keywords(self, node: ast.Call) -> None:
        for k in node.keywords:
            self.value(k.value)

    def run_function(self, owner: Owner, node: ast.Call) -> object:
        raise NotImplementedError

    def file_call(self, owner: Owner, node: ast.Call) -> object:
        """A call of the file's own function (read: its body runs, see Script.run_function)
        or class (not read yet, so what it gives is unknown); a model handed to a class is
        followed into it (see Script.link)."""
        fn = owner.node
        if owner.kind == "function" and isinstance(fn, ast.FunctionDef):
            return self.run_function(owner, node)
        names = [a.arg for a in (*fn.args.posonlyargs, *fn.args.args)] \
            if not isinstance(fn, ast.ClassDef) else []
        if isinstance(fn, ast.ClassDef):
            self.first_call(owner)
        given: list[object] = []
        for i, a in enumerate(node.args):
            v = self.value(a.value if isinstance(a, ast.Starred) else a)
            given.append(v)
            if isinstance(v, Holder) and not isinstance(v, Owner):
                param = names[i] if i < len(names) and not isinstance(a, ast.Starred) else ""
                self.link(v, owner, param, node)
        for k in node.keywords:
            v = self.value(k.value)
            given.append(v)
            if isinstance(v, Holder) and not isinstance(v, Owner):
                self.link(v, owner, k.arg or "", node)
        if not isinstance(fn, ast.ClassDef):
            for stmt in fn.body:  # names the function rebinds in the module
                if isinstance(stmt, ast.Global):
                    for g in stmt.names:
                        self.history.bind(g, Unknown(node.lineno, f"{text(node)} sets {g} "
                                                     "(global); helper functions are not "
                                                     "read yet"))
        kind = "a function of the file: helper functions are not read yet" \
            if owner.kind == "function" else \
            f"an instance of the file's class {fn.name}, only known when the code runs"
        mine = Unknown(node.lineno, f"{text(node)} is {kind}")
        # An argument already unknown is the earlier problem: x = block(block(x)).
        earlier = kf.first_unknown(mine, *given, *(v.stands_for for v in given
                                                   if isinstance(v, (Instance, Param))))
        return Instance(owner, earlier if isinstance(earlier, Unknown) else mine, home=self)

    def method(self, base: object, attr: str, node: ast.Call) -> object:
        """A method call: on a model, on a tensor or data, or a module's function."""
        if isinstance(base, Module):
            return self.library(f"{base.name}.{attr}", node)
        if isinstance(base, Holder) and not isinstance(base, Owner):
            reads = attr in allow.READ_ONLY_METHODS or attr in allow.SELF_METHODS or \
                attr in allow.PART_METHODS or (attr == "build" and isinstance(base, Instance)
                                               and base.owner.kind == "keras")
            self.arguments(node, reads=reads)
            if attr in allow.SELF_METHODS or attr in allow.PART_METHODS:
                return base
            if not reads:
                why = "changes the model after it is built" if attr in _MUTATING else \
                    "is not known to leave the model as it is"
                base.spoil(err(node, f"{text(node)} {why}",
                               "write every layer where the model is built"))
            return Unknown(node.lineno, f"{text(node)} is only known when the code runs")
        if isinstance(base, Owner):
            self.arguments(node, reads=False)
            return Unknown(node.lineno, f"{text(node)}: the file's own {base.kind} code is "
                           "not read yet")
        self.arguments(node, reads=False)
        if isinstance(base, Unknown):
            return base
        return Unknown(node.lineno, f"{text(node)} is only known when the code runs")


def _with_known(node: ast.expr, known: dict[int, object]) -> ast.expr:
    """`node` with each operand whose value is in `known` read as a name bound to it."""
    out = copy.copy(node)
    for field, value in ast.iter_fields(node):
        if isinstance(value, list):
            setattr(out, field, [_known_name(v, known) for v in value])
        elif isinstance(value, ast.expr):
            setattr(out, field, _known_name(value, known))
    return out


def _known_name(sub: object, known: dict[int, object]) -> object:
    if isinstance(sub, ast.expr) and id(sub) in known:
        return ast.copy_location(ast.Name(f"__known_{id(sub)}", ast.Load()), sub)
    return sub


def _operands(node: ast.expr) -> list[ast.expr]:
    """The sub-expressions a constant expression combines (names and calls among them)."""
    if isinstance(node, (ast.Tuple, ast.List)):
        return list(node.elts)
    if isinstance(node, ast.UnaryOp):
        return [node.operand]
    if isinstance(node, ast.BinOp):
        return [node.left, node.right]
    if isinstance(node, ast.Compare):
        return [node.left, *node.comparators]
    if isinstance(node, ast.BoolOp):
        return list(node.values)
    if isinstance(node, ast.Subscript):
        return [node.value] + ([] if isinstance(node.slice, ast.Slice) else [node.slice])
    return []


Evaluator = Callable[[ast.expr], object]
