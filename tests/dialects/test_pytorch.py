"""PyTorch code read by cnncalc against the torch module the same code builds."""

from __future__ import annotations

from typing import Any

import pytest
import torch
from torch import nn

from cnncalc.calc.summary import LayerInfo, Summary, summarize
from cnncalc.dialects.resolve import resolve

from ..oracle import counts
from .torch_models import MODELS, SEQ

torch.set_num_threads(1)
WEIGHTED = (nn.Conv2d, nn.ConvTranspose2d, nn.Linear, nn.BatchNorm1d, nn.BatchNorm2d)
Row = tuple[tuple[int, ...], int, int]


def torch_model(code: str) -> nn.Module:
    """Run the code (the test may; cnncalc never does) and pick the model it defines."""
    namespace: dict[str, Any] = {}
    exec(SEQ + code, namespace)  # the oracle side builds the real module
    classes = [v for k, v in namespace.items() if isinstance(v, type)
               and issubclass(v, nn.Module) and v.__module__ == "builtins"]
    instances = [v for v in namespace.values() if isinstance(v, nn.Module)]
    if classes:
        return classes[-1]()  # type: ignore[no-any-return]
    if instances:
        return instances[-1]
    return eval(code.strip(), namespace)  # type: ignore[no-any-return]


def torch_rows(model: nn.Module, shape: tuple[int, ...], every: bool) -> tuple[list[Row], Row]:
    """(per-layer rows in call order, whole-model row). `every`: all leaf modules, else
    only the weighted ones (functional calls have no module to hook)."""
    rows: list[Row] = []

    def hook(m: nn.Module, _: Any, out: torch.Tensor) -> None:
        rows.append((tuple(out.shape[1:]), *counts(m)))

    for m in model.modules():
        leaf = not list(m.children())
        if leaf and not isinstance(m, nn.Identity) and (every or isinstance(m, WEIGHTED)):
            m.register_forward_hook(hook)
    model.eval()
    with torch.no_grad():
        y = model(torch.zeros(1, *shape))
    return rows, (tuple(y.shape[1:]), *counts(model))


def calc_rows(s: Summary, every: bool) -> list[Row]:
    kinds = ("conv", "convt", "fc", "bn")
    return [(r.output_shape, r.trainable_params, r.non_trainable_params)
            for r in s.leaves() if every or r.kind in kinds]


def check(code: str, input_shape: str | None) -> Summary:
    r = resolve(code, None, input_shape)
    s = summarize(r.nodes, r.shape, r.convention, 1, r.spec)
    every = "class " not in code
    model = torch_model(code)
    rows, whole = torch_rows(model, r.shape, every)
    assert calc_rows(s, every) == rows
    assert (s.output_shape, s.trainable_params, s.non_trainable_params) == whole
    return s


@pytest.mark.parametrize(("name", "code", "input_shape"), MODELS, ids=[m[0] for m in MODELS])
def test_model_matches_torch(name: str, code: str, input_shape: str | None) -> None:
    check(code, input_shape)


def test_seed_models_totals() -> None:
    """Published totals, besides torch's own count."""
    by_name = {m[0]: m for m in MODELS}
    # AlexNet (torchvision): 61,100,840 parameters.
    assert check(by_name["alexnet"][1], "3x224x224").trainable_params == 61_100_840
    # PyTorch's CIFAR-10 tutorial Net: 62,006 parameters.
    assert check(by_name["cifar-tutorial"][1], "3x32x32").trainable_params == 62_006


def test_every_leaf_row_is_a_layer_of_the_table() -> None:
    s = check(MODELS[2][1], None)
    assert [r.kind for r in s.leaves()] == ["flatten", "fc", "relu", "dropout", "fc",
                                           "logsoftmax"]
    assert isinstance(s.layers[0], LayerInfo)


def test_class_signatures_are_torchs_own() -> None:
    """Every PyTorch class cnncalc reads binds positionally exactly as torch does: the same
    parameter names, in the same order, with the same defaults (from inspect, not memory)."""
    import inspect

    from cnncalc.library.binding import REQUIRED
    from cnncalc.library.pytorch import CLASSES

    for d in CLASSES:
        if d.name == "Identity":
            continue
        params = inspect.signature(getattr(nn, d.name).__init__).parameters.values()
        theirs = [(p.name, REQUIRED if p.default is p.empty else p.default) for p in params
                  if p.name not in ("self", "device", "dtype") and p.kind in
                  (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        assert list(d.params) == theirs, d.name
