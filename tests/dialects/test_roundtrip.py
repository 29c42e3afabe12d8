"""Random models written as PyTorch code, read back by cnncalc, compared with torch; and every
export (PyTorch, Keras) read back with the same totals."""

from __future__ import annotations

import inspect
from typing import Any

import torch
from hypothesis import HealthCheck, assume, given, settings
from torch import nn

from cnncalc.calc import summarize_spec
from cnncalc.calc.summary import Summary, summarize
from cnncalc.dialects.resolve import resolve
from cnncalc.errors import CnnCalcError
from cnncalc.export.keras import to_keras
from cnncalc.spec import parse

from ..oracle import counts, torch_layer
from ..strategies import inputs, specs

torch.set_num_threads(1)
SKIP = ("device", "dtype", "inplace")


def render(m: nn.Module) -> str:
    """nn.Type(required..., key=value...) from the module's own attributes, as a user
    would write it: required arguments by position, the rest by keyword."""
    parts = []
    for name, p in list(inspect.signature(type(m).__init__).parameters.items())[1:]:
        if name in SKIP or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        if name == "bias":
            value: Any = getattr(m, "bias", None) is not None
        elif hasattr(m, name):
            value = getattr(m, name)
        else:
            continue
        parts.append(repr(value) if p.default is p.empty else f"{name}={value!r}")
    return f"nn.{type(m).__name__}({', '.join(parts)})"


def torch_side(spec: str, shape: tuple[int, int, int]) -> tuple[str, list[tuple[Any, ...]]]:
    x = torch.zeros(1, *shape)
    lines, rows = [], []
    for layer in parse(spec):
        module = torch_layer(layer, x).eval()  # type: ignore[arg-type]
        with torch.no_grad():
            x = module(x)
        lines.append(render(module))
        rows.append((tuple(x.shape[1:]), *counts(module)))
    return "nn.Sequential(\n    " + ",\n    ".join(lines) + ",\n)", rows


def read(code: str, input_shape: str, convention: str | None = None) -> Summary:
    r = resolve(code, None, input_shape, convention)
    return summarize(r.nodes, r.shape, r.convention, 1, r.spec)


@settings(max_examples=150, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
@given(specs, inputs)
def test_random_models_as_pytorch_code_match_torch(spec: str,
                                                   shape: tuple[int, int, int]) -> None:
    try:
        summarize_spec(spec, shape)
    except CnnCalcError:
        assume(False)
    code, rows = torch_side(spec, shape)
    s = read(code, "x".join(map(str, shape)))
    got = [(r.output_shape, r.trainable_params, r.non_trainable_params) for r in s.leaves()]
    assert got == rows, code


def _totals(s: Summary) -> tuple[int, int]:
    return s.trainable_params, s.non_trainable_params


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
@given(specs, inputs)
def test_spec_to_keras_code_and_back_keeps_totals(spec: str,
                                                  shape: tuple[int, int, int]) -> None:
    try:
        s = summarize_spec(spec, shape)
        code = to_keras(s)
    except CnnCalcError:
        assume(False)
        return
    back = read(code, "x".join(map(str, shape)), "pytorch")
    assert _totals(back) == _totals(s), code
    assert back.output_shape == s.output_shape, code
    # Under Keras' own rules the exported padding layers reproduce the same shapes.
    keras = read(code, f"{shape[1]}x{shape[2]}x{shape[0]}")
    assert keras.convention == "keras"
    assert _totals(keras) == _totals(s) and keras.output_shape == s.output_shape, code


def test_pytorch_export_reads_back() -> None:
    from cnncalc.train.export import to_python

    for spec in ("conv(8,3,padding=same)-bn-relu-maxpool(2)-flatten-fc(10)",
                 "conv(4,4,stride=2,padding=1)-gap-flatten-dropout(0.3)-fc(3)-softmax",
                 "convt(3,3,stride=2,output_padding=1)-avgpool(2,ceil=true)"):
        s = summarize_spec(spec, (3, 16, 16))
        code = to_python(s, "Net")
        back = read(code, "3x16x16")
        assert _totals(back) == _totals(s) and back.output_shape == s.output_shape
