"""Run-time values the user gives for pasted code: `--set NAME=VALUE`, and `--input` where the
code takes its input shape from the training data (`input_shape=x_train.shape[1:]`).

A reading runs inside `giving(...)`. The reader asks `value_of(key)` where it looks up a
module-level name or a dotted attribute (`args.num_classes`), `arguments(names)` where it
binds the arguments of the model's constructor, and `Given.data_shape` for `DATA.shape[...]`.
Every value given and never asked for is an error once the model is read: nothing is
ignored.
"""

from __future__ import annotations

import ast
import keyword
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from ..errors import UsageError, cut
from ..library.binding import MAX_INT
from ..ops.shape import parse_shape
from .values import GIVEN, MISSING, Raw, close_name, dotted, err, text

MAX_GIVEN = 100  # --set options on one command
MAX_TEXT = 1000  # characters of one --set value, checked before it is parsed
MAX_STRING = 200  # as a string constant written in the code
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")
LITERAL_HINT = "write a number, a string in quotes, True, False, None, or a tuple of them, " \
    "e.g. --set num_classes=10"
# Where a value is the model's input: these keywords of any layer call, `shape` of Input,
# and the first positional argument of these classes (their input size).
_INPUT_KEYWORDS = frozenset({"input_shape", "batch_input_shape", "input_dim", "in_channels",
                             "in_features"})
_INPUT_CLASSES = frozenset({"Input", "InputLayer"})
_TORCH_FIRST = frozenset({"Linear", "Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d",
                          "ConvTranspose2d", "ConvTranspose3d", "Bilinear"})


def set_hint(name: str) -> str:
    """The hint of an error about a value known only at run time."""
    return f"pass --set {name}=VALUE"


@dataclass
class Given:
    """What the user gives one reading: values by name, and the input shape for data."""

    values: Mapping[str, Raw] = field(default_factory=dict)
    input: str | None = None  # --input as typed, read in the code's convention
    convention: str | None = None  # --convention, else the code's library decides
    keras: bool | None = False  # data shapes are channels-last; None: the code mixes both
    data: frozenset[str] = frozenset()  # names whose .shape the code uses as the input
    used: set[str] = field(default_factory=set)
    # Where this reading's keras.Input tensors start (a dialects.tensors.Tensor), so that a
    # model of several inputs joins tensors of one tree; None until the code makes one.
    keras_root: object = None
    keras_names: dict[int, str] = field(default_factory=dict)  # id(input): its name=
    notes: list[str] = field(default_factory=list)  # what the reading assumed, to say

    def lookup(self, key: str) -> object:
        """The value given for `key`, marked as read; MISSING when none is."""
        if key not in self.values:
            return MISSING
        self.used.add(key)
        return self.values[key]

    def is_data(self, node: ast.Attribute) -> bool:
        """`DATA.shape`, where DATA is an array whose shape the code gives the model."""
        return node.attr == "shape" and isinstance(node.value, ast.Name) and \
            node.value.id in self.data

    def data_shape(self, node: ast.Attribute, where: ast.AST, index: object) -> Raw:
        """`DATA.shape[index]` from --input (`index` MISSING: the whole shape): the batch
        first, then one sample as the code's arrays hold it. The batch itself is known only
        when the code runs."""
        assert isinstance(node.value, ast.Name)
        sample = self.sample(where)
        if sample is None:
            raise err(where, f"{text(where)} is the shape of the data {node.value.id}, only "
                      "known when the code runs", "pass the model's input with --input (and "
                      "other values with --set NAME=VALUE)")
        full: tuple[object, ...] = (MISSING, *sample)
        if index is MISSING:
            part: object = full
        elif isinstance(index, slice):
            part = full[index]
        elif isinstance(index, int) and not isinstance(index, bool) and \
                -len(full) <= index < len(full):
            part = full[index]
        else:
            raise err(where, f"{text(where)} is out of range for an input of "
                      f"{len(sample)} dimension{'s' * (len(sample) != 1)}")
        if part is MISSING or (isinstance(part, tuple) and MISSING in part):
            raise err(where, f"{text(where)} holds the number of samples in "
                      f"{node.value.id}, only known when the code runs", "use its shape[1:]")
        assert isinstance(part, (int, tuple))
        return part

    def sample(self, where: ast.AST) -> tuple[int, ...] | None:
        """One sample's shape as the code's arrays hold it (H, W, C under Keras)."""
        if self.input is None:
            return None
        if self.keras is None and not self.input.strip().lower().startswith("flat:"):
            raise err(where, f"{text(where)}: the code holds both PyTorch and Keras layers, so "
                      "the layout of --input is not known", "pass --convention pytorch or "
                      "keras")
        shape = parse_shape(self.input, bool(self.keras))
        if len(shape) != 3 or not self.keras:
            return shape
        c, h, w = shape
        return (h, w, c)


