"""`cnncalc draw`: SVG structure against the calculator, golden diagrams, Mermaid, bad input."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from cnncalc import presets
from cnncalc.calc import summarize_spec
from cnncalc.calc.summary import Summary
from cnncalc.cli import app
from cnncalc.errors import CnnCalcError
from cnncalc.ops.shape import format_shape, parse_shape
from cnncalc.render.draw import diagram, mermaid
from cnncalc.render.draw_model import MAX_LAYERS_DRAWN
from cnncalc.render.draw_svg import to_svg

from .conftest import REPO
from .strategies import inputs, specs

SVG = "{http://www.w3.org/2000/svg}"
GOLDEN = Path(__file__).parent / "golden_draw"


def preset_summary(name: str) -> Summary:
    p = presets.get(name)
    return summarize_spec(p.spec, parse_shape(p.input))


def svg_root(summary: Summary, style: str = "layered", collapse: bool = True) -> ET.Element:
    return ET.fromstring(to_svg(diagram(summary, style, collapse=collapse)))


def layer_groups(root: ET.Element) -> list[ET.Element]:
    return [g for g in root.iter(f"{SVG}g") if g.get("class") == "layer"]


def drawn_leaves(summary: Summary) -> list[tuple[str, str]]:
    """(path, shape) of every layer; the shortcut projections are drawn as the skip arrow."""
    return [(r.path, format_shape(r.output_shape)) for r in summary.leaves()
            if ".s" not in r.path]


def dims(g: ET.Element) -> tuple[int, ...]:
    return tuple(int(v) for v in (g.get("data-shape") or "").split("x"))


def polygon_box(el: ET.Element) -> tuple[float, float, float]:
    """(width, height, area) of a polygon's points."""
    pts = [tuple(float(v) for v in p.split(",")) for p in (el.get("points") or "").split()]
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    area = abs(sum(pts[i][0] * pts[i - 1][1] - pts[i - 1][0] * pts[i][1]
                   for i in range(len(pts)))) / 2
    return max(xs) - min(xs), max(ys) - min(ys), area


def test_lenet5_labels_are_the_hand_derived_shapes() -> None:
    # 32-5+1 = 28, /2 = 14, 14-5+1 = 10, /2 = 5, 5-5+1 = 1; then 120, 84 and 10 features.
    root = svg_root(preset_summary("lenet5"))
    shape_texts = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "shape"]
    assert shape_texts == ["1x32x32", "6x28x28", "6x14x14", "16x10x10", "16x5x5", "120x1x1",
                           "120", "84", "10"]
    kernels = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "kernel"]
    assert kernels == ["5x5, s=1", "2x2, s=2", "5x5, s=1", "2x2, s=2", "5x5, s=1"]


@pytest.mark.parametrize("name", ["lenet5", "alexnet", "resnet18", "mnist-fast"])
@pytest.mark.parametrize("style", ["layered", "flat"])
def test_one_group_per_layer_with_the_summary_shape(name: str, style: str) -> None:
    summary = preset_summary(name)
    groups = layer_groups(svg_root(summary, style, collapse=False))
    assert [(g.get("data-path"), g.get("data-shape")) for g in groups] == \
        drawn_leaves(summary)
    for g in groups:  # every layer is named in text, not drawn as paths
        assert any(t.text for t in g.iter(f"{SVG}text"))
        assert g.find(f"{SVG}title") is not None


def test_layered_boxes_are_to_scale() -> None:
    for name in ("lenet5", "alexnet", "resnet18"):
        summary = preset_summary(name)
        root = svg_root(summary, collapse=False)
        boxes = []
        for g in layer_groups(root):
            faces = [p for p in g.iter(f"{SVG}polygon") if p.get("class") == "hw"]
            fronts = [p for p in g.iter(f"{SVG}polygon") if p.get("class") == "front"]
            shape = dims(g)
            if faces:
                _, h, w = shape
                boxes.append((h * w, h, w, polygon_box(faces[0]), polygon_box(fronts[0])))
        assert len(boxes) >= 5
        boxes.sort(key=lambda b: b[0])
        areas = [b[3][2] for b in boxes]
        # The face area grows with H·W (to rounding: coordinates are written to 0.1 px).
        assert all(a <= b + 0.5 for a, b in itertools.pairwise(areas)), name
        assert areas[-1] > 10 * areas[0]
        # Height ∝ H with one scale (coordinates are written to 0.1 px), above the 3 px floor.
        scale = boxes[-1][4][1] / boxes[-1][1]
        for _, h, _, _, front in boxes:
            assert front[1] == pytest.approx(max(3.0, h * scale), abs=0.15), name


