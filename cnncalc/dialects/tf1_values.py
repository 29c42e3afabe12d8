"""The values TensorFlow 1 graph code is read into: variables, placeholders, tensors."""

from __future__ import annotations

import ast
import difflib
from dataclasses import dataclass, field

from ..ops.shape import Shape
from ..records import record
from .values import CodeError, at_line

MAX_DIM = 10**12
MAX_NUMEL = 10**15


@record
class Opaque:
    """A value known only when the code runs (or that cnncalc does not read). Building the
    model from it is this error, which names the line and the construct that made it."""

    line: int | None
    reason: str
    hint: str | None = None

    def error(self) -> CodeError:
        return at_line(self.line, self.reason, self.hint)

    @staticmethod
    def of(e: CodeError) -> Opaque:
        message = e.message
        if e.line is not None and message.startswith(f"line {e.line}: "):
            message = message[len(f"line {e.line}: "):]
        return Opaque(e.line, message, e.hint)


class PyList(tuple):  # type: ignore[type-arg]
    """A Python list: a tuple of its values that remembers being changed in place.
    Aliases share the object, so a change through one name reaches every name."""

    spoiled: Opaque | None = None


@record
class Lib:
    """A library module or name, by its full dotted name ('tensorflow.nn', 'numpy')."""

    name: str


@record
class Initial:
    """An initial value of known shape: tf.random_normal([3, 3, 1, 32]), tf.zeros([10])."""

    shape: tuple[int, ...]
    line: int


@dataclass(eq=False)
class Var:
    """A trainable variable; its shape is its parameter count."""

    shape: tuple[int, ...]
    line: int
    name: str  # as the code names it where it is used ('W1'), else as created
    used: int = 0  # line of its first use in the model, 0 while unused


@dataclass(eq=False)
class Placeholder:
    """tf.placeholder(dtype, shape): the input, the labels or a fed scalar."""

    shape: tuple[int | None, ...] | None
    line: int
    name: str = ""  # the code's name for it, once it is assigned

    def called(self) -> str:
        return self.name or f"made on line {self.line}"


@record
class Tensor:
    """A tensor of the model: the layers from the input to it, as a chain of spec layers.

    `kind` and `args` describe the layer that made it ('' for the input); `bias` is False
    for a convolution or matmul that has no bias yet (one may still be added), else None."""

    parent: Tensor | None
    kind: str
    args: tuple[str, ...]
    bias: bool | None
    shape: Shape  # (C, H, W) or (N,), batch excluded
    line: int
    depth: int
    input_note: str = ""  # on the input: how the input was read
    notes: tuple[str, ...] = ()  # assumptions made on the way (dropout rates)
    weights: tuple[Var, ...] = ()  # the variables this layer holds

    def spec(self) -> str:
        extra = ("bias=false",) if self.bias is False else ()
        inner = ",".join((*self.args, *extra))
        return f"{self.kind}({inner})" if inner else self.kind

    def chain(self) -> list[Tensor]:
        """Every tensor from the input to this one, in order (the input first)."""
        out: list[Tensor] = []
        t: Tensor | None = self
        while t is not None:
            out.append(t)
            t = t.parent
        return out[::-1]

    def root(self) -> Tensor:
        t = self
        while t.parent is not None:
            t = t.parent
        return t


@record
class Derived:
    """A value computed from a model tensor outside the model (an error term, a log)."""

    tensor: Tensor | Opaque
    metric: bool = False  # a comparison (argmax, equal, cast): an accuracy, not a cost
    line: int = 0
    what: str = ""  # the code that computed it


@record
class Cost:
    """A cost or loss, and the model tensor it is computed from."""

    tensor: Tensor | Opaque
    line: int
    name: str  # the code that names the tensor where the cost takes it ('logits')


@dataclass(eq=False)
class Function:
    """A function the file defines, read when it is called."""

    node: ast.FunctionDef | ast.AsyncFunctionDef
    defaults: dict[str, object]
    globals: dict[str, object]


@dataclass(eq=False)
class Klass:
    """A class the file defines: its methods, read when they are called."""

    node: ast.ClassDef
    methods: dict[str, Function]
    attrs: dict[str, object]


@dataclass(eq=False)
class Instance:
    """An instance of a class of the file, while its methods build the model."""

    klass: Klass
    attrs: dict[str, object] = field(default_factory=dict)
    spoiled: Opaque | None = None  # set by code cnncalc cannot follow that may change it


@record
class Method:
    """A method of a file's class, bound to its instance."""

    function: Function
    instance: Instance


def dims(shape: Shape) -> str:
    """A shape as TensorFlow code writes it, channels last: 14x14x64, or 3136."""
    if len(shape) == 3:
        return f"{shape[1]}x{shape[2]}x{shape[0]}"
    return "x".join(map(str, shape))


def numel(shape: tuple[int, ...]) -> int:
    n = 1
    for d in shape:
        n *= d
    return n


def suggest(word: str, options: list[str]) -> str | None:
    """The closest of `options` to a misspelt `word`, for a "did you mean"."""
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.75)
    return close[0] if close else None
