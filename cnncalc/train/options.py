"""Training options: their defaults and documented ranges, checked before any data is read."""

from __future__ import annotations

import math
from dataclasses import replace

import torch

from ..data import get as get_dataset
from ..errors import UsageError
from ..records import record
from . import distributed, optim, schedule
from .device import DEVICES, PRECISIONS
from .prep import INITS

OPTIMIZERS = optim.NAMES
# Documented ranges for every option (docs/training.md).
MAX_EPOCHS = 10_000
MAX_BATCH = 1_000_000
MAX_LR = 1e3
MAX_SEED = 2**63 - 1  # torch.manual_seed takes a signed 64-bit integer
MAX_IMAGES = 100_000_000
MAX_WEIGHT_DECAY = 1.0
MAX_LABEL_SMOOTHING = 1.0
VAL_SPLIT = 5000


def val_size(val_split: int | None, n: int) -> int:
    """The validation images for a training set of n: as asked, or the default."""
    return min(VAL_SPLIT, n // 12) if val_split is None else val_split


def _finite(name: str, value: float, low: float, high: float, low_open: bool = False) -> None:
    ok = isinstance(value, (int, float)) and math.isfinite(value) and (
        low < value if low_open else low <= value) and value <= high
    if not ok:
        rng = f"{'(' if low_open else '['}{low:g}, {high:g}]"
        raise UsageError(f"{name} {value}: must be a number in {rng}")


def _integer(name: str, value: int | None, low: int, high: int) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise UsageError(f"{name} {value}: must be an integer from {low:,} to {high:,}")


@record
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
    # Images held out of the training set to choose best.pt; None: VAL_SPLIT, or a twelfth
    # of a smaller training set (5,000 of MNIST's 60,000 either way).
    val_split: int | None = None
    patience: int | None = None  # stop after this many epochs without a better val_acc
    compile: bool = False
    dataset: str = "mnist"  # a name in cnncalc.data.DATASETS, recorded with the options

    def check(self) -> TrainOptions:
        """Every option in its documented range; raises UsageError naming the flag."""
        _integer("--epochs", self.epochs, 1, MAX_EPOCHS)
        _integer("--batch-size", self.batch_size, 1, MAX_BATCH)
        _finite("--lr", self.lr, 0.0, MAX_LR, low_open=True)
        _integer("--seed", self.seed, 0, MAX_SEED)
        _integer("--limit-train", self.limit_train, 1, MAX_IMAGES)
        _finite("--weight-decay", self.weight_decay, 0.0, MAX_WEIGHT_DECAY)
        _finite("--label-smoothing", self.label_smoothing, 0.0, MAX_LABEL_SMOOTHING)
        _integer("--val-split", self.val_split, 0, MAX_IMAGES)
        _integer("--patience", self.patience, 1, MAX_EPOCHS)
        if self.patience is not None and self.val_split == 0:
            raise UsageError("--patience needs a validation split to watch",
                             "drop --val-split 0 or --patience")
        opt = {"momentum": "sgd-momentum"}.get(self.optimizer, self.optimizer)
        if opt not in OPTIMIZERS:
            raise UsageError(f"unknown optimizer '{self.optimizer}'",
                             f"choose one of {', '.join(OPTIMIZERS)}")
        if self.init not in INITS:
            raise UsageError(f"unknown init '{self.init}'", f"choose one of {', '.join(INITS)}")
        schedule.check(self.schedule)
        check_device_name(self.device)
        check_precision_name(self.precision)
        get_dataset(self.dataset)
        return replace(self, optimizer=opt)


def check_device_name(name: str) -> None:
    low = name.lower()
    if low not in DEVICES and not (low.startswith("cuda:") and low[5:].isdigit()):
        raise UsageError(f"unknown device '{name}'", f"choose one of {', '.join(DEVICES)}")


def check_precision_name(name: str) -> None:
    if name.lower() not in PRECISIONS:
        raise UsageError(f"unknown precision '{name}'", f"choose one of {', '.join(PRECISIONS)}")


def check_compile(options: TrainOptions, device: torch.device) -> None:
    if options.compile and device.type != "cuda":
        raise UsageError(f"--compile is for CUDA GPUs, not {device.type}",
                         "drop --compile (on a CPU it needs a C++ toolchain and seldom pays "
                         "off for these nets)")


def check_world(options: TrainOptions, ranks: distributed.Ranks) -> None:
    if options.batch_size < ranks.world:
        raise UsageError(f"--batch-size {options.batch_size} is the global batch: fewer "
                         f"images than the {ranks.world} processes",
                         f"use a --batch-size of at least {ranks.world}")
