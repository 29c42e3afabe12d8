"""Console setup and the error boundary shared by every command."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any, NoReturn, TypeVar

import typer

from ..errors import CnnCalcError, SpecSyntaxError
from .term import WIDE, console, write  # Typer-free, so the summary fast path shares them

__all__ = ["WIDE", "console", "fail", "guarded", "write"]

F = TypeVar("F", bound=Callable[..., Any])

def fail(error: CnnCalcError) -> NoReturn:
    err = console(stderr=True)
    if isinstance(error, SpecSyntaxError):
        spec, caret = error.caret_lines()
        err.print("[bold red]error:[/] ", end="", markup=True)
        err.print(str(error), markup=False, soft_wrap=True)
        if len(spec) <= 400:
            err.print("  " + spec, markup=False)
            err.print("  " + caret, style="red", markup=False)
    else:
        err.print("[bold red]error:[/] ", end="", markup=True)
        err.print(str(error), markup=False, soft_wrap=True)
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
