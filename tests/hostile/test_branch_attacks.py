"""Hostile branched forward() code: a deep or wide join is read in bounds, or refused in one
line. Oracle for the readings: the channel counts derived in each test."""

from __future__ import annotations

import json
from pathlib import Path

from .harness import cli, forward_file


def test_a_cat_of_a_long_chain_is_refused_in_bounds(tmp_path: Path) -> None:
    """cat([t0, ..., t2999]) with each t from the one before nests 2,999 joins: refused at
    the spec's nesting limit, in linear time (it once took cubic time and recursed)."""
    n = 3000
    body = ["t0 = self.c(x)", *(f"t{i} = F.relu(t{i - 1})" for i in range(1, n)),
            "return torch.cat([" + ", ".join(f"t{i}" for i in range(n)) + "], 1)"]
    cli("summary", forward_file(tmp_path, body), "--input", "1x4x4").one_line_error(
        1, f"line {11 + n}: ", "nests joins deeper than 32 levels")


def test_a_wide_cat_is_read_in_bounds(tmp_path: Path) -> None:
    """2,000 branches from one tensor: one join of 2,000 one-channel maps."""
    n = 2000
    body = ["y = self.c(x)", *(f"b{i} = F.relu(y)" for i in range(n)),
            "return torch.cat([" + ", ".join(f"b{i}" for i in range(n)) + "], 1)"]
    r = cli("summary", forward_file(tmp_path, body), "--input", "1x4x4", "--format", "json")
    assert r.code == 0, r.stderr[-2000:]
    assert json.loads(r.stdout)["output_shape"] == [n, 4, 4]
    assert r.seconds < 30 and r.peak_rss < 1 << 30


def test_a_list_appended_to_itself_is_refused(tmp_path: Path) -> None:
    body = ["y = self.c(x)", "fs = [x, y]", "fs.append(fs)", "return torch.cat(fs, 1)"]
    cli("summary", forward_file(tmp_path, body), "--input", "1x4x4").one_line_error(
        1, "line 13: ", "fs is a list of tensors, not a tensor")
