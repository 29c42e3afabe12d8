"""Which input makes every size the code declares fit: found by running the calculator itself."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

from ..errors import LayerError
from ..ir.graph import Graph
from ..ops.shape import Shape

BUDGET_S = 0.5  # wall time one search may take, however large the model
MAX_TRIES = 2048  # candidate inputs one search may try
MAX_SIDE = 4096  # the largest side a candidate may have


def _declared_input(graph: Graph) -> tuple[int | None, int | None]:
    """The input channels, or flat features, that the layers reading the input declare."""
    channels = features = None
    for node in graph.nodes:
        if node.layer is None or node.inputs != (0,) or not node.layer.declared:
            continue
        said = dict(node.layer.declared)
        if "channels" in said and said.get("rank", 3) == 3 and node.layer.kind != "bn":
            channels = said["channels"]
        elif "features" in said and node.layer.kind == "fc":
            features = said["features"]
    return channels, features


def _candidates(shape: Shape, channels: int | None) -> Iterator[Shape]:
    """The declared channels on the same H and W first, then inputs 1, 2, 3, ... pixels
    away, smaller before larger: H and W moved together, and (when H differs from W) square
    inputs around their mean."""
    c = channels if channels is not None else shape[0]
    h, w = shape[1], shape[2]
    if c != shape[0]:
        yield (c, h, w)
    mean = (h + w) // 2
    for d in range(0, MAX_SIDE):
        near = [(h - d, w - d), (h + d, w + d)] if d else []
        if h != w:
            near += [(mean - d, mean - d), (mean + d, mean + d)] if d else [(mean, mean)]
        sizes = [(a, b) for a, b in near if 1 <= min(a, b) and max(a, b) <= MAX_SIDE]
        if d and not sizes:
            return
        yield from ((c, a, b) for a, b in sizes)


def _tiles(notes: tuple[str, ...]) -> bool:
    """Whether no window leaves input pixels unread (the layers' notes say where one does)."""
    return not any("never read" in note or "hangs over" in note for note in notes)


def fitting_input(graph: Graph, shape: Shape, run: Callable[[Shape], tuple[str, ...]],
                  budget_s: float = BUDGET_S) -> Shape | None:
    """An input near `shape` on which the whole model runs, every declared size included;
    None where none is found within the budget. `run` is the calculator on one input: it
    returns the layers' notes, or raises LayerError where the input does not fit. Windows
    that read every pixel are preferred to a nearer input that leaves some unread, within
    twice the nearer one's distance."""
    channels, features = _declared_input(graph)
    if len(shape) != 3:
        if features is None or (features,) == shape:
            return None
        candidates: Iterator[Shape] = iter([(features,)])
    else:
        candidates = _candidates(shape, channels)
    deadline = time.monotonic() + budget_s
    first: tuple[Shape, int] | None = None
    for tries, candidate in enumerate(candidates):
        if tries >= MAX_TRIES or time.monotonic() > deadline:
            break
        distance = max(abs(a - b) for a, b in zip(candidate[1:], shape[1:], strict=True)) \
            if len(candidate) == 3 else 0
        if first is not None and distance > 2 * max(first[1], 1):
            break
        try:
            notes = run(candidate)
        except LayerError:
            continue  # this candidate does not fit: the next one is tried
        if _tiles(notes):
            return candidate
        if first is None:
            first = (candidate, distance)
    return first[0] if first is not None else None
