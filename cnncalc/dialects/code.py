"""Read PyTorch and Keras model code with `ast`: never imported, never run."""

from __future__ import annotations

import ast
import warnings
from collections.abc import Callable
from dataclasses import dataclass

from ..errors import CnnCalcError, cut
from ..spec import Node, make_layer
from .binding import KERAS, MAX_INT, MAX_SOURCE, PYTORCH, Bound, ClassError, Raw, dialect_of
from .classes import TABLE, bind_call, is_class, misspelled_class, split_name

MAX_AST_NODES = 200_000
MAX_DEPTH = 60  # nesting of calls and expressions a model may use
MAX_LAYERS = 100_000
MAX_VALUE = 10**15  # intermediate results of the arithmetic in arguments

SEQUENTIAL = ("Sequential",)
_ACTIVATION_MODULES = ("tf.nn.", "keras.activations.", "tf.keras.activations.",
                       "activations.")
_ORDERED = ("OrderedDict", "collections.OrderedDict")


class CodeError(CnnCalcError):
    """Code that cannot be read exactly: the line and the construct are named."""


@dataclass(frozen=True)
class Model:
    """One model found in the code."""

    name: str
    dialect: str
    nodes: tuple[Node, ...]
    input_shape: tuple[int, ...] | None  # (C, H, W) or (N,) when the code declares it
    line: int


def _err(node: ast.AST | None, message: str, hint: str | None = None) -> CodeError:
    line = getattr(node, "lineno", None)
    return CodeError(f"line {line}: {message}" if line else message, hint)


def _text(node: ast.AST) -> str:
    try:
        return cut(ast.unparse(node), 60)
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


def parse_source(source: str) -> ast.Module:
    """The syntax tree, within bounds on size and depth; never executed."""
    if len(source) > MAX_SOURCE:
        raise CodeError(f"the code is {len(source):,} characters; the limit is {MAX_SOURCE:,}")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarnings about the user's code: not ours
            tree = ast.parse(source)
    except SyntaxError as e:
        raise CodeError(f"line {e.lineno}: not valid Python: {cut(str(e.msg), 80)}") from None
    except (ValueError, RecursionError, MemoryError, OverflowError) as e:
        raise CodeError(f"the code cannot be parsed: {cut(str(e), 80)}") from None
    count = 0
    stack: list[tuple[ast.AST, int]] = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        count += 1
        if count > MAX_AST_NODES:
            raise CodeError(f"the code has more than {MAX_AST_NODES:,} syntax nodes")
        if depth > MAX_DEPTH:
            raise _err(node, f"expressions nested deeper than {MAX_DEPTH} levels")
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return tree


class Values:
    """Constants the code defines: module names, __init__ defaults, `self.n = 10`."""

    def __init__(self, names: dict[str, Raw] | None = None) -> None:
        self.names: dict[str, Raw] = dict(names or {})

    def child(self) -> Values:
        return Values(self.names)

    def eval(self, node: ast.AST) -> Raw:
        if isinstance(node, ast.Constant):
            v = node.value
            if isinstance(v, int) and not isinstance(v, bool) and abs(v) > MAX_INT:
                raise _err(node, f"the number {cut(str(v))} is too large; the limit is 10^12")
            if isinstance(v, str) and len(v) > 200:
                raise _err(node, "a string argument longer than 200 characters")
            if v is not None and not isinstance(v, (int, float, str, bool)):
                raise _err(node, f"the value {_text(node)} is not a number or string")
            return v
        if isinstance(node, (ast.Tuple, ast.List)):
            return tuple(self.eval(e) for e in node.elts)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            v = self.number(node.operand)
            return -v if isinstance(node.op, ast.USub) else v
        if isinstance(node, ast.BinOp):
            return self.arith(node)
        key = dotted(node)
        if key is not None and key in self.names:
            return self.names[key]
        if isinstance(node, ast.Call) and dotted(node.func) in ("int", "float") and \
                len(node.args) == 1 and not node.keywords:
            v = self.number(node.args[0])
            return int(v) if dotted(node.func) == "int" else float(v)
        raise _err(node, f"the value {_text(node)} is not known without running the code",
                   "write the number, or a constant defined above")

    def number(self, node: ast.AST) -> int | float:
        v = self.eval(node)
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise _err(node, f"{_text(node)} is not a number")
        return v

    def arith(self, node: ast.BinOp) -> int | float:
        a, b = self.number(node.left), self.number(node.right)
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
            else:
                raise _err(node, f"the operator in {_text(node)} is not supported")
        except (ZeroDivisionError, OverflowError):
            raise _err(node, f"{_text(node)} cannot be computed") from None
        if abs(r) > MAX_VALUE:
            raise _err(node, f"{_text(node)} is too large")
        return r


