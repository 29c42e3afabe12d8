"""What a name can be bound to while a module or function body is read, besides constants.

A Holder is anything later code could change behind the reader's back (a model, a layer
object, an instance of the file's own class). Any use of one the reader cannot follow
spoils it: reading a spoiled model is an error naming the first such use, never a figure.
"""

from __future__ import annotations

import ast
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

from ..records import record
from .values import CodeError, Unknown, View, earliest


@dataclass(eq=False)
class Holder:
    """Something the code may change after the reader has seen it."""

    poison: CodeError | None = field(default=None, kw_only=True)
    home: object = field(default=None, kw_only=True)  # the scope that made it

    def spoil(self, error: CodeError) -> None:
        self.poison = earliest(self.poison, error)


@record
class Module:
    """An imported module or name, by its full dotted name (`torch.nn`, `keras.layers`)."""

    name: str


@dataclass(eq=False)
class Owner(Holder):
    """A function or class the file defines. Calling it runs code the reader has not
    followed; a model it builds is spoiled when code elsewhere changes what it made."""

    node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef
    kind: str  # 'function', 'torch' (an nn.Module class), 'keras' (a keras.Model), 'class'
    first_call: View | None = None  # the scope as it stood at the first call from module level
    params: dict[str, Param] = field(default_factory=dict)  # filled when its body is read
    defaults: dict[str, object] = field(default_factory=dict)  # evaluated where it is defined


@dataclass(eq=False)
class Param(Holder):
    """A function's argument while its body is read: a model handed in is followed through
    it (spoiled when the body may change it), and as a value it `stands_for` what the code
    passes, its default, or an Unknown."""

    owner: Owner
    name: str
    stands_for: object


@dataclass(eq=False)
class Instance(Holder):
    """What calling a function or class of the file gave: changes to it spoil its owner,
    and using it as a value is `stands_for`, an Unknown naming the call."""

    owner: Owner
    stands_for: Unknown

    def spoil(self, error: CodeError) -> None:
        super().spoil(error)
        self.owner.spoil(error)


_SERIALS = itertools.count(1)


@dataclass(eq=False)
class LayerObj(Holder):
    """A layer built on its own (`conv = layers.Conv2D(32, 3)`), applied to tensors later."""

    call: ast.Call
    view: View
    uses: int = 0
    # Ties the layers of every use to one set of weights; unique among the objects of a read.
    serial: int = field(default_factory=lambda: next(_SERIALS))


@dataclass(eq=False)
class SeqModel(Holder):
    """A Sequential as its statements build it: the call, then model.add and model.build."""

    var: str
    call: ast.Call
    view: View
    adds: list[tuple[ast.expr, View]] = field(default_factory=list)
    builds: list[tuple[ast.Call, View]] = field(default_factory=list)
    applied: ast.AST | None = None  # where it is first applied to a tensor as a layer


@dataclass(eq=False)
class Built(Holder):
    """A model that is complete when its statement runs (keras.Model(inputs, outputs))."""

    line: int
    read: Callable[[], object]


@dataclass(eq=False)
class Found:
    """One model in the code: reading it also reports the first problem of the code that
    builds it (`problems`, in the order found) and any later change to it (`holders`)."""

    name: str
    line: int
    read: Callable[[], object]
    problems: list[CodeError]
    holders: tuple[Holder, ...] = ()

    def build(self) -> object:
        own: CodeError | None = None
        try:
            model = self.read()
        except CodeError as e:
            own, model = e, None
        first = earliest(own, *self.problems, *(h.poison for h in self.holders))
        if first is not None:
            raise first
        return model
