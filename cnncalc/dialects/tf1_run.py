"""Run TensorFlow 1 graph code in the abstract: statements and expressions over tf1_values.

Nothing is imported or executed. Every statement is read, or the names it sets become
Opaque values that carry its line and reason: a model built from one of them is that error,
so no statement on the path that builds the model is passed over. Helper functions and
methods of the file are read when they are called, within a step budget and a depth limit.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .tf1_ops import library_call
from .tf1_tensors import method_call, static_shape, tensor_binop
from .tf1_values import (
    MAX_DIM,
    Cost,
    Derived,
    Function,
    Initial,
    Instance,
    Klass,
    Lib,
    Method,
    Opaque,
    Placeholder,
    PyList,
    Tensor,
    Var,
    suggest,
)
from .values import CodeError, err, text

MAX_STEPS = 50_000  # statements and calls read in all
MAX_CALL_DEPTH = 24  # helper functions calling helper functions
MAX_NESTING = 150  # expressions inside expressions, across those calls (Python's stack)
MAX_ITEMS = 10_000  # elements of a list or characters of a string the code may build
_CONTEXTS = ("variable_scope", "name_scope", "Session", "InteractiveSession", "device",
             "Graph.as_default", "compat.v1.variable_scope", "compat.v1.name_scope",
             "compat.v1.Session", "compat.v1.InteractiveSession", "compat.v1.device",
             "get_default_graph().as_default", "control_dependencies", "open", "arg_scope",
             "contrib.framework.arg_scope")
_NAME = "\x00name\x00"  # where a reason names what it sets (code never holds a NUL)
_READ_HINT = ("cnncalc reads TensorFlow 1 code without running it; "
              "see 'cnncalc docs spec tensorflow'")
_BUILTINS = {"print", "len", "int", "float", "str", "range", "list", "tuple", "min", "max",
             "abs", "round", "bool", "enumerate", "zip", "isinstance", "sum", "format",
             "dict", "set", "sorted", "reversed", "type", "super", "open", "input", "map",
             "filter", "repr", "object", "Exception", "ValueError", "id", "hasattr",
             "getattr", "True", "False", "None"}
_IMMUTABLE = (Tensor, Var, Placeholder, Derived, Cost, Initial, Lib, Function, Klass, Method,
              int, float, str, bool, type(None))
_BINOPS: dict[type[ast.operator], Callable[[object, object], object]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
    ast.FloorDiv: operator.floordiv, ast.Div: operator.truediv, ast.Mod: operator.mod,
}


class Stop(Exception):
    """A whole-file refusal: the step budget, or code that changes the TensorFlow library."""

    def __init__(self, error: CodeError) -> None:
        super().__init__(error.message)
        self.error = error


class _Return(Exception):
    def __init__(self, value: object) -> None:
        super().__init__()
        self.value = value


@dataclass
class Scope:
    """What one reading (the module, a function never called by the file, one instance of a
    class) leaves: its names, the costs it computes, and whether it builds a graph."""

    label: str
    names: dict[str, object] = field(default_factory=dict)
    costs: list[Cost] = field(default_factory=list)
    graph: int = 0  # line of its first graph-building call (placeholder, variable, op)
    instance: Instance | None = None
    named: dict[str, object] = field(default_factory=dict)  # tensors by the code's names
    failure: Opaque | None = None  # what stopped its reading, if anything did
    made: list[Var] = field(default_factory=list)  # every variable it creates
    problems: list[Opaque] = field(default_factory=list)  # ops that could not be read


class Runner:
    """Reads one file: its module body, then its entry functions and classes."""

    def __init__(self, tree: ast.Module) -> None:
        self.tree = tree
        self.steps = 0
        self.depth = 0
        self.graphs = 0  # scopes that have begun a TensorFlow graph
        self.nesting = 0  # expressions being evaluated, across calls
        self.scope = Scope("module")
        self.globals: dict[str, object] = {"__name__": "__main__"}
        self.built: dict[int, list[int]] = {}  # id(class) -> lines where it was built

    # --- budget --------------------------------------------------------------------------

    def tick(self, node: ast.AST) -> None:
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise Stop(err(node, f"the code takes more than {MAX_STEPS:,} steps to read",
                           "cnncalc reads a model's code, not a long computation"))

    # --- statements ----------------------------------------------------------------------

    def body(self, stmts: list[ast.stmt], env: dict[str, object]) -> None:
        for s in stmts:
            self.statement(s, env)

    def statement(self, s: ast.stmt, env: dict[str, object]) -> None:
        self.tick(s)
        try:
            self.dispatch(s, env)
        except CodeError as e:
            if isinstance(s, ast.Return):  # the call gives what stopped it
                raise _Return(Opaque.of(e)) from None
            self.failed(s, env, Opaque.of(e))

    def failed(self, s: ast.stmt, env: dict[str, object], why: Opaque) -> None:
        """Whatever a statement that could not be read may set becomes `why`."""
        for target, call_base in _targets(s):
            if call_base and isinstance(_quiet(self, target, env), _IMMUTABLE):
                continue  # y.eval(...), sess.run(...): a graph value does not change
            named = Opaque(why.line, why.reason.replace(_NAME, text(target, 40)), why.hint)
            if call_base:
                self.poison(target, named, env, s)
            else:
                self.store(target, named, env, s, quiet=True)
        for n in ast.walk(s):  # instances it may have changed
            if isinstance(n, ast.Name) and isinstance(env.get(n.id), Instance):
                inst = env[n.id]
                assert isinstance(inst, Instance)
                inst.spoiled = inst.spoiled or why
        if self.depth and _returns(s):  # the function may return from inside it: unknown
            raise _Return(Opaque(why.line, why.reason.replace(_NAME, "what the function "
                                                               "returns"), why.hint))

    def dispatch(self, s: ast.stmt, env: dict[str, object]) -> None:
        if isinstance(s, (ast.Assign, ast.AnnAssign)):
            if s.value is None:
                return
            value = self.eval(s.value, env)
            targets = s.targets if isinstance(s, ast.Assign) else [s.target]
            for t in targets:
                self.store(t, value, env, s)
        elif isinstance(s, ast.AugAssign):
            value = self.binop(s.op, self.eval(s.target, env), self.eval(s.value, env), s)
            self.store(s.target, value, env, s)
        elif isinstance(s, ast.Expr):
            if isinstance(s.value, ast.Constant):
                return
            self.eval(s.value, env)
            self.mutated(s.value, env)
        elif isinstance(s, (ast.Import, ast.ImportFrom)):
            self.imports(s, env)
        elif isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef)):
            env[s.name] = self.function(s, env)
        elif isinstance(s, ast.ClassDef):
            env[s.name] = self.klass(s, env)
        elif isinstance(s, ast.Return):
            if self.depth == 0:
                raise Stop(err(s, "'return' outside a function", "Python refuses this code"))
            raise _Return(None if s.value is None else self.eval(s.value, env))
        elif isinstance(s, ast.Raise):
            why = err(s, f"'{text(s, 40)}' stops the code here; what follows never runs",
                      "remove it to read the model")
            if self.depth == 0:
                raise Stop(why)
            raise _Return(Opaque.of(why))
        elif isinstance(s, ast.If):
            test = self.eval(s.test, env)
            if isinstance(test, (bool, int, float, str, type(None), tuple)):
                self.body(s.body if test else s.orelse, env)
            else:
                self.unread(s, env, f"the if on line {s.lineno}: its condition "
                            f"{text(s.test)} is only known when the code runs")
        elif isinstance(s, ast.With):
            for item in s.items:
                self.eval(item.context_expr, env)
            if all(self.known_context(i.context_expr, env) for i in s.items):
                for item in s.items:
                    if item.optional_vars is not None:
                        name = text(item.optional_vars)
                        self.store(item.optional_vars, Opaque(
                            s.lineno, f"{name} is only known when the code runs"), env, s)
                self.body(s.body, env)
            else:
                self.unread(s, env, f"the with block on line {s.lineno}: cnncalc does not "
                            "know what its context does")
        elif isinstance(s, (ast.For, ast.AsyncFor, ast.While)):
            what = "while" if isinstance(s, ast.While) else "for"
            self.unread(s, env, f"the {what} loop on line {s.lineno} sets {_NAME}; loops are "
                        "not read yet")
        elif isinstance(s, ast.Try):
            self.unread(s, env, f"the try block on line {s.lineno} sets {_NAME}: it may stop "
                        "anywhere, so cnncalc cannot tell what it ran")
        elif isinstance(s, (ast.Pass, ast.Break, ast.Continue, ast.Assert)):
            return
        elif isinstance(s, (ast.Global, ast.Nonlocal)):
            why = err(s, f"'{text(s, 40)}': names shared with another scope are not read yet",
                      "return the value instead")
            outer = self.globals if isinstance(s, ast.Global) else \
                (env.outer if isinstance(env, _Local) else env)
            for name in s.names:  # what the function may set there is unknown
                outer[name] = Opaque.of(why)
            raise why
        elif isinstance(s, ast.Delete):
            for t in s.targets:
                self.store(t, Opaque(s.lineno, f"{text(t)} is deleted on line {s.lineno}"),
                           env, s, quiet=True)
        else:
            raise err(s, f"'{text(s, 40)}' is not read", _READ_HINT)

    def unread(self, s: ast.stmt, env: dict[str, object], reason: str) -> None:
        """A block not run: every name it may set, and every instance it touches, becomes
        Opaque, so nothing it does can reach a figure."""
        self.failed(s, env, Opaque(s.lineno, reason, "write the model's layers outside it"))

    def mutated(self, call: ast.expr, env: dict[str, object]) -> None:
        """`x.append(...)` and the like change x in ways not followed: x becomes Opaque.
        Calls of the file's own methods are read, and libraries change nothing here."""
        if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Attribute):
            return
        base = call.func.value
        owner = self.eval(base, env) if isinstance(base, (ast.Name, ast.Attribute)) else None
        if isinstance(owner, (Lib, Instance, Klass, Function, Method, Opaque, type(None))):
            return
        why = Opaque(call.lineno, f"{text(call)} may change {text(base)}; cnncalc cannot "
                     "follow it", "build the model without changing it in place")
        self.poison(base, why, env, call)

    def poison(self, target: ast.expr, why: Opaque, env: dict[str, object],
               s: ast.AST) -> None:
        """An object changed in place (`x.append(...)`, `x[0] = ...`) is changed for every
        scope that holds it: the name becomes `why` where it lives, not only here."""
        current = _quiet(self, target, env)
        if isinstance(current, PyList) and current.spoiled is None:
            current.spoiled = why  # for every alias of the same list
        if isinstance(target, ast.Name):
            home: dict[str, object] = env
            while isinstance(home, _Local) and not dict.__contains__(home, target.id):
                home = home.outer
            if target.id in home or home is env:
                home[target.id] = why
            return
        self.store(target, why, env, s, quiet=True)

    def store(self, target: ast.expr, value: object, env: dict[str, object], s: ast.AST,
              quiet: bool = False) -> None:
        self.remember(target, value)
        if isinstance(target, ast.Name):
            if isinstance(value, (Var, Placeholder)) and value.name == "":
                value.name = target.id
            env[target.id] = value
        elif isinstance(target, (ast.Tuple, ast.List)):
            if isinstance(value, tuple) and len(value) == len(target.elts):
                for t, v in zip(target.elts, value):
                    self.store(t, v, env, s, quiet)
                return
            part = value if isinstance(value, Opaque) else Opaque(
                getattr(s, "lineno", None), f"{text(target)} = ... is only known when the "
                "code runs")
            for t in target.elts:
                self.store(t.value if isinstance(t, ast.Starred) else t, part, env, s, quiet)
        elif isinstance(target, ast.Attribute):
            base = self.eval(target.value, env) if not quiet else _quiet(self, target.value,
                                                                         env)
            if isinstance(base, Instance):
                if isinstance(value, (Var, Placeholder)) and value.name == "":
                    value.name = f"{text(target.value)}.{target.attr}"
                base.attrs[target.attr] = value
            elif isinstance(base, Lib) and base.name.startswith("tensorflow"):
                raise Stop(err(s, f"{text(target)} = ... changes the library "
                               f"{base.name}, and with it what its calls mean", _READ_HINT))
            elif isinstance(base, Klass):
                base.attrs[target.attr] = value
        elif isinstance(target, ast.Subscript):
            base = _quiet(self, target.value, env)
            if not isinstance(base, (Lib, Opaque)) and isinstance(target.value,
                                                                  (ast.Name, ast.Attribute)):
                self.poison(target.value, Opaque(getattr(s, "lineno", None), f"{text(target)}"
                            " = ... changes it in place; cnncalc cannot follow it"), env, s)
        elif isinstance(target, ast.Starred):
            self.store(target.value, value, env, s, quiet)

    def remember(self, target: ast.expr, value: object) -> None:
        """The names the code gives model tensors, for --model and the table's title."""
        if not isinstance(target, (ast.Name, ast.Attribute)):
            return
        key = text(target, 80)
        if isinstance(value, (Tensor, Opaque)):
            self.scope.named[key] = value

    def imports(self, s: ast.Import | ast.ImportFrom, env: dict[str, object]) -> None:
        for alias in s.names:
            if isinstance(s, ast.Import):
                if alias.asname:
                    env[alias.asname] = Lib(alias.name)
                else:
                    first = alias.name.split(".")[0]
                    env[first] = Lib(first)
            elif alias.name != "*":
                env[alias.asname or alias.name] = Lib(f"{s.module or ''}.{alias.name}")

    def function(self, s: ast.FunctionDef | ast.AsyncFunctionDef,
                 env: dict[str, object]) -> Function:
        a = s.args
        positional = [*a.posonlyargs, *a.args]
        defaults: dict[str, object] = {}
        for arg, d in zip(positional[len(positional) - len(a.defaults):], a.defaults):
            defaults[arg.arg] = _quiet(self, d, env)
        for arg, kd in zip(a.kwonlyargs, a.kw_defaults):
            if kd is not None:
                defaults[arg.arg] = _quiet(self, kd, env)
        return Function(s, defaults, env)

    def klass(self, s: ast.ClassDef, env: dict[str, object]) -> Klass:
        methods: dict[str, Function] = {}
        attrs: dict[str, object] = {}
        for b in s.body:
            if isinstance(b, (ast.FunctionDef, ast.AsyncFunctionDef)):
                methods[b.name] = self.function(b, env)
            elif isinstance(b, ast.Assign) and all(isinstance(t, ast.Name) for t in b.targets):
                value = _quiet(self, b.value, env)
                for t in b.targets:
                    assert isinstance(t, ast.Name)
                    attrs[t.id] = value
            elif not (isinstance(b, ast.Expr) and isinstance(b.value, ast.Constant)) and \
                    not isinstance(b, ast.Pass):
                reason = Opaque(b.lineno, f"'{text(b, 40)}' in the body of class {s.name} is "
                                "not read", _READ_HINT)
                for t, _ in _targets(b):
                    if isinstance(t, ast.Name):
                        attrs[t.id] = reason
        return Klass(s, methods, attrs)

    def known_context(self, node: ast.expr, env: dict[str, object]) -> bool:
        if not isinstance(node, ast.Call):
            return False
        name = self.canonical(node.func, env)
        for k in node.keywords:  # variables fetched again: shared weights are not read yet
            if k.arg == "reuse" and _quiet(self, k.value, env) not in (None, False):
                raise err(node, f"{text(node)}: reuse= shares the scope's variables; shared "
                          "weights are not read yet")
        return name is not None and any(name == f"tensorflow.{c}" or name == c
                                        for c in _CONTEXTS)

    # --- expressions ---------------------------------------------------------------------

    def canonical(self, node: ast.expr, env: dict[str, object]) -> str | None:
        """The full dotted name of a library attribute chain: `tf.nn.conv2d` with `import
        tensorflow as tf` is 'tensorflow.nn.conv2d'; None for anything else."""
        parts: list[str] = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if isinstance(node, ast.Call):  # tf.get_default_graph().as_default
            inner = self.canonical(node.func, env)
            return None if inner is None else ".".join([inner + "()", *reversed(parts)])
        if not isinstance(node, ast.Name):
            return None
        base = env.get(node.id, self.globals.get(node.id))
        if isinstance(base, Lib):
            return ".".join([base.name, *reversed(parts)])
        if base is None and node.id in _BUILTINS and not parts:
            return node.id
        return None

    def lookup(self, node: ast.Name, env: dict[str, object]) -> object:
        if node.id in env:
            return env[node.id]
        if node.id in self.globals:
            return self.globals[node.id]
        if node.id in _BUILTINS:
            return Lib(node.id)
        names = [n for n in (*env, *self.globals) if not n.startswith("__")]
        close = suggest(node.id, names)
        raise err(node, f"{node.id} is not defined" + (f"; did you mean '{close}'?"
                                                       if close else ""))

    def eval(self, node: ast.expr, env: dict[str, object]) -> object:
        if self.nesting >= MAX_NESTING:
            raise err(node, f"expressions and calls nest deeper than {MAX_NESTING} levels",
                      "write the model in simpler steps")
        self.nesting += 1
        try:
            value = self.value_of(node, env)
        finally:
            self.nesting -= 1
        if isinstance(value, PyList) and value.spoiled is not None:
            return value.spoiled  # changed in place since it was made
        return value

    def value_of(self, node: ast.expr, env: dict[str, object]) -> object:
        if isinstance(node, ast.Constant):
            if isinstance(node.value, str) and len(node.value) > MAX_ITEMS:
                return Opaque(node.lineno, "a long string")
            return node.value
        if isinstance(node, ast.Name):
            return self.lookup(node, env)
        if isinstance(node, (ast.List, ast.Tuple)):
            out: list[object] = []
            for e in node.elts:
                if isinstance(e, ast.Starred):
                    inner = self.eval(e.value, env)
                    if not isinstance(inner, tuple):
                        return Opaque(node.lineno, f"{text(node)} is only known when the code "
                                      "runs")
                    out.extend(inner)
                else:
                    out.append(self.eval(e, env))
            made = _bounded(tuple(out), node)
            if isinstance(node, ast.List) and isinstance(made, tuple):
                return PyList(made)
            return made
        if isinstance(node, ast.Attribute):
            return self.attribute(node, env)
        if isinstance(node, ast.Call):
            return self.call(node, env)
        if isinstance(node, ast.BinOp):
            return self.binop(node.op, self.eval(node.left, env), self.eval(node.right, env),
                              node)
        if isinstance(node, ast.UnaryOp):
            v = self.eval(node.operand, env)
            if isinstance(node.op, ast.USub) and _number(v):
                return -v  # type: ignore[operator]
            if isinstance(node.op, ast.UAdd) and _number(v):
                return v
            if isinstance(node.op, ast.Not) and isinstance(v, (bool, int, str, type(None))):
                return not v
            if isinstance(v, (Tensor, Derived)):
                return Derived(v if isinstance(v, Tensor) else v.tensor, False, node.lineno,
                               text(node))
            return Opaque(node.lineno, f"{text(node)} is only known when the code runs")
        if isinstance(node, ast.Subscript):
            return self.subscript(node, env)
        if isinstance(node, ast.Compare):
            return self.compare(node, env)
        if isinstance(node, ast.BoolOp):
            values = [self.eval(v, env) for v in node.values]
            if all(isinstance(v, (bool, int, str, type(None))) for v in values):
                result: object = values[0]
                for v in values[1:]:
                    result = (result and v) if isinstance(node.op, ast.And) else (result or v)
                return result
            return Opaque(node.lineno, f"{text(node)} is only known when the code runs")
        if isinstance(node, ast.JoinedStr):
            return Opaque(node.lineno, "an f-string")
        if isinstance(node, ast.IfExp):
            test = self.eval(node.test, env)
            if isinstance(test, (bool, int, str, type(None))):
                return self.eval(node.body if test else node.orelse, env)
            return Opaque(node.lineno, f"{text(node)}: its condition is only known when the "
                          "code runs")
        return Opaque(getattr(node, "lineno", None), f"{text(node)} is not read", _READ_HINT)

    def attribute(self, node: ast.Attribute, env: dict[str, object]) -> object:
        return self.attribute_of(self.eval(node.value, env), node)

    def attribute_of(self, base: object, node: ast.Attribute) -> object:
        if isinstance(base, Lib):
            return Lib(f"{base.name}.{node.attr}")
        if isinstance(base, Instance):
            if base.spoiled is not None:
                return base.spoiled
            if node.attr in base.attrs:
                return base.attrs[node.attr]
            if node.attr in base.klass.methods:
                return Method(base.klass.methods[node.attr], base)
            if node.attr in base.klass.attrs:
                return base.klass.attrs[node.attr]
            return Opaque(node.lineno, f"{text(node)} is not set when it is read")
        if isinstance(base, Klass):
            if node.attr in base.attrs:
                return base.attrs[node.attr]
            if node.attr in base.methods:
                return base.methods[node.attr]
        if isinstance(base, Tensor) and node.attr == "shape":
            return static_shape(base)
        if isinstance(base, Opaque):
            return base
        return Opaque(node.lineno, f"{text(node)} is only known when the code runs")

    def subscript(self, node: ast.Subscript, env: dict[str, object]) -> object:
        base = self.eval(node.value, env)
        if isinstance(base, Opaque):
            return base
        if isinstance(node.slice, ast.Slice):
            parts = [None if p is None else self.eval(p, env)
                     for p in (node.slice.lower, node.slice.upper, node.slice.step)]
            ints = [p if isinstance(p, int) and not isinstance(p, bool) else None
                    for p in parts]
            if isinstance(base, (tuple, str)) and all(p is None or i is not None
                                                      for p, i in zip(parts, ints)):
                return base[slice(*ints)]
            return Opaque(node.lineno, f"{text(node)} is only known when the code runs")
        index = self.eval(node.slice, env)
        if isinstance(base, (tuple, str)) and type(index) is int and \
                -len(base) <= index < len(base):
            return base[index]
        if isinstance(base, (Tensor, Derived)):
            return Derived(base if isinstance(base, Tensor) else base.tensor, False,
                           node.lineno, text(node))
        return Opaque(node.lineno, f"{text(node)} is only known when the code runs")

    def compare(self, node: ast.Compare, env: dict[str, object]) -> object:
        left = self.eval(node.left, env)
        plain = (bool, int, float, str, type(None))
        result = True
        for op, right_node in zip(node.ops, node.comparators):
            right = self.eval(right_node, env)
            if not isinstance(left, plain) or not isinstance(right, plain):
                return Opaque(node.lineno, f"{text(node)} is only known when the code runs")
            compare: dict[type[ast.cmpop], Callable[[Any, Any], object]] = {
                ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt,
                ast.LtE: operator.le, ast.Gt: operator.gt, ast.GtE: operator.ge,
                ast.Is: operator.is_, ast.IsNot: operator.is_not}
            try:
                ok = compare[type(op)](left, right)
            except (KeyError, TypeError):
                return Opaque(node.lineno, f"{text(node)} is only known when the code runs")
            result = result and bool(ok)
            left = right
        return result

    def binop(self, op: ast.operator, left: object, right: object, node: ast.AST) -> object:
        line = getattr(node, "lineno", None)
        for v in (left, right):
            if isinstance(v, Opaque):
                return v
        graph = (Tensor, Var, Placeholder, Derived, Initial)
        if isinstance(left, graph) or isinstance(right, graph):
            return tensor_binop(self, op, left, right, node)
        if isinstance(op, ast.Pow) and _number(left) and _number(right):
            if abs(right) > 64 or abs(left) > MAX_DIM:  # type: ignore[arg-type]
                return Opaque(line, f"{text(node)} is too large to read")
            try:
                return left ** right  # type: ignore[operator]
            except (ZeroDivisionError, OverflowError):
                return Opaque(line, f"{text(node)} cannot be computed")
        fn = _BINOPS.get(type(op))
        if fn is None or isinstance(left, bool) or isinstance(right, bool):
            return Opaque(line, f"{text(node)} is only known when the code runs")
        if _number(left) and _number(right):
            if max(abs(left), abs(right)) > 10**18:  # type: ignore[arg-type]
                return Opaque(line, f"{text(node)} is too large to read")
        elif isinstance(left, (str, tuple)) and isinstance(right, (str, tuple)) and \
                type(left) is type(right) and isinstance(op, ast.Add):
            pass
        elif isinstance(left, (str, tuple)) and type(right) is int and isinstance(op, ast.Mult):
            if len(left) * max(right, 0) > MAX_ITEMS:
                return Opaque(line, f"{text(node)} is too long to read")
        elif isinstance(left, str) and isinstance(op, ast.Mod):
            return Opaque(line, "a %-formatted string")
        else:
            return Opaque(line, f"{text(node)} is only known when the code runs")
        try:
            return _bounded(fn(left, right), node)
        except (ZeroDivisionError, OverflowError, TypeError, ValueError):
            return Opaque(line, f"{text(node)} cannot be computed")

    # --- calls ---------------------------------------------------------------------------

    def arguments(self, node: ast.Call, env: dict[str, object]
                  ) -> tuple[list[object], dict[str, object]] | Opaque:
        args: list[object] = []
        for a in node.args:
            if isinstance(a, ast.Starred):
                inner = self.eval(a.value, env)
                if not isinstance(inner, tuple):
                    return Opaque(node.lineno, f"*{text(a.value)} is only known when the code "
                                  "runs")
                args.extend(inner)
            else:
                args.append(self.eval(a, env))
        kwargs: dict[str, object] = {}
        for k in node.keywords:
            if k.arg is None:
                return Opaque(node.lineno, f"**{text(k.value)} is only known when the code "
                              "runs")
            kwargs[k.arg] = self.eval(k.value, env)
        return args, kwargs

    def call(self, node: ast.Call, env: dict[str, object]) -> object:
        self.tick(node)
        if isinstance(node.func, ast.Attribute) and node.func.attr == "reuse_variables":
            raise Stop(err(node, f"{text(node)} shares the scope's variables; shared weights "
                           "are not read yet"))
        if isinstance(node.func, ast.Attribute):
            base = self.eval(node.func.value, env)
            if isinstance(base, (Tensor, tuple, Placeholder, Var)):
                bound = self.arguments(node, env)
                if isinstance(bound, Opaque):
                    return bound
                return method_call(self, base, node.func.attr, node, *bound)
            fn = self.attribute_of(base, node.func)
        else:
            fn = self.eval(node.func, env)
        bound = self.arguments(node, env)
        if isinstance(bound, Opaque):
            return bound
        args, kwargs = bound
        if isinstance(fn, Lib):
            return library_call(self, fn.name, node, args, kwargs)
        if isinstance(fn, Function):
            return self.invoke(fn, None, args, kwargs, node)
        if isinstance(fn, Method):
            return self.invoke(fn.function, fn.instance, args, kwargs, node)
        if isinstance(fn, Klass):
            return self.instantiate(fn, args, kwargs, node)
        if isinstance(fn, Opaque):
            return fn
        return Opaque(node.lineno, f"{text(node)} is only known when the code runs")

    def instantiate(self, k: Klass, args: list[object], kwargs: dict[str, object],
                    node: ast.AST) -> object:
        inst = Instance(k)
        self.built.setdefault(id(k), []).append(getattr(node, "lineno", 0))
        init = k.methods.get("__init__")
        if init is not None:
            self.invoke(init, inst, args, kwargs, node)
        return inst

    def invoke(self, fn: Function, instance: Instance | None, args: list[object],
               kwargs: dict[str, object], node: ast.AST) -> object:
        """Read a function of the file with these arguments: its body, statement by
        statement, in a scope of its own."""
        f = fn.node
        line = getattr(node, "lineno", None)
        if f.decorator_list:
            return Opaque(line, f"{f.name} is decorated; decorated functions are not read",
                          _READ_HINT)
        if self.depth >= MAX_CALL_DEPTH:
            raise err(node, f"calls of the file's functions nest deeper than "
                      f"{MAX_CALL_DEPTH} ({f.name})", "a recursive helper is not read")
        env: dict[str, object] = {}
        a = f.args
        positional = [p.arg for p in (*a.posonlyargs, *a.args)]
        if instance is not None:
            if not positional:
                raise err(node, f"{f.name} takes no self")
            env[positional[0]] = instance
            positional = positional[1:]
        if len(args) > len(positional) and a.vararg is None:
            raise err(node, f"{f.name} takes {len(positional)} positional arguments but "
                      f"{len(args)} were given")
        for name, value in zip(positional, args):
            env[name] = value
        if a.vararg is not None:
            env[a.vararg.arg] = tuple(args[len(positional):])
        known = set(positional) | {k.arg for k in a.kwonlyargs}
        for key, value in kwargs.items():
            if key not in known:
                if a.kwarg is None:
                    raise err(node, f"{f.name} has no argument '{key}'")
                continue
            env[key] = value
        if a.kwarg is not None:
            env[a.kwarg.arg] = Opaque(line, f"**{a.kwarg.arg} is only known when the code "
                                      "runs")
        for name in [*positional, *(k.arg for k in a.kwonlyargs)]:
            if name not in env:
                if name in fn.defaults:
                    env[name] = fn.defaults[name]
                else:
                    raise err(node, f"{f.name} is missing its argument '{name}'")
        self.depth += 1
        local = _Local(env, fn.globals)
        try:
            self.body(f.body, local)
        except _Return as r:
            return r.value
        finally:
            self.depth -= 1
        return None


