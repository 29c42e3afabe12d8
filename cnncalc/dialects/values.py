"""Values the code reader knows: literal constants, and names known only when the code runs."""

from __future__ import annotations

import ast
import math
from bisect import bisect_right
from collections.abc import Iterator
from contextvars import ContextVar
from types import MappingProxyType
from typing import Final, Protocol

from ..errors import CnnCalcError, cut
from ..library.binding import MAX_INT
from ..records import record

MAX_VALUE: Final = 10**15  # intermediate results of the arithmetic in arguments
MISSING: Final = object()  # a name nothing binds
# A dict the code writes is read as a read-only mapping: the reader never changes a value.
RAW_TYPES: Final = (int, float, str, bool, type(None), tuple, MappingProxyType)
MAX_ITEMS: Final = 100_000  # items in any list, tuple, range, string or dict the code builds
MAX_STEPS: Final = 100_000  # statements, loop turns and comprehension items of one reading
MAX_CALLS: Final = 20  # calls of the file's own functions inside one another

Raw = object  # int, float, str, bool, None, a tuple of them, or a mapping of them


class CodeError(CnnCalcError):
    """Code that cannot be read exactly: the line and the construct are named."""

    def __init__(self, message: str, hint: str | None = None, line: int | None = None) -> None:
        super().__init__(message, hint)
        self.line = line


class LimitError(CodeError):
    """Code past one of the reader's bounds (steps, size, depth): always an error, never a
    value left unknown, so that reading stops at once."""


class BrokenCode(LimitError):
    """Code that stops with an error when it runs, such as a layer call its class's
    signature refuses (`Conv2D(fillters=32)`): reading stops there too, as Python would,
    even where the layer's value would never reach the model."""


def err(node: ast.AST | None, message: str, hint: str | None = None) -> CodeError:
    """An error at the line of `node`, its message starting 'line N: '."""
    line = getattr(node, "lineno", None)
    return at_line(line, message, hint)


def limit(node: ast.AST | None, message: str, hint: str | None = None) -> LimitError:
    line = getattr(node, "lineno", None)
    return LimitError(f"line {line}: {message}" if line else message, hint, line)


def at_line(line: int | None, message: str, hint: str | None = None) -> CodeError:
    return CodeError(f"line {line}: {message}" if line else message, hint, line)


class Budget:
    """What one reading may spend: steps (statements, loop turns, comprehension items) and
    the depth of calls of the file's own functions. Past either, a one-line error."""

    def __init__(self) -> None:
        self.steps = 0
        self.depth = 0

    def tick(self, node: ast.AST | None, n: int = 1) -> None:
        self.steps += n
        if self.steps > MAX_STEPS:
            raise limit(node, f"reading the code takes more than {MAX_STEPS:,} steps (loop "
                      "turns, statements and comprehension items)",
                      "a model's code builds its layers in far fewer; check the loop bounds")


_BUDGET: ContextVar[Budget | None] = ContextVar("cnncalc_reader_budget", default=None)


def budget() -> Budget:
    """The budget of the reading under way; outside a reading, one for this use alone."""
    current = _BUDGET.get()
    return current if current is not None else Budget()


def fresh_budget() -> object:
    """Start a reading with its own budget; returns a token for `end_budget`."""
    return _BUDGET.set(Budget())


def end_budget(token: object) -> None:
    _BUDGET.reset(token)  # type: ignore[arg-type]


def sized(node: ast.AST, n: int, what: str = "the value") -> int:
    """Refuse a value of `n` items before it is built."""
    if n > MAX_ITEMS:
        raise limit(node, f"{text(node)} would build {what} of {n:,} items; the limit is "
                  f"{MAX_ITEMS:,}", "a model's code needs far fewer")
    return n


def earliest(*errors: CodeError | None) -> CodeError | None:
    """The problem that comes first in the code (errors without a line come last)."""
    found = [e for e in errors if e is not None]
    if not found:
        return None
    return min(found, key=lambda e: e.line if e.line is not None else 1 << 62)