_GIVEN = GIVEN


@contextmanager
def giving(given: Given) -> Iterator[Given]:
    """Read code with these values given."""
    token = _GIVEN.set(given)
    try:
        yield given
    finally:
        _GIVEN.reset(token)


def active() -> Given | None:
    found = _GIVEN.get()
    assert found is None or isinstance(found, Given)
    return found


def value_of(key: str) -> object:
    """The value given for `key` (a module-level name, or a dotted attribute), else MISSING."""
    given = _GIVEN.get()
    return MISSING if given is None else given.lookup(key)


def arguments(names: Sequence[str]) -> dict[str, object]:
    """The values given for these constructor arguments of the model (they replace the
    defaults, and what the code's own call passes)."""
    given = active()
    if given is None:
        return {}
    out: dict[str, object] = {}
    for name in names:
        if name in given.values:
            given.used.add(name)
            out[name] = given.values[name]
    return out


def parameters(fn: ast.FunctionDef | ast.AsyncFunctionDef, skip_self: bool) -> list[str]:
    """The names of a function's arguments (self left out), as --set may give them."""
    a = fn.args
    return [p.arg for p in (*a.posonlyargs, *a.args)][1 if skip_self else 0:] + \
        [p.arg for p in a.kwonlyargs]


# --- parsing what the user typed -----------------------------------------------------------

def parse_sets(items: Sequence[str]) -> dict[str, Raw]:
    """`--set NAME=VALUE` options, each VALUE a Python literal (never evaluated as code)."""
    if len(items) > MAX_GIVEN:
        raise UsageError(f"--set is given {len(items):,} times; the limit is {MAX_GIVEN}")
    out: dict[str, Raw] = {}
    for item in items:
        name, eq, value = item.partition("=")
        name = name.strip()
        if not eq or not name:
            raise UsageError(f"--set {cut(item)}: write NAME=VALUE", "e.g. --set num_classes=10")
        if len(value) > MAX_TEXT:
            raise UsageError(f"--set {cut(name)}: the value is {len(value):,} characters; the "
                             f"limit is {MAX_TEXT:,}")
        try:
            raw: object = ast.literal_eval(value.strip())
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            raise UsageError(f"--set {cut(name)}={cut(value.strip())}: the value is not a "
                             "Python literal", LITERAL_HINT) from None
        checked_name(name, "--set")
        if name in out:
            raise UsageError(f"--set {cut(name)} is given twice")
        out[name] = checked(raw, f"--set {cut(name)}")
    return out


def checked_values(values: object, what: str = "values") -> dict[str, Raw]:
    """The API's `values=` mapping, held to the same rules as --set."""
    if not isinstance(values, Mapping):
        raise UsageError(f"{what} must be a mapping of names to values, got "
                         f"{type(values).__name__}")
    if len(values) > MAX_GIVEN:
        raise UsageError(f"{what} has {len(values):,} names; the limit is {MAX_GIVEN}")
    out: dict[str, Raw] = {}
    for name, value in values.items():
        if not isinstance(name, str):
            raise UsageError(f"{what}: the name {cut(repr(name))} is not a string")
        checked_name(name, what)
        out[name] = checked(value, f"{what}[{name!r}]")
    return out


def checked_name(name: str, what: str) -> None:
    if not _NAME.fullmatch(name) or any(keyword.iskeyword(p) for p in name.split(".")):
        raise UsageError(f"{what}: {cut(repr(name))} is not a name",
                         "give a name such as num_classes or args.num_classes")
    if name.split(".")[0] == "self":
        raise UsageError(f"{what} {cut(name)}: give the model's constructor argument, or the "
                         "constant it comes from, instead of an attribute of self")


