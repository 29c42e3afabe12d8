"""Several processes training one model (torchrun): the rank, the process group, reductions.

torchrun sets RANK, WORLD_SIZE and LOCAL_RANK (and the rendezvous address) for each
process. One process, the default, needs none of this and never imports torch.distributed.

Joining the others waits at most CNNCALC_DIST_TIMEOUT seconds (default 60), and says what it
waits for when that takes a while. Once joined, a process that dies is noticed at the next
exchange: the others stop with one line saying so, and the run resumes from its last.pt.
"""

from __future__ import annotations

import math
import os
import re
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import torch

from ..errors import ResourceError, TrainingError, UsageError
from ..records import record

TIMEOUT_VAR = "CNNCALC_DIST_TIMEOUT"
DEFAULT_TIMEOUT = 60.0  # seconds to wait for the other processes to join
MAX_TIMEOUT = 86_400.0
NOTICE_AFTER = 2.0  # seconds of waiting before saying what for (a normal join takes less)


@record
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
    ranks = Ranks(rank, world, local)
    if ranks.active:  # checked before any work, not when the waiting starts
        join_timeout()
        address()
    return ranks


def join_timeout() -> float:
    """Seconds a process waits for the others to join: $CNNCALC_DIST_TIMEOUT, default 60."""
    text = os.environ.get(TIMEOUT_VAR)
    if text is None or not text.strip():
        return DEFAULT_TIMEOUT
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 1 <= value <= MAX_TIMEOUT:  # NaN fails too
        raise UsageError(f"environment variable {TIMEOUT_VAR}={text[:40]!r} is not a number "
                         f"of seconds from 1 to {MAX_TIMEOUT:,.0f}",
                         f"for example {TIMEOUT_VAR}=120, or unset it for "
                         f"{DEFAULT_TIMEOUT:g} s")
    return value


def address() -> str:
    """HOST:PORT where the processes meet (torchrun sets both variables)."""
    missing = [v for v in ("MASTER_ADDR", "MASTER_PORT") if not os.environ.get(v)]
    if missing:
        verb = "is" if len(missing) == 1 else "are"
        raise UsageError(f"WORLD_SIZE={os.environ.get('WORLD_SIZE')} asks for several "
                         f"processes, but {' and '.join(missing)} {verb} not set",
                         "launch the processes with torchrun, which sets them")
    return f"{os.environ['MASTER_ADDR']}:{os.environ['MASTER_PORT']}"


def _others(ranks: Ranks) -> str:
    n = ranks.world - 1
    return f"the other {n} training process{'es' if n > 1 else ''}"


def device_name(ranks: Ranks, requested: str) -> str:
    """Each process on a machine drives its own GPU: cuda becomes cuda:LOCAL_RANK."""
    if ranks.active and requested in ("auto", "cuda") and torch.cuda.is_available():
        if ranks.local_rank >= torch.cuda.device_count():
            raise ResourceError(f"process {ranks.rank} wants cuda:{ranks.local_rank} but "
                                f"this machine has {torch.cuda.device_count()} GPUs",
                                "give torchrun --nproc-per-node at most the number of GPUs")
        return f"cuda:{ranks.local_rank}"
    return requested


