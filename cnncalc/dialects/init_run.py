"""Run an nn.Module's __init__ (and the helper methods and functions it calls) over known
values: loops, conditions, lists of layers, nn.Sequential(*layers), ModuleList, ModuleDict,
add_module, block classes of the file used as layers, functools.partial.

Each statement is interpreted, handed to the class reader's own handlers (weight
initialisation, super().__init__, print), or an error naming its line. A layer call is
written out with its arguments' values and read by the same Reader as any other, so its
binding and checks are the library's.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING

from ..ir.tree import prefixed
from ..library.classes import library_name
from ..records import record
from ..spec import Node
from . import hooks
from .kinds import Module, Owner, Param
from .values import (
    BUILTIN_FUNCTIONS,
    MAX_CALLS,
    MISSING,
    RAW_TYPES,
    CodeError,
    LimitError,
    Unknown,
    Values,
    budget,
    close_name,
    dotted,
    err,
    limit,
    sized,
    text,
)

if TYPE_CHECKING:
    from .code import Model
    from .torch_module import _ModuleReader

_CONTAINERS = {"Sequential": "sequential", "ModuleList": "list", "ModuleDict": "dict"}
_TORCH = ("torch.nn", "nn")
_IGNORED_KEYWORDS = ("device", "dtype", "name", "seed")
_INIT_LOOPS = ("self.modules", "self.children", "self.named_modules", "self.named_children")
_BUILTIN_NAMES = frozenset(__import__("builtins").__dict__) | {"nn", "torch", "F", "math",
                                                            "functools", "collections"}
HINT = "assign layers to self.name, one per line"
MAX_MODULE_DEPTH = 100  # containers inside containers (torchvision's nets nest under 10)
MAX_ROWS = 100_000  # layers the modules of one model may place, as code.MAX_LAYERS


@dataclass(eq=False)
class Mod:
    """A module built while __init__ runs: a layer, a block of the file, or a container."""

    kind: str  # 'layer', 'block', 'sequential', 'list', 'dict'
    where: ast.AST
    own: list[Node] = field(default_factory=list)  # a layer's or a block's own rows
    items: list[Mod] = field(default_factory=list)  # a container's modules, in order
    keys: list[str] = field(default_factory=list)  # their names (ModuleDict, add_module)
    model: Model | None = None  # a block's whole reading

    def nodes(self) -> list[Node]:
        if self.kind in ("layer", "block"):
            return self.own
        out: list[Node] = []
        self._gather(out, None, "", None, 0)
        return out

    def named_nodes(self, prefix: str = "", first: Mapping[int, str] | None = None
                    ) -> list[Node]:
        """Its rows, each layer named by its module's path under `prefix`, this module's own
        name ('features' + '0.conv1'). Made where the rows are used, not at each change of
        a container, and each layer renamed once however deep the containers nest. With
        `first` (first_places), a module placed in several places is named by its first."""
        out: list[Node] = []
        self._gather(out, prefix, prefix, first, 0)
        return out

    def _gather(self, out: list[Node], named: str | None, prefix: str,
                first: Mapping[int, str] | None, depth: int) -> None:
        """The rows under this module into `out` (named under `prefix` unless `named` is
        None), bounded: containers nest at most MAX_MODULE_DEPTH deep (a container placed
        inside itself never ends), and one module placed in many places cannot make more
        than MAX_ROWS rows."""
        if depth > MAX_MODULE_DEPTH:
            raise limit(self.where, f"modules nested more than {MAX_MODULE_DEPTH} deep, or a "
                        "container placed inside itself", "cnncalc reads modules nested at "
                        f"most {MAX_MODULE_DEPTH} deep")
        if self.kind in ("layer", "block"):
            if len(out) + len(self.own) > MAX_ROWS:
                raise limit(self.where, f"the modules place more than {MAX_ROWS:,} layers",
                            "cnncalc reads models of at most that many layers")
            out.extend(self.own if named is None else prefixed(self.own, prefix))
            return
        if named is None:
            for m in self.items:
                m._gather(out, None, "", None, depth + 1)
            return
        for k, m in zip(self.keys, self.items):
            m._gather(out, "", _place(first, m, f"{prefix}.{k}" if prefix else k), first,
                      depth + 1)

    def inside(self) -> Iterator[Mod]:
        """This module and every module its containers hold, however deep (bounded as
        _gather is: a module placed in several places is met at each)."""
        seen = 0
        stack: list[tuple[Mod, int]] = [(self, 0)]
        while stack:
            mod, depth = stack.pop()
            if depth > MAX_MODULE_DEPTH:
                raise limit(mod.where, f"modules nested more than {MAX_MODULE_DEPTH} deep, or "
                            "a container placed inside itself", "cnncalc reads modules "
                            f"nested at most {MAX_MODULE_DEPTH} deep")
            seen += 1
            if seen > MAX_ROWS:
                raise limit(mod.where, f"the modules place more than {MAX_ROWS:,} modules",
                            "cnncalc reads models of at most that many layers")
            yield mod
            stack.extend((m, depth + 1) for m in reversed(mod.items))


def _place(first: Mapping[int, str] | None, mod: Mod, path: str) -> str:
    return path if first is None else first.get(id(mod), path)


def first_places(mods: Mapping[str, Mod]) -> tuple[dict[int, str], set[str]]:
    """Each module's name as torch's named_modules() gives it, where it is first placed
    (depth first, in the order the code assigns self.X), and the names of those placed in
    more than one place: one object, one set of weights, counted once."""
    first: dict[int, str] = {}
    again: set[str] = set()

    def walk(mod: Mod, path: str) -> None:
        if id(mod) in first:
            again.add(first[id(mod)])
            return
        first[id(mod)] = path
        for k, m in zip(mod.keys, mod.items):
            walk(m, f"{path}.{k}" if path else k)

    for attr, mod in mods.items():
        walk(mod, attr)
    return first, again


@record
class Method:
    """`self.name` of a method of the class, to be called."""

    fn: ast.FunctionDef


@record
class Partial:
    """functools.partial(f, *args, **kwargs)."""

    func: object
    func_node: ast.expr
    args: tuple[object, ...]
    keywords: tuple[tuple[str, object], ...]


@record
class BuiltinType:
    """A builtin type used as a value (`isinstance(x, int)`)."""

    name: str


class _Return(Exception):
    def __init__(self, value: object) -> None:
        self.value = value


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


class Run:
    """One run of __init__ for one class reader."""

    def __init__(self, reader: _ModuleReader, function: bool = False) -> None:
        self.r = reader
        self.function = function  # the body run first is a function's, not __init__
        self.frames: list[dict[str, object]] = []
        self.loops: list[int] = []  # per frame: loops being run
        self.mods: dict[str, Mod] = {}  # self.X holding a module
        self.state: dict[str, object] = {}  # self.X holding a list, a dict, a class...
        # Modules placed in the model, and where; each is kept so that its id stays its own.
        self.held: dict[int, tuple[Mod, ast.AST]] = {}

    # --- statements ----------------------------------------------------------------------

    def run(self, body: list[ast.stmt], local: dict[str, object]) -> object:
        """Run a body in a new frame; what it returns."""
        b = budget()
        if b.depth >= MAX_CALLS:
            raise limit(body[0] if body else None, f"calls of the file's functions nest more "
                        f"than {MAX_CALLS} deep", "a model's code needs far fewer")
        b.depth += 1
        self.frames.append(local)
        self.loops.append(0)
        try:
            self.block(body)
        except _Return as r:
            return r.value
        finally:
            self.frames.pop()
            self.loops.pop()
            b.depth -= 1
        return None

    def block(self, body: list[ast.stmt]) -> None:
        for i, s in enumerate(body):
            budget().tick(s)
            if isinstance(s, (ast.Return, ast.Break, ast.Continue)) and i + 1 < len(body):
                from .script import describe  # script is the module-level reader

                after = body[i + 1]
                raise err(after, f"{describe(after)} after {text(s)} is never run",
                          "remove it")
            self.statement(s)

    def statement(self, s: ast.stmt) -> None:
        if isinstance(s, (ast.Assign, ast.AnnAssign)):
            self.assign(s)
        elif isinstance(s, ast.AugAssign):
            self.aug_assign(s)
        elif isinstance(s, ast.Expr):
            self.expression(s)
        elif isinstance(s, ast.If):
            test = self.raw(s.test, "the if's condition")
            self.block(s.body if test else s.orelse)
        elif isinstance(s, ast.For):
            self.loop(s)
        elif isinstance(s, ast.While):
            self.while_loop(s)
        elif isinstance(s, ast.Return):
            if len(self.frames) == 1 and not self.function:
                raise err(s, "a return in __init__ cannot be read without running the code",
                          HINT)
            raise _Return(self.value(s.value) if s.value is not None else None)
        elif isinstance(s, (ast.Break, ast.Continue)):
            if not self.loops[-1]:
                raise err(s, f"{text(s)} outside a loop")
            raise _Break() if isinstance(s, ast.Break) else _Continue()
        elif isinstance(s, ast.Pass):
            return
        elif isinstance(s, ast.Assert):
            if not self.raw(s.test, "the assert"):
                raise err(s, f"the assert {text(s.test)} fails")
        else:
            from .script import describe  # script is the module-level reader

            raise err(s, f"{describe(s)} in __init__ cannot be read without running the code",
                      HINT)

    def assign(self, s: ast.Assign | ast.AnnAssign) -> None:
        if s.value is None:
            return
        targets = s.targets if isinstance(s, ast.Assign) else [s.target]
        value = self.value(s.value)
        for t in targets:
            self.store(t, value, s)

    def store(self, t: ast.expr, value: object, s: ast.stmt) -> None:
        if isinstance(t, ast.Name):
            self.frames[-1][t.id] = value
            return
        if isinstance(t, (ast.Tuple, ast.List)) and \
                not any(isinstance(e, ast.Starred) for e in t.elts):
            parts = list(value) if isinstance(value, (tuple, list)) else None
            if parts is None or len(parts) != len(t.elts):
                raise err(s, f"{text(s)}: cannot unpack {text(s)} into {text(t)}")
            for sub, v in zip(t.elts, parts):
                self.store(sub, v, s)
            return
        key = dotted(t)
        if key is not None and key.startswith("self.") and key.count(".") == 1:
            self.set_self(key[5:], value, s)
            return
        if key is not None and key.startswith("self."):
            raise err(s, f"{text(t)} = ... changes {text(t).rpartition('.')[0]} after it is "
                      "made (its weights, bias or settings)",
                      "give the layer its arguments where it is made")
        raise err(s, f"cannot read the assignment to {text(t)}", HINT)

    def claim(self, mod: Mod, where: ast.AST) -> None:
        """A module placed in the model. The same object placed twice shares its weights,
        which torch counts once: first_places names and ties its places."""
        self.held.setdefault(id(mod), (mod, where))

    def set_self(self, attr: str, value: object, s: ast.stmt) -> None:
        if isinstance(value, Mod):
            self.module(value, s)
            if self.mods.get(attr) is not value:
                self.claim(value, s)
            self.mods[attr] = value
            self.r.attrs[attr] = (value.nodes(), s)
            self.r.values.names.pop(f"self.{attr}", None)
            return
        if attr in self.mods:
            raise err(s, f"self.{attr} = {text(getattr(s, 'value', s))} replaces the layer "
                      f"self.{attr} with a value that is not a layer")
        if isinstance(value, (list, dict, Owner, Partial, Module)):
            self.state[attr] = value  # for __init__ and its helpers only
            self.r.values.names[f"self.{attr}"] = Unknown(
                getattr(s, "lineno", None), f"self.{attr} is only known when the code runs")
            return
        self.state.pop(attr, None)
        self.r.values.names[f"self.{attr}"] = self.known(value, s)

    def refresh(self) -> None:
        """self.X's rows after a container it holds has changed."""
        for attr, mod in self.mods.items():
            self.r.attrs[attr] = (mod.nodes(), self.r.attrs[attr][1])

    def aug_assign(self, s: ast.AugAssign) -> None:
        current = self.value(s.target)
        right = self.value(s.value)
        if isinstance(current, list) and isinstance(s.op, ast.Add):
            current.extend(self.sequence(right, s.value))  # += on a list changes it in place
            return
        value = self.binop(s, s.op, current, right, s.target, s.value)
        self.store(s.target, value, s)

    def expression(self, s: ast.Expr) -> None:
        v = s.value
        if isinstance(v, ast.Constant):
            return
        if isinstance(v, ast.Call) and isinstance(v.func, ast.Attribute):
            name = dotted(v.func) or ""
            method = v.func.attr
            own = name.startswith("self.") and name.count(".") == 1
            if own and method in self.r.methods:
                self.value(v)
                return
            if not own and method in ("append", "extend", "insert", "add_module",
                                      "register_module", "update"):
                self.value(v)
                return
            if own and method in ("add_module", "register_module"):
                self.add_module(v, None)
                return
        self.refresh()
        self.r.init_expression(s)

    def loop(self, s: ast.For) -> None:
        if isinstance(s.iter, ast.Call) and dotted(s.iter.func) in _INIT_LOOPS:
            self.refresh()
            self.r.init_loop(s)
            return
        items = self.sequence(self.value(s.iter), s.iter)
        self.run_loop(s, iter(items))

    def while_loop(self, s: ast.While) -> None:
        def turns() -> object:
            while self.raw(s.test, "the while loop's condition"):
                yield None
        self.run_loop(s, turns())

    def run_loop(self, s: ast.For | ast.While, items: object) -> None:
        broke = False
        self.loops[-1] += 1
        try:
            for item in items:  # type: ignore[attr-defined]
                budget().tick(s)
                if isinstance(s, ast.For):
                    self.store(s.target, item, s)
                try:
                    self.block(s.body)
                except _Continue:
                    continue
                except _Break:
                    broke = True
                    break
        finally:
            self.loops[-1] -= 1
        if not broke:
            self.block(s.orelse)

    # --- values --------------------------------------------------------------------------

    def lookup(self, node: ast.Name) -> object:
        """A name: the running function's own, else the class reader's (the arguments of
        __init__ and the module's names)."""
        if node.id in self.frames[-1]:
            return self.frames[-1][node.id]
        value = self.r.values.get(node.id)
        if isinstance(value, Param):
            value = value.stands_for
        if value is not MISSING:
            return value
        from . import allow  # the reader's lists of names

        if node.id in ("int", "float", "str", "bool", "tuple", "list", "dict"):
            return BuiltinType(node.id)
        if node.id in allow.BUILTINS:
            return Module(node.id)
        if node.id in allow.ALIASES:
            return Module(allow.ALIASES[node.id])
        problem = self.r.values.missing(node, node.id)
        hint = close_name(node.id, list(self.frames[-1]))
        raise CodeError(problem.message, hint or problem.hint, problem.line)

    def value(self, node: ast.expr) -> object:
        if isinstance(node, ast.Constant):
            return Values().eval(node)
        if isinstance(node, ast.Name):
            return self.lookup(node)
        if isinstance(node, ast.Attribute):
            return self.attribute(node)
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, ast.List):
            return self.elements(node.elts)
        if isinstance(node, ast.Tuple):
            return tuple(self.elements(node.elts))
        if isinstance(node, ast.Dict):
            if any(k is None for k in node.keys):
                raise err(node, f"{text(node)}: ** in a dict is not read")
            pairs = [(self.value(k), self.value(v))  # type: ignore[arg-type]
                     for k, v in zip(node.keys, node.values)]
            sized(node, len(pairs), "a dict")
            return dict(pairs) if any(not isinstance(v, RAW_TYPES) for _, v in pairs) else \
                MappingProxyType(dict(pairs))
        if isinstance(node, ast.BinOp):
            return self.binop(node, node.op, self.value(node.left), self.value(node.right),
                              node.left, node.right)
        if isinstance(node, ast.IfExp):
            return self.value(node.body if self.raw(node.test, "the condition") else
                              node.orelse)
        if isinstance(node, (ast.ListComp, ast.GeneratorExp)):
            out: list[object] = []
            frame = self.frames[-1]
            saved = dict(frame)  # its loop names are its own, as in Python 3
            try:
                self.comprehension(node, node.generators, 0, out)
            finally:
                frame.clear()
                frame.update(saved)
            return out
        if isinstance(node, ast.Subscript):
            return self.subscript(node)
        if isinstance(node, ast.Compare) and len(node.ops) == 1 and \
                isinstance(node.ops[0], (ast.Is, ast.IsNot)):
            a, b = self.value(node.left), self.value(node.comparators[0])
            if isinstance(a, Mod) or isinstance(b, Mod) or a is None or b is None:
                return (a is b) == isinstance(node.ops[0], ast.Is)
        return self.computed(node)

    def computed(self, node: ast.expr) -> object:
        """Arithmetic, comparisons and the like over known values, as Python computes
        them: each operand's value, then the expression over those values."""
        known: dict[str, object] = {}
        rebuilt = self.substituted(node, known, True)
        return Values(known).eval(rebuilt)

    def substituted(self, node: ast.expr, known: dict[str, object],
                    root: bool = False) -> ast.expr:
        """`node` with each name, attribute and call it reads replaced by a name bound to
        its known value (which must be a constant); the root itself is kept."""
        if not root and isinstance(node, (ast.Name, ast.Attribute, ast.Call, ast.Subscript,
                                          ast.List, ast.Dict, ast.ListComp,
                                          ast.GeneratorExp)):
            value = self.value(node)
            key = f"__v{len(known)}"
            known[key] = self.known(value, node)
            return ast.copy_location(ast.Name(key, ast.Load()), node)
        if isinstance(node, (ast.Constant,)):
            return node
        import copy

        out = copy.copy(node)
        for name, child in ast.iter_fields(node):
            if isinstance(child, list):
                setattr(out, name, [self.substituted(c, known) if isinstance(c, ast.expr)
                                    else c for c in child])
            elif isinstance(child, ast.expr):
                setattr(out, name, self.substituted(child, known))
        return out

    def known(self, value: object, node: ast.AST) -> object:
        """`value` as a constant; a list of constants reads as a tuple."""
        if isinstance(value, list):
            return tuple(self.known(v, node) for v in value)
        if isinstance(value, tuple):
            return tuple(self.known(v, node) for v in value)
        if isinstance(value, RAW_TYPES):
            return value
        if isinstance(value, Unknown):
            raise value.error()
        raise err(node, f"{text(node)} is not a number or string here")

    def raw(self, node: ast.expr, what: str) -> object:
        value = self.value(node)
        if isinstance(value, Mod):
            return True
        try:
            return self.known(value, node)
        except CodeError as e:
            raise err(node, f"{what} {text(node)} is only known when the code runs "
                      f"({e.message})") from None

    def elements(self, elts: list[ast.expr]) -> list[object]:
        out: list[object] = []
        for e in elts:
            if isinstance(e, ast.Starred):
                out.extend(self.sequence(self.value(e.value), e.value))
            else:
                out.append(self.value(e))
        sized(elts[0] if elts else None, len(out), "a list")  # type: ignore[arg-type]
        return out

    def sequence(self, value: object, node: ast.AST) -> list[object]:
        if isinstance(value, (list, tuple, str)):
            return list(value)
        if isinstance(value, (dict, MappingProxyType)):
            return list(value)
        if isinstance(value, Mod) and value.kind in ("sequential", "list"):
            return list(value.items)
        if isinstance(value, Unknown):
            raise value.error()
        raise err(node, f"{text(node)} is not a sequence the reader can go over")

    def comprehension(self, node: ast.ListComp | ast.GeneratorExp,
                      gens: list[ast.comprehension], i: int, out: list[object]) -> None:
        if i == len(gens):
            out.append(self.value(node.elt))
            sized(node, len(out), "a list")
            return
        gen = gens[i]
        for item in self.sequence(self.value(gen.iter), gen.iter):
            budget().tick(node)
            self.store(gen.target, item, ast.Expr(node))  # Python 3 keeps it local; close
            if all(self.raw(c, "the condition") for c in gen.ifs):
                self.comprehension(node, gens, i + 1, out)

    def binop(self, node: ast.AST, op: ast.operator, a: object, b: object,
              left: ast.expr, right: ast.expr) -> object:
        if isinstance(op, ast.Add) and isinstance(a, list) and isinstance(b, (list, tuple)):
            sized(node, len(a) + len(b), "a list")
            return a + list(b)
        if isinstance(op, ast.Mult) and (isinstance(a, list) or isinstance(b, list)):
            items, times = (a, b) if isinstance(a, list) else (b, a)
            if isinstance(times, bool) or not isinstance(times, int):
                raise err(node, f"{text(node)} is not arithmetic on numbers")
            assert isinstance(items, list)
            sized(node, len(items) * max(times, 0), "a list")
            return items * times
        known = {"__a": self.known(a, left), "__b": self.known(b, right)}
        expr = ast.BinOp(ast.Name("__a", ast.Load()), op, ast.Name("__b", ast.Load()))
        return Values(known).eval(ast.copy_location(expr, node))

    def subscript(self, node: ast.Subscript) -> object:
        base = self.value(node.value)
        if isinstance(base, dict):
            key = self.known(self.value(node.slice), node.slice)
            if key not in base:
                raise err(node, f"{text(node)}: {text(node.slice)} is not a key")
            return base[key]
        if isinstance(base, Mod) and base.kind == "dict":
            key = self.known(self.value(node.slice), node.slice)
            if key not in base.keys:
                raise err(node, f"{text(node)}: {text(node.slice)} is not a key")
            return base.items[base.keys.index(key)]
        if isinstance(base, Mod) and base.kind in ("sequential", "list"):
            base = base.items
            if isinstance(node.slice, ast.Slice):
                raise err(node, f"{text(node)}: a slice of a module is not read")
        if isinstance(base, list):
            if isinstance(node.slice, ast.Slice):
                parts = [None if p is None else self.known(self.value(p), p) for p in
                         (node.slice.lower, node.slice.upper, node.slice.step)]
                if any(p is not None and (isinstance(p, bool) or not isinstance(p, int))
                       for p in parts) or parts[2] == 0:
                    raise err(node, f"{text(node)} is not a slice of integers")
                lo, hi, step = (p if isinstance(p, int) else None for p in parts)
                return base[lo:hi:step]
            index = self.known(self.value(node.slice), node.slice)
            if isinstance(index, bool) or not isinstance(index, int) or \
                    not -len(base) <= index < len(base):
                raise err(node, f"{text(node)} is out of range")
            return base[index]
        return self.computed(node)

    def attribute(self, node: ast.Attribute) -> object:
        key = dotted(node)
        if key is not None and key.startswith("self.") and key.count(".") == 1:
            attr = node.attr
            if attr in self.mods:
                return self.mods[attr]
            if attr in self.r.methods:
                return Method(self.r.methods[attr])
            if attr in self.state:
                return self.state[attr]
            if attr == "training":
                return False
            value = self.r.values.get(key)
            if value is MISSING:
                raise err(node, f"{key} is not set before it is used", close_name(
                    attr, [*self.mods, *self.r.methods,
                           *(k[5:] for k in self.r.values.names if k.startswith("self."))]))
            return value.stands_for if isinstance(value, Param) else value
        base = self.value(node.value)
        if isinstance(base, Module):
            return Module(f"{base.name}.{node.attr}")
        if isinstance(base, Owner) and isinstance(base.node, ast.ClassDef):
            return class_attribute(base.node, node, self.r.values)
        if isinstance(base, Unknown):
            return base
        return Unknown(node.lineno, f"{text(node)} is only known when the code runs")

    # --- calls ---------------------------------------------------------------------------

    def call(self, node: ast.Call) -> object:
        func = node.func
        if isinstance(func, ast.Attribute):
            name = dotted(func) or ""
            if name in ("self.add_module", "self.register_module"):
                return self.add_module(node, None)
            own = name.startswith("self.") and name.count(".") == 1
            target = None if own else self.value(func.value)
            if isinstance(target, list):
                return self.list_method(target, func.attr, node)
            if isinstance(target, dict) and func.attr in ("items", "keys", "values"):
                return list(getattr(target, func.attr)())
            if isinstance(target, Mod) and target.kind in ("sequential", "list", "dict"):
                return self.container_method(target, func.attr, node)
        root = func
        while isinstance(root, ast.Attribute):
            root = root.value
        if isinstance(root, ast.Name) and root.id != "self" and root.id not in self.frames[-1] and \
                self.r.values.get(root.id) is MISSING and root.id not in _BUILTIN_NAMES:
            self.r.reader.layer_call(node, False)  # its error: unknown class, did you mean
        callee = self.value(func)
        args, keywords = self.arguments(node)
        return self.invoke(callee, node, args, keywords)

    def arguments(self, node: ast.Call) -> tuple[list[object], dict[str, object]]:
        args: list[object] = []
        for a in node.args:
            if isinstance(a, ast.Starred):
                args.extend(self.sequence(self.value(a.value), a.value))
            else:
                args.append(self.value(a))
        keywords: dict[str, object] = {}
        for k in node.keywords:
            if k.arg is None:
                mapping = self.value(k.value)
                if not isinstance(mapping, (dict, MappingProxyType)):
                    raise err(node, f"**{text(k.value)} is only known when the code runs")
                keywords.update({str(a): b for a, b in mapping.items()})
            elif k.arg in _IGNORED_KEYWORDS:
                keywords[k.arg] = None  # where a tensor lives, its number type: no figure
            else:
                keywords[k.arg] = self.value(k.value)
        return args, keywords

    def invoke(self, callee: object, node: ast.Call, args: list[object],
               keywords: dict[str, object]) -> object:
        if isinstance(callee, Partial):
            merged = dict(callee.keywords)
            merged.update(keywords)
            return self.invoke(callee.func, node, [*callee.args, *args], merged)
        if isinstance(callee, Method):
            return self.run(callee.fn.body, bind(callee.fn, node, args, keywords, True))
        if isinstance(callee, Owner):
            return self.file_call(callee, node, args, keywords)
        if isinstance(callee, BuiltinType):
            return self.builtin(callee.name, node, args, keywords)
        if isinstance(callee, Module):
            return self.library(callee.name, node, args, keywords)
        if isinstance(callee, Unknown):
            raise callee.error()
        raise err(node, f"{text(node)}: {text(node.func)} cannot be called here")

    def file_call(self, owner: Owner, node: ast.Call, args: list[object],
                  keywords: dict[str, object]) -> object:
        fn = owner.node
        if isinstance(fn, ast.ClassDef) and owner.kind == "torch":
            return self.block_class(fn, node, args, keywords)
        if isinstance(fn, ast.FunctionDef) and owner.kind == "function":
            return self.run(fn.body, bind(fn, node, args, keywords, False))
        raise err(node, f"{text(node)}: the file's {owner.kind} {fn.name} is not read here",
                  "write its layers in the model itself")

    def block_class(self, cls: ast.ClassDef, node: ast.Call, args: list[object],
                    keywords: dict[str, object]) -> Mod:
        init = next((m for m in cls.body if isinstance(m, ast.FunctionDef) and
                     m.name == "__init__"), None)
        if init is None:
            raise err(node, f"{text(node)}: class {cls.name} has no __init__")
        given = bind(init, node, args, keywords, True)
        block_model = hooks.up("block_model")  # from torch_module (above)

        b = budget()
        if b.depth >= MAX_CALLS:
            raise limit(node, f"{text(node)}: classes built inside one another more than "
                        f"{MAX_CALLS} deep", "a model's code needs far fewer")
        b.depth += 1
        try:
            model = block_model(cls, self.r, given)
        except LimitError:
            raise
        except CodeError as e:  # the problem's own line, then where the block is built
            raise CodeError(f"{e.message} (in {cls.name}, built on line {node.lineno})",
                            e.hint, e.line) from None
        finally:
            b.depth -= 1
        return Mod("block", node, list(model.nodes), model=model)

    def library(self, name: str, node: ast.Call, args: list[object],
                keywords: dict[str, object]) -> object:
        short = name.rpartition(".")[2]
        prefix = name.rpartition(".")[0]
        if name in ("functools.partial", "partial"):
            if not args:
                raise err(node, "partial needs the function it fixes")
            return Partial(args[0], node.args[0], tuple(args[1:]), tuple(keywords.items()))
        if short in _CONTAINERS and (prefix in _TORCH or prefix == ""):
            return self.container(_CONTAINERS[short], node, args, keywords)
        if short == "OrderedDict" and prefix in ("collections", ""):
            pairs = args[0] if args else []
            if isinstance(pairs, (dict, MappingProxyType)):
                return dict(pairs)
            return dict(self.known_pairs(pairs, node))
        if library_name(text(node.func, 200)) is not None or (
                prefix in ("torch.nn",) and short[:1].isupper()):
            return self.layer(node, args, keywords, name)
        if name in BUILTIN_FUNCTIONS or name in ("int", "float"):
            return self.builtin(name, node, args, keywords)
        if name.startswith("math.") and short in ("ceil", "floor", "sqrt", "log2", "log"):
            import math

            nums = [self.known(a, node) for a in args]
            try:
                return getattr(math, short)(*nums)
            except (TypeError, ValueError, OverflowError):
                raise err(node, f"{text(node)} cannot be computed") from None
        raise err(node, f"{text(node)} in __init__ is not read: cnncalc cannot tell what "
                  f"{name} does", HINT)

    def known_pairs(self, pairs: object, node: ast.AST) -> list[tuple[object, object]]:
        if not isinstance(pairs, (list, tuple)) or not all(
                isinstance(p, (list, tuple)) and len(p) == 2 for p in pairs):
            raise err(node, "OrderedDict needs a list of (name, module) pairs")
        return [(p[0], p[1]) for p in pairs]

    def builtin(self, name: str, node: ast.Call, args: list[object],
                keywords: dict[str, object]) -> object:
        if keywords:
            raise err(node, f"{text(node)}: only plain arguments are read here")
        if name in ("list", "tuple") and len(args) == 1 and not isinstance(args[0], str):
            items = self.sequence(args[0], node)
            return items if name == "list" else tuple(items)
        if name == "len" and len(args) == 1 and not isinstance(args[0], RAW_TYPES):
            return len(self.sequence(args[0], node))
        if name in ("zip", "enumerate", "reversed") and any(
                not isinstance(a, RAW_TYPES) for a in args):
            seqs = [self.sequence(a, node) for a in args]
            if name == "zip":
                return [tuple(t) for t in zip(*seqs)]
            if name == "enumerate" and len(seqs) == 1:
                return [tuple(t) for t in enumerate(seqs[0])]
            if name == "reversed" and len(seqs) == 1:
                return list(reversed(seqs[0]))
        if name == "isinstance" and len(args) == 2:
            kinds = args[1] if isinstance(args[1], tuple) else (args[1],)
            if not all(isinstance(k, BuiltinType) for k in kinds):
                raise err(node, f"{text(node)}: isinstance of a class is not read")
            from .values import _isinstance, _Type

            value = args[0]
            if isinstance(value, list):
                value = tuple(value)
            if isinstance(value, dict):
                value = MappingProxyType(value)
            return _isinstance(node, self.known(value, node),
                               tuple(_Type(k.name) for k in kinds))
        if name in ("int", "float", "str", "bool"):
            from .values import builtin

            if name in ("int", "float"):
                known = self.known(args[0], node) if len(args) == 1 else None
                if isinstance(known, (int, float)) and not isinstance(known, bool):
                    return int(known) if name == "int" else float(known)
                raise err(node, f"{text(node)} cannot be computed")
            return builtin(node, name, [self.known(a, node) for a in args])
        from .values import builtin

        return builtin(node, name, [self.known(a, node) for a in args])

    def list_method(self, target: list[object], method: str, node: ast.Call) -> object:
        args, keywords = self.arguments(node)
        if keywords:
            raise err(node, f"{text(node)}: only plain arguments are read here")
        if method == "append" and len(args) == 1:
            target.append(args[0])
        elif method == "extend" and len(args) == 1:
            target.extend(self.sequence(args[0], node))
        elif method == "insert" and len(args) == 2 and isinstance(args[0], int):
            target.insert(args[0], args[1])
        elif method == "pop" and len(args) <= 1:
            index = args[0] if args else -1
            if not isinstance(index, int) or not -len(target) <= index < len(target):
                raise err(node, f"{text(node)} is out of range")
            return target.pop(index)
        elif method == "index" and len(args) == 1:
            return target.index(args[0])
        elif method == "count" and len(args) == 1:
            return target.count(args[0])
        else:
            raise err(node, f"{text(node)}: list.{method} is not read", HINT)
        sized(node, len(target), "a list")
        return None

    def container_method(self, target: Mod, method: str, node: ast.Call) -> object:
        args, keywords = self.arguments(node)
        if method in ("append", "extend") and target.kind in ("list", "sequential") and \
                len(args) == 1 and not keywords:
            new = [args[0]] if method == "append" else self.sequence(args[0], node)
            for m in new:
                target.items.append(self.module(m, node))
                target.keys.append(str(len(target.keys)))
            self.refresh()
            return target
        if method in ("add_module", "register_module"):
            return self.add_module(node, target)
        if method == "update" and target.kind == "dict" and len(args) == 1:
            for k, m in self.known_pairs(list(_pairs(args[0])), node):
                self.put(target, k, m, node)
            self.refresh()
            return None
        if method in ("items", "keys", "values") and target.kind == "dict" and not args:
            if method == "keys":
                return list(target.keys)
            if method == "values":
                return list(target.items)
            return [(k, m) for k, m in zip(target.keys, target.items)]
        raise err(node, f"{text(node)}: {method} on a module is not read", HINT)

    def add_module(self, node: ast.Call, target: Mod | None) -> object:
        args, keywords = self.arguments(node)
        if keywords or len(args) != 2 or not isinstance(args[0], str):
            raise err(node, f"{text(node)}: add_module takes a name and a module")
        if target is None:
            if not args[0].isidentifier():
                raise err(node, f"{text(node)}: the name {args[0]!r} is not read")
            self.set_self(args[0], self.module(args[1], node), ast.Expr(node))
            return None
        self.put(target, args[0], args[1], node)
        self.refresh()
        return None

    def put(self, target: Mod, key: object, module: object, node: ast.AST,
            new: bool = False) -> None:
        """`module` under the name `key` in `target`; `new`: the caller fills a new container
        with names all different (0, 1, 2, ...), so none is looked up (a lookup in each of
        a Sequential's 20,000 layers made reading it quadratic)."""
        if not isinstance(key, str):
            raise err(node, f"{text(node)}: a module's name must be a string")
        m = self.module(module, node)
        self.claim(m, node)
        if not new and key in target.keys:  # torch replaces the module under that name
            target.items[target.keys.index(key)] = m
        else:
            target.keys.append(key)
            target.items.append(m)

    def module(self, value: object, node: ast.AST) -> Mod:
        if isinstance(value, Mod):
            if value.model is not None and value.model.inits:
                raise err(node, f"{text(value.where)}: class {value.model.name} initialises "
                          "its weights; weight initialisation inside a block class is not "
                          "read yet", "initialise weights in the model's own __init__")
            return value
        if isinstance(value, Unknown):
            raise value.error()
        raise err(node, f"{text(node)}: {_what(value)} is not a layer")

    def container(self, kind: str, node: ast.Call, args: list[object],
                  keywords: dict[str, object]) -> Mod:
        mod = Mod(kind, node)
        if kind == "sequential":
            if keywords:
                raise err(node, f"{text(node)}: Sequential takes its layers as arguments")
            if len(args) == 1 and isinstance(args[0], dict):
                for k, m in args[0].items():
                    self.put(mod, k, m, node)
                return mod
            for i, m in enumerate(args):
                self.put(mod, str(i), m, node, new=True)
            return mod
        if len(args) > 1 or keywords:
            raise err(node, f"{text(node)}: {kind} takes one list of modules")
        if kind == "list":
            for i, m in enumerate(self.sequence(args[0], node) if args else []):
                self.put(mod, str(i), m, node, new=True)
        else:
            for k, m in (_pairs(args[0]) if args else []):
                self.put(mod, k, m, node)
        return mod

    def layer(self, node: ast.Call, args: list[object], keywords: dict[str, object],
              name: str) -> Mod:
        """A library layer: the call written out with its arguments' values, then read as
        any layer is read (`norm_layer(64)` as torch.nn.BatchNorm2d(64))."""
        func = node.func if library_name(text(node.func, 200)) is not None else \
            self.written(Module(name), node)
        written = ast.Call(func=func, args=[self.written(a, node) for a in args],
                           keywords=[ast.keyword(arg=k, value=self.written(v, node))
                                     for k, v in keywords.items()])
        ast.copy_location(written, node)
        ast.fix_missing_locations(written)
        nodes = self.r.reader.layer_call(written, False)
        return Mod("layer", node, nodes)

    def written(self, value: object, node: ast.AST) -> ast.expr:
        if isinstance(value, Module):  # activation=tf.nn.relu, a class given as a value
            parts = value.name.split(".")
            out: ast.expr = ast.Name(parts[0], ast.Load())
            for p in parts[1:]:
                out = ast.Attribute(out, p, ast.Load())
            return ast.copy_location(out, node)
        known = self.known(value, node)
        return ast.copy_location(_literal(known, node), node)


