"""The one place that reads the statements of a module or a function body.

Every statement is dispatched on its kind through STATEMENTS, which has no fall-through: it
is interpreted, skipped on purpose (imports, docstrings, pass, calls on the allow-list), or
recorded as a problem naming its line. A block the reader does not run yet (a loop, a
condition known only at run time, a try) is read as if it ran once, and then every name it
sets becomes unknown and every model it changes is spoiled, so nothing it does can reach a
figure. A model built in the body reports the body's first problem in source order.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from types import MappingProxyType

from . import allow, hooks
from .evaluate import READ_HINT, Expressions, as_unknown
from .given import arguments, parameters
from .keras_functional import first_unknown
from .kinds import Built, Found, Holder, Instance, Module, Owner, Param, SeqModel
from .tensors import Tensor, name_tensor
from .values import (
    MAX_CALLS,
    MISSING,
    RAW_TYPES,
    CodeError,
    History,
    LimitError,
    Unknown,
    Values,
    View,
    budget,
    close_name,
    dotted,
    earliest,
    err,
    iterate,
    limit,
    text,
)

_KINDS: dict[type[ast.stmt], str] = {
    ast.For: "a for loop", ast.AsyncFor: "an async for loop", ast.While: "a while loop",
    ast.If: "an if", ast.With: "a with block", ast.AsyncWith: "an async with block",
    ast.Try: "a try block", ast.FunctionDef: "a function", ast.AsyncFunctionDef: "a function",
    ast.ClassDef: "a class", ast.Match: "a match statement", ast.Return: "a return",
    ast.Raise: "a raise", ast.Delete: "a del", ast.Global: "a global statement",
    ast.Nonlocal: "a nonlocal statement", ast.Import: "an import",
    ast.ImportFrom: "an import", ast.While: "a while loop", ast.Assert: "an assert",
}


def describe(stmt: ast.stmt) -> str:
    """A statement named for a message: 'a for loop', or its code."""
    return _KINDS.get(type(stmt), f"'{text(stmt)}'")


class _Return(Exception):
    """`return` in a function the reader runs: carries the value to the call."""

    def __init__(self, value: object) -> None:
        self.value = value


class _Break(Exception):
    """`break` in a loop the reader runs."""


class _Continue(Exception):
    """`continue` in a loop the reader runs."""


class Unit:
    """What one file's reading shares: the models found, and models handed to functions."""

    def __init__(self, tree: ast.Module) -> None:
        self.tree = tree
        self.found: list[Found] = []
        self.links: list[tuple[Holder, Owner, str, CodeError]] = []
        self.functions: list[Owner] = []
        self.module: Script | None = None
        # Changed when the code assigns into a library of layers (`nn.Linear = ...`):
        # every model of the file is then refused, whether built before or after.
        self.libraries = Holder()
        # Sequentials applied as layers: a later change to one refuses every model.
        self.nested: list[Holder] = []


