"""The code reader's entry point: every model in a file, or the one asked for. Importing this
module loads the whole reader (its higher modules provide their hooks)."""

from __future__ import annotations

from collections.abc import Callable

from ..errors import cut
from . import init_run as init_run
from . import torch_module as torch_module
from .code import CodeError as CodeError
from .code import Init as Init
from .code import Model, parse_source
from .modules import find_models


def read_models(source: str) -> list[tuple[str, int, Callable[[], Model]]]:
    """Every model in the code as (name, line, reader); calling a reader reads that model."""

    return find_models(parse_source(source))


def read_model(source: str, name: str | None = None) -> Model:
    """The one model the code holds, or the one `name` picks."""
    found = read_models(source)
    if not found:
        raise CodeError("no model found in the code",
                        "cnncalc reads nn.Sequential(...), a class built on nn.Module with "
                        "forward(), and Keras Sequential([...]) or model.add(...)")
    listing = ", ".join(f"{n} (line {line})" for n, line, _ in found[:20])
    if name is None:
        if len(found) > 1:
            raise CodeError(f"the code has {len(found):,} models: {cut(listing, 300)}",
                            "pick one with --model NAME")
        return found[0][2]()
    for n, _, build in found:
        if n == name:
            return build()
    raise CodeError(f"no model named '{cut(name)}' in the code; it has {cut(listing, 300)}")
