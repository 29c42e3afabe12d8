"""`check CODE --expect TABLE` with a Keras model.summary() or torchinfo table as the answers.

Oracles: tables printed by Keras 3.15.1, tf-keras 2.21.0 and torchinfo 1.8.0 themselves for
the same models (fixtures/README.md), the Keras example's published table, and hand
derivations written out below.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cnncalc.cli import app
from cnncalc.dialects.summary_table import (
    KERAS,
    TORCHINFO,
    SummaryTableError,
    is_summary_table,
    parse_summary_table,
)

FIXTURES = Path(__file__).parent / "fixtures"


def check(runner: CliRunner, code: str, expect: str, *extra: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    result = runner.invoke(app, ["check", code, "--expect", expect, "-f", "json", *extra])
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.output)


@pytest.mark.parametrize(("model", "tables"), [
    ("keras_mnist.py", ("keras3_mnist", "keras3_ascii_mnist", "keras2_mnist", "keras2old_mnist")),
    ("keras_bn.py", ("keras3_bn", "keras3_ascii_bn", "keras2_bn")),
    ("note_model_1.py", ("keras3_note_model_1", "keras3_ascii_note_model_1",
                         "keras2_note_model_1")),
    ("note_model_2.py", ("keras3_note_model_2", "keras2_note_model_2")),
])
def test_tables_keras_printed_for_the_same_model_pass(runner: CliRunner, model: str,
                                                      tables: tuple[str, ...]) -> None:
    for name in tables:
        code, data = check(runner, str(FIXTURES / model), str(FIXTURES / f"{name}.txt"))
        assert code == 0 and data["wrong"] == 0, (name, data)
        rows = parse_summary_table((FIXTURES / f"{name}.txt").read_text()).rows
        # Every row is checked for its shape and its Param # (the input row: its shape only).
        inputs = sum(1 for r in rows if r.type == "InputLayer")
        totals = sum(1 for f in data["figures"] if f["row"].endswith(("params", "(size)")))
        assert data["right"] == 2 * len(rows) - inputs + totals, name


def test_keras_mnist_counts_by_hand(runner: CliRunner) -> None:
    # conv 3·3·1·32 + 32 = 320; conv 3·3·32·64 + 64 = 18,496; 5·5·64 = 1600 flattened,
    # dense 1600·10 + 10 = 16,010; the Keras example publishes 34,826 in all.
    assert 320 + 18_496 + 16_010 == 34_826
    _, data = check(runner, str(FIXTURES / "keras_mnist.py"),
                    str(FIXTURES / "keras2old_mnist.txt"))
    params = {f["row"]: f["correct"] for f in data["figures"] if f["what"] == "params"}
    assert params == {"conv2d (Conv2D)": "320", "max_pooling2d (MaxPooling2D)": "0",
                      "conv2d_1 (Conv2D)": "18,496", "max_pooling2d_1 (MaxPooling2": "0",
                      "flatten (Flatten)": "0", "dropout (Dropout)": "0",
                      "dense (Dense)": "16,010"}
    totals = [f for f in data["figures"] if f["what"] == "total"]
    assert [(f["row"], f["correct"]) for f in totals] == [
        ("Total params", "34,826"), ("Trainable params", "34,826"),
        ("Non-trainable params", "0")]
    # The old layout cuts 'MaxPooling2D' at the column edge: completed, and said so.
    assert any("read as MaxPooling2D" in f["working"] for f in data["figures"])


def test_note_table_passes_against_the_notes_code(runner: CliRunner) -> None:
    # The note's first table: 320 + 18,496 + 36,928 + 36,928 + 650 = 93,322, as it prints.
    assert 3 * 3 * 1 * 32 + 32 + 3 * 3 * 32 * 64 + 64 + 3 * 3 * 64 * 64 + 64 \
        + 576 * 64 + 64 + 64 * 10 + 10 == 93_322
    code, data = check(runner, str(FIXTURES / "note_model_1.py"),
                       str(FIXTURES / "note_summary_1.md"))
    assert code == 0 and data["wrong"] == 0
    assert data["right"] == 20  # input shape, 8 rows x (shape, Param #), 3 totals


def test_note_table_with_64_filters_is_marked_against_code_with_32(runner: CliRunner) -> None:
    code, data = check(runner, str(FIXTURES / "note_model_2.py"),
                       str(FIXTURES / "note_summary_2.md"))
    assert code == 1
    wrong = [(f["row"], f["what"], f["table"], f["correct"]) for f in data["figures"]
             if f["right"] is False]
    # The code: Conv2D(32) on 14x14x32 (same padding) keeps 14x14x32 and has
    # 3·3·32·32 + 32 = 9,248 weights (the table's 18,496 = 3·3·32·64 + 64 is 64 filters);
    # pooling gives 7x7x32, flattened 7·7·32 = 1568; Dense(3136) then has
    # 1568·3136 + 3136 = 4,920,384 (the table's 9,837,632 = 3136·3136 + 3136).
    # Total 320 + 9,248 + 4,920,384 + 401,536 + 1,290 = 5,332,778.
    assert 320 + 9_248 + 1568 * 3136 + 3136 + 401_536 + 1_290 == 5_332_778
    assert wrong == [
        ("conv2d_1 (Conv2D)", "shape", "(None, 14, 14, 64)", "(None, 14, 14, 32)"),
        ("conv2d_1 (Conv2D)", "params", "18496", "9,248"),
        ("max_pooling2d_1 (MaxPooling 2D)", "shape", "(None, 7, 7, 64)", "(None, 7, 7, 32)"),
        ("flatten (Flatten)", "shape", "(None, 3136)", "(None, 1568)"),
        ("dense (Dense)", "params", "9837632", "4,920,384"),
        ("Total params", "total", "10,259,274", "5,332,778"),
        ("Trainable params", "total", "10,259,274", "5,332,778"),
    ]
    working = {f["row"] + f["what"]: f["working"] for f in data["figures"] if not f["right"]}
    assert working["conv2d_1 (Conv2D)params"] == "(3·3·32)·32 + 32 = 9248"
    assert working["dense (Dense)params"] == "1568·3136 + 3136 = 4920384"


def test_note_table_passes_against_code_with_64_filters(runner: CliRunner,
                                                        tmp_path: Path) -> None:
    # The table is right about the model it was printed for: 64 filters in conv2d_1.
    code_text = (FIXTURES / "note_model_2.py").read_text()
    fixed = code_text.replace("Conv2D_2=layers.Conv2D(32,", "Conv2D_2=layers.Conv2D(64,")
    assert fixed != code_text
    path = tmp_path / "model.py"
    path.write_text(fixed)
    code, data = check(runner, str(path), str(FIXTURES / "note_summary_2.md"))
    assert code == 0 and data["wrong"] == 0


@pytest.mark.parametrize(("model", "table", "extra", "right"), [
    # 9 leaves x (shape, params) + the model row + 3 counts + mult-adds + 4 sizes ...
    ("torch_net.py", "torchinfo_net", ("--input", "1x28x28"), 6 * 2 + 1 + 3 + 1 + 4),
    ("torch_seq.py", "torchinfo_seq", ("--input", "3x32x32"), 9 * 2 + 1 + 3 + 1 + 4),
    ("torch_seq.py", "torchinfo_seq_batch2", ("--input", "3x32x32"), 9 * 3 + 1 + 3 + 1 + 4),
])
def test_torchinfo_tables_pass(runner: CliRunner, model: str, table: str,
                               extra: tuple[str, ...], right: int) -> None:
    code, data = check(runner, str(FIXTURES / model), str(FIXTURES / f"{table}.txt"), *extra)
    assert code == 0 and data["wrong"] == 0, data
    assert data["right"] == right


def test_torchinfo_notes_calls_it_does_not_list(runner: CliRunner) -> None:
    # F.relu, F.max_pool2d and torch.flatten are calls, not modules: torchinfo has no rows.
    _, data = check(runner, str(FIXTURES / "torch_net.py"),
                    str(FIXTURES / "torchinfo_net.txt"), "--input", "1x28x28")
    notes = [f["working"] for f in data["figures"] if f["right"] is None]
    assert sum("relu: no row" in n for n in notes) == 3
    assert any(n.startswith("maxpool(2): no row") for n in notes)
    assert data["notes"] == len(notes)


def test_wrong_torchinfo_figures_are_marked(runner: CliRunner, tmp_path: Path) -> None:
    text = (FIXTURES / "torchinfo_net.txt").read_text()
    text = text.replace("18,496", "18,432").replace("[1, 128]                  1,179,776",
                                                    "[1, 256]                  1,179,776")
    path = tmp_path / "t.txt"
    path.write_text(text)
    code, data = check(runner, str(FIXTURES / "torch_net.py"), str(path), "--input",
                       "1x28x28")
    wrong = [(f["row"], f["what"], f["correct"]) for f in data["figures"]
             if f["right"] is False]
    assert wrong == [("Conv2d: 1-2", "params", "18,496"), ("Linear: 1-4", "shape", "[1, 128]")]
    assert code == 1


def test_a_row_the_code_lacks_is_reported(runner: CliRunner, tmp_path: Path) -> None:
    # Code without the second MaxPooling2D: the table's row has no partner (marked), and
    # every shape after it differs (marked with the working).
    code_text = (FIXTURES / "keras_mnist.py").read_text()
    path = tmp_path / "m.py"
    path.write_text(code_text.replace("    layers.MaxPooling2D(pool_size=(2, 2)),\n"
                                      "    layers.Flatten(),", "    layers.Flatten(),"))
    code, data = check(runner, str(path), str(FIXTURES / "keras3_mnist.txt"))
    assert code == 1
    rows = [f for f in data["figures"] if f["what"] == "row"]
    assert [f["row"] for f in rows] == ["max_pooling2d_1 (MaxPooling2D)"]
    assert "no layer of the code matches this MaxPooling2D" in rows[0]["working"]
    flatten = next(f for f in data["figures"] if f["row"] == "flatten (Flatten)"
                   and f["what"] == "shape")
    assert flatten["right"] is False and flatten["correct"] == "(None, 7744)"  # 11·11·64


def test_a_layer_the_table_lacks_is_reported(runner: CliRunner, tmp_path: Path) -> None:
    text = (FIXTURES / "keras3_mnist.txt").read_text()
    start = text.index("│ conv2d_1 (Conv2D)")
    end = text.index("├", start)
    end = text.index("\n", end) + 1
    path = tmp_path / "t.txt"
    path.write_text(text[:start] + text[end:])  # no row for the second conv
    code, data = check(runner, str(FIXTURES / "keras_mnist.py"), str(path))
    assert code == 1
    missing = [f for f in data["figures"] if f["what"] == "row"]
    assert [(f["layer"], f["correct"]) for f in missing] == [("4", "conv(64,3)")]


def test_detects_and_reads_layouts() -> None:
    for name, flavor, layout in (("keras3_mnist", KERAS, "Keras 3"),
                                 ("keras3_ascii_mnist", KERAS, "Keras 3 (ASCII)"),
                                 ("keras2_mnist", KERAS, "Keras 2"),
                                 ("keras2old_mnist", KERAS, "Keras 2"),
                                 ("torchinfo_net", TORCHINFO, "torchinfo")):
        text = (FIXTURES / f"{name}.txt").read_text()
        assert is_summary_table(text)
        t = parse_summary_table(text)
        assert (t.flavor, t.layout) == (flavor, layout)
    t = parse_summary_table((FIXTURES / "note_summary_1.md").read_text())
    assert t.layout == "Markdown" and t.rows[2].type == "MaxPooling2D"
    t = parse_summary_table((FIXTURES / "keras2_bn.txt").read_text())
    # Keras 2 wraps 'batch_normalization (BatchNormalization)' over two lines, mid-word.
    assert [r.type for r in t.rows][:2] == ["Conv2D", "BatchNormalization"]
    assert not is_summary_table("1: 16x30x30, 448; total: 448")


NOTE = Path("/work/shared/seeds")


@pytest.mark.parametrize(("text", "needles"), [
    ("Layer (type)  Output Shape  Param #\n=====\n conv2d (Conv2D)  (None, 26, 26)  lots\n",
     ("summary table line 3",)),
    ("┃ Layer (type) ┃ Output Shape ┃ Param # ┃\n│ conv2d (Conv2D) │ (None, 26, 26, 32) │\n",
     ("summary table line 2", "2 cells where the header has 3")),
    ("Layer (type:depth-idx)   Output Shape   Param #\n====\nNet   [1, 10]   --\n"
     "├─Conv2d: 1-1   [1, 32, 26, 26]\n", ("summary table line 4", "1 values")),
    ("| Layer (type) | Output Shape | Param # |\n|--|--|--|\n| d (Dense) | (None, 10) | 1 |\n"
     "\nTotal params: 1 and then some\n", ("summary table line 5", "cannot read")),
    ("Hello\n| Layer (type) | Output Shape | Param # |\n", ("summary table line 1",)),
    ("| Layer (type) | Output Shape | Param # |\n| d (Dense) | (None, 10) | 1 |\n"
     "| Layer (type) | Output Shape | Param # |\n", ("2 summary tables",)),
])
def test_unreadable_summary_lines_name_their_line(runner: CliRunner, text: str,
                                                  needles: tuple[str, ...]) -> None:
    with pytest.raises(SummaryTableError) as e:
        parse_summary_table(text)
    for needle in needles:
        assert needle in str(e.value), str(e.value)
    result = runner.invoke(app, ["check", "fc(10)", "--input", "flat:4", "--expect", text])
    assert result.exit_code == 2 and "error:" in result.output


def test_the_notes_garbled_second_rendering_is_refused_by_line(runner: CliRunner,
                                                               tmp_path: Path) -> None:
    # The note also holds the same table as extracted from a PDF: columns scattered over
    # lines. It cannot be read exactly, so it is refused, naming the first bad line.
    garbled = """Model: "model"

# **Layer (type) Output Shape Param #**

input\\_1 (InputLayer) [(None, 28, 28, 1)] 0

conv2d (Conv2D) (None, 28, 28, 32) **320**

max pooling2d (MaxPooling2D (None, 14, 14, 32)
                                        0
)
"""
    path = tmp_path / "t.txt"
    path.write_text(garbled)
    result = runner.invoke(app, ["check", str(FIXTURES / "note_model_2.py"), "--expect",
                                 str(path)])
    assert result.exit_code == 2
    assert "summary table line" in result.output and "Traceback" not in result.output
