"""Reading a run's metrics.jsonl defensively, for plots: no torch, bounded in size and depth."""

from __future__ import annotations

import json
import math
from pathlib import Path

from ..errors import DataError
from ..records import record

METRICS = "metrics.jsonl"
MAX_BYTES = 64 * 2**20  # a million epochs of metrics is far below this
MAX_LINE = 64 * 1024  # one epoch's row is about 200 bytes
MAX_EPOCHS = 100_000
MAX_NOTES = 5

LOSSES = ("train_loss", "val_loss", "test_loss")
ACCURACIES = ("train_acc", "val_acc", "test_acc")
KEYS = LOSSES + ACCURACIES


@record
class Epoch:
    """One epoch's figures; a figure the file lacks (or that was unusable) is None."""

    epoch: int
    values: dict[str, float]

    def get(self, key: str) -> float | None:
        return self.values.get(key)


@record
class Metrics:
    path: Path
    epochs: tuple[Epoch, ...]
    notes: tuple[str, ...]  # what was skipped, one line each

    @property
    def name(self) -> str:
        return self.path.parent.name or str(self.path)

    def series(self, key: str) -> tuple[list[int], list[float]]:
        pairs = [(e.epoch, v) for e in self.epochs if (v := e.get(key)) is not None]
        return [p[0] for p in pairs], [p[1] for p in pairs]

    def has(self, key: str) -> bool:
        return any(e.get(key) is not None for e in self.epochs)


def locate(path: Path) -> Path:
    target = path / METRICS if path.is_dir() else path
    if not target.exists():
        hint = ("is this a run folder of 'cnncalc train'?" if path.is_dir() or
                path.name == METRICS else "give a run folder or its metrics.jsonl")
        raise DataError(f"{target}: no metrics file", hint)
    if not target.is_file():
        raise DataError(f"{target}: not a regular file")
    return target


def _value(key: str, raw: object) -> tuple[float | None, str]:
    """The number, or None and why it cannot be drawn."""
    if isinstance(raw, bool) or not isinstance(raw, (int, float)):
        return None, f"{key} is not a number"
    value = float(raw)
    if not math.isfinite(value):
        return None, f"{key} is {raw}"
    if key in ACCURACIES and not 0.0 <= value <= 1.0:
        return None, f"{key} {value:g} is outside 0-1"
    if key in LOSSES and value < 0:
        return None, f"{key} {value:g} is negative"
    return value, ""


def parse_row(n: int, line: str) -> tuple[Epoch | None, list[str]]:
    """One line of metrics.jsonl: an Epoch (possibly with some figures dropped) and notes."""
    if len(line) > MAX_LINE:
        return None, [f"line {n} is {len(line):,} characters long; skipped"]
    try:
        row = json.loads(line)
    except RecursionError:
        return None, [f"line {n} is nested too deeply; skipped"]
    except ValueError:
        return None, [f"line {n} is not JSON; skipped"]
    if not isinstance(row, dict):
        return None, [f"line {n} is not a JSON object; skipped"]
    epoch = row.get("epoch")
    if isinstance(epoch, bool) or not isinstance(epoch, int) or not 0 <= epoch <= 10**9:
        return None, [f"line {n} has no usable epoch number; skipped"]
    values: dict[str, float] = {}
    notes = []
    for key in KEYS:
        if key not in row:
            continue
        value, why = _value(key, row[key])
        if value is None:
            notes.append(f"line {n}: {why}; not drawn")
        else:
            values[key] = value
    return Epoch(epoch, values), notes


def read(path: Path) -> Metrics:
    """The epochs of a run (folder or metrics.jsonl). Malformed lines are skipped with a
    note; a file with nothing usable, or too large to be a metrics file, is a DataError."""
    target = locate(path)
    try:
        size = target.stat().st_size
        if size > MAX_BYTES:
            raise DataError(f"{target}: {size / 2**20:.0f} MiB is too large for a metrics "
                            f"file (the limit is {MAX_BYTES // 2**20} MiB)")
        raw = target.read_bytes()[:MAX_BYTES + 1]
    except OSError as e:
        raise DataError(f"{target}: cannot read it ({e.strerror or e})") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise DataError(f"{target}: not a text file (byte {e.start} is not UTF-8)",
                        "is this the metrics.jsonl of a run?") from None
    by_epoch: dict[int, Epoch] = {}
    notes: list[str] = []
    lines = 0
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        lines += 1
        if lines > MAX_EPOCHS:
            notes.append(f"more than {MAX_EPOCHS:,} lines; the rest are not drawn")
            break
        epoch, why = parse_row(n, line)
        notes.extend(why)
        if epoch is None:
            continue
        if epoch.epoch in by_epoch:
            notes.append(f"line {n}: epoch {epoch.epoch} again; the later line is kept")
        by_epoch[epoch.epoch] = epoch
    epochs = tuple(by_epoch[k] for k in sorted(by_epoch))
    if not any(e.values for e in epochs):
        detail = f" ({notes[0]})" if notes else ""
        raise DataError(f"{target}: no epoch with figures to draw{detail}",
                        "is this the metrics.jsonl of a run that finished an epoch?")
    if len(notes) > MAX_NOTES:
        notes = notes[:MAX_NOTES] + [f"... and {len(notes) - MAX_NOTES:,} more"]
    return Metrics(target, epochs, tuple(notes))
