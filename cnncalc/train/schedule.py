"""Learning-rate schedules as pure functions of the step, so resuming is exact."""

from __future__ import annotations

import math

from ..errors import UsageError

SCHEDULES = ("none", "step", "onecycle", "cosine")

ONECYCLE_WARMUP = 0.25  # share of steps spent warming up, as PyTorch's OneCycleLR default
ONECYCLE_DIV = 25.0  # start at lr/25
ONECYCLE_FINAL_DIV = 1e4  # end at lr/25/1e4
STEP_GAMMA = 0.7  # per epoch, as the PyTorch MNIST example


def check(name: str) -> str:
    if name not in SCHEDULES:
        raise UsageError(f"unknown schedule '{name}'", f"choose one of {', '.join(SCHEDULES)}")
    return name


def _cos(start: float, end: float, frac: float) -> float:
    return end + (start - end) * (1 + math.cos(math.pi * frac)) / 2


def lr_at(name: str, base: float, step: int, total: int, steps_per_epoch: int) -> float:
    """The learning rate for `step` (0-based) of a schedule planned over `total` steps."""
    if name == "none" or total <= 0:
        return base
    step = min(step, total - 1)
    if name == "step":
        return base * STEP_GAMMA ** (step // max(steps_per_epoch, 1))
    if name == "cosine":
        return _cos(base, 0.0, step / max(total - 1, 1))
    warm = max(int(ONECYCLE_WARMUP * total), 1)
    low = base / ONECYCLE_DIV
    if step < warm:
        return _cos(low, base, step / warm)
    return _cos(base, low / ONECYCLE_FINAL_DIV, (step - warm) / max(total - 1 - warm, 1))
