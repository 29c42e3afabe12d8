"""The input suggestions, notebook output, help, completion and packaging papercuts."""

from __future__ import annotations

import ast
import io
import os
import re
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
import tomllib
from rich.console import Console
from typer.testing import CliRunner

import cnncalc
from cnncalc.calc.fit import fitting_input
from cnncalc.cli.app import app
from cnncalc.dialects.resolve import resolve
from cnncalc.errors import LayerError
from cnncalc.ir.graph import lower
from cnncalc.ops.shape import channels_last_note
from cnncalc.spec import parse

REPO = Path(__file__).resolve().parent.parent

# The PyTorch tutorial's CIFAR-10 net: Conv2d(3, 6, 5), pool 2, Conv2d(6, 16, 5), pool 2,
# then Linear(16 * 5 * 5, 120).
CIFAR_NET = """
import torch
import torch.nn as nn
import torch.nn.functional as F

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 6, 5)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)
"""


def _stderr(result: object) -> str:
    return str(getattr(result, "stderr", "") or getattr(result, "output", ""))


# -- section 3: which input makes every declared size fit --------------------------------------
#
# Hand derivation for the CIFAR net on an n x n input: conv 5 gives n - 4, the pool
# floor((n - 4) / 2) = m, conv 5 gives m - 4, the pool floor((m - 4) / 2) = k, and
# Linear(400) needs 16·k·k = 400, so k = 5: m - 4 is 10 or 11, m is 14 or 15, n - 4 is 28
# to 31, n is 32 to 35. Only n = 32 has both pools read every pixel (28 and 10 are even).
# Conv2d(3, ...) reads 3 channels. From 28 the nearest is 32; from 40 the nearest is 35
# (which drops a row), and 32, at distance 8 (within twice 5), reads every pixel.

@pytest.mark.parametrize(("given", "want"), [
    ("3x28x28", "3x32x32"), ("1x28x28", "3x32x32"), ("3x40x40", "3x32x32"),
    ("3x64x48", "3x32x32")])
def test_a_declared_size_that_does_not_fit_names_an_input_that_does(given: str,
                                                                    want: str) -> None:
    r = resolve(CIFAR_NET, None, given)
    with pytest.raises(LayerError) as info:
        cnncalc.calc.summary.summarize(r.nodes, r.shape, r.convention)
    assert f"an input of {want} makes every declared size fit (--input {want})" in \
        str(info.value)


def test_the_suggested_input_runs_every_layer() -> None:
    r = resolve(CIFAR_NET, None, "3x32x32")
    s = cnncalc.calc.summary.summarize(r.nodes, r.shape, r.convention)
    assert s.output_shape == (10,)
    assert s.total_params == 62_006  # the tutorial's figure for this net


def test_no_suggestion_where_no_input_fits() -> None:
    # Three 3x3 convs then a 2x2 pool give 128·k·k features: 3136 = 128 · 24.5 is never one.
    r = resolve("conv(32,3)-conv(64,3)-conv(128,3)-maxpool(2)-relu-flatten-Linear(3136, 10)",
                None, "1x14x14")
    with pytest.raises(LayerError) as info:
        cnncalc.calc.summary.summarize(r.nodes, r.shape, r.convention)
    assert "makes every declared size fit" not in str(info.value)


def test_the_search_is_bounded_in_time() -> None:
    # 400 convs that keep the size, then a Linear no input can feed: every candidate runs
    # the whole model, and the search still stops within its budget.
    graph = lower(parse("[conv(8,3,padding=1)-relu]*200-flatten-Linear(7, 10)"))

    def run(shape: tuple[int, ...]) -> tuple[str, ...]:
        cnncalc.calc.summary.summarize(graph, shape, suggest=False)
        return ()

    start = time.monotonic()
    assert fitting_input(graph, (8, 28, 28), run, budget_s=0.3) is None
    assert time.monotonic() - start < 2.0


def test_the_cli_names_the_fitting_input(runner: CliRunner) -> None:
    result = runner.invoke(app, ["summary", CIFAR_NET])
    assert result.exit_code == 1
    assert "--input 3x32x32" in _stderr(result)


