"""Values the code reader knows: literal constants, and names known only when the code runs."""

from __future__ import annotations

import ast
import math
from bisect import bisect_right
from dataclasses import dataclass
from typing import Final

from ..errors import CnnCalcError, cut
from .binding import MAX_INT

MAX_VALUE: Final = 10**15  # intermediate results of the arithmetic in arguments
MISSING: Final = object()  # a name nothing binds
RAW_TYPES: Final = (int, float, str, bool, type(None), tuple)

Raw = object  # int, float, str, bool, None, or a tuple of them


class CodeError(CnnCalcError):
    """Code that cannot be read exactly: the line and the construct are named."""

    def __init__(self, message: str, hint: str | None = None, line: int | None = None) -> None:
        super().__init__(message, hint)
        self.line = line


def err(node: ast.AST | None, message: str, hint: str | None = None) -> CodeError:
    """An error at the line of `node`, its message starting 'line N: '."""
    line = getattr(node, "lineno", None)
    return at_line(line, message, hint)


def at_line(line: int | None, message: str, hint: str | None = None) -> CodeError:
    return CodeError(f"line {line}: {message}" if line else message, hint, line)


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


@dataclass(frozen=True)
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


class History:
    """Every binding of one scope, in order: a model read later sees each name as the code
    did at its own statement. One entry per binding, so memory grows with the code."""

    def __init__(self) -> None:
        self.clock = 0
        self.bound: dict[str, tuple[list[int], list[object]]] = {}
        self.log: list[str] = []  # the name bound at each tick of the clock

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


@dataclass(frozen=True)
class View:
    """The names of a scope as they stood at one moment (`at`), or as they stand (None),
    over the scope around it (`outer`: a function's module)."""

    history: History
    at: int | None
    outer: View | None = None

    def get(self, name: str) -> object:
        entry = self.history.bound.get(name)
        if entry is not None:
            clocks, values = entry
            if self.at is None:
                return values[-1]
            i = bisect_right(clocks, self.at) - 1
            if i >= 0:
                return values[i]
        return self.outer.get(name) if self.outer is not None else MISSING

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
        hint = close_name(key, self.known()) or "write the number, or a constant defined above"
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
        if isinstance(node, ast.Starred):
            raise err(node, f"*{text(node.value)} is only known when the code runs")
        raise err(node, f"the value {text(node)} is not known without running the code",
                  "write the number, or a constant defined above")

    def name(self, node: ast.AST, key: str) -> Raw:
        value = self.get(key)
        if value is MISSING:
            raise self.missing(node, key)
        value = getattr(value, "stands_for", value)  # a function's argument: what it is given
        if isinstance(value, Unknown):
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
        base = self.eval(node.value)
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
