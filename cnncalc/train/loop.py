"""The training loop: MNIST in memory, index batching, resumable state, progress callbacks."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import torch
from torch import nn

from ..data import Mnist
from ..errors import CheckpointError, ResourceError, TrainingError, UsageError
from ..ops.shape import PYTORCH, Shape
from . import checkpoint, distributed, optim, rundir, schedule, upgrade
from .device import resolve_device, resolve_precision, tune_allocator
from .options import OPTIMIZERS as OPTIMIZERS  # re-exported: the API's names, as before
from .options import TrainOptions as TrainOptions
from .options import check_compile, check_world, val_size
from .prep import (
    MEAN,
    STD,
    check_memory,
    evaluate_logits,
    init_weights,
    prepare_model,
    tensors,
)

# 2: the model is prep (Normalize: padding, normalisation) + layers; 1: layers alone, keys
# "0.weight", with the normalisation beside it in the checkpoint.
MODEL_LAYOUT = 2
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
    best_acc: float  # the validation accuracy that chose best.pt (-1 without a split)
    epoch: int
    interrupted: bool
    out: Path
    device: str
    precision: str
    best_epoch: int = 0
    stopped_early: bool = False
    model: nn.Module | None = None  # the trained model (every process has the same)


@dataclass
class _State:
    epoch: int = 0
    step_in_epoch: int = 0
    global_step: int = 0
    best_acc: float = -1.0
    history: list[dict[str, Any]] = field(default_factory=list)
    partial: dict[str, float] = field(default_factory=dict)  # running sums of an epoch
    plan: dict[str, int] = field(default_factory=dict)  # schedule segment
    best_epoch: int = 0


def _rng_state(device: torch.device) -> dict[str, Any]:
    state: dict[str, Any] = {"cpu": torch.get_rng_state()}
    if device.type == "cuda":
        state["cuda"] = torch.cuda.get_rng_state(device)
    return state


def _set_rng_state(state: dict[str, Any], device: torch.device) -> None:
    torch.set_rng_state(state["cpu"])
    if device.type == "cuda" and "cuda" in state:
        torch.cuda.set_rng_state(state["cuda"], device)


def mix_seed(base: int, offset: int) -> int:
    """A seed derived from --seed, kept inside the 64 bits torch's generators accept (any
    --seed up to 2**63-1 then works; small seeds give the same numbers as before)."""
    return (base + offset) % 2**64


def split_indices(n: int, val_split: int | None, seed: int
                  ) -> tuple[torch.Tensor, torch.Tensor]:
    """(training indices, validation indices): a seeded shuffle of the training set, whose
    first `val_split` images are held out. The same seed gives the same split on resume."""
    val_split = val_size(val_split, n)
    if val_split >= n:
        raise UsageError(f"--val-split {val_split} leaves no training images (the training "
                         f"set has {n:,})", f"use a --val-split below {n:,}, or 0 for none")
    order = torch.randperm(n, generator=torch.Generator().manual_seed(mix_seed(seed, 7_919)))
    return order[val_split:], order[:val_split]


@torch.inference_mode()
def _scores(model: nn.Module, x: torch.Tensor, y: torch.Tensor, dtype: torch.dtype | None,
            ranks: distributed.Ranks) -> tuple[float, float]:
    """(mean loss, accuracy) over x, each process scoring its share, then summed."""
    xs, ys = x[ranks.rank::ranks.world], y[ranks.rank::ranks.world]
    if len(xs):
        logits = evaluate_logits(model, xs, dtype)
        loss = float(nn.functional.cross_entropy(logits, ys, reduction="sum"))
        correct = float((logits.argmax(1) == ys).sum())
    else:
        loss = correct = 0.0
    loss, correct = distributed.all_sum(ranks, [loss, correct], x.device)
    return loss / max(len(x), 1), correct / max(len(x), 1)


def _amp(device: torch.device, dtype: torch.dtype | None) -> Any:
    return torch.autocast(device.type, dtype=dtype or torch.float32, enabled=dtype is not None)


def train(spec: str, input_shape: Shape, options: TrainOptions, out: Path, data: Mnist,
          reporter: Reporter | None = None, should_stop: Callable[[], bool] = lambda: False,
          resume: dict[str, Any] | None = None, convention: str = PYTORCH,
          ranks: distributed.Ranks = distributed.SINGLE) -> TrainResult:
    """Train, writing last.pt every epoch (and on interruption), best.pt and metrics.jsonl.

    best.pt is the epoch with the best validation accuracy (the test set is only reported).
    Under torchrun every process calls this; only rank 0 writes `out`. When another process
    dies, the exchange with it fails: that is a TrainingError saying so, and how to resume.
    """
    try:
        return _train(spec, input_shape, options, out, data, reporter, should_stop, resume,
                      convention, ranks)
    except RuntimeError as e:
        lost = distributed.peer_lost(ranks, e, out)
        if lost is None:
            raise
        raise lost from None


def _train(spec: str, input_shape: Shape, options: TrainOptions, out: Path, data: Mnist,
           reporter: Reporter | None, should_stop: Callable[[], bool],
           resume: dict[str, Any] | None, convention: str,
           ranks: distributed.Ranks) -> TrainResult:
    options = options.check()
    check_world(options, ranks)
    report = reporter if (reporter is not None and ranks.main) else SilentReporter()
    if ranks.main:
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise ResourceError(f"cannot create {out}: {e.strerror or e}") from None
    device = resolve_device(distributed.device_name(ranks, options.device))
    dtype = resolve_precision(options.precision, device)
    check_compile(options, device)
    check_memory(spec, input_shape, options.batch_size, device, convention)
    if device.type == "cpu":
        tune_allocator()
    distributed.init(ranks, device)
    torch.manual_seed(options.seed)
    model, logits_model = prepare_model(spec, input_shape, convention)
    init_weights(model, options.init, options.seed)
    channels_last = device.type != "mps" and len(input_shape) == 3
    fmt = torch.channels_last if channels_last else torch.contiguous_format
    model.to(device=device, memory_format=fmt)  # type: ignore[call-overload]
    opt = optim.make(options.optimizer, model.parameters(), options.lr, options.weight_decay)
    scaler = torch.amp.GradScaler(device.type, enabled=dtype == torch.float16)
    cycle_momentum = "betas" in opt.group or bool(opt.group.get("momentum"))

    x_all = tensors(data.train_images, input_shape, device)
    y_all = torch.from_numpy(data.train_labels.astype(np.int64)).to(device)
    train_idx, val_idx = split_indices(len(x_all), options.val_split, options.seed)
    x_val = x_all[val_idx.to(device)].contiguous(memory_format=fmt)
    y_val = y_all[val_idx.to(device)]
    if options.limit_train is not None and options.limit_train < len(train_idx):
        keep = torch.randperm(len(train_idx), generator=torch.Generator().manual_seed(
            options.seed))[:options.limit_train]
        train_idx = train_idx[keep]
    x_train, y_train = x_all[train_idx.to(device)], y_all[train_idx.to(device)]
    del x_all, y_all
    x_test = tensors(data.test_images, input_shape, device).contiguous(memory_format=fmt)
    y_test = torch.from_numpy(data.test_labels.astype(np.int64)).to(device)
    n = len(x_train)
    bs = min(options.batch_size, n)
    steps_per_epoch = math.ceil(n / bs)
    if 0 < n % bs < ranks.world and steps_per_epoch > 1:
        # A last batch smaller than the number of processes would leave one with no images
        # (batch norm statistics of nothing): the previous batch takes them instead.
        steps_per_epoch -= 1

    state = _State(plan={"start": 0, "total": options.epochs * steps_per_epoch})
    if resume is not None:
        where = resume.get("path", "the checkpoint")
        checkpoint.restore(model, upgrade.model_state(resume, where), where)
        checkpoint.restore(opt, upgrade.optimizer_state(
            resume, opt.state_dict()["param_groups"][0], where), where, "optimizer state")
        try:
            r = resume["state"]
            state = _State(int(r["epoch"]), int(r["step_in_epoch"]), int(r["global_step"]),
                           float(r["best_acc"]), list(resume.get("history", [])),
                           dict(r.get("partial", {})), dict(resume["scheduler"]["plan"]),
                           int(r.get("best_epoch", 0)))
            _set_rng_state(resume["rng"], device)
            if "scaler" in resume and scaler.is_enabled():
                scaler.load_state_dict(resume["scaler"])
        except (KeyError, TypeError, ValueError, RuntimeError) as e:
            raise CheckpointError(f"{where}: its training state is incomplete ({e})",
                                  "resume from another checkpoint or start a new run") from None
        if "split" not in resume:  # an older run chose best.pt on the test set: start over
            state.best_acc, state.best_epoch = -1.0, 0
        planned_end = state.plan["start"] + state.plan["total"]
        if planned_end != options.epochs * steps_per_epoch:
            # --epochs changed: plan the schedule afresh over the steps that remain.
            state.plan = {"start": state.global_step,
                          "total": options.epochs * steps_per_epoch - state.global_step}
    if ranks.rank:  # dropout differs between processes; rank 0 keeps the 1-process stream
        torch.manual_seed(mix_seed(options.seed + 1_000_003 * ranks.rank, state.global_step))

    step_model: nn.Module = logits_model
    if ranks.active:
        from torch.nn.parallel import DistributedDataParallel

        step_model = DistributedDataParallel(
            logits_model, device_ids=[device.index] if device.type == "cuda" else None)
    if options.compile:
        step_model = torch.compile(step_model)  # type: ignore[assignment]
    precision = {torch.bfloat16: "bf16", torch.float16: "fp16"}[dtype] if dtype else "fp32"
    report.start({"device": str(device), "precision": precision,
                  "train_images": n, "val_images": len(x_val), "test_images": len(x_test),
                  "steps_per_epoch": steps_per_epoch, "epochs": options.epochs,
                  "start_epoch": state.epoch, "world_size": ranks.world})

    def snapshot() -> dict[str, Any]:
        return {
            "spec": spec, "input_shape": list(input_shape), "convention": convention,
            "options": asdict(options), "epoch": state.epoch, "model": model.state_dict(),
            "model_layout": MODEL_LAYOUT,
            "optimizer": opt.state_dict(), "optimizer_class": optim.torch_class(opt.name),
            "scheduler": {"name": options.schedule, "plan": dict(state.plan),
                          "base_lr": options.lr},
            "rng": _rng_state(device),
            "state": {"epoch": state.epoch, "step_in_epoch": state.step_in_epoch,
                      "global_step": state.global_step, "best_acc": state.best_acc,
                      "best_epoch": state.best_epoch, "partial": dict(state.partial)},
            "history": list(state.history),
            "normalisation": {"mean": MEAN, "std": STD},
            "split": {"val_images": len(x_val), "train_images": n, "seed": options.seed},
            "world_size": ranks.world,
            **({"scaler": scaler.state_dict()} if scaler.is_enabled() else {}),
        }

    def save(name: str, snap: dict[str, Any]) -> None:
        if ranks.main:
            checkpoint.save(out / name, snap)

    interrupted = stopped_early = False
    while state.epoch < options.epochs and not interrupted:
        perm = torch.randperm(n, generator=torch.Generator().manual_seed(
            mix_seed(options.seed * 1_000_003, state.epoch))).to(device)
        report.epoch_start(state.epoch + 1, options.epochs, steps_per_epoch, state.step_in_epoch)
        sums = {"loss": 0.0, "correct": 0.0, "seen": 0.0, "seconds": 0.0, **state.partial}
        loss_acc = torch.zeros((), device=device)
        correct_acc = torch.zeros((), device=device, dtype=torch.long)
        seen = 0
        t0 = time.perf_counter()
        logits_model.train()
        for i in range(state.step_in_epoch, steps_per_epoch):
            end = n if i == steps_per_epoch - 1 else (i + 1) * bs
            batch = perm[i * bs:end]  # the global batch, sharded between processes
            idx = batch[ranks.rank::ranks.world]
            xb = x_train[idx]
            yb = y_train[idx]
            at = state.global_step - state.plan["start"]
            lr = schedule.lr_at(options.schedule, options.lr, at, state.plan["total"],
                                steps_per_epoch)
            opt.group["lr"] = lr
            momentum = schedule.momentum_at(options.schedule, at, state.plan["total"])
            if momentum is not None and cycle_momentum:
                if "betas" in opt.group:
                    opt.group["betas"] = (momentum, opt.group["betas"][1])
                else:
                    opt.group["momentum"] = momentum
            with _amp(device, dtype):
                out_b = step_model(xb)
            # Summed over this process's share, over the global batch: the average that
            # DistributedDataParallel takes of the gradients is then the one-process gradient.
            loss_sum = nn.functional.cross_entropy(out_b.float(), yb, reduction="sum",
                                                   label_smoothing=options.label_smoothing)
            loss = loss_sum * (ranks.world / len(batch))
            opt.zero_grad(set_to_none=True)
            scaler.scale(loss).backward()  # type: ignore[no-untyped-call]
            if scaler.is_enabled():
                scaler.step(opt)  # type: ignore[arg-type]
                scaler.update()
            else:
                opt.step()
            state.global_step += 1
            state.step_in_epoch = i + 1
            loss_acc += loss_sum.detach()
            correct_acc += (out_b.detach().argmax(1) == yb).sum()
            seen += len(idx)
            sync = state.step_in_epoch % 20 == 0 or state.step_in_epoch == steps_per_epoch
            if sync:
                elapsed = sums["seconds"] + time.perf_counter() - t0
                wanted = 1.0 if should_stop() else 0.0
                running, correct_now, seen_now, wanted = distributed.all_sum(
                    ranks, [float(loss_acc), float(correct_acc), float(seen), wanted], device)
                if not math.isfinite(running):
                    raise TrainingError(
                        f"training diverged: the loss became {running} in epoch "
                        f"{state.epoch + 1}, step {state.step_in_epoch} (lr {lr:g})",
                        "lower --lr, or try --optimizer adamw; the last good checkpoint is "
                        "kept")
                tot_seen = sums["seen"] + seen_now
                report.step(state.step_in_epoch,
                            (sums["loss"] + running) / tot_seen,
                            (sums["correct"] + correct_now) / tot_seen,
                            tot_seen / max(elapsed, 1e-9))
                stop_now = wanted > 0
            else:
                # One process checks every step; several agree at the next sync.
                stop_now = not ranks.active and should_stop()
            if stop_now and state.step_in_epoch < steps_per_epoch:
                interrupted = True
                break
        loss_sum_all, correct_all, seen_all = distributed.all_sum(
            ranks, [float(loss_acc), float(correct_acc), float(seen)], device)
        sums["loss"] += loss_sum_all
        sums["correct"] += correct_all
        sums["seen"] += seen_all
        sums["seconds"] += time.perf_counter() - t0
        if interrupted:
            state.partial = sums
            save(rundir.LAST, snapshot())
            break
        val_loss, val_acc = _scores(logits_model, x_val, y_val, dtype, ranks)
        test_loss, test_acc = _scores(logits_model, x_test, y_test, dtype, ranks)
        row = {
            "epoch": state.epoch + 1,
            "train_loss": sums["loss"] / max(sums["seen"], 1),
            "train_acc": sums["correct"] / max(sums["seen"], 1),
            **({"val_loss": val_loss, "val_acc": val_acc} if len(x_val) else {}),
            "test_loss": test_loss, "test_acc": test_acc,
            "seconds": sums["seconds"], "images_per_s": sums["seen"] / max(sums["seconds"], 1e-9),
            "lr": opt.group["lr"],
        }
        state.history.append(row)
        state.epoch += 1
        state.step_in_epoch = 0
        state.partial = {}
        # Model selection sees the validation split only; without one, the latest epoch.
        improved = not len(x_val) or val_acc > state.best_acc
        if improved:
            state.best_acc = val_acc if len(x_val) else -1.0
            state.best_epoch = state.epoch
        save(rundir.LAST, snapshot())
        if improved and ranks.main:
            checkpoint.copy(out / rundir.LAST, out / rundir.BEST)
        if ranks.main:
            rundir.write_metrics(out, state.history)
        report.epoch_end(row)
        if options.patience is not None and state.epoch - state.best_epoch >= options.patience \
                and state.epoch < options.epochs:
            stopped_early = True
            break
        wanted = distributed.all_sum(ranks, [1.0 if should_stop() else 0.0], device)[0]
        if wanted > 0 and state.epoch < options.epochs:
            interrupted = True
    return TrainResult(state.history, state.best_acc, state.epoch, interrupted, out,
                       str(device), precision, state.best_epoch, stopped_early, model)
