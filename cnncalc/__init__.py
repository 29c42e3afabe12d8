"""cnncalc: exact CNN shape, parameter and MAC calculator, with one-command MNIST training."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._version import __version__

if TYPE_CHECKING:
    from .api import (
        Explanation,
        InputSolutions,
        LayerSolutions,
        Summary,
        explain,
        solve,
        summary,
    )
    from .calc.summary import LayerInfo
    from .errors import CnnCalcError, LayerError, SpecSyntaxError, UsageError

# `import cnncalc` stays instant and torch-free: each name is imported on first use.
_LAZY = {
    "summary": "api", "explain": "api", "solve": "api", "Explanation": "api",
    "LayerSolutions": "api", "InputSolutions": "api",
    "Summary": "api", "LayerInfo": "calc.summary",
    "CnnCalcError": "errors", "UsageError": "errors", "SpecSyntaxError": "errors",
    "LayerError": "errors",
}

__all__ = ["CnnCalcError", "Explanation", "InputSolutions", "LayerError", "LayerInfo",
           "LayerSolutions", "SpecSyntaxError", "Summary", "UsageError", "__version__",
           "explain", "solve", "summary"]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'cnncalc' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
