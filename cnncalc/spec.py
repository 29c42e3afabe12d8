"""The spec language: parse a string such as `conv(32,3)-relu-[...]*2-res[...]` into layer nodes."""

from __future__ import annotations

import math
import re

from .errors import SpecSyntaxError, cut
from .ir.tree import JOINS as JOINS
from .ir.tree import Join as Join
from .ir.tree import Node as Node
from .ir.tree import Repeat as Repeat
from .ir.tree import Residual as Residual
from .ir.tree import count_layers as count_layers
from .ir.tree import short_text as short_text
from .ir.tree import to_text as to_text
from .layers import (
    ALIASES,
    BOOL,
    CHOICE,
    DIMS,
    FLOAT,
    INT,
    PADDING,
    PAIR,
    PROB,
    REQUIRED,
    SIZE,
    LayerDef,
    Param,
    lookup,
)
from .library.binding import MAX_INT, Bound, ClassError, Made, dialect_of
from .library.classes import (
    TABLE,
    bind_call,
    dialect_for,
    is_class,
    misspelled_class,
    split_name,
)
from .ops.signature import Layer as Layer
from .ops.signature import Value as Value
from .ops.signature import format_value as format_value
from .records import record

Raw = object  # a Python literal as written in a library call

MAX_DEPTH = 32
"""Deepest nesting of `[...]` and `res[...]` a spec may use."""

MAX_LAYERS = 100_000
"""Most layers a spec may expand to, counting repetitions."""

MAX_SPEC_CHARS = 1_000_000

_WS = re.compile(r"\s*")
_IDENT = re.compile(r"[A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")
_CLASS_CALL = re.compile(r"([A-Za-z_][A-Za-z0-9_.]*)\s*\(")
_KEYWORD = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\s*=(?!=)")
MAX_STRING = 200
WORDS = ("same", "valid", "nearest", "bilinear", "bicubic", "chw", "c", "last", "flat",
         "zeros", "reflect", "replicate", "circular")
"""Bare words a value may be: paddings, upsampling modes, what layernorm normalises over and
what fc transforms."""
_NUMBER = re.compile(r"[+-]?[0-9.]*(?:[eE][+-]?[0-9]+)?")


