"""A dense layer on a map: fc(over=c) (Keras' Dense on channels-last data) and fc(over=last)
(torch's nn.Linear on the last axis, W of CxHxW), against torch itself and hand-derived
figures, through every consumer."""

from __future__ import annotations

import os
import sys
import types
from typing import Any

import pytest

from cnncalc.calc.explain import explain
from cnncalc.calc.summary import Summary, summarize, summarize_spec
from cnncalc.dialects.resolve import resolve
from cnncalc.errors import CnnCalcError
from cnncalc.export.keras import to_keras
from cnncalc.ops import OPS
from cnncalc.spec import parse


def _s(spec: str, shape: tuple[int, ...]) -> Summary:
    return summarize_spec(spec, shape)


def _read(code: str, input_shape: str | None = None) -> Summary:
    r = resolve(code, None, input_shape)
    return summarize(r.nodes, r.shape, r.convention, 1, r.spec)


def test_over_c_hand_derived() -> None:
    """fc(10,over=c) on 4x8x8: the same 4 -> 10 matrix at each of the 8·8 positions:
    output 10x8x8; 4·10 + 10 = 50 parameters; 8·8·4·10 = 2560 MACs."""
    row = _s("fc(10,over=c)", (4, 8, 8)).layers[-1]
    assert row.output_shape == (10, 8, 8)
    assert row.params == 50
    assert row.macs == 2560


def test_over_last_against_torch() -> None:
    """nn.Linear(6, 5) on a (1, 3, 4, 6) tensor: torch gives (1, 3, 4, 5) and 6·5 + 5 = 35
    parameters; MACs: 3·4 rows, each 6·5 multiplications = 360."""
    torch = pytest.importorskip("torch")
    lin = torch.nn.Linear(6, 5)
    y = lin(torch.zeros(1, 3, 4, 6))
    row = _s("fc(5,over=last)", (3, 4, 6)).layers[-1]
    assert row.output_shape == tuple(y.shape[1:])
    assert row.params == sum(p.numel() for p in lin.parameters())
    assert row.macs == 3 * 4 * 6 * 5


def test_flat_input_is_the_same_layer_for_every_over() -> None:
    figures = {(r.output_shape, r.params, r.macs, r.args)
               for over in ("flat", "c", "last")
               for r in [_s(f"flatten-fc(10,over={over})", (4, 3, 3)).layers[-1]]}
    assert len(figures) == 1


def test_plain_fc_still_refuses_a_map() -> None:
    with pytest.raises(CnnCalcError) as e:
        _s("fc(10)", (4, 8, 8))
    assert "flat input" in str(e.value) and "over=c" in (e.value.hint or "")


@pytest.mark.parametrize("text", ["fc(10,over=c)", "fc(10,bias=false,over=last)"])
def test_spec_text_round_trips(text: str) -> None:
    layer = parse(text)[0]
    assert layer.text == text
    assert parse(layer.text)[0] == layer


def test_receptive_field_kept_over_channels_and_unknown_over_w() -> None:
    """conv 3x3 then a dense over channels: each output still sees 3x3. A dense over W
    mixes the whole row: no single size is right, so it is unknown, never a guess."""
    kept = _s("conv(4,3)-fc(6,over=c)", (1, 10, 10))
    assert kept.layers[-1].rf == kept.layers[0].rf
    assert kept.layers[-1].rf.size == (3, 3)
    lost = _s("conv(4,3)-fc(6,over=last)", (1, 10, 10))
    assert lost.layers[-1].rf.unknown


def test_explain_and_solve_state_the_axis() -> None:
    s = _s("fc(6,over=c)-fc(3,over=last)", (4, 5, 7))
    steps = explain(s)
    assert "per position" in dict(steps[0].lines)["output size"]
    assert "last axis" in dict(steps[1].lines)["output size"]
    c, last = parse("fc(6,over=c)-fc(3,over=last)")
    assert OPS["fc"].solve(c, 0) == ("keep",) and OPS["fc"].solve(c, 1) == ("keep",)
    assert OPS["fc"].solve(last, 0) == ("keep",) and OPS["fc"].solve(last, 1) == ("to", 3)


def test_torch_builder_is_a_linear_on_the_right_axis() -> None:
    """The built model, with its weights copied into plain nn.Linear modules, computes what
    torch computes: over=c on x.permute(0, 2, 3, 1) (channels last), over=last on x."""
    torch = pytest.importorskip("torch")
    from cnncalc.train.model import build

    s = _s("fc(6,over=c)-fc(3,over=last)", (4, 5, 7))
    model = build(s).eval()
    params = list(model.parameters())
    assert sum(p.numel() for p in params) == s.trainable_params == (4 * 6 + 6) + (7 * 3 + 3)
    a, b = torch.nn.Linear(4, 6), torch.nn.Linear(7, 3)
    with torch.no_grad():
        for mine, theirs in zip(params, [*a.parameters(), *b.parameters()]):
            theirs.copy_(mine)
        x = torch.randn(2, 4, 5, 7)
        want = b(a(x.permute(0, 2, 3, 1)).permute(0, 3, 1, 2))
        got = model(x)
    assert tuple(got.shape[1:]) == s.output_shape == (6, 5, 3)
    assert torch.allclose(got, want, atol=1e-6)


