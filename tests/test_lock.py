"""One writer per run folder: a live holder refuses a second train; a killed one never blocks."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cnncalc.cli import app
from cnncalc.errors import RunDirError
from cnncalc.train import rundir

from .idx import write_mnist

SPEC = "conv(4,3)-relu-maxpool(2)-flatten-fc(10)"
HOLD = ("import sys, time\nfrom pathlib import Path\nfrom cnncalc.train.rundir import RunLock\n"
        "with RunLock(Path(sys.argv[1])):\n    print('held', flush=True)\n    time.sleep(60)\n")


def hold(folder: Path) -> subprocess.Popen[str]:
    """Another process holding the folder's lock (as a training would)."""
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(folder)], stdout=subprocess.PIPE,
                            text=True)
    assert proc.stdout is not None and proc.stdout.readline() == "held\n"
    return proc


def test_second_writer_refused_at_once_and_stale_lock_ignored(tmp_path: Path) -> None:
    data = tmp_path / "mnist"
    write_mnist(data, n_train=120, n_test=40)
    run = tmp_path / "run"
    args = ["train", SPEC, "--data-dir", str(data), "--out", str(run), "--epochs", "1",
            "--precision", "fp32", "-q"]
    holder = hold(run)
    try:
        # No data at this path: the refusal must come before any data is read.
        refused = [a if a != str(data) else str(tmp_path / "nowhere") for a in args]
        start = time.perf_counter()
        r = CliRunner().invoke(app, refused)
        elapsed = time.perf_counter() - start
        assert r.exit_code == 1, r.output
        assert f"in use by another training (process {holder.pid})" in r.stderr
        assert len(r.stderr.strip().splitlines()) == 1
        assert elapsed < 10  # at once (a loose bound for a loaded test machine)
        assert not (run / "last.pt").exists()
    finally:
        holder.send_signal(signal.SIGKILL)  # dies holding the lock: the file stays behind
        holder.wait()
    assert (run / rundir.LOCK).read_text().strip() == str(holder.pid)
    r = CliRunner().invoke(app, args)
    assert r.exit_code == 0, r.output
    # A killed training's lock does not block its resume either.
    holder = hold(run)
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    r = CliRunner().invoke(app, ["train", "--resume", str(run), "--epochs", "2", "--data-dir",
                                 str(data), "-q"])
    assert r.exit_code == 0, r.output
    assert len((run / "metrics.jsonl").read_text().splitlines()) == 2


def test_lock_in_process(tmp_path: Path) -> None:
    with rundir.RunLock(tmp_path) as held:
        assert (tmp_path / rundir.LOCK).read_text().strip() == str(os.getpid())
        # flock locks belong to the open file: a second open in this process conflicts too.
        with pytest.raises(RunDirError, match=f"process {os.getpid()}"):
            rundir.RunLock(tmp_path).__enter__()
        assert held is not None
    with rundir.RunLock(tmp_path):  # released on exit
        pass


def test_a_refused_run_leaves_no_folder_of_its_own(tmp_path: Path) -> None:
    """A train refused before it writes anything (here: no data) removes the folders it made
    for its lock; a folder that was there before stays, with what it held."""
    made = tmp_path / "new" / "run"
    result = CliRunner().invoke(app, ["train", SPEC, "--data-dir", str(tmp_path / "none"),
                                      "--out", str(made), "--epochs", "1", "-q"])
    assert result.exit_code != 0
    assert not (tmp_path / "new").exists()
    kept = tmp_path / "mine"
    kept.mkdir()
    (kept / "notes.txt").write_text("mine")
    result = CliRunner().invoke(app, ["train", SPEC, "--data-dir", str(tmp_path / "none"),
                                      "--out", str(kept), "--epochs", "1", "-q"])
    assert result.exit_code != 0
    assert (kept / "notes.txt").read_text() == "mine"


def test_lock_keeps_a_folder_that_something_else_wrote_to(tmp_path: Path) -> None:
    run = tmp_path / "run"
    with rundir.RunLock(run):
        (run / "last.pt").write_bytes(b"x")
    assert (run / "last.pt").read_bytes() == b"x" and (run / rundir.LOCK).exists()
