"""Reading DenseNet-style forward() code with N joins: time per join should stay flat.

Two spellings of a dense block, each N conv layers of growth 1 from 4 channels:
  chain  `x = torch.cat([x, self.lI(x)], 1)`: every join has two inputs
  list   `features.append(self.lI(torch.cat(features, 1)))`, then `torch.cat(features, 1)`:
         join I has I + 1 inputs, so the code itself grows as N²/2 tensor mentions, and
         cnncalc regroups each one into the join before it (cat[d|new])

Each case is read (resolve: parse, read, lower to the tree) in this process, best of
--runs; then summarised (the calculator's pass over the graph). The per-join columns
should be flat from the smallest N to the largest.

Run: python bench/branch_reading.py [--sizes 250,500,1000] [--runs 3]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cnncalc.calc.summary import summarize
from cnncalc.dialects.resolve import resolve

HEAD = "import torch\nfrom torch import nn\n\nclass Net(nn.Module):\n    def __init__(self):\n" \
       "        super().__init__()\n"


def code(n: int, spelling: str) -> str:
    lines = [HEAD]
    lines += [f"        self.l{i} = nn.Conv2d({4 + i}, 1, 3, padding=1)\n" for i in range(n)]
    lines.append("\n    def forward(self, x):\n")
    if spelling == "chain":
        lines += [f"        x = torch.cat([x, self.l{i}(x)], 1)\n" for i in range(n)]
        lines.append("        return x\n")
    else:
        lines.append("        features = [x]\n")
        lines += [f"        features.append(self.l{i}(torch.cat(features, 1)))\n"
                  for i in range(n)]
        lines.append("        return torch.cat(features, 1)\n")
    return "".join(lines)


def best(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="250,500,1000")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"{'case':8} {'joins':>6} {'read s':>8} {'µs/join':>8} {'summary s':>10} "
          f"{'µs/join':>8}")
    for spelling in ("chain", "list"):
        for n in sizes:
            src = code(n, spelling)
            r = resolve(src, None, "4x8x8")
            assert r.spec.count("cat[") == n, r.spec[:200]
            read_s = best(partial(resolve, src, None, "4x8x8"), args.runs)
            sum_s = best(partial(summarize, r.nodes, r.shape, r.convention, 1, r.spec),
                         args.runs)
            print(f"{spelling:8} {n:6} {read_s:8.3f} {read_s / n * 1e6:8.0f} {sum_s:10.3f} "
                  f"{sum_s / n * 1e6:8.0f}")


if __name__ == "__main__":
    main()
