"""Where output goes: the rich console's width rule and the plain stdout writer (no Typer)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

WIDE = 200  # tables are wide; when output is not a terminal, do not squeeze them to 80


def console(stderr: bool = False) -> Console:
    from rich.console import Console  # lazily: JSON, CSV and Markdown never need rich

    c = Console(stderr=stderr, highlight=False, soft_wrap=False)
    if not c.is_terminal:
        c = Console(stderr=stderr, highlight=False, width=WIDE, soft_wrap=False)
    return c


def write(text: str) -> None:
    """Machine-readable output goes straight to stdout, untouched by rich."""
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    sys.stdout.flush()