@pytest.mark.parametrize(("text", "looks_last"), [
    ("32x32x3", True), ("28x28x1", True), ("(224, 224, 3)", True), ("3x32x32", False),
    ("1x28x28", False), ("chw:32x32x3", False), ("hwc:32x32x3", False), ("28x28", False),
    ("4x28x3", False), ("flat:784", False)])
def test_channels_last_note(text: str, looks_last: bool) -> None:
    said = channels_last_note(text, "pytorch")
    assert (said is not None) is looks_last
    if said is not None:
        for needle in ("hwc:", "chw:", "--convention keras"):
            assert needle in said
    assert channels_last_note(text, "keras") is None


def test_channels_last_input_is_noted_on_success_and_in_the_error(runner: CliRunner) -> None:
    ok = runner.invoke(app, ["summary", "conv(8,3)", "-i", "32x32x3"])
    assert ok.exit_code == 0
    assert "note: input 32x32x3 reads as 32 channels of 32x3" in _stderr(ok)
    plain = runner.invoke(app, ["summary", "conv(8,3)", "-i", "chw:32x32x3"])
    assert plain.exit_code == 0 and "note:" not in _stderr(plain)
    bad = runner.invoke(app, ["summary", CIFAR_NET, "-i", "32x32x3"])
    lines = [x for x in _stderr(bad).splitlines() if x.startswith("error:")]
    assert bad.exit_code == 1 and len(lines) == 1
    assert "hwc:32x32x3" in lines[0] and "--convention keras" in lines[0]


LINEAR_FIRST = """
import torch.nn as nn
model = nn.Sequential(nn.Linear(10, 16), nn.ReLU(), nn.Linear(16, 2))
"""


def test_a_bare_number_before_a_dense_layer_names_flat(runner: CliRunner) -> None:
    """`-i 10` is a 1x10x10 image (docs: a single number N means 1xNxN). Before a spec's fc it
    is an error, and before nn.Linear (which torch applies to the last axis: 1x10x10 ->
    1x10x16 -> 1x10x2, 10·16 + 16 + 16·2 + 2 = 210 parameters) a figure for another input
    than meant: both say how to write a flat vector."""
    bad = runner.invoke(app, ["summary", "fc(16)-relu-fc(10)", "-i", "10"])
    lines = [x for x in _stderr(bad).splitlines() if x.startswith("error:")]
    assert bad.exit_code == 1 and len(lines) == 1
    assert "input 10 reads as a 1x10x10 image; for a flat vector of 10 write --input flat:10" \
        in lines[0]
    ok = runner.invoke(app, ["summary", LINEAR_FIRST, "-i", "10", "-f", "json"])
    assert ok.exit_code == 0
    assert '"output_shape": [\n    1,\n    10,\n    2\n  ]' in ok.stdout
    assert "note: input 10 reads as a 1x10x10 image" in _stderr(ok)
    flat = runner.invoke(app, ["summary", LINEAR_FIRST, "-i", "flat:10", "-f", "json"])
    assert flat.exit_code == 0 and "note:" not in _stderr(flat)
    conv = runner.invoke(app, ["summary", "conv(8,3)", "-i", "10"])
    assert conv.exit_code == 0 and "note:" not in _stderr(conv)
    env = {k: v for k, v in os.environ.items() if k != "CNNCALC_NO_FAST_PATH"}
    fast = subprocess.run([sys.executable, "-m", "cnncalc", "fc(16,over=last)", "-i", "10"],
                          env=env, capture_output=True, text=True, timeout=60)
    assert fast.returncode == 0 and "note: input 10 reads as a 1x10x10 image" in fast.stderr