def text(node: ast.AST, limit: int = 60) -> str:
    """The code of `node`, cut to echo in a one-line message."""
    try:
        return cut(ast.unparse(node), limit)
    except (ValueError, RecursionError):  # pragma: no cover - unparse of odd trees
        return type(node).__name__


def dotted(node: ast.AST) -> str | None:
    """`a.b.c` for an attribute chain of names, else None."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def show_number(v: int | float) -> str:
    """A number for a message: huge integers by their size (str() refuses past 4,300 digits)."""
    if isinstance(v, int) and not isinstance(v, bool) and abs(v) >= 10**30:
        return f"a number of {int(v.bit_length() * math.log10(2)) + 1:,} digits"
    return f"the number {cut(repr(v))}"


@record
class Unknown:
    """A value known only when the code runs. Reading a model that uses it is this error,
    which names the construct that made it and that construct's line."""

    line: int | None
    reason: str
    hint: str | None = None

    def error(self) -> CodeError:
        return at_line(self.line, self.reason, self.hint)

    @staticmethod
    def of(e: CodeError) -> Unknown:
        message = e.message
        if e.line is not None and message.startswith(f"line {e.line}: "):
            message = message[len(f"line {e.line}: "):]
        return Unknown(e.line, message, e.hint)


class Given(Protocol):
    """What the user gives a reading (see given.py): values by name (--set), over the
    module's own, and the input shape that data shapes (`x_train.shape[1:]`) stand for."""

    def lookup(self, key: str) -> object: ...

    def is_data(self, node: ast.Attribute) -> bool: ...

    def data_shape(self, node: ast.Attribute, where: ast.AST, index: object) -> Raw: ...


GIVEN: ContextVar[Given | None] = ContextVar("cnncalc_given", default=None)


class History:
    """Every binding of one scope, in order: a model read later sees each name as the code
    did at its own statement. One entry per binding, so memory grows with the code."""

    def __init__(self) -> None:
        self.clock = 0
        self.bound: dict[str, tuple[list[int], list[object]]] = {}
        self.log: list[str] = []  # the name bound at each tick of the clock
        # The module's scope only: a value the user gives replaces the module's own.
        self.given: Given | None = None

    def bind(self, name: str, value: object) -> None:
        self.clock += 1
        clocks, values = self.bound.setdefault(name, ([], []))
        clocks.append(self.clock)
        values.append(value)
        self.log.append(name)

    def since(self, clock: int) -> dict[str, list[object]]:
        """Every value each name was given after `clock`, in order."""
        out: dict[str, list[object]] = {}
        for tick, name in enumerate(self.log[clock:], start=clock + 1):
            clocks, values = self.bound[name]
            out.setdefault(name, []).append(values[bisect_right(clocks, tick) - 1])
        return out


@record
class View:
    """The names of a scope as they stood at one moment (`at`), or as they stand (None),
    over the scope around it (`outer`: a function's module)."""

    history: History
    at: int | None
    outer: View | None = None

    def get(self, name: str) -> object:
        if self.history.given is not None:
            value = self.history.given.lookup(name)
            if value is not MISSING:
                return value
        entry = self.history.bound.get(name)
        if entry is not None:
            clocks, values = entry
            if self.at is None:
                return values[-1]
            i = bisect_right(clocks, self.at) - 1
            if i >= 0:
                return values[i]
        return self.outer.get(name) if self.outer is not None else MISSING

    def module_level(self, name: str) -> bool:
        """Whether `name` is read here from the module's scope (where --set may give it)."""
        if name in self.history.bound and (self.at is None or
                                           self.history.bound[name][0][0] <= self.at):
            return self.history.given is not None
        return self.outer.module_level(name) if self.outer is not None else False

    def names(self) -> list[str]:
        own = [n for n in self.history.bound if self.get(n) is not MISSING]
        return own + (self.outer.names() if self.outer is not None else [])


