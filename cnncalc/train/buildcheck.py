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
    # One hook per module object; a module used at several rows (shared weights) records
    # one output per call, its k-th call belonging to its k-th row.
    calls: dict[int, list[tuple[int, ...]]] = {}
    distinct = {id(m): m for m in modules}
    hooks = [m.register_forward_hook(
        lambda mod, inp, out, key=key: calls.setdefault(key, []).append(tuple(out.shape[1:])))
        for key, m in distinct.items()]
    model.eval()
    with torch.no_grad():
        shapes = [shape for _, shape in summary.inputs] or [summary.input_shape]
        out = model(*(torch.zeros(2, *shape) for shape in shapes))
    for h in hooks:
        h.remove()
    rows: list[tuple[object, ...]] = []
    all_ok = len(leaves) == len(modules)
    met: dict[int, int] = {}  # calls of each module matched to rows so far
    for row, module in zip(leaves, modules):
        k = met.get(id(module), 0)
        met[id(module)] = k + 1
        done = calls.get(id(module), [])
        torch_shape = done[k] if k < len(done) else None
        # torch counts a module's parameters once: at its first row, as the calculator does
        torch_params = sum(p.numel() for p in module.parameters()) if k == 0 else 0
        ok = torch_shape == row.output_shape and torch_params == row.trainable_params
        all_ok &= ok
        rows.append((row.path, row.spec,
                     format_shape(torch_shape) if torch_shape else "(not run)",
                     format_shape(row.output_shape), f"{torch_params:,}",
                     f"{row.trainable_params:,}", "✓" if ok else "✗"))
    total = sum(p.numel() for p in model.parameters())
    all_ok &= total == summary.trainable_params
    if summary.outputs:  # a tuple, in the order the code returns its outputs
        got = [tuple(t.shape[1:]) for t in out] if isinstance(out, tuple) else []
        for i, (name, shape) in enumerate(summary.outputs):
            theirs = got[i] if i < len(got) else None
            ok = theirs == shape
            all_ok &= ok
            rows.append((f"output {name}", "", format_shape(theirs) if theirs else "(none)",
                         format_shape(shape), "", "", "✓" if ok else "✗"))
        all_ok &= len(got) == len(summary.outputs)
    return rows, all_ok
