"""The run lock under hostile folders: planted hard links, FIFOs, devices, folders and
symlinks as RUN/.lock are refused in one line, never written; a resume reads last.pt only
once it holds the lock."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from cnncalc.errors import RunDirError
from cnncalc.train import checkpoint, rundir

from .harness import cli

SPEC = "conv(4,3)-relu-maxpool(2)-flatten-fc(10)"
PRECIOUS = b"the only copy of someone's notes\n" * 4


def _train(run: Path, data: Path, *extra: str) -> list[str]:
    return ["train", SPEC, "--out", str(run), "--epochs", "1", "--data-dir", str(data),
            "--precision", "fp32", "-q", *extra]


@pytest.mark.parametrize("how", ["new run", "resume"])
def test_a_hard_link_planted_as_the_lock_is_refused_and_left_intact(
        good_run: Path, tmp_path: Path, how: str) -> None:
    victim = tmp_path / "notes.txt"
    victim.write_bytes(PRECIOUS)
    run = tmp_path / "run"
    run.mkdir()
    if how == "resume":
        (run / "last.pt").write_bytes((good_run / "last.pt").read_bytes())
    os.link(victim, run / rundir.LOCK)  # before: truncated to 0 bytes by the lock
    args = _train(run, tmp_path / "nowhere") if how == "new run" else \
        ["train", "--resume", str(run), "--epochs", "2", "--data-dir", str(tmp_path / "nowhere")]
    cli(*args).one_line_error(1, str(run / rundir.LOCK), "2 hard links")
    assert victim.read_bytes() == PRECIOUS
    assert sorted(p.name for p in run.iterdir()) == sorted(
        [rundir.LOCK] + (["last.pt"] if how == "resume" else []))


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _folder(path: Path) -> None:
    path.mkdir()


def _symlink(path: Path) -> None:
    victim = path.parent.parent / "victim"
    victim.write_bytes(PRECIOUS)
    path.symlink_to(victim)


def _device(path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("making a device node needs root")
    os.mknod(path, 0o666 | 0o020000, os.makedev(1, 3))  # a character device: /dev/null's


@pytest.mark.parametrize(("make", "kind"), [
    (_fifo, "is a FIFO"),  # before: "internal error: OSError EINVAL" from ftruncate
    (_folder, "is a folder"),
    (_symlink, "is a symbolic link"),
    (_device, "is a device"),
])
def test_a_lock_that_is_not_a_regular_file_is_refused(tmp_path: Path, make, kind: str  # type: ignore[no-untyped-def]
                                                      ) -> None:
    run = tmp_path / "run"
    run.mkdir()
    make(run / rundir.LOCK)
    r = cli(*_train(run, tmp_path / "nowhere"))
    r.one_line_error(1, str(run / rundir.LOCK), kind)
    assert r.seconds < 20  # a FIFO is never opened for a blocking read or write
    assert not (run / "last.pt").exists()
    if make is _symlink:
        assert (tmp_path / "victim").read_bytes() == PRECIOUS


HOLD = ("import sys, time\nfrom pathlib import Path\nfrom cnncalc.train.rundir import RunLock\n"
        "with RunLock(Path(sys.argv[1])):\n    print('held', flush=True)\n    time.sleep(60)\n")


def test_holder_reports_a_live_training_and_writes_nothing(tmp_path: Path) -> None:
    run = tmp_path / "run"
    run.mkdir()
    assert rundir.holder(run) is None and not rundir.is_locked(run)
    assert not (run / rundir.LOCK).exists()  # the query creates no file
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(run)], stdout=subprocess.PIPE,
                            text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline() == "held\n"
        before = (run / rundir.LOCK).read_bytes()
        assert rundir.holder(run) == str(proc.pid) and rundir.is_locked(run)
        assert (run / rundir.LOCK).read_bytes() == before
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert rundir.holder(run) is None  # the kernel dropped the lock with its process
    # An unusable lock file is an error for the query too, never something it follows.
    (run / rundir.LOCK).unlink()
    os.mkfifo(run / rundir.LOCK)
    with pytest.raises(RunDirError, match="is a FIFO"):
        rundir.holder(run)


def test_the_lock_file_is_overwritten_never_truncated(tmp_path: Path) -> None:
    # The PID goes over the first 32 bytes; nothing after them is ever cut off.
    (tmp_path / rundir.LOCK).write_bytes(b"x" * 40)
    with rundir.RunLock(tmp_path):
        text = (tmp_path / rundir.LOCK).read_bytes()
        assert text[:32].strip() == str(os.getpid()).encode() and len(text) == 40
    assert (tmp_path / rundir.LOCK).read_bytes()[:32].strip() == b""


# Another training finishes (writing a newer last.pt) in the moment between this resume's
# first read and its taking the lock. The hook runs in the child CLI, just before the lock.
RACE = textwrap.dedent("""
    import os, shutil
    from cnncalc.train import rundir

    _enter = rundir.RunLock.__enter__

    def _enter_after_another_training_ended(self):
        shutil.copyfile(os.environ["NEWER"], self.path.parent / "last.pt.new")
        os.replace(self.path.parent / "last.pt.new", self.path.parent / "last.pt")
        return _enter(self)

    rundir.RunLock.__enter__ = _enter_after_another_training_ended
""")


def test_resume_reads_last_pt_after_taking_the_lock(good_run: Path, synth: Path,
                                                    tmp_path: Path) -> None:
    # The newer checkpoint: the same run taken to epoch 2 (what the other training wrote).
    newer = tmp_path / "newer"
    newer.mkdir()
    for name in ("last.pt", "metrics.jsonl"):
        (newer / name).write_bytes((good_run / name).read_bytes())
    cli("train", "--resume", str(newer), "--epochs", "2", "--data-dir", str(synth))
    assert checkpoint.load(newer / "last.pt")["epoch"] == 2
    run = tmp_path / "run"
    run.mkdir()
    for name in ("last.pt", "metrics.jsonl"):
        (run / name).write_bytes((good_run / name).read_bytes())  # epoch 1, read first
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(RACE)
    env = {"PYTHONPATH": str(hook), "NEWER": str(newer / "last.pt")}
    r = cli("train", "--resume", str(run), "--epochs", "2", "--data-dir", str(synth), env=env)
    # Before: epoch 2 was trained again from the epoch-1 state read before the lock, and
    # written over the other training's epoch 2.
    assert r.code == 0, r.stderr
    assert "already at epoch 2 of 2" in r.stdout
    assert (run / "last.pt").read_bytes() == (newer / "last.pt").read_bytes()
    # Another spec written in between is refused, not trained with the old one's checks.
    other = tmp_path / "other"
    cli("train", "conv(8,3)-relu-maxpool(2)-flatten-fc(10)", "--out", str(other), "--epochs",
        "1", "--data-dir", str(synth), "--precision", "fp32", "-q")
    for name in ("last.pt", "metrics.jsonl"):
        (run / name).write_bytes((good_run / name).read_bytes())
    env["NEWER"] = str(other / "last.pt")
    r = cli("train", "--resume", str(run), "--epochs", "2", "--data-dir", str(synth), env=env)
    r.one_line_error(1, "was replaced by another training, with other settings",
                     "run the command again")
    assert (run / "last.pt").read_bytes() == (other / "last.pt").read_bytes()