def test_python_export_names_every_key() -> None:
    pytest.importorskip("torch")
    from cnncalc.train.export import check_source, to_python
    from cnncalc.train.model import build

    s = _s("conv(4,3)-fc(6,over=c)-fc(3,over=last)-flatten-fc(2)", (1, 8, 8))
    source = to_python(s)
    assert "class ChannelLinear(nn.Linear)" in source
    check_source(source, "Net", {f"layers.{k}": tuple(v.shape)
                                 for k, v in build(s).state_dict().items()})


def test_keras_writer_writes_dense_and_reads_back() -> None:
    over_w = to_keras(_s("fc(3,over=last)", (4, 8, 8)))
    assert over_w.count("layers.Permute((1, 3, 2))") == 2 and "layers.Dense(3)" in over_w
    s = _s("conv(4,3)-fc(6,over=c)-flatten-fc(2)", (1, 8, 8))
    code = to_keras(s)
    assert code.count("layers.Dense(") == 2 and "Permute" not in code
    back = _read(code)
    assert back.output_shape == s.output_shape
    assert back.trainable_params == s.trainable_params


def test_keras_dense_on_a_map_hand_derived() -> None:
    """Dense(16) on a 10x8x8 (channels-last) map: 10x8x16, 8·16 + 16 = 144 parameters,
    10·8 positions · 8·16 = 10240 MACs."""
    s = _read("model = keras.Sequential([keras.Input(shape=(10, 8, 8)), "
              "keras.layers.Dense(16)])")
    row = s.layers[-1]
    assert row.spec == "fc(16,over=c)"
    assert (row.output_shape, row.params, row.macs) == ((16, 10, 8), 144, 10240)


def test_torch_linear_on_a_map_is_read_as_torch_runs_it() -> None:
    torch = pytest.importorskip("torch")
    code = ("class Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
            "        self.fc = nn.Linear(6, 5)\n    def forward(self, x):\n"
            "        return self.fc(x)\n")
    s = _read(code, "3x4x6")
    y = torch.nn.Linear(6, 5)(torch.zeros(1, 3, 4, 6))
    assert s.output_shape == tuple(y.shape[1:]) and s.trainable_params == 35


def test_torch_linear_whose_features_are_not_w_names_both() -> None:
    code = ("class Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
            "        self.fc = nn.Linear(72, 5)\n    def forward(self, x):\n"
            "        return self.fc(x)\n")
    with pytest.raises(CnnCalcError) as e:
        _read(code, "3x4x6")
    assert "72" in str(e.value) and "6" in str(e.value)


def _keras() -> Any:
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    sys.modules.setdefault("tensorflow", types.SimpleNamespace(keras=keras))  # type: ignore
    return keras


def test_real_keras_runs_the_export_and_agrees() -> None:
    """Keras itself runs the Keras export of a dense over the channels (Dense) and over W
    (Permute-Dense-Permute): its output shape and weight count are cnncalc's."""
    keras = _keras()
    s = _s("fc(16,over=c)-fc(3,over=last)", (8, 10, 6))
    ns: dict[str, Any] = {}
    exec(to_keras(s), ns)  # the oracle side builds the real Keras model
    model = ns["model"]
    assert isinstance(model, keras.Model)
    c, h, w = s.output_shape
    y = model(keras.ops.zeros((1, 10, 6, 8)))  # a channels-last batch of one
    assert tuple(y.shape[1:]) == (h, w, c) == (10, 3, 16)
    assert model.count_params() == s.trainable_params == (8 * 16 + 16) + (6 * 3 + 3)


@pytest.mark.parametrize("code", [
    "model = keras.Sequential([layers.Dense(64, activation='relu'), layers.Dense(10)])",
    "model = keras.Sequential([layers.Dropout(0.2), layers.Dense(64)])",
    "net = nn.Sequential(nn.LazyLinear(10))",
])
def test_a_dense_first_model_without_an_input_is_refused(code: str) -> None:
    """Keras' Dense and torch's LazyLinear size themselves on their first call: on the
    assumed 28x28 image they would be read as a dense layer per pixel."""
    from cnncalc.errors import UsageError

    with pytest.raises(UsageError) as e:
        _read(code)
    assert "input shape is not given" in str(e.value) and "--input" in str(e.value)
    assert _read(code, "flat:784").output_shape in ((10,), (64,))


def test_a_linear_on_a_map_suggests_no_input_whose_w_happens_to_fit() -> None:
    """nn.Linear(784, 10) on a 1x28x28 map is a missing flatten: 1x784x784 would make W
    fit, and is no answer."""
    with pytest.raises(CnnCalcError) as e:
        _read("net = nn.Sequential(nn.Linear(784, 10))", "1x28x28")
    assert str(e.value) == ("layer 1 Linear(784, 10) expects 784 input features, but the "
                            "input has a 1x28x28 map; flatten it first")