def _suggest(word: str, options: list[str]) -> str | None:
    import difflib  # only on errors

    close = difflib.get_close_matches(word.lower(), options, n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else None


class _Parser:
    def __init__(self, text: str, dialect: str | None = None) -> None:
        self.s = text
        self.i = 0
        # Specs repeat layers; a layer's text always binds the same way, so bind it once.
        self.bound: dict[str, tuple[str, dict[str, Value]]] = {}
        self.dialect = dialect  # the library its class names come from, if any
        self.layers = 0
        self.input_shape: tuple[int, ...] | None = None

    def error(self, message: str, pos: int | None = None, length: int = 1,
              hint: str | None = None) -> SpecSyntaxError:
        at = self.i if pos is None else pos
        return SpecSyntaxError(message, self.s, min(at, len(self.s)), length, hint)

    def skip_ws(self) -> None:
        m = _WS.match(self.s, self.i)
        if m:
            self.i = m.end()

    def peek(self) -> str:
        self.skip_ws()
        return self.s[self.i:self.i + 1]

    def expect(self, ch: str, what: str) -> None:
        if self.peek() != ch:
            found = repr(self.s[self.i]) if self.i < len(self.s) else "end of spec"
            raise self.error(f"expected {what} but found {found}")
        self.i += 1

    def parse(self) -> tuple[Node, ...]:
        if not self.s.strip():
            raise self.error("the spec is empty", 0,
                             hint="write layers joined by '-', e.g. conv(32,3)-relu-flatten-fc(10)")
        nodes = self.sequence(0)
        if self.peek():
            ch = self.s[self.i]
            hint = "join layers with '-'" if ch not in "])" else None
            raise self.error(f"unexpected {ch!r}", hint=hint)
        return nodes

    def sequence(self, depth: int) -> tuple[Node, ...]:
        if depth > MAX_DEPTH:
            raise self.error(f"nesting deeper than {MAX_DEPTH} levels")
        nodes = list(self.items(depth))
        while self.peek() == "-":
            self.i += 1
            nodes.extend(self.items(depth))
        if not nodes:
            raise self.error("this part of the spec has no layers (nn.Identity adds none)")
        return tuple(nodes)

    def items(self, depth: int) -> tuple[Node, ...]:
        """One item of the spec; a library call may stand for several layers, or none."""
        self.skip_ws()
        m = _IDENT.match(self.s, self.i)
        word = m.group(0) if m and self.s[self.i:self.i + 1].isalpha() else ""
        if word and ("." in word or is_class(word)):
            start = self.i
            try:
                prefixed, name = split_name(word)
            except ClassError as e:
                raise self.error(e.message, start, len(word), e.hint) from None
            if not is_class(name):
                raise self.error(f"unknown layer '{cut(word)}'", start, len(word),
                                 hint=misspelled_class(name) or "run 'cnncalc layers' for "
                                 "the list")
            self.i = m.end() if m else self.i
            return self.library(name, prefixed, start, depth)
        return (self.item(depth),)

    def library(self, name: str, prefixed: str | None, start: int,
                depth: int) -> tuple[Node, ...]:
        positional: list[Raw] = []
        keywords: dict[str, Raw] = {}
        if self.peek() == "(":
            self.i += 1
            while self.peek() != ")":
                self.skip_ws()
                arg_at = self.i
                key = None
                m = _KEYWORD.match(self.s, self.i)
                if m:
                    key = m.group(1)
                    self.i = m.end()
                value = self.literal(depth)
                if key is None:
                    if keywords:
                        raise self.error("positional argument after a keyword argument",
                                         arg_at, self.i - arg_at)
                    positional.append(value)
                elif key in keywords:
                    raise self.error(f"argument '{cut(key)}' given twice", arg_at, len(key))
                else:
                    keywords[key] = value
                if self.peek() == ",":
                    self.i += 1
                    continue
                if self.peek() != ")":
                    self.expect(")", "',' or ')'")
            self.i += 1
        source = _call_text(name, dialect_for(name, prefixed, self.dialect).ignored,
                            positional, keywords)
        try:
            bound = bind_call(name, prefixed, self.dialect, positional, keywords,
                              self.layers == 0)
        except ClassError as e:
            raise self.error(e.message, start, self.i - start, e.hint) from None
        return self.made(bound, name, source, start)

    def made(self, bound: Bound, name: str, source: str, start: int) -> tuple[Node, ...]:
        if bound.input_shape is not None:
            self.input_shape = bound.input_shape
        out: list[Node] = []
        for m in bound.layers:
            try:
                layer = make_layer(m, name, source if m is bound.layers[0] else "")
            except ClassError as e:
                raise self.error(e.message, start, self.i - start, e.hint) from None
            out.append(Layer(layer.kind, layer.args, start, self.i - start, layer.source,
                             layer.declared))
        self.layers += len(out)
        return tuple(out)

    def literal(self, depth: int) -> Raw:
        """A Python literal (or a cnncalc value such as 3x3 or same) inside a library call."""
        ch = self.peek()
        start = self.i
        if ch in ("'", '"'):
            end = self.s.find(ch, self.i + 1)
            if end < 0:
                raise self.error("unterminated string", start, 1)
            if end - start > MAX_STRING:
                raise self.error(f"string longer than {MAX_STRING} characters", start, 1)
            self.i = end + 1
            return self.s[start + 1:end]
        if ch in ("(", "["):
            if depth > MAX_DEPTH:
                raise self.error(f"nesting deeper than {MAX_DEPTH} levels")
            close = ")" if ch == "(" else "]"
            self.i += 1
            items: list[Raw] = []
            while self.peek() != close:
                items.append(self.literal(depth + 1))
                if self.peek() == ",":
                    self.i += 1
                elif self.peek() != close:
                    self.expect(close, f"',' or '{close}'")
            self.i += 1
            return tuple(items)
        if ch.isalpha():
            word = self.identifier()
            low = word.lower()
            if low in ("true", "false"):
                return low == "true"
            if low == "none":
                return None
            if low in ("same", "valid"):
                return low
            raise self.error(f"unknown value '{cut(word)}'", start, len(word),
                             hint="values are numbers, tuples, quoted strings, True, False "
                             "or None")
        if ch == "-" and self.s[self.i + 1:self.i + 2].isdigit():
            self.i += 1
            value = self.literal(depth)
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise self.error("'-' must be followed by a number", start, 1)
            return -value
        return self.value()

    def item(self, depth: int) -> Node:
        ch = self.peek()
        start = self.i
        if ch == "[":
            self.i += 1
            if self.peek() == "]":
                raise self.error("empty group '[]'", start, 2)
            body = self.sequence(depth + 1)
            self.expect("]", "']' to close the group")
            if self.peek() not in ("*", "×"):
                raise self.error("a group needs a repeat count, e.g. [conv(8,3)-relu]*3",
                                 hint="use res[...] for a residual block")
            self.i += 1
            self.skip_ws()
            num_at = self.i
            times = self.number()
            if not isinstance(times, int) or isinstance(times, bool) or times < 1:
                raise self.error(f"repeat count must be a positive integer, got {times}",
                                 num_at, self.i - num_at)
            return Repeat(body, times, start)
        if not (ch.isalpha() or ch == "_"):
            what = repr(ch) if ch else "end of spec"
            raise self.error(f"expected a layer name but found {what}")
        name = self.identifier()
        if name.lower() in JOINS and self.peek() == "[":
            return self.join(JOINS[name.lower()], start, depth)
        if name.lower() in ("res", "residual") and self.peek() == "[":
            self.i += 1
            if self.peek() == "]":
                raise self.error("empty residual block 'res[]'", start, self.i - start + 1)
            body = self.sequence(depth + 1)
            shortcut: tuple[Node, ...] = ()
            if self.peek() == "|":
                self.i += 1
                shortcut = self.sequence(depth + 1)
            self.expect("]", "']' to close the residual block")
            return Residual(body, start, shortcut=shortcut)
        if self.s[self.i:self.i + 1] == "(":
            close = self.s.find(")", self.i)
            raw = self.s[start:close + 1] if close > 0 else ""
            hit = self.bound.get(raw)
            if hit is not None:
                self.i = close + 1
                self.layers += 1
                return Layer(hit[0], hit[1], start, self.i - start)
        definition = lookup(name)
        if definition is None:
            names = sorted(ALIASES) + ["res", *JOINS]
            raise self.error(f"unknown layer '{cut(name)}'", start, len(name),
                             hint=misspelled_class(name) or _suggest(name, names)
                             or "run 'cnncalc layers' for the list")
        if definition.join:
            raise self.error(f"{definition.name} joins branches: write it as a block",
                             start, len(name), hint=f"e.g. {definition.name}[conv(8,1)|"
                             "conv(8,3,padding=1)]")
        positional: list[tuple[Value, int, int]] = []
        keyed: dict[str, tuple[Value, int, int]] = {}
        if self.peek() == "(":
            self.i += 1
            if self.peek() == ")":
                self.i += 1
            else:
                while True:
                    self.skip_ws()
                    arg_at = self.i
                    key = None
                    if self.s[self.i:self.i + 1].isalpha():
                        save = self.i
                        word = self.identifier()
                        if self.peek() == "=":
                            self.i += 1
                            key = word
                        else:
                            self.i = save
                    self.skip_ws()
                    val_at = self.i
                    value = self.value()
                    span = (value, val_at, self.i - val_at)
                    if key is None:
                        if keyed:
                            raise self.error("positional argument after a keyword argument",
                                             arg_at, self.i - arg_at)
                        positional.append(span)
                    else:
                        p = definition.param(key.lower())
                        if p is None:
                            options = [q.name for q in definition.params]
                            options += [s for q in definition.params for s in q.short]
                            hint = _suggest(key, options) or (
                                f"{definition.name} takes " + (", ".join(
                                    q.name for q in definition.params) or "no arguments"))
                            raise self.error(f"{definition.name} has no argument '{cut(key)}'",
                                             arg_at, len(key), hint=hint)
                        if p.name in keyed:
                            raise self.error(f"argument '{p.name}' given twice",
                                             arg_at, len(key))
                        keyed[p.name] = span
                    if self.peek() == ",":
                        self.i += 1
                        continue
                    self.expect(")", "',' or ')'")
                    break
        layer = self.bind(definition, positional, keyed, start)
        self.bound[self.s[start:self.i]] = (layer.kind, layer.args)
        self.layers += 1
        return layer

    def join(self, kind: str, start: int, depth: int) -> Join:
        """`cat[a|b|...]`: branches separated by '|'; an empty branch is the input itself."""
        self.i += 1  # '['
        branches: list[tuple[Node, ...]] = []
        while True:
            if self.peek() in ("|", "]"):
                branches.append(())
            else:
                branches.append(self.sequence(depth + 1))
            if self.peek() == "|":
                self.i += 1
                continue
            self.expect("]", f"'|' or ']' to close the {kind} block")
            break
        if len(branches) < 2:
            raise self.error(f"{kind}[...] needs at least two branches separated by '|'",
                             start, self.i - start,
                             hint=f"e.g. {kind}[|conv(8,3,padding=1)] joins the input with "
                             "one branch")
        if all(not b for b in branches):
            raise self.error(f"every branch of {kind}[...] is empty", start, self.i - start)
        return Join(kind, tuple(branches), start)

    def bind(self, d: LayerDef, positional: list[tuple[Value, int, int]],
             keyed: dict[str, tuple[Value, int, int]], start: int) -> Layer:
        if d.params and d.params[0].kind == DIMS and len(positional) > 1:
            # reshape(16,4,4) and permute(1,2,0): the numbers are one shape
            at = positional[0][1]
            end = positional[-1][1] + positional[-1][2]
            dims = tuple(v for v, _, _ in positional)
            if all(isinstance(v, int) and not isinstance(v, bool) for v in dims):
                positional = [(dims, at, end - at)]  # type: ignore[list-item]
        if len(positional) > len(d.params):
            value, at, n = positional[len(d.params)]
            takes = ", ".join(p.name for p in d.params) or "no arguments"
            raise self.error(f"{d.name} takes at most {len(d.params)} positional "
                             f"argument(s) ({takes})", at, n)
        given: dict[str, tuple[Value, int, int]] = {}
        for p, span in zip(d.params, positional):
            if p.name in keyed:
                raise self.error(f"argument '{p.name}' given twice", span[1], span[2])
            given[p.name] = span
        given.update(keyed)
        args: dict[str, Value] = {}
        for p in d.params:
            if p.name in given:
                value, at, n = given[p.name]
                args[p.name] = self.coerce(d, p, value, at, n)
            elif p.default is REQUIRED:
                raise self.error(f"{d.name} needs '{p.name}'", start, self.i - start,
                                 hint=f"e.g. {_example(d)}")
            elif isinstance(p.default, str) and p.default.startswith("="):
                args[p.name] = args[p.default[1:]]
            else:
                args[p.name] = self.coerce(d, p, p.default, start, 1)  # type: ignore[arg-type]
        return Layer(d.name, args, start, self.i - start)

    def coerce(self, d: LayerDef, p: Param, value: Value, at: int, n: int) -> Value:
        try:
            return coerce(d, p, value)
        except ClassError as e:
            raise self.error(e.message, at, n, e.hint) from None

    def identifier(self) -> str:
        start = self.i
        m = _IDENT.match(self.s, start)
        self.i = m.end() if m else start
        return self.s[start:self.i]

    def number(self) -> int | float:
        start = self.i
        m = _NUMBER.match(self.s, start)
        self.i = m.end() if m else start
        text = self.s[start:self.i]
        try:
            if text.lstrip("+-").isdigit() and text.isascii():
                if len(text.lstrip("+-0")) > 13 or abs(int(text)) > MAX_INT:
                    raise self.error(f"the number {cut(text)} is too large; the limit is "
                                     "10^12", start, self.i - start)
                return int(text)
            return float(text)
        except ValueError:
            raise self.error(f"'{cut(text or self.s[start:start + 1])}' is not a number",
                             start, max(1, self.i - start)) from None

    def value(self) -> Value:
        ch = self.peek()
        start = self.i
        if ch in ("'", '"', "(", "["):
            lit = self.literal(0)
            if isinstance(lit, str):
                return lit
            if (isinstance(lit, tuple) and 1 <= len(lit) <= 3 and all(
                    isinstance(x, int) and not isinstance(x, bool) for x in lit)):
                return tuple(int(str(x)) for x in lit)
            raise self.error(f"{cut(repr(lit))} is not a size; write an integer or (h, w)",
                             start, self.i - start)
        if ch.isalpha():
            word = self.identifier().lower()
            if word in ("true", "false"):
                return word == "true"
            if word in WORDS:
                return word
            raise self.error(f"unknown value '{cut(word)}'", start, len(word),
                             hint="values are numbers, HxW, same, valid, true, false, or "
                             "an upsampling mode (nearest, bilinear, bicubic)")
        if not (ch.isdigit() or ch in "+-."):
            raise self.error(f"expected a value but found {repr(ch) if ch else 'end of spec'}")
        num = self.number()
        dims: list[int | float | None] = [num]
        while self.i < len(self.s) and self.s[self.i] in "xX×" and len(dims) < 4:
            self.i += 1
            dims.append(self.number() if self.s[self.i:self.i + 1].isdigit() else None)
        if len(dims) == 1:
            return num
        if len(dims) > 3 or not all(isinstance(d, int) for d in dims):
            raise self.error("a size is written HxW (or CxHxW) with integers, e.g. 3x5",
                             start, max(1, self.i - start))
        return tuple(int(str(d)) for d in dims)


def _shown(value: Raw) -> str:
    """A kept argument as Python writes it; strings with every non-ASCII character escaped."""
    if isinstance(value, str):
        return ascii(value)
    if isinstance(value, tuple):
        return "(" + ", ".join(map(_shown, value)) + ("," if len(value) == 1 else "") + ")"
    return repr(value)


def _call_text(name: str, ignored: frozenset[str], positional: list[Raw],
               keywords: dict[str, Raw]) -> str:
    """The library call as `Layer.source` keeps it, e.g. `Linear(3136, 10)`: rebuilt from
    the values that bind, so an ignored argument (device=, dtype=, name=, initialisers)
    is never echoed in a message or a generated file, whatever text it held."""
    if "*" in ignored:
        return f"{name}()"
    parts = [_shown(v) for v in positional]
    parts += [f"{k}={_shown(v)}" for k, v in keywords.items() if k not in ignored]
    return f"{name}({', '.join(parts)})"


def coerce(d: LayerDef, p: Param, value: object, label: str = "") -> Value:
    """A value checked and normalised for parameter p of layer d; ClassError if it is wrong."""
    def bad(expected: str) -> ClassError:
        shown = format_value(value) if isinstance(value, (int, float, str)) and not \
            isinstance(value, tuple) else repr(value)
        return ClassError(f"{label or d.name} {p.name} must be {expected}, got {cut(shown)}")

    if isinstance(value, list):
        value = tuple(value)
    if p.kind == DIMS:
        dims = value if isinstance(value, tuple) else (value,)
        if not 1 <= len(dims) <= 3 or not all(
                isinstance(x, int) and not isinstance(x, bool) for x in dims):
            raise bad("one to three integers, e.g. 16x1x1 or (16, 1, 1)")
        if p.minimum < 0 and (0 in dims or min(dims) < -1):
            raise bad("positive integers, or one -1")
        if min(dims) < p.minimum:
            raise bad(f"integers of at least {p.minimum}")
        if max(dims) > MAX_INT:
            raise bad("at most 10^12 each")
        return tuple(int(x) for x in dims)
    if p.kind == CHOICE:
        if not isinstance(value, str) or value.lower() not in p.choices:
            raise bad("one of " + ", ".join(p.choices))
        return value.lower()
    if p.kind in (INT, PAIR, SIZE, PADDING):
        if p.kind == PADDING and isinstance(value, str):
            if value.lower() in ("same", "valid"):
                return value.lower()
            raise bad("an integer, HxW, 'same' or 'valid'")
        if isinstance(value, tuple) and p.kind != INT:
            if len(value) != 2 or not all(isinstance(x, int) and not isinstance(x, bool)
                                          for x in value):
                raise bad("an integer or HxW")
        elif isinstance(value, bool) or not isinstance(value, int):
            raise bad("an integer" if p.kind == INT else "an integer or HxW")
        pair = value if isinstance(value, tuple) else (value, value)
        if min(pair) < p.minimum:
            raise bad(f"at least {p.minimum}")
        if max(pair) > MAX_INT:
            raise bad("at most 10^12")
        return value if p.kind == INT else (pair[0], pair[1])
    if p.kind == BOOL:
        if not isinstance(value, bool):
            raise bad("true or false")
        return value
    if p.kind in (FLOAT, PROB):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise bad("a number")
        try:
            number = float(value)
        except OverflowError:
            number = math.inf
        if not math.isfinite(number):  # 1e999 in a spec, float('nan') in pasted code
            raise bad("a finite number")
        if p.kind == PROB and not 0.0 <= number < 1.0:
            raise bad("in [0, 1)")
        return number
    raise AssertionError(p.kind)  # pragma: no cover


def make_layer(made: Made, label: str, source: str) -> Layer:
    """A cnncalc layer from what a library call binds to; ClassError names a bad value."""
    d = lookup(made.kind)
    assert d is not None
    args: dict[str, Value] = {}
    for p in d.params:
        if p.name in made.args:
            args[p.name] = coerce(d, p, made.args[p.name], label)
        elif p.default is REQUIRED:  # pragma: no cover - every binder gives them
            raise ClassError(f"{label} needs '{p.name}'")
        elif isinstance(p.default, str) and p.default.startswith("="):
            args[p.name] = args[p.default[1:]]
        else:
            args[p.name] = coerce(d, p, p.default, label)
    return Layer(d.name, args, 0, 0, source, made.declared)


def class_names(text: str) -> list[tuple[str, str | None]]:
    """(class name, dialect its prefix names) for every library call in a text."""
    out: list[tuple[str, str | None]] = []
    for m in _CLASS_CALL.finditer(text):
        try:
            prefixed, name = split_name(m.group(1))
        except ClassError:
            continue
        if name in TABLE:
            out.append((name, prefixed))
    return out


@record
class Parsed:
    """A parsed spec: its layers, the library its class names come from, a declared input."""

    nodes: tuple[Node, ...]
    dialect: str | None
    input_shape: tuple[int, ...] | None


def parse_model(text: str) -> Parsed:
    """Parse a spec that may use PyTorch or Keras class names (one library, not both)."""
    _check_size(text)
    try:
        dialect = dialect_of(class_names(text), TABLE)
    except ClassError as e:
        raise SpecSyntaxError(e.message, text, 0, 1, e.hint) from None
    parser = _Parser(text, dialect)
    nodes = parser.parse()
    _check_count(nodes, text)
    return Parsed(nodes, dialect, parser.input_shape)


def _check_size(text: str) -> None:
    if len(text) > MAX_SPEC_CHARS:
        raise SpecSyntaxError(f"spec is {len(text)} characters; the limit is {MAX_SPEC_CHARS}",
                              text[:80], 0)


def _check_count(nodes: tuple[Node, ...], text: str) -> None:
    n = count_layers(nodes)
    if n > MAX_LAYERS:
        raise SpecSyntaxError(f"spec expands to {n} layers; the limit is {MAX_LAYERS}",
                              text, 0, hint="lower a repeat count")


def _example(d: LayerDef) -> str:
    examples = {"conv": "conv(32,3)", "convt": "convt(16,2,stride=2)",
                "maxpool": "maxpool(2)", "avgpool": "avgpool(2)", "fc": "fc(10)"}
    return examples.get(d.name, d.name)


def parse(text: str) -> tuple[Node, ...]:
    """Parse a spec string into nodes. Raises SpecSyntaxError with the bad token's position."""
    return parse_model(text).nodes
