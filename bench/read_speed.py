"""Reading a model file: whole `cnncalc summary FILE.py` processes, against two baselines.

Every contender runs in each round, in turn (A B C ... A B C ...), after one warm-up each, so
drift in a shared machine's speed hits them alike; medians and minima of wall and CPU
seconds (the child's user + system time, from getrusage, which other processes disturb far
less than wall time) are printed. Output goes to a pipe, as in a script or `| less`.

Contenders:
  python -c pass             the interpreter's own start
  spec string                `cnncalc summary SPEC`, SPEC being the spec text the file reads
                             as: the same model and table without reading any code
  resnet.py                  torchvision's resnet.py, `--model resnet18`: read, then printed
  densenet.py                torchvision's densenet.py, `--model densenet121`, which the reader
                             refuses at line 373: the file read, then the error reported
  loop, N iterations         a generated file whose __init__ builds 2 layers in each of N
                             iterations of a `for` loop (nn.Linear(8, 8), nn.ReLU()), `-i
                             flat:8 -f csv`, at N = 1,000 and 10,000: flat CPU time per
                             iteration (less the start-up: `fc(8)-relu` as a spec, the
                             same flags) means linear (fewer rounds: 10,000 takes seconds)

The torchvision files are the real-world fixtures (tests/fixtures/realworld, not in git:
SOURCES.md says where each comes from); without them only the loop rows are measured.
Each cnncalc is found through PYTHONPATH (this checkout's, or --against DIR's: another
checkout run in the same rounds, for a before/after comparison on the same load), as a plain
install finds it, not through an editable install's finder.

Run: python bench/read_speed.py [--runs 15] [--loop-runs 3] [--against DIR]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import PY, ROOT, compile_package, cpu_timed, load

REALWORLD = ROOT / "tests" / "fixtures" / "realworld"
FILES = [("resnet.py", "torchvision_resnet.py", "resnet18", 0),
         ("densenet.py", "torchvision_densenet.py", "densenet121", 1)]
LOOP = '''import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        layers = []
        for i in range({n}):
            layers.append(nn.Linear(8, 8))
            layers.append(nn.ReLU())
        self.body = nn.Sequential(*layers)

    def forward(self, x):
        return self.body(x)
'''
LOOP_SIZES = (1_000, 10_000)

Command = tuple[str, list[str], int, dict[str, str] | None]  # name, argv, exit code, env


def _spec_of(path: Path, model: str) -> str:
    """The spec text the file's model reads as (the spec-string baseline's argument)."""
    from cnncalc.dialects.resolve import resolve

    return resolve(str(path), None, None, None, model).spec


def _env(checkout: Path | None) -> dict[str, str]:
    """The checkout's cnncalc first on the path: found as a plain install finds it, not
    through the editable install's finder (which costs about 0.03 s a process here)."""
    return {**os.environ, "PYTHONPATH": str(checkout or ROOT)}


def _commands(checkout: Path | None, label: str, loops: Path) -> tuple[list[Command],
                                                                       list[Command]]:
    env = _env(checkout)
    # -P: not the working directory's cnncalc first, so that PYTHONPATH picks the checkout.
    run = [PY, "-P", "-m", "cnncalc", "summary"]
    files: list[Command] = []
    for name, file, model, code in FILES:
        path = REALWORLD / file
        if not path.is_file():
            continue
        if name == "resnet.py":
            files.append((f"spec string{label}", [*run, _spec_of(path, model)], 0, env))
        files.append((f"{name} --model {model}{label}", [*run, str(path), "--model", model],
                      code, env))
    flags = ["-i", "flat:8", "-f", "csv"]
    loop: list[Command] = [(f"start-up: fc(8)-relu{label}", [*run, "fc(8)-relu", *flags], 0,
                            env)]
    loop += [(f"loop, {n:,} iterations{label}",
              [*run, str(loops / f"loop{n}.py"), *flags], 0, env)
             for n in LOOP_SIZES]
    return files, loop


def _rounds(commands: list[Command], runs: int) -> dict[str, list[tuple[float, float]]]:
    """Each command once as a warm-up, then `runs` rounds of all of them in turn."""
    for _, argv, code, env in commands:
        cpu_timed(argv, env, code)
    found: dict[str, list[tuple[float, float]]] = {name: [] for name, _, _, _ in commands}
    for _ in range(runs):
        for name, argv, code, env in commands:
            found[name].append(cpu_timed(argv, env, code))
    return found


def _table(found: dict[str, list[tuple[float, float]]]) -> None:
    print("| command | wall median | wall min | CPU median | CPU min | runs |")
    print("|---|---|---|---|---|---|")
    for name, times in found.items():
        wall = [w for w, _ in times]
        cpu = [c for _, c in times]
        print(f"| {name} | {statistics.median(wall):.3f} | {min(wall):.3f} | "
              f"{statistics.median(cpu):.3f} | {min(cpu):.3f} | {len(times)} |", flush=True)


def _per_iteration(found: dict[str, list[tuple[float, float]]], label: str) -> None:
    """CPU per loop iteration above cnncalc's start-up (a two-layer spec's summary), at each
    size, and their ratio; from the medians, and from the minima (other work on the machine
    only ever adds CPU time, through shared caches, so the minima are the steadier)."""
    for how, pick in (("median", statistics.median), ("min", min)):
        start = pick(c for _, c in found[f"start-up: fc(8)-relu{label}"])
        per = [(pick(c for _, c in found[f"loop, {n:,} iterations{label}"]) - start) / n
               for n in LOOP_SIZES]
        cells = ", ".join(f"{n:,}: {p * 1e6:.0f} µs" for n, p in zip(LOOP_SIZES, per))
        print(f"CPU per loop iteration{label} ({how} less the start-up row's): {cells}; "
              f"ratio {per[-1] / per[0]:.2f} (1.00 is linear)", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--loop-runs", type=int, default=3)
    parser.add_argument("--against", type=Path, default=None,
                        help="another checkout of cnncalc, run in the same rounds")
    args = parser.parse_args()
    compile_package()
    if not (REALWORLD / FILES[0][1]).is_file():
        print(f"(no {FILES[0][1]} in {REALWORLD}: only the loop rows are measured)")
    with tempfile.TemporaryDirectory() as tmp:
        loops = Path(tmp)
        for n in LOOP_SIZES:
            (loops / f"loop{n}.py").write_text(LOOP.format(n=n))
        files, loop = _commands(None, "", loops)
        other_files: list[Command] = []
        other_loop: list[Command] = []
        if args.against is not None:
            import compileall

            compileall.compile_dir(str(args.against / "cnncalc"), quiet=1)
            other_files, other_loop = _commands(args.against, " (against)", loops)
        base: list[Command] = [("python -c pass", [PY, "-c", "pass"], 0, None)]
        print(f"Before: {load()}\n", flush=True)
        print("## Reading a model file, whole processes (seconds)\n")
        _table(_rounds(base + _interleave(files, other_files), args.runs))
        print(f"\nAfter: {load()}\n\n## A layer-building loop (seconds)\n", flush=True)
        found = _rounds(base + _interleave(loop, other_loop), args.loop_runs)
        _table(found)
        print()
        _per_iteration(found, "")
        if other_loop:
            _per_iteration(found, " (against)")
        print(f"\nAfter: {load()}", flush=True)


def _interleave(ours: list[Command], theirs: list[Command]) -> list[Command]:
    """Each command next to its counterpart from the other checkout, if any."""
    if not theirs:
        return ours
    return [c for pair in zip(ours, theirs) for c in pair]


if __name__ == "__main__":
    main()
