"""The summary CLI: formats, the JSON contract, exit codes, error text and golden tables."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

from typer.testing import CliRunner

from cnncalc.cli import app

SPEC = "conv(32,3,padding=1)-relu-maxpool(2)-conv(64,3,padding=1)-relu-maxpool(2)-flatten-fc(10)"


def test_table_golden(runner: CliRunner, golden) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(app, ["summary", SPEC, "--input", "1x28x28"])
    assert result.exit_code == 0, result.output
    golden("summary_issue_example.txt", result.stdout)


def test_table_golden_blocks_and_flags(runner: CliRunner, golden) -> None:  # type: ignore[no-untyped-def]
    spec = ("conv(16,3,stride=2)-[conv(16,3,padding=1)-relu]*2-"
            "res[conv(32,3,stride=2,padding=1)-bn-relu-conv(32,3,padding=1)-bn]-relu-"
            "maxpool(3,ceil=true)-gap-flatten-fc(10)")
    result = runner.invoke(app, ["summary", spec, "--input", "3x32x32"])
    assert result.exit_code == 0, result.output
    golden("summary_blocks.txt", result.stdout)


def test_json_contract(runner: CliRunner) -> None:
    result = runner.invoke(app, ["summary", SPEC, "--format", "json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    for key in ("input_shape", "layers", "total_params", "trainable_params",
                "non_trainable_params", "total_macs"):
        assert key in data
    assert data["input_shape"] == [1, 28, 28]
    first = data["layers"][0]
    for key in ("index", "type", "spec", "input_shape", "output_shape", "params",
                "trainable_params", "non_trainable_params", "macs"):
        assert key in first
    assert first["index"] == 1 and first["type"] == "conv" and first["output_shape"] == [32, 28, 28]
    assert data["layers"][-1]["output_shape"] == [10]
    assert data["total_params"] == 50_186


def test_json_nests_blocks(runner: CliRunner) -> None:
    result = runner.invoke(app, ["summary", "res[conv(8,3,padding=1)-relu]-[relu]*2",
                                 "-i", "8x8x8", "-f", "json"])
    data = json.loads(result.stdout)
    block = data["layers"][0]
    assert block["type"] == "residual" and block["shortcut"] == "identity"
    assert [x["spec"] for x in block["layers"]] == ["conv(8,3,padding=1)", "relu"]
    assert [x["path"] for x in data["layers"][1]["layers"]] == ["2.1", "2.2"]
    # 8·9·8 + 8 = 584
    assert data["total_params"] == 584


def test_csv_and_markdown(runner: CliRunner) -> None:
    result = runner.invoke(app, ["summary", SPEC, "--format", "csv"])
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["output_shape"] for r in rows][-1] == "10" and rows[0]["params"] == "320"
    result = runner.invoke(app, ["summary", SPEC, "--format", "markdown"])
    assert result.stdout.startswith("| # | layer |")
    assert "- **total params**: 50,186" in result.stdout


def test_batch_scales_macs_and_memory(runner: CliRunner) -> None:
    one = json.loads(runner.invoke(app, ["summary", SPEC, "-f", "json"]).stdout)
    eight = json.loads(runner.invoke(app, ["summary", SPEC, "-f", "json", "-b", "8"]).stdout)
    assert eight["total_macs"] == 8 * one["total_macs"]
    assert eight["activation_bytes"] == 8 * one["activation_bytes"]
    assert eight["total_params"] == one["total_params"]


def test_keras_convention_shapes(runner: CliRunner) -> None:
    spec = "conv(32,3,stride=2,padding=same)-maxpool(2,padding=same)"
    result = runner.invoke(app, ["summary", spec, "--convention", "tf"])
    assert result.exit_code == 0, result.output
    # ⌈28/2⌉ = 14, then ⌈14/2⌉ = 7
    assert "(None, 7, 7, 32)" in result.stdout


def test_parse_error_exit_2_with_caret(runner: CliRunner) -> None:
    result = runner.invoke(app, ["summary", "conv(32,3)-rleu"])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "error: unknown layer 'rleu'; did you mean 'relu'?",
        "  conv(32,3)-rleu",
        "             ^^^^",
    ]


def test_impossible_layer_exit_1_after_partial_table(runner: CliRunner) -> None:
    result = runner.invoke(app, ["summary", "conv(8,3)-maxpool(2)-maxpool(8)", "-i", "1x10x10"])
    assert result.exit_code == 1
    assert "conv(8,3)" in result.stdout and "8x4x4" in result.stdout
    assert result.stderr.strip() == ("error: layer 3 maxpool(8): input 4 (padded to 4) is "
                                     "smaller than the 8-wide window, so the output would be 0 "
                                     "(input 8x4x4)")


def test_bad_flags_exit_2(runner: CliRunner) -> None:
    for args in (["summary", SPEC, "--input", "1x28x28x3"], ["summary", SPEC, "--input", "abc"],
                 ["summary", SPEC, "--format", "xml"], ["summary", SPEC, "--convention", "jax"],
                 ["summary"], ["summary", SPEC, "--preset", "lenet5"],
                 ["summary", "--preset", "lenet6"], ["summary", SPEC, "--batch", "0"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, (args, result.output)
        assert "Traceback" not in result.output


def test_presets_listing(runner: CliRunner) -> None:
    result = runner.invoke(app, ["presets", "--format", "json"])
    data = {p["name"]: p for p in json.loads(result.stdout)}
    assert data["resnet18"]["trainable_params"] == data["resnet18"]["published_params"]


def test_summary_never_imports_torch() -> None:
    code = ("import sys; from cnncalc.cli import main; sys.argv=['cnncalc','summary',"
            "'--preset','resnet18','-f','json']; \n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "assert 'torch' not in sys.modules, 'torch imported'; "
            "assert 'numpy' not in sys.modules, 'numpy imported'")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    proc = subprocess.run([sys.executable, "-c", "import cnncalc, cnncalc.calc, sys; "
                           "assert 'torch' not in sys.modules"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_module_entry_point() -> None:
    proc = subprocess.run([sys.executable, "-m", "cnncalc", "summary", "relu", "-f", "json"],
                          capture_output=True, text=True)
    assert proc.returncode == 0 and json.loads(proc.stdout)["output_shape"] == [1, 28, 28]


def test_receptive_field_legend_for_convt_and_gap(runner: CliRunner) -> None:
    result = runner.invoke(app, ["summary", "conv(8,3,stride=2)-convt(8,2,stride=2)-gap(3)",
                                 "-i", "1x16x16"])
    assert "RF after a transposed conv" in result.stdout
    assert "RF after adaptive pooling" in result.stdout
    plain = runner.invoke(app, ["summary", "conv(8,3)"])
    assert "RF after" not in plain.stdout


def test_huge_tables_are_elided_but_totals_are_whole(runner: CliRunner) -> None:
    # 100 blocks of 100·2 layers: 20,100 rows in full; the table collapses the blocks.
    result = runner.invoke(app, ["summary", "[[conv(4,3,padding=1)-relu]*100]*100",
                                 "-i", "4x16x16"])
    assert "showing the 1 top-level rows of 20,101, blocks collapsed" in result.stdout
    # 100·100 convs of (3·3·4)·4 + 4 = 148 parameters each
    assert "1,480,000" in result.stdout
    flat = runner.invoke(app, ["summary", "-".join(["relu"] * 1000)])
    assert "⋮" in flat.stdout and "850 rows not shown" in flat.stdout
    assert "showing 150 of 1,000 rows" in flat.stdout
