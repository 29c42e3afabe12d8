"""Hostile returns of several outputs: a long chain of outputs, each computed from the one
before, and a very wide tuple, are refused or read in bounds, in one line. Oracle for the
reading: the counts derived in the test."""

from __future__ import annotations

import json
from pathlib import Path

from .harness import cli, forward_file


def test_a_chain_of_3000_outputs_is_refused_in_bounds(tmp_path: Path) -> None:
    """return t0, ..., t2999 with each t from the one before: each output parts from the
    next, 2,999 nested blocks; refused at the spec's nesting limit, in linear time."""
    n = 3000
    body = ["t0 = self.c(x)", *(f"t{i} = F.relu(t{i - 1})" for i in range(1, n)),
            "return " + ", ".join(f"t{i}" for i in range(n))]
    cli("summary", forward_file(tmp_path, body), "--input", "1x4x4").one_line_error(
        1, f"line {11 + n}: ", "the outputs part at more than 32 places")


def test_2000_outputs_of_one_tensor_are_read_in_bounds(tmp_path: Path) -> None:
    """2,000 outputs, each a relu of one conv's output: 2 parameters (1x1 conv, 1 -> 1, and
    its bias), every output 1x4x4."""
    n = 2000
    body = ["y = self.c(x)", "return " + ", ".join("F.relu(y)" for _ in range(n))]
    r = cli("summary", forward_file(tmp_path, body), "--input", "1x4x4", "--format", "json")
    assert r.code == 0, r.stderr[-2000:]
    record = json.loads(r.stdout)
    assert record["total_params"] == 2
    assert record["outputs"] == [{"name": str(i), "shape": [1, 4, 4]} for i in range(n)]
    assert r.seconds < 30 and r.peak_rss < 1 << 30
