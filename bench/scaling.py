"""Cost per layer of whole commands on 1,000 / 10,000 / 100,000-layer specs: flat means linear.

Each command runs as its own process on the same spec at each size; its CPU time (user +
system, steadier than wall time on a shared machine) on a one-layer spec (start-up) is
subtracted, and the rest divided by the layers.
A linear command shows the same µs per layer at every size (the last column: the cost per
layer at the largest size over that at the smallest; up to 2x passes; below 1 means a fixed
cost, such as loading rich for a long table, spread over more layers).

Two specs: `chain`, a plain chain of conv and relu, and `graph`, a chain of DenseNet-style
joins (`cat[|conv(8,3,padding=1)]` then a 1x1 conv back to 8 channels, three nodes per step).

Run: python bench/scaling.py [--sizes 1000,10000,100000] [--runs 3] [--specs chain,graph]
         [--command 'summary {spec} -i 8x16x16 -f json' ...]
`{spec}` stands for the spec; each --command replaces the default list (add new commands,
for example a future `check {spec}`, this way).
"""

from __future__ import annotations

import argparse
import shlex
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import PY, compile_package, cpu_timed

COMMANDS = [
    "summary {spec} -i 8x16x16 -f table",
    "summary {spec} -i 8x16x16 -f json",
    "summary {spec} -i 8x16x16 -f csv",
    "summary {spec} -i 8x16x16 -f markdown",
    "explain {spec} -i 8x16x16 -f json",
    "explain {spec} -i 8x16x16 -f markdown",
    "explain {spec} -i 8x16x16",
    "solve {spec} -i 8 -o 16x16 -f json",
]


def spec_of(layers: int, kind: str = "chain") -> str:
    """A spec of about `layers` nodes that keeps the map size (so every size is valid), written
    as one repeat block: argv cannot carry 100,000 layers written out."""
    if layers <= 1:
        return "relu"
    if kind == "graph":
        return f"[cat[|conv(8,3,padding=1)]-conv(8,1)]*{layers // 3}"
    return f"[conv(8,3,padding=1)-relu]*{layers // 2}"


def run(command: str, layers: int, runs: int, kind: str = "chain") -> float:
    """Median CPU seconds (user + system) of the whole process."""
    argv = [PY, "-m", "cnncalc", *(a.replace("{spec}", spec_of(layers, kind))
                                   for a in shlex.split(command))]
    return statistics.median(cpu_timed(argv)[1] for _ in range(runs))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--specs", default="chain,graph",
                        help="which specs: chain, graph or both")
    parser.add_argument("--command", action="append", dest="commands",
                        help="a cnncalc command line with {spec}; repeat for several")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    commands = args.commands or COMMANDS
    compile_package()
    head = " | ".join(f"{n:,} nodes: CPU s (µs/node)" for n in sizes)
    print(f"| spec | command | start-up CPU s | {head} | largest/smallest size, per node |")
    print("|---|---|---|" + "---|" * len(sizes) + "---|")
    for kind in args.specs.split(","):
        for command in commands:
            base = run(command, 1, args.runs)
            cells, per = [], []
            for n in sizes:
                t = run(command, n, args.runs if n < 100_000 else 1, kind)
                per.append(max(t - base, 1e-9) / n * 1e6)
                cells.append(f"{t:.2f} ({per[-1]:.1f})")
            print(f"| {kind} | `cnncalc {command}` | {base:.2f} | {' | '.join(cells)} | "
                  f"{per[-1] / per[0]:.2f}x |", flush=True)


if __name__ == "__main__":
    main()
