"""Lecture tables as models, and `check TABLE` marking the figures a table states.

Oracles: hand derivations written out below, torch modules (on the meta device) applied to
the table's own input, and published counts (torchvision's VGG-16: 138,357,544).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import cnncalc
from cnncalc.cli import app
from cnncalc.dialects.resolve import resolve
from cnncalc.dialects.table import TableError, is_table, parse_table, quantity

FIXTURES = Path(__file__).parent / "fixtures"
ALEXNET = FIXTURES / "alexnet_notes.txt"  # the seed note's table = the CS231n slide's
VGG = FIXTURES / "vgg16_cs231n_notes.txt"  # https://cs231n.github.io/convolutional-networks/


def run(runner: CliRunner, *args: str, stdin: str | None = None) -> tuple[int, str]:
    result = runner.invoke(app, list(args), input=stdin)
    return result.exit_code, result.output


def test_alexnet_table_reads_as_62378344_parameters() -> None:
    # Derivation (weights F·F·C_in·C_out plus one bias a filter; fc in·out + out):
    conv1 = 11 * 11 * 3 * 96 + 96  # 34,944
    conv2 = 5 * 5 * 96 * 256 + 256  # 614,656
    conv3 = 3 * 3 * 256 * 384 + 384  # 885,120
    conv4 = 3 * 3 * 384 * 384 + 384  # 1,327,488
    conv5 = 3 * 3 * 384 * 256 + 256  # 884,992
    fc6 = 6 * 6 * 256 * 4096 + 4096  # 37,752,832 (the 6x6x256 map flattened: 9216)
    fc7 = 4096 * 4096 + 4096  # 16,781,312
    fc8 = 4096 * 1000 + 1000  # 4,097,000
    total = conv1 + conv2 + conv3 + conv4 + conv5 + fc6 + fc7 + fc8
    assert total == 62_378_344
    s = cnncalc.summary(ALEXNET.read_text())
    assert s.total_params == total
    assert s.output_shape == (1000,)
    assert s.input_shape == (3, 227, 227)
    assert [r.params for r in s.layers if r.params] == [conv1, conv2, conv3, conv4, conv5,
                                                       fc6, fc7, fc8]


def test_alexnet_every_bracketed_shape_agrees_with_torch() -> None:
    """Each lowered layer run by torch on the table's own input gives the table's shape."""
    torch = pytest.importorskip("torch")
    from tests.oracle import counts, torch_layer

    table = parse_table(ALEXNET.read_text())
    r = resolve(str(ALEXNET), None, None)
    with torch.device("meta"):
        x = torch.empty(1, 3, 227, 227)
        outputs, params = [], 0
        for layer in r.nodes:
            module = torch_layer(layer, x)  # type: ignore[arg-type]
            x = module(x)
            params += counts(module)[0]
            outputs.append(tuple(x.shape[1:]))
    assert params == 62_378_344
    for row in table.rows:
        shape = outputs[int(row.path) - 1]
        hwc = (shape[1], shape[2], shape[0]) if len(shape) == 3 else shape
        assert hwc == row.dims, (row.name, hwc, row.dims)


def test_check_alexnet_table_all_right(runner: CliRunner) -> None:
    code, out = run(runner, "check", str(ALEXNET), "-f", "json")
    assert code == 0, out
    data = json.loads(out)
    assert data["wrong"] == 0 and data["right"] == 13  # 13 layer rows, each one shape
    assert [f["row"] for f in data["figures"]][:3] == ["CONV1", "MAX POOL1", "NORM1"]


def test_check_copy_with_two_wrong_shapes_marks_both(runner: CliRunner, tmp_path: Path) -> None:
    text = ALEXNET.read_text()
    text = text.replace("[27x27x256] CONV2", "[27x27x128] CONV2")  # 256 filters, not 128
    text = text.replace("[6x6x256] MAX POOL3", "[7x7x256] MAX POOL3")  # (13 - 3)/2 + 1 = 6
    bad = tmp_path / "alexnet.txt"
    bad.write_text(text)
    code, out = run(runner, "check", str(bad), "-f", "json")
    assert code == 1
    data = json.loads(out)
    wrong = [f for f in data["figures"] if f["right"] is False]
    assert [(f["line"], f["row"], f["table"], f["correct"]) for f in wrong] == [
        (6, "CONV2", "[27x27x128]", "[27x27x256]"),
        (12, "MAX POOL3", "[7x7x256]", "[6x6x256]")]
    assert "C = 256 filters" in wrong[0]["working"]
    assert "(13 - 3)/2 + 1 = 6" in wrong[1]["working"]
    code, out = run(runner, "check", str(bad))
    assert code == 1 and "11 of 13 right" in out and out.count("✗") == 2


def test_summary_says_what_it_inserted_and_assumed(runner: CliRunner) -> None:
    code, out = run(runner, "summary", str(ALEXNET), "--columns", "layer,output,params")
    assert code == 0, out
    assert "flatten inserted before FC6 (line 13)" in out
    assert "NORM1, NORM2 read as lrn" in out
    assert "not written, so assumed: pad 0 (lines 4, 7, 12)" in out
    assert "62,378,344" in out


def test_vgg_notes_table_figures_and_its_total_memory_slip(runner: CliRunner) -> None:
    code, out = run(runner, "check", str(VGG), "-f", "json")
    data = json.loads(out)
    by_what: dict[str, list[dict[str, object]]] = {}
    for f in data["figures"]:
        by_what.setdefault(str(f["what"]), []).append(f)
    # Every row's shape, memory and weights figure is right: 21 layer rows (3 FC shapes only
    # give the neurons, so 18 shapes are checked), 22 memory and 22 weights figures.
    assert all(f["right"] for w in ("shape", "memory", "weights") for f in by_what[w])
    assert (len(by_what["shape"]), len(by_what["memory"]), len(by_what["weights"])) == \
        (18, 22, 22)
    # TOTAL params: 138M; torchvision's VGG-16 has 138,357,544 (published).
    assert by_what["total params"][0]["right"] is True
    assert by_what["total params"][0]["correct"].startswith("138,357,544")
    # TOTAL memory: the notes say 24M, but their own memory column sums to 15.2M:
    # 224·224·3 + 2·224·224·64 + 112·112·64 + 2·112·112·128 + 56·56·128 + 3·56·56·256
    # + 28·28·256 + 3·28·28·512 + 14·14·512 + 3·14·14·512 + 7·7·512 + 4096 + 4096 + 1000.
    column = (224 * 224 * 3 + 2 * 224 * 224 * 64 + 112 * 112 * 64 + 2 * 112 * 112 * 128
              + 56 * 56 * 128 + 3 * 56 * 56 * 256 + 28 * 28 * 256 + 3 * 28 * 28 * 512
              + 14 * 14 * 512 + 3 * 14 * 14 * 512 + 7 * 7 * 512 + 4096 + 4096 + 1000)
    assert column == 15_237_608
    memory = by_what["total memory"][0]
    assert memory["right"] is False and memory["correct"] == f"{column:,}"
    assert by_what["total bytes"][0]["right"] is False  # 93MB; 4·15,237,608 B is 61 MB
    assert code == 1 and data["wrong"] == 2


SLIDE_VGG = """INPUT: [224x224x3] memory: 224*224*3=150K params: 0 (not counting biases)
CONV3-64: [224x224x64] memory: 224*224*64=3.2M params: (3*3*3)*64 = 1,728
POOL2: [112x112x64] memory: 112*112*64=800K params: 0
FC: [1x1x10] memory: 10 params: 112*112*64*10 = 8,028,160  // Most params are in late FC
TOTAL params: 8.03M parameters
"""


def test_slide_variant_params_column_and_comments(runner: CliRunner) -> None:
    # The lecture slides write params: and // comments where the notes write weights:.
    # 8.03M: (3·3·3)·64 + 112·112·64·10 = 1,728 + 8,028,160 = 8,029,888 weights (8.03M),
    # 8,029,962 with the 64 + 10 biases: both round to 8.03M.
    code, out = run(runner, "check", SLIDE_VGG, "-f", "json")
    data = json.loads(out)
    assert code == 0 and data["wrong"] == 0, out
    # INPUT: memory, weights; CONV3-64 and POOL2: shape, memory, weights; FC: memory and
    # weights (its shape gives its neurons, so is not checked); TOTAL params: 2 + 6 + 2 + 1.
    assert data["right"] == 11


@pytest.mark.parametrize("row", [
    "[55x55x96] CONV1: 96 11x11 filters at stride 4, pad 0",
    "[55x55x96] CONV1: 96 filters, F=11, S=4, P=0",
    "[55x55x96] CONV1: K=96, F=11, S=4, P=0",
    "- [55x55x96] CONV 1: 96 11x11 filters at stride 4, pad 0",
    "[55 x 55 x 96] conv1: 96 11×11 filters, stride=4, padding=0",
])
def test_conv_row_spellings(row: str) -> None:
    s = cnncalc.summary(f"[227x227x3] INPUT\n{row}\n")
    assert s.layers[0].output_shape == (96, 55, 55)  # (227 - 11)/4 + 1 = 55
    assert s.total_params == 11 * 11 * 3 * 96 + 96


def test_fc_units_lrn_relu_and_flatten_variants() -> None:
    text = """[32x32x3] INPUT
