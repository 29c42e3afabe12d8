"""Hostile models with several inputs and hostile --input names: each refused in one line,
a usage error (exit 2) where the command line is wrong, within the time and memory bounds.
Oracle for the one case read: the counts derived in the test."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .harness import cli

HEAD = ("import torch\nfrom torch import nn\n\n"
        "class Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
        "        self.c = nn.Linear(4, 2)\n\n")


def _file(tmp_path: Path, forward: str, body: str) -> str:
    path = tmp_path / "net.py"
    path.write_text(HEAD + f"    def forward({forward}):\n        {body}\n")
    return str(path)


@pytest.mark.parametrize("forward,body,given,code,needles", [
    ("self, *xs", "return self.c(torch.cat(xs, 1))", [], 1,
     ["line 9: ", "forward(self, ..., *xs) takes any number of inputs", "forward(self, x, y)"]),
    ("self, x, y=None", "return self.c(x)", ["x=flat:4"], 1,
     ["line 9: ", "forward() gives the input y a default"]),
    ("self, x, y", "return self.c(x + y)", ["x=flat:4", "z=flat:4"], 2,
     ["--input names z, which is not an input of the model; it takes x, y"]),
    ("self, x, y", "return self.c(x + y)", ["x=flat:4", "x=flat:4"], 2,
     ["--input gives the input x twice"]),
])
def test_several_inputs_refused_in_one_line(tmp_path: Path, forward: str, body: str,
                                            given: list[str], code: int,
                                            needles: list[str]) -> None:
    args = [x for g in given for x in ("--input", g)]
    cli("summary", _file(tmp_path, forward, body), *args).one_line_error(code, *needles)


def test_three_thousand_inputs_are_read_in_bounds(tmp_path: Path) -> None:
    """forward(self, x0, ..., x2999) concatenating every input, each a vector of 4, into one
    Linear(4, 2) after a Linear(12000, 4): 12000·4 + 4 + 4·2 + 2 = 48,014 parameters, output
    2; with one shape missing, one line that lists a few names."""
    n = 3000
    names = [f"x{i}" for i in range(n)]
    path = tmp_path / "net.py"
    path.write_text(HEAD.replace("nn.Linear(4, 2)\n", "nn.Linear(4, 2)\n        self.d = "
                                 f"nn.Linear({4 * n}, 4)\n") +
                    f"    def forward(self, {', '.join(names)}):\n"
                    f"        return self.c(self.d(torch.cat([{', '.join(names)}], 1)))\n")
    cli("summary", str(path), *[x for i in range(n - 1) for x in ("-i", f"x{i}=flat:4")]
        ).one_line_error(2, "the model takes 3000 inputs (x0, x1, x2, x3, x4, x5, …), and "
                         "--input gives no shape for x2999")
    r = cli("summary", str(path), *[x for i in range(n) for x in ("-i", f"x{i}=flat:4")],
            "--format", "json")
    assert r.code == 0, r.stderr[-2000:]
    record = json.loads(r.stdout)
    assert record["total_params"] == 48_014 and record["output_shape"] == [2]
    assert len(record["inputs"]) == n
    assert r.seconds < 30 and r.peak_rss < 1 << 30
