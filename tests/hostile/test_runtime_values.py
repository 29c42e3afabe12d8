"""Hostile --set values and data shapes: never run as code, bounded, one line each.

Oracle for the readings: parameter counts derived by hand in each test."""

from __future__ import annotations

from pathlib import Path

import pytest

from .harness import cli

NET = """import torch.nn as nn

class Net(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.fc = nn.Linear(784, width)

    def forward(self, x):
        return self.fc(x.flatten(1))
"""


def _code(tmp_path: Path, text: str = NET) -> str:
    path = tmp_path / "net.py"
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("value", [
    "__import__('os').system('touch {marker}')",
    "open('{marker}', 'w')",
    "(lambda: 1)()",
    "[x for x in ().__class__.__base__.__subclasses__()]",
])
def test_a_value_that_is_code_is_refused_and_runs_nothing(tmp_path: Path, value: str) -> None:
    marker = tmp_path / "ran"
    out = cli("summary", _code(tmp_path), "--set", "width=" + value.format(marker=marker))
    out.one_line_error(2, "--set width=", "is not a Python literal")
    assert not marker.exists()


@pytest.mark.parametrize(("item", "needle"), [
    ("width=10**100", "is not a Python literal"),
    ("width=9" + "9" * 5000, "the limit is 1,000"),
    ("width=99999999999999", "too large; the limit is 10^12"),
    ("width=" + "(" * 400 + ")" * 400, "is not a Python literal"),
    ("width=" + "(" * 6 + "1" + ",)" * 6, "is not a value the code reader takes"),
    ("width=1e999", "is not a finite number"),
    ("wid\x1bth=3", "is not a name"),
])
def test_huge_or_deep_values_are_refused_at_once(tmp_path: Path, item: str,
                                                 needle: str) -> None:
    out = cli("summary", _code(tmp_path), "--set", item)
    out.one_line_error(2, needle)
    assert out.seconds < 10


def test_many_sets_are_refused(tmp_path: Path) -> None:
    args = [a for i in range(101) for a in ("--set", f"n{i}=1")]
    cli("summary", _code(tmp_path), *args).one_line_error(2, "the limit is 100")


def test_a_huge_width_is_counted_and_a_build_is_refused_in_bounds(tmp_path: Path) -> None:
    # Linear(784, 99,999,999,999): 784 * w + w = 785 * 99,999,999,999 = 78,499,999,999,215
    # parameters. The summary counts them (no tensor is made); a build refuses the memory.
    path = _code(tmp_path)
    out = cli("summary", path, "--set", "width=99999999999", "-f", "json")
    assert out.code == 0, out.stderr
    assert '"total_params": 78499999999215' in out.stdout
    assert out.seconds < 10
    cli("build", path, "--set", "width=99999999999", "--check").one_line_error(
        1, "would allocate")


def test_a_width_past_the_cap_from_a_module_constant_is_refused(tmp_path: Path) -> None:
    code = "import torch.nn as nn\nN = 3\nmodel = nn.Sequential(nn.Linear(784, N * N))\n"
    out = cli("summary", _code(tmp_path, code), "--set", "N=999999999999")
    out.one_line_error(1, "N * N is too large")


def test_a_loop_bound_given_by_set_stays_within_the_step_budget(tmp_path: Path) -> None:
    code = ("import torch.nn as nn\nDEPTH = 2\nlayers = []\nfor _ in range(DEPTH):\n"
            "    layers.append(nn.ReLU())\nmodel = nn.Sequential(nn.Flatten(), *layers)\n")
    out = cli("summary", _code(tmp_path, code), "--set", "DEPTH=999999999999")
    out.one_line_error(1, "the limit is 100,000")
    assert out.seconds < 20


def test_a_data_shape_with_a_huge_input_is_refused_by_the_input_cap(tmp_path: Path) -> None:
    code = ("from tensorflow import keras\nfrom tensorflow.keras import layers\n"
            "model = keras.Sequential([layers.Flatten(input_shape=x_train.shape[1:]), "
            "layers.Dense(10)])\n")
    out = cli("summary", _code(tmp_path, code), "--input", "9999999x9999999x9999999")
    out.one_line_error(2, "too large")


def test_a_set_the_code_never_reads_is_a_usage_error(tmp_path: Path) -> None:
    out = cli("summary", _code(tmp_path), "--set", "width=10", "--set", "widht=3")
    out.one_line_error(2, "--set widht: the model's code never reads widht",
                       "did you mean 'width'?")
