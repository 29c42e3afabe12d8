"""GPU paths: fp16 with a gradient scaler, torch.compile. They run only where CUDA is."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from cnncalc import data
from cnncalc.errors import ResourceError
from cnncalc.train import checkpoint
from cnncalc.train.device import resolve_precision
from cnncalc.train.loop import TrainOptions, train

from .idx import write_mnist

SPEC = "conv(8,3,bias=false)-bn-relu-maxpool(2)-flatten-fc(10)"
cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA GPU: GPU paths skipped")


@pytest.fixture(scope="module")
def synth(tmp_path_factory: pytest.TempPathFactory) -> data.Mnist:
    directory = tmp_path_factory.mktemp("mnist")
    write_mnist(directory, n_train=384, n_test=128)
    return data.load(directory)


def test_fp16_and_compile_refused_off_cuda(tmp_path: Path) -> None:
    with pytest.raises(ResourceError, match="--precision fp16 needs a CUDA GPU, not cpu"):
        resolve_precision("fp16", torch.device("cpu"))
    from typer.testing import CliRunner

    from cnncalc.cli import app

    for flags, message in ((["--precision", "fp16"], "fp16 needs a CUDA GPU"),
                           (["--compile"], "--compile is for CUDA GPUs, not cpu")):
        r = CliRunner().invoke(app, ["train", SPEC, "--device", "cpu", "--data-dir",
                                     str(tmp_path / "none"), "--out", str(tmp_path / "o"),
                                     *flags])
        assert r.exit_code in (1, 2) and message in r.stderr, r.output
        assert not (tmp_path / "o").exists()  # refused before data or the run folder


@cuda
def test_fp16_trains_with_a_gradient_scaler_and_resumes(synth: data.Mnist,
                                                        tmp_path: Path) -> None:
    options = TrainOptions(epochs=2, batch_size=64, lr=0.01, device="cuda", precision="fp16")
    result = train(SPEC, (1, 28, 28), options, tmp_path, synth)
    assert result.precision == "fp16" and result.history[-1]["test_acc"] > 0.9
    ck = checkpoint.load(tmp_path / "last.pt")
    assert "scale" in ck["scaler"]  # the GradScaler's state, for resume
    more = TrainOptions(**{**options.__dict__, "epochs": 3})
    assert train(SPEC, (1, 28, 28), more, tmp_path, synth, resume=ck).epoch == 3


@cuda
def test_compile_trains(synth: data.Mnist, tmp_path: Path) -> None:
    options = TrainOptions(epochs=1, batch_size=64, lr=0.01, device="cuda", compile=True)
    assert train(SPEC, (1, 28, 28), options, tmp_path, synth).history[-1]["test_acc"] > 0.5
