"""Learning-rate schedules as pure functions of the step, equal to torch.optim.lr_scheduler.

Each schedule is the closed form of the torch scheduler named beside it, evaluated at a
step, so resuming is exact and no scheduler object (nor its state) needs saving:
- step: StepLR(step_size=steps_per_epoch, gamma=0.7), stepped once per batch;
- cosine: CosineAnnealingLR(T_max=total, eta_min=0);
- onecycle: OneCycleLR(max_lr=lr, total_steps=total) with torch's defaults (pct_start 0.3,
  cosine annealing, div_factor 25, final_div_factor 1e4, momentum cycled 0.95 -> 0.85 -> 0.95
  on SGD's momentum or Adam's beta1).
"""

from __future__ import annotations

import math

from ..errors import UsageError

SCHEDULES = ("none", "step", "onecycle", "cosine")

ONECYCLE_PCT_START = 0.3  # torch.optim.lr_scheduler.OneCycleLR defaults
ONECYCLE_DIV = 25.0
ONECYCLE_FINAL_DIV = 1e4
ONECYCLE_BASE_MOMENTUM = 0.85
ONECYCLE_MAX_MOMENTUM = 0.95
STEP_GAMMA = 0.7  # per epoch, as the PyTorch MNIST example


def check(name: str) -> str:
    if name not in SCHEDULES:
        raise UsageError(f"unknown schedule '{name}'", f"choose one of {', '.join(SCHEDULES)}")
    return name


def _anneal_cos(start: float, end: float, pct: float) -> float:
    # The exact expression of OneCycleLR._annealing_cos, so the floats agree bit for bit.
    cos_out = math.cos(math.pi * pct) + 1
    return end + (start - end) / 2.0 * cos_out


def _onecycle(start_value: float, peak: float, end_value: float, step: int,
              total: int) -> float:
    """OneCycleLR's two-phase walk: start -> peak by step pct_start*total - 1, -> end."""
    phases = ((float(ONECYCLE_PCT_START * total) - 1, start_value, peak),
              (float(total - 1), peak, end_value))
    start_step = 0.0
    for i, (end_step, a, b) in enumerate(phases):
        if step <= end_step or i == len(phases) - 1:
            return _anneal_cos(a, b, (step - start_step) / (end_step - start_step))
        start_step = end_step
    raise AssertionError("unreachable")  # pragma: no cover


def lr_at(name: str, base: float, step: int, total: int, steps_per_epoch: int) -> float:
    """The learning rate for `step` (0-based) of a schedule planned over `total` steps."""
    if name == "none" or total <= 0:
        return base
    step = min(max(step, 0), total - 1)
    if name == "step":
        return base * STEP_GAMMA ** (step // max(steps_per_epoch, 1))
    if name == "cosine":
        return 0.0 + (base - 0.0) * (1 + math.cos(math.pi * step / total)) / 2
    initial = base / ONECYCLE_DIV
    return _onecycle(initial, base, initial / ONECYCLE_FINAL_DIV, step, total)


def momentum_at(name: str, step: int, total: int) -> float | None:
    """OneCycleLR's cycled momentum (beta1 for Adam) at `step`, or None if not cycled."""
    if name != "onecycle" or total <= 0:
        return None
    step = min(max(step, 0), total - 1)
    return _onecycle(ONECYCLE_MAX_MOMENTUM, ONECYCLE_BASE_MOMENTUM, ONECYCLE_MAX_MOMENTUM,
                     step, total)