class _Local(dict[str, object]):
    """A function's names, falling back to the module's as they stand when it runs."""

    def __init__(self, own: dict[str, object], outer: dict[str, object]) -> None:
        super().__init__(own)
        self.outer = outer

    def __missing__(self, key: str) -> object:
        return self.outer[key]

    def get(self, key: str, default: object = None) -> object:
        if dict.__contains__(self, key):
            return dict.__getitem__(self, key)
        return self.outer.get(key, default)

    def __contains__(self, key: object) -> bool:
        return dict.__contains__(self, key) or key in self.outer


def _quiet(runner: Runner, node: ast.expr, env: dict[str, object]) -> object:
    try:
        return runner.eval(node, env)
    except CodeError as e:
        return Opaque.of(e)


def _returns(s: ast.stmt) -> bool:
    """Whether a block holds a return of its own function."""
    stack: list[ast.AST] = list(ast.iter_child_nodes(s))
    while stack:
        n = stack.pop()
        if isinstance(n, ast.Return):
            return True
        if not isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            stack.extend(ast.iter_child_nodes(n))
    return False


def _number(v: object) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _bounded(v: object, node: ast.AST) -> object:
    if isinstance(v, (str, tuple)) and len(v) > MAX_ITEMS:
        return Opaque(getattr(node, "lineno", None), f"{text(node)} is too long to read")
    if isinstance(v, int) and abs(v) > 10**36:
        return Opaque(getattr(node, "lineno", None), f"{text(node)} is too large to read")
    return v