def test_the_fast_path_leaves_a_channels_last_input_to_the_full_path() -> None:
    # `cnncalc SPEC -i ...` is served before Typer loads; the note must come all the same.
    env = {k: v for k, v in os.environ.items() if k != "CNNCALC_NO_FAST_PATH"}
    out = subprocess.run([sys.executable, "-m", "cnncalc", "conv(8,3)", "-i", "32x32x3",
                          "-f", "json"], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0
    assert out.stderr.startswith("note: input 32x32x3 reads as 32 channels")


# -- section 4: notebook output -----------------------------------------------------------------

class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parsed(html: str) -> _Tags:
    p = _Tags()
    p.feed(html)
    p.close()
    return p


def test_explain_html_is_real_html() -> None:
    e = cnncalc.explain("conv(8,3)-relu-flatten-fc(10)")
    p = _parsed(e._repr_html_())
    text = "".join(p.text)
    assert "pre" not in p.tags
    assert p.tags.count("h4") == 4  # one heading a layer
    assert "##" not in text and "|" not in text and "**" not in text
    assert "(28 - 3)/1 + 1 = 26" in text  # the worked line, as text


def test_explain_html_escapes_the_spec() -> None:
    e = cnncalc.explain("conv(8,3)-relu")
    html = e._repr_html_()
    assert "<script" not in html
    # Every text is escaped: no tag comes from the spec or the working.
    assert set(_parsed(html).tags) <= {"div", "h3", "h4", "p", "code", "ul", "li", "b", "br",
                                       "i"}


def test_input_solutions_repr_and_html() -> None:
    # conv 3, pool 2, conv 3, pool 2 to 5x5: m - 2 in {10, 11}, m in {12, 13},
    # n - 2 in {24..27}, n in {26..29}; every pixel is read only for n = 26 (24 and 10 even).
    s = cnncalc.solve("conv(8,3)-maxpool(2)-conv(16,3)-maxpool(2)", output="5x5")
    assert "H and W 26–29 (exact 26)" in repr(s)
    p = _parsed(s._repr_html_())
    assert "table" in p.tags and "pre" not in p.tags
    assert "26–29" in p.text and "26" in p.text
    out = Console(width=80, record=True, file=io.StringIO())
    out.print(s)
    assert "26–29" in out.export_text()


def test_layer_solutions_html_is_a_table() -> None:
    s = cnncalc.solve(input=28, output=14, kernel=3)
    p = _parsed(s._repr_html_())
    assert "table" in p.tags and "pre" not in p.tags and "|" not in "".join(p.text)


def test_rich_output_in_python_does_not_name_a_cli_flag() -> None:
    s = cnncalc.summary("conv(32,3,padding=1)-relu-maxpool(2)-flatten-fc(10)")
    out = Console(width=60, record=True, file=io.StringIO())
    out.print(s)
    text = out.export_text()
    assert "not shown:" in text and "--wide" not in text


# -- section 4: --format, help, completion ---------------------------------------------------

def _commands() -> dict[str, object]:
    import typer.main

    group = typer.main.get_command(app)
    out: dict[str, object] = {}
    for name, cmd in group.commands.items():  # type: ignore[attr-defined]
        out[name] = cmd
        for sub, inner in getattr(cmd, "commands", {}).items():
            out[f"{name} {sub}"] = inner
    return out


def test_every_format_option_says_what_it_lists(runner: CliRunner) -> None:
    for name, cmd in _commands().items():
        for param in cmd.params:  # type: ignore[attr-defined]
            if param.name != "format" or not hasattr(param.type, "choices"):
                continue
            choices = [str(getattr(c, "value", c)) for c in param.type.choices]
            for c in choices:
                assert c in (param.help or ""), (name, c, param.help)
            for other in {"table", "json", "markdown", "csv"} - set(choices):
                assert other not in (param.help or ""), (name, other, param.help)


@pytest.mark.parametrize(("args", "fmt"), [
    (["summary", "conv(8,3)"], "markdown"), (["summary", "conv(8,3)"], "csv"),
    (["explain", "conv(8,3)"], "markdown"), (["explain", "conv(8,3)"], "json"),
    (["solve", "conv(8,3)", "-o", "26"], "json"), (["presets"], "json"),
    (["check", "conv(8,3)", "-e", "1: 8x26x26"], "json")])
def test_each_listed_format_is_done(runner: CliRunner, args: list[str], fmt: str) -> None:
    table = runner.invoke(app, args)
    result = runner.invoke(app, [*args, "-f", fmt])
    assert table.exit_code == 0 and result.exit_code == 0, result.output
    assert result.stdout != table.stdout  # not the table again
    if fmt == "json":
        import json

        json.loads(result.stdout)


@pytest.mark.parametrize("args", [["check", "conv(8,3)", "-e", "1: 8x26x26"],
                                  ["solve", "conv(8,3)", "-o", "26"], ["presets"],
                                  ["explain", "conv(8,3)"]])
def test_an_unlisted_format_is_a_usage_error(runner: CliRunner, args: list[str]) -> None:
    fmt = "csv" if args[0] == "explain" else "markdown"
    assert runner.invoke(app, [*args, "-f", fmt]).exit_code == 2


def _constants(module: str) -> dict[str, object]:
    """The literal constants of a cnncalc.train module and its TrainOptions defaults, read
    with ast: importing the module would import torch."""
    tree = ast.parse((REPO / "cnncalc/train" / f"{module}.py").read_text())
    out: dict[str, object] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and \
                isinstance(node.targets[0], ast.Name):
            try:
                out[node.targets[0].id] = ast.literal_eval(node.value)
            except ValueError:
                pass  # not a literal: not one of the constants compared here
        if isinstance(node, ast.ClassDef) and node.name == "TrainOptions":
            out["TrainOptions"] = {
                a.target.id: ast.literal_eval(a.value) for a in node.body
                if isinstance(a, ast.AnnAssign) and isinstance(a.target, ast.Name)
                and a.value is not None}
    return out


def test_train_help_shows_its_defaults(runner: CliRunner) -> None:
    from cnncalc.cli.train_cmds import SPEC_DEFAULTS

    defaults = _constants("options")["TrainOptions"]
    assert isinstance(defaults, dict)
    assert {k: defaults[k] for k in SPEC_DEFAULTS} == SPEC_DEFAULTS
    text = " ".join(runner.invoke(app, ["train", "--help"], env={"COLUMNS": "80"})
                    .output.split())
    for flag in ("--epochs", "--lr", "--optimizer", "--schedule", "--batch-size"):
        name = flag[2:].replace("-", "_")
        assert re.search(rf"{flag} .*?\[default: {re.escape(str(SPEC_DEFAULTS[name]))}",
                         text), flag
    assert "label smoothing 0.1" in text  # the default preset's recipe
    assert "train loss sits above" in text


def test_completion_choices_are_the_real_ones() -> None:
    from cnncalc.cli import train_cmds

    assert train_cmds.INITS == _constants("prep")["INITS"]
    assert train_cmds.DEVICES == _constants("device")["DEVICES"]
    assert train_cmds.PRECISIONS == _constants("device")["PRECISIONS"]
    assert train_cmds.SCHEDULES == _constants("schedule")["SCHEDULES"]
    names = _constants("optim")["NAMES"]
    assert isinstance(names, tuple)
    assert set(train_cmds.OPTIMIZERS) == set(names) | {"momentum"}
    assert "momentum" in (REPO / "cnncalc/train/options.py").read_text()  # the alias


def _complete(words: str) -> list[str]:
    env = {**os.environ, "_CNNCALC_COMPLETE": "complete_bash", "COMP_WORDS": words,
           "COMP_CWORD": str(len(words.split()) - (0 if words.endswith(" ") else 1))}
    out = subprocess.run([sys.executable, "-m", "cnncalc"], env=env, capture_output=True,
                         text=True, timeout=60)
    return out.stdout.split()


def test_completion_offers_presets_and_choices() -> None:
    from cnncalc.presets import PRESETS

    assert _complete("cnncalc summary --preset res") == \
        [n for n in PRESETS if n.startswith("res")]
    assert _complete("cnncalc train --optimizer ad") == ["adam", "adamw", "adadelta"]


def test_top_level_help_keeps_whole_descriptions(runner: CliRunner) -> None:
    import inspect

    result = runner.invoke(app, ["--help"], env={"COLUMNS": "80"})
    listing = result.output.split("Commands:", 1)[1]
    assert "..." not in listing and "…" not in listing
    text = " ".join(listing.split())
    for name, cmd in _commands().items():
        if " " in name:
            continue
        first = (cmd.help or inspect.getdoc(cmd.callback) or "").split("\n\n")[0]  # type: ignore[attr-defined]
        assert " ".join(first.split()) in text, name
    assert max(len(line) for line in listing.splitlines()) <= 80


def test_help_points_to_docs_the_wheel_can_show(runner: CliRunner) -> None:
    """No help text names a docs/ file, which a wheel has no folder for: each points to
    `cnncalc docs PAGE`, which reads the pages the wheel installs."""
    for name in _commands():
        text = " ".join(runner.invoke(app, [*name.split(), "--help"], env={"COLUMNS": "200"})
                        .output.split())
        assert not re.search(r"docs/\S+\.md", text), (name, text)


_DOCS_REF = re.compile(r"""cnncalc docs (\w+)(?: (\w+)| \\?"([^"\\]+)\\?")?""")


def test_every_pointer_to_the_docs_names_a_page_and_section_that_exist(
        runner: CliRunner) -> None:
    """Every `cnncalc docs PAGE [SECTION]` written in cnncalc's messages and help, read from
    the source, names a page of docs/ and a heading of that page."""
    refs = {(m.group(1), m.group(2) or m.group(3))
            for path in (REPO / "cnncalc").rglob("*.py")
            for m in _DOCS_REF.finditer(path.read_text(encoding="utf-8"))
            if m.group(1) not in ("PAGE",)}
    assert len(refs) >= 5, refs  # the hints in the readers, check and the torchinfo note
    for page, section in refs:
        md = (REPO / "docs" / f"{page}.md").read_text(encoding="utf-8")
        if section:
            heads = [line for line in md.splitlines() if line.startswith("#")]
            assert any(section.lower() in h.lower() for h in heads), (page, section)
        args = ["docs", page] + ([section] if section else [])
        result = runner.invoke(app, args)
        assert result.exit_code == 0 and result.output.strip(), (args, result.output)


def test_docs_lists_and_shows_the_pages(runner: CliRunner) -> None:
    listing = runner.invoke(app, ["docs"])
    assert listing.exit_code == 0
    for page in sorted((REPO / "docs").glob("*.md")):
        title = next(line for line in page.read_text(encoding="utf-8").splitlines()
                     if line.startswith("# "))[2:]
        assert re.search(rf"^{page.stem} +{re.escape(title)}$", listing.output, re.M), page
    # Not a terminal: the page as written, whole.
    whole = runner.invoke(app, ["docs", "conventions"])
    assert whole.output == (REPO / "docs" / "conventions.md").read_text(encoding="utf-8")
    # A section runs to the next heading of its level; a '#' line inside a code block (the
    # answers format's comments) is not a heading.
    answers = runner.invoke(app, ["docs", "spec", "Checking ANSWERS"]).output
    assert answers.startswith("## Checking answers\n") and "# LAYER: shape" in answers
    assert "### A model.summary() or torchinfo table" in answers
    assert "## Lecture tables" not in answers


@pytest.mark.parametrize(("args", "needles"), [
    (["docs", "spek"], ("no page 'spek'", "did you mean 'spec'?", "pages: api,")),
    (["docs", "spec", "no such heading"], ("spec has no section 'no such heading'",
                                           "its sections: The spec language")),
    (["docs", "spec", "lecture tabels"], ("did you mean 'Lecture tables'?",)),
])
def test_docs_wrong_page_or_section_is_a_usage_error(runner: CliRunner, args: list[str],
                                                       needles: tuple[str, ...]) -> None:
    result = runner.invoke(app, args)
    err = _stderr(result)
    assert result.exit_code == 2 and len(err.strip().splitlines()) == 1, err
    for needle in needles:
        assert needle in err, (needle, err)


def test_docs_completes_page_names() -> None:
    from cnncalc.cli.docs_cmds import complete_page

    assert complete_page("") == sorted(p.stem for p in (REPO / "docs").glob("*.md"))
    assert complete_page("sp") == ["spec"]


def test_docs_on_a_terminal_is_rendered(monkeypatch: pytest.MonkeyPatch) -> None:
    from cnncalc.cli import docs_cmds

    buf = io.StringIO()
    term = Console(file=buf, force_terminal=True, width=100, color_system=None)
    monkeypatch.setattr(docs_cmds, "console", lambda: term)
    result = CliRunner().invoke(app, ["docs", "spec", "lecture tables"])
    assert result.exit_code == 0
    shown = buf.getvalue()
    assert "Lecture tables" in shown and "## Lecture tables" not in shown  # rendered heading


# -- section 4: files, diagrams, packaging ---------------------------------------------------

def test_a_missing_module_file_is_missing(runner: CliRunner, tmp_path: Path) -> None:
    gone = runner.invoke(app, ["summary", "--module", f"{tmp_path}/nothere.py:Net",
                               "-i", "1x28x28"])
    assert gone.exit_code == 2 and "does not exist" in _stderr(gone)
    folder = runner.invoke(app, ["summary", "--module", f"{tmp_path}:Net", "-i", "1x28x28"])
    assert folder.exit_code == 2 and "is not a Python file" in _stderr(folder)


def _two_line_drawing() -> object:
    from cnncalc.render.draw import diagram

    s = cnncalc.summary("conv(8,3)-relu-maxpool(2)-flatten-fc(10)")
    return diagram(s, "layered", "Net (PyTorch code, net.py)\ninput 1x28x28, given")


def test_svg_title_keeps_its_newline() -> None:
    from cnncalc.render.draw_svg import to_svg

    svg = to_svg(_two_line_drawing())  # type: ignore[arg-type]
    root = ET.fromstring(svg.encode())
    ns = "{http://www.w3.org/2000/svg}"
    head = next(g for g in root.iter(f"{ns}g") if g.get("class") == "title")
    texts = [(t.text, float(t.get("y", 0))) for t in head.iter(f"{ns}text")]
    assert [t for t, _ in texts[:2]] == ["Net (PyTorch code, net.py)", "input 1x28x28, given"]
    ys = [y for _, y in texts]
    assert ys == sorted(ys) and len(set(ys)) == len(ys)  # one line under the other


def test_png_title_over_two_lines_is_not_clipped() -> None:
    pytest.importorskip("matplotlib")
    from PIL import Image

    from cnncalc.render.draw_png import to_png

    img = Image.open(io.BytesIO(to_png(_two_line_drawing()))).convert("L")  # type: ignore[arg-type]
    darkest = img.crop((0, 0, img.width, 4)).getextrema()[0]
    # Nothing drawn against the top edge: the title's first line is inside the picture.
    assert isinstance(darkest, int) and darkest > 200


def test_data_info_without_numpy_names_the_extra(tmp_path: Path) -> None:
    code = ("import sys; sys.modules['numpy'] = None\n"
            "from cnncalc.cli import main; sys.argv = ['cnncalc', 'data', 'info']; main()")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60, cwd=tmp_path)
    lines = out.stderr.strip().splitlines()
    assert out.returncode == 2 and len(lines) == 1, out.stderr
    assert "numpy" in lines[0] and "cnncalc[train]" in lines[0]


def test_classifiers_name_the_python_versions_and_status() -> None:
    meta = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    classifiers = meta["classifiers"]
    assert any(c.startswith("Development Status :: ") for c in classifiers)
    versions = [c.rsplit(" ", 1)[1] for c in classifiers
                if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)]
    oldest = meta["requires-python"].removeprefix(">=")
    assert versions and versions[0] == oldest
    assert f"{sys.version_info.major}.{sys.version_info.minor}" in versions
