"""Run directories: refusing to clobber another run, and keeping metrics.jsonl in step."""

from __future__ import annotations

import errno
import json
import os
import shutil
import stat
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
_RECORD = 32  # bytes of the lock file that hold the holder's PID (right-aligned, newline)
_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a device"),
          (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket"),
          (stat.S_ISLNK, "a symbolic link"))
_OWN = "remove it; cnncalc creates its own lock file there"


def _refuse(path: Path, st: os.stat_result) -> RunDirError | None:
    """Why `path` (lstat or fstat `st`) cannot be a run's lock file, or None when it can.

    Only a regular file with one name is ever locked or written: a FIFO or a device would
    block or act on open, and a hard link planted as RUN/.lock is another file's name too,
    so writing the PID into it would change that file."""
    for test, kind in _KINDS:
        if test(st.st_mode):
            return RunDirError(f"{path} is {kind}, not a lock file", _OWN)
    if not stat.S_ISREG(st.st_mode):
        return RunDirError(f"{path} is not a regular file, so it cannot be a lock file", _OWN)
    if st.st_nlink > 1:
        return RunDirError(f"{path} has {st.st_nlink} hard links, so it is the name of "
                           "another file too", _OWN)
    return None


def _open_lock(path: Path, flags: int) -> int:
    """The lock file opened with `flags`, checked on the opened descriptor. A name that is
    not a plain file is refused before it is opened (opening a device can act on it) and
    again after (it may have been swapped in between); O_NOFOLLOW refuses a symlink."""
    try:
        before = os.lstat(path)
    except FileNotFoundError:
        pass
    except OSError as e:
        raise RunDirError(f"cannot use {path}: {e.strerror or e}") from None
    else:
        refusal = _refuse(path, before)
        if refusal is not None:
            raise refusal
    try:
        fd = os.open(path, flags | os.O_NOFOLLOW | os.O_NONBLOCK, 0o644)
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise RunDirError(f"{path} is a symbolic link, not a lock file", _OWN) from None
        if e.errno == errno.EISDIR:
            raise RunDirError(f"{path} is a folder, not a lock file", _OWN) from None
        if flags & os.O_CREAT:
            raise RunDirError(f"cannot write to {path.parent}: {e.strerror or e}",
                              "choose a writable --out folder") from None
        raise RunDirError(f"cannot read {path}: {e.strerror or e}") from None
    refusal = _refuse(path, os.fstat(fd))
    if refusal is not None:
        os.close(fd)
        raise refusal
    return fd


def _holder_of(fd: int) -> str:
    """The PID recorded in an open lock file, or "unknown" (the text is never echoed raw)."""
    try:
        text = os.pread(fd, _RECORD, 0).decode("ascii", errors="replace").strip()
    except OSError:
        return "unknown"
    return text if text.isdigit() and len(text) <= 10 else "unknown"


class RunLock:
    """One writer per run folder: an advisory fcntl lock on RUN/.lock, holding the PID.

    The kernel drops the lock when its process ends, however it ends, so a lock file left
    by a killed run never blocks a resume; only a live process does. The file is never
    truncated: the PID is written over its first bytes, padded to a fixed width.
    """

    def __init__(self, out: Path) -> None:
        self.path = out / LOCK
        self._fd: int | None = None
        self._made: list[Path] = []  # the folders this lock created, deepest first

    def __enter__(self) -> RunLock:
        import fcntl

        try:
            missing = [p for p in (self.path.parent, *self.path.parent.parents)
                       if not p.exists()]
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._made = missing
        except OSError as e:
            raise RunDirError(f"cannot write to {self.path.parent}: {e.strerror or e}",
                              "choose a writable --out folder") from None
        fd = _open_lock(self.path, os.O_RDWR | os.O_CREAT)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = _holder_of(fd)
            os.close(fd)
            raise RunDirError(f"{self.path.parent} is in use by another training (process "
                              f"{holder})", "wait for it to finish, or choose another "
                              "--out") from None
        try:
            os.pwrite(fd, f"{os.getpid()}".rjust(_RECORD - 1).encode() + b"\n", 0)
        except OSError as e:
            os.close(fd)
            raise RunDirError(f"cannot write to {self.path}: {e.strerror or e}",
                              "choose a writable --out folder") from None
        self._fd = fd
        return self

    def __exit__(self, *exc: object) -> None:
        if self._fd is not None:
            import fcntl

            try:
                os.pwrite(self._fd, b" " * (_RECORD - 1) + b"\n", 0)  # no holder now
            except OSError:
                pass  # the PID of an ended process is stale, never wrong: flock decides
            self._tidy()
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def _tidy(self) -> None:
        """A run refused before it wrote anything (no data, a bad model) leaves no folder
        behind that holds only a lock: the folders this lock made go again when they hold
        nothing else. A folder that existed before is left as it was found."""
        if not self._made:
            return
        try:
            if [p.name for p in self.path.parent.iterdir()] != [LOCK]:
                return
            self.path.unlink()
            for folder in self._made:
                folder.rmdir()  # only an empty folder goes; OSError stops at the first other
        except OSError:
            pass  # something else appeared there: it stays, and so does the lock file


def holder(folder: Path) -> str | None:
    """The PID (text) of the training that holds `folder`'s lock, "unknown" when one holds
    it without a readable PID, or None when no training holds it. Read-only: it creates
    and writes nothing, so another command (export, say) can refuse to write into a run
    folder while a training writes it."""
    import fcntl

    path = folder / LOCK
    if not os.path.lexists(path):
        return None
    fd = _open_lock(path, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        return _holder_of(fd)
    finally:
        os.close(fd)  # closing drops the shared lock, if it was taken
    return None


def is_locked(folder: Path) -> bool:
    """True while a training holds `folder` (see `holder`)."""
    return holder(folder) is not None