def written_call(alias: Partial, call: ast.Call) -> ast.Call:
    """`DefaultConv2D(filters=64)` written out as the class with the fixed arguments first,
    the call's own keywords replacing fixed ones of the same name."""
    if not isinstance(alias.func, Module):
        raise err(call, f"{text(call)}: the partial of {text(alias.func_node)} is not read")
    own = {k.arg for k in call.keywords}
    parts = alias.func.name.split(".")
    func: ast.expr = ast.Name(parts[0], ast.Load())
    for p in parts[1:]:
        func = ast.Attribute(func, p, ast.Load())
    written = ast.Call(func, [*(_literal(a, call) for a in alias.args), *call.args],
                       [*(ast.keyword(k, _literal(v, call)) for k, v in alias.keywords
                          if k not in own), *call.keywords])
    ast.copy_location(written, call)
    return ast.fix_missing_locations(written)


def _literal(value: object, node: ast.AST) -> ast.expr:
    if isinstance(value, tuple):
        return ast.copy_location(ast.Tuple([_literal(v, node) for v in value], ast.Load()),
                                 node)
    if isinstance(value, MappingProxyType):
        raise err(node, f"{text(node)}: a dict is not a layer argument")
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value < 0:
        return ast.copy_location(ast.UnaryOp(ast.USub(), ast.Constant(-value)), node)
    if not isinstance(value, (int, float, str, bool, type(None))):
        raise err(node, f"{text(node)}: {_what(value)} is not a layer argument")
    return ast.copy_location(ast.Constant(value), node)


