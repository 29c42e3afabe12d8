"""Training on a shared CPU: --threads, the OpenMP wait policy, and contention detection."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from typer.testing import CliRunner

from cnncalc.cli import app
from cnncalc.errors import UsageError
from cnncalc.train import device
from cnncalc.train.device import check_threads, choose_threads

REPO = Path(__file__).resolve().parent.parent


def test_threads_range() -> None:
    available = device.cpus_available()
    assert check_threads(None) is None and check_threads(available) == available
    for bad in (0, -1, available + 1):
        with pytest.raises(UsageError, match=f"--threads {bad}: must be from 1 to"):
            check_threads(bad)
    r = CliRunner().invoke(app, ["train", "--threads", "0", "--data-dir", "/nonexistent"])
    assert r.exit_code == 2 and r.stderr.count("\n") == 1 and "--threads 0" in r.stderr


def test_choose_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    chosen: list[int] = []
    monkeypatch.setattr(torch, "set_num_threads", chosen.append)
    monkeypatch.setattr(torch, "get_num_threads", lambda: chosen[-1] if chosen else 2)
    assert choose_threads(None) == 2 and chosen == []  # torch's own choice stands
    assert choose_threads(1) == 1 and chosen == [1]


def test_wait_policy_is_set_before_torch_loads(tmp_path: Path) -> None:
    """The policy only counts if it is in the environment when torch loads OpenMP."""
    code = """
import os, sys
seen = []
class Spy:
    def find_spec(self, name, path=None, target=None):
        if name == "torch" and not seen:
            seen.append(os.environ.get("OMP_WAIT_POLICY"))
        return None
sys.meta_path.insert(0, Spy())
sys.argv = ["cnncalc", "train", "conv(8,3)-rleu", "--out", sys.argv[1]]
from cnncalc.cli import main
try:
    main()
except SystemExit:
    pass
print(seen)
"""
    env = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
    proc = subprocess.run([sys.executable, "-c", code, str(tmp_path / "run")],
                          capture_output=True, text=True, env=env, cwd=REPO)
    assert "unknown layer 'rleu'" in proc.stderr  # it failed after torch loaded
    assert proc.stdout.strip().splitlines()[-1] == "['PASSIVE']", proc.stdout + proc.stderr


def test_users_wait_policy_stands(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMP_WAIT_POLICY", "ACTIVE")
    device.cpu_policy()
    assert os.environ["OMP_WAIT_POLICY"] == "ACTIVE"
