"""The dialects through the command line: files, standard input, --model, check, export."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cnncalc.cli import app

from .keras_models import MODELS as KERAS_MODELS
from .torch_models import MODELS as TORCH_MODELS

TWO_MODELS = """
import torch.nn as nn
import torch.nn.functional as F

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5)
        self.fc = nn.Linear(6 * 24 * 24, 10)

    def forward(self, x):
        x = F.relu(self.conv1(x))
        return self.fc(x.view(x.size(0), -1))

small = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
"""

LOOP = """
import torch.nn as nn

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.convs = nn.ModuleList([nn.Conv2d(1, 1, 3) for _ in range(3)])

    def forward(self, x):
        for conv in self.convs:
            x = conv(x)
        return x
"""


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_file_with_two_models_needs_model(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "net.py"
    path.write_text(TWO_MODELS)
    result = runner.invoke(app, ["summary", str(path)])
    assert result.exit_code == 1
    assert result.stderr.strip() == ("error: net.py: the code has 2 models: Net (line 5), small "
                                     "(line 15); pick one with --model NAME")
    result = runner.invoke(app, ["summary", str(path), "--model", "Net", "-f", "json"])
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    # (5·5·1 + 1)·6 = 156; 6·24·24 = 3456 features, 3456·10 + 10 = 34,570.
    assert record["total_params"] == 156 + 34_570
    # nn.Linear reads as fc(over=last), torch's Linear on the last axis: on the flat vector
    # after flatten, the same layer as fc(10).
    assert record["spec"] == "conv(6,5)-relu-flatten-fc(10,over=last)"


def test_table_says_where_the_input_came_from(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "net.py"
    path.write_text(TWO_MODELS)
    result = runner.invoke(app, ["summary", str(path), "--model", "Net"])
    assert "Net (PyTorch code, net.py)" in result.stdout
    assert ("input 1x28x28 (C x H x W), from the first layer's 1 input channel, 28x28 assumed"
            in result.stdout)
    keras = KERAS_MODELS[0][1]
    result = runner.invoke(app, ["summary", keras])
    assert result.exit_code == 0, result.output
    assert "input 28x28x1 (H x W x C, channels-last), from the code" in result.stdout
    assert "(None, 26, 26, 32)" in result.stdout and "34,826" in result.stdout


def test_standard_input(runner: CliRunner) -> None:
    result = runner.invoke(app, ["summary", "-", "-f", "json"], input=TORCH_MODELS[1][1])
    assert result.exit_code == 0, result.output
    # conv(5,5) on 1x28x28: 24x24, pool 12x12; (5·5·1 + 1)·5 = 130.
    record = json.loads(result.stdout)
    assert record["output_shape"] == [5, 12, 12] and record["total_params"] == 130


def test_unreadable_code_names_the_line(runner: CliRunner) -> None:
    result = runner.invoke(app, ["summary", "-"], input=LOOP.replace("range(3)",
                                                                      "range(depth)"))
    assert result.exit_code == 1
    assert result.stderr.startswith("error: line 7: the value depth is not known")
    assert "Traceback" not in result.output
    result = runner.invoke(app, ["summary", "-"], input="def f(:\n")
    assert result.exit_code == 1 and "line 1: not valid Python" in result.stderr


def test_a_module_list_built_and_run_in_loops_reads(runner: CliRunner) -> None:
    result = runner.invoke(app, ["summary", "-", "--input", "1x10x10", "-f", "json"],
                           input=LOOP)
    assert result.exit_code == 0, result.output
    got = json.loads(result.stdout)
    # Three Conv2d(1, 1, 3): 3 * (9 + 1) = 30 parameters; 10 -> 8 -> 6 -> 4.
    assert (got["total_params"], got["output_shape"]) == (30, [1, 4, 4])


def test_missing_file_is_one_line(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["summary", str(tmp_path / "nope.py")])
    assert result.exit_code == 1 and result.stderr.startswith("error: no such file")


@pytest.mark.parametrize("text", ["1x28x28", "(1, 28, 28)", "1,28,28", "[1, 28, 28]"])
def test_input_forms(runner: CliRunner, text: str) -> None:
    result = runner.invoke(app, ["summary", "conv(8,3)", "--input", text, "-f", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["output_shape"] == [8, 26, 26]


@pytest.mark.parametrize("text", ["28x28x1", "(28, 28, 1)", "(None, 28, 28, 1)", "hwc:28x28x1"])
def test_keras_reads_channels_last(runner: CliRunner, text: str) -> None:
    result = runner.invoke(app, ["summary", "conv(32,3)-relu-maxpool(2)", "--convention",
                                 "keras", "--input", text])
    assert result.exit_code == 0, result.output
    assert "(None, 13, 13, 32)" in result.stdout
    assert "H x W x C, channels-last" in result.stdout


def test_check_marks_answers(runner: CliRunner, tmp_path: Path) -> None:
    answers = tmp_path / "answers.txt"
    # Conv2d(3, 16, 3) on 3x32x32: 30x30, (3·3·3 + 1)·16 = 448; pool: 15x15.
    answers.write_text("# my homework\n1: 16x30x30, 448\n2: 16x16x16\ntotal: 448\n")
    result = runner.invoke(app, ["check", "Conv2d(3,16,3)-MaxPool2d(2)", "--input", "3x32x32",
                                 "--expect", str(answers)])
    assert result.exit_code == 1
    lines = [ln for ln in result.stdout.splitlines() if "│" in ln]
    assert "✓" in lines[0] and "✓" in lines[1] and "✗" in lines[2] and "✓" in lines[3]
    assert "16x15x15" in lines[2] and "(30 - 2)/2 + 1 = 15" in lines[2]
    assert "3 of 4 right" in result.stdout
    good = runner.invoke(app, ["check", "Conv2d(3,16,3)-MaxPool2d(2)", "--input", "3x32x32",
                               "--expect", "1: (16, 30, 30), 448; 2: 16x15x15; total: 448",
                               "-f", "json"])
    assert good.exit_code == 0, good.output
    assert json.loads(good.stdout)["wrong"] == 0


def test_check_keras_answers_use_keras_shapes(runner: CliRunner) -> None:
    code = KERAS_MODELS[0][1]
    result = runner.invoke(app, ["check", code, "--expect",
                                 "1: (None, 26, 26, 32), 320\n4: 11x11x64, 18,496\n"
                                 "total: 34,826", "-f", "json"])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(("expect", "message"), [
    ("", "missing --expect"),
    ("1 16x30x30", "answers line 1: cannot read '1 16x30x30'"),
    ("1: 16x30", "write a shape as CxHxW"),
    ("bo gus: 3", "a key is a layer number"),
    ("bogus: 3", "'bogus' is a module name, but a spec has no module names"),
])
def test_check_bad_answers_are_usage_errors(runner: CliRunner, expect: str,
                                            message: str) -> None:
    result = runner.invoke(app, ["check", "conv(8,3)", "--expect", expect])
    assert result.exit_code == 2 and message in result.stderr


def test_build_exports_keras_text(runner: CliRunner) -> None:
    result = runner.invoke(app, ["build", "conv(32,3)-relu-maxpool(2)-flatten-fc(10)",
                                 "--export", "keras"])
    assert result.exit_code == 0, result.output
    assert "layers.Conv2D(32, kernel_size=3)," in result.stdout
    assert "keras.Input(shape=(28, 28, 1))" in result.stdout
    back = runner.invoke(app, ["summary", result.stdout, "-f", "json"])
    assert back.exit_code == 0, back.output
    assert json.loads(back.stdout)["total_params"] == 320 + 13 * 13 * 32 * 10 + 10


def test_reading_code_imports_neither_torch_nor_tensorflow(tmp_path: Path) -> None:
    path = tmp_path / "net.py"
    path.write_text(TWO_MODELS + "\n" + re.sub(r"\bmodel\b", "kmodel", KERAS_MODELS[1][1]))
    script = (
        "import sys\n"
        "from cnncalc.cli import main\n"
        f"sys.argv = ['cnncalc', 'summary', {str(path)!r}, '--model', 'kmodel', '-f', 'json']\n"
        "try:\n    main()\nexcept SystemExit as e:\n    assert e.code in (0, None), e.code\n"
        "bad = [m for m in ('torch', 'tensorflow', 'keras') if m in sys.modules]\n"
        "assert not bad, bad\n")
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["total_params"] == 122_570


def test_python_warnings_about_the_code_are_not_printed(tmp_path: Path) -> None:
    path = tmp_path / "warn.py"
    path.write_text("import torch.nn as nn\nm = nn.Sequential(nn.Linear(1if 1 else 2, 2))\n")
    proc = subprocess.run([sys.executable, "-m", "cnncalc", "summary", str(path)],
                          capture_output=True, text=True, timeout=120)
    # Python warns "invalid decimal literal" on `1if`; the value is 1, so Linear(1, 2) has
    # 1 * 2 + 2 = 4 parameters.
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert re.search(r"total params +4\n", proc.stdout), proc.stdout
