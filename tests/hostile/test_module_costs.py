"""`summary --module` on models whose outputs and ops try to break the cost figures: keys
whose __str__ raises, huge tensors on the meta device, an op cnncalc cannot cost. Each ends
in a summary that says what it knows, or in one line naming the problem."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from .harness import cli

ODD_KEYS = """
import torch
from torch import nn
class Key:
    def __str__(self):
        raise RuntimeError("no")
    __repr__ = __str__
    def __hash__(self):
        return 1
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 3)
    def forward(self, x):
        y = self.fc(x)
        return {Key(): y, "\\x1b[31mred": y, 10**40: y}
"""

# A 10^6 x 10^6 matmul on meta tensors: no memory, and 10^18 MACs counted exactly.
HUGE = """
import torch
from torch import nn
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(torch.empty(1, device="meta"))
    def forward(self, x):
        a = x.new_empty(10**6, 10**6)
        return a @ a
"""

SPECTRAL = """
import torch
from torch import nn
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 2, 3)
    def forward(self, x):
        return torch.fft.rfft(self.conv(x)).abs()
"""


def _module(tmp_path: Path, text: str) -> str:
    path = tmp_path / "net.py"
    path.write_text(textwrap.dedent(text))
    return f"{path}:Net"


def test_output_names_never_call_user_code(tmp_path: Path) -> None:
    r = cli("summary", "--module", _module(tmp_path, ODD_KEYS), "--input", "4", "-f", "json")
    assert r.code == 0, r.stderr[-2000:]
    names = [o["name"] for o in json.loads(r.stdout)["outputs"]]
    assert names == ["<Key>", "\x1b[31mred", "<int>"]


def test_huge_matrix_products_are_counted_not_allocated(tmp_path: Path) -> None:
    r = cli("summary", "--module", _module(tmp_path, HUGE), "--input", "4", "-f", "json")
    assert r.code == 0, r.stderr[-2000:]
    data = json.loads(r.stdout)
    assert data["total_macs"] == 10**18 and data["macs_exact"] is True
    assert data["total_flops"] == 2 * 10**18 and data["total_mult_adds"] == 0


def test_an_op_without_a_cost_marks_the_total(tmp_path: Path) -> None:
    r = cli("summary", "--module", _module(tmp_path, SPECTRAL), "--input", "1x8x8")
    assert r.code == 0, r.stderr[-2000:]
    # 2·6·6·9 = 648 MACs from the conv, then an FFT cnncalc does not cost
    assert "≥ 648" in r.stdout and "_fft_r2c" in r.stdout and "lower bound" in r.stdout
    assert "(eval mode)" in r.stdout
