"""The files `cnncalc export` writes: recognising its own earlier output, and replacing
model.py and model.pt as a pair that is never half written or silently mismatched.

An earlier export is recognised by content, never by name: its .py starts with MARKER and
records the sha256 and size of the .pt it was written with (WEIGHTS_SHA256, WEIGHTS_BYTES),
and a .pt is that export's own only when its bytes have exactly that size and sha256. Any
other file under either name (a run's checkpoint, a user's own state dict, a symlink, a
FIFO) is replaced only with --force. Torch-free: it only reads and renames files.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from ..errors import CheckpointError, UsageError
from ..export.pytorch import MARKER as MARKER  # re-exported: the marker and the record
from ..export.pytorch import Weights as Weights  # belong to the file writer
from ..files import fsync_dir, open_new, pid_alive, write_reason
from ..records import record

HEAD_BYTES = 1 << 16  # the marker and the recorded weights are in the first lines
_SHA = re.compile(r"^WEIGHTS_SHA256 = '([0-9a-f]{64})'$", re.M)
_SIZE = re.compile(r"^WEIGHTS_BYTES = ([0-9]{1,18})$", re.M)


@record
class Pair:
    """model.py and model.pt, in one folder that exists."""

    py: Path
    pt: Path

    @property
    def folder(self) -> Path:
        return self.py.parent

    def temp(self, target: Path, kind: str = "tmp", pid: int | None = None) -> Path:
        return self.folder / f".{target.name}.{kind}-{os.getpid() if pid is None else pid}"


def pair_for(out: Path) -> Pair:
    """The pair `-o out` names; refuses, before any work, an -o that cannot be one."""
    if out.suffix != ".py":
        raise UsageError(f"--out {out}: give a .py file name", "for example -o model.py")
    folder = out.parent
    if not folder.is_dir():
        raise UsageError(f"--out {out}: the folder {folder} does not exist",
                         "create it, or choose another -o")
    return Pair(out, out.with_suffix(".pt"))


def _open_regular(path: Path) -> int | None:
    """A read descriptor on `path` if it is a regular file; None for anything else. Never
    follows a symlink, and never blocks on a FIFO."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | \
        getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return None
    try:
        if stat.S_ISREG(os.fstat(fd).st_mode):
            return fd
    except OSError:
        pass
    os.close(fd)
    return None


def recorded(py: Path) -> Weights | None:
    """The weights an earlier export's .py records, or None when `py` is not a file that
    `cnncalc export` wrote (missing, a folder, a link, a FIFO, any other text)."""
    fd = _open_regular(py)
    if fd is None:
        return None
    try:
        head = b""
        while len(head) < HEAD_BYTES:
            block = os.read(fd, HEAD_BYTES - len(head))
            if not block:
                break
            head += block
    except OSError:
        return None
    finally:
        os.close(fd)
    text = head.decode("utf-8", errors="replace")
    if text.split("\n", 1)[0] != MARKER:
        return None
    sha, size = _SHA.search(text), _SIZE.search(text)
    if sha is None or size is None:
        return None
    return Weights(sha.group(1), int(size.group(1)))


def weights_of(path: Path, size_limit: int | None = None) -> Weights | None:
    """sha256 and size of a regular file (None for anything else, or one larger than
    `size_limit`: then it cannot be the file a record describes, and is not read)."""
    fd = _open_regular(path)
    if fd is None:
        return None
    try:
        size = os.fstat(fd).st_size
        if size_limit is not None and size != size_limit:
            return None
        digest = hashlib.sha256()
        while block := os.read(fd, 1 << 20):
            digest.update(block)
    except OSError:
        return None
    finally:
        os.close(fd)
    return Weights(digest.hexdigest(), size)


def _stale(pair: Pair, target: Path, kind: str) -> list[Path]:
    """Hidden files of killed exports to `target` (their process is gone)."""
    out = []
    for path in pair.folder.glob(f".{glob_escape(target.name)}.{kind}-*"):
        pid = path.name.rsplit("-", 1)[-1]
        if pid.isdigit() and (int(pid) == os.getpid() or not pid_alive(int(pid))):
            out.append(path)
    return out


