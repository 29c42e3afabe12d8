"""Console setup and the error boundary shared by every command."""

from __future__ import annotations

import functools
import os
import re
import sys
from collections.abc import Callable
from typing import Any, NoReturn, TypeVar

import typer

from ..errors import CnnCalcError, SpecSyntaxError, cut
from .term import console, write  # Typer-free, so the summary fast path shares them

__all__ = ["clip", "console", "fail", "guarded", "write"]

F = TypeVar("F", bound=Callable[..., Any])

ECHO = 80  # the longest piece of user input an error line repeats
_TOKEN = re.compile(rf"\S{{{ECHO + 1},}}")


def _cut(match: re.Match[str]) -> str:
    token = match.group(0)
    bare = token.strip("'\"()[]{},;:")
    if "/" in bare and len(bare) < 4096 and os.path.lexists(bare):
        return token  # a real path is named whole, however long, so it can be found
    return cut(token, ECHO)


def clip(text: str) -> str:
    """An error message on one line, with every echoed token cut to 80 characters."""
    return _TOKEN.sub(_cut, " ".join(text.splitlines()))


def fail(error: CnnCalcError) -> NoReturn:
    err = console(stderr=True)
    if isinstance(error, SpecSyntaxError):
        spec, caret = error.caret_lines()
        err.print("[bold red]error:[/] ", end="", markup=True)
        err.print(clip(str(error)), markup=False, soft_wrap=True)
        if len(spec) <= 400:
            err.print("  " + spec, markup=False)
            err.print("  " + caret, style="red", markup=False)
    else:
        err.print("[bold red]error:[/] ", end="", markup=True)
        err.print(clip(str(error)), markup=False, soft_wrap=True)
    raise typer.Exit(error.exit_code)


def guarded(fn: F) -> F:
    """Run a command, turning cnncalc errors into a message and an exit code."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except CnnCalcError as e:
            fail(e)
        except KeyboardInterrupt:
            console(stderr=True).print("interrupted", markup=False)
            raise typer.Exit(130) from None
        except BrokenPipeError:
            sys.stderr.close()
            raise typer.Exit(0) from None

    return wrapper  # type: ignore[return-value]
