"""Every layer kind against every consumer: a kind that misses a facet fails here.

A new kind must appear in SAMPLES (a spec that uses it), and then every facet below is
exercised for it: the registry entry, the shape rule through the calculator, explain's
rules, solve's rule on both axes, the diagram family, the torch builder (run on the sample),
the Python source export, and the Keras writer (a layer, or a one-line refusal). Nothing may
fall through to a consumer's default.
"""

from __future__ import annotations

import pytest

from cnncalc.calc.explain import explain
from cnncalc.calc.summary import summarize_spec
from cnncalc.ops import FAMILIES, OPS
from cnncalc.ops.base import PlainArgs
from cnncalc.ops.shape import parse_shape
from cnncalc.render.draw_model import HATCH, PALETTE
from cnncalc.spec import parse

# kind -> (a spec that uses it, input). The kind is the sample's last layer, or its last
# block for a join.
SAMPLES = {
    "conv": ("conv(8,3,stride=2,padding=1)", "3x16x16"),
    "convt": ("convt(4,2,stride=2)", "8x8x8"),
    "dwconv": ("dwconv(3,stride=2,padding=1,m=2)", "4x16x16"),
    "maxpool": ("maxpool(3,stride=2,padding=1)", "4x16x16"),
    "avgpool": ("avgpool(2)", "4x16x16"),
    "gap": ("gap", "4x16x16"),
    "gmp": ("gmp(2)", "4x16x16"),
    "zeropad": ("zeropad(1,2,3,4)", "4x8x8"),
    "fc": ("flatten-fc(10)", "4x8x8"),
    "flatten": ("flatten", "4x8x8"),
    "dropout": ("dropout(0.3)", "4x8x8"),
    "bn": ("bn", "4x8x8"),
    "lrn": ("lrn(5)", "4x8x8"),
    "leakyrelu": ("leakyrelu(0.2)", "4x8x8"),
    "softmax": ("flatten-softmax", "4x8x8"),
    "logsoftmax": ("flatten-logsoftmax", "4x8x8"),
    "relu": ("relu", "4x8x8"),
    "tanh": ("tanh", "4x8x8"),
    "sigmoid": ("sigmoid", "4x8x8"),
    "gelu": ("gelu", "4x8x8"),
    "elu": ("elu", "4x8x8"),
    "silu": ("silu", "4x8x8"),
    "relu6": ("relu6", "4x8x8"),
    "hardswish": ("hardswish", "4x8x8"),
    "hardsigmoid": ("hardsigmoid", "4x8x8"),
    "groupnorm": ("groupnorm(2)", "4x8x8"),
    "instancenorm": ("instancenorm(affine=true)", "4x8x8"),
    "layernorm": ("layernorm", "4x8x8"),
    "upsample": ("upsample(2,mode=bilinear)", "4x8x8"),
    "pixelshuffle": ("pixelshuffle(2)", "8x8x8"),
    "channelshuffle": ("channelshuffle(2)", "4x8x8"),
    "reshape": ("reshape(16x4x4)", "4x8x8"),
    "permute": ("permute(1,2,0)", "4x8x8"),
    "slice": ("slice(1,2)", "4x8x8"),
    "add": ("add[conv(4,3,padding=1)|conv(4,1)]", "4x8x8"),
    "cat": ("cat[|conv(4,3,padding=1)]", "4x8x8"),
    "mul": ("mul[|gap-conv(4,1)-sigmoid]", "4x8x8"),
    "mean": ("mean[conv(4,3,padding=1)|conv(4,1)]", "4x8x8"),
    "max": ("max[conv(4,3,padding=1)|conv(4,1)|]", "4x8x8"),
}

SOLVE_TAGS = {"stop", "keep", "to", "never", "scale", "grow", "convt", "window"}


def test_every_kind_has_a_sample() -> None:
    assert set(SAMPLES) == set(OPS)


def _last(spec: str, shape: str):  # type: ignore[no-untyped-def]
    s = summarize_spec(spec, parse_shape(shape))
    return s, s.layers[-1]


@pytest.mark.parametrize("kind", sorted(OPS))
def test_registry_entry(kind: str) -> None:
    op = OPS[kind]
    assert op.kind == kind
    assert op.family in FAMILIES and op.family in PALETTE and op.family in HATCH
    assert (op.apply is None) != (op.join is None), "one input or several, never both"
    assert op.signature.join == (op.join is not None)


