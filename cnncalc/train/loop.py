"""The training loop: MNIST in memory, index batching, resumable state, progress callbacks."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import torch
from torch import nn

from ..calc.shape import PYTORCH, Shape
from ..data import Mnist
from ..data import get as get_dataset
from ..errors import CheckpointError, ResourceError, TrainingError, UsageError
from . import checkpoint, optim, rundir, schedule
from .device import resolve_device, resolve_precision, tune_allocator
from .prep import (
    INITS,
    MEAN,
    STD,
    check_memory,
    evaluate_logits,
    init_weights,
    prepare_model,
    tensors,
)

OPTIMIZERS = optim.NAMES


@dataclass(frozen=True)
class TrainOptions:
    # Defaults for a user's own spec, with or without batch norm (presets bring their own).
    epochs: int = 2
    batch_size: int = 128
    lr: float = 0.003
    optimizer: str = "adamw"
    schedule: str = "onecycle"
    init: str = "default"
    seed: int = 0
    device: str = "auto"
    precision: str = "auto"
    limit_train: int | None = None
    weight_decay: float = 5e-4
    label_smoothing: float = 0.0
    dataset: str = "mnist"  # a name in cnncalc.data.DATASETS, recorded with the options

    def check(self) -> TrainOptions:
        if self.epochs < 1:
            raise UsageError(f"--epochs {self.epochs}: must be at least 1")
        if self.batch_size < 1:
            raise UsageError(f"--batch-size {self.batch_size}: must be at least 1")
        if not (self.lr > 0 and math.isfinite(self.lr)):
            raise UsageError(f"--lr {self.lr}: must be a positive number")
        opt = {"momentum": "sgd-momentum"}.get(self.optimizer, self.optimizer)
        if opt not in OPTIMIZERS:
            raise UsageError(f"unknown optimizer '{self.optimizer}'",
                             f"choose one of {', '.join(OPTIMIZERS)}")
        if self.init not in INITS:
            raise UsageError(f"unknown init '{self.init}'", f"choose one of {', '.join(INITS)}")
        if self.limit_train is not None and self.limit_train < 1:
            raise UsageError(f"--limit-train {self.limit_train}: must be at least 1")
        schedule.check(self.schedule)
        get_dataset(self.dataset)
        return replace(self, optimizer=opt)


class Reporter(Protocol):
    def start(self, info: dict[str, Any]) -> None: ...
    def epoch_start(self, epoch: int, epochs: int, steps: int, done: int) -> None: ...
    def step(self, done: int, loss: float, acc: float, images_per_s: float) -> None: ...
    def epoch_end(self, row: dict[str, Any]) -> None: ...


class SilentReporter:
    def start(self, info: dict[str, Any]) -> None: ...
    def epoch_start(self, epoch: int, epochs: int, steps: int, done: int) -> None: ...
    def step(self, done: int, loss: float, acc: float, images_per_s: float) -> None: ...
    def epoch_end(self, row: dict[str, Any]) -> None: ...


@dataclass
class TrainResult:
    history: list[dict[str, Any]]
    best_acc: float
    epoch: int
    interrupted: bool
    out: Path
    device: str
    precision: str


@dataclass
class _State:
    epoch: int = 0
    step_in_epoch: int = 0
    global_step: int = 0
    best_acc: float = -1.0
    history: list[dict[str, Any]] = field(default_factory=list)
    partial: dict[str, float] = field(default_factory=dict)  # running sums of an epoch
    plan: dict[str, int] = field(default_factory=dict)  # schedule segment


def _rng_state(device: torch.device) -> dict[str, Any]:
    state: dict[str, Any] = {"cpu": torch.get_rng_state()}
    if device.type == "cuda":
        state["cuda"] = torch.cuda.get_rng_state(device)
    return state


def _set_rng_state(state: dict[str, Any], device: torch.device) -> None:
    torch.set_rng_state(state["cpu"])
    if device.type == "cuda" and "cuda" in state:
        torch.cuda.set_rng_state(state["cuda"], device)


def train(spec: str, input_shape: Shape, options: TrainOptions, out: Path, data: Mnist,
          reporter: Reporter | None = None, should_stop: Callable[[], bool] = lambda: False,
          resume: dict[str, Any] | None = None, convention: str = PYTORCH) -> TrainResult:
    """Train, writing last.pt every epoch (and on interruption), best.pt and metrics.jsonl."""
    options = options.check()
    report = reporter or SilentReporter()
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise ResourceError(f"cannot create {out}: {e.strerror or e}") from None
    device = resolve_device(options.device)
    dtype = resolve_precision(options.precision, device)
    check_memory(spec, input_shape, options.batch_size, device, convention)
    if device.type == "cpu":
        tune_allocator()
    torch.manual_seed(options.seed)
    model, logits_model = prepare_model(spec, input_shape, convention)
    init_weights(model, options.init, options.seed)
    channels_last = device.type != "mps" and len(input_shape) == 3
    fmt = torch.channels_last if channels_last else torch.contiguous_format
    model.to(device=device, memory_format=fmt)  # type: ignore[call-overload]
    opt = optim.make(options.optimizer, model.parameters(), options.lr, options.weight_decay)

    x_train = tensors(data.train_images, input_shape, device)
    y_train = torch.from_numpy(data.train_labels.astype(np.int64)).to(device)
    if options.limit_train is not None and options.limit_train < len(x_train):
        keep = torch.randperm(len(x_train), generator=torch.Generator().manual_seed(
            options.seed))[:options.limit_train].to(device)
        x_train, y_train = x_train[keep], y_train[keep]
    x_test = tensors(data.test_images, input_shape, device).contiguous(memory_format=fmt)
    y_test = torch.from_numpy(data.test_labels.astype(np.int64)).to(device)
    n = len(x_train)
    bs = min(options.batch_size, n)
    steps_per_epoch = math.ceil(n / bs)

    state = _State(plan={"start": 0, "total": options.epochs * steps_per_epoch})
    if resume is not None:
        where = resume.get("path", "the checkpoint")
        checkpoint.restore(model, resume["model"], where)
        checkpoint.restore(opt, resume["optimizer"], where, "optimizer state")
        try:
            r = resume["state"]
            state = _State(int(r["epoch"]), int(r["step_in_epoch"]), int(r["global_step"]),
                           float(r["best_acc"]), list(resume.get("history", [])),
                           dict(r.get("partial", {})), dict(resume["scheduler"]["plan"]))
            _set_rng_state(resume["rng"], device)
        except (KeyError, TypeError, ValueError, RuntimeError) as e:
            raise CheckpointError(f"{where}: its training state is incomplete ({e})",
                                  "resume from another checkpoint or start a new run") from None
        planned_end = state.plan["start"] + state.plan["total"]
        if planned_end != options.epochs * steps_per_epoch:
            # --epochs changed: plan the schedule afresh over the steps that remain.
            state.plan = {"start": state.global_step,
                          "total": options.epochs * steps_per_epoch - state.global_step}
    report.start({"device": str(device), "precision": "bf16" if dtype else "fp32",
                  "train_images": n, "test_images": len(x_test), "steps_per_epoch": steps_per_epoch,
                  "epochs": options.epochs, "start_epoch": state.epoch})

    def snapshot() -> dict[str, Any]:
        return {
            "spec": spec, "input_shape": list(input_shape), "convention": convention,
            "options": asdict(options), "epoch": state.epoch, "model": model.state_dict(),
            "optimizer": opt.state_dict(),
            "scheduler": {"name": options.schedule, "plan": dict(state.plan),
                          "base_lr": options.lr},
            "rng": _rng_state(device),
            "state": {"epoch": state.epoch, "step_in_epoch": state.step_in_epoch,
                      "global_step": state.global_step, "best_acc": state.best_acc,
                      "partial": dict(state.partial)},
            "history": list(state.history),
            "normalisation": {"mean": MEAN, "std": STD},
        }

    interrupted = False
    logits_model.train()
    while state.epoch < options.epochs and not interrupted:
        perm = torch.randperm(n, generator=torch.Generator().manual_seed(
            options.seed * 1_000_003 + state.epoch)).to(device)
        report.epoch_start(state.epoch + 1, options.epochs, steps_per_epoch, state.step_in_epoch)
        sums = {"loss": 0.0, "correct": 0.0, "seen": 0.0, "seconds": 0.0, **state.partial}
        loss_acc = torch.zeros((), device=device)
        correct_acc = torch.zeros((), device=device, dtype=torch.long)
        seen = 0
        t0 = time.perf_counter()
        logits_model.train()
        for i in range(state.step_in_epoch, steps_per_epoch):
            idx = perm[i * bs:(i + 1) * bs]
            xb = x_train[idx]
            yb = y_train[idx]
            lr = schedule.lr_at(options.schedule, options.lr,
                                state.global_step - state.plan["start"], state.plan["total"],
                                steps_per_epoch)
            for group in opt.param_groups:
                group["lr"] = lr
            with torch.autocast(device.type, dtype=dtype or torch.float32,
                                enabled=dtype is not None):
                out_b = logits_model(xb)
            loss = nn.functional.cross_entropy(out_b.float(), yb,
                                               label_smoothing=options.label_smoothing)
            opt.zero_grad(set_to_none=True)
            loss.backward()  # type: ignore[no-untyped-call]
            opt.step()
            state.global_step += 1
            state.step_in_epoch = i + 1
            loss_acc += loss.detach() * len(idx)
            correct_acc += (out_b.detach().argmax(1) == yb).sum()
            seen += len(idx)
            if state.step_in_epoch % 20 == 0 or state.step_in_epoch == steps_per_epoch:
                elapsed = sums["seconds"] + time.perf_counter() - t0
                tot_seen = sums["seen"] + seen
                running = float(loss_acc)
                if not math.isfinite(running):
                    raise TrainingError(
                        f"training diverged: the loss became {running} in epoch "
                        f"{state.epoch + 1}, step {state.step_in_epoch} (lr {lr:g})",
                        "lower --lr, or try --optimizer adamw; the last good checkpoint is "
                        "kept")
                report.step(state.step_in_epoch,
                            (sums["loss"] + running) / tot_seen,
                            (sums["correct"] + int(correct_acc)) / tot_seen,
                            tot_seen / max(elapsed, 1e-9))
            if should_stop() and state.step_in_epoch < steps_per_epoch:
                interrupted = True
                break
        sums["loss"] += float(loss_acc)
        sums["correct"] += int(correct_acc)
        sums["seen"] += seen
        sums["seconds"] += time.perf_counter() - t0
        if interrupted:
            state.partial = sums
            checkpoint.save(out / rundir.LAST, snapshot())
            break
        logits = evaluate_logits(logits_model, x_test, dtype)
        test_loss = float(nn.functional.cross_entropy(logits, y_test))
        test_acc = float((logits.argmax(1) == y_test).float().mean())
        logits_model.train()
        row = {
            "epoch": state.epoch + 1,
            "train_loss": sums["loss"] / max(sums["seen"], 1),
            "train_acc": sums["correct"] / max(sums["seen"], 1),
            "test_loss": test_loss, "test_acc": test_acc,
            "seconds": sums["seconds"], "images_per_s": sums["seen"] / max(sums["seconds"], 1e-9),
            "lr": opt.param_groups[0]["lr"],
        }
        state.history.append(row)
        state.epoch += 1
        state.step_in_epoch = 0
        state.partial = {}
        improved = test_acc > state.best_acc
        if improved:
            state.best_acc = test_acc
        snap = snapshot()
        checkpoint.save(out / rundir.LAST, snap)
        if improved:
            checkpoint.save(out / rundir.BEST, snap)
        rundir.write_metrics(out, state.history)
        report.epoch_end(row)
        if should_stop() and state.epoch < options.epochs:
            interrupted = True
    return TrainResult(state.history, state.best_acc, state.epoch, interrupted, out,
                       str(device), "bf16" if dtype else "fp32")