def close_name(word: str, options: list[str]) -> str | None:
    """'did you mean ...?' for a misspelt name, or None."""
    import difflib  # only on errors

    close = difflib.get_close_matches(word, options, n=1, cutoff=0.75)
    return f"did you mean '{close[0]}'?" if close else None


class Values:
    """The names a reader looks up: its own (self.n = 10, locals, arguments) over a view of
    the scope around it. Reading a name known only at run time raises why."""

    def __init__(self, names: dict[str, object] | None = None, base: View | None = None) -> None:
        self.names: dict[str, object] = dict(names or {})
        self.base = base

    def child(self) -> Values:
        return Values(self.names, self.base)

    def get(self, key: str) -> object:
        if key in self.names:
            return self.names[key]
        return self.base.get(key) if self.base is not None else MISSING

    def known(self) -> list[str]:
        out = list(self.names)
        return out + (self.base.names() if self.base is not None else [])

    def missing(self, node: ast.AST, key: str) -> CodeError:
        hint = close_name(key, self.known()) or "write the number, or a constant defined " \
            f"above, or pass --set {cut(key)}=VALUE"
        return err(node, f"the value {cut(key)} is not known without running the code", hint)

    def eval(self, node: ast.AST) -> Raw:
        """The value of a constant expression: literals, known names, arithmetic."""
        if isinstance(node, ast.Constant):
            return _constant(node)
        if isinstance(node, (ast.Tuple, ast.List)):
            return tuple(self.eval(e) for e in node.elts)
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.Not):
                return not self.eval(node.operand)
            if isinstance(node.op, (ast.USub, ast.UAdd)):
                v = self.number(node.operand)
                return -v if isinstance(node.op, ast.USub) else v
        if isinstance(node, ast.BinOp):
            return self.arith(node)
        if isinstance(node, ast.Compare):
            return self.compare(node)
        if isinstance(node, ast.BoolOp):
            # Python's own rule: the first operand that decides, evaluated left to right.
            value: Raw = None
            for operand in node.values:
                value = self.eval(operand)
                if bool(value) != isinstance(node.op, ast.And):
                    return value
            return value
        if isinstance(node, ast.Subscript):
            return self.subscript(node)
        key = dotted(node)
        if key is not None:
            return self.name(node, key)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
                node.func.id in ("int", "float") and len(node.args) == 1 and \
                not node.keywords and self.get(node.func.id) is MISSING:
            return _convert(node, node.func.id, self.number(node.args[0]))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
                node.func.id in BUILTIN_FUNCTIONS and self.get(node.func.id) is MISSING:
            if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
                raise err(node, f"{text(node)}: only plain arguments are read here")
            if node.func.id == "isinstance" and len(node.args) == 2:
                return _isinstance(node, self.eval(node.args[0]), self.types(node.args[1]))
            return builtin(node, node.func.id, [self.eval(a) for a in node.args])
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                node.func.attr in ("items", "keys", "values") and not node.args and \
                not node.keywords:
            mapping = self.eval(node.func.value)
            if isinstance(mapping, MappingProxyType):
                return _view(node, mapping, node.func.attr)
        if isinstance(node, ast.Dict):
            if any(k is None for k in node.keys):
                raise err(node, f"{text(node)}: ** in a dict is only known when the code runs")
            pairs = [(self.eval(k), self.eval(v))  # type: ignore[arg-type]
                     for k, v in zip(node.keys, node.values)]
            return MappingProxyType(dict(_hashable(node, pairs)))
        if isinstance(node, (ast.ListComp, ast.GeneratorExp)):
            return tuple(self.comprehension(node, node.generators, 0))
        if isinstance(node, ast.IfExp):
            return self.eval(node.body if self.eval(node.test) else node.orelse)
        if isinstance(node, ast.Starred):
            raise err(node, f"*{text(node.value)} is only known when the code runs")
        raise err(node, f"the value {text(node)} is not known without running the code",
                  "write the number, or a constant defined above")

    def types(self, node: ast.expr) -> Raw:
        """The second argument of isinstance: builtin types, alone or in a tuple."""
        if isinstance(node, ast.Tuple):
            return tuple(self.types(e) for e in node.elts)
        if isinstance(node, ast.Name) and node.id in _TYPES and self.get(node.id) is MISSING:
            return _Type(node.id)
        raise err(node, f"isinstance(..., {text(node)}) is not read", "test for int, float, "
                  "str, bool, tuple, list or dict")

    def comprehension(self, node: ast.ListComp | ast.GeneratorExp,
                      gens: list[ast.comprehension], i: int) -> Iterator[Raw]:
        """The items of `[elt for ... in ... if ...]`, each generator over a known
        sequence, in a scope of its own."""
        if i == len(gens):
            yield self.eval(node.elt)
            return
        gen = gens[i]
        if gen.is_async:
            raise err(node, f"{text(node)} is only known when the code runs")
        count = 0
        spent = budget()
        for item in iterate(gen.iter, self.eval(gen.iter)):
            spent.tick(node)
            inner = self.child()
            bind_target(inner.names, gen.target, item)
            if all(inner.eval(c) for c in gen.ifs):
                for value in inner.comprehension(node, gens, i + 1):
                    count += 1
                    sized(node, count, "a list")
                    yield value

    def data(self, node: ast.AST) -> bool:
        """`DATA.shape` of a training array the code gives the model as its input (given.py):
        read from --input, where the name holds no value the code made."""
        if not (isinstance(node, ast.Attribute) and node.attr == "shape" and
                isinstance(node.value, ast.Name)):
            return False
        given = GIVEN.get()
        return given is not None and given.is_data(node) and (self.get(node.value.id) is MISSING or
                                  isinstance(self.get(node.value.id), Unknown))

    def name(self, node: ast.AST, key: str) -> Raw:
        given = GIVEN.get()
        if given is not None and self.data(node):
            assert isinstance(node, ast.Attribute)
            return given.data_shape(node, node, MISSING)
        value = self.get(key)
        if value is MISSING:
            raise self.missing(node, key)
        value = getattr(value, "stands_for", value)  # a function's argument: what it is given
        if isinstance(value, Unknown):
            if value.hint is None and key not in self.names and self.base is not None and \
                    self.base.module_level(key):
                raise at_line(value.line, value.reason, f"pass --set {cut(key)}=VALUE")
            raise value.error()
        if not isinstance(value, RAW_TYPES):
            raise err(node, f"{cut(key)} is not a number or string")
        return value

    def number(self, node: ast.AST) -> int | float:
        v = self.eval(node)
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise err(node, f"{text(node)} is not a number")
        return v

    def arith(self, node: ast.BinOp) -> Raw:
        left, right = self.eval(node.left), self.eval(node.right)
        if isinstance(node.op, ast.Add) and isinstance(left, tuple) and isinstance(right, tuple):
            if len(left) + len(right) > 1000:
                raise err(node, f"{text(node)} is too long")
            return left + right
        if isinstance(node.op, ast.Mult) and (isinstance(left, (tuple, str)) or
                                              isinstance(right, (tuple, str))):
            return _repeat(node, left, right)
        if isinstance(node.op, ast.Add) and isinstance(left, str) and isinstance(right, str):
            sized(node, len(left) + len(right), "a string")
            return left + right
        a, b = _num(node, left), _num(node, right)
        try:
            if isinstance(node.op, ast.Add):
                r: int | float = a + b
            elif isinstance(node.op, ast.Sub):
                r = a - b
            elif isinstance(node.op, ast.Mult):
                r = a * b
            elif isinstance(node.op, ast.FloorDiv):
                r = a // b
            elif isinstance(node.op, ast.Div):
                r = a / b
            elif isinstance(node.op, ast.Mod):
                r = a % b
            elif isinstance(node.op, ast.Pow):
                r = _power(node, a, b)
            else:
                raise err(node, f"the operator in {text(node)} is not supported")
        except (ZeroDivisionError, OverflowError):
            raise err(node, f"{text(node)} cannot be computed") from None
        if isinstance(r, float) and not math.isfinite(r):
            raise err(node, f"{text(node)} is not a finite number")
        if abs(r) > MAX_VALUE:
            raise err(node, f"{text(node)} is too large")
        return r

    def compare(self, node: ast.Compare) -> bool:
        left = self.eval(node.left)
        for op, right_node in zip(node.ops, node.comparators):
            right = self.eval(right_node)
            if not _compared(node, op, left, right):
                return False
            left = right
        return True

    def subscript(self, node: ast.Subscript) -> Raw:
        given = GIVEN.get()
        if given is not None and self.data(node.value):
            assert isinstance(node.value, ast.Attribute)
            if isinstance(node.slice, ast.Slice):
                parts = [None if p is None else self.eval(p) for p in
                         (node.slice.lower, node.slice.upper, node.slice.step)]
                if any(p is not None and (isinstance(p, bool) or not isinstance(p, int))
                       for p in parts) or parts[2] == 0:
                    raise err(node, f"{text(node)} is not a slice of integers")
                return given.data_shape(node.value, node, slice(*parts))
            return given.data_shape(node.value, node, self.eval(node.slice))
        base = self.eval(node.value)
        if isinstance(base, MappingProxyType) and not isinstance(node.slice, ast.Slice):
            key = self.eval(node.slice)
            try:
                return base[key]
            except (KeyError, TypeError):
                raise err(node, f"{text(node)}: {text(node.slice)} is not a key of "
                          f"{text(node.value)}") from None
        if not isinstance(base, (tuple, str)):
            raise err(node, f"{text(node)}: {text(node.value)} cannot be indexed")
        if isinstance(node.slice, ast.Slice):
            parts = [None if p is None else self.eval(p) for p in
                     (node.slice.lower, node.slice.upper, node.slice.step)]
            if any(p is not None and (isinstance(p, bool) or not isinstance(p, int))
                   for p in parts) or parts[2] == 0:
                raise err(node, f"{text(node)} is not a slice of integers")
            return base[slice(*parts)]  # type: ignore[arg-type]
        index = self.eval(node.slice)
        if isinstance(index, bool) or not isinstance(index, int) or \
                not -len(base) <= index < len(base):
            raise err(node, f"{text(node)} is out of range")
        return base[index]


