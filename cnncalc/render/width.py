"""How wide output may be: the one rule every command (and any fast path) uses."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

UNWRAPPED = 10_000  # piped output without COLUMNS: as wide as the content, never wrapped
MIN_WIDTH = 20  # below this rich cannot lay out a table at all


def _columns(environ: Mapping[str, str]) -> int | None:
    text = environ.get("COLUMNS", "").strip()
    if text.isdigit() and int(text) > 0:
        return min(UNWRAPPED, max(MIN_WIDTH, int(text)))
    return None


def output_width(stream: IO[str] | None = None,
                 environ: Mapping[str, str] | None = None) -> int:
    """Columns available to `stream` (stdout by default).

    COLUMNS wins when set, terminal or not, so `COLUMNS=80 cnncalc ... | less` fits 80
    columns. Otherwise a terminal gives its own size, and anything else (a pipe, a file) is
    not wrapped at all: a table is as wide as its content.
    """
    env = os.environ if environ is None else environ
    out = sys.stdout if stream is None else stream
    given = _columns(env)
    if given is not None:
        return given
    try:
        is_tty = out.isatty()
    except (AttributeError, ValueError):
        is_tty = False
    if is_tty:
        try:
            size = os.get_terminal_size(out.fileno()).columns
        except (AttributeError, ValueError, OSError):
            import shutil  # a terminal only; it costs piped start-up time

            size = shutil.get_terminal_size().columns
        return max(MIN_WIDTH, size) if size > 0 else 80
    return UNWRAPPED


def make_console(stderr: bool = False, width: int | None = None) -> Console:
    """A rich Console for stdout (or stderr) at `output_width()` columns, which shows outside
    text safely (render.screen.SafeConsole: no markup, control characters escaped, ASCII
    stand-ins where the stream cannot encode a character)."""
    from .screen import SafeConsole  # lazily: JSON, CSV and Markdown never need rich

    stream = sys.stderr if stderr else sys.stdout
    return SafeConsole(file=stream, soft_wrap=False,
                       width=width if width is not None else output_width(stream))
