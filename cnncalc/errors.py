"""The one exception hierarchy: every error cnncalc raises on purpose."""

from __future__ import annotations

from typing import Any


def cut(text: str, limit: int = 40) -> str:
    """A token short enough to echo in a one-line message, marked with an ellipsis when cut."""
    return text if len(text) <= limit else text[:limit - 1] + "…"


class CnnCalcError(Exception):
    """Base class. The CLI turns any subclass into a one-line message and an exit code."""

    exit_code = 1
    layer: str | None = None  # path of the layer at fault ("3", "4.2"), where there is one
    partial: Any = None  # what was computed before the error (a Summary), where there is any

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message}; {self.hint}"
        return self.message


class UsageError(CnnCalcError):
    """The user asked for something malformed: a bad flag value, spec or shape text."""

    exit_code = 2


class SpecSyntaxError(UsageError):
    """A spec string that does not parse, or names an unknown layer, key or value."""

    def __init__(
        self, message: str, spec: str, pos: int, length: int = 1, hint: str | None = None
    ) -> None:
        super().__init__(message, hint)
        self.spec = spec
        self.pos = pos
        self.length = max(1, length)

    def caret_lines(self) -> tuple[str, str]:
        """The spec and a caret line pointing at the bad token."""
        return self.spec, " " * self.pos + "^" * self.length


class LayerError(CnnCalcError):
    """A layer that cannot be applied to its input, for example an output below 1.

    `partial` holds the summary of the layers before it, so a user sees how far it got.
    """

    def __init__(self, message: str, hint: str | None = None, partial: Any = None,
                 layer: str | None = None) -> None:
        super().__init__(message, hint)
        self.partial = partial
        self.layer = layer


class DataError(CnnCalcError):
    """A data file that is missing, truncated or malformed."""


class DownloadError(DataError):
    """A download that failed or did not verify."""


class CheckpointError(CnnCalcError):
    """A checkpoint that cannot be trusted or loaded."""


class RunDirError(CnnCalcError):
    """A run directory that cannot be used as asked."""


class TrainingError(CnnCalcError):
    """Training that cannot go on, for example because the loss diverged."""


class ResourceError(CnnCalcError):
    """The machine lacks what the job needs (memory, a device)."""


class OutputError(CnnCalcError):
    """Standard output cannot take the result: closed (`>&-`), or a write failed."""

    def __init__(self, message: str, hint: str | None = None, closed: bool = False) -> None:
        super().__init__(message, hint)
        self.closed = closed