def _targets(s: ast.stmt) -> list[tuple[ast.expr, bool]]:
    """The targets a statement may assign, inside its blocks too (not inside functions or
    classes it defines, whose names are their own), each with whether it is only the
    receiver of a method call (`x` of `x.append(...)`)."""
    found: list[ast.expr] = []
    bases: list[ast.expr] = []
    out = found
    stack: list[ast.AST] = [s]
    while stack:
        n = stack.pop()
        if isinstance(n, (ast.Assign,)):
            out.extend(n.targets)
        elif isinstance(n, (ast.AnnAssign, ast.AugAssign)):
            out.append(n.target)
        elif isinstance(n, (ast.For, ast.AsyncFor)):
            out.append(n.target)
        elif isinstance(n, (ast.With, ast.AsyncWith)):
            out.extend(i.optional_vars for i in n.items if i.optional_vars is not None)
        elif isinstance(n, ast.NamedExpr):
            out.append(n.target)
        elif isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            out.append(ast.Name(n.name, ast.Store()))
            if n is not s:
                continue
        elif isinstance(n, (ast.Import, ast.ImportFrom)):
            out.extend(ast.Name((a.asname or a.name).split(".")[0], ast.Store())
                       for a in n.names if a.name != "*")
        elif isinstance(n, ast.ExceptHandler) and n.name:
            out.append(ast.Name(n.name, ast.Store()))
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and \
                isinstance(n.func.value, (ast.Name, ast.Attribute)):
            bases.append(n.func.value)  # x.append(...): x may change
        if n is s or not isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef,
                                         ast.Lambda)):
            stack.extend(ast.iter_child_nodes(n))
    return [(t, False) for t in found] + [(b, True) for b in bases]
