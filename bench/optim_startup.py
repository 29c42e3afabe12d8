"""Optimizer start-up: cnncalc's optimizer (torch.optim's functional update rules) vs the
torch.optim class, each in a fresh process: import torch, build the mnist-fast net, construct
the optimizer and take one step. The class constructor imports torch._dynamo in torch 2.13.

Run: python bench/optim_startup.py [--runs 7]
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import PY, compile_package, paired

COMMON = ("import torch\nfrom cnncalc.presets import PRESETS\n"
          "from cnncalc.train.prep import prepare_model\n"
          "m, _ = prepare_model(PRESETS['mnist-fast'].spec, (1, 28, 28))\n"
          "m(torch.rand(8, 1, 28, 28)).sum().backward()\n")
OURS = COMMON + ("from cnncalc.train import optim\n"
                 "o = optim.make('adamw', m.parameters(), 0.01, 5e-4)\no.step()\n")
THEIRS = COMMON + "o = torch.optim.AdamW(m.parameters(), lr=0.01, weight_decay=5e-4)\no.step()\n"
BASE = COMMON


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    compile_package()
    base, ours = paired([PY, "-c", BASE], [PY, "-c", OURS], args.runs)
    _, theirs = paired([PY, "-c", BASE], [PY, "-c", THEIRS], args.runs)
    print("| process: import torch, build mnist-fast, backward, then | median s | "
          "over no optimizer |")
    print("|---|---|---|")
    b = statistics.median(base)
    for name, times in (("no optimizer", base), ("cnncalc optim.make('adamw') + step", ours),
                        ("torch.optim.AdamW(...) + step", theirs)):
        m = statistics.median(times)
        print(f"| {name} | {m:.2f} | +{m - b:.2f} |")


if __name__ == "__main__":
    main()
