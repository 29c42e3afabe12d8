"""Files others open: names from outside never become HTML, formulas, XML errors or math text.

Module names reach the outputs through `summary --module` (torch's own names, OrderedDict
keys included) and the Python API; the code reader, which never runs code, keeps only the
layers. File names reach titles. Each case runs the CLI through the harness and reads the
output with a parser for its format (tests/hostile/formats.py).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .formats import (
    assert_csv,
    assert_markdown,
    assert_mermaid,
    assert_svg,
    assert_terminal_safe,
)
from .harness import cli

# torch refuses only "." and "" in a module name.
NAMES = ["<img src=x onerror=alert(1)>", "=HYPERLINK(\"http://evil\",\"x\")",
         "+1|`x`[a](http://evil)", "@SUM(1)$x$", "-2\x1b[2J\u202eab"]

ORDERED = """\
from collections import OrderedDict
import torch.nn as nn

net = nn.Sequential(OrderedDict([{pairs}]))


def make():
    return net
"""


def _module_file(tmp_path: Path) -> Path:
    layers = ["nn.Conv2d(1, 4, 3)", "nn.ReLU()", "nn.MaxPool2d(2)", "nn.Flatten()",
              "nn.Linear(676, 10)"]
    pairs = ", ".join(f"({name!r}, {layer})" for name, layer in zip(NAMES, layers))
    path = tmp_path / "net.py"
    path.write_text(ORDERED.format(pairs=pairs))
    return path


def test_torch_module_names_in_markdown_and_csv(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    target = f"{_module_file(tmp_path)}:make"
    md = cli("summary", "--module", target, "--input", "1x28x28", "-f", "markdown")
    assert md.code == 0, md.stderr
    assert_markdown(md.stdout, table_columns=11)
    assert "&lt;img src=x onerror=alert(1)&gt;" in md.stdout  # shown, as text
    assert_terminal_safe(md.stdout)
    out = cli("summary", "--module", target, "--input", "1x28x28", "-f", "csv")
    assert out.code == 0, out.stderr
    records = assert_csv(out.stdout)
    assert [r["spec"].split(":")[0] for r in records] == [
        "<img src=x onerror=alert(1)>", "'=HYPERLINK(\"http", "'+1|`x`[a](http",
        "'@SUM(1)$x$", "'-2\\x1b[2J\\u202eab"]
    assert_terminal_safe(out.stdout)


def test_ordered_dict_names_in_pasted_code_reach_only_json_as_data(tmp_path: Path) -> None:
    """The code reader keeps each layer's name for `check --expect` keys: JSON gives it as a
    `module` string (escaped by JSON, terminal-safe), and no other output prints it."""
    path = _module_file(tmp_path)
    for fmt in ("table", "csv", "markdown"):
        r = cli("summary", str(path), "-f", fmt)
        assert r.code == 0, r.stderr
        assert "onerror" not in r.stdout and "HYPERLINK" not in r.stdout
    r = cli("summary", str(path), "-f", "json")
    assert r.code == 0, r.stderr
    assert_terminal_safe(r.stdout)
    assert [row.get("module") for row in json.loads(r.stdout)["layers"]] == NAMES
    r = cli("draw", str(path))
    assert r.code == 0 and "onerror" not in r.stdout


HOSTILE_FILE = 'a\x01b"<x>&]\t%%y`$\\frac{$\u202e.py'  # XML-forbidden, quotes, Mermaid breakers


def _code(tmp_path: Path) -> Path:
    path = tmp_path / HOSTILE_FILE
    path.write_text("import torch.nn as nn\n"
                    "net = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.MaxPool2d(2))\n")
    return path


@pytest.mark.parametrize("style", ["layered", "flat"])
def test_svg_from_a_file_with_a_forbidden_character_is_valid_xml(tmp_path: Path,
                                                                 style: str) -> None:
    path = _code(tmp_path)
    r = cli("draw", str(path), "--style", style)
    assert r.code == 0, r.stderr
    root = assert_svg(r.stdout)
    title = root.find("{http://www.w3.org/2000/svg}title")
    assert title is not None and title.text is not None
    assert 'a\\x01b"<x>&]\t%%y`$\\frac{$\\u202e.py' in title.text  # as written, escaped
    out = tmp_path / "x.svg"
    r = cli("draw", str(path), "--style", style, "-o", str(out))
    assert r.code == 0, r.stderr
    assert_svg(out.read_text())
    assert_terminal_safe(r.stderr)  # "wrote ..." names the file, escaped


def test_mermaid_labels_cannot_break_out(tmp_path: Path) -> None:
    r = cli("draw", str(_code(tmp_path)), "--format", "mermaid")
    assert r.code == 0, r.stderr
    assert_mermaid(r.stdout)
    assert_terminal_safe(r.stdout)


def test_math_text_in_file_and_run_names_is_drawn_as_written(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    png = tmp_path / "d$\\frac{$.png"
    r = cli("draw", str(_code(tmp_path)), "-o", str(png))
    assert r.code == 0, r.stderr  # was ValueError from matplotlib's math text
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    rows = [{"epoch": 1, "train_loss": 0.5, "train_acc": 0.8, "test_loss": 0.4,
             "test_acc": 0.9}, {"epoch": 2, "train_loss": 0.4, "train_acc": 0.85,
                                "test_loss": 0.3, "test_acc": 0.92}]
    runs = []
    for name in ("r$\\frac{$", "r2$x^$"):  # two runs: their names go in the legend
        run = tmp_path / name
        run.mkdir()
        (run / "metrics.jsonl").write_text("".join(json.dumps(x) + "\n" for x in rows))
        runs.append(str(run))
    curves = tmp_path / "c.png"
    r = cli("plot", *runs, "-o", str(curves))
    assert r.code == 0, r.stderr
    assert curves.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
