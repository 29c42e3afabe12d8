"""Hostile and broken inputs through the CLI: one clear line, exit code 1, nothing lost."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest
import torch
from typer.testing import CliRunner

from cnncalc.cli import app
from cnncalc.errors import CheckpointError
from cnncalc.train import checkpoint
from cnncalc.train import loop as train_mod
from cnncalc.train.loop import TrainOptions

from .idx import write_mnist

SPEC = "conv(4,3)-relu-maxpool(2)-flatten-fc(10)"


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("hostile")
    write_mnist(base / "mnist", n_train=256, n_test=64)
    r = CliRunner().invoke(app, ["train", SPEC, "--data-dir", str(base / "mnist"), "--out",
                                 str(base / "run"), "--epochs", "1", "--precision", "fp32",
                                 "-q"])
    assert r.exit_code == 0, r.output
    return base / "mnist", base / "run"


class Marker:
    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self) -> tuple[object, ...]:
        return (os.system, (f"touch {self.path}",))


def _hostile(kind: str, good: Path, target: Path, marker: Path) -> None:
    raw = good.read_bytes()
    if kind == "truncated":
        target.write_bytes(raw[: len(raw) // 3])
    elif kind == "empty":
        target.write_bytes(b"")
    elif kind == "other model":
        state = checkpoint.load(good)
        state["spec"] = "conv(8,5)-relu-flatten-fc(10)"
        torch.save(state, target)
    elif kind == "future version":
        state = checkpoint.load(good)
        state["version"] = checkpoint.VERSION + 1
        torch.save(state, target)
    elif kind == "crafted pickle":
        torch.save({"format": checkpoint.FORMAT, "x": Marker(marker)}, target)
    elif kind == "raw pickle":
        target.write_bytes(pickle.dumps(Marker(marker)))
    elif kind == "plain state dict":
        torch.save({"0.weight": torch.zeros(4, 1, 3, 3)}, target)
    elif kind == "random bytes":
        target.write_bytes(os.urandom(4096))


KINDS = ["truncated", "empty", "other model", "future version", "crafted pickle",
         "raw pickle", "plain state dict", "random bytes"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("command", ["evaluate", "predict", "resume"])
def test_hostile_checkpoints(run: tuple[Path, Path], tmp_path: Path, kind: str,
                             command: str) -> None:
    data, good_run = run
    marker = tmp_path / "code-ran"
    target = tmp_path / "run" / "last.pt"
    target.parent.mkdir()
    _hostile(kind, good_run / "last.pt", target, marker)
    args = {"evaluate": ["evaluate", str(target), "--data-dir", str(data)],
            "predict": ["predict", str(target), "--index", "0", "--data-dir", str(data)],
            "resume": ["train", "--resume", str(target.parent), "--epochs", "2",
                       "--data-dir", str(data)]}[command]
    r = CliRunner().invoke(app, args)
    assert r.exit_code == 1, (kind, command, r.output)
    assert str(target) in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert "Traceback" not in r.output
    assert not marker.exists()  # the payload never ran


@pytest.mark.parametrize(("name", "content"), [
    ("train-images-idx3-ubyte", lambda raw: raw[:-500]),
    ("train-images-idx3-ubyte", lambda raw: b"\x00\x00\x08\x01" + raw[4:]),
    ("train-labels-idx1-ubyte", lambda raw: raw[:8] + raw[9:]),
    ("t10k-images-idx3-ubyte", lambda raw: raw[:4] + (99).to_bytes(4, "big") + raw[8:]),
])
def test_hostile_idx_files(tmp_path: Path, name: str, content) -> None:  # type: ignore[no-untyped-def]
    write_mnist(tmp_path / "d", n_train=64, n_test=32, gz=False)
    path = tmp_path / "d" / name
    path.write_bytes(content(path.read_bytes()))
    r = CliRunner().invoke(app, ["train", SPEC, "--data-dir", str(tmp_path / "d"), "--out",
                                 str(tmp_path / "run"), "-q"])
    assert r.exit_code == 1 and name in r.stderr, r.output
    assert not (tmp_path / "run" / "last.pt").exists()


def test_disk_full_mid_run_keeps_previous_checkpoint(run: tuple[Path, Path], tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from cnncalc import data as data_mod

    data, _ = run
    mnist = data_mod.load(data)
    out = tmp_path / "run"
    opts = TrainOptions(epochs=1, batch_size=64, lr=0.01, optimizer="adam", precision="fp32")
    train_mod.train(SPEC, (1, 28, 28), opts, out, mnist)
    before = (out / "last.pt").read_bytes()
    real_save = torch.save

    def failing_save(obj: object, f: object, *a: object, **k: object) -> None:
        real_save(obj, f, *a, **k)  # type: ignore[arg-type]
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(torch, "save", failing_save)
    state = checkpoint.load(out / "last.pt")
    with pytest.raises(CheckpointError, match="No space left on device"):
        train_mod.train(SPEC, (1, 28, 28), TrainOptions(**{**opts.__dict__, "epochs": 2}), out,
                        mnist, resume=state)
    assert (out / "last.pt").read_bytes() == before
    assert not list(out.glob(".*tmp*"))


def test_unwritable_out_refused_before_work(run: tuple[Path, Path], tmp_path: Path) -> None:
    data, _ = run
    (tmp_path / "file").write_text("x")
    r = CliRunner().invoke(app, ["train", SPEC, "--data-dir", str(data), "--out",
                                 str(tmp_path / "file" / "run")])
    assert r.exit_code == 1 and "cannot write" in r.stderr


def test_oversized_model_refused_before_allocating(run: tuple[Path, Path],
                                                   tmp_path: Path) -> None:
    data, _ = run
    # conv(100000,3) on 28x28: 100,000·26·26 floats = 270 MB of activations per image,
    # times 256 images, twice for backward: far beyond any laptop.
    r = CliRunner().invoke(app, ["train", "conv(100000,3)-flatten-fc(10)", "--data-dir",
                                 str(data), "--out", str(tmp_path / "big")])
    assert r.exit_code == 1 and "needs about" in r.stderr and "GiB" in r.stderr
    assert not (tmp_path / "big").exists()
