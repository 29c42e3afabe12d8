"""`cnncalc visualize` on a tiny trained run: the maps match the spec's shapes and torch's own
forward pass; hostile files and flags get one-line errors."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from cnncalc.cli import app

from .idx import write_mnist

pytest.importorskip("torch")
pytest.importorskip("matplotlib")

SPEC = "conv(8,3)-relu-maxpool(2)-conv(16,3)-bn-relu-flatten-fc(10)"
QUICK = ["--epochs", "1", "--batch-size", "64", "--lr", "0.01", "--optimizer", "adam",
         "--precision", "fp32", "-q"]


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    data = tmp_path_factory.mktemp("mnist")
    write_mnist(data, n_train=256, n_test=64)
    run = tmp_path_factory.mktemp("run")
    r = CliRunner().invoke(app, ["train", SPEC, "--data-dir", str(data), "--out", str(run),
                                 "--force", *QUICK])
    assert r.exit_code == 0, r.output
    return data, run


def test_maps_are_the_spec_stages_and_torch_agrees(tiny: tuple[Path, Path]) -> None:
    import torch

    from cnncalc.train.evaluate import load_model
    from cnncalc.train.visualize import view

    _, run = tiny
    image = np.zeros((28, 28), np.uint8)
    image[8:20, 6:22] = 255
    v = view(run / "best.pt", image, None)
    # 28-3+1 = 26 (conv 3x3); maxpool 2 → 13; 13-3+1 = 11 (conv 3x3).
    assert [(s.label, s.shape, s.maps.shape, s.channels) for s in v.stages] == [
        ("conv(8,3)-relu", "8x26x26", (8, 26, 26), 8),
        ("conv(16,3)-bn-relu", "16x11x11", (16, 11, 11), 16)]
    loaded = load_model(run / "best.pt", torch.device("cpu"))
    conv = loaded.logits_model.layers[0]
    assert v.filters.shape == (8, 3, 3)
    np.testing.assert_allclose(v.filters, conv.weight.detach().mean(1).numpy(), rtol=1e-6)
    # The oracle: torch's own first layers on the same normalised image.
    from cnncalc.train.prep import tensors
    raw = tensors(image[None], (1, 28, 28), torch.device("cpu"))  # 0..1 pixels
    with torch.no_grad():
        x = loaded.logits_model.prep(raw)  # the model's own padding and normalisation
        first = torch.relu(conv(x))[0].numpy()
        probs = loaded.logits_model(raw).softmax(1)[0]
    np.testing.assert_allclose(v.stages[0].maps, first, rtol=1e-5, atol=1e-6)
    assert v.predicted == int(probs.argmax()) and v.probability == pytest.approx(
        float(probs.max()), rel=1e-5)


def test_cli_writes_png(tiny: tuple[Path, Path], tmp_path: Path) -> None:
    data, run = tiny
    out = tmp_path / "view.png"
    r = CliRunner().invoke(app, ["visualize", str(run / "best.pt"), "--index", "3",
                                 "--data-dir", str(data), "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert [p.name for p in tmp_path.iterdir()] == ["view.png"]  # no temp file left
    digit = tmp_path / "digit.npy"
    np.save(digit, np.full((28, 28), 0.1))
    r = CliRunner().invoke(app, ["visualize", str(run / "best.pt"), "--image", str(digit)])
    assert r.exit_code == 0, r.output
    assert (run / "view.png").exists()


def test_hostile_inputs(tiny: tuple[Path, Path], tmp_path: Path) -> None:
    data, run = tiny
    junk = tmp_path / "junk.pt"
    junk.write_bytes(b"\x80\x04not a checkpoint")
    text = tmp_path / "a.png"
    text.write_text("not an image")
    cases = [
        # The wording is the checkpoint loader's and image reader's (shared with predict).
        (["visualize", str(junk)], 1, "junk.pt"),
        (["visualize", str(tmp_path / "none.pt")], 1, "none.pt"),
        (["visualize", str(run)], 1, "folder"),
        (["visualize", str(run / "best.pt"), "--image", str(text)], 1, "a.png"),
        (["visualize", str(run / "best.pt"), "--image", str(text), "--index", "1"], 2,
         "not both"),
        (["visualize", str(run / "best.pt"), "--index", "100000", "--data-dir", str(data)],
         2, "outside the test set"),
        (["visualize", str(run / "best.pt"), "-o", str(tmp_path / "v.jpg")], 2, "PNG"),
    ]
    for args, code, words in cases:
        r = CliRunner().invoke(app, args)
        assert r.exit_code == code, (args, r.output)
        err = r.stderr.strip()
        assert words in err and len(err.splitlines()) == 1, (args, err)


def test_memory_budget_is_checked_before_building(tiny: tuple[Path, Path],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from cnncalc.train import visualize

    data, run = tiny
    monkeypatch.setattr(visualize, "BUDGET", 1000)
    built = []
    monkeypatch.setattr(visualize, "prepare_model",
                        lambda *a: built.append(a))  # must not be reached
    r = CliRunner().invoke(app, ["visualize", str(run / "best.pt"), "--index", "0",
                                 "--data-dir", str(data)])
    assert r.exit_code == 1 and "the limit is" in r.stderr and not built


def test_missing_matplotlib_names_the_extra(tiny: tuple[Path, Path],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    _, run = tiny
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    r = CliRunner().invoke(app, ["visualize", str(run / "best.pt")])
    assert r.exit_code == 2 and "cnncalc[plot]" in r.stderr
