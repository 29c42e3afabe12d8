"""A really full disk (a small tmpfs): saves and metrics writes fail cleanly, nothing is lost."""

from __future__ import annotations

import errno
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import torch

from cnncalc import data
from cnncalc.errors import CheckpointError, RunDirError
from cnncalc.files import write_reason
from cnncalc.train import checkpoint, rundir
from cnncalc.train.loop import TrainOptions, train

from .harness import cli

SPEC = "conv(4,3)-relu-maxpool(2)-flatten-fc(10)"


def _mount(where: Path, options: str) -> Iterator[Path]:
    where.mkdir()
    try:
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)],
                              capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired) as e:
        pytest.skip(f"cannot mount a tmpfs here ({e}); needs root and CAP_SYS_ADMIN")
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.strip()[:80]}); needs root and "
                    "CAP_SYS_ADMIN")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True, timeout=10)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    yield from _mount(tmp_path / "disk", "size=24m,nr_inodes=64")


@pytest.fixture
def few_inodes(tmp_path: Path) -> Iterator[Path]:
    yield from _mount(tmp_path / "inodes", "size=4m,nr_inodes=6")


def fill(folder: Path, leave: int = 0) -> None:
    """Write a filler file until the device is full (or only `leave` bytes remain)."""
    # Unbuffered: a buffered file would try to flush its rest again on close, and fail.
    with open(folder / "filler", "wb", buffering=0) as f:
        block = bytes(1 << 16)
        try:
            while True:
                f.write(block)
        except OSError as e:
            assert e.errno == errno.ENOSPC
    if leave:
        size = (folder / "filler").stat().st_size
        with open(folder / "filler", "r+b") as f:
            f.truncate(max(0, size - leave))


def test_disk_fills_during_a_checkpoint_save(small_disk: Path, synth: Path) -> None:
    out = small_disk / "run"
    opts = TrainOptions(epochs=1, batch_size=64, precision="fp32")
    train(SPEC, (1, 28, 28), opts, out, data.load(synth))
    before = (out / "last.pt").read_bytes()
    rows = (out / "metrics.jsonl").read_text()
    # leave 20 KB: torch's zip writer starts the file and then fails ("unexpected pos")
    fill(small_disk, leave=20_000)
    state = checkpoint.load(out / "last.pt")
    with pytest.raises(CheckpointError, match=r"could not write .*last\.pt: No space left"):
        train(SPEC, (1, 28, 28), TrainOptions(**{**opts.__dict__, "epochs": 2}), out,
              data.load(synth), resume=state)
    assert (out / "last.pt").read_bytes() == before
    assert (out / "metrics.jsonl").read_text() == rows  # still the one epoch, whole
    assert not list(out.glob(".*tmp*"))
    # the same through the CLI, in a child process: one line, exit 1
    r = cli("train", "--resume", str(out), "--epochs", "2", "--data-dir", str(synth), "-q")
    r.one_line_error(1, "last.pt", "No space left on device")
    assert (out / "last.pt").read_bytes() == before


def test_torch_storage_error_is_mapped(small_disk: Path) -> None:
    fill(small_disk, leave=4_000)
    with pytest.raises(CheckpointError, match="No space left on device") as info:
        checkpoint.save(small_disk / "big.pt", {"model": {"w": torch.zeros(100_000)}})
    assert "internal" not in str(info.value) and "enforce" not in str(info.value)
    assert sorted(p.name for p in small_disk.iterdir()) == ["filler"]
    # Given a path, torch's own zip writer reports the full disk as a RuntimeError
    # ("[enforce fail at inline_container.cc:...] unexpected pos"): mapped the same way.
    with pytest.raises(RuntimeError, match="unexpected pos") as raw:
        torch.save({"w": torch.zeros(100_000)}, str(small_disk / "raw.pt"))
    assert write_reason(raw.value, small_disk) == "No space left on device"


def test_inodes_run_out_during_a_metrics_write(few_inodes: Path) -> None:
    out = few_inodes / "run"
    out.mkdir()
    rundir.write_metrics(out, [{"epoch": 1, "test_acc": 0.5}])
    n = 0
    with pytest.raises(OSError, match="No space left"):
        while True:  # use up every inode
            (few_inodes / f"f{n}").touch()
            n += 1
    with pytest.raises(RunDirError, match=r"metrics\.jsonl: No space left on device"):
        rundir.write_metrics(out, [{"epoch": 1, "test_acc": 0.5}, {"epoch": 2, "test_acc": 0.6}])
    rows = [json.loads(x) for x in (out / "metrics.jsonl").read_text().splitlines()]
    assert rows == [{"epoch": 1, "test_acc": 0.5}]
