"""MACs, FLOPs and torchinfo's Mult-Adds side by side: each convention against torchinfo
itself, or derived by hand in the test."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from cnncalc.calc import summarize_spec
from cnncalc.calc.costs import parse_figure, total_costs
from cnncalc.cli import app
from cnncalc.errors import UsageError
from cnncalc.presets import PRESETS

# Biases and batch norm, where the conventions part:
BN_SPEC = "conv(8,3,padding=1)-bn-relu-maxpool(2)-conv(16,3)-bn-relu-flatten-fc(10)"
# MACs: conv 8·16·16·(3·3·3) = 55,296; conv 16·6·6·(8·3·3) = 41,472; fc 576·10 = 5,760
BN_MACS = 55_296 + 41_472 + 5_760
# torchinfo: conv weights and biases × H·W: (216 + 8)·256 = 57,344 and (1,152 + 16)·36 =
# 42,048; batch norm γ and β once: 16 and 32; fc weights and bias once: 5,770. It is the
# MACs plus each conv bias once per output pixel (2,048 + 576), the norms (48) and the fc
# bias (10).
BN_MULT_ADDS = 57_344 + 16 + 42_048 + 32 + 5_770


def test_bias_and_batch_norm_by_hand() -> None:
    s = summarize_spec(BN_SPEC, (3, 16, 16))
    costs = total_costs(s)
    assert costs.macs == BN_MACS and costs.flops == 2 * BN_MACS
    assert costs.mult_adds == BN_MULT_ADDS == BN_MACS + 2_048 + 576 + 48 + 10
    batch = total_costs(summarize_spec(BN_SPEC, (3, 16, 16), batch=3))
    assert (batch.macs, batch.flops, batch.mult_adds) == (3 * BN_MACS, 6 * BN_MACS,
                                                          3 * BN_MULT_ADDS)


@pytest.mark.parametrize(("spec", "shape", "expected"), [
    (BN_SPEC, (3, 16, 16), BN_MULT_ADDS),
    (PRESETS["resnet18"].spec, (3, 224, 224), 1_814_083_944),
])
def test_torchinfo_figure_equals_torchinfo(spec: str, shape: tuple[int, ...],
                                           expected: int) -> None:
    torch = pytest.importorskip("torch")
    torchinfo = pytest.importorskip("torchinfo")
    from cnncalc.train.model import build

    s = summarize_spec(spec, shape)
    with torch.device("meta"):
        model = build(s)
    theirs = torchinfo.summary(model, input_size=(1, *shape), device="meta", verbose=0)
    assert total_costs(s).mult_adds == theirs.total_mult_adds == expected


def test_json_and_csv_carry_all_three() -> None:
    r = CliRunner().invoke(app, ["summary", "--preset", "resnet18", "-f", "json"])
    data = json.loads(r.stdout)
    # ResNet-18: 1,814,073,344 MACs (torchvision's 1.81 GFLOPs is this count); torchinfo adds
    # the batch norms' 9,600 γ and β and the fc's 1,000 biases: 1,814,083,944.
    assert data["total_macs"] == 1_814_073_344 and data["macs_exact"] is True
    assert data["total_flops"] == 2 * 1_814_073_344
    assert data["total_mult_adds"] == 1_814_073_344 + 9_600 + 1_000
    fc = data["layers"][-1]
    assert (fc["macs"], fc["flops"], fc["mult_adds"]) == (512_000, 1_024_000, 513_000)
    csv = CliRunner().invoke(app, ["summary", BN_SPEC, "-i", "3x16x16", "-f", "csv"]).stdout
    head, first = csv.splitlines()[:2]
    assert head.endswith(",macs_exact,flops,mult_adds")
    assert first.endswith(f",True,{2 * 55_296},{57_344}")


def test_macs_option_picks_the_column() -> None:
    runner = CliRunner()
    r = runner.invoke(app, ["summary", BN_SPEC, "-i", "3x16x16", "--macs", "torchinfo",
                            "-f", "markdown"])
    assert r.exit_code == 0
    assert "| params | Mult-Adds |" in r.stdout and "| 57,344 |" in r.stdout
    assert f"- **MACs**: {BN_MACS:,}" in r.stdout
    assert f"- **Mult-Adds**: {BN_MULT_ADDS:,}" in r.stdout
    r = runner.invoke(app, ["summary", BN_SPEC, "-i", "3x16x16", "--macs", "flops"],
                      env={"COLUMNS": "80"})
    assert r.exit_code == 0 and "FLOPs" in r.stdout and f"{2 * BN_MACS:,}" in r.stdout
    bad = runner.invoke(app, ["summary", BN_SPEC, "--macs", "gflops"])
    assert bad.exit_code == 2 and "unknown --macs 'gflops'" in bad.output


def test_figure_names() -> None:
    assert [parse_figure(x) for x in ("cnncalc", "MACs", "FLOPs", "Mult-Adds")] == [
        "macs", "macs", "flops", "torchinfo"]
    with pytest.raises(UsageError):
        parse_figure("gmacs")