def _constant(node: ast.Constant) -> Raw:
    v = node.value
    if isinstance(v, int) and not isinstance(v, bool) and abs(v) > MAX_INT:
        raise err(node, f"{show_number(v)} is too large; the limit is 10^12")
    if isinstance(v, float) and not math.isfinite(v):
        raise err(node, f"{text(node)} is not a finite number")
    if isinstance(v, str) and len(v) > 200:
        raise err(node, "a string argument longer than 200 characters")
    if v is not None and not isinstance(v, (int, float, str, bool)):
        raise err(node, f"the value {text(node)} is not a number or string")
    return v


def _num(node: ast.AST, v: Raw) -> int | float:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise err(node, f"{text(node)} is not arithmetic on numbers")
    return v


def _convert(node: ast.AST, to: str, v: int | float) -> int | float:
    if isinstance(v, float) and not math.isfinite(v):
        raise err(node, f"{text(node)}: {v} is not a finite number")
    return int(v) if to == "int" else float(v)


def _power(node: ast.AST, a: int | float, b: int | float) -> int | float:
    # Refuse before computing: 10**10**9 would take the machine.
    if isinstance(b, int) and abs(a) > 1 and b > 0 and b * math.log2(abs(a)) > 64:
        raise err(node, f"{text(node)} is too large")
    if isinstance(a, (int, float)) and a == 0 and b < 0:
        raise ZeroDivisionError
    r = a ** b
    if isinstance(r, complex):
        raise err(node, f"{text(node)} is not a real number")
    return r