@pytest.mark.parametrize("kind", sorted(OPS))
def test_the_calculator_computes_it(kind: str) -> None:
    _s, row = _last(*SAMPLES[kind])
    assert row.kind == kind
    assert row.formula
    if not OPS[kind].signature.join and row.args == PlainArgs():
        assert not OPS[kind].signature.params, f"{kind} takes arguments but hands none on"


@pytest.mark.parametrize("kind", sorted(k for k in OPS if not OPS[k].signature.join))
def test_explain_states_its_rule(kind: str) -> None:
    s, row = _last(*SAMPLES[kind])
    step = explain(s)[-1]
    size_rule = dict(step.lines)["output size"]
    assert size_rule
    if row.output_shape != row.input_shape:
        assert "unchanged" not in size_rule, (kind, size_rule)


@pytest.mark.parametrize("kind", sorted(k for k in OPS if not OPS[k].signature.join))
def test_solve_has_a_rule_on_each_axis(kind: str) -> None:
    layer = parse(SAMPLES[kind][0])[-1]
    for axis in (0, 1):
        rule = OPS[kind].solve(layer, axis)  # type: ignore[arg-type]
        assert rule[0] in SOLVE_TAGS, rule


def test_unknown_kind_is_an_error_not_a_default() -> None:
    from cnncalc import ops
    from cnncalc.ops.signature import Layer

    with pytest.raises(KeyError):
        ops.apply(Layer("frobnicate", {}), (1, 4, 4), "pytorch")


def test_torch_builds_every_kind() -> None:
    pytest.importorskip("torch")
    from cnncalc.train.model import BUILDERS

    one_input = {k for k, op in OPS.items() if not op.signature.join}
    assert set(BUILDERS) == one_input


def test_python_export_writes_every_kind() -> None:
    from cnncalc.export.pytorch import WRITERS

    assert set(WRITERS) == {k for k, op in OPS.items() if not op.signature.join}


@pytest.mark.parametrize("kind", sorted(OPS))
def test_torch_runs_it_and_python_source_writes_it(kind: str) -> None:
    """The built module gives the calculator's output shape and counts, and the Python
    export of the sample parses and names every state-dict key the module has."""
    torch = pytest.importorskip("torch")
    from cnncalc.train.export import check_source, to_python
    from cnncalc.train.model import build

    s, _ = _last(*SAMPLES[kind])
    model = build(s).eval()
    with torch.no_grad():
        y = model(torch.zeros(1, *s.input_shape))
    assert tuple(y.shape[1:]) == s.output_shape
    assert sum(p.numel() for p in model.parameters()) == s.trainable_params
    check_source(to_python(s), "Net",
                 {f"layers.{k}": tuple(v.shape) for k, v in model.state_dict().items()})


@pytest.mark.parametrize("kind", sorted(OPS))
def test_keras_writes_it_or_says_why_not(kind: str) -> None:
    from cnncalc.errors import UsageError
    from cnncalc.export.keras import JOINS, WRITERS, to_keras

    assert kind in (JOINS if OPS[kind].signature.join else WRITERS)
    s, _ = _last(*SAMPLES[kind])
    try:
        source = to_keras(s)
    except UsageError as e:
        assert kind in str(e) or "Keras" in str(e), e
    else:
        assert "layers." in source


def test_json_names_each_rows_inputs() -> None:
    """Hand-derived: layer 1 reads the input; the cat at 2 joins its branch's last row
    (2.b1.2) with its own input (row 1, the empty branch); the residual at 3 adds its body's
    last row to the cat's output; the auto projection (4.s1 conv, 4.s2 bn) reads the block's
    input 3; the repeat at 5 reads 4 and its second relu the first."""
    from cnncalc.calc.summary import summarize_spec

    s = summarize_spec("conv(16,1)-cat[conv(8,1)-relu|]-res[conv(24,3,padding=1)]"
                       "-res[conv(8,3,stride=2,padding=1)]-[relu]*2", (3, 8, 8))
    got: dict[str, list[str]] = {}

    def walk(rows: list[dict[str, object]]) -> None:
        for r in rows:
            got[str(r["path"])] = list(r["inputs"])  # type: ignore[call-overload]
            for b in r.get("branches", []):  # type: ignore[attr-defined]
                walk(b)
            walk(r.get("layers", []))  # type: ignore[arg-type]
            if isinstance(r.get("shortcut"), list):
                walk(r["shortcut"])  # type: ignore[arg-type]

    walk(s.to_dict()["layers"])
    assert got == {
        "1": ["input"], "2": ["2.b1.2", "1"], "2.b1.1": ["1"], "2.b1.2": ["2.b1.1"],
        "3": ["3.1", "2"], "3.1": ["2"], "4": ["4.1", "4.s2"], "4.1": ["3"], "4.s1": ["3"],
        "4.s2": ["4.s1"], "5": ["4"], "5.1": ["4"], "5.2": ["5.1"]}