[32x32x8] CONV1: 8 3x3 filters at stride 1, pad 1 (+ReLU)
[32x32x8] LRN1: size 3
[16x16x8] MAX_POOL1: 2x2 filters at stride 2 (+Reshape 2048)
[10] FC2: 10 units
"""
    s = cnncalc.summary(text)
    assert [r.spec for r in s.layers] == ["conv(8,3,padding=1)", "relu", "lrn(3)",
                                          "maxpool(2)", "flatten", "fc(10)"]
    assert s.total_params == 3 * 3 * 3 * 8 + 8 + 16 * 16 * 8 * 10 + 10


def test_avg_pool_and_one_by_one_fc_shapes() -> None:
    text = "[8x8x4] INPUT\n[4x4x4] AVG POOL: 2x2 filters\n[1x1x5] FC: 5 neurons\n"
    table = parse_table(text)
    assert [r.spec for r in table.rows] == ["avgpool(2x2,stride=2x2,padding=0)", "fc(5)"]
    # The stride of a pooling row without one is the window, and the table says so.
    assert any("pooling stride equal to the window" in n for n in table.notes)
    s = cnncalc.summary(text)
    assert s.output_shape == (5,)


def test_table_on_standard_input_and_as_spec(runner: CliRunner) -> None:
    text = ALEXNET.read_text()
    for args, stdin in ((["summary", "-", "-f", "json"], text),
                        (["summary", text, "-f", "json"], None)):
        code, out = run(runner, *args, stdin=stdin)
        assert code == 0, out
        assert json.loads(out)["total_params"] == 62_378_344


def test_every_model_command_takes_a_table(runner: CliRunner) -> None:
    code, out = run(runner, "explain", str(ALEXNET), "-f", "json")
    assert code == 0 and json.loads(out)[0]["output_shape"] == "96x55x55"
    code, out = run(runner, "draw", str(ALEXNET), "-f", "mermaid")
    assert code == 0 and "flowchart" in out
    code, out = run(runner, "summary", str(ALEXNET), "--convention", "keras", "--columns",
                    "layer,output")
    assert code == 0 and "(None, 55, 55, 96)" in out


def test_input_option_and_model_are_refused(runner: CliRunner) -> None:
    code, out = run(runner, "summary", str(ALEXNET), "--input", "3x224x224")
    assert code == 2 and "gives its own input on its INPUT row (line 2)" in out


@pytest.mark.parametrize(("text", "needles"), [
    ("[227x227x3] INPUT\n[55x55x96] CONV1: 96 11x11 filtres at stride 4\n",
     ("table line 2", "cannot read 'filtres'", "CONV1: 96 11x11 filtres")),
    ("[227x227x3] INPUT\n[55x55x96] DECONV1: 96 11x11 filters\n",
     ("table line 2", "unknown layer 'DECONV1'")),
    ("[55x55x96] CONV1: 96 11x11 filters at stride 4\n",
     ("table line 1", "starts with CONV1, not INPUT")),
    ("[227x227x3] INPUT\n[55x55] CONV1: 96 11x11 filters at stride 4\n",
     ("table line 2", "cannot read the shape [55x55]")),
    ("[227x227x3] INPUT\n[55x55x96] CONV1: 11x11 filters at stride 4\n",
     ("table line 2", "CONV1 gives no filter count")),
    ("[227x227x3] INPUT\nsome words\n[55x55x96] CONV1: 96 11x11 filters\n",
     ("table line 2", "not a table row")),
    ("[227x227x3] INPUT\n[4096] FC6: 4096 neurons at stride 2\n",
     ("table line 2", "FC6 takes no stride")),
    ("[227x227x3] INPUT\n[55x55x96] CONV1: 96 11x11 filters at stride 4, stride 2\n",
     ("table line 2", "a stride is given twice")),
    ("[227x227x3] INPUT\n[9x9x3] POOL: 3x3 filters (+Softmax)\n",
     ("table line 2", "cannot read '(+Softmax)'")),
    ("INPUT: [8x8x1] memory: 8*8=64\nCONV3-4: [8x8x4] memory: 8*8*4=256 weights: lots\n",
     ("table line 2", "cannot read the weights figure 'lots'")),
    ("[8x8x1] INPUT\n", ("no layer rows",)),
    ("[8x8x1] INPUT\nTOTAL params: 5\n[8x8x1] RELU\n", ("table line 3", "after the TOTAL")),
])
def test_unreadable_line_is_an_error_naming_it(runner: CliRunner, text: str,
                                               needles: tuple[str, ...]) -> None:
    with pytest.raises(TableError) as e:
        parse_table(text)
    for needle in needles:
        assert needle in str(e.value), (needle, str(e.value))
    code, out = run(runner, "summary", text)
    assert code == 2 and "error:" in out and "Traceback" not in out


def test_a_table_that_cannot_be_applied_marks_what_it_reached(runner: CliRunner) -> None:
    text = "[8x8x1] INPUT\n[6x6x2] CONV1: 2 3x3 filters\n[1x1x2] POOL1: 9x9 filters\n"
    code, out = run(runner, "check", text)
    assert code == 1
    assert "CONV1" in out and "✓" in out
    assert "error: layer 2 maxpool(9" in out


def test_detection_is_only_for_tables() -> None:
    assert is_table("[227x227x3] INPUT\n")
    assert is_table("INPUT: [224x224x3] memory: 150K\n")
    assert is_table("```\nAlexNet:\n[227x227x3] INPUT\n")
    assert not is_table("[conv(8,3)-relu]*2-flatten-fc(10)")
    assert not is_table("[Conv2D(8, 3), Flatten(), Dense(10)]")
    assert not is_table("class Net(nn.Module):\n    [1, 2]\n")
    assert not is_table("[227x227x3] INPUT\n", "model.py")


@pytest.mark.parametrize(("text", "exact", "right"), [
    ("3.2M", 3_211_264, True),  # 3.15M..3.25M
    ("800K", 802_816, True),  # one significant digit: 750K..850K
    ("150K", 150_528, True),
    ("25K", 25_088, True),
    ("24M", 15_237_608, False),
    ("1,728", 1_728, True),
    ("1,728", 1_792, False),
    ("(3*3*3)*64", 1_728, True),
    ("7*7*512*4096", 102_760_448, True),
    ("~138M", 138_357_544, True),
])
def test_figures_round_as_written(text: str, exact: int, right: bool) -> None:
    assert quantity(text).fits(exact) is right


def test_figure_with_thousands_of_digits_is_refused() -> None:
    with pytest.raises(ValueError):
        quantity("9" * 5000)
    with pytest.raises(ValueError):
        quantity("*".join(["999999999999999"] * 10))  # past 10^30: no network's figure