def _names_in(node: ast.AST) -> list[tuple[str, str | None]]:
    out: list[tuple[str, str | None]] = []
    for n in ast.walk(node):
        if isinstance(n, ast.Call):
            name = dotted(n.func)
            if name is None:
                continue
            try:
                prefixed, cls = split_name(name)
            except ClassError:
                continue
            if cls in TABLE:
                out.append((cls, prefixed))
    return out


def _dialect(node: ast.AST, want: str | None = None) -> str | None:
    try:
        found = dialect_of(_names_in(node), TABLE)
    except ClassError as e:
        raise _err(node, e.message, e.hint) from None
    if want and found and found != want:
        lib = "Keras" if found == KERAS else "PyTorch"
        raise _err(node, f"{lib} layers in a {'PyTorch' if want == PYTORCH else 'Keras'} "
                   "model", "write the model in one library")
    return want or found


class Reader:
    """Turns the calls of one model into cnncalc layers."""

    def __init__(self, values: Values, dialect: str | None) -> None:
        self.values = values
        self.dialect = dialect
        self.count = 0
        self.input_shape: tuple[int, ...] | None = None

    def layer_call(self, call: ast.Call, first: bool) -> list[Node]:
        """A library layer call, or a Sequential (nested or of an OrderedDict)."""
        name = dotted(call.func)
        if name is None:
            raise _err(call, f"{_text(call.func)} is not a layer class")
        try:
            prefixed, cls = split_name(name)
        except ClassError as e:
            raise _err(call, e.message, e.hint) from None
        if cls in SEQUENTIAL:
            return self.sequential(call, first)
        if not is_class(cls):
            hint = misspelled_class(cls) or "see docs/spec.md for the classes cnncalc reads"
            raise _err(call, f"unknown layer class {cut(name)}", hint)
        positional: list[Raw] = []
        keywords: dict[str, Raw] = {}
        for a in call.args:
            if isinstance(a, ast.Starred):
                raise _err(a, f"*{_text(a.value)} is only known when the code runs")
            positional.append(self.values.eval(a))
        for k in call.keywords:
            if k.arg is None:
                raise _err(k.value, f"**{_text(k.value)} is only known when the code runs")
            name_of = dotted(k.value)
            if k.arg == "activation" and name_of and name_of.startswith(_ACTIVATION_MODULES):
                keywords[k.arg] = name_of.rsplit(".", 1)[1]  # tf.nn.relu reads as 'relu'
            else:
                keywords[k.arg] = self.values.eval(k.value)
        try:
            bound = bind_call(cls, prefixed, self.dialect, positional, keywords, first)
        except ClassError as e:
            raise _err(call, e.message, e.hint) from None
        source = f"{cls}({', '.join(_text(x) for x in [*call.args, *call.keywords])})"
        return self.made(bound, cls, source, call)

    def made(self, bound: Bound, cls: str, source: str, where: ast.AST) -> list[Node]:
        if bound.input_shape is not None:
            self.input_shape = bound.input_shape
        out: list[Node] = []
        for i, m in enumerate(bound.layers):
            try:
                out.append(make_layer(m, cls, source if i == 0 else ""))
            except ClassError as e:
                raise _err(where, e.message, e.hint) from None
        self.count += len(out)
        if self.count > MAX_LAYERS:
            raise _err(where, f"the model has more than {MAX_LAYERS:,} layers")
        return out

    def sequential(self, call: ast.Call, first: bool) -> list[Node]:
        items: list[ast.AST] = []
        for a in call.args:
            if isinstance(a, ast.Starred):
                raise _err(a, f"*{_text(a.value)} is only known when the code runs")
            if isinstance(a, (ast.List, ast.Tuple)):  # keras.Sequential([...])
                items.extend(a.elts)
            elif isinstance(a, ast.Call) and dotted(a.func) in _ORDERED:
                items.extend(self.ordered(a))
            else:
                items.append(a)
        for k in call.keywords:
            if k.arg == "layers" and isinstance(k.value, (ast.List, ast.Tuple)):
                items.extend(k.value.elts)
            elif k.arg not in ("name", "trainable"):
                raise _err(k, f"Sequential({k.arg}=...) is not supported")
        out: list[Node] = []
        for item in items:
            out.extend(self.item(item, first and not out))
        return out

    def ordered(self, call: ast.Call) -> list[ast.AST]:
        if len(call.args) != 1 or call.keywords:
            raise _err(call, "OrderedDict needs one list of (name, layer) pairs")
        arg = call.args[0]
        if isinstance(arg, ast.Dict):
            return [v for v in arg.values]
        if not isinstance(arg, (ast.List, ast.Tuple)):
            raise _err(arg, "OrderedDict needs a literal list of (name, layer) pairs")
        out: list[ast.AST] = []
        for pair in arg.elts:
            if not isinstance(pair, ast.Tuple) or len(pair.elts) != 2:
                raise _err(pair, "each OrderedDict entry must be a (name, layer) pair")
            out.append(pair.elts[1])
        return out

    def item(self, node: ast.AST, first: bool) -> list[Node]:
        if not isinstance(node, ast.Call):
            raise _err(node, f"{_text(node)} is not a layer", "write a layer call such as "
                       "nn.ReLU() or layers.Dense(10)")
        return self.layer_call(node, first)


