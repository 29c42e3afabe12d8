"""The command line: the only place that prints, exits or turns errors into messages."""

from __future__ import annotations

import sys
import types
from typing import Any

__all__ = ["app", "main"]


def main() -> None:
    """Entry point: a plain summary is served before Typer loads; everything else by Typer."""
    from . import fast
    from .term import echo, internal_error, safe_streams

    safe_streams()
    kept: list[fast.Read] = []
    try:
        code = fast.serve(sys.argv[1:], kept)
    except KeyboardInterrupt:
        echo("interrupted")
        sys.exit(130)
    except Exception as e:  # the full path's boundary says the same: never a traceback
        internal_error(e)
        sys.exit(1)
    if code is not None:
        sys.exit(code)
    from .app import main as typer_main

    fast.handed = kept[0] if kept else None  # what the fast path read: not read twice
    try:
        typer_main()
    finally:
        fast.handed = None


class _Package(types.ModuleType):
    """`cnncalc.cli.app` is the Typer application, loaded on first use, so that `main` can
    serve a summary without Typer. The import system's binding of the submodule of the same
    name is ignored."""

    @property
    def app(self) -> Any:
        from .app import app

        return app

    @app.setter
    def app(self, value: Any) -> None:
        pass


sys.modules[__name__].__class__ = _Package