def test_depth_is_log_channels_as_the_legend_says() -> None:
    root = svg_root(preset_summary("alexnet"), collapse=False)
    for g in layer_groups(root):
        fronts = [p for p in g.iter(f"{SVG}polygon") if p.get("class") == "front"]
        shape = dims(g)
        if fronts and len(shape) == 3:
            import math
            assert polygon_box(fronts[0])[0] == pytest.approx(4 + 5 * math.log2(shape[0]),
                                                              abs=0.11)
    legend = "".join(t.text or "" for t in root.iter(f"{SVG}text"))
    assert "4 + 5·log2(C)" in legend


def test_residual_blocks_have_skip_arrows_and_repeats_collapse() -> None:
    summary = preset_summary("resnet18")
    root = svg_root(summary)
    residuals = [g for g in root.iter(f"{SVG}g") if g.get("class") == "residual"]
    assert len(residuals) == 7  # 8 blocks; the two identical first blocks are drawn once ×2
    assert sorted(g.get("data-shortcut") or "" for g in residuals).count(
        "1x1 conv, s=2 + bn") == 3  # stages 2-4 open with a strided projection
    repeats = [g for g in root.iter(f"{SVG}g") if g.get("class") == "repeat"]
    assert [g.get("data-times") for g in repeats] == ["2"]
    assert len(layer_groups(root)) == len(drawn_leaves(summary)) - 6


def test_explicit_repeats_collapse_only_where_shapes_repeat() -> None:
    same = summarize_spec("[conv(8,3,padding=1)-relu]*3-flatten-fc(10)", (8, 16, 16))
    root = svg_root(same)
    assert [g.get("data-times") for g in root.iter(f"{SVG}g")
            if g.get("class") == "repeat"] == ["3"]
    shrinking = summarize_spec("[conv(8,3)-relu]*3-flatten-fc(10)", (8, 16, 16))
    root = svg_root(shrinking)  # 14, 12, 10: each repetition is a different map
    assert not [g for g in root.iter(f"{SVG}g") if g.get("class") == "repeat"]
    assert [g.get("data-shape") for g in layer_groups(root)][:6] == \
        ["8x14x14", "8x14x14", "8x12x12", "8x12x12", "8x10x10", "8x10x10"]


def test_huge_specs_are_bounded_with_a_note() -> None:
    # 2,000 convs with all-different channel counts: nothing repeats, so the cap must act.
    spec = "-".join(f"conv({c},1)" for c in range(1, 2001))
    summary = summarize_spec(spec, (1, 4, 4))
    for style in ("layered", "flat"):
        d = diagram(summary, style)
        svg = to_svg(d)
        assert len(layer_groups(ET.fromstring(svg))) == MAX_LAYERS_DRAWN
        assert len(svg) < 1_000_000
        assert d.notes and "1,700 more are left out" in d.notes[0]
        assert "1,700 more are left out" in svg
    assert "1,700 more layers not drawn" in mermaid(summary)
    # 10,000 identical layers: one group drawn once, ×10000.
    many = summarize_spec("[relu]*10000", (1, 8, 8))
    root = svg_root(many, "flat")
    assert [g.get("data-times") for g in root.iter(f"{SVG}g")
            if g.get("class") == "repeat"] == ["10000"]


def test_mermaid_flowchart() -> None:
    summary = preset_summary("lenet5")
    text = mermaid(summary)
    lines = text.splitlines()
    assert lines[0] == "flowchart TD"
    nodes = [ln for ln in lines if ":::" in ln]
    assert len(nodes) == len(drawn_leaves(summary))
    assert '"conv(6,5)<br/>6x28x28"' in text and '"fc(10)<br/>10"' in text
    edges = [ln for ln in lines if "-->" in ln]
    assert len(edges) == len(nodes)  # a chain from the input
    res = mermaid(preset_summary("resnet18"))
    assert res.count("subgraph") == res.count("\n  end") + res.count("\n    end")
    assert '-.->|"skip: 1x1 conv, s=2 + bn"|' in res
    hostile = summarize_spec('conv(8,3)-relu', (1, 8, 8))
    assert "<script" not in mermaid(hostile, title='"]<script>x</script>')


@pytest.mark.parametrize("name", ["lenet5", "alexnet", "resnet18"])
def test_golden_svg(name: str, request: pytest.FixtureRequest) -> None:
    """Reviewed pictures (render one with `cnncalc draw -p NAME -o x.png` to look at it)."""
    p = presets.get(name)
    text = to_svg(diagram(preset_summary(name), "layered", f"{p.name}: {p.description}"))
    path = GOLDEN / f"{name}.svg"
    if request.config.getoption("--update-golden"):
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


def invoke(*args: str) -> object:
    return CliRunner().invoke(app, list(args))