def init(ranks: Ranks, device: torch.device,
         waiting: Callable[[str], None] | None = None) -> None:
    """Join the process group: nccl between GPUs, gloo between CPUs. Waits at most
    CNNCALC_DIST_TIMEOUT seconds; `waiting` is told what it waits for once the wait has
    lasted a couple of seconds (a normal start under torchrun is quicker, and says nothing)."""
    if not ranks.active:
        return
    import torch.distributed as dist

    if dist.is_initialized():
        return
    timeout, where = join_timeout(), address()
    if device.type == "cuda":
        torch.cuda.set_device(device)
    backend = "nccl" if device.type == "cuda" else "gloo"
    notice = None
    if waiting is not None:
        notice = threading.Timer(NOTICE_AFTER, waiting, [
            f"process {ranks.rank} of {ranks.world} is waiting for {_others(ranks)} to join "
            f"at {where} (for at most {timeout:g} s; {TIMEOUT_VAR} sets the limit)"])
        notice.daemon = True
        notice.start()
    start = time.monotonic()
    try:
        dist.init_process_group(backend, rank=ranks.rank, world_size=ranks.world,
                                timeout=timedelta(seconds=timeout))
    except (RuntimeError, ValueError) as e:
        detail = _first_line(e)
        if "timed out" in detail.lower() or "timeout" in detail.lower():
            # torch's client retries once past the limit: the time said is the time waited
            raise ResourceError(f"process {ranks.rank} of {ranks.world} waited "
                                f"{time.monotonic() - start:.0f} s for {_others(ranks)} at "
                                f"{where} and gave up ({detail})",
                                f"launch all {ranks.world} together with torchrun, or raise "
                                f"{TIMEOUT_VAR} (now {timeout:g} s)") from None
        raise ResourceError(f"could not join {_others(ranks)} at {where} ({detail})",
                            "check MASTER_ADDR/MASTER_PORT or torchrun's --rdzv options") from None
    finally:
        if notice is not None:
            notice.cancel()
    _keep_torch_wait_limit(backend, timeout)


def _keep_torch_wait_limit(backend: str, joined_within: float) -> None:
    """After the join, give the exchanges torch's own limit again (30 minutes for gloo, 10
    for nccl): process 0 may be writing a large checkpoint while the others wait, and a
    process that dies is noticed at once in any case. Older torch has no setter: the join
    limit then stays the limit of every wait."""
    from torch.distributed import distributed_c10d as c10d

    setter = getattr(c10d, "_set_pg_timeout", None)
    default = getattr(c10d, "default_pg_nccl_timeout", None) if backend == "nccl" else \
        getattr(c10d, "default_pg_timeout", None)
    if setter is None or not isinstance(default, timedelta):
        return
    setter(max(default, timedelta(seconds=joined_within)))


def _first_line(error: BaseException) -> str:
    """The gist of a torch.distributed error: its first sentence, without the source path
    that gloo puts in front ("[.../pair.cc:537] Read error ...: Connection reset by peer")."""
    lines = [x.strip() for x in str(error).splitlines() if x.strip()]
    if not lines:
        return type(error).__name__
    text = re.sub(r"^\[[^\]]*\.(?:cc|cpp|h|hpp):\d+\]\s*", "", lines[0])
    sentence = re.split(r"(?<=\.)\s", text, maxsplit=1)[0]
    return sentence[:160]


def peer_lost(ranks: Ranks, error: BaseException, run: Path | None) -> TrainingError | None:
    """The one-line error for an exchange that failed because another process died (or
    stopped answering), or None when `error` is something else."""
    if not ranks.active or not isinstance(error, RuntimeError):
        return None
    import torch.distributed as dist

    text = str(error)
    signs = ("Connection closed by peer", "Connection reset by peer", "Broken pipe",
             "Timed out", "timed out", "NCCL communicator was aborted", "ProcessGroupNCCL",
             "ProcessGroupGloo", "gloo/transport")
    if not isinstance(error, getattr(dist, "DistError", ())) and not any(
            s in text for s in signs):
        return None
    if run is not None and (run / "last.pt").exists():
        hint = f"the run resumes from its last checkpoint with: cnncalc train --resume {run}"
    elif run is not None:
        hint = f"no epoch was saved yet: start it again (--out {run} --force)"
    else:
        hint = "start it again"
    return TrainingError(f"another training process died or stopped answering, so process "
                         f"{ranks.rank} of {ranks.world} stopped too ({_first_line(error)})",
                         hint)


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


def finish(ranks: Ranks, together: bool = False) -> None:
    """Leave the process group. `together`: after a run every process finished, wait for all
    of them first: a process that tears its group down while another still talks to it can
    abort in gloo's threads (SIGABRT, "terminate called without an active exception"), and
    torchrun then reports a finished training as failed."""
    if ranks.active:
        import torch.distributed as dist

        if dist.is_initialized():
            if together:
                try:
                    dist.barrier()
                except RuntimeError:
                    pass  # a peer gone after the last step: there is nothing left to share
            dist.destroy_process_group()
