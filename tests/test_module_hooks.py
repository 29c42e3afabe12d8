"""Module summaries of models that carry forward hooks of their own, or run beside global
module hooks: the summary sees what those hooks pass on, as torch's own run does, and
leaves no hook of its own behind.

The oracle is torch running the same model on a real tensor with the same hooks: each
module's output shape as the next module receives it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import torch
from torch import nn
from torch.nn.modules import module as torch_module

import cnncalc


def _net() -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(1, 6, 3), nn.ReLU(), nn.Conv2d(2, 4, 3), nn.Flatten(),
                         nn.Linear(4 * 4 * 4, 10))


def _keep_two(m: nn.Module, args: tuple[Any, ...], out: torch.Tensor) -> torch.Tensor | None:
    """A hook that hands on the first two channels of a 6-channel conv's output."""
    if isinstance(m, nn.Conv2d) and m.out_channels == 6:
        return out[:, :2]
    return None


def _torch_shapes(model: nn.Module) -> list[tuple[int, ...]]:
    """Each leaf's output shape as torch's real run passes it on (hooks included)."""
    seen: list[tuple[int, ...]] = []
    probes = [m.register_forward_hook(lambda m, a, o: seen.append(tuple(o.shape[1:])))
              for m in model.modules() if not list(m.children())]
    try:
        with torch.no_grad():
            model(torch.zeros(1, 1, 8, 8))
    finally:
        for p in probes:
            p.remove()
    return seen


def _hook_count(model: nn.Module) -> tuple[int, int, int]:
    """The model's own forward hooks, and the global forward and pre-forward hooks."""
    local = sum(len(m._forward_hooks) + len(m._forward_pre_hooks) for m in model.modules())
    return (local, len(torch_module._global_forward_hooks),
            len(torch_module._global_forward_pre_hooks))


@contextmanager
def _global(hook: Any) -> Iterator[None]:
    handle = torch_module.register_module_forward_hook(hook)
    try:
        yield
    finally:
        handle.remove()


def _summary_sees_what_torch_passes_on(model: nn.Module) -> None:
    # by hand: 8x8 -> conv 3 -> 6x6x6, the hook keeps 2 channels, relu, conv 3 -> 4x4x4
    want = [(2, 6, 6), (2, 6, 6), (4, 4, 4), (64,), (10,)]
    assert _torch_shapes(model) == want
    before = _hook_count(model)
    rows = cnncalc.summary(model, input_size=(1, 1, 8, 8)).layers
    assert [r.output_shape for r in rows] == want
    assert _hook_count(model) == before


def test_a_models_own_hook_is_seen_as_torch_runs_it() -> None:
    model = _net()
    model[0].register_forward_hook(_keep_two)
    _summary_sees_what_torch_passes_on(model)


def test_a_global_hook_registered_before_is_seen_as_torch_runs_it() -> None:
    model = _net()
    with _global(_keep_two):
        _summary_sees_what_torch_passes_on(model)


def test_no_hook_is_left_behind_when_the_model_fails() -> None:
    model = nn.Sequential(nn.Conv2d(1, 6, 3), nn.Conv2d(5, 4, 3))  # 6 channels into 5
    before = _hook_count(model)
    try:
        cnncalc.summary(model, input_size=(1, 1, 8, 8))
    except cnncalc.CnnCalcError:
        pass
    else:
        raise AssertionError("a 6-channel output into Conv2d(5, ...) must fail")
    assert _hook_count(model) == before
    assert not torch_module._global_forward_hooks
    assert not torch_module._global_forward_pre_hooks

