"""Run directories: refusing to clobber another run, and keeping metrics.jsonl in step."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..errors import RunDirError, UsageError
from ..files import atomic_write, probe_writable, write_reason

LAST, BEST, METRICS = "last.pt", "best.pt", "metrics.jsonl"


def holds_run(path: Path) -> bool:
    return any((path / name).exists() for name in (LAST, BEST, METRICS))


def clean_stale(out: Path) -> list[Path]:
    """Remove temp files that a killed save left behind (hidden, never taken for real)."""
    removed = []
    for path in out.glob(".*.tmp-*"):
        if path.name.split(".tmp-")[0].lstrip(".") in (LAST, BEST, METRICS):
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def prepare(out: Path, force: bool) -> None:
    """Check a new run's folder before any work: writable, and not holding another run."""
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} is a file, not a folder")
    if out.is_dir() and holds_run(out):
        if not force:
            raise RunDirError(f"{out} already holds a run",
                              f"continue it with 'cnncalc train --resume {out}', or pass "
                              "--force to replace it")
        for name in (LAST, BEST, METRICS):
            target = out / name
            if target.is_dir() and not target.is_symlink():
                raise RunDirError(f"{target} is a folder, so --force will not replace it",
                                  "remove or rename it yourself")
        for name in (LAST, BEST, METRICS):
            try:
                (out / name).unlink(missing_ok=True)  # a symlink itself, never its target
            except OSError as e:
                raise RunDirError(f"cannot remove {out / name}: "
                                  f"{write_reason(e, out)}") from None
    try:
        out.mkdir(parents=True, exist_ok=True)
        clean_stale(out)
        probe_writable(out)
    except OSError as e:
        raise RunDirError(f"cannot write to {out}: {write_reason(e, out)}",
                          "choose a writable --out folder") from None
    free = shutil.disk_usage(out).free
    if free < 16 * 2**20:
        raise RunDirError(f"{out} has only {free // 2**20} MiB free",
                          "checkpoints need space; free some or choose another --out")


def write_metrics(out: Path, history: Sequence[dict[str, Any]]) -> None:
    """Rewrite metrics.jsonl from the checkpoint's history, so the two always agree.

    The history was bounded when its checkpoint was loaded (flat rows, at most 100,000), so
    this write is bounded too; a failed write keeps the previous file whole."""
    text = "".join(json.dumps(row) + "\n" for row in history).encode()
    atomic_write(out / METRICS, lambda f: f.write(text), RunDirError,
                 "the checkpoints are saved; free some space and resume to rewrite it")


LOCK = ".lock"


class RunLock:
    """One writer per run folder: an advisory fcntl lock on RUN/.lock, holding the PID.

    The kernel drops the lock when its process ends, however it ends, so a lock file left
    by a killed run never blocks a resume; only a live process does.
    """

    def __init__(self, out: Path) -> None:
        self.path = out / LOCK
        self._fd: int | None = None

    def __enter__(self) -> RunLock:
        import fcntl

        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # O_NOFOLLOW: a planted symlink must not make the lock truncate another file
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)
        except OSError as e:
            raise RunDirError(f"cannot write to {self.path.parent}: {e.strerror or e}",
                              "choose a writable --out folder") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
            os.close(fd)
            raise RunDirError(f"{self.path.parent} is in use by another training (process "
                              f"{holder})", "wait for it to finish, or choose another "
                              "--out") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd
        return self

    def __exit__(self, *exc: object) -> None:
        if self._fd is not None:
            import fcntl

            os.ftruncate(self._fd, 0)
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
