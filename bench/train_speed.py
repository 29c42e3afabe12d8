"""Training speed: cnncalc's loop vs a hand-written DataLoader(TensorDataset) loop, and the
default preset's wall time to 99% MNIST test accuracy.

Needs MNIST: --data-dir DIR or $CNNCALC_DATA_DIR.
Run: python bench/train_speed.py [--images 9600] [--rounds 3] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from bench.common import compile_package
from cnncalc import data
from cnncalc.presets import PRESETS
from cnncalc.train.loop import SilentReporter, TrainOptions, train
from cnncalc.train.prep import MEAN, STD


def examples_net() -> nn.Module:
    """The PyTorch examples MNIST net, written out as its README shows it."""
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, 1), nn.ReLU(), nn.Conv2d(32, 64, 3, 1), nn.ReLU(),
        nn.MaxPool2d(2), nn.Dropout(0.25), nn.Flatten(), nn.Linear(9216, 128), nn.ReLU(),
        nn.Dropout(0.5), nn.Linear(128, 10))


def dataloader_loop(mnist: data.Mnist, images: int, batch: int) -> float:
    """images/s of the textbook loop: TensorDataset, DataLoader(shuffle=True), fp32."""
    torch.manual_seed(0)
    x = torch.from_numpy(mnist.train_images[:images].copy()).float().div(255)
    x = x.sub(MEAN).div(STD).unsqueeze(1)
    y = torch.from_numpy(mnist.train_labels[:images].astype(np.int64))
    loader = DataLoader(TensorDataset(x, y), batch_size=batch, shuffle=True)
    model = examples_net()
    opt = torch.optim.Adadelta(model.parameters(), lr=1.0)
    model.train()
    t0 = time.perf_counter()
    for xb, yb in loader:
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(xb), yb)
        loss.backward()
        opt.step()
    return images / (time.perf_counter() - t0)


def cnncalc_loop(mnist: data.Mnist, images: int, batch: int, precision: str) -> float:
    p = PRESETS["pytorch-mnist"]
    options = TrainOptions(epochs=1, batch_size=batch, lr=1.0, optimizer="adadelta",
                           schedule="none", limit_train=images, precision=precision,
                           weight_decay=0.0)
    with tempfile.TemporaryDirectory() as out:
        result = train(p.spec, (1, 28, 28), options, Path(out), mnist, SilentReporter())
    return float(result.history[0]["images_per_s"])


def time_to_99(data_dir: str, runs: int) -> list[tuple[float, float]]:
    out = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as run:
            t0 = time.perf_counter()
            proc = subprocess.run([sys.executable, "-m", "cnncalc", "train", "--data-dir",
                                   data_dir, "--out", run, "--force", "-q", "-f", "json"],
                                  capture_output=True, text=True)
            wall = time.perf_counter() - t0
            if proc.returncode != 0:
                raise SystemExit(proc.stderr)
            out.append((wall, json.loads(proc.stdout)["best_test_acc"]))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", default=os.environ.get(data.ENV_DIR))
    parser.add_argument("--images", type=int, default=9600)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    compile_package()
    directory = data.locate(args.data_dir)
    if directory is None:
        raise SystemExit("MNIST not found: pass --data-dir or set CNNCALC_DATA_DIR")
    mnist = data.load(directory)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, "
          f"{args.images} images per measurement, batch {args.batch}\n")
    base, ours, ours32 = [], [], []
    for _ in range(args.rounds):  # interleaved, so machine drift hits every variant
        base.append(dataloader_loop(mnist, args.images, args.batch))
        ours.append(cnncalc_loop(mnist, args.images, args.batch, "auto"))
        ours32.append(cnncalc_loop(mnist, args.images, args.batch, "fp32"))
    b, o, o32 = (statistics.median(v) for v in (base, ours, ours32))
    print("## PyTorch examples net: images/s (median of rounds)\n")
    print("| loop | images/s | vs DataLoader |")
    print("|---|---|---|")
    print(f"| hand-written DataLoader(TensorDataset), fp32 | {b:,.0f} | 1.00x |")
    print(f"| cnncalc, --precision fp32 | {o32:,.0f} | {o32 / b:.2f}x |")
    print(f"| cnncalc, default (--precision auto) | {o:,.0f} | {o / b:.2f}x |")
    if args.runs:
        print("\n## default preset: `cnncalc train`, whole process\n")
        print("| run | wall seconds | test accuracy |")
        print("|---|---|---|")
        results = time_to_99(str(directory), args.runs)
        for i, (wall, acc) in enumerate(results, 1):
            print(f"| {i} | {wall:.1f} | {acc:.2%} |")
        print(f"\nmedian wall {statistics.median(w for w, _ in results):.1f} s; "
              f"every run ≥ 99.0%: {all(a >= 0.99 for _, a in results)}")


if __name__ == "__main__":
    main()
