"""Hostile code for the reader's interpreter: loops, recursion and values that would run
forever or take the machine are one line, within the harness's time and memory limits."""

from __future__ import annotations

from pathlib import Path

import pytest

from .harness import cli

MODEL = "model = nn.Sequential(nn.Flatten(), nn.Linear(10, 5))\n"


@pytest.mark.parametrize(("code", "needles"), [
    ("big = [0] * 10**9\n", ("line 2: ", "would build a sequence of 1,000,000,000 items")),
    ("s = 'x' * 10**12\n", ("line 2: ", "the limit is 100,000")),
    ("while True:\n    pass\n", ("more than 100,000 steps",)),
    ("n = 0\nwhile n >= 0:\n    n += 1\n", ("more than 100,000 steps",)),
    ("def f(n):\n    return f(n + 1)\nf(0)\n", ("nest more than 20 deep",)),
    ("x = [i for i in range(100000) for j in range(100000)]\n",
     ("more than 100,000 steps",)),
    ("class Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
     "        self.fc = nn.Linear(10, 5)\n        while True:\n            pass\n"
     "    def forward(self, x):\n        return self.fc(x)\n", ("more than 100,000 steps",)),
    ("class B(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
     "        self.b = B()\n    def forward(self, x):\n        return self.b(x)\n"
     "class Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
     "        self.b = B()\n    def forward(self, x):\n        return self.b(x)\n",
     ("more than 20 deep",)),
])
def test_what_would_run_forever_or_take_the_machine_is_one_line(
        tmp_path: Path, code: str, needles: tuple[str, ...]) -> None:
    path = tmp_path / "net.py"
    path.write_text("import torch.nn as nn\n" + code + MODEL, encoding="utf-8")
    args = ["summary", str(path), "--input", "10"]
    if "class Net" in code:
        args += ["--model", "Net"]
    cli(*args).one_line_error(1, *needles)
