"""Console setup and the error boundary shared by every command."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any, NoReturn, TypeVar

import typer

from ..errors import CnnCalcError, OutputError, SpecSyntaxError
from .term import clip, console, echo, write  # Typer-free: the fast path shares them

__all__ = ["clip", "console", "echo", "fail", "guarded", "note", "write"]

F = TypeVar("F", bound=Callable[..., Any])

SHOWN_SPEC = 400  # a spec longer than this is not repeated under its error

# Notes about how the command read its input (an input that looks channels-last): said
# after a command that succeeds, or as part of its error, so an error stays one line.
_notes: list[str] = []


def note(text: str) -> None:
    """Say `text` once the command ends: on standard error, or inside its error message."""
    if text not in _notes:
        _notes.append(text)


def caret_lines(error: SpecSyntaxError, encoding: str | None) -> tuple[str, str]:
    """The spec and a caret under the bad token, each on one line as the terminal shows it:
    newlines and control characters in the spec are escapes, and the caret moves with them."""
    from rich.cells import cell_len

    from ..render.safe import for_stream, visible

    def shown(text: str) -> str:
        return for_stream(visible(text, breaks=True), encoding)

    spec, pos = error.spec, min(max(error.pos, 0), len(error.spec))
    before, bad = shown(spec[:pos]), shown(spec[pos:pos + error.length])
    return shown(spec), " " * cell_len(before) + "^" * max(1, cell_len(bad))


def fail(error: CnnCalcError) -> NoReturn:
    if isinstance(error, OutputError) and error.closed and sys.stderr is None:
        raise typer.Exit(0)  # stdout and stderr both closed: output was not wanted at all
    err = console(stderr=True)
    err.print("[bold red]error:[/] ", end="", markup=True)
    err.print(clip("; ".join([str(error), *_notes])), markup=False, soft_wrap=True)
    _notes.clear()
    if isinstance(error, SpecSyntaxError) and len(error.spec) <= SHOWN_SPEC:
        spec, caret = caret_lines(error, err.encoding)
        err.print("  " + spec, markup=False, soft_wrap=True)
        err.print("  " + caret, style="red", markup=False, soft_wrap=True)
    raise typer.Exit(error.exit_code)


def guarded(fn: F) -> F:
    """Run a command, turning cnncalc errors into a message and an exit code."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        _notes.clear()
        try:
            result = fn(*args, **kwargs)
            if _notes:
                err = console(stderr=True)
                for text in _notes:
                    err.print("note: " + clip(text), markup=False, soft_wrap=True)
                _notes.clear()
            return result
        except CnnCalcError as e:
            fail(e)
        except KeyboardInterrupt:
            console(stderr=True).print("interrupted", markup=False)
            raise typer.Exit(130) from None
        except BrokenPipeError:
            if sys.stderr is not None:
                sys.stderr.close()
            raise typer.Exit(0) from None

    return wrapper  # type: ignore[return-value]
