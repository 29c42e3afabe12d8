"""Choosing the device, the arithmetic precision and the CPU threads for training.

torch is imported inside the functions: the OpenMP wait policy must be in the environment
before torch loads its OpenMP runtime, so `cpu_policy` runs first, from a torch-free import.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import ResourceError, UsageError

if TYPE_CHECKING:
    import torch

DEVICES = ("auto", "cpu", "cuda", "mps")
PRECISIONS = ("auto", "fp32", "bf16", "fp16")


def _mps_available() -> bool:
    import torch

    backend = getattr(torch.backends, "mps", None)
    return bool(backend and backend.is_available())


def resolve_device(name: str) -> torch.device:
    import torch

    name = name.lower()
    if name not in DEVICES and not name.startswith("cuda:"):
        raise UsageError(f"unknown device '{name}'", f"choose one of {', '.join(DEVICES)}")
    if name == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if _mps_available():
            return torch.device("mps")
        return torch.device("cpu")
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise ResourceError("--device cuda: no CUDA GPU is available to this torch",
                            "use --device cpu or auto")
    if name == "mps" and not _mps_available():
        raise ResourceError("--device mps: Apple's MPS backend is not available",
                            "use --device cpu or auto")
    return torch.device(name)


def tune_allocator() -> None:
    """Keep freed activation buffers in the heap instead of returning them to the kernel.

    glibc maps each large buffer afresh and unmaps it on free; with PyTorch's per-step
    activations that costs page faults on every step (a third of CPU time in measurements).
    """
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return
    m_trim_threshold, m_top_pad, m_mmap_threshold = -1, -2, -3
    libc.mallopt(m_mmap_threshold, 32 * 2**20)
    libc.mallopt(m_trim_threshold, 2**30)
    libc.mallopt(m_top_pad, 256 * 2**20)


def cpu_has_fast_bf16() -> bool:
    """True where the CPU multiplies bf16 natively (AMX), so mixed precision pays off."""
    import torch

    try:
        flags = Path("/proc/cpuinfo").read_text(errors="ignore")
    except OSError:
        return False
    return " amx_bf16" in flags and bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())


def resolve_precision(name: str, device: torch.device) -> torch.dtype | None:
    """The autocast dtype, or None for plain fp32. fp16 (CUDA only) trains with a
    gradient scaler; auto picks it on GPUs without bf16."""
    import torch

    name = name.lower()
    if name not in PRECISIONS:
        raise UsageError(f"unknown precision '{name}'", f"choose one of {', '.join(PRECISIONS)}")
    if name == "fp32":
        return None
    if name == "fp16":
        if device.type != "cuda":
            raise ResourceError(f"--precision fp16 needs a CUDA GPU, not {device.type}",
                                "use --precision fp32 (or bf16)")
        return torch.float16
    if device.type == "cuda":
        ok = torch.cuda.is_bf16_supported()
        if name == "auto" and not ok:
            return torch.float16
    elif device.type == "cpu":
        ok = cpu_has_fast_bf16() if name == "auto" else True
    else:
        ok = False
    if name == "bf16" and not ok:
        raise ResourceError(f"--precision bf16 is not supported on {device.type}",
                            "use --precision fp32" + (" or fp16" if device.type == "cuda"
                                                      else ""))
    return torch.bfloat16 if ok else None


WAIT_POLICY = "OMP_WAIT_POLICY"


def cpus_available() -> int:
    """CPUs this process may run on (its affinity, which a container or taskset narrows)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        return os.cpu_count() or 1


def check_threads(threads: int | None) -> int | None:
    """--threads: 1 to the CPUs available, or None for automatic."""
    if threads is None:
        return None
    available = cpus_available()
    if not 1 <= threads <= available:
        raise UsageError(f"--threads {threads}: must be from 1 to {available}, the CPUs "
                         "available to this process", "leave it out to choose automatically")
    return threads


def cpu_policy() -> None:
    """Run before torch is imported: OpenMP threads that wait for work sleep instead of
    spinning, unless the user set OMP_WAIT_POLICY. With one competing busy process on 2
    cores, spinning threads doubled the default preset's wall time; sleeping ones cost
    about 5% on an idle machine (docs/benchmarks.md)."""
    os.environ.setdefault(WAIT_POLICY, "PASSIVE")


def choose_threads(threads: int | None) -> int:
    """Set torch's intra-op threads to --threads if given (else torch's own choice, every
    core it may use: fewer threads measured slower on a shared machine, see
    docs/benchmarks.md). Returns the number in use."""
    import torch

    if threads is not None:
        torch.set_num_threads(threads)
    return int(torch.get_num_threads())
