"""Kill `cnncalc train` with SIGKILL at random moments; check every survivor, then finish."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import torch

from cnncalc.errors import CheckpointError
from cnncalc.train import checkpoint

from .idx import write_mnist

SPEC = "flatten-fc(3000)-relu-fc(10)"  # ~29 MB checkpoints: saves take a real share of time
EPOCHS = 30


@dataclass
class Stats:
    kills: int = 0
    before_first_save: int = 0
    during_save: int = 0  # a hidden temp file was left: the kill landed mid-write
    finished_early: int = 0
    problems: list[str] = field(default_factory=list)


def command(data: Path, run: Path, resume: bool) -> list[str]:
    base = [sys.executable, "-m", "cnncalc", "train", "--data-dir", str(data), "-q"]
    if resume:
        return [*base, "--resume", str(run), "--epochs", str(EPOCHS)]
    return [*base, SPEC, "--out", str(run), "--epochs", str(EPOCHS), "--batch-size", "64",
            "--optimizer", "adam", "--lr", "0.001", "--precision", "fp32", "--seed", "0",
            "--force"]


def check_survivor(run: Path, stats: Stats) -> None:
    last = run / "last.pt"
    if any(run.glob(".last.pt.tmp-*")) or any(run.glob(".best.pt.tmp-*")):
        stats.during_save += 1
    if not last.exists():
        stats.before_first_save += 1
        return
    try:
        state = checkpoint.load(last)
        assert set(state["model"]) == {"prep.mean", "prep.std", "layers.1.weight",
                                       "layers.1.bias", "layers.3.weight", "layers.3.bias"}
        if (run / "best.pt").exists():
            checkpoint.load(run / "best.pt")
    except (CheckpointError, AssertionError) as e:
        stats.problems.append(f"unloadable checkpoint after kill {stats.kills}: {e}")
        return
    if (run / "metrics.jsonl").exists():
        try:
            rows = [json.loads(x) for x in (run / "metrics.jsonl").read_text().splitlines()]
        except json.JSONDecodeError as e:
            stats.problems.append(f"corrupt metrics.jsonl after kill {stats.kills}: {e}")
            return
        if len(rows) > int(state["epoch"]) + 1:
            stats.problems.append("metrics.jsonl is ahead of last.pt")


def run_chain(workdir: Path, kills: int, seed: int, window: tuple[float, float] = (0.3, 4.0)
              ) -> Stats:
    rng = random.Random(seed)
    data = workdir / "mnist"
    write_mnist(data, n_train=384, n_test=128)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    reference = workdir / "reference"
    subprocess.run(command(data, reference, False), check=True, capture_output=True, env=env)
    run = workdir / "run"
    stats = Stats()
    while stats.kills < kills:
        resume = (run / "last.pt").exists()
        proc = subprocess.Popen(command(data, run, resume), stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, env=env)
        deadline = time.monotonic() + rng.uniform(*window)
        while proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
        if proc.poll() is not None:
            stats.finished_early += 1
            err = proc.stderr.read().decode() if proc.stderr else ""
            if proc.returncode != 0:
                stats.problems.append(f"run failed without a kill: {err[-500:]}")
                break
            if "already at epoch" in err or not resume:
                run_done = checkpoint.load(run / "last.pt")["epoch"] >= EPOCHS
                if run_done:  # start the chain again from scratch
                    for p in run.iterdir():
                        p.unlink()
            continue
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        stats.kills += 1
        check_survivor(run, stats)
    # Finish the run and compare with the uninterrupted one.
    resume = (run / "last.pt").exists()
    done = subprocess.run(command(data, run, resume), capture_output=True, text=True, env=env)
    if done.returncode != 0:
        stats.problems.append(f"final resume failed: {done.stderr[-500:]}")
        return stats
    a = checkpoint.load(reference / "last.pt")["model"]
    b = checkpoint.load(run / "last.pt")["model"]
    if not all(torch.equal(a[k], b[k]) for k in a):
        stats.problems.append("resumed weights differ from the uninterrupted run")
    return stats
