"""Helpers for the benchmark scripts: alternate two commands, report medians side by side."""

from __future__ import annotations

import compileall
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

PY = sys.executable
ROOT = Path(__file__).resolve().parent.parent


def compile_package() -> None:
    """Write cnncalc's bytecode, as `pip install` does: an editable checkout run with
    PYTHONDONTWRITEBYTECODE would otherwise recompile every module on every start."""
    compileall.compile_dir(str(ROOT / "cnncalc"), quiet=1)


def timed(cmd: Sequence[str]) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run(list(cmd), capture_output=True, text=True)
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr}")
    return elapsed


def cpu_timed(cmd: Sequence[str], env: dict[str, str] | None = None,
              code: int = 0) -> tuple[float, float]:
    """(wall, CPU) seconds of one run: the child's CPU time (user + system) is far less
    disturbed than its wall time by other work on a shared machine. `code`: the exit code
    the command must give (1 to time a reported error)."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(list(cmd), capture_output=True, text=True, env=env)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != code:
        raise SystemExit(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def paired(a: Sequence[str], b: Sequence[str], runs: int) -> tuple[list[float], list[float]]:
    """Run A and B in turn (A B A B ...) after one warm-up each, so drift hits both."""
    timed(a)
    timed(b)
    ta, tb = [], []
    for _ in range(runs):
        ta.append(timed(a))
        tb.append(timed(b))
    return ta, tb


def med(values: list[float]) -> float:
    return statistics.median(values)


def row(name: str, values: list[float]) -> str:
    return (f"| {name} | {med(values):.3f} | {min(values):.3f} | {max(values):.3f} | "
            f"{len(values)} |")


def load() -> str:
    """The 1-, 5- and 15-minute load averages and the core count: the machine may be shared."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"

