"""Several processes training one model (torchrun): the rank, the process group, reductions.

torchrun sets RANK, WORLD_SIZE and LOCAL_RANK (and the rendezvous address) for each
process. One process, the default, needs none of this and never imports torch.distributed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import torch

from ..errors import ResourceError, UsageError


@dataclass(frozen=True)
class Ranks:
    rank: int = 0
    world: int = 1
    local_rank: int = 0

    @property
    def main(self) -> bool:
        """The one process that writes the run folder and prints."""
        return self.rank == 0

    @property
    def active(self) -> bool:
        return self.world > 1


SINGLE = Ranks()


def _env_int(name: str, default: int) -> int:
    text = os.environ.get(name)
    if text is None:
        return default
    try:
        return int(text)
    except ValueError:
        raise UsageError(f"environment variable {name}={text!r} is not an integer",
                         "launch several processes with torchrun") from None


def from_env() -> Ranks:
    """The ranks torchrun gave this process (one process when launched directly)."""
    world = _env_int("WORLD_SIZE", 1)
    rank = _env_int("RANK", 0)
    local = _env_int("LOCAL_RANK", rank)
    if world < 1 or not 0 <= rank < world or local < 0:
        raise UsageError(f"RANK={rank}, WORLD_SIZE={world}: not a valid process layout",
                         "launch several processes with torchrun")
    return Ranks(rank, world, local)


def device_name(ranks: Ranks, requested: str) -> str:
    """Each process on a machine drives its own GPU: cuda becomes cuda:LOCAL_RANK."""
    if ranks.active and requested in ("auto", "cuda") and torch.cuda.is_available():
        if ranks.local_rank >= torch.cuda.device_count():
            raise ResourceError(f"process {ranks.rank} wants cuda:{ranks.local_rank} but "
                                f"this machine has {torch.cuda.device_count()} GPUs",
                                "give torchrun --nproc-per-node at most the number of GPUs")
        return f"cuda:{ranks.local_rank}"
    return requested


def init(ranks: Ranks, device: torch.device) -> None:
    """Join the process group: nccl between GPUs, gloo between CPUs."""
    if not ranks.active:
        return
    import torch.distributed as dist

    if dist.is_initialized():
        return
    if device.type == "cuda":
        torch.cuda.set_device(device)
    try:
        dist.init_process_group("nccl" if device.type == "cuda" else "gloo", rank=ranks.rank,
                                world_size=ranks.world)
    except (RuntimeError, ValueError) as e:
        raise ResourceError(f"could not join the other {ranks.world - 1} processes "
                            f"({str(e).splitlines()[0][:120]})",
                            "check MASTER_ADDR/MASTER_PORT or torchrun's --rdzv options") from None


def all_sum(ranks: Ranks, values: list[float], device: torch.device) -> list[float]:
    """Element-wise sums over every process (float64, so counts stay exact)."""
    if not ranks.active:
        return values
    import torch.distributed as dist

    t = torch.tensor(values, dtype=torch.float64, device=device)
    dist.all_reduce(t)
    return [float(v) for v in t.tolist()]


def share_error(ranks: Ranks, message: str | None) -> str | None:
    """Rank 0's refusal (or None) told to every process, so none waits for the others."""
    if not ranks.active:
        return message
    import torch.distributed as dist

    box: list[str | None] = [message]
    dist.broadcast_object_list(box, src=0)
    return box[0]


def finish(ranks: Ranks) -> None:
    if ranks.active:
        import torch.distributed as dist

        if dist.is_initialized():
            dist.destroy_process_group()
