"""Writing files safely: atomic replacement, a symlink-proof write probe, clean write errors."""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from .errors import CnnCalcError, RunDirError

# Messages torch's zip writer gives when the underlying write failed (the errno is lost).
TORCH_WRITE_FAILURES = ("unexpected pos", "inline_container", "PytorchStreamWriter",
                        "file write failed")
_REASONS = {errno.ELOOP: "it is a symbolic link", errno.EISDIR: "it is a folder"}


def _space_reason(folder: Path) -> str | None:
    try:
        st = os.statvfs(folder)
    except OSError:
        return None
    if st.f_favail == 0 and st.f_files:
        return "No space left on device (no free inodes)"
    if st.f_bavail * st.f_frsize < 1 << 20:
        return os.strerror(errno.ENOSPC)
    return None


def write_reason(error: BaseException, folder: Path) -> str | None:
    """A short reason for a failed write, or None when the error is not a write failure."""
    if isinstance(error, OSError):
        if error.errno == errno.ENOSPC:
            return _space_reason(folder) or os.strerror(errno.ENOSPC)
        if error.errno:
            return _REASONS.get(error.errno) or os.strerror(error.errno)
        return error.strerror or str(error)[:80] or type(error).__name__
    if isinstance(error, RuntimeError) and any(m in str(error) for m in TORCH_WRITE_FAILURES):
        return _space_reason(folder) or "the write failed (the storage refused it)"
    return None


def open_new(path: Path) -> BinaryIO:
    """Create `path` for writing; never follow a planted symlink or reuse an existing file."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags, 0o644)
    except FileExistsError:
        path.unlink()  # a stale temp of a dead process with our pid; unlink never follows
        fd = os.open(path, flags, 0o644)
    return os.fdopen(fd, "wb")


def atomic_write(path: Path, write: Callable[[BinaryIO], object],
                 error: type[CnnCalcError] = RunDirError,
                 hint: str | None = "the previous file, if any, is intact") -> None:
    """Write through a hidden temp file in the same folder, fsync it, then rename over `path`.

    A crash at any moment leaves either the old file or the new one, never a partial file
    under the final name; the temp file is removed on failure. A failed write (full disk,
    quota, read-only, permission, torch's storage writer) becomes one `error` naming the path.
    """
    if path.is_dir() and not path.is_symlink():
        raise error(f"could not write {path}: it is a folder", "remove or rename it")
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        with open_new(tmp) as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException as e:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass
        reason = write_reason(e, path.parent)
        if reason is None:
            raise
        raise error(f"could not write {path}: {reason}", hint) from None
    fsync_dir(path.parent)


def fsync_dir(folder: Path) -> None:
    """Make the renames in `folder` durable (best effort: some filesystems refuse)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)  # make the rename itself durable
    except OSError:
        pass
    finally:
        os.close(fd)


def pid_alive(pid: int) -> bool:
    """Whether process `pid` exists (one of another user counts as alive)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


def probe_writable(folder: Path) -> None:
    """Create and remove a file in `folder`; raises OSError when it cannot be written.

    tempfile opens with O_CREAT|O_EXCL|O_NOFOLLOW and a random name, so a planted symlink can
    never redirect the probe onto another file.
    """
    fd, name = tempfile.mkstemp(prefix=".write-test-", dir=folder)
    os.close(fd)
    os.unlink(name)