def _compared(node: ast.AST, op: ast.cmpop, a: Raw, b: Raw) -> bool:
    if isinstance(op, ast.Eq):
        return a == b
    if isinstance(op, ast.NotEq):
        return a != b
    if isinstance(op, (ast.Is, ast.IsNot)):
        if not all(v is None or isinstance(v, bool) for v in (a, b)):
            raise err(node, f"{text(node)}: 'is' compares only None, True and False here")
        return (a is b) == isinstance(op, ast.Is)
    if isinstance(op, (ast.In, ast.NotIn)):
        if isinstance(b, MappingProxyType):
            return (a in b) == isinstance(op, ast.In)
        if not isinstance(b, (tuple, str)) or (isinstance(b, str) and not isinstance(a, str)):
            raise err(node, f"{text(node)} cannot be compared")
        return (a in b) == isinstance(op, ast.In)
    if (isinstance(a, (int, float)) and isinstance(b, (int, float))) or \
            (isinstance(a, str) and isinstance(b, str)):
        if isinstance(op, ast.Lt):
            return a < b  # type: ignore[operator]
        if isinstance(op, ast.LtE):
            return a <= b  # type: ignore[operator]
        if isinstance(op, ast.Gt):
            return a > b  # type: ignore[operator]
        if isinstance(op, ast.GtE):
            return a >= b  # type: ignore[operator]
    raise err(node, f"{text(node)} cannot be compared")


