"""The layer vocabulary: names, aliases and parameters of every kind the spec language knows.

Each kind is defined with its op family in cnncalc.ops; this is the vocabulary's view of
that registry, for the spec parser and `cnncalc layers`.
"""

from __future__ import annotations

from typing import Final

from .ops import OPS
from .ops.signature import (
    BOOL,
    CHOICE,
    DIMS,
    FLOAT,
    INT,
    MAX_PAD,
    PADDING,
    PAIR,
    PROB,
    REQUIRED,
    SAME_AS_KERNEL,
    SIZE,
    LayerDef,
    Param,
    aliases,
    lookup,
)

LAYERS: Final[dict[str, LayerDef]] = {kind: op.signature for kind, op in OPS.items()}
ALIASES: Final[dict[str, str]] = aliases()

__all__ = ["ALIASES", "BOOL", "CHOICE", "DIMS", "FLOAT", "INT", "LAYERS", "MAX_PAD", "PADDING",
           "PAIR", "PROB", "REQUIRED", "SAME_AS_KERNEL", "SIZE", "LayerDef", "Param", "lookup"]
