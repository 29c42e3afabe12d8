"""Python and Keras source for graphs: joins, residuals and the layers torch builds with
cnncalc's own modules (Reshape, Permute, channel layer norm). The oracle for the Python
source is torch running it: the same output, counts and state-dict layout as the module
cnncalc builds; a trained checkpoint of a graph exports and loads strictly."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import torch
from typer.testing import CliRunner

from cnncalc.calc.summary import summarize_spec
from cnncalc.cli import app
from cnncalc.ops.shape import parse_shape
from cnncalc.train.export import check_source, to_python
from cnncalc.train.model import build

from .idx import write_mnist

torch.set_num_threads(1)

GRAPHS = [
    ("conv(8,3,padding=1)-cat[|conv(4,3,padding=1)-relu]-mul[|gap-conv(3,1)-relu-conv(12,1)"
     "-sigmoid]-res[conv(12,3,padding=1)]-flatten-fc(10)", "1x8x8"),
    ("conv(8,3,padding=1)-cat[conv(4,1)|cat[conv(2,1)|maxpool(3,stride=1,padding=1)]]"
     "-add[conv(4,1)|conv(4,3,padding=1)|conv(4,1)-bn]-gap-flatten-fc(3)", "3x9x9"),
    ("conv(12,3,padding=1)-permute(1,2,0)-layernorm(over=last)-permute(2,0,1)"
     "-layernorm(over=c)-reshape(12x8x8)-upsample(2)-pixelshuffle(2)-channelshuffle(3)"
     "-groupnorm(3)-instancenorm-hardswish-flatten-fc(4)", "1x8x8"),
    # torch.chunk(x, 2, 1) and torch.split(x, 3, 1) pieces flowing into different branches
    ("conv(8,3,padding=1)-cat[slice(0,2)-conv(4,1)|slice(1,2)-relu]"
     "-mul[slice(0,3,size=3)-sigmoid|slice(2,3,size=3)-conv(3,1)]-flatten-fc(3)", "1x6x6"),
    # torch.split(x, [3, 5], 1): listed sizes that differ
    ("conv(8,3,padding=1)-cat[slice(1,2,size=5,total=8,start=3)-conv(2,1)"
     "|slice(0,2,size=3,total=8,start=0)]-gap-flatten-fc(2)", "1x6x6"),
]


@pytest.mark.parametrize(("spec", "shape"), GRAPHS)
def test_python_source_runs_as_the_built_module(spec: str, shape: str) -> None:
    s = summarize_spec(spec, parse_shape(shape))
    torch.manual_seed(0)
    model = build(s)
    source = to_python(s, "Net")
    check_source(source, "Net", {f"layers.{k}": tuple(v.shape)
                                 for k, v in model.state_dict().items()})
    namespace: dict[str, object] = {}
    exec(compile(ast.parse(source), "<generated>", "exec"), namespace)  # the test runs it
    net = namespace["Net"]()  # type: ignore[operator]
    net.layers.load_state_dict(model.state_dict(), strict=True)
    x = torch.rand(2, *s.input_shape)
    with torch.no_grad():
        assert torch.allclose(net.eval()(x), model.eval()(x), atol=1e-6)
    assert tuple(net(x).shape[1:]) == s.output_shape
    assert sum(p.numel() for p in net.parameters()) == s.trainable_params


def test_a_trained_graph_exports_and_loads(tmp_path: Path) -> None:
    data = tmp_path / "mnist"
    write_mnist(data, n_train=256, n_test=64)
    out = tmp_path / "run"
    spec = "conv(6,3,padding=1)-cat[|conv(4,3,padding=1)-relu]-maxpool(2)-flatten-fc(10)"
    r = CliRunner().invoke(app, ["train", spec, "--data-dir", str(data), "--out", str(out),
                                 "--epochs", "1", "--batch-size", "32", "--precision", "fp32",
                                 "-q"])
    assert r.exit_code == 0, r.output
    r = CliRunner().invoke(app, ["export", str(out / "best.pt"), "-o", str(tmp_path / "m.py")])
    assert r.exit_code == 0, r.output
    namespace: dict[str, object] = {"__file__": str(tmp_path / "m.py")}
    exec((tmp_path / "m.py").read_text(), namespace)
    net = namespace["load"]()  # type: ignore[operator]
    assert tuple(net(torch.rand(3, 1, 28, 28)).shape) == (3, 10)


def test_keras_source_joins_each_branch() -> None:
    """cat[|conv-relu] concatenates the block's input with the branch's last tensor; the SE
    gate multiplies the map by the gate; the residual adds; every join names its inputs."""
    from cnncalc.export.keras import to_keras

    s = summarize_spec("conv(8,3,padding=1)-cat[|conv(4,3,padding=1)-relu]"
                       "-mul[|gap-conv(3,1)-relu-conv(12,1)-sigmoid]-res[conv(12,3,padding=1)]"
                       "-flatten-fc(10)", (1, 8, 8))
    source = to_keras(s)
    ast.parse(source)
    lines = [line.strip() for line in source.splitlines()]
    assert "x = layers.Concatenate()([branch_in1, branch2])  # (None, 8, 8, 12)" in lines
    assert "x = layers.Multiply()([branch_in3, branch4])  # (None, 8, 8, 12)" in lines
    assert "x = layers.Add()([x, shortcut5])  # (None, 8, 8, 12)" in lines
    assert lines.index("branch2 = branch_in1") < lines.index(
        "x = layers.Concatenate()([branch_in1, branch2])  # (None, 8, 8, 12)")


@pytest.mark.parametrize(("spec", "needle"), [
    ("conv(8,3)-pixelshuffle(2)", "pixel shuffle"),
    ("conv(8,3)-channelshuffle(2)", "channel shuffle"),
    ("conv(8,3)-permute(1,2,0)", "permute"),
    ("conv(8,3)-upsample(2,mode=bilinear,align_corners=true)", "align_corners"),
    ("conv(8,3)-reshape(2x12x12)", "reshape"),
    ("conv(8,3)-lrn", "local response"),
])
def test_keras_refuses_what_it_cannot_write(spec: str, needle: str) -> None:
    from cnncalc.errors import UsageError
    from cnncalc.export.keras import to_keras

    with pytest.raises(UsageError, match=needle):
        to_keras(summarize_spec(spec, (1, 8, 8)))


@pytest.mark.parametrize(("spec", "shape"), [
    ("conv(8,3,padding=1)-cat[|conv(4,3,padding=1)-relu]-mul[|gap-conv(3,1)-relu-conv(12,1)"
     "-sigmoid]-res[conv(12,3,padding=1)]-flatten-fc(10)", "1x8x8"),
    ("conv(8,3,padding=1)-cat[conv(4,1)|cat[conv(2,1)|maxpool(3,stride=1,padding=1)]]"
     "-add[conv(4,1)|conv(4,3,padding=1)|conv(4,1)]-upsample(2)-gap-flatten-fc(3)", "3x9x9"),
])
def test_keras_source_reads_back_with_the_same_figures(spec: str, shape: str) -> None:
    """The exported Keras functional model, read back by cnncalc's Keras reader, has every
    layer's output shape and the totals of the spec (Keras counts the same weights)."""
    from cnncalc.calc.summary import summarize
    from cnncalc.dialects.resolve import resolve
    from cnncalc.export.keras import to_keras

    s = summarize_spec(spec, parse_shape(shape))
    r = resolve(to_keras(s), None, None)  # read under Keras rules, as Keras code is
    back = summarize(r.nodes, r.shape, r.convention, 1, r.spec)
    assert back.output_shape == s.output_shape
    assert (back.trainable_params, back.non_trainable_params, back.total_macs) == \
        (s.trainable_params, s.non_trainable_params, s.total_macs)
    assert sorted(x.output_shape for x in back.leaves()) == \
        sorted(x.output_shape for x in s.leaves())
