"""`build --check`: run the built model in torch and compare every layer with the calculator."""

from __future__ import annotations

import torch
from torch import nn

from ..calc.summary import Summary
from ..ops.shape import format_shape
from .model import leaf_modules


def check_model(summary: Summary, model: nn.Module) -> tuple[list[tuple[object, ...]], bool]:
    """Rows of (path, layer, torch shape, calc shape, torch params, calc params, ok)."""
    leaves = summary.leaves()
    modules = leaf_modules(model)
    shapes: dict[int, tuple[int, ...]] = {}
    hooks = [m.register_forward_hook(
        lambda mod, inp, out, i=i: shapes.__setitem__(i, tuple(out.shape[1:])))
        for i, m in enumerate(modules)]
    model.eval()
    with torch.no_grad():
        model(torch.zeros(2, *summary.input_shape))
    for h in hooks:
        h.remove()
    rows: list[tuple[object, ...]] = []
    all_ok = len(leaves) == len(modules)
    for i, (row, module) in enumerate(zip(leaves, modules)):
        torch_shape = shapes.get(i)
        torch_params = sum(p.numel() for p in module.parameters())
        ok = torch_shape == row.output_shape and torch_params == row.trainable_params
        all_ok &= ok
        rows.append((row.path, row.spec,
                     format_shape(torch_shape) if torch_shape else "(not run)",
                     format_shape(row.output_shape), f"{torch_params:,}",
                     f"{row.trainable_params:,}", "✓" if ok else "✗"))
    total = sum(p.numel() for p in model.parameters())
    all_ok &= total == summary.trainable_params
    return rows, all_ok
