"""The Typer application and the `cnncalc` entry point."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, cast

import typer

from .._version import __version__
from . import calc_cmds, check_cmds, data_cmds, docs_cmds, draw_cmds, model_cmds, train_cmds
from .common import clip, echo
from .term import internal_error, usage_error

if TYPE_CHECKING:
    from typer.models import CommandInfo, TyperInfo

    from .term import ClickException

app = typer.Typer(
    name="cnncalc",
    help="Exact CNN shapes, parameters, MACs and receptive fields; train specs on MNIST. "
    "'cnncalc SPEC' is short for 'cnncalc summary SPEC'.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def version_text() -> str:
    """`cnncalc 0.1.0`, and the torch version when torch is installed (read from its
    metadata: importing torch would take seconds)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        torch = f"torch {version('torch')}"
    except PackageNotFoundError:
        torch = "torch not installed (pip install 'cnncalc[train]' to train)"
    return f"cnncalc {__version__}\n{torch}"


def _version(value: bool) -> None:
    if value:
        typer.echo(version_text())
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Print the version and exit."),
) -> None:
    """cnncalc: reason about convolutional networks from the terminal."""


calc_cmds.register(app)
calc_cmds.register_teaching(app)
train_cmds.register(app)
model_cmds.register(app)
data_cmds.register(app)
draw_cmds.register(app)
check_cmds.register(app)
docs_cmds.register(app)


def _whole_short_help(typer_app: typer.Typer) -> None:
    """The command list shows each command's first paragraph whole, wrapped: click would cut
    a description it makes itself at the terminal's width with '...'."""
    import inspect

    infos: list[CommandInfo | TyperInfo] = [*typer_app.registered_commands,
                                            *typer_app.registered_groups]
    for info in infos:
        if info.short_help:
            continue
        callback = getattr(info, "callback", None)
        doc = info.help or (inspect.getdoc(callback) if callback else None) or ""
        first = doc.strip().split("\n\n", 1)[0]
        if first:
            info.short_help = " ".join(first.split())
    for group in typer_app.registered_groups:
        if group.typer_instance is not None:
            _whole_short_help(group.typer_instance)


_whole_short_help(app)


# The optional packages each command may import, and the extra that installs them.
EXTRAS = {"torch": "train", "numpy": "train", "PIL": "train", "matplotlib": "plot"}


def command_names() -> set[str]:
    names = {c.name or (c.callback.__name__.replace("_", "-") if c.callback else "")
             for c in app.registered_commands}
    return names | {g.name or "" for g in app.registered_groups} - {""}


def with_default_command(argv: list[str]) -> list[str]:
    """`cnncalc SPEC ...` means `cnncalc summary SPEC ...` when SPEC is not a command."""
    if not argv or argv[0].startswith("-"):
        return argv
    if argv[0] == "help":
        return ["--help", *argv[1:]] if len(argv) == 1 else [*argv[1:], "--help"]
    names = command_names()
    if argv[0] in names:
        return argv
    import difflib

    if argv[0].isalpha() and difflib.get_close_matches(argv[0], names, n=1, cutoff=0.75):
        return argv  # a mistyped command: let the parser say "No such command"
    return ["summary", *argv]


def missing_extra(error: ModuleNotFoundError) -> str | None:
    """The one-line message for an optional package that is not installed, if it is one."""
    top = (error.name or "").split(".")[0]
    if top not in EXTRAS:
        return None
    shown = {"PIL": "pillow"}.get(top, top)
    return (f"this command needs {shown}, which is not installed; install it with: "
            f"pip install 'cnncalc[{EXTRAS[top]}]'")


# click's base exception for usage errors: click's own, or the copy Typer carries from 0.26
# on, so it is found from a public subclass.
CLICK_ERROR: type[Exception] = next(
    c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")


def main() -> None:
    """Entry point: no input ever ends in a traceback."""
    try:
        # Not standalone: click would print its usage errors itself, echoing the argument raw
        # (an ESC in a stray argument would reach the terminal); term.usage_error shows them.
        code = app(args=with_default_command(sys.argv[1:]), prog_name="cnncalc",
                   standalone_mode=False)
    except CLICK_ERROR as e:
        shown = cast("ClickException", e)
        usage_error(shown)
        sys.exit(shown.exit_code)
    except typer.Abort:
        echo("Aborted!")
        sys.exit(1)
    except ModuleNotFoundError as e:
        message = missing_extra(e)
        if message is None:
            internal_error(e)
            sys.exit(1)
        echo(clip(f"error: {message}"))
        sys.exit(2)
    except KeyboardInterrupt:
        echo("interrupted")
        sys.exit(130)
    except SystemExit:
        raise
    except Exception as e:
        internal_error(e)
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)
