"""Start-up of an installed cnncalc under different typer releases: whole processes, in turn.

Give two or more virtual environments, each with cnncalc installed (for example one from a
plain `pip install .`, which the typer bound in pyproject.toml keeps below 0.27, and one with
typer 0.29 forced in with --no-deps). Each runs `cnncalc summary SPEC` in turn with the
others, and the script reports medians and whether pydantic was imported.
Run: python bench/install_startup.py VENV [VENV ...] [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

SPEC = "conv(32,3,padding=1)-relu-maxpool(2)-conv(64,3,padding=1)-relu-maxpool(2)-flatten-fc(10)"
PROBE = ("import sys, runpy; sys.argv = ['cnncalc', 'summary', {spec!r}]\n"
         "try:\n    runpy.run_module('cnncalc', run_name='__main__')\n"
         "except SystemExit:\n    pass\n"
         "print('PYDANTIC' if 'pydantic' in sys.modules else 'NO-PYDANTIC', file=sys.stderr)")


def _run(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{proc.stderr}")
    return elapsed


def _describe(venv: Path) -> tuple[str, bool]:
    py = str(venv / "bin" / "python")
    typer = subprocess.run([py, "-c", "import importlib.metadata as m; "
                            "print(m.version('typer'))"], capture_output=True, text=True)
    probe = subprocess.run([py, "-c", PROBE.format(spec=SPEC)], capture_output=True, text=True)
    return typer.stdout.strip(), "NO-PYDANTIC" not in probe.stderr


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("venvs", nargs="+", type=Path)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    cmds = [[str(v / "bin" / "cnncalc"), "summary", SPEC] for v in args.venvs]
    for cmd in cmds:
        _run(cmd)  # warm-up: bytecode and the file cache
    times: list[list[float]] = [[] for _ in cmds]
    for _ in range(args.runs):
        for i, cmd in enumerate(cmds):
            times[i].append(_run(cmd))
    print("| environment | typer | pydantic imported | median s | min s | max s | runs |")
    print("|---|---|---|---|---|---|---|")
    for venv, values in zip(args.venvs, times):
        typer, pydantic = _describe(venv)
        print(f"| {venv.name} | {typer} | {'yes' if pydantic else 'no'} | "
              f"{statistics.median(values):.3f} | {min(values):.3f} | {max(values):.3f} | "
              f"{len(values)} |")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
