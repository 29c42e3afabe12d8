"""Training commands through the CLI: train, resume, evaluate, predict, plot, interruption."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from cnncalc.cli import app
from cnncalc.train import checkpoint

from .idx import write_mnist

SPEC = "conv(8,3)-relu-maxpool(2)-flatten-fc(10)"
QUICK = ["--epochs", "1", "--batch-size", "64", "--lr", "0.01", "--optimizer", "adam",
         "--precision", "fp32", "-q"]


@pytest.fixture(scope="module")
def synth(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("mnist")
    write_mnist(directory, n_train=384, n_test=128)
    return directory


def invoke(*args: str) -> object:
    return CliRunner().invoke(app, list(args))


def test_train_resume_evaluate_predict(synth: Path, tmp_path: Path) -> None:
    run = tmp_path / "run"
    r = invoke("train", SPEC, "--data-dir", str(synth), "--out", str(run), *QUICK)
    assert r.exit_code == 0, r.output  # type: ignore[attr-defined]
    assert {p.name for p in run.iterdir()} == {"last.pt", "best.pt", "metrics.jsonl", ".lock"}
    # The same folder again is refused, naming both ways out.
    r = invoke("train", SPEC, "--data-dir", str(synth), "--out", str(run), *QUICK)
    assert r.exit_code == 1 and "--resume" in r.stderr and "--force" in r.stderr  # type: ignore[attr-defined]
    # Resume to epoch 2; a spec or other options are not accepted with --resume.
    r = invoke("train", "--resume", str(run), "--epochs", "2", "--data-dir", str(synth), "-q")
    assert r.exit_code == 0, r.output  # type: ignore[attr-defined]
    assert len((run / "metrics.jsonl").read_text().splitlines()) == 2
    r = invoke("train", SPEC, "--resume", str(run), "--lr", "0.1")
    assert r.exit_code == 2 and "--lr" in r.stderr  # type: ignore[attr-defined]
    r = invoke("evaluate", str(run / "best.pt"), "--data-dir", str(synth), "-f", "json")
    result = json.loads(r.stdout)  # type: ignore[attr-defined]
    assert set(result) >= {"accuracy", "loss", "per_class_accuracy", "confusion"}
    assert sum(map(sum, result["confusion"])) == 128
    rows = [json.loads(x) for x in (run / "metrics.jsonl").read_text().splitlines()]
    best = max(rows, key=lambda row: row["val_acc"])["test_acc"]  # first of the best
    assert result["accuracy"] == pytest.approx(best, abs=1e-6)
    r = invoke("evaluate", str(run / "best.pt"), str(run / "last.pt"), "--data-dir", str(synth),
               "-f", "json")
    ens = json.loads(r.stdout)  # type: ignore[attr-defined]
    assert len(ens["members"]) == 2 and 0 <= ens["accuracy"] <= 1
    r = invoke("predict", str(run / "best.pt"), "--index", "3", "--data-dir", str(synth),
               "-f", "json")
    top = json.loads(r.stdout)["top"]  # type: ignore[attr-defined]
    assert len(top) == 3 and top[0]["probability"] >= top[1]["probability"] >= top[2]["probability"]


def test_predict_image_files(synth: Path, tmp_path: Path) -> None:
    from PIL import Image

    from cnncalc import data

    run = tmp_path / "run"
    invoke("train", SPEC, "--data-dir", str(synth), "--out", str(run), *QUICK)
    d = data.load(synth)
    digit = d.test_images[0]
    # A dark-on-light 56x56 PNG, as a user would draw it: inverted and resized on reading.
    Image.fromarray(255 - np.kron(digit, np.ones((2, 2), np.uint8))).save(tmp_path / "d.png")
    np.save(tmp_path / "d.npy", digit)
    for path in ("d.png", "d.npy"):
        r = invoke("predict", str(run / "best.pt"), str(tmp_path / path), "-f", "json")
        assert r.exit_code == 0, r.output  # type: ignore[attr-defined]
    (tmp_path / "bad.png").write_bytes(b"not an image")
    r = invoke("predict", str(run / "best.pt"), str(tmp_path / "bad.png"))
    assert r.exit_code == 1 and "not an image cnncalc reads" in r.stderr  # type: ignore[attr-defined]
    r = invoke("predict", str(run / "best.pt"))
    assert r.exit_code == 2  # type: ignore[attr-defined]


def test_plot_png_and_terminal(synth: Path, tmp_path: Path) -> None:
    run = tmp_path / "run"
    invoke("train", SPEC, "--data-dir", str(synth), "--out", str(run), *QUICK)
    r = invoke("plot", str(run))
    assert r.exit_code == 0 and (run / "curves.png").read_bytes()[:4] == b"\x89PNG"  # type: ignore[attr-defined]
    r = invoke("plot", str(run), "--terminal")
    assert "test_acc" in r.stdout  # type: ignore[attr-defined]
    r = invoke("plot", str(tmp_path))
    assert r.exit_code == 1 and "no metrics file" in r.stderr  # type: ignore[attr-defined]


def test_tampered_checkpoint_refused(synth: Path, tmp_path: Path) -> None:
    import torch

    run = tmp_path / "run"
    invoke("train", SPEC, "--data-dir", str(synth), "--out", str(run), *QUICK)
    state = checkpoint.load(run / "best.pt")
    state["spec"] = "conv(4,3)-relu-maxpool(2)-flatten-fc(10)"  # weights of another model
    torch.save(state, tmp_path / "other.pt")
    r = invoke("evaluate", str(tmp_path / "other.pt"), "--data-dir", str(synth))
    assert r.exit_code == 1 and "damaged checkpoint" in r.stderr  # type: ignore[attr-defined]
    assert "Traceback" not in r.output  # type: ignore[attr-defined]


def test_sigint_saves_resumable_checkpoint(synth: Path, tmp_path: Path) -> None:
    run = tmp_path / "run"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "cnncalc", "train", SPEC, "--data-dir", str(synth), "--out",
         str(run), "--epochs", "500", "--batch-size", "32", "--precision", "fp32", "-q"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    deadline = time.time() + 60
    while not (run / "metrics.jsonl").exists() and time.time() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert f"cnncalc train --resume {run}" in err and "Traceback" not in err
    state = checkpoint.load(run / "last.pt")
    assert state["state"]["epoch"] >= 1
    r = invoke("train", "--resume", str(run), "--epochs", str(state["state"]["epoch"] + 1),
               "--data-dir", str(synth), "-q")
    assert r.exit_code == 0, r.output  # type: ignore[attr-defined]


def test_bad_training_flags(synth: Path, tmp_path: Path) -> None:
    cases = [
        (["--optimizer", "rmsprop"], 2, "unknown optimizer 'rmsprop'"),
        (["--schedule", "linear"], 2, "unknown schedule 'linear'"),
        (["--init", "orthogonal"], 2, "unknown init 'orthogonal'"),
        (["--epochs", "0"], 2, "--epochs 0: must be an integer from 1 to 10,000"),
        (["--device", "tpu"], 2, "unknown device 'tpu'"),
        (["--lr", "-1"], 2, "--lr -1.0: must be a number in (0, 1000]"),
    ]
    for flags, code, message in cases:
        r = invoke("train", SPEC, "--data-dir", str(synth), "--out", str(tmp_path / "x"),
                   "-q", *flags)
        assert r.exit_code == code, (flags, r.output)  # type: ignore[attr-defined]
        assert message in r.stderr, (flags, r.stderr)  # type: ignore[attr-defined]
    r = invoke("train", "conv(8,3)-fc(10)", "--data-dir", str(synth), "--out", str(tmp_path / "y"))
    assert r.exit_code == 1 and "insert flatten" in r.stderr  # type: ignore[attr-defined]
    assert not (tmp_path / "y").exists()  # refused before any folder was made


@pytest.mark.slow
def test_real_mnist_subset(mnist: Path, tmp_path: Path) -> None:
    run = tmp_path / "run"
    r = invoke("train", "--preset", "mnist-fast", "--limit-train", "6000", "--data-dir",
               str(mnist), "--out", str(run), "-q", "-f", "json")
    assert r.exit_code == 0, r.output  # type: ignore[attr-defined]
    first = json.loads(r.stdout)  # type: ignore[attr-defined]
    # Chance is ~11% (the largest class, "1", is 1135/10000); 6,000 images of one epoch
    # give this net well above 90%.
    assert first["history"][0]["test_acc"] > 0.90
    r = invoke("train", "--resume", str(run), "--epochs", "2", "--data-dir", str(mnist), "-q")
    assert r.exit_code == 0, r.output  # type: ignore[attr-defined]
    rows = [json.loads(x) for x in (run / "metrics.jsonl").read_text().splitlines()]
    assert [x["epoch"] for x in rows] == [1, 2]
    r = invoke("evaluate", str(run / "best.pt"), "--data-dir", str(mnist), "-f", "json")
    result = json.loads(r.stdout)  # type: ignore[attr-defined]
    # best.pt is the epoch of the best validation accuracy; evaluate gives its test accuracy.
    chosen = max(rows, key=lambda x: x["val_acc"])
    assert result["accuracy"] == pytest.approx(chosen["test_acc"], abs=1e-4)
    # Per-class accuracy is the confusion diagonal over row sums; rows sum to the test counts.
    confusion = np.array(result["confusion"])
    assert confusion.sum() == 10_000 and confusion.sum(1)[1] == 1135
    assert np.allclose(result["per_class_accuracy"], confusion.diagonal() / confusion.sum(1))
    r = invoke("predict", str(run / "best.pt"), "--index", "0", "--data-dir", str(mnist),
               "-f", "json")
    out = json.loads(r.stdout)  # type: ignore[attr-defined]
    assert out["label"] == 7 and out["top"][0]["class"] == 7


def test_plot_falls_back_to_terminal_without_matplotlib(
        synth: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run = tmp_path / "run"
    invoke("train", SPEC, "--data-dir", str(synth), "--out", str(run), *QUICK)
    monkeypatch.setitem(sys.modules, "cnncalc.train.plotting", None)  # import fails, as if missing
    r = CliRunner().invoke(app, ["plot", str(run)])
    assert r.exit_code == 0 and "matplotlib is not installed" in r.stderr
    assert "test_acc" in r.stdout and not (run / "curves.png").exists()
