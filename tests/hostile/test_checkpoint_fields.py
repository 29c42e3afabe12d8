"""Crafted checkpoint fields (checksums recomputed, as an attacker who knows the format would)
are refused before any work: one line naming the field, no data read, nothing written.

Each resume and evaluate below is given a data folder that does not exist: the checkpoint's
error, not the data's, proves the checkpoint was refused before any data was read.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
import torch

from cnncalc.train import checkpoint

from .harness import cli
from .test_checkpoints import forge


def _run_with(good_run: Path, tmp_path: Path, **changes: Any) -> Path:
    """A copy of the run (last.pt and metrics.jsonl) whose last.pt carries `changes`."""
    run = tmp_path / "run"
    run.mkdir()
    forge(good_run / "last.pt", run / "last.pt", **changes)
    (run / "metrics.jsonl").write_bytes((good_run / "metrics.jsonl").read_bytes())
    return run


def _state(good_run: Path) -> dict[str, Any]:
    return checkpoint.load(good_run / "last.pt")


def _resume_refused(run: Path, tmp_path: Path, *needles: str) -> None:
    before = {p.name: p.read_bytes() for p in run.iterdir() if p.is_file()}
    r = cli("train", "--resume", str(run), "--epochs", "3", "--data-dir",
            str(tmp_path / "nowhere"))
    r.one_line_error(1, "damaged checkpoint", *needles)
    after = {p.name: p.read_bytes() for p in run.iterdir() if p.is_file()}
    assert after == before  # nothing trained, nothing rewritten, no lock file made


def _history_with(good_run: Path, **row_changes: Any) -> list[dict[str, Any]]:
    history = [dict(row) for row in _state(good_run)["history"]]
    history[0].update(row_changes)
    return history


@pytest.mark.parametrize(("change", "needles"), [
    # A text where a number belongs: before, a ValueError after a whole epoch had trained.
    ("test_acc", ("history row 1: test_acc 'abc' is not an accuracy",)),
    ("train_loss", ("history row 1: train_loss 'abc' is not a finite number",)),
    ("epoch", ("history row 1: epoch 'abc' is not an epoch number",)),
])
def test_a_text_in_a_history_row_is_refused_before_training(
        good_run: Path, tmp_path: Path, change: str, needles: tuple[str, ...]) -> None:
    run = _run_with(good_run, tmp_path, history=_history_with(good_run, **{change: "abc"}))
    _resume_refused(run, tmp_path, *needles)


def _state_with(good_run: Path, **changes: Any) -> dict[str, Any]:
    return {**_state(good_run)["state"], **changes}


@pytest.mark.parametrize(("changes", "needles"), [
    # before: an IndexError once the resumed epoch had trained
    ({"state": {"best_epoch": 999}}, ("state best_epoch 999",)),
    ({"history": []}, ("state best_epoch 1 names an epoch its history of 0 rows",)),
    ({"state": {"partial": {"loss": "x"}}}, ("state partial loss 'x'",)),
    ({"state": {"partial": {"payload": 1.0}}}, ("state partial holds 'payload'",)),
    ({"state": {"best_acc": 7.0}}, ("state best_acc 7",)),
    ({"scheduler": {"name": "onecycle"}}, ("scheduler plan is missing",)),
    ({"scheduler": {"plan": {"start": "a", "total": 1}}}, ("scheduler plan start 'a'",)),
    ({"rng": {"cpu": torch.zeros(3, dtype=torch.uint8)}}, ("rng cpu is not a generator",)),
])
def test_crafted_training_state_is_refused_before_training(
        good_run: Path, tmp_path: Path, changes: dict[str, Any],
        needles: tuple[str, ...]) -> None:
    if "state" in changes:
        changes = {**changes, "state": _state_with(good_run, **changes["state"])}
    _resume_refused(_run_with(good_run, tmp_path, **changes), tmp_path, *needles)


@pytest.mark.parametrize(("key", "value", "needle"), [
    ("betas", "ab", "betas 'ab' is not two numbers"),
    ("lr", math.nan, "lr nan"),
    ("decoupled_weight_decay", "yes", "decoupled_weight_decay 'yes'"),
])
def test_crafted_optimizer_settings_are_refused_before_training(
        good_run: Path, tmp_path: Path, key: str, value: Any, needle: str) -> None:
    opt = _state(good_run)["optimizer"]
    opt["param_groups"][0][key] = value
    _resume_refused(_run_with(good_run, tmp_path, optimizer=opt), tmp_path, needle)


def _model_with(good_run: Path, **tensors: torch.Tensor) -> dict[str, torch.Tensor]:
    return {**_state(good_run)["model"], **tensors}


@pytest.mark.parametrize(("name", "value", "needle"), [
    # before: std 0 evaluated silently to a 9.80% accuracy and a nan% loss
    ("prep.std", 0.0, "prep.std 0 is not a usable standard deviation"),
    ("prep.std", 1e-30, "prep.std 1e-30 is not a usable standard deviation"),
    ("prep.std", math.nan, "prep.std nan is not a finite number"),
    ("prep.mean", math.inf, "prep.mean inf is not a finite number"),
    ("prep.mean", -math.inf, "prep.mean -inf is not a finite number"),
])
def test_unusable_normalisation_is_refused_by_every_reader(
        good_run: Path, tmp_path: Path, name: str, value: float, needle: str) -> None:
    path = tmp_path / "x.pt"
    forge(good_run / "last.pt", path, model=_model_with(good_run, **{name: torch.tensor(value)}))
    cli("evaluate", str(path), "--data-dir", str(tmp_path / "nowhere")).one_line_error(
        1, str(path), "damaged checkpoint", needle)
    digit = tmp_path / "digit.npy"
    import numpy as np

    np.save(digit, np.zeros((28, 28), np.uint8))
    cli("predict", str(path), str(digit)).one_line_error(1, needle)
    if name == "prep.std" and value == 0.0:  # once is enough: visualize reads the same way
        pytest.importorskip("matplotlib")
        out = tmp_path / "view.png"
        cli("visualize", str(path), "--image", str(digit), "-o", str(out)).one_line_error(
            1, needle)
        assert not out.exists()


def test_nan_weights_and_overflowing_weights_are_refused(good_run: Path, synth: Path,
                                                         tmp_path: Path) -> None:
    weight = _state(good_run)["model"]["layers.4.weight"]
    nan = weight.clone()
    nan[0, 0] = math.nan
    path = forge(good_run / "last.pt", tmp_path / "nan.pt",
                 model=_model_with(good_run, **{"layers.4.weight": nan}))
    cli("evaluate", str(path), "--data-dir", str(tmp_path / "nowhere")).one_line_error(
        1, "weight layers.4.weight holds NaN or infinite values")
    # Finite weights whose products overflow float32 (3e38 x 676 inputs): every score is
    # infinite or NaN, so no accuracy may be printed from them.
    path = forge(good_run / "last.pt", tmp_path / "huge.pt",
                 model=_model_with(good_run, **{"layers.4.weight": torch.full_like(
                     weight, 3e38)}))
    r = cli("evaluate", str(path), "--data-dir", str(synth))
    r.one_line_error(1, "NaN or infinite class scores for 64 of 64 images")
    assert "%" not in r.stdout


def test_model_layout_that_is_not_a_layout(good_run: Path, tmp_path: Path) -> None:
    path = forge(good_run / "last.pt", tmp_path / "x.pt", model_layout="abc")
    cli("evaluate", str(path), "--data-dir", str(tmp_path / "nowhere")).one_line_error(
        1, "model_layout 'abc' is not one of 1, 2")
