"""explain shows its working; solve finds settings and inputs; both through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from typer.testing import CliRunner

from cnncalc.calc import summarize_spec
from cnncalc.calc.explain import explain, torchinfo_mult_adds
from cnncalc.calc.solve import ranges, solve_input, solve_layer
from cnncalc.cli import app
from cnncalc.presets import PRESETS
from cnncalc.train.model import build

PASTED = Path(__file__).resolve().parent / "fixtures" / "pasted_net.py"


def test_explain_lines_and_remarks() -> None:
    s = summarize_spec("conv(32,5,padding=1)-bn-relu-maxpool(3,stride=2)", (1, 28, 28))
    first, _, _, pool = explain(s)
    assert ("", "(28 - 5 + 2·1)/1 + 1 = 26") in first.lines
    assert ("parameters", "(F_h·F_w·C_in/groups)·C_out + C_out (bias) = (5·5·1)·32 + 32 = 832"
            ) in first.lines
    assert "padding='same' would pad 2 and keep 28; padding=1 gives 26" in first.remarks
    assert any("bias=false saves 32 parameters" in r for r in first.remarks)
    # (26 - 3)/2 = 11.5: floor → 12; the last row and column are never read
    assert any("never read" in r for r in pool.remarks)
    assert "Keras padding='same' would give ⌈26/2⌉ = 13 here, not 12" in pool.remarks


def test_explain_markdown_cli() -> None:
    r = CliRunner().invoke(app, ["explain", "conv(8,3)-flatten-fc(10)", "-f", "markdown"])
    assert r.exit_code == 0
    assert "### Layer 1: `conv(8,3)` (1x28x28 → 8x26x26)" in r.stdout
    # (3·3·1)·8 + 8 = 80
    assert "= (3·3·1)·8 + 8 = 80" in r.stdout


@pytest.mark.parametrize("name", ["lenet5", "resnet18", "alexnet"])
def test_torchinfo_mult_adds_reconciled(name: str) -> None:
    torchinfo = pytest.importorskip("torchinfo")
    p = PRESETS[name]
    s = summarize_spec(p.spec, tuple(int(x) for x in p.input.split("x")))
    with torch.device("meta"):
        model = build(s)
    stats = torchinfo.summary(model, input_size=(1, *s.input_shape), verbose=0,
                              device="meta")
    assert stats.total_mult_adds == torchinfo_mult_adds(s)


def test_solve_layer_hand_derived() -> None:
    # 28 → 14 with a 3x3 kernel: stride 2, padding 1: ⌊(28 - 3 + 2)/2⌋ + 1 = 14, and the
    # last window reads pixel 13·2 - 1 + 2 = 27, the last row: exact.
    best = solve_layer(28, 14, kernel=3)[0]
    assert (best.kernel, best.stride, best.padding, best.dilation, best.exact) == (3, 2, 1, 1,
                                                                                  True)
    # 224 → 7, any kernel: 32x32 patches at stride 32 tile exactly: (224 - 32)/32 + 1 = 7
    best = solve_layer(224, 7)[0]
    assert (best.kernel, best.stride, best.padding) == (32, 32, 0)
    for f in solve_layer(224, 7)[:200]:
        ke = f.dilation * (f.kernel - 1) + 1
        assert (224 + 2 * f.padding - ke) // f.stride + 1 == 7
    # transposed: 7 → 14 with k=2, s=2: (7 - 1)·2 + 2 = 14
    assert solve_layer(7, 14, "convt", kernel=2, stride=2)[0].padding == 0


def test_solve_input_lenet() -> None:
    # conv5 → n-4; pool2 → ⌊(n-4)/2⌋; conv5 → -4; pool2 → /2; conv5 → -4 = 1
    # n = 32 gives 28, 14, 10, 5, 1 exactly; 33-35 reach 1 but drop rows.
    spec = "conv(6,5)-tanh-avgpool(2)-conv(16,5)-tanh-avgpool(2)-conv(120,5)"
    heights, _ = solve_input(spec, (1, 1))
    assert [h.size for h in heights] == [32, 33, 34, 35]
    assert [h.size for h in heights if h.exact] == [32]


def test_solve_cli_and_errors() -> None:
    runner = CliRunner()
    r = runner.invoke(app, ["solve", "--input", "28", "--output", "14", "--kernel", "3",
                            "-f", "json"])
    assert json.loads(r.stdout)[0]["spec"] == "conv(C,3,stride=2,padding=1)"
    # (5 + 2·0 - 3)/1 + 1 = 3, never 9 without padding
    r = runner.invoke(app, ["solve", "--input", "5", "--output", "9", "--kernel", "3",
                            "--stride", "1", "--padding", "0"])
    assert r.exit_code == 1 and "no conv in the search ranges" in r.stdout
    r = runner.invoke(app, ["solve", "--output", "14"])
    assert r.exit_code == 2
    r = runner.invoke(app, ["solve", "conv(8,3)-maxpool(2)", "--output", "1x1"])
    assert r.exit_code == 0 and "H and W: 4–5" in r.stdout


def test_ranges() -> None:
    assert ranges([1, 2, 3, 7, 9, 10]) == "1–3, 7, 9–10"


def test_solve_reads_a_code_file_as_its_help_says(tmp_path: Path) -> None:
    """`solve FILE.py -o 10`: conv(16,5,padding=2) keeps the size, maxpool(2) gives ⌊n/2⌋,
    so the last map is 10x10 for n = 20 or 21, and only 20 reads every pixel."""
    path = tmp_path / "cnn.py"
    path.write_text("import torch.nn as nn\nnet = nn.Sequential(nn.Conv2d(1, 16, 5, padding=2),"
                    " nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(1600, 10))\n")
    r = CliRunner().invoke(app, ["solve", str(path), "-o", "10"])
    assert r.exit_code == 0, r.output
    assert "H and W: 20–21" in r.stdout and "exact (every pixel read): 20" in r.stdout


def test_solve_takes_model_and_set_as_the_code_commands_do(tmp_path: Path) -> None:
    """The error for a file of two models says "pick one with --model NAME": solve takes it.
    Net: conv(pad 1) keeps n, pool ⌊n/2⌋, conv(3) - 2, pool ⌊/2⌋: 6x6 for n = 28 to 31,
    and only 28 reads every pixel. small: conv(5) gives n - 4 = 24 for n = 28."""
    path = PASTED  # Net: conv 1->8 (3x3, padding 1), pool, conv 8->16 (3x3), pool,
    # Linear(16 * 6 * 6, 10); small: Conv2d(1, 4, 5), Flatten, Linear(4 * 24 * 24, 10)
    runner = CliRunner()
    r = runner.invoke(app, ["solve", str(path), "-o", "6x6"])
    assert r.exit_code == 1 and "--model" in r.output
    r = runner.invoke(app, ["solve", str(path), "-o", "6x6", "--model", "Net"])
    assert r.exit_code == 0, r.output
    assert "H and W: 28–31" in r.stdout and "exact (every pixel read): 28" in r.stdout
    r = runner.invoke(app, ["solve", str(path), "-o", "24", "--model", "small", "-f", "json"])
    assert json.loads(r.stdout)["heights"] == [28]
    # --set: a value the code knows only when it runs (width = 4 gives small's 4 channels)
    (tmp_path / "set.py").write_text(
        "import torch.nn as nn\nmodel = nn.Sequential(nn.Conv2d(1, width, 5), nn.Flatten(), "
        "nn.Linear(width * 24 * 24, 10))\n")
    r = runner.invoke(app, ["solve", str(tmp_path / "set.py"), "-o", "24", "--set", "width=4"])
    assert r.exit_code == 0, r.output
    assert "H and W: 28" in r.stdout
    # both options name code: refused with a spec, and with a layer question
    for args in (["conv(8,3)", "-o", "5", "--model", "Net"], ["-i", "28", "-o", "14",
                                                              "--model", "Net"]):
        r = runner.invoke(app, ["solve", *args])
        assert r.exit_code == 2 and "--model" in r.output


def test_solve_on_code_meets_the_sizes_the_code_declares(tmp_path: Path) -> None:
    """The spec alone ends at 1x1 for n = 8 to 11 (8 -> 8 -> 4 -> 2 -> 1), but Net's
    Linear(576, 10) needs 16·6·6 features, so no such input fits the code: an error naming
    the declared size and an input that fits (28). The CIFAR tutorial's net declares 3
    input channels: without --input those are the channels tried, and its Linear(400, 120)
    = 16·5·5 is met by 32 to 35 (32 - 4 = 28, 14, 10, 5)."""
    path = PASTED  # Net: conv 1->8 (3x3, padding 1), pool, conv 8->16 (3x3), pool,
    # Linear(16 * 6 * 6, 10); small: Conv2d(1, 4, 5), Flatten, Linear(4 * 24 * 24, 10)
    runner = CliRunner()
    r = runner.invoke(app, ["solve", str(path), "-o", "1x1", "--model", "Net"])
    assert r.exit_code == 1
    assert "no input whose last map is 1x1 fits the sizes the code declares" in r.output
    assert "Linear(576, 10) expects 576 input features" in r.output
    assert "1x28x28" in r.output
    r = runner.invoke(app, ["solve", str(path), "-o", "6x6", "--model", "Net", "-i",
                            "3x28x28"])
    assert r.exit_code == 1 and "expects 1 input channels" in r.output
    cifar = tmp_path / "cifar.py"
    cifar.write_text(
        "import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n\n\n"
        "class Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
        "        self.conv1 = nn.Conv2d(3, 6, 5)\n        self.pool = nn.MaxPool2d(2, 2)\n"
        "        self.conv2 = nn.Conv2d(6, 16, 5)\n        self.fc1 = nn.Linear(16 * 5 * 5, 120)\n"
        "        self.fc2 = nn.Linear(120, 10)\n\n    def forward(self, x):\n"
        "        x = self.pool(F.relu(self.conv1(x)))\n"
        "        x = self.pool(F.relu(self.conv2(x)))\n"
        "        return self.fc2(F.relu(self.fc1(torch.flatten(x, 1))))\n")
    r = runner.invoke(app, ["solve", str(cifar), "-o", "5x5"])
    assert r.exit_code == 0, r.output
    assert "H and W: 32–35" in r.stdout and "exact (every pixel read): 32" in r.stdout
    r = runner.invoke(app, ["solve", str(cifar), "-o", "6x6"])
    assert r.exit_code == 1 and "Linear(400, 120) expects 400 input features" in r.output
