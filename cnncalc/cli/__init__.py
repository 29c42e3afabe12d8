"""The command line: the only place that prints, exits or turns errors into messages."""

from .app import app, main

__all__ = ["app", "main"]
