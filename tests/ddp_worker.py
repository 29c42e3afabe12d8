"""A process of a 2-process training for the DDP tests (imported by spawned children)."""

from __future__ import annotations

import os
from pathlib import Path

import torch

from cnncalc import data
from cnncalc.train.distributed import Ranks
from cnncalc.train.loop import TrainOptions, train

SPEC = "conv(4,3)-relu-maxpool(2)-flatten-fc(10)"  # no batch norm, no dropout: exact parity
OPTIONS = TrainOptions(epochs=2, batch_size=32, lr=0.01, optimizer="adam", schedule="onecycle",
                       precision="fp32", seed=5, device="cpu")


def worker(rank: int, world: int, port: int, data_dir: str, out: str) -> None:
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port), GLOO_SOCKET_IFNAME="lo")
    torch.set_num_threads(1)
    result = train(SPEC, (1, 28, 28), OPTIONS, Path(out), data.load(Path(data_dir)),
                   ranks=Ranks(rank, world, rank))
    assert result.model is not None
    torch.save(result.model.state_dict(), Path(out).parent / f"rank{rank}.pt")
    # Leave together, as the CLI does (distributed.finish): a process that exits with its
    # group still up can abort in gloo's threads while the other one is still talking.
    import torch.distributed as dist

    if dist.is_initialized():
        dist.barrier()
        dist.destroy_process_group()  # as distributed.finish(ranks, together=True)
