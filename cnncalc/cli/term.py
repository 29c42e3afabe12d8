"""Where output goes: the rich console's width rule and the plain stdout writer (no Typer).

Every byte a command prints leaves through `console`, `write` or `echo`, and each makes
outside text safe for the stream it lands on (render.safe, render.screen): control
characters never reach the terminal raw, and a stream that cannot encode a character (a
cp1252 stdout) gets a stand-in instead of a UnicodeEncodeError.
"""

from __future__ import annotations

import os
import re
import sys
from typing import IO, TYPE_CHECKING, Any, Literal, Protocol

from ..errors import OutputError, cut

if TYPE_CHECKING:
    from rich.console import Console

Form = Literal["data", "text", "xml"]

ECHO = 80  # the longest piece of user input an error line repeats
_TOKEN = re.compile(rf"\S{{{ECHO + 1},}}")

CLOSED = ("standard output is closed, so there is nowhere to print the result",
          "redirect it to a file or to /dev/null instead of closing it (>&-)")


def _open_stdout() -> None:
    if sys.stdout is None:
        raise OutputError(*CLOSED, closed=True)


def console(stderr: bool = False, wide: bool = False) -> Console:
    """The console every command prints through; its width follows `output_width()`."""
    from ..render.width import UNWRAPPED, make_console

    if not stderr:
        _open_stdout()
    return make_console(stderr, UNWRAPPED if wide else None)


def write(text: str, form: Form = "data") -> None:
    """Machine-readable output goes straight to stdout, untouched by rich.

    `form` says how a character that must not reach the stream raw is written: "data"
    (JSON, Python source) as a \\uXXXX escape, which reads back as the same character inside
    a string; "text" (CSV, Markdown, Mermaid) as a visible escape or an ASCII stand-in;
    "xml" as a visible escape or a character reference.
    """
    from ..render.safe import for_data, for_stream, for_xml

    _open_stdout()
    out = sys.stdout
    body = text if text.endswith("\n") else text + "\n"
    encoding = getattr(out, "encoding", None)
    body = {"data": for_data, "text": for_stream, "xml": for_xml}[form](body, encoding)
    try:
        out.write(body)
        out.flush()
    except BrokenPipeError:
        raise  # a reader that went away (| head): the commands' boundary ends quietly
    except OSError as e:
        raise OutputError(f"could not write to standard output: {e.strerror or e}",
                          closed=e.errno == 9) from None  # EBADF: closed under us


def echo(text: str) -> None:
    """A plain line on stderr (a note, "wrote FILE"), for commands that do not load rich;
    dropped when stderr is closed, as there is no one to tell."""
    from ..render.safe import for_stream

    err = sys.stderr
    if err is None:
        return
    try:
        err.write(for_stream(text, getattr(err, "encoding", None)) + "\n")
        err.flush()
    except OSError:
        pass  # stderr gone: the exit code still tells


class ClickException(Protocol):
    """What `usage_error` needs of click's exception (click's own, or Typer's copy)."""

    exit_code: int

    def show(self, file: IO[Any] | None = None) -> None: ...


def usage_error(error: ClickException) -> None:
    """Click's usage message (usage line, hint, "Error: ..."), shown as `echo` shows text:
    click quotes the offending argument as typed, control characters and all."""
    import io

    buf = io.StringIO()
    error.show(file=buf)
    echo(buf.getvalue().rstrip("\n"))


def _cut(match: re.Match[str]) -> str:
    token = match.group(0)
    bare = token.strip("'\"()[]{},;:")
    if "/" in bare and len(bare) < 4096 and os.path.lexists(bare):
        return token  # a real path is named whole, however long, so it can be found
    return cut(token, ECHO)


def clip(text: str) -> str:
    """An error message on one line, with every echoed token cut to 80 characters and every
    control character shown as an escape (render.safe.visible)."""
    from ..render.safe import visible

    return visible(_TOKEN.sub(_cut, " ".join(text.splitlines())), breaks=True)


def internal_error(error: BaseException) -> None:
    """The last-resort line for an unexpected exception: one line, safe, never raising."""
    try:
        text = f"{type(error).__name__}: {error}"
    except Exception:  # an exception whose __str__ raises still gets its line
        text = type(error).__name__
    echo(clip(f"error: internal error: {text}; please report it with the command you ran"))


def safe_streams() -> None:
    """Have stdout and stderr write an escape for a character they cannot encode, instead of
    raising UnicodeEncodeError: a net under the writers above for text printed by Typer,
    click or a warning."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None and getattr(stream, "errors", "") == "strict":
            reconfigure(errors="backslashreplace")
