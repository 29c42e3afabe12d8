"""Shapes and conventions: parsing `CxHxW`, formatting shapes as PyTorch or Keras print them."""

from __future__ import annotations

import re

from ..errors import UsageError

Shape = tuple[int, ...]
"""(C, H, W) for feature maps or (N,) for flat vectors, batch dimension excluded."""

PYTORCH = "pytorch"
KERAS = "keras"
CONVENTIONS = {"pytorch": PYTORCH, "torch": PYTORCH, "keras": KERAS, "tf": KERAS,
               "tensorflow": KERAS}


def parse_convention(text: str) -> str:
    try:
        return CONVENTIONS[text.lower()]
    except KeyError:
        raise UsageError(f"unknown convention '{text}'",
                         "choose pytorch (default) or keras (alias tf)") from None


def parse_shape(text: str) -> Shape:
    """`1x28x28` (CxHxW), `28x28` (one channel), `28` (1x28x28) or `784` with a trailing
    comma-free `N` for a flat vector written as `flat:784`."""
    raw = text.strip().lower().replace("×", "x").replace(",", "x").replace("*", "x")
    if raw.startswith("flat:"):
        body = raw[5:]
        if body.isdigit() and int(body) > 0:
            return (int(body),)
        raise UsageError(f"bad flat input '{text}'", "write it as flat:784")
    parts = [p.strip() for p in raw.split("x")]
    if not parts or not all(re.fullmatch(r"\d+", p) for p in parts) or len(parts) > 3:
        raise UsageError(f"bad input shape '{text}'",
                         "write it as CxHxW, e.g. 1x28x28 or 3x224x224 (HxW means one channel)")
    dims = tuple(int(p) for p in parts)
    if min(dims) < 1:
        raise UsageError(f"bad input shape '{text}': every dimension must be at least 1")
    if len(dims) == 1:
        return (1, dims[0], dims[0])
    if len(dims) == 2:
        return (1, dims[0], dims[1])
    return dims


def numel(shape: Shape) -> int:
    n = 1
    for d in shape:
        n *= d
    return n


def format_shape(shape: Shape, convention: str = PYTORCH) -> str:
    if convention == KERAS:
        dims = (shape[1], shape[2], shape[0]) if len(shape) == 3 else shape
        return "(None, " + ", ".join(str(d) for d in dims) + ")"
    return "x".join(str(d) for d in shape)
