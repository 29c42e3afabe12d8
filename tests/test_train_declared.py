"""train builds the model the code declares, never one with other sizes: the PyTorch
tutorial's CIFAR Net (Conv2d(3, 6, 5), Linear(16 * 5 * 5, 120)) cannot train on MNIST."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from cnncalc.cli import app

from .idx import write_mnist

CIFAR_NET = """import torch
import torch.nn as nn
import torch.nn.functional as F


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 6, 5)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)
"""


@pytest.mark.parametrize(("extra", "needle"), [
    # 1 channel given: conv1 declares 3 (torch: RuntimeError on a 1-channel input).
    (["--input", "1x28x28"], "Conv2d(3, 6, 5) expects 3 input channels, but the input has 1"),
    # 3x28x28 read from conv1: 28-5+1 = 24, /2 = 12, 12-5+1 = 8, /2 = 4: 16·4·4 = 256, not 400.
    ([], "expects 400 input features, but layer 7 flatten gives 256"),
])
def test_declared_sizes_stop_train_before_any_work(tmp_path: Path, extra: list[str],
                                                  needle: str) -> None:
    data = tmp_path / "mnist"
    write_mnist(data, n_train=64, n_test=16)
    (tmp_path / "net.py").write_text(CIFAR_NET)
    out = tmp_path / "run"
    r = CliRunner().invoke(app, ["train", str(tmp_path / "net.py"), *extra, "--data-dir",
                                 str(data), "--out", str(out), "--epochs", "1"])
    assert r.exit_code == 1, r.output
    # Linear(400) needs 16·k·k = 400, k = 5: a 32x32 input (32-5+1 = 28, /2 = 14, -4 = 10,
    # /2 = 5) with conv1's 3 channels.
    assert needle in r.stderr and "train builds the model the code declares" in r.stderr
    assert "this model takes 3x32x32 images; MNIST is 1x28x28" in r.stderr
    assert not out.exists()


LOOP_INIT = """import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3)
        self.fc = nn.Linear(4 * 26 * 26, 10)
        for m in self.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                nn.init.{weight}
                nn.init.zeros_(m.bias)

    def forward(self, x):
        return self.fc(self.conv(x).flatten(1))
"""


@pytest.mark.parametrize(("weight", "kept"), [
    # train/prep.py's schemes: kaiming = kaiming_normal_(relu), xavier = xavier_uniform_,
    # each with zero biases, on every conv and linear layer.
    ("kaiming_normal_(m.weight, nonlinearity='relu')", "kaiming"),
    ("xavier_uniform_(m.weight)", "xavier"),
    ("normal_(m.weight, 0, 0.1)", None),  # std 0.1 is no scheme of the trainer's (0.01)
])
def test_the_codes_initialisation_is_kept_or_said_not_to_be(tmp_path: Path, weight: str,
                                                            kept: str | None) -> None:
    data = tmp_path / "mnist"
    write_mnist(data, n_train=64, n_test=16)
    (tmp_path / "net.py").write_text(LOOP_INIT.replace("{weight}", weight))
    out = tmp_path / "run"
    r = CliRunner().invoke(app, ["train", str(tmp_path / "net.py"), "--data-dir", str(data),
                                 "--out", str(out), "--epochs", "1", "--batch-size", "32",
                                 "--precision", "fp32", "-q"])
    assert r.exit_code == 0, r.output
    if kept:
        assert f"init {kept}: the code's own initialisation" in r.stderr
        from cnncalc.train import checkpoint

        assert checkpoint.load(out / "last.pt")["options"]["init"] == kept
    else:
        from cnncalc.train import checkpoint

        assert "is not one of the trainer's --init schemes" in r.stderr
        assert checkpoint.load(out / "last.pt")["options"]["init"] == "default"