def checked(value: object, what: str, depth: int = 0) -> Raw:
    """A value as the reader holds constants: lists are tuples; within the code's bounds."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        if abs(value) > MAX_INT:
            raise UsageError(f"{what}: the number is too large; the limit is 10^12")
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise UsageError(f"{what}: {value} is not a finite number")
        return value
    if isinstance(value, str):
        if len(value) > MAX_STRING:
            raise UsageError(f"{what}: a string longer than {MAX_STRING} characters")
        return value
    if isinstance(value, (tuple, list)) and depth < 4:
        if len(value) > MAX_TEXT:
            raise UsageError(f"{what}: more than {MAX_TEXT:,} items")
        return tuple(checked(v, what, depth + 1) for v in value)
    raise UsageError(f"{what}: a {type(value).__name__} is not a value the code reader takes",
                     LITERAL_HINT)


# --- data shapes ---------------------------------------------------------------------------

def data_names(tree: ast.AST) -> frozenset[str]:
    """Names whose `.shape` the code gives the model as its input: in an input argument
    (`input_shape=x_train.shape[1:]`, `nn.Linear(X.shape[1], 64)`), or through names and
    function arguments that reach one (`shape = x.shape[1:]` ... `Input(shape=shape)`)."""
    every = list(ast.walk(tree))  # walked once, read twice
    functions = {n.name: n for n in every if isinstance(n, ast.FunctionDef)}
    reaches: dict[str, list[ast.expr]] = {}  # a name, and the values that flow into it
    places: list[ast.expr] = []
    for n in every:
        if isinstance(n, ast.Assign):
            for t in n.targets:
                if isinstance(t, ast.Name):
                    reaches.setdefault(t.id, []).append(n.value)
        if not isinstance(n, ast.Call):
            continue
        cls = (dotted(n.func) or "").rpartition(".")[2]
        for k in n.keywords:
            if k.arg in _INPUT_KEYWORDS or (k.arg == "shape" and cls in _INPUT_CLASSES):
                places.append(k.value)
        if n.args and (cls in _INPUT_CLASSES or cls in _TORCH_FIRST):
            places.append(n.args[0])
        fn = functions.get(dotted(n.func) or "")
        if fn is not None:  # what a call of the file's function passes its arguments
            params = [p.arg for p in (*fn.args.posonlyargs, *fn.args.args)]
            for param, value in [*zip(params, n.args),
                                 *((k.arg, k.value) for k in n.keywords if k.arg)]:
                reaches.setdefault(param, []).append(value)
    # Each expression that reaches an input place is walked once: linear in the code's size.
    seen: set[int] = {id(p) for p in places}
    names: set[str] = set()
    out: set[str] = set()
    while places:
        for n in ast.walk(places.pop()):
            if isinstance(n, ast.Attribute) and n.attr == "shape" and \
                    isinstance(n.value, ast.Name):
                out.add(n.value.id)
            if isinstance(n, ast.Name) and n.id not in names:
                names.add(n.id)
                for value in reaches.get(n.id, ()):
                    if id(value) not in seen:
                        seen.add(id(value))
                        places.append(value)
    return frozenset(out)


def check_names(given: Given, tree: ast.AST) -> None:
    """A value may not stand for what the code imports or defines (a module, a class, a
    function): the reading would no longer be of the code as written."""
    if not given.values:
        return  # nothing given: the tree is not walked
    for n in ast.walk(tree):
        if isinstance(n, (ast.Import, ast.ImportFrom)):
            bound = [(a.asname or a.name.split(".")[0], "imports") for a in n.names]
        elif isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound = [(n.name, "defines")]
        else:
            continue
        for name, how in bound:
            for key in given.values:
                if key.split(".")[0] == name:
                    raise UsageError(f"--set {cut(key)}: the code {how} {cut(name)} (line "
                                     f"{n.lineno}); --set gives values, not modules, classes "
                                     "or functions")


# --- after the reading ---------------------------------------------------------------------

def check_used(given: Given, tree: ast.AST, failed: bool = False) -> None:
    """A value given that the reading never asked for is an error naming it. When the
    reading `failed` (it may have stopped before it asked), only a name the code never
    writes is, as a misspelt --set is likely why it failed."""
    if all(n in given.used for n in given.values):
        return  # every value was read (or none given): the tree is not walked
    words = sorted({n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} |
                   {a.arg for a in ast.walk(tree) if isinstance(a, ast.arg)} |
                   {d for d in (dotted(n) for n in ast.walk(tree)
                                if isinstance(n, ast.Attribute)) if d is not None})
    unused = [n for n in given.values if n not in given.used and
              not (failed and n in words)]
    if not unused:
        return
    name = unused[0]
    hint = close_name(name, [w for w in words if w != name]) or "give a module-level name, " \
        "an argument of the model's constructor, or an attribute such as args.num_classes " \
        "that the model reads"
    raise UsageError(f"--set {cut(name)}: the model's code never reads {cut(name)}", hint)

