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

