"""The Typer application and the `cnncalc` entry point."""

from __future__ import annotations

import sys

import typer

from .. import __version__
from . import calc_cmds, check_cmds, data_cmds, model_cmds, train_cmds

app = typer.Typer(
    name="cnncalc",
    help="Exact CNN shapes, parameters, MACs and receptive fields; train specs on MNIST.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"cnncalc {__version__}")
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
check_cmds.register(app)


def main() -> None:
    """Entry point: no input ever ends in a traceback."""
    try:
        app()
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        sys.exit(130)
    except SystemExit:
        raise
    except Exception as e:
        sys.stderr.write(f"error: internal error: {type(e).__name__}: {e}; please report it "
                         "with the command you ran\n")
        sys.exit(1)
