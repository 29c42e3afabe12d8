"""`cnncalc summary` start-up: the fast path, the full Typer path and the torchinfo route,
from an editable checkout and from a plain (non-editable) install, whole processes.

All contenders run in turn in every round (A B C ... A B C ...), so drift in the machine's
speed hits each alike; medians of wall and CPU (user + system) seconds are printed. CPU time
is the steadier figure on a shared machine. The plain install is built once into a temporary
folder (pip install --no-deps --target), with this environment's packages on its path.

Run: python bench/startup.py [--runs 15] [--preset lenet5] [--no-plain]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import PY, ROOT, compile_package, cpu_timed
from bench.summary_speed import TORCHINFO

FULL = {"CNNCALC_NO_FAST_PATH": "1"}


def plain_install(folder: Path) -> Path:
    """A virtual environment with cnncalc installed as a wheel would be: no editable finder."""
    subprocess.run([PY, "-m", "venv", "--without-pip", str(folder)], check=True)
    site = next((folder / "lib").glob("python3*/site-packages"))
    subprocess.run([PY, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation",
                    "--target", str(site), str(ROOT)], check=True, capture_output=True)
    subprocess.run([str(folder / "bin" / "python"), "-m", "compileall", "-q",
                    str(site / "cnncalc")], check=True)
    # This environment's typer, rich and torch, without its .pth files (the editable finder).
    deps = [p for p in sys.path if p.endswith("site-packages") and "cnncalc" not in p]
    (site / "deps.pth").write_text("\n".join(deps) + "\n")
    return folder / "bin" / "python"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--preset", default="lenet5")
    parser.add_argument("--no-plain", action="store_true", help="skip the plain install")
    args = parser.parse_args()
    compile_package()
    p = args.preset
    summary = ["-m", "cnncalc", "summary", "--preset", p]
    contenders: list[tuple[str, list[str], dict[str, str]]] = [
        ("python -c pass (interpreter + site)", [PY, "-c", "pass"], {}),
        ("summary, table (piped)", [PY, *summary], {}),
        ("summary -f json", [PY, *summary, "-f", "json"], {}),
        ("summary, table, full Typer path", [PY, *summary], FULL),
        ("summary -f json, full Typer path", [PY, *summary, "-f", "json"], FULL),
        ("import typer", [PY, "-c", "import typer"], {}),
        ("import rich.console, rich.table", [PY, "-c", "import rich.console, rich.table"], {}),
        ("import cnncalc.calc", [PY, "-c", "import cnncalc.calc"], {}),
        (f"torch + build + torchinfo.summary ({p})", [PY, "-c", TORCHINFO, p], {}),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        if not args.no_plain:
            plain = str(plain_install(Path(tmp) / "plain"))
            contenders[1:1] = [
                ("plain install: python -c pass", [plain, "-c", "pass"], {}),
                ("plain install: summary, table (piped)", [plain, *summary], {}),
                ("plain install: summary -f json", [plain, *summary, "-f", "json"], {}),
                ("plain install: summary, table, full Typer path", [plain, *summary], FULL),
            ]
        results: dict[str, list[tuple[float, float]]] = {name: [] for name, _, _ in contenders}
        for round_ in range(args.runs + 1):  # the first round warms the caches, uncounted
            for name, cmd, extra in contenders:
                # Outside the checkout, so `-m cnncalc` finds the installed package.
                env = {**os.environ, **extra}
                cwd = os.getcwd()
                os.chdir(tmp)
                try:
                    timing = cpu_timed(cmd, env)
                finally:
                    os.chdir(cwd)
                if round_:
                    results[name].append(timing)
    print(f"## `cnncalc summary --preset {p}` start-up, whole processes, {args.runs} rounds\n")
    print("| command | wall median | wall min | wall max | CPU median | CPU min | CPU max |")
    print("|---|---|---|---|---|---|---|")
    for name, values in results.items():
        wall = [w for w, _ in values]
        cpu = [c for _, c in values]
        print(f"| {name} | {statistics.median(wall):.3f} | {min(wall):.3f} | {max(wall):.3f} | "
              f"{statistics.median(cpu):.3f} | {min(cpu):.3f} | {max(cpu):.3f} |")
    torchinfo = statistics.median(w for w, _ in results[contenders[-1][0]])
    print()
    for name in results:
        if name.startswith(("summary", "plain install: summary")):
            wall = statistics.median(w for w, _ in results[name])
            print(f"- {name}: {torchinfo / wall:.1f}x faster than the torchinfo route (wall)")


if __name__ == "__main__":
    main()