BUILTIN_FUNCTIONS: Final = frozenset({
    "range", "len", "min", "max", "sum", "abs", "round", "zip", "enumerate", "list",
    "tuple", "isinstance", "bool", "reversed", "sorted", "str", "divmod", "any", "all",
})
_TYPES: Final = {"int": int, "float": float, "str": str, "bool": bool, "tuple": tuple,
                 "list": tuple, "dict": MappingProxyType}


def iterate(node: ast.AST, value: Raw) -> tuple[Raw, ...]:
    """The items a for loop or comprehension goes over, when they are known."""
    if isinstance(value, (tuple, str)):
        return tuple(value)
    if isinstance(value, MappingProxyType):
        return tuple(value)
    raise err(node, f"{text(node)} is not a sequence the reader can go over")


def bind_target(names: dict[str, object], target: ast.AST, value: object) -> None:
    """`for a, (b, c) in ...`: each name of the target given its part of `value`."""
    if isinstance(target, ast.Name):
        names[target.id] = value
        return
    if isinstance(target, (ast.Tuple, ast.List)) and \
            not any(isinstance(e, ast.Starred) for e in target.elts):
        if not isinstance(value, tuple) or len(value) != len(target.elts):
            raise err(target, f"cannot unpack {show_value(value)} into {text(target)}")
        for t, v in zip(target.elts, value):
            bind_target(names, t, v)
        return
    raise err(target, f"the loop target {text(target)} is not read", "use plain names")


def show_value(v: object) -> str:
    return cut(repr(v), 40) if isinstance(v, (str, tuple, MappingProxyType)) else \
        show_number(v) if isinstance(v, (int, float)) else type(v).__name__