def _pairs(value: object) -> list[tuple[object, object]]:
    if isinstance(value, (dict, MappingProxyType)):
        return list(value.items())
    if isinstance(value, (list, tuple)) and all(isinstance(p, (list, tuple)) and len(p) == 2
                                                for p in value):
        return [(p[0], p[1]) for p in value]
    raise CodeError("a ModuleDict needs a dict of modules")


def _what(value: object) -> str:
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, RAW_TYPES):
        return f"the value {value!r}"[:60]
    return type(value).__name__


def bind(fn: ast.FunctionDef, node: ast.Call, args: list[object],
         keywords: dict[str, object], skip_self: bool) -> dict[str, object]:
    """Each parameter's value for one call, bound as Python binds it; defaults are
    constants written in the signature."""
    a = fn.args
    positional = [*a.posonlyargs, *a.args][1 if skip_self else 0:]
    defaults = {p.arg: d for p, d in zip([*a.posonlyargs, *a.args][len(a.posonlyargs) +
                                         len(a.args) - len(a.defaults):], a.defaults)}
    defaults.update({p.arg: d for p, d in zip(a.kwonlyargs, a.kw_defaults) if d is not None})
    named = dict(keywords)
    out: dict[str, object] = {}
    for i, p in enumerate(positional):
        if i < len(args):
            if p.arg in named:
                raise err(node, f"{text(node)}: {fn.name} is given {p.arg} twice")
            out[p.arg] = args[i]
        elif p.arg in named:
            out[p.arg] = named.pop(p.arg)
        elif p.arg in defaults:
            out[p.arg] = _default(defaults[p.arg], fn)
        else:
            raise err(node, f"{text(node)}: {fn.name} needs its argument {p.arg}")
    extra = args[len(positional):]
    if a.vararg is not None:
        out[a.vararg.arg] = tuple(extra)
    elif extra:
        raise err(node, f"{text(node)}: {fn.name} takes {len(positional)} arguments")
    for p in a.kwonlyargs:
        if p.arg in named:
            out[p.arg] = named.pop(p.arg)
        elif p.arg in defaults:
            out[p.arg] = _default(defaults[p.arg], fn)
        else:
            raise err(node, f"{text(node)}: {fn.name} needs its argument {p.arg}")
    if a.kwarg is not None:
        out[a.kwarg.arg] = dict(named)
    elif named:
        word = next(iter(named))
        raise err(node, f"{fn.name} has no argument '{word}'",
                  close_name(word, [p.arg for p in (*positional, *a.kwonlyargs)]))
    return out


def _default(node: ast.expr, fn: ast.FunctionDef) -> object:
    try:
        return Values().eval(node)
    except CodeError:
        if isinstance(node, ast.Name) and node.id == "None":
            return None
        return Unknown(getattr(node, "lineno", fn.lineno),
                       f"the default {text(node)} of {fn.name} is not read",
                       "write a number, a string or None as the default")


def class_attribute(cls: ast.ClassDef, node: ast.Attribute, values: Values) -> object:
    """`Block.expansion`: a constant the class body assigns."""
    for s in cls.body:
        if isinstance(s, ast.Assign) and any(isinstance(t, ast.Name) and t.id == node.attr
                                             for t in s.targets):
            try:
                return values.eval(s.value)
            except CodeError as e:
                return Unknown.of(e)
    raise err(node, f"class {cls.name} has no attribute {node.attr}")


Runner = Callable[[list[ast.stmt], dict[str, object]], object]


hooks.provide(Partial=Partial, written_call=written_call)
