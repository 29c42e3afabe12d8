"""torchrun / DistributedDataParallel on this CPU: 2 processes over loopback with gloo."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import torch
import torch.multiprocessing as mp
from typer.testing import CliRunner

from cnncalc import data
from cnncalc.cli import app
from cnncalc.train import checkpoint
from cnncalc.train.loop import train

from . import ddp_worker
from .idx import write_mnist

# 391 training images: 32 held out (a twelfth), 359 trained on in batches of 32, so the
# last global batch of 7 splits 4 + 3 between the processes: uneven shards are covered.
N_TRAIN = 391


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def synth(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("mnist")
    write_mnist(directory, n_train=N_TRAIN, n_test=64)
    return directory


def assert_close_states(a: dict[str, torch.Tensor], b: dict[str, torch.Tensor]) -> None:
    assert a.keys() == b.keys()
    for k in a:
        # Two processes sum the gradient in another order: equal to float rounding.
        torch.testing.assert_close(a[k], b[k], rtol=1e-4, atol=1e-5)


def test_two_processes_equal_one_with_the_same_global_batch(synth: Path,
                                                             tmp_path: Path) -> None:
    run = tmp_path / "ddp" / "run"
    mp.start_processes(ddp_worker.worker, args=(2, free_port(), str(synth), str(run)),
                       nprocs=2, start_method="spawn")
    rank0 = torch.load(tmp_path / "ddp" / "rank0.pt", weights_only=True)
    rank1 = torch.load(tmp_path / "ddp" / "rank1.pt", weights_only=True)
    for k in rank0:  # DDP keeps the replicas identical, bit for bit
        assert torch.equal(rank0[k], rank1[k]), k
    single = train(ddp_worker.SPEC, (1, 28, 28), ddp_worker.OPTIONS, tmp_path / "one",
                   data.load(synth))
    assert single.model is not None
    assert_close_states(rank0, single.model.state_dict())
    # Only rank 0 wrote the run, with the world size; its metrics cover every image.
    ck = checkpoint.load(run / "last.pt")
    assert ck["world_size"] == 2 and ck["epoch"] == 2
    one = checkpoint.load(tmp_path / "one" / "last.pt")
    for got, want in zip(ck["history"], one["history"]):
        for key in ("train_loss", "train_acc", "val_acc", "test_acc", "test_loss"):
            assert got[key] == pytest.approx(want[key], abs=1e-4), key
    assert not list((tmp_path / "ddp").glob("rank*/")), "rank 1 wrote files"


def test_torchrun_cli_and_resume_with_another_world_size(synth: Path, tmp_path: Path) -> None:
    run = tmp_path / "run"
    args = ["train", ddp_worker.SPEC, "--data-dir", str(synth), "--batch-size", "32",
            "--lr", "0.01", "--optimizer", "adam", "--schedule", "none", "--seed", "5",
            "--precision", "fp32",
            "--device", "cpu", "-q"]
    env = {**os.environ, "OMP_NUM_THREADS": "1", "GLOO_SOCKET_IFNAME": "lo"}
    proc = subprocess.run(
        # --standalone: torchrun binds its own free port on localhost, so no port chosen here
        # can be taken by another process before torchrun binds it.
        [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node", "2",
         "-m", "cnncalc",
         *args, "--epochs", "1", "--out", str(run)],
        capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert checkpoint.load(run / "last.pt")["world_size"] == 2
    # Resume the 2-process run in one process: the same model as 2 epochs in one process
    # (a constant lr, as raising --epochs on resume replans a schedule).
    r = CliRunner().invoke(app, ["train", "--resume", str(run), "--epochs", "2",
                                 "--data-dir", str(synth), "-q"])
    assert r.exit_code == 0, r.output
    r = CliRunner().invoke(app, [*args, "--epochs", "2", "--out", str(tmp_path / "one")])
    assert r.exit_code == 0, r.output
    resumed = checkpoint.load(run / "last.pt")
    assert resumed["world_size"] == 1
    assert_close_states(resumed["model"], checkpoint.load(tmp_path / "one" / "last.pt")["model"])