def builtin(node: ast.Call, name: str, args: list[Raw]) -> Raw:
    """A builtin function of known values, as Python computes it, within the size cap."""
    def seq(v: Raw) -> tuple[Raw, ...] | str:
        if isinstance(v, MappingProxyType):
            return tuple(v)
        if not isinstance(v, (tuple, str)):
            raise err(node, f"{text(node)}: {show_value(v)} is not a sequence")
        return v

    try:
        if name == "range":
            if not 1 <= len(args) <= 3 or any(isinstance(a, bool) or not isinstance(a, int)
                                              for a in args):
                raise err(node, f"{text(node)}: range takes one to three integers")
            r = range(*(int(a) for a in args if isinstance(a, int)))
            sized(node, len(r), "a range")
            return tuple(r)
        if name == "isinstance":
            if len(args) != 2:
                raise err(node, f"{text(node)}: isinstance takes two arguments")
            return _isinstance(node, args[0], args[1])
        if name in ("len", "list", "tuple", "reversed", "sorted", "sum", "any", "all",
                    "enumerate") or (name in ("min", "max") and len(args) == 1):
            if len(args) != 1:
                raise err(node, f"{text(node)}: {name} takes one argument here")
            items = seq(args[0])
            if name == "len":
                return len(items)
            if name in ("list", "tuple"):
                return tuple(items)
            if name == "reversed":
                return tuple(reversed(items))
            if name == "sorted":
                return tuple(sorted(items))  # type: ignore[type-var]
            if name == "enumerate":
                return tuple(enumerate(items))
            if name == "any":
                return any(items)
            if name == "all":
                return all(items)
            if name == "sum":
                total: int | float = 0
                for v in items:
                    total = total + _num(node, v)
                return total
            return (min if name == "min" else max)(items)  # type: ignore[type-var]
        if name in ("min", "max"):
            return (min if name == "min" else max)(args)  # type: ignore[type-var]
        if name == "zip":
            parts = [seq(a) for a in args]
            return tuple(zip(*parts))
        if name in ("abs", "round", "bool", "str", "divmod"):
            if name == "bool" and len(args) == 1:
                return bool(args[0])
            if name == "str" and len(args) == 1 and isinstance(args[0], (int, float, str)):
                return str(args[0])
            nums = [_num(node, a) for a in args]
            if name == "abs" and len(nums) == 1:
                return abs(nums[0])
            if name == "round" and len(nums) in (1, 2):
                return round(nums[0], int(nums[1])) if len(nums) == 2 else round(nums[0])
            if name == "divmod" and len(nums) == 2:
                return divmod(nums[0], nums[1])
    except (TypeError, ValueError, ZeroDivisionError):
        raise err(node, f"{text(node)} cannot be computed") from None
    raise err(node, f"{text(node)} is not read", "write the value")


def _isinstance(node: ast.AST, value: Raw, kind: Raw) -> bool:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    out = False
    for k in kinds:
        if not isinstance(k, _Type):
            raise err(node, f"{text(node)}: isinstance of {show_value(k)} is not read")
        t = _TYPES[k.name]
        out = out or (isinstance(value, t) and not (t is int and isinstance(value, bool)
                                                   and k.name != "bool"))
    return out


@record
class _Type:
    """A builtin type named in an isinstance test (`int`, `tuple`, `list`...)."""

    name: str


def _repeat(node: ast.BinOp, left: Raw, right: Raw) -> Raw:
    """`[0] * n` or `n * "ab"`: refused before it is built when it would be too large."""
    items, times = (left, right) if isinstance(left, (tuple, str)) else (right, left)
    if isinstance(times, bool) or not isinstance(times, int):
        raise err(node, f"{text(node)} is not arithmetic on numbers")
    assert isinstance(items, (tuple, str))
    sized(node, len(items) * max(times, 0), "a sequence")
    return items * times


def _view(node: ast.AST, mapping: MappingProxyType[object, object], what: str) -> Raw:
    if what == "keys":
        return tuple(mapping)
    if what == "values":
        return tuple(mapping.values())
    return tuple(mapping.items())


def _hashable(node: ast.AST, pairs: list[tuple[Raw, Raw]]) -> list[tuple[Raw, Raw]]:
    for k, _ in pairs:
        if isinstance(k, MappingProxyType):
            raise err(node, f"{text(node)}: a dict cannot be a key")
    sized(node, len(pairs), "a dict")
    return pairs
