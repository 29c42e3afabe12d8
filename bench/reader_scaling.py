"""The code reader's time and memory against the statement count: flat per-statement columns
mean linear.

Each case is N statements of one kind, read (every model found, then built) in a fresh
process at N = 1,000, 5,000 and 25,000; the process's CPU time (user + system) and its
peak RSS are reported, then the cost per statement, and last the ratio of the per-statement
time at the largest N to that at the smallest (about 1 is linear; the reader once kept the
statements before and after every model, which made 25,600 `a=Model()` lines take 22-37 s
and 2.6 GB). Memory per statement is flat. Time per statement may rise up to about 2x at
the largest N, where Python's cycle collector walks the reader's 100+ MB of live objects;
--no-collector runs the children with it off, to show the reader's own cost alone.

Cases (a case whose file at the largest N passes the reader's limits, 256,000 characters
and 200,000 syntax nodes, is read at the largest N that fits, in thousands):
  unknown    `a=Model()`: a call the reader cannot resolve, one candidate model per line
  sequential `a=Sequential(ReLU())`: one nn.Sequential per line, every one a model
  functional `x=R()(x)`: one Keras functional model with a layer per line

Run: python bench/reader_scaling.py [--sizes 1000,5000,25000] [--runs 3] [--no-collector]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import PY, ROOT, compile_package

CASES = {
    "unknown": ("", "a=Model()\n", ""),
    "sequential": ("from torch.nn import Sequential, ReLU\n", "a=Sequential(ReLU())\n", ""),
    "functional": ("import keras\nfrom keras.layers import ReLU as R\n"
                   "x=i=keras.Input(shape=(4,))\n", "x=R()(x)\n", "model=keras.Model(i,x)\n"),
}


def source(case: str, n: int) -> str:
    head, line, tail = CASES[case]
    return head + line * n + tail


def fits(case: str, n: int) -> int:
    """n, or the largest multiple of 1,000 below it whose file is within the limits."""
    from cnncalc.dialects.read import CodeError, parse_source

    while n > 1000:
        try:
            parse_source(source(case, n))
            return n
        except CodeError:
            n = (n - 1) // 1000 * 1000
    return n


CHILD = """
import gc, json, sys, time
if sys.argv[2] == "off":
    gc.disable()
from cnncalc.dialects.read import CodeError, read_models
source = open(sys.argv[1], encoding="utf-8").read()
start = time.process_time()
models = 0
try:
    for _, _, read in read_models(source):
        try:
            read()
        except CodeError:
            pass  # a model that is refused is read all the same
        models += 1
except CodeError as e:
    sys.exit(str(e))
seconds = time.process_time() - start
# VmHWM is this process's own peak (ru_maxrss would carry the parent's across fork and exec)
peak = next(int(x.split()[1]) * 1024 for x in open("/proc/self/status")
            if x.startswith("VmHWM:"))
print(json.dumps({"seconds": seconds, "models": models,
                  "rss": peak}))
"""


def measure(case: str, n: int, runs: int, scratch: Path,
            collector: str = "on") -> tuple[float, int, int]:
    """(median CPU seconds, peak RSS bytes, models found) of reading n statements."""
    path = scratch / f"{case}-{n}.py"
    path.write_text(source(case, n), encoding="utf-8")
    results = []
    for _ in range(runs):
        out = subprocess.run([PY, "-c", CHILD, str(path), collector], capture_output=True,
                             text=True, cwd=ROOT, check=True)
        results.append(json.loads(out.stdout))
    return (statistics.median(r["seconds"] for r in results),
            max(r["rss"] for r in results), results[0]["models"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,5000,25000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-collector", action="store_true",
                        help="run the readings with Python's cycle collector off")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    compile_package()
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        print(f"{'case':<11} {'N':>7} {'models':>7} {'CPU s':>8} {'µs/stmt':>8} "
              f"{'peak RSS':>9} {'KiB/stmt':>9}")
        for case in CASES:
            base_rss = measure(case, 0, 1, scratch)[1]
            per: list[float] = []
            for n in sorted({fits(case, n) for n in sizes}):
                seconds, rss, models = measure(case, n, args.runs, scratch,
                                               "off" if args.no_collector else "on")
                per.append(seconds / n * 1e6)
                print(f"{case:<11} {n:>7,} {models:>7,} {seconds:>8.2f} {per[-1]:>8.1f} "
                      f"{rss / 2**20:>7.0f} MB {(rss - base_rss) / n / 1024:>9.2f}")
            print(f"{case:<11} largest/smallest µs per statement: {per[-1] / per[0]:.2f}x")


if __name__ == "__main__":
    main()
