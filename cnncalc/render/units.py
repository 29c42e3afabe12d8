"""Human-readable numbers: thousands separators and byte sizes."""

from __future__ import annotations


def count(n: int) -> str:
    return f"{n:,}"


def nbytes(n: int) -> str:
    value = float(n)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if abs(value) < 1024 or unit == "PiB":
            return f"{int(value)} B" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError  # pragma: no cover



def short(n: int) -> str:
    """A count in three significant figures: 3.87M, 1.82G, 950."""
    value = float(n)
    for unit in ("", "K", "M", "G", "T", "P"):
        if abs(value) < 999.5 or unit == "P":
            if not unit:
                return f"{int(value)}"
            digits = 2 if abs(value) < 9.995 else (1 if abs(value) < 99.95 else 0)
            return f"{value:.{digits}f}{unit}"
        value /= 1000
    raise AssertionError  # pragma: no cover
