"""What every reader hands the calculator: a model ready to compute, and how its input shape
was decided."""

from __future__ import annotations

from ..ops.shape import Shape
from ..records import record
from ..spec import Node


@record
class Resolved:
    """A model ready for the calculator, and how its input shape was decided."""

    nodes: tuple[Node, ...]
    spec: str  # the model in cnncalc's spec language
    shape: Shape
    convention: str
    title: str  # table title: preset or model name, and how the input was read ('' if plain)
    dialect: str | None  # 'pytorch' / 'keras' when library classes were used
    input_note: str  # how the input shape was read
    init: str | None = None  # the trainer's --init scheme the code's initialisation is
    init_note: str = ""  # the code's own initialisation, described, when it has one
    notes: tuple[str, ...] = ()  # what the reader assumed (also in the title), for output
    # formats that have no title
    # A model with several inputs: each one's name and shape, in the order the model takes
    # them (`shape` is then the first's). Empty for a model with one input.
    inputs: tuple[tuple[str, Shape], ...] = ()
