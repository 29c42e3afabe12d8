"""Where output goes: the rich console's width rule and the plain stdout writer (no Typer)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console


def console(stderr: bool = False, wide: bool = False) -> Console:
    """The console every command prints through; its width follows `output_width()`."""
    from ..render.width import UNWRAPPED, make_console

    return make_console(stderr, UNWRAPPED if wide else None)


def write(text: str) -> None:
    """Machine-readable output goes straight to stdout, untouched by rich."""
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    sys.stdout.flush()
