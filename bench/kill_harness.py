"""Long SIGKILL run: kill `cnncalc train` N times at random moments (mid-save included),
check every survivor, finish with --resume, and compare with an uninterrupted run.

Run: python bench/kill_harness.py --kills 200 [--seed 1]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.killharness import run_chain


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--kills", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as work:
        stats = run_chain(Path(work), args.kills, args.seed)
    print(f"kills: {stats.kills}, survived: {stats.kills if not stats.problems else 'NO'}")
    print(f"  before the first save: {stats.before_first_save}")
    print(f"  during a checkpoint write (temp file left behind): {stats.during_save}")
    print(f"  runs that finished before their kill: {stats.finished_early}")
    print(f"final resumed weights equal the uninterrupted run: {not stats.problems}")
    print(f"problems: {stats.problems or 'none'}")
    print(f"{time.perf_counter() - t0:.0f} s")
    sys.exit(1 if stats.problems else 0)


if __name__ == "__main__":
    main()