class Script(Expressions):
    """Reads one body (the module, or one function) statement by statement."""

    def __init__(self, unit: Unit, owner: Owner | None, outer: View | None,
                 frame: bool = False) -> None:
        self.unit = unit
        self.owner = owner
        self.outer = outer
        self.frame = frame  # a call of a function of the file, run with its arguments
        self.nesting: list[str] = []  # 'loop' (run) and 'block' (read once), innermost last
        self.history = History()
        self.problems: list[CodeError] = []
        self.sandbox: list[tuple[ast.stmt, str]] = []
        self.returned: ast.Return | None = None
        self.star = False
        self.star_bound: set[str] = set()  # names a library's `import *` bound
        self.registered: set[int] = set()

    # --- the dispatch ------------------------------------------------------------------

    def body(self, stmts: list[ast.stmt]) -> None:
        for s in stmts:
            self.statement(s)

    def statement(self, s: ast.stmt) -> None:
        try:
            budget().tick(s)
            if self.returned is not None:
                raise err(s, f"{describe(s)} after return is never run", "remove it")
            handler = STATEMENTS.get(type(s))
            if handler is None:
                raise err(s, f"{describe(s)} is not read", READ_HINT)
            handler(self, s)
        except LimitError:
            raise
        except CodeError as e:
            self.fail(s, e)

    def fail(self, s: ast.stmt, e: CodeError) -> None:
        """A statement that is a problem: recorded, and whatever it may have set or changed
        becomes unknown, so the rest of the body is read as the code would leave it."""
        self.problems.append(e)
        unknown = Unknown.of(e)
        for name in _stored(s):
            self.history.bind(name, unknown)
        for name in _loaded(s):
            v = self.get(name)
            if isinstance(v, Holder) and not isinstance(v, Owner):
                v.spoil(e)
        # A model class the statement hands on as a value (setattr(Net, 'width', 8),
        # register(Net)) may be changed by it; one it only calls (summary(Net(), ...)) is
        # not: the instance made is what the statement has
        called = {id(c.func) for c in ast.walk(s) if isinstance(c, ast.Call)}
        for n in ast.walk(s):
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) and \
                    id(n) not in called:
                v = self.get(n.id)
                if isinstance(v, Owner) and v.kind in ("torch", "keras"):
                    v.spoil(e)

    # --- hooks for Expressions -----------------------------------------------------------

    def link(self, holder: Holder, owner: Owner, param: str, node: ast.AST) -> None:
        self.unit.links.append((holder, owner, param, err(
            node, f"{text(node)} is handed {param or 'a model'} and may change it; helper "
            "functions are not read yet", "write every layer where the model is built")))

    def nests(self, seq: SeqModel) -> None:
        if seq not in self.unit.nested:
            self.unit.nested.append(seq)

    def first_call(self, owner: Owner) -> None:
        if self.owner is None and not self.sandbox and owner.first_call is None:
            owner.first_call = self.snapshot()

    # --- models found ------------------------------------------------------------------

    def register(self, value: object, name: str, node: ast.AST) -> None:
        """A model the statement built, under the name the code gives it."""
        if not isinstance(value, (SeqModel, Built)) or id(value) in self.registered or \
                self.frame:
            return
        if value.home is not self:
            return
        self.registered.add(id(value))
        label = self.owner.node.name if self.owner is not None else name
        line = getattr(node, "lineno", 0)
        for block, what in self.sandbox:
            value.spoil(err(block, f"{what} builds {name}; "
                            f"{'loops' if 'loop' in what else 'such blocks'} are not read yet"))
        holders: tuple[Holder, ...] = (value,) + ((self.owner,) if self.owner else ())
        if isinstance(value, SeqModel):
            sequential_model = hooks.up("sequential_model")  # from modules (above)

            value.var = name
            read: Callable[[], object] = sequential_model(value)
        else:
            read = value.read
        self.unit.found.append(Found(label, line, read, self.problems, holders))

    # --- statements --------------------------------------------------------------------

    def assign(self, s: ast.Assign | ast.AnnAssign) -> None:
        if s.value is None:
            return  # `x: int`: a declaration, nothing is bound
        targets = s.targets if isinstance(s, ast.Assign) else [s.target]
        value = self.value(s.value)
        for t in targets:
            self.store(t, value, s)

    def store(self, target: ast.expr, value: object, s: ast.stmt) -> None:
        if isinstance(target, ast.Name):
            self.register(value, target.id, s)
            self.history.bind(target.id, value)
            if isinstance(value, Tensor):
                name_tensor(value, target.id)  # named in messages about shared branches
        elif isinstance(target, (ast.Tuple, ast.List)):
            self.unpack(target, value, s)
        elif isinstance(target, (ast.Attribute, ast.Subscript)):
            self.store_into(target, s)
        elif isinstance(target, ast.Starred):
            self.store(target.value, Unknown(s.lineno, f"{text(target)} is only known when "
                                             "the code runs"), s)
        else:
            raise err(s, f"cannot read the assignment to {text(target)}", READ_HINT)

    def unpack(self, target: ast.Tuple | ast.List, value: object, s: ast.stmt) -> None:
        if isinstance(value, tuple) and len(value) == len(target.elts) and \
                not any(isinstance(e, ast.Starred) for e in target.elts):
            for t, v in zip(target.elts, value):
                self.store(t, v, s)
            return
        if isinstance(value, Holder) and not isinstance(value, Instance):
            value.spoil(err(s, f"{text(s)} takes the model apart"))
        for t in target.elts:
            part = value if isinstance(value, Instance) else Unknown(
                s.lineno, f"{text(t)} = {text(s.value) if hasattr(s, 'value') else '...'} "
                "is only known when the code runs")
            if isinstance(value, Unknown):
                part = value
            self.store(t, part, s)

    def store_into(self, target: ast.Attribute | ast.Subscript, s: ast.stmt) -> None:
        """`a.b = ...` or `a[i] = ...`: a change to what `a` holds."""
        base = self.value(target.value)
        if isinstance(base, Holder) and not isinstance(base, Owner):
            base.spoil(err(s, f"{text(target)} = ... changes the model after it is built",
                           "write every layer where the model is built"))
        elif isinstance(base, Owner) and isinstance(base.node, ast.ClassDef):
            problem = err(s, f"{text(target)} = ... changes the file's class "
                          f"{base.node.name} after it is defined", READ_HINT)
            base.spoil(problem)
            raise problem
        elif isinstance(base, Module) and allow.model_library(base.name):
            problem = err(s, f"{text(target)} = ... changes the library {base.name}, and "
                          "with it what its layers mean", READ_HINT)
            self.unit.libraries.spoil(problem)
            raise problem
        elif isinstance(base, Module) and not allow.harmless(base.name):
            raise err(s, f"{text(target)} = ... changes the library {base.name}", READ_HINT)
        elif isinstance(base, RAW_TYPES):
            raise err(s, f"{text(target)} = ...: {text(target.value)} is a constant")
        elif isinstance(base, Tensor):
            raise err(s, f"{text(target)} = ...: a tensor of the model cannot be changed")

    def aug_assign(self, s: ast.AugAssign) -> None:
        if isinstance(s.target, ast.Name):
            combined = ast.BinOp(left=ast.copy_location(ast.Name(s.target.id, ast.Load()),
                                                    s.target), op=s.op,
                                 right=s.value)
            ast.copy_location(combined, s)
            self.history.bind(s.target.id, self.value(combined))
        else:
            self.value(s.value)
            self.store_into(s.target, s)

    def expression(self, s: ast.Expr) -> None:
        v = s.value
        if isinstance(v, ast.Constant):
            return  # a docstring, or a bare literal: nothing happens
        if self.owner is None and isinstance(v, (ast.List, ast.Tuple)) and v.elts and \
                all(isinstance(e, ast.Call) for e in v.elts):
            list_model = hooks.up("list_model")  # from modules (above)

            self.unit.found.append(Found("model", s.lineno, list_model(v, self.snapshot()),
                                         self.problems))
            return
        if isinstance(v, ast.Call) and isinstance(v.func, ast.Attribute) and \
                v.func.attr in ("add", "build"):
            base = self.value(v.func.value)
            if isinstance(base, SeqModel):
                self.build_step(base, v)
                return
        result = self.value(v)
        if self.owner is None:
            self.register(result, "model", s)

    def build_step(self, model: SeqModel, call: ast.Call) -> None:
        """model.add(layer) or model.build(shape) on a Sequential."""
        assert isinstance(call.func, ast.Attribute)
        if len(call.args) != 1 or call.keywords:
            raise err(call, f"model.{call.func.attr} takes one argument")
        if self.sandbox:
            block, what = self.sandbox[0]
            why = "loops are" if "loop" in what else "such blocks are"
            model.spoil(err(block, f"{what} changes {model.var} ({text(call)}); {why} not "
                            "read yet", "write every layer where the model is built"))
            return
        if model.home is not self:
            model.spoil(err(call, f"{text(call)} changes {model.var} inside a function; "
                            "helper functions are not read yet",
                            "write every layer where the model is built"))
            return
        if model.applied is not None:
            model.spoil(err(call, f"{text(call)} changes {model.var} after it is used as a "
                            f"layer (line {getattr(model.applied, 'lineno', '?')})",
                            "write every layer before the model is used"))
            return
        if call.func.attr == "add":
            model.adds.append((call.args[0], self.snapshot()))
        else:
            model.builds.append((call, self.snapshot()))

    def returns(self, s: ast.Return) -> None:
        if self.owner is None:
            raise err(s, "return outside a function")
        value = self.value(s.value) if s.value is not None else None
        if self.frame:
            raise _Return(value)
        if isinstance(value, Param):
            value.spoil(err(s, f"{self.owner.node.name} returns {value.name}, so its caller "
                            "may change it"))
        self.register(value, self.owner.node.name, s)
        if not self.sandbox:
            self.returned = s

    def imports(self, s: ast.Import | ast.ImportFrom) -> None:
        for alias in s.names:
            if isinstance(s, ast.Import):
                bound = alias.asname or alias.name.split(".")[0]
                full = alias.name if alias.asname else alias.name.split(".")[0]
            elif alias.name == "*":
                self.import_all(s)
                continue
            else:
                bound = alias.asname or alias.name
                full = f"{'.' * s.level}{s.module or ''}.{alias.name}".replace("..", ".") \
                    if s.module else f"{'.' * s.level}{alias.name}"
            self.history.bind(bound, Module(full))

    def import_all(self, s: ast.ImportFrom) -> None:
        """`from torch.nn import *` binds the library's classes cnncalc reads, by name, as
        the import does. Any other name may come from it, so the file's unknown names
        are only known at run time; after an `import *` of another module, which may
        define any name, the library's names are too."""
        self.star = True
        module = f"{'.' * s.level}{s.module or ''}"
        names = allow.star_names(module)
        if names is None:
            for name in self.star_bound:
                self.history.bind(name, Unknown(s.lineno, f"{name} may come from the import "
                                                f"* of {module}; its value is only known "
                                                "when the code runs"))
            self.star_bound = set()
            return
        for name in names:
            self.history.bind(name, Module(f"{module}.{name}"))
        self.star_bound |= set(names)

    def define(self, s: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> None:
        class_kind = hooks.up("class_kind")  # from modules (above)

        kind = class_kind(s) if isinstance(s, ast.ClassDef) else "function"
        owner = Owner(s, kind, home=self)
        if isinstance(s, ast.FunctionDef):
            args = s.args
            positional = [*args.posonlyargs, *args.args]
            pairs = [*zip(positional[len(positional) - len(args.defaults):], args.defaults),
                     *((a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults)
                       if d is not None)]
            for a, d in pairs:  # evaluated once, where the function is defined, as Python does
                try:
                    owner.defaults[a.arg] = self.value(d)
                except LimitError:
                    raise
                except CodeError as e:
                    owner.defaults[a.arg] = Unknown.of(e)
        self.history.bind(s.name, owner)
        if self.owner is None and not self.sandbox:
            if isinstance(s, ast.ClassDef):
                class_found = hooks.up("class_found")  # from modules (above)

                found = class_found(s, owner, self.unit)
                if found is not None:
                    self.unit.found.append(found)
            self.unit.functions.extend(_functions(s, owner))

    def condition(self, s: ast.If) -> None:
        test = self.constant(s.test)
        if isinstance(test, Unknown) or not isinstance(test, RAW_TYPES):
            self.unread(s, "the if", [s.body, s.orelse], [],
                        f"its condition {text(s.test)} is only known when the code runs")
        else:
            self.body(s.body if test else s.orelse)

    def with_block(self, s: ast.With) -> None:
        known = True
        for item in s.items:
            ctx = item.context_expr
            name = dotted(ctx.func) if isinstance(ctx, ast.Call) else None
            self.value(ctx)
            known = known and name is not None and self.canonical(name) in allow.CONTEXTS
        targets = [i.optional_vars for i in s.items if i.optional_vars is not None]
        if known:
            for t in targets:
                self.store(t, Unknown(s.lineno, f"{text(t)} is only known when the code "
                                      "runs"), s)
            self.body(s.body)
        else:
            self.unread(s, "the with block", [s.body], targets,
                        "cnncalc does not know what its context does")

    def loop(self, s: ast.For | ast.AsyncFor | ast.While) -> None:
        targets = [s.target] if isinstance(s, (ast.For, ast.AsyncFor)) else []
        if isinstance(s, ast.While):
            test = self.constant(s.test)
            if isinstance(test, RAW_TYPES):
                self.run_while(s)
                return
        if isinstance(s, (ast.For, ast.AsyncFor)):
            over = self.value(s.iter)
            if isinstance(s, ast.For) and isinstance(over, RAW_TYPES) and over is not None:
                self.run_for(s, iterate(s.iter, over))
                return
            if isinstance(over, Holder) and not isinstance(over, Owner):
                over.spoil(err(s, f"the for loop over {text(s.iter)} reaches into the model; "
                               "cnncalc cannot follow what is done with it"))
        self.unread(s, f"the {'while' if isinstance(s, ast.While) else 'for'} loop",
                    [s.body, s.orelse], targets, "loops are not read yet")

    def run_for(self, s: ast.For, items: tuple[object, ...]) -> None:
        """A for loop over known items: its body runs once per item, as Python runs it."""
        broke = False
        self.nesting.append("loop")
        try:
            for item in items:
                budget().tick(s)
                self.store(s.target, item, s)
                try:
                    self.body(s.body)
                except _Continue:
                    continue
                except _Break:
                    broke = True
                    break
        finally:
            self.nesting.pop()
        if not broke:
            self.body(s.orelse)

    def run_while(self, s: ast.While) -> None:
        """A while loop whose condition is known at every turn; the step budget bounds it."""
        broke = False
        self.nesting.append("loop")
        try:
            while True:
                test = self.constant(s.test)
                if not isinstance(test, RAW_TYPES):
                    raise err(s, f"the while loop's condition {text(s.test)} is only known "
                              "when the code runs")
                if not test:
                    break
                budget().tick(s)
                try:
                    self.body(s.body)
                except _Continue:
                    continue
                except _Break:
                    broke = True
                    break
        finally:
            self.nesting.pop()
        if not broke:
            self.body(s.orelse)

    def run_function(self, owner: Owner, node: ast.Call) -> object:
        """A call of a function of the file: its body runs with the arguments given, and
        the call is what it returns. A problem inside it makes the call's value that
        problem, so a model built from it names the line inside the function."""
        fn = owner.node
        assert isinstance(fn, ast.FunctionDef)
        b = budget()
        if b.depth >= MAX_CALLS:
            raise limit(node, f"{text(node)}: calls of the file's functions nest more than "
                        f"{MAX_CALLS} deep", "a model's code needs far fewer")
        bound = self.call_arguments(owner, fn, node)
        if self.owner is None:  # the module calls it to build its model: --set replaces
            bound.update(arguments(parameters(fn, False)))
        built = self.torch_function(node, bound)
        if built is not None:
            return built
        home = owner.home
        frame = Script(self.unit, owner, home.view() if isinstance(home, Script) else
                       self.view(), frame=True)
        frame.star = self.star
        for name, value in bound.items():
            frame.history.bind(name, value)
        b.depth += 1
        result: object = None
        try:
            frame.body(fn.body)
        except _Return as r:
            result = r.value
        finally:
            b.depth -= 1
        first = earliest(*frame.problems)
        if first is not None:
            return Unknown.of(first)
        if isinstance(result, (SeqModel, Built)) and result.home is frame:
            result.home = self  # a model the function made and returned: the caller's now
        return result

    def torch_function(self, node: ast.Call, bound: dict[str, object]) -> Built | None:
        """A function that returns PyTorch layers built from known values (`vgg(conv_arch)`,
        lists and loops of layers included): the model it returns, read by the class
        reader's interpreter. None when it is not one: it is then run here."""
        if any(not isinstance(v, RAW_TYPES) for v in bound.values()) or \
                (self.owner is not None and not self.frame):
            return None  # a function body read on its own: its calls are not models
        file_layers = hooks.up("file_layers")  # from torch_module (above)

        view = self.snapshot()
        try:
            nodes = file_layers(node, Values(base=view))
        except LimitError:
            raise
        except CodeError:
            return None
        from .code import finish  # code builds on this file

        model = finish(text(node), None, nodes, None, node)
        return Built(node.lineno, lambda: model, home=self)

    def call_arguments(self, owner: Owner, fn: ast.FunctionDef,
                       node: ast.Call) -> dict[str, object]:
        """Each parameter's value for one call, bound as Python binds it."""
        args = fn.args
        given: list[object] = []
        for a in node.args:
            if isinstance(a, ast.Starred):
                v = self.value(a.value)
                if not isinstance(v, tuple):
                    raise as_unknown(v, a).error() if not isinstance(v, Unknown) else \
                        v.error()
                given.extend(v)
            else:
                given.append(self.value(a))
        named: dict[str, object] = {}
        for k in node.keywords:
            v = self.value(k.value)
            if k.arg is None:
                if not isinstance(v, MappingProxyType):
                    raise (v if isinstance(v, Unknown) else as_unknown(v, k.value)).error()
                for key, item in v.items():
                    if not isinstance(key, str):
                        raise err(node, f"{text(node)}: a keyword that is not a string")
                    named[key] = item
            else:
                named[k.arg] = v
        positional = [*args.posonlyargs, *args.args]
        out: dict[str, object] = {}
        for i, p in enumerate(positional):
            if i < len(given):
                if p.arg in named:
                    raise err(node, f"{text(node)}: {fn.name} is given {p.arg} twice")
                out[p.arg] = given[i]
            elif p.arg in named:
                out[p.arg] = named.pop(p.arg)
            elif p.arg in owner.defaults:
                out[p.arg] = owner.defaults[p.arg]
            else:
                raise err(node, f"{text(node)}: {fn.name} needs its argument {p.arg}")
        extra = tuple(given[len(positional):])
        if args.vararg is not None:
            out[args.vararg.arg] = extra if all(isinstance(v, RAW_TYPES) for v in extra) \
                else Unknown(node.lineno, f"*{args.vararg.arg} of {text(node)} holds values "
                             "known only when the code runs")
        elif extra:
            raise err(node, f"{text(node)}: {fn.name} takes {len(positional)} positional "
                      "arguments")
        for kw in args.kwonlyargs:
            if kw.arg in named:
                out[kw.arg] = named.pop(kw.arg)
            elif kw.arg in owner.defaults:
                out[kw.arg] = owner.defaults[kw.arg]
            else:
                raise err(node, f"{text(node)}: {fn.name} needs its argument {kw.arg}")
        if args.kwarg is not None:
            out[args.kwarg.arg] = MappingProxyType(named) if all(
                isinstance(v, RAW_TYPES) for v in named.values()) else Unknown(
                node.lineno, f"**{args.kwarg.arg} of {text(node)} holds values known only "
                "when the code runs")
        elif named:
            word = next(iter(named))
            names = [a.arg for a in (*positional, *args.kwonlyargs)]
            raise err(node, f"{fn.name} has no argument '{word}'", close_name(word, names))
        return out

    def attempt(self, s: ast.Try) -> None:
        bodies = [s.body, s.orelse, s.finalbody, *(h.body for h in s.handlers)]
        self.unread(s, "the try block", bodies, [],
                    "it may stop anywhere, so cnncalc cannot tell what it ran")
        for h in s.handlers:
            if h.name:
                self.history.bind(h.name, Unknown(h.lineno, f"{h.name} is only known when "
                                                  "the code runs"))

    def unread(self, s: ast.stmt, what: str, bodies: list[list[ast.stmt]],
               targets: list[ast.expr], why: str) -> None:
        """A block the reader does not run yet: read as if it ran once, then every name it
        set is unknown and every model it changed is spoiled."""
        leaves = _leaves(bodies, loops=not isinstance(s, (ast.For, ast.While)))
        if leaves is not None and (("loop" in self.nesting and leaves != "return") or
                                   (self.frame and leaves == "return")):
            raise err(s, f"{what} may {'return' if leaves == 'return' else 'leave the loop'}"
                      f" ({why}), so what runs after it is not known",
                      "make its condition a value known before the code runs")
        clock = self.history.clock
        self.sandbox.append((s, what))
        self.nesting.append("block")
        try:
            for t in targets:
                self.store(t, Unknown(s.lineno, f"{what} sets {text(t)}; {why}"), s)
            for b in bodies:
                self.body(b)
        finally:
            self.sandbox.pop()
            self.nesting.pop()
        for name, values in self.history.since(clock).items():
            if all(isinstance(v, (Module, Owner)) for v in values):
                continue  # an import or a definition means the same on every path
            mine = Unknown(s.lineno, f"{what} sets {name}; {why}")
            earlier = first_unknown(mine, *values, *(as_unknown(v, s) for v in values
                                                      if isinstance(v, (Instance, Param))))
            self.history.bind(name, earlier or mine)

    def delete(self, s: ast.Delete) -> None:
        for t in s.targets:
            if isinstance(t, ast.Name):
                if self.get(t.id) is MISSING:
                    raise self.missing(t, t.id)
                self.history.bind(t.id, Unknown(s.lineno, f"{t.id} is deleted on line "
                                                f"{s.lineno}"))
            elif isinstance(t, (ast.Attribute, ast.Subscript)):
                self.store_into(t, s)
            else:
                raise err(s, f"del {text(t)} is not read", READ_HINT)

    def scope_names(self, s: ast.Global | ast.Nonlocal) -> None:
        if self.owner is not None:
            raise err(s, f"{text(s)}: names shared with the module are not read yet",
                      READ_HINT)

    def check(self, s: ast.Assert) -> None:
        self.value(s.test)
        if s.msg is not None:
            self.value(s.msg)

    def jump(self, s: ast.stmt) -> None:
        if self.nesting and self.nesting[-1] == "loop":
            raise _Break() if isinstance(s, ast.Break) else _Continue()
        if not self.sandbox:
            raise err(s, f"{text(s)} outside a loop")

    def refuse(self, s: ast.stmt) -> None:
        raise err(s, f"{describe(s)} is not read", READ_HINT)


def _skip(script: Script, s: ast.stmt) -> None:
    """`pass`: nothing happens."""


STATEMENTS: dict[type[ast.stmt], Callable[[Script, ast.stmt], None]] = {
    ast.Assign: Script.assign,  # type: ignore[dict-item]
    ast.AnnAssign: Script.assign,  # type: ignore[dict-item]
    ast.AugAssign: Script.aug_assign,  # type: ignore[dict-item]
    ast.Expr: Script.expression,  # type: ignore[dict-item]
    ast.Return: Script.returns,  # type: ignore[dict-item]
    ast.Import: Script.imports,  # type: ignore[dict-item]
    ast.ImportFrom: Script.imports,  # type: ignore[dict-item]
    ast.FunctionDef: Script.define,  # type: ignore[dict-item]
    ast.AsyncFunctionDef: Script.define,  # type: ignore[dict-item]
    ast.ClassDef: Script.define,  # type: ignore[dict-item]
    ast.If: Script.condition,  # type: ignore[dict-item]
    ast.With: Script.with_block,  # type: ignore[dict-item]
    ast.For: Script.loop,  # type: ignore[dict-item]
    ast.While: Script.loop,  # type: ignore[dict-item]
    ast.Try: Script.attempt,  # type: ignore[dict-item]
    ast.Delete: Script.delete,  # type: ignore[dict-item]
    ast.Global: Script.scope_names,  # type: ignore[dict-item]
    ast.Nonlocal: Script.scope_names,  # type: ignore[dict-item]
    ast.Assert: Script.check,  # type: ignore[dict-item]
    ast.Pass: _skip,
    ast.Break: Script.jump,
    ast.Continue: Script.jump,
    # Read by nothing yet: each is a problem naming its line.
    ast.Raise: Script.refuse,
    ast.AsyncFor: Script.refuse,
    ast.AsyncWith: Script.refuse,
    ast.Match: Script.refuse,
    **{t: Script.refuse for t in (getattr(ast, n, None) for n in ("TryStar", "TypeAlias"))
       if t is not None},
}


def _leaves(bodies: list[list[ast.stmt]], loops: bool) -> str | None:
    """'return' or 'loop' when a block may return from its function, or break or continue
    the loop around it (`loops`), not counting functions it defines and, for break and
    continue, loops inside it."""
    found: str | None = None
    stack: list[tuple[ast.AST, bool]] = [(st, loops) for b in bodies for st in b]
    while stack:
        n, jumps = stack.pop()
        if isinstance(n, ast.Return):
            return "return"
        if isinstance(n, (ast.Break, ast.Continue)) and jumps:
            found = "loop"
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        inner = jumps and not isinstance(n, (ast.For, ast.AsyncFor, ast.While))
        stack.extend((c, inner) for c in ast.iter_child_nodes(n))
    return found


def _children(node: ast.AST) -> Iterator[ast.AST]:
    """The nodes of a statement, not entering the bodies of functions and classes it
    defines (their names are local to them)."""
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        if n is not node and isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef,
                                            ast.ClassDef, ast.Lambda)):
            continue
        stack.extend(ast.iter_child_nodes(n))


def _stored(s: ast.stmt) -> list[str]:
    """The names a statement may bind in its scope."""
    out: list[str] = []
    for n in _children(s):
        if isinstance(n, ast.Name) and isinstance(n.ctx, (ast.Store, ast.Del)):
            out.append(n.id)
        elif isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            out.append(n.name)
        elif isinstance(n, (ast.Import, ast.ImportFrom)):
            out.extend((a.asname or a.name).split(".")[0] for a in n.names if a.name != "*")
        elif isinstance(n, ast.ExceptHandler) and n.name:
            out.append(n.name)
    return out


def _loaded(s: ast.stmt) -> list[str]:
    return [n.id for n in _children(s) if isinstance(n, ast.Name)]


def _functions(s: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef,
               owner: Owner) -> list[Owner]:
    """The functions whose bodies are read for what they do to models handed to them: a
    top-level function, and the methods of a class that is not a model."""
    if isinstance(s, ast.ClassDef):
        if owner.kind != "class":
            return []
        return [Owner(m, "function", home=owner.home) for m in s.body
                if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef))]
    return [owner]


def as_value(v: object, node: ast.AST) -> object:
    return v if isinstance(v, RAW_TYPES) else as_unknown(v, node)
