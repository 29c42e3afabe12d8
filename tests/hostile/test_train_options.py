"""Hostile `train` options: each refused in one line, exit 2, before any data is read."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from cnncalc.cli import app
from cnncalc.errors import UsageError
from cnncalc.train.loop import TrainOptions

from ..idx import write_mnist

SPEC = "conv(4,3)-relu-maxpool(2)-flatten-fc(10)"
INT64 = "9,223,372,036,854,775,807"

CASES = [
    (["--label-smoothing", "5"], "--label-smoothing 5.0: must be a number in [0, 1]"),
    (["--label-smoothing", "nan"], "--label-smoothing nan: must be a number in [0, 1]"),
    (["--label-smoothing", "-0.1"], "--label-smoothing -0.1: must be a number in [0, 1]"),
    (["--seed", str(2**70)], f"--seed {2**70}: must be an integer from 0 to {INT64}"),
    (["--seed", "-1"], f"--seed -1: must be an integer from 0 to {INT64}"),
    (["--lr", "0"], "--lr 0.0: must be a number in (0, 1000]"),
    (["--lr", "nan"], "--lr nan: must be a number in (0, 1000]"),
    (["--lr", "inf"], "--lr inf: must be a number in (0, 1000]"),
    (["--lr", "1e9"], "--lr 1000000000.0: must be a number in (0, 1000]"),
    (["--weight-decay", "-1"], "--weight-decay -1.0: must be a number in [0, 1]"),
    (["--weight-decay", "inf"], "--weight-decay inf: must be a number in [0, 1]"),
    (["--epochs", "0"], "--epochs 0: must be an integer from 1 to 10,000"),
    (["--epochs", str(10**12)], f"--epochs {10**12}: must be an integer from 1 to 10,000"),
    (["--batch-size", "0"], "--batch-size 0: must be an integer from 1 to 1,000,000"),
    (["--batch-size", str(2**40)], f"--batch-size {2**40}: must be an integer from 1 to "),
    (["--limit-train", "0"], "--limit-train 0: must be an integer from 1 to 100,000,000"),
    (["--val-split", "-1"], "--val-split -1: must be an integer from 0 to 100,000,000"),
    (["--val-split", str(10**15)], f"--val-split {10**15}: must be an integer from 0 to "),
    (["--patience", "0"], "--patience 0: must be an integer from 1 to 10,000"),
    (["--patience", "2", "--val-split", "0"], "--patience needs a validation split"),
    (["--optimizer", "rmsprop"], "unknown optimizer 'rmsprop'"),
    (["--schedule", "linear"], "unknown schedule 'linear'"),
    (["--init", "orthogonal"], "unknown init 'orthogonal'"),
    (["--device", "tpu"], "unknown device 'tpu'"),
    (["--device", "cuda:x"], "unknown device 'cuda:x'"),
    (["--precision", "fp8"], "unknown precision 'fp8'"),
]


@pytest.mark.parametrize(("flags", "message"), CASES, ids=[" ".join(c[0]) for c in CASES])
def test_refused_before_data(tmp_path: Path, flags: list[str], message: str) -> None:
    # The data folder does not exist: an error about data would mean it was read first.
    out = tmp_path / "out"
    r = CliRunner().invoke(app, ["train", SPEC, "--data-dir", str(tmp_path / "nowhere"),
                                 "--out", str(out), "-q", *flags])
    assert r.exit_code == 2, r.output
    assert message in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.output
    assert not out.exists()


@pytest.mark.parametrize(("flags", "message"), CASES[:3])
def test_api_checks_the_same_ranges(flags: list[str], message: str) -> None:
    with pytest.raises(UsageError, match="label-smoothing"):
        TrainOptions(label_smoothing=float(flags[1])).check()


def test_types_from_python_are_checked() -> None:
    with pytest.raises(UsageError, match=r"--epochs 2\.5"):
        TrainOptions(epochs=2.5).check()  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="--seed True"):
        TrainOptions(seed=True).check()


def test_split_larger_than_the_data(tmp_path: Path) -> None:
    write_mnist(tmp_path / "d", n_train=100, n_test=20)
    r = CliRunner().invoke(app, ["train", SPEC, "--data-dir", str(tmp_path / "d"), "--out",
                                 str(tmp_path / "out"), "-q", "--val-split", "100"])
    assert r.exit_code == 2
    assert "--val-split 100 leaves no training images (the training set has 100)" in r.stderr
    assert not (tmp_path / "out" / "last.pt").exists()


def test_resume_overrides_are_checked(tmp_path: Path) -> None:
    # Checked before the run folder is even looked at (this one holds no run).
    r = CliRunner().invoke(app, ["train", "--resume", str(tmp_path), "--epochs", "0"])
    assert r.exit_code == 2 and len(r.stderr.strip().splitlines()) == 1
    assert "--epochs 0: must be an integer" in r.stderr


def test_largest_seed_trains(tmp_path: Path) -> None:
    write_mnist(tmp_path / "d", n_train=60, n_test=20)
    r = CliRunner().invoke(app, ["train", SPEC, "--data-dir", str(tmp_path / "d"), "--out",
                                 str(tmp_path / "out"), "-q", "--epochs", "1",
                                 "--seed", str(2**63 - 1), "--precision", "fp32"])
    assert r.exit_code == 0, r.output
