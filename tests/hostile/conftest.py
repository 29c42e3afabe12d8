"""Fixtures for the hostile corpus: synthetic data and one small trained run, made once."""

from __future__ import annotations

from pathlib import Path

import pytest

from ..idx import write_mnist

SPEC = "conv(4,3)-relu-maxpool(2)-flatten-fc(10)"


@pytest.fixture(scope="session")
def synth(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("synth")
    write_mnist(directory, n_train=128, n_test=64)
    return directory


@pytest.fixture(scope="session")
def good_run(synth: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from cnncalc import data
    from cnncalc.train.loop import TrainOptions, train

    out = tmp_path_factory.mktemp("run") / "run"
    train(SPEC, (1, 28, 28), TrainOptions(epochs=1, batch_size=64, precision="fp32"), out,
          data.load(synth))
    return out
