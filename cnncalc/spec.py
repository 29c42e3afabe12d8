"""The spec language: parse a string such as `conv(32,3)-relu-[...]*2-res[...]` into layer nodes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Union

from .errors import SpecSyntaxError
from .layers import (
    ALIASES,
    BOOL,
    FLOAT,
    INT,
    PADDING,
    PAIR,
    PROB,
    REQUIRED,
    SAME_AS_KERNEL,
    SIZE,
    LayerDef,
    Param,
    lookup,
)

Value = Union[int, float, str, bool, tuple[int, int]]

MAX_DEPTH = 32
"""Deepest nesting of `[...]` and `res[...]` a spec may use."""

MAX_LAYERS = 100_000
"""Most layers a spec may expand to, counting repetitions."""

MAX_SPEC_CHARS = 1_000_000

_WS = re.compile(r"\s*")
_IDENT = re.compile(r"[A-Za-z0-9_]*")
_NUMBER = re.compile(r"[+-]?[0-9.]*(?:[eE][+-]?[0-9]+)?")


@dataclass(frozen=True)
class Layer:
    """One layer with every parameter bound (defaults filled in), as PyTorch names them."""

    kind: str
    args: dict[str, Value]
    pos: int = 0
    length: int = 0

    def __getitem__(self, name: str) -> Value:
        return self.args[name]

    @cached_property
    def text(self) -> str:
        return layer_text(self)


@dataclass(frozen=True)
class Repeat:
    """`[ body ]*times`: the body applied `times` times in sequence."""

    body: tuple[Node, ...]
    times: int
    pos: int = 0

    @property
    def text(self) -> str:
        return f"[{to_text(self.body)}]*{self.times}"


@dataclass(frozen=True)
class Residual:
    """`res[ body ]`: body(x) + shortcut(x), the shortcut chosen by the calculator."""

    body: tuple[Node, ...]
    pos: int = 0

    @property
    def text(self) -> str:
        return f"res[{to_text(self.body)}]"


Node = Union[Layer, Repeat, Residual]


def format_value(value: Value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return str(value[0]) if value[0] == value[1] else f"{value[0]}x{value[1]}"
    return str(value)


def layer_text(layer: Layer) -> str:
    """Normalised spec text: required args positionally, others only when not default."""
    return _layer_text(layer.kind, tuple(layer.args.items()))


@lru_cache(maxsize=8192)
def _layer_text(kind: str, items: tuple[tuple[str, Value], ...]) -> str:
    definition = lookup(kind)
    assert definition is not None
    args = dict(items)
    parts: list[str] = []
    for i, p in enumerate(definition.params):
        value = args[p.name]
        if p.default is REQUIRED:
            parts.append(format_value(value))
            continue
        default = p.default
        if default == SAME_AS_KERNEL:
            default = args["kernel_size"]
        elif p.kind in (PAIR, SIZE) and isinstance(default, int):
            default = (default, default)
        elif p.kind == PADDING and isinstance(default, int):
            default = (default, default)
        if value != default:
            # A layer whose only interesting argument comes first reads best positionally.
            positional = i == 0 and all(
                args[q.name] == q.default for q in definition.params[1:])
            parts.append(format_value(value) if positional else f"{p.name}={format_value(value)}")
    return f"{kind}({','.join(parts)})" if parts else kind


def short_text(nodes: tuple[Node, ...]) -> str:
    """A compact outline by layer kind, e.g. `res[conv-bn-relu-conv-bn]`, for table rows."""
    parts = []
    for n in nodes:
        if isinstance(n, Layer):
            parts.append(n.kind)
        elif isinstance(n, Repeat):
            parts.append(f"[{short_text(n.body)}]*{n.times}")
        else:
            parts.append(f"res[{short_text(n.body)}]")
    return "-".join(parts)


def to_text(nodes: tuple[Node, ...]) -> str:
    return "-".join(n.text for n in nodes)


def count_layers(nodes: tuple[Node, ...]) -> int:
    """Number of layers after expanding repetitions (residual shortcuts not counted)."""
    total = 0
    for n in nodes:
        if isinstance(n, Layer):
            total += 1
        elif isinstance(n, Repeat):
            total += n.times * count_layers(n.body)
        else:
            total += count_layers(n.body)
    return total


def _suggest(word: str, options: list[str]) -> str | None:
    import difflib  # only on errors

    close = difflib.get_close_matches(word.lower(), options, n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else None


class _Parser:
    def __init__(self, text: str) -> None:
        self.s = text
        self.i = 0
        # Specs repeat layers; a layer's text always binds the same way, so bind it once.
        self.bound: dict[str, tuple[str, dict[str, Value]]] = {}

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
        nodes = [self.item(depth)]
        while self.peek() == "-":
            self.i += 1
            nodes.append(self.item(depth))
        return tuple(nodes)

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
        if name.lower() in ("res", "residual") and self.peek() == "[":
            self.i += 1
            if self.peek() == "]":
                raise self.error("empty residual block 'res[]'", start, self.i - start + 1)
            body = self.sequence(depth + 1)
            self.expect("]", "']' to close the residual block")
            return Residual(body, start)
        if self.s[self.i:self.i + 1] == "(":
            close = self.s.find(")", self.i)
            raw = self.s[start:close + 1] if close > 0 else ""
            hit = self.bound.get(raw)
            if hit is not None:
                self.i = close + 1
                return Layer(hit[0], hit[1], start, self.i - start)
        definition = lookup(name)
        if definition is None:
            names = sorted(ALIASES) + ["res"]
            raise self.error(f"unknown layer '{name}'", start, len(name),
                             hint=_suggest(name, names) or "run 'cnncalc layers' for the list")
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
                            raise self.error(f"{definition.name} has no argument '{key}'",
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
        return layer

    def bind(self, d: LayerDef, positional: list[tuple[Value, int, int]],
             keyed: dict[str, tuple[Value, int, int]], start: int) -> Layer:
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
            elif p.default == SAME_AS_KERNEL:
                args[p.name] = args["kernel_size"]
            else:
                args[p.name] = self.coerce(d, p, p.default, start, 1)  # type: ignore[arg-type]
        return Layer(d.name, args, start, self.i - start)

    def coerce(self, d: LayerDef, p: Param, value: Value, at: int, n: int) -> Value:
        def bad(expected: str) -> SpecSyntaxError:
            return self.error(f"{d.name} {p.name} must be {expected}, got "
                              f"{format_value(value)}", at, n)

        if p.kind in (INT, PAIR, SIZE, PADDING):
            if p.kind == PADDING and isinstance(value, str):
                if value.lower() in ("same", "valid"):
                    return value.lower()
                raise bad("an integer, HxW, 'same' or 'valid'")
            if isinstance(value, bool) or not isinstance(value, (int, tuple)):
                raise bad("an integer" if p.kind == INT else "an integer or HxW")
            if isinstance(value, tuple) and p.kind == INT:
                raise bad("an integer")
            pair = value if isinstance(value, tuple) else (value, value)
            if min(pair) < p.minimum:
                raise bad(f"at least {p.minimum}")
            return value if p.kind == INT else pair
        if p.kind == BOOL:
            if not isinstance(value, bool):
                raise bad("true or false")
            return value
        if p.kind in (FLOAT, PROB):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise bad("a number")
            if p.kind == PROB and not 0.0 <= float(value) < 1.0:
                raise bad("in [0, 1)")
            return float(value)
        raise AssertionError(p.kind)  # pragma: no cover

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
                return int(text)
            return float(text)
        except ValueError:
            raise self.error(f"'{text or self.s[start:start + 1]}' is not a number",
                             start, max(1, self.i - start)) from None

    def value(self) -> Value:
        ch = self.peek()
        start = self.i
        if ch.isalpha():
            word = self.identifier().lower()
            if word in ("true", "false"):
                return word == "true"
            if word in ("same", "valid"):
                return word
            raise self.error(f"unknown value '{word}'", start, len(word),
                             hint="values are numbers, HxW, same, valid, true or false")
        if not (ch.isdigit() or ch in "+-."):
            raise self.error(f"expected a value but found {repr(ch) if ch else 'end of spec'}")
        num = self.number()
        if self.i < len(self.s) and self.s[self.i] in "xX×":
            self.i += 1
            second = self.number() if self.s[self.i:self.i + 1].isdigit() else None
            if not isinstance(num, int) or not isinstance(second, int):
                raise self.error("a size pair is written HxW with integers, e.g. 3x5",
                                 start, max(1, self.i - start))
            return (num, second)
        return num


def _example(d: LayerDef) -> str:
    examples = {"conv": "conv(32,3)", "convt": "convt(16,2,stride=2)",
                "maxpool": "maxpool(2)", "avgpool": "avgpool(2)", "fc": "fc(10)"}
    return examples.get(d.name, d.name)


def parse(text: str) -> tuple[Node, ...]:
    """Parse a spec string into nodes. Raises SpecSyntaxError with the bad token's position."""
    if len(text) > MAX_SPEC_CHARS:
        raise SpecSyntaxError(f"spec is {len(text)} characters; the limit is {MAX_SPEC_CHARS}",
                              text[:80], 0)
    nodes = _Parser(text).parse()
    n = count_layers(nodes)
    if n > MAX_LAYERS:
        raise SpecSyntaxError(f"spec expands to {n} layers; the limit is {MAX_LAYERS}",
                              text, 0, hint="lower a repeat count")
    return nodes
