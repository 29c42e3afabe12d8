"""The materialiser and the exported source agree with the calculator for random specs."""

from __future__ import annotations

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from cnncalc.calc import summarize_spec
from cnncalc.cli import app
from cnncalc.errors import LayerError
from cnncalc.ops.shape import KERAS, PYTORCH
from cnncalc.train.buildcheck import check_model
from cnncalc.train.export import to_python
from cnncalc.train.model import build

from .strategies import inputs, spatial, specs

torch.set_num_threads(1)

blocks = st.one_of(
    spatial,
    st.builds(lambda a, b: f"res[{a}-{b}]", spatial, spatial),
    st.builds(lambda a, n: f"[{a}]*{n}", spatial, st.integers(1, 3)),
)
block_specs = st.builds(lambda body, tail: "-".join(body) + tail,
                        st.lists(blocks, min_size=1, max_size=4),
                        st.sampled_from(["", "-flatten-fc(5)"]))
keras_pads = st.builds(
    lambda c, k, s, pk, ps: f"conv({c},{k},stride={s},padding=same)-maxpool({pk},stride={ps},"
                            f"padding=same)",
    st.integers(1, 8), st.integers(1, 5), st.integers(1, 3), st.integers(1, 3), st.integers(1, 3))


def _check(spec: str, shape: tuple[int, int, int], convention: str) -> bool:
    try:
        summary = summarize_spec(spec, shape, convention)
    except LayerError:
        return False
    model = build(summary)
    rows, ok = check_model(summary, model)
    assert ok, rows
    # The exported source builds the same network.
    namespace: dict[str, object] = {}
    exec(compile(to_python(summary), "<export>", "exec"), namespace)
    exported = namespace["Net"]()  # type: ignore[operator]
    assert sum(p.numel() for p in exported.parameters()) == summary.trainable_params
    with torch.no_grad():
        y = exported.eval()(torch.zeros(1, *shape))
    assert tuple(y.shape[1:]) == summary.output_shape
    return True


@settings(max_examples=400, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(st.one_of(specs, block_specs), inputs)
def test_build_check_agrees_with_summary(spec: str, shape: tuple[int, int, int]) -> None:
    _check(spec, shape, PYTORCH)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(keras_pads, inputs)
def test_keras_convention_models(spec: str, shape: tuple[int, int, int]) -> None:
    _check(spec, shape, KERAS)


@pytest.mark.parametrize("name", ["lenet5", "resnet18", "mnist-fast", "keras-mnist"])
def test_presets_build_and_check(name: str) -> None:
    result = CliRunner().invoke(app, ["build", "--preset", name, "--check"])
    assert result.exit_code == 0, result.output
    assert "every shape and count agrees" in result.stdout


def test_build_needs_an_action() -> None:
    result = CliRunner().invoke(app, ["build", "relu"])
    assert result.exit_code == 2 and "--export py" in result.stderr
