"""Late-bound calls from the code reader's lower modules to its higher ones.

The reader is one recursive engine: a Sequential holds classes, a class's __init__ builds
Sequentials, a function builds either. Its modules are layered (code < evaluate < script <
modules < init_run < torch_module < read), and a lower module reaches a higher one only
through a name the higher module `provide`s here when it is imported; dialects/read.py, the
reader's entry point, imports them all. So no import points upward and none is circular.
"""

from __future__ import annotations

from typing import Any

_PROVIDED: dict[str, Any] = {}


def provide(**names: Any) -> None:
    _PROVIDED.update(names)


def up(name: str) -> Any:
    """A function or class a higher module of the reader provides."""
    try:
        return _PROVIDED[name]
    except KeyError:
        raise AssertionError(f"the code reader's {name} is not loaded: read code through "
                             "cnncalc.dialects.read") from None
