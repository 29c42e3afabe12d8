"""The code reader's entry point: every model in a file, or the one asked for. Importing this
module loads the whole reader (its higher modules provide their hooks)."""

from __future__ import annotations

from collections.abc import Callable

from ..errors import cut
from . import init_run as init_run
from . import torch_module as torch_module
from .code import CodeError as CodeError
from .code import Init as Init
from .code import Model, check_dialect, parse_source
from .given import Given, check_names, check_used, data_names, giving
from .modules import find_models, models_and_problem


def read_models(source: str) -> list[tuple[str, int, Callable[[], Model]]]:
    """Every model in the code as (name, line, reader); calling a reader reads that model."""

    return find_models(parse_source(source))


def read_model(source: str, name: str | None = None, given: Given | None = None) -> Model:
    """The one model the code holds, or the one `name` picks; `given`: the values the user
    gives for what the code knows only when it runs (--set, and --input for data shapes)."""
    given = given if given is not None else Given()
    tree = parse_source(source)
    check_names(given, tree)
    given.data = data_names(tree)
    if given.convention is not None:
        given.keras = given.convention == "keras"
    else:
        try:
            given.keras = check_dialect(tree) == "keras"
        except CodeError:
            given.keras = None  # both libraries: a data shape cannot be laid out
    with giving(given):
        try:
            found, problem = models_and_problem(tree)
            if not found and problem is not None:
                raise CodeError(f"no model found in the code; the first statement it could "
                                f"not read: {problem.message}", problem.hint, problem.line)
            model = _pick(found, name)
        except CodeError:
            check_used(given, tree, failed=True)
            raise
    check_used(given, tree)
    return model


def _pick(found: list[tuple[str, int, Callable[[], Model]]], name: str | None) -> Model:
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
