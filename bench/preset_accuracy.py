"""Train every MNIST preset with its own defaults; report test accuracy and wall time.

Needs MNIST: --data-dir DIR or $CNNCALC_DATA_DIR. Takes a few minutes on a 2-core CPU.
Run: python bench/preset_accuracy.py
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

from cnncalc.presets import PRESETS

MNIST_PRESETS = ("mnist-fast", "pytorch-mnist", "keras-mnist", "tf-cnn", "lenet5")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", default=os.environ.get("CNNCALC_DATA_DIR"))
    args = parser.parse_args()
    print("| preset | epochs | optimizer | test accuracy | wall seconds |")
    print("|---|---|---|---|---|")
    for name in MNIST_PRESETS:
        extra = ["--data-dir", args.data_dir] if args.data_dir else []
        with tempfile.TemporaryDirectory() as run:
            t0 = time.perf_counter()
            proc = subprocess.run([sys.executable, "-m", "cnncalc", "train", "--preset", name,
                                   "--out", run, "--force", "-q", "-f", "json", *extra],
                                  capture_output=True, text=True)
            wall = time.perf_counter() - t0
        if proc.returncode != 0:
            raise SystemExit(proc.stderr)
        result = json.loads(proc.stdout)
        opts = PRESETS[name].train
        print(f"| {name} | {opts['epochs']} | {opts['optimizer']} | "
              f"{result['best_test_acc']:.2%} | {wall:.1f} |", flush=True)


if __name__ == "__main__":
    main()
