"""Shared layers under hostile input: a module applied many thousand times stays linear
and bounded, and a shared layer on an input of another size is a one-line error."""

from __future__ import annotations

import json
from pathlib import Path

from .harness import RSS_LIMIT, SECONDS, cli

HEAD = "import torch.nn as nn\n\n"


def _module(tmp_path: Path, init: str, forward: str) -> str:
    path = tmp_path / "net.py"
    path.write_text(HEAD + "class Net(nn.Module):\n    def __init__(self):\n"
                    "        super().__init__()\n        " + init +
                    "\n\n    def forward(self, x):\n        " + forward + "\n", encoding="utf-8")
    return str(path)


def test_one_conv_applied_ten_thousand_times_is_counted_once(tmp_path: Path) -> None:
    """Conv2d(2, 2, 1) has (1·1·2 + 1)·2 = 6 parameters: applied 10,000 times, torch counts
    6, and every use costs 4·4·2·(1·1·2) = 64 MACs: 640,000 in all."""
    path = _module(tmp_path, "self.c = nn.Conv2d(2, 2, 1)",
                   "for _ in range(10000):\n            x = self.c(x)\n        return x")
    out = cli("summary", path, "--input", "2x4x4", "--format", "json")
    assert out.code == 0, out.stderr[-2000:]
    record = json.loads(out.stdout)
    assert (record["total_params"], record["total_macs"]) == (6, 640_000)
    assert sum(1 for r in record["layers"] if r.get("shares") == "1") == 9_999
    assert out.seconds < SECONDS and out.peak_rss < RSS_LIMIT


def test_a_shared_linear_on_another_size_is_one_line(tmp_path: Path) -> None:
    """nn.Linear(4, 8) applied to its own output (8 features): torch raises; cnncalc names
    the layer and the size it expects."""
    path = _module(tmp_path, "self.fc = nn.Linear(4, 8)", "return self.fc(self.fc(x))")
    cli("summary", path, "--input", "flat:4").one_line_error(1, "expects 4 input features")


def _init(tmp_path: Path, lines: list[str]) -> str:
    """A Net whose __init__ runs `lines` and whose forward applies self.body."""
    return _module(tmp_path, "\n        ".join([*lines, "self.body = s"]),
                   "return self.body(x)")


def test_a_container_placed_inside_itself_is_one_line(tmp_path: Path) -> None:
    """torch accepts `a.append(a)`, then recurses without end when it runs: refused."""
    path = _init(tmp_path, ["s = nn.ModuleList([nn.Conv2d(1, 1, 1)])", "s.append(s)"])
    cli("summary", path).one_line_error(1, "a container placed inside itself")
    ring = _init(tmp_path, ["s = nn.Sequential(nn.Conv2d(1, 1, 1))", "t = nn.Sequential(s)",
                            "s.append(t)"])
    cli("summary", ring).one_line_error(1, "a container placed inside itself")


def test_containers_nested_past_the_bound_are_one_line(tmp_path: Path) -> None:
    """900 Sequentials, each holding the one before: past Python's own stack for a reader
    that recursed, so the depth is bounded (100) and said."""
    path = _init(tmp_path, ["s = nn.Conv2d(1, 1, 1)", *["s = nn.Sequential(s)"] * 900])
    out = cli("summary", path)
    out.one_line_error(1, "modules nested more than 100 deep")
    assert out.seconds < SECONDS and out.peak_rss < RSS_LIMIT
    ninety = _init(tmp_path, ["s = nn.Conv2d(1, 1, 1)", *["s = nn.Sequential(s)"] * 90])
    ok = cli("summary", ninety, "--format", "json")
    assert ok.code == 0 and json.loads(ok.stdout)["total_params"] == 2, ok.stderr[-2000:]


def test_a_module_doubled_sixty_times_is_bounded(tmp_path: Path) -> None:
    """`s = nn.Sequential(s, s)` 60 times places one conv 2^60 times: refused at 100,000
    layers, in bounded time and memory."""
    path = _init(tmp_path, ["s = nn.Conv2d(1, 1, 1)", *["s = nn.Sequential(s, s)"] * 60])
    out = cli("summary", path)
    out.one_line_error(1, "more than 100,000 layers")
    assert out.seconds < SECONDS and out.peak_rss < RSS_LIMIT