def test_cli_files_and_formats(tmp_path: Path) -> None:
    target = tmp_path / "net.svg"
    target.write_text("old")
    r = invoke("draw", "-p", "lenet5", "-o", str(target))
    assert r.exit_code == 0, r.output  # type: ignore[attr-defined]
    assert ET.fromstring(target.read_text()).tag == f"{SVG}svg"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["net.svg"]  # no temp file left
    r = invoke("draw", "conv(8,3)-relu-flatten-fc(10)", "--style", "flat")
    assert r.exit_code == 0 and r.stdout.startswith("<?xml")  # type: ignore[attr-defined]
    r = invoke("draw", "-p", "lenet5", "--format", "mermaid")
    assert r.stdout.startswith("flowchart TD")  # type: ignore[attr-defined]
    png = tmp_path / "net.png"
    r = invoke("draw", "-p", "lenet5", "-o", str(png))
    assert r.exit_code == 0 and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"  # type: ignore[attr-defined]


@pytest.mark.parametrize(("args", "code", "words"), [
    (["conv(8,3"], 2, "error"),
    (["conv(8,30)-relu"], 1, "smaller than"),
    (["-p", "lenet5", "-o", "x.gif"], 2, "unknown picture type"),
    (["-p", "lenet5", "-o", "no/such/dir/x.svg"], 2, "does not exist"),
    (["-p", "lenet5", "--style", "round"], 2, "round"),
    (["-p", "nope"], 2, "unknown preset"),
    (["-p", "lenet5", "-i", "0x3"], 2, "bad input shape"),
])
def test_cli_bad_input(args: list[str], code: int, words: str) -> None:
    r = invoke("draw", *args)
    assert r.exit_code == code, r.output  # type: ignore[attr-defined]
    assert words in r.output  # type: ignore[attr-defined]
    assert "Traceback" not in r.output and "internal error" not in r.output  # type: ignore[attr-defined]


def test_png_without_matplotlib_names_the_extra(monkeypatch: pytest.MonkeyPatch,
                                                tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    r = CliRunner().invoke(app, ["draw", "-p", "lenet5", "-o", str(tmp_path / "a.png")])
    assert r.exit_code == 2 and "cnncalc[plot]" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and not list(tmp_path.iterdir())


def test_draw_and_plot_never_import_torch(tmp_path: Path) -> None:
    (tmp_path / "metrics.jsonl").write_text('{"epoch": 1, "train_loss": 0.5, '
                                            '"test_acc": 0.9}\n')
    code = ("import sys\nfrom cnncalc.cli import app\n"
            f"for args in (['draw', '-p', 'resnet18', '-o', {str(tmp_path / 'a.svg')!r}],"
            f" ['draw', '-p', 'lenet5', '-f', 'mermaid'],"
            f" ['draw', '-p', 'lenet5', '-o', {str(tmp_path / 'a.png')!r}],"
            f" ['plot', {str(tmp_path)!r}], ['plot', {str(tmp_path)!r}, '--terminal']):\n"
            "    try:\n        app(args)\n    except SystemExit as e:\n"
            "        assert not e.code, e.code\n"
            "print('TORCH' if 'torch' in sys.modules else 'NO-TORCH', file=sys.stderr)\n")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=env, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stderr.strip().endswith("NO-TORCH")


BLOCKS = st.one_of(
    specs.map(lambda s: s.split("-flatten")[0]),
    st.builds(lambda body: f"res[{body}]", st.sampled_from(
        ["conv(4,3,padding=1)-bn", "relu", "conv(8,3,stride=2,padding=1)", "bn-relu"])),
    st.builds(lambda body, n: f"[{body}]*{n}", st.sampled_from(
        ["conv(4,3,padding=1)-relu", "relu", "conv(4,3)", "maxpool(2,stride=1)"]),
        st.integers(1, 5)))


@settings(max_examples=120, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
@given(st.lists(BLOCKS, min_size=1, max_size=4).map("-".join), inputs,
       st.sampled_from(["pytorch", "keras"]), st.booleans())
def test_every_computable_spec_draws(spec: str, shape: tuple[int, int, int], convention: str,
                                     collapse: bool) -> None:
    try:
        summary = summarize_spec(spec, shape, convention)
    except CnnCalcError:
        return
    expected = [(r.path, format_shape(r.output_shape, convention)) for r in summary.leaves()
                if ".s" not in r.path]
    for style in ("layered", "flat"):
        root = ET.fromstring(to_svg(diagram(summary, style, collapse=collapse)))
        got = [(g.get("data-path"), g.get("data-shape")) for g in layer_groups(root)]
        if not collapse:
            assert got == expected
        else:
            assert set(got) <= set(expected) and got
    assert mermaid(summary, collapse=collapse).startswith("flowchart TD")
