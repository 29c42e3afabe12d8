"""Hostile model code: one clear line (or the right reading), in bounds of time and memory.

Oracle for the readings: parameter counts derived by hand in each test."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from .harness import cli

HEAD = "import torch.nn as nn\n"


def _code(tmp_path: Path, text: str | bytes) -> str:
    path = tmp_path / "net.py"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return str(path)


def _linear(features: str) -> str:
    return HEAD + f"model = nn.Sequential(nn.Flatten(), nn.Linear({features}, 5))\n"


@pytest.mark.parametrize(("features", "needle"), [
    ("int(1e309)", "1e309 is not a finite number"),  # was OverflowError
    ("int(0.0*1e309)", "1e309 is not a finite number"),  # was ValueError (nan)
    ("int(float('nan'))", "'nan' is not a number"),
    ("10**5000", "is too large"),
    ("9" * 5000, "more than 4,300 digits"),  # past Python's int-to-str limit
    ("9**9**9", "is too large"),
])
def test_numbers_python_cannot_hold_are_one_line(tmp_path: Path, features: str,
                                                 needle: str) -> None:
    cli("summary", _code(tmp_path, _linear(features)), "--input", "1x10").one_line_error(
        1, "line 2: ", needle)


def test_a_nul_byte_is_named_with_its_line(tmp_path: Path) -> None:
    code = _code(tmp_path, HEAD + "model = nn.Sequential(nn.ReLU())\x00\n")
    cli("summary", code, "--input", "1x10").one_line_error(1, "line 2: ", "NUL byte")


def test_a_hundred_thousand_minus_signs_say_what_is_wrong(tmp_path: Path) -> None:
    code = _code(tmp_path, _linear("-" * 100_000 + "1"))
    line = cli("summary", code, "--input", "1x10").one_line_error(1, "nested too deeply")
    assert not line.rstrip().endswith(":")


def test_non_utf8_standard_input_is_named(tmp_path: Path) -> None:
    data = tmp_path / "in.py"
    data.write_bytes(HEAD.encode() + b"model = nn.Sequential(nn.ReLU())\n# \xff\xfe\n")
    saved = os.dup(0)
    try:
        with open(data, "rb") as f:
            os.dup2(f.fileno(), 0)
        r = cli("summary", "-", "--input", "1x10")
    finally:
        os.dup2(saved, 0)
        os.close(saved)
    r.one_line_error(1, "not UTF-8", "line 3")


def test_a_utf8_bom_file_reads_as_python_runs_it(tmp_path: Path) -> None:
    code = _code(tmp_path, b"\xef\xbb\xbf" + _linear("10").encode())
    r = cli("summary", code, "--input", "1x10")
    assert r.code == 0, r.stderr
    # Linear(10, 5): 10·5 + 5 = 55 parameters
    assert re.search(r"total params\s+55\n", r.stdout), r.stdout


def test_reading_is_linear_in_the_statement_count(tmp_path: Path) -> None:
    """25,600 models `a=Model()` (256,000 characters, the size limit): this once peaked at
    2.6 GB and took 22-37 s, the reader keeping the statements before and after each model."""
    code = _code(tmp_path, "a=Model()\n" * 25_600)
    r = cli("summary", code)
    r.one_line_error(1, "25,600 models", "--model")
    assert r.peak_rss < 400 << 20, r.peak_rss
    assert r.seconds < 20, r.seconds


@pytest.mark.parametrize("cut", ["torch.chunk(x, 10**9, 1)", "x.split([1] * 10**5 + [1], 1)",
                                 "x.chunk(10**12, dim=1)"])
def test_a_chunk_into_a_billion_pieces_is_one_line(tmp_path: Path, cut: str) -> None:
    """Each piece of a chunk is a layer: a count past the reader's limits is refused before
    any piece is made, in bounded time and memory."""
    code = ("import torch\nimport torch.nn as nn\n\nclass Net(nn.Module):\n"
            "    def __init__(self):\n        super().__init__()\n"
            "    def forward(self, x):\n"
            f"        p = {cut}\n        return torch.cat(p, 1)\n")
    cli("summary", _code(tmp_path, code), "--input", "1x8x8").one_line_error(1, "line 8")


@pytest.mark.parametrize(("body", "needle"), [
    ("while True:\n            x = self.c(x)\n        return x", "100,000 steps"),
    ("return self.c(x) if self.c else self.c(self.c(x))", "line 9"),
    ("return self.c(*[x] * 10**9)", "line 9"),
])
def test_a_hostile_keras_call_is_one_line(tmp_path: Path, body: str, needle: str) -> None:
    """A subclassed Keras model's call() runs under the reader's bounds: an endless loop, a
    layer applied twice, a huge argument list are one line, in bounded time and memory."""
    code = ("import keras\n\nclass Net(keras.Model):\n    def __init__(self):\n"
            "        super().__init__()\n        self.c = keras.layers.Dense(4)\n\n"
            f"    def call(self, x):\n        {body}\n")
    cli("summary", _code(tmp_path, code), "--input", "flat:4").one_line_error(1, needle)
