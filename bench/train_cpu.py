"""Training on the CPU: the default preset's time to 99% against its floor, and the thread
and OpenMP wait-policy choices on an idle and on a busy machine.

The floor is what any trainer of this model must pay, measured as one process: import
torch, read MNIST, then the same number of forward/backward/update steps on the same model
and batch size, with no evaluation, checkpoint or progress display. It sets its threads
and OpenMP wait policy as `cnncalc train` does (on a loaded machine, a floor with spinning
threads is slower than the trainer itself). The phases are then
timed one by one in that process (first step, a steady step, the test-set pass, one
checkpoint write), to show where `cnncalc train`'s time beyond the floor goes.

The busy case runs one competing process (`python -c 'while 1: pass'`) during each run.

Needs MNIST: --data-dir DIR or $CNNCALC_DATA_DIR.
Run: python bench/train_cpu.py [--runs 3] [--limit-train 0] [--skip-floor] [--skip-threads]
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

from bench.common import PY, compile_package

FLOOR = r"""
import json, sys, time
t0 = time.perf_counter()
from cnncalc.train.device import choose_threads, cpu_policy, tune_allocator
cpu_policy()  # the same wait policy as `cnncalc train`, before torch loads
import torch
from torch import nn
t_import = time.perf_counter()
from cnncalc import data
from cnncalc.presets import PRESETS
from cnncalc.train import optim, checkpoint
from cnncalc.train.prep import prepare_model, tensors
import numpy as np
mnist = data.load(data.locate(sys.argv[1]))
t_data = time.perf_counter()
p = PRESETS["mnist-fast"]
tune_allocator()
threads = int(sys.argv[2])
choose_threads(threads or None)
torch.manual_seed(0)
model, logits_model = prepare_model(p.spec, (1, 28, 28))
model.to(memory_format=torch.channels_last)
opt = optim.make("adamw", model.parameters(), 0.01, 5e-4)
x = tensors(mnist.train_images, (1, 28, 28), torch.device("cpu"))
y = torch.from_numpy(mnist.train_labels.astype(np.int64))
bs = p.train["batch_size"]
from cnncalc.train.device import resolve_precision
dtype = resolve_precision("auto", torch.device("cpu"))  # bf16 autocast where cnncalc uses it
# The trainer holds out a validation split and steps over the rest: the floor does as many.
from cnncalc.train.options import val_size
steps = -(-(len(x) - val_size(p.train.get("val_split"), len(x))) // bs)
perm = torch.randperm(len(x))
logits_model.train()
step_times = []
for i in range(steps):
    s0 = time.perf_counter()
    idx = perm[i * bs:(i + 1) * bs]
    with torch.autocast("cpu", dtype=dtype or torch.float32, enabled=dtype is not None):
        out = logits_model(x[idx])
    loss = nn.functional.cross_entropy(out.float(), y[idx], label_smoothing=0.1)
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()
    step_times.append(time.perf_counter() - s0)
float(loss.detach())
t_compute = time.perf_counter()
# Phases cnncalc train adds, timed after the floor:
from cnncalc.train.prep import evaluate_logits
x_test = tensors(mnist.test_images, (1, 28, 28), torch.device("cpu")).contiguous(
    memory_format=torch.channels_last)
e0 = time.perf_counter()
logits = evaluate_logits(logits_model, x_test, dtype)
y_test = torch.from_numpy(mnist.test_labels.astype(np.int64))
acc = float((logits.argmax(1) == y_test).float().mean())
e1 = time.perf_counter()
import tempfile, pathlib
with tempfile.TemporaryDirectory() as d:
    checkpoint.save(pathlib.Path(d) / "last.pt", {"model": model.state_dict(),
                                                  "optimizer": opt.state_dict()})
c1 = time.perf_counter()
print(json.dumps({"import": t_import - t0, "data": t_data - t_import,
                  "compute": t_compute - t_data, "floor": t_compute - t0, "steps": steps,
                  "first_step": step_times[0], "median_step": sorted(step_times)[steps // 2],
                  "eval": e1 - e0, "checkpoint": c1 - e1, "acc_after_floor": acc,
                  "threads": torch.get_num_threads()}))
"""


def train_run(data_dir: str, extra: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds of a whole `cnncalc train` process, and its test accuracy."""
    with tempfile.TemporaryDirectory() as run:
        t0 = time.perf_counter()
        proc = subprocess.run([PY, "-m", "cnncalc", "train", "--data-dir", data_dir, "--out",
                               run, "--force", "-q", "-f", "json", *extra],
                              capture_output=True, text=True, env=env)
        wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(proc.stderr)
    return wall, float(json.loads(proc.stdout)["best_test_acc"])


def env_with(**changes: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("OMP_NUM_THREADS",)}
    for k, v in changes.items():
        if v is None:
            env.pop(k, None)
        else:
            env[k] = v
    return env


def floor(data_dir: str, runs: int) -> None:
    print("## Default preset: `cnncalc train` against the floor (whole processes, seconds)\n")
    rows: list[dict[str, float]] = []
    walls: list[tuple[float, float]] = []
    env = env_with(OMP_WAIT_POLICY=None)  # both processes choose threads and policy alike
    for _ in range(runs):  # interleaved: floor, then the real run
        t0 = time.perf_counter()
        proc = subprocess.run([PY, "-c", FLOOR, data_dir, "0"], capture_output=True,
                              text=True, env=env)
        fwall = time.perf_counter() - t0
        if proc.returncode != 0:
            raise SystemExit(proc.stderr)
        row = json.loads(proc.stdout)
        row["process"] = fwall - row["eval"] - row["checkpoint"]
        rows.append(row)
        walls.append(train_run(data_dir, [], env))
    med = {k: statistics.median(r[k] for r in rows) for k in rows[0]}
    wall = statistics.median(w for w, _ in walls)
    print("| part | median s |")
    print("|---|---|")
    for key, label in (("import", "import torch"), ("data", "read MNIST (gzip IDX)"),
                       ("compute", f"{int(med['steps'])} training steps (compute only)"),
                       ("process", "floor: the whole floor process (interpreter included)")):
        print(f"| {label} | {med[key]:.2f} |")
    print(f"| `cnncalc train` (default preset), whole process | {wall:.2f} |")
    print(f"\nratio to the floor: {wall / med['process']:.2f}x; accuracies "
          f"{', '.join(f'{a:.2%}' for _, a in walls)}; torch threads {int(med['threads'])}\n")
    print("Where the rest goes (timed in the floor process):\n")
    print("| phase | median s |")
    print("|---|---|")
    print(f"| first training step | {med['first_step']:.3f} |")
    print(f"| a steady training step | {med['median_step']:.4f} |")
    print(f"| test-set pass (10,000 images) | {med['eval']:.2f} |")
    print(f"| one checkpoint write | {med['checkpoint']:.3f} |")
    print()


def threads(data_dir: str, runs: int, limit: int) -> None:
    extra = ["--limit-train", str(limit)] if limit else []
    variants = [
        ("default (every CPU, OpenMP threads sleep)", [], {}),
        ("--threads 2, OpenMP's own wait policy (as before)", ["--threads", "2"],
         {"OMP_WAIT_POLICY": ""}),
        ("--threads 1", ["--threads", "1"], {}),
    ]
    what = f"{limit:,} training images" if limit else "the full epoch"
    print(f"## Threads and wait policy, default preset on {what} (wall seconds)\n")
    print("| variant | idle median | idle min-max | busy median | busy min-max |")
    print("|---|---|---|---|---|")
    for name, args, changes in variants:
        env = env_with(**{k: v for k, v in changes.items()})
        if "OMP_WAIT_POLICY" not in changes:
            env.pop("OMP_WAIT_POLICY", None)
        idle, busy = [], []
        for _ in range(runs):  # idle and busy in turn
            idle.append(train_run(data_dir, [*extra, *args], env)[0])
            hog = subprocess.Popen([PY, "-c", "while 1: pass"])
            try:
                time.sleep(1.0)  # let it be running (and seen) before training starts
                busy.append(train_run(data_dir, [*extra, *args], env)[0])
            finally:
                hog.kill()
                hog.wait()
        print(f"| {name} | {statistics.median(idle):.1f} | {min(idle):.1f}-{max(idle):.1f} | "
              f"{statistics.median(busy):.1f} | {min(busy):.1f}-{max(busy):.1f} |", flush=True)
    print()


def main() -> None:
    from cnncalc import data

    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", default=os.environ.get(data.ENV_DIR))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--limit-train", type=int, default=0,
                        help="images per run in the threads comparison (0: all)")
    parser.add_argument("--skip-floor", action="store_true")
    parser.add_argument("--skip-threads", action="store_true")
    args = parser.parse_args()
    compile_package()
    directory = data.locate(args.data_dir)
    if directory is None:
        raise SystemExit("MNIST not found: pass --data-dir or set CNNCALC_DATA_DIR")
    with open("/proc/cpuinfo") as f:
        model = next((line.split(":", 1)[1].strip() for line in f
                      if line.startswith("model name")), "unknown CPU")
    print(f"{model}, {os.cpu_count()} CPUs, 1-minute load average at start "
          f"{os.getloadavg()[0]:.2f}\n")
    if not args.skip_floor:
        floor(str(directory), args.runs)
    if not args.skip_threads:
        threads(str(directory), args.runs, args.limit_train)


if __name__ == "__main__":
    main()
