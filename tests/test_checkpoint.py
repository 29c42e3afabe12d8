"""Checkpoints: atomic saves, and hostile or broken files refused without running code."""

from __future__ import annotations

import os
import pickle
import re
from pathlib import Path

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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


def test_every_tensor_is_checksummed(tmp_path: Path) -> None:
    checkpoint.save(tmp_path / "a.pt", {**PAYLOAD, "optimizer": {"state": {0: {
        "exp_avg": torch.ones(3)}}}})
    state = checkpoint.load(tmp_path / "a.pt")
    assert set(state["integrity"]["tensors"]) == {"model/0.weight", "model/0.bias",
                                                  "optimizer/state/#0/exp_avg"}
    # one value changed, the old checksums kept: damage, whichever tensor it is
    for where in ("model", "optimizer"):
        bad = checkpoint.load(tmp_path / "a.pt")
        target = bad["model"]["0.bias"] if where == "model" else \
            bad["optimizer"]["state"][0]["exp_avg"]
        target[0] = 1e-3
        torch.save(bad, tmp_path / "b.pt")
        with pytest.raises(CheckpointError, match=r"damaged checkpoint \(1 tensor\(s\) fail"):
            checkpoint.load(tmp_path / "b.pt")


def test_format_1_without_checksums_still_loads(tmp_path: Path) -> None:
    torch.save({**PAYLOAD, "format": checkpoint.FORMAT, "version": 1}, tmp_path / "old.pt")
    assert checkpoint.load(tmp_path / "old.pt")["spec"] == "fc(10)"


def test_unknown_keys_are_tolerated(tmp_path: Path) -> None:
    checkpoint.save(tmp_path / "a.pt", {**PAYLOAD, "world_size": 2, "val_split": {"n": 5000},
                                        "normaliser": torch.tensor([0.1, 0.3])})
    assert checkpoint.load(tmp_path / "a.pt")["world_size"] == 2


@pytest.mark.parametrize(("change", "message"), [
    ({"epoch": "abc"}, "epoch 'abc' is not a count"),
    ({"epoch": True}, "epoch 'True' is not a count"),
    ({"epoch": -1}, "is not a count"),
    ({"input_shape": [1, 0, 28]}, "input_shape"),
    ({"input_shape": "1x28x28"}, "input_shape"),
    ({"spec": 7}, "its spec is not a text"),
    ({"model": {"0.weight": [1.0]}}, "not a state dict of tensors"),
    ({"history": {"epoch": 1}}, "history must be a list"),
    ({"history": [{"epoch": 1, "x": {"y": 1}}]}, "history row 1 holds a dict"),
    ({"history": [{"epoch": 1, "x": [[1.0]]}]}, "history row 1 holds a list"),
    ({"history": [{"epoch": 1, "x": [0.5] * 1001}]}, "history row 1 holds a list"),
    ({"history": [{"epoch": 1, "x": "y" * 1001}]}, "history row 1 holds a str"),
    ({"history": [{"epoch": 1, "x": 1 << 63}]}, "history row 1 holds a int"),
    ({"history": [{"epoch": 1}] * 100_001}, "at most 100,000 epochs"),
    ({"state": {"epoch": "abc"}}, "state epoch 'abc' is not a count"),
    ({"state": {"epoch": 1, "step_in_epoch": 0, "global_step": 1, "best_acc": float("nan")}},
     "best_acc"),
    ({"version": "2"}, "format version '2' is not a version"),
])
def test_metadata_is_validated(change: dict[str, object], message: str) -> None:
    data = {**PAYLOAD, "format": checkpoint.FORMAT, "version": 1, **change}
    with pytest.raises(CheckpointError, match=re.escape(message)):
        checkpoint.validate(data, Path("x.pt"))


def test_history_rows_may_hold_short_lists_of_numbers() -> None:
    row = {"epoch": 1, "val_acc": 0.9, "per_class_accuracy": [0.9] * 10, "note": None}
    data = {**PAYLOAD, "format": checkpoint.FORMAT, "version": 1, "history": [row]}
    assert checkpoint.validate(data, Path("x.pt"))["history"] == [row]


def test_resume_needs_state() -> None:
    data = {**PAYLOAD, "format": checkpoint.FORMAT, "version": 1}
    assert checkpoint.validate(dict(data), Path("x.pt"))["spec"] == "fc(10)"
    with pytest.raises(CheckpointError, match="lacks state"):
        checkpoint.validate(dict(data), Path("x.pt"), resume=True)


SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
VALUES = st.recursive(SCALARS | st.builds(torch.zeros, st.integers(0, 3)),
                      lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=20)
KEYS = st.sampled_from([*checkpoint.REQUIRED, "history", "state", "integrity", "optimizer",
                        "other"])


@settings(max_examples=int(os.environ.get("CNNCALC_FUZZ_CASES", "1500")) // 10, deadline=None,
          derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(KEYS, VALUES, max_size=12), st.booleans(), st.booleans())
def test_fuzz_metadata(extra: dict[str, object], keep_base: bool, resume: bool) -> None:
    """Fuzz target for the loader's metadata: any dict either validates or is refused with a
    CheckpointError, never another exception."""
    data = {**(PAYLOAD if keep_base else {}), "format": checkpoint.FORMAT, "version": 2, **extra}
    try:
        checkpoint.validate(data, Path("x.pt"), resume)
    except CheckpointError as e:
        assert "\n" not in str(e)


def test_legacy_format_is_refused_before_it_allocates(tmp_path: Path) -> None:
    # The legacy format allocates every storage at its declared size before reading it.
    torch.save({**PAYLOAD, "format": checkpoint.FORMAT, "version": 1}, tmp_path / "old.pt",
               _use_new_zipfile_serialization=False)
    with pytest.raises(CheckpointError, match="legacy format, which cnncalc never writes"):
        checkpoint.load(tmp_path / "old.pt")


def test_zip_with_too_many_entries_refused_from_its_end_record(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import zipfile

    checkpoint.save(tmp_path / "a.pt", PAYLOAD)
    assert checkpoint._declared_entries(tmp_path / "a.pt", (tmp_path / "a.pt").stat().st_size) \
        == len(zipfile.ZipFile(tmp_path / "a.pt").infolist())
    monkeypatch.setattr(checkpoint, "MAX_ENTRIES", 10)  # the same rule, on a small file
    for name, force64 in (("many.pt", False), ("many64.pt", True)):
        with zipfile.ZipFile(tmp_path / name, "w") as z:
            for i in range(11):
                with z.open(f"x/{i}", "w", force_zip64=force64) as f:
                    f.write(b"")
        with pytest.raises(CheckpointError, match="declares 11 entries, more than 10"):
            checkpoint.load(tmp_path / name)