def test_explain_shows_each_join_after_its_branches() -> None:
    """The join is a step of its own: cat of an 8-channel branch and the 16-channel input
    gives 8 + 16 = 24 channels; the identity residual adds the body to the block's input."""
    from cnncalc.calc.explain import explain
    from cnncalc.calc.summary import summarize_spec

    steps = explain(summarize_spec("conv(16,1)-cat[conv(8,1)|]-res[conv(24,3,padding=1)]",
                                   (3, 8, 8)))
    assert [e.path for e in steps] == ["1", "2.b1.1", "2", "3.1", "3"]
    cat, res = steps[2], steps[4]
    assert cat.spec == "cat of 2.b1.1, 1" and cat.output_shape == "24x8x8"
    assert ("", "channels: 8 + 16 = 24") in cat.lines
    assert res.spec == "add of 3.1, 2" and "identity shortcut" in res.lines[0][1]


def test_join_field_is_the_union_of_its_paths_on_each_axis() -> None:
    """A 1x3 branch and a 3x1 branch with centred paddings: each output unit of the cat sees
    3 rows (through the 3x1 branch) and 3 columns (through the 1x3 one), so 3x3; neither
    branch alone has it. A further 3x3 conv adds (3 - 1)·1 on each axis: 5."""
    from cnncalc.calc.summary import summarize_spec

    s = summarize_spec("cat[conv(4,1x3,padding=0x1)|conv(4,3x1,padding=1x0)]-conv(4,3)",
                       (1, 8, 8))
    assert s.layers[0].rf.size == (3, 3)
    assert s.layers[1].rf.size == (5, 5)


def test_solve_says_when_it_cannot_follow_a_layer() -> None:
    """conv(8,3) then reshape(8x2x2): a 4x4 input gives 8x2x2 (8·2·2 = 32 values), so "no
    input ends at 2x2" would be false. solve has no size rule through a reshape to a map or a
    permute, and says so instead of answering."""
    from cnncalc.calc.solve import solve_input
    from cnncalc.errors import LayerError

    assert summarize_spec("conv(8,3)-reshape(8x2x2)", (1, 4, 4)).output_shape == (8, 2, 2)
    for spec in ("conv(8,3)-reshape(8x2x2)", "conv(8,3)-permute(1,2,0)-conv(4,3)"):
        with pytest.raises(LayerError, match="solve cannot follow"):
            solve_input(spec, (2, 2))


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
def test_padding_mode_is_built_not_dropped(mode: str) -> None:
    """Conv2d(..., padding_mode='reflect') changes no shape or count, but it changes the
    model: the built module must pad as the code says (it was silently zeros), the Python
    export must write it, and the Keras writer, which pads with zeros only, must refuse."""
    torch = pytest.importorskip("torch")
    from cnncalc.calc.summary import summarize
    from cnncalc.dialects.resolve import resolve
    from cnncalc.errors import UsageError
    from cnncalc.export.keras import to_keras
    from cnncalc.train.export import to_python
    from cnncalc.train.model import build

    r = resolve(f"Conv2d(1, 4, 3, padding=1, padding_mode='{mode}')", None, "1x8x8")
    s = summarize(r.nodes, r.shape, r.convention)
    assert (s.output_shape, s.trainable_params) == ((4, 8, 8), 40)  # (3·3·1)·4 + 4
    model = build(s)
    assert model[0].padding_mode == mode
    reference = torch.nn.Conv2d(1, 4, 3, padding=1, padding_mode=mode)
    reference.load_state_dict(model[0].state_dict())
    x = torch.rand(1, 1, 8, 8)
    assert torch.equal(model(x), reference(x))
    assert f"padding_mode='{mode}'" in to_python(s)
    with pytest.raises(UsageError, match="zeros only"):
        to_keras(s)
