"""Memory budgets: refuse a job from its declared sizes before anything is allocated."""

from __future__ import annotations

from pathlib import Path

from .errors import ResourceError

# What a command may take at most even on a machine with more free: a crafted file must not
# be able to claim the whole machine just because the machine happens to be large.
HEADROOM = 0.8


def available_memory() -> int | None:
    """MemAvailable from /proc/meminfo in bytes, or None where it cannot be read."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def gib(n: int | float) -> str:
    return f"{n / 2**30:.1f} GiB" if n >= 2**28 else f"{n / 2**20:.0f} MiB"


def check(need: int, what: str, hint: str, have: int | None = None,
          where: str = "the machine") -> None:
    """Raise ResourceError when `need` bytes exceed what is available (with headroom)."""
    have = available_memory() if have is None else have
    if have is not None and need > have * HEADROOM:
        raise ResourceError(f"{what} needs about {gib(need)} but {where} has {gib(have)} "
                            "available", hint)