def read_models(source: str) -> list[tuple[str, int, Callable[[], Model]]]:
    """Every model in the code as (name, line, reader); calling a reader reads that model."""
    from .modules import find_models  # modules builds on this file

    return find_models(parse_source(source))


def read_model(source: str, name: str | None = None) -> Model:
    """The one model the code holds, or the one `name` picks."""
    from .modules import find_models  # modules builds on this file

    found = find_models(parse_source(source))
    if not found:
        raise CodeError("no model found in the code",
                        "cnncalc reads nn.Sequential(...), a class built on nn.Module with "
                        "forward(), and Keras Sequential([...]) or model.add(...)")
    listing = ", ".join(f"{n} (line {line})" for n, line, _ in found[:20])
    if name is None:
        if len(found) > 1:
            raise CodeError(f"the code has {len(found)} models: {cut(listing, 300)}",
                            "pick one with --model NAME")
        return found[0][2]()
    for n, _, build in found:
        if n == name:
            return build()
    raise CodeError(f"no model named '{cut(name)}' in the code; it has {cut(listing, 300)}")


_SEQ_PREFIXES = {"nn.": PYTORCH, "torch.nn.": PYTORCH, "keras.": KERAS, "tf.keras.": KERAS,
                 "keras.models.": KERAS, "tf.keras.models.": KERAS, "models.": KERAS,
                 "tensorflow.keras.": KERAS, "tensorflow.keras.models.": KERAS, "": ""}


def sequential_dialect(call: ast.AST) -> str | None:
    """'pytorch' / 'keras' / '' (unprefixed) when `call` is a Sequential(...) call, else None."""
    if not isinstance(call, ast.Call):
        return None
    name = dotted(call.func)
    if name is None or not (name == "Sequential" or name.endswith(".Sequential")):
        return None
    return _SEQ_PREFIXES.get(name[:-len("Sequential")])
