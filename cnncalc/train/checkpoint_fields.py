"""The fields a checkpoint's readers use, checked by type, range and agreement before any work.

checkpoint.validate calls these on every load, so evaluate, predict, visualize, export and
resume all refuse a crafted or damaged value at once, in one line naming the field, instead
of failing after an epoch of training or printing an accuracy computed from NaN. Checksums
prove a file is the one written; these prove that what it says can be used.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeGuard

import torch

from ..errors import CheckpointError

LAYOUTS = (1, 2)  # model_layout: 1, bare layers beside a normalisation; 2, prep + layers
MAX_MEAN = 1e6  # |normalisation mean|: pixels are 0..1, so any real mean is far inside
STD_RANGE = (1e-6, 1e6)  # a smaller std turns every pixel into inf or NaN
# History columns cnncalc writes and shows, with the values each may take.
ACCURACIES = ("train_acc", "val_acc", "test_acc")
NON_NEGATIVE = ("train_loss", "val_loss", "test_loss", "seconds", "images_per_s", "lr")
PARTIAL_SUMS = ("loss", "correct", "seen", "seconds")  # a mid-epoch position's running sums


def fail(p: Path, what: str) -> CheckpointError:
    return CheckpointError(f"{p}: damaged checkpoint ({what})",
                           "use another checkpoint, or train again")


def is_int(v: Any) -> TypeGuard[int]:
    return isinstance(v, int) and not isinstance(v, bool)


def is_number(v: Any) -> TypeGuard[float]:
    """A finite int or float (not a bool)."""
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def shown(v: Any) -> str:
    return repr(v)[:30]


def _finite_tensors(p: Path, tensors: Mapping[Any, Any], where: str) -> None:
    for name, t in tensors.items():
        if not isinstance(t, torch.Tensor) or not (t.is_floating_point() or t.is_complex()):
            continue
        try:
            finite = bool(torch.isfinite(t).all())
        except (RuntimeError, NotImplementedError, TypeError):  # a sparse or exotic layout
            raise fail(p, f"{where} {str(name)[:60]} is not a plain tensor") from None
        if not finite:
            raise fail(p, f"{where} {str(name)[:60]} holds NaN or infinite values")


def _normalisation(p: Path, mean: Any, std: Any, names: tuple[str, str]) -> None:
    """Finite, and a std that cannot turn a pixel into inf (prep.std 0 evaluated silently to
    a 9.80% accuracy and a NaN loss)."""
    values = []
    for name, v in zip(names, (mean, std)):
        if isinstance(v, torch.Tensor):
            if v.numel() != 1:
                raise fail(p, f"{name} is a tensor of {v.numel()} values, not one number")
            v = v.item()  # a complex value is then refused below
        if not is_number(v):
            raise fail(p, f"{name} {shown(v)} is not a finite number")
        values.append(float(v))
    low, high = STD_RANGE
    if abs(values[0]) > MAX_MEAN:
        raise fail(p, f"{names[0]} {values[0]:g} is not a mean of pixels (at most "
                      f"{MAX_MEAN:g} in size)")
    if not low <= values[1] <= high:
        raise fail(p, f"{names[1]} {values[1]:g} is not a usable standard deviation (from "
                      f"{low:g} to {high:g})")


def check_model(p: Path, data: Mapping[str, Any]) -> None:
    """The weights and the normalisation every reader builds the model from."""
    layout = data.get("model_layout", 1)
    if not is_int(layout) or layout not in LAYOUTS:
        raise fail(p, f"model_layout {shown(layout)} is not one of 1, 2")
    model = data["model"]
    if layout >= 2:
        if "prep.mean" in model or "prep.std" in model:
            _normalisation(p, model.get("prep.mean"), model.get("prep.std"),
                           ("prep.mean", "prep.std"))
    elif "normalisation" in data:
        norm = data["normalisation"]
        if not isinstance(norm, dict):
            raise fail(p, "its normalisation is not a record")
        _normalisation(p, norm.get("mean"), norm.get("std"),
                       ("normalisation mean", "normalisation std"))
    _finite_tensors(p, model, "weight")


def check_history_values(p: Path, history: list[dict[str, Any]]) -> None:
    """The columns cnncalc writes hold what it writes: an epoch number, accuracies from 0 to
    1, non-negative finite losses and rates (a text there failed after a trained epoch)."""
    for n, row in enumerate(history, 1):
        epoch = row.get("epoch", n)
        if not is_int(epoch) or epoch < 1:
            raise fail(p, f"history row {n}: epoch {shown(epoch)} is not an epoch number")
        for key in ACCURACIES:
            if key in row and not (is_number(row[key]) and 0 <= row[key] <= 1):
                raise fail(p, f"history row {n}: {key} {shown(row[key])} is not an accuracy "
                              "from 0 to 1")
        for key in NON_NEGATIVE:
            if key in row and not (is_number(row[key]) and row[key] >= 0):
                raise fail(p, f"history row {n}: {key} {shown(row[key])} is not a finite "
                              "number of at least 0")


def _check_position(p: Path, state: dict[str, Any], history: list[Any] | None) -> None:
    epoch = state["epoch"]
    best_epoch = state.get("best_epoch", 0)
    if not is_int(best_epoch) or not 0 <= best_epoch <= epoch:
        raise fail(p, f"state best_epoch {shown(best_epoch)} is not an epoch from 0 to its "
                      f"epoch {epoch}")
    rows = history if history is not None else []
    if best_epoch > len(rows):  # the best epoch's row is read when the run ends
        raise fail(p, f"state best_epoch {best_epoch} names an epoch its history of "
                      f"{len(rows)} rows does not hold")
    if history is not None and len(history) != epoch:
        raise fail(p, f"its history holds {len(history)} epochs but its state is at epoch "
                      f"{epoch}")
    for n, row in enumerate(rows, 1):
        if row.get("epoch", n) != n:
            raise fail(p, f"history row {n} is epoch {shown(row.get('epoch'))}, not {n}")
    best_acc = state["best_acc"]
    if best_acc != -1 and not 0 <= best_acc <= 1:
        raise fail(p, f"state best_acc {best_acc:g} is not an accuracy from 0 to 1 (or -1)")
    partial = state.get("partial", {})
    if not isinstance(partial, dict):
        raise fail(p, "state partial is not a record")
    for key, value in partial.items():
        if key not in PARTIAL_SUMS:
            raise fail(p, f"state partial holds {shown(key)}, not one of "
                          f"{', '.join(PARTIAL_SUMS)}")
        if not (is_number(value) and value >= 0):
            raise fail(p, f"state partial {key} {shown(value)} is not a finite number of at "
                          "least 0")


def _check_plan(p: Path, data: Mapping[str, Any], global_step: int) -> None:
    scheduler = data.get("scheduler")
    plan = scheduler.get("plan") if isinstance(scheduler, dict) else None
    if not isinstance(plan, dict):
        raise fail(p, "its scheduler plan is missing")
    for key in ("start", "total"):
        v = plan.get(key)
        if not is_int(v) or not 0 <= v < 1 << 40:
            raise fail(p, f"scheduler plan {key} {shown(v)} is not a count")
    if plan["start"] > global_step:
        raise fail(p, f"scheduler plan start {plan['start']} is after its step {global_step}")


def _check_rng(p: Path, data: Mapping[str, Any]) -> None:
    rng = data.get("rng")
    if not isinstance(rng, dict) or "cpu" not in rng:
        raise fail(p, "its random-number state is missing")
    size = torch.get_rng_state().numel()
    for key, t in rng.items():
        if not isinstance(t, torch.Tensor) or t.dtype != torch.uint8 or t.dim() != 1 or (
                key == "cpu" and t.numel() != size):
            raise fail(p, f"rng {str(key)[:20]} is not a generator state"
                          + (f" of {size:,} bytes" if key == "cpu" else ""))


# The optimizer settings cnncalc's update rules read, and what each must be.
_NUMBERS = ("lr", "eps", "weight_decay", "momentum", "dampening", "rho")
_FLAGS = ("nesterov", "amsgrad", "maximize", "decoupled_weight_decay", "capturable",
          "differentiable")
_OPTIONAL_FLAGS = ("foreach", "fused")


def _check_setting(p: Path, key: str, value: Any, where: str) -> None:
    if key in _NUMBERS and not (is_number(value) and value >= 0):
        raise fail(p, f"{where} {key} {shown(value)} is not a finite number of at least 0")
    if key == "betas" and not (isinstance(value, (list, tuple)) and len(value) == 2 and all(
            is_number(b) and 0 <= b < 1 for b in value)):
        raise fail(p, f"{where} betas {shown(value)} is not two numbers from 0 to 1")
    if key in _FLAGS and not isinstance(value, bool):
        raise fail(p, f"{where} {key} {shown(value)} is not true or false")
    if key in _OPTIONAL_FLAGS and value is not None and not isinstance(value, bool):
        raise fail(p, f"{where} {key} {shown(value)} is not true, false or None")


def _check_optimizer(p: Path, data: Mapping[str, Any]) -> None:
    opt = data.get("optimizer")
    if not isinstance(opt, dict):
        raise fail(p, "its optimizer state is missing")
    groups = opt.get("param_groups")
    if groups is not None:
        if not isinstance(groups, list) or not all(isinstance(g, dict) for g in groups):
            raise fail(p, "optimizer param_groups is not a list of records")
        for i, group in enumerate(groups):
            for key, value in group.items():
                _check_setting(p, str(key), value, f"optimizer group {i}")
    state = opt.get("state", {})
    if not isinstance(state, dict):
        raise fail(p, "optimizer state is not a record")
    for key, entry in state.items():
        if isinstance(entry, dict):
            _finite_tensors(p, entry, f"optimizer state {str(key)[:20]}")
        elif isinstance(entry, (list, tuple)):  # the former format: a list per buffer
            _finite_tensors(p, dict(enumerate(entry)), f"optimizer state {str(key)[:20]}")


def _check_scaler(p: Path, data: Mapping[str, Any]) -> None:
    if "scaler" not in data:
        return
    scaler = data["scaler"]
    if not isinstance(scaler, dict) or not all(
            is_number(v) for v in scaler.values() if not isinstance(v, bool)):
        raise fail(p, "its gradient-scaler state is not a record of finite numbers")
    scale = scaler.get("scale", 1.0)
    if not (is_number(scale) and scale > 0):
        raise fail(p, f"scaler scale {shown(scale)} is not a positive number")


def check_resume(p: Path, data: Mapping[str, Any]) -> None:
    """What resuming reads, beyond the weights: the position (epoch, best epoch, mid-epoch
    sums) agreeing with the history, the schedule's plan, the random-number state, the
    optimizer's and the gradient scaler's state."""
    state = data["state"]
    _check_position(p, state, data.get("history"))
    _check_plan(p, data, state["global_step"])
    _check_rng(p, data)
    _check_optimizer(p, data)
    _check_scaler(p, data)
