"""Memory budgets: refuse a job from its declared sizes before anything is allocated."""

from __future__ import annotations

import os
from pathlib import Path

from .errors import ResourceError, UsageError

ENV_LIMIT = "CNNCALC_MAX_MEMORY"  # a cap in MiB below the machine's free memory

# What a command may take at most even on a machine with more free: a crafted file must not
# be able to claim the whole machine just because the machine happens to be large.
HEADROOM = 0.8


def limit() -> int | None:
    """$CNNCALC_MAX_MEMORY in bytes (given in MiB), or None when unset."""
    text = os.environ.get(ENV_LIMIT)
    if not text:
        return None
    if not text.isdigit() or not 1 <= int(text) <= 1 << 30:
        raise UsageError(f"${ENV_LIMIT} {text[:30]!r} must be a whole number of MiB "
                         "(1 to 1073741824)")
    return int(text) * 2**20


def available_memory() -> int | None:
    """Free memory in bytes: MemAvailable from /proc/meminfo, lowered to $CNNCALC_MAX_MEMORY
    when that is set; None where neither is known."""
    cap = limit()
    free = _meminfo()
    if cap is None or free is None:
        return cap if free is None else free
    return min(cap, free)


def _meminfo() -> int | None:
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
    """Raise ResourceError when `need` bytes exceed what is available: 80% of the free memory
    (the rest is for the interpreter, torch and the system), at most $CNNCALC_MAX_MEMORY."""
    if have is None:
        free, cap = _meminfo(), limit()
        have = None if free is None else int(free * HEADROOM)
        if cap is not None:
            have = cap if have is None else min(have, cap)
    else:
        have = int(have * HEADROOM)
    if have is not None and need > have:
        raise ResourceError(f"{what} needs about {gib(need)} but {where} has {gib(have)} "
                            "available", hint)