def glob_escape(name: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", name)


def _ours(pair: Pair) -> bool:
    """Whether pair.pt is the weights of an earlier export to this pair: the ones its .py
    records, or the ones recorded by the .py of an export killed between its two renames
    (its hidden temp .py is still there)."""
    records = [r for r in [recorded(pair.py)] if r is not None]
    records += [r for p in _stale(pair, pair.py, "tmp") if (r := recorded(p)) is not None]
    return any(weights_of(pair.pt, r.size) == r for r in records)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return a.resolve() == b.resolve()


def check_targets(pair: Pair, source: Path, force: bool) -> None:
    """Refuse, before anything is read or written, an export that would replace the
    checkpoint it reads, a folder, or (without --force) any file that is not this export's
    own earlier output."""
    for target in (pair.py, pair.pt):
        if _same_file(target, source):
            raise UsageError(f"--out {pair.py} would overwrite the checkpoint {source}",
                             "choose another file name")
        if target.is_dir() and not target.is_symlink():
            raise UsageError(f"--out {pair.py}: {target} is a folder",
                             "remove or rename it, or choose another -o")
    if force:
        return
    from . import rundir

    if os.path.lexists(pair.py) and recorded(pair.py) is None:
        raise UsageError(f"--out {pair.py} exists and was not written by 'cnncalc export'",
                         "choose another -o, or pass --force to replace it")
    if os.path.lexists(pair.pt) and not _ours(pair):
        what = "a file 'cnncalc export' did not write"
        if pair.pt.name in (rundir.LAST, rundir.BEST) and rundir.holds_run(pair.folder):
            what = "a checkpoint of the run in that folder"
        elif os.path.lexists(pair.py):
            what = f"not the weights {pair.py.name} was exported with (changed since?)"
        raise UsageError(f"--out {pair.py} would replace {pair.pt}, {what}",
                         "choose another -o, or pass --force to replace it")


@contextmanager
def run_lock(folder: Path) -> Iterator[None]:
    """Hold a run folder's lock while exporting into it: refused while a training holds
    it, and no training starts there until the pair is written. Other folders get no lock
    file."""
    from . import rundir

    if not (rundir.holds_run(folder) or os.path.lexists(folder / rundir.LOCK)):
        yield
        return
    with rundir.RunLock(folder):
        yield


def _clean_stale(pair: Pair) -> None:
    for target, kind in ((pair.pt, "tmp"), (pair.py, "tmp"), (pair.pt, "old")):
        for path in _stale(pair, target, kind):
            try:
                path.unlink()  # never follows a link
            except OSError:
                pass


def _write_new(path: Path, write: Callable[[BinaryIO], object]) -> None:
    with open_new(path) as f:
        write(f)
        f.flush()
        os.fsync(f.fileno())


def _swap(pair: Pair, tmp_pt: Path, tmp_py: Path) -> None:
    """Rename both into place, the .pt first. If the second rename fails, the old .pt (kept
    as a hard link until then) goes back, so a failed export replaces nothing. A kill
    between the renames leaves the old .py beside the new .pt: its load() refuses them
    (the sha256 differs), and the next export recognises the pair by its leftover temp."""
    for target in (pair.pt, pair.py):
        if target.is_dir() and not target.is_symlink():
            raise CheckpointError(f"could not write {target}: it is a folder",
                                  "nothing was replaced; remove or rename it")
    backup = pair.temp(pair.pt, "old")
    try:
        os.link(pair.pt, backup, follow_symlinks=False)
        kept: bool | None = True
    except FileNotFoundError:
        kept = False  # no old .pt: undoing means removing the new one
    except OSError:
        kept = None  # no hard links here: the pre-checks above are the protection
    try:
        os.replace(tmp_pt, pair.pt)
        try:
            os.replace(tmp_py, pair.py)
        except BaseException:
            if kept:
                os.replace(backup, pair.pt)
            elif kept is False:
                pair.pt.unlink(missing_ok=True)
            raise
    finally:
        if kept:
            backup.unlink(missing_ok=True)


def write_pair(pair: Pair, write_pt: Callable[[BinaryIO], object],
               make_py: Callable[[Weights], str], check_pt: Callable[[Path], None]) -> None:
    """Write the .pt and then the .py (made for that .pt's sha256) to hidden temp files in
    the target folder, check both, then rename both. Any failure removes the temp files
    and leaves both targets as they were."""
    _clean_stale(pair)
    tmp_pt, tmp_py = pair.temp(pair.pt), pair.temp(pair.py)
    try:
        _write_new(tmp_pt, write_pt)
        weights = weights_of(tmp_pt)
        if weights is None:
            raise CheckpointError(f"could not read back {tmp_pt}", "nothing was replaced")
        check_pt(tmp_pt)
        source = make_py(weights).encode()
        _write_new(tmp_py, lambda f: f.write(source))
        if recorded(tmp_py) != weights:
            raise CheckpointError(f"{tmp_py} does not record the weights it was written for",
                                  "nothing was replaced; please report this")
        _swap(pair, tmp_pt, tmp_py)
    except BaseException as e:
        for path in (tmp_pt, tmp_py):
            try:
                path.unlink(missing_ok=True)
            except OSError:
                pass
        reason = write_reason(e, pair.folder)
        if reason is None:
            raise
        raise CheckpointError(f"could not write {pair.py}: {reason}",
                              "nothing was replaced") from None
    fsync_dir(pair.folder)
