"""Checkpoints: atomic saves, and hostile or broken files refused without running code."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest
import torch

from cnncalc.errors import CheckpointError
from cnncalc.train import checkpoint

PAYLOAD = {"spec": "fc(10)", "input_shape": [4], "convention": "pytorch", "options": {},
           "epoch": 1, "model": {"0.weight": torch.zeros(10, 4), "0.bias": torch.zeros(10)}}


def test_round_trip(tmp_path: Path) -> None:
    checkpoint.save(tmp_path / "a.pt", PAYLOAD)
    loaded = checkpoint.load(tmp_path / "a.pt")
    assert loaded["spec"] == "fc(10)" and loaded["version"] == checkpoint.VERSION
    assert [p.name for p in tmp_path.iterdir()] == ["a.pt"]  # no temp file left behind


class Payload:
    """A pickle that would create a marker file when unpickled."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, ...]:
        return (os.system, (f"touch {self.marker}",))


def test_crafted_pickle_never_runs(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    evil = tmp_path / "evil.pt"
    torch.save({"format": checkpoint.FORMAT, "payload": Payload(marker)}, evil)
    with pytest.raises(CheckpointError,
                       match=r"refused, it holds objects other than tensors.*posix\.system"):
        checkpoint.load(evil)
    assert not marker.exists()
    raw = tmp_path / "raw.pkl"
    raw.write_bytes(pickle.dumps(Payload(marker)))
    with pytest.raises(CheckpointError):
        checkpoint.load(raw)
    assert not marker.exists()


@pytest.mark.parametrize(("make", "message"), [
    (lambda p: p.write_bytes(b""), "the file is empty (0 bytes)"),
    (lambda p: p.write_bytes(b"not a checkpoint at all"), "not a readable checkpoint"),
    (lambda p: torch.save({"weight": torch.zeros(3)}, p), "not a cnncalc checkpoint"),
    (lambda p: torch.save([1, 2, 3], p), "not a cnncalc checkpoint"),
    (lambda p: torch.save({**PAYLOAD, "format": checkpoint.FORMAT, "version": 99}, p),
     f"checkpoint format 99 is newer than this cnncalc reads ({checkpoint.VERSION})"),
    (lambda p: torch.save({"format": checkpoint.FORMAT, "version": 1, "spec": "relu"}, p),
     "checkpoint lacks input_shape"),
])
def test_broken_checkpoints(tmp_path: Path, make, message: str) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "x.pt"
    make(path)
    with pytest.raises(CheckpointError) as info:
        checkpoint.load(path)
    assert message in str(info.value)


def test_truncated_checkpoint(tmp_path: Path) -> None:
    checkpoint.save(tmp_path / "a.pt", PAYLOAD)
    data = (tmp_path / "a.pt").read_bytes()
    for cut in (10, len(data) // 2, len(data) - 10):
        (tmp_path / "t.pt").write_bytes(data[:cut])
        with pytest.raises(CheckpointError, match="not a readable checkpoint"):
            checkpoint.load(tmp_path / "t.pt")


def test_failed_write_keeps_previous(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "last.pt"
    checkpoint.save(target, PAYLOAD)
    before = target.read_bytes()

    def disk_full(obj: object, f: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(torch, "save", disk_full)
    with pytest.raises(CheckpointError, match="No space left on device"):
        checkpoint.save(target, {**PAYLOAD, "epoch": 2})
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["last.pt"]


def test_folder_and_missing(tmp_path: Path) -> None:
    with pytest.raises(CheckpointError, match="no such checkpoint"):
        checkpoint.load(tmp_path / "nope.pt")
    (tmp_path / "best.pt").write_bytes(b"")
    with pytest.raises(CheckpointError, match="did you mean"):
        checkpoint.load(tmp_path)
