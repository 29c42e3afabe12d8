"""The calculator against torch: every layer's output shape and parameter counts must agree."""

from __future__ import annotations

import pytest
import torch
from hypothesis import HealthCheck, given, settings

from cnncalc.calc import summarize_spec
from cnncalc.errors import LayerError
from cnncalc.spec import parse

from .oracle import counts, torch_layer
from .strategies import inputs, specs

torch.set_num_threads(1)
CASES = 4000


def run_torch(spec: str, shape: tuple[int, int, int]) -> list[tuple[tuple[int, ...], int, int]]:
    """Apply each layer in torch. Returns (output shape, trainable, stats) per layer; raises
    the torch error at the first layer torch refuses."""
    x = torch.zeros(1, *shape)
    out = []
    for layer in parse(spec):
        module = torch_layer(layer, x).eval()  # type: ignore[arg-type]
        with torch.no_grad():
            x = module(x)
        out.append((tuple(x.shape[1:]), *counts(module)))
    return out


@settings(max_examples=CASES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(specs, inputs)
def test_random_specs_match_torch(spec: str, shape: tuple[int, int, int]) -> None:
    try:
        summary = summarize_spec(spec, shape)
    except LayerError as e:
        partial = e.partial.layers
        # torch agrees on every layer before the refused one ...
        expected = [(r.output_shape, r.trainable_params, r.non_trainable_params)
                    for r in partial]
        x = torch.zeros(1, *shape)
        nodes = parse(spec)
        for layer, want in zip(nodes, expected):
            module = torch_layer(layer, x).eval()  # type: ignore[arg-type]
            with torch.no_grad():
                x = module(x)
            assert (tuple(x.shape[1:]), *counts(module)) == want
        # ... and refuses the layer the calculator refused.
        bad = nodes[len(partial)]
        with pytest.raises((RuntimeError, ValueError, IndexError)):
            module = torch_layer(bad, x).eval()  # type: ignore[arg-type]
            with torch.no_grad():
                y = module(x)
            if y.numel() == 0:
                raise RuntimeError("empty output") from None
        return
    got = [(r.output_shape, r.trainable_params, r.non_trainable_params) for r in summary.layers]
    assert got == run_torch(spec, shape)
