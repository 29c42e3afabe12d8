"""The escaping rules one by one, with hand-written expectations (in-process, fast)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from rich.table import Table
from rich.text import Text

from cnncalc.render.safe import (
    csv_cell,
    for_data,
    for_stream,
    md_code,
    md_text,
    mermaid_text,
    visible,
    xml_attr,
    xml_text,
)
from cnncalc.render.screen import SafeConsole, safe_text

from .formats import assert_markdown, assert_terminal_safe


def test_visible_escapes_controls_bidi_and_surrogates() -> None:
    assert visible("a\x1b[2Jb") == "a\\x1b[2Jb"
    assert visible("\x00\x7f\x9b\r") == "\\x00\\x7f\\x9b\\r"
    assert visible("\u202eevil\u2066") == "\\u202eevil\\u2066"
    assert visible("\udcff") == "\\udcff"  # an undecodable byte of a file name
    assert visible("a\tb\nc") == "a\tb\nc"
    assert visible("a\tb\nc", breaks=True) == "a\\tb\\nc"
    assert visible("plain → ·") == "plain → ·"


@pytest.mark.parametrize(("value", "expected"), [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
    ("+1+1", "'+1+1"), ("@SUM(A1)", "'@SUM(A1)"), ("-2+3", "'-2+3"),
    ("\tx", "\\tx"),  # a tab is escaped, so the cell no longer starts with one
    ("\r=1", "\\r=1"),
    ("-", "-"), ("-0.5", "-0.5"), ("+3", "+3"), ("1e-3", "1e-3"),  # placeholders, numbers
    ("conv(4,3)", "conv(4,3)"), (12, 12),
])
def test_csv_cells_never_start_a_formula(value: object, expected: object) -> None:
    assert csv_cell(value) == expected


def test_markdown_text_renders_as_written() -> None:
    from markdown_it import MarkdownIt

    hostile = "<img src=x onerror=alert(1)> [a](http://e) `c` |p| $x$ \\* &amp; ~~s~~"
    html = MarkdownIt("commonmark").render(md_text(hostile))
    # The one paragraph holds the text itself, HTML-escaped by the renderer: no tag, link,
    # code span or entity was made from it.
    assert html == "<p>" + hostile.replace("&", "&amp;").replace("<", "&lt;").replace(
        ">", "&gt;") + "</p>\n"
    assert md_code("conv(8,3)-[relu]*2") == "`conv(8,3)-[relu]*2`"  # plain specs: code
    assert md_code("a`b") == md_text("a`b")
    assert_markdown("| x |\n|---|\n| " + md_code("a|b<c") + " |\n", table_columns=1)


def test_xml_and_mermaid_escapes() -> None:
    assert xml_text("a<b>&\x01") == "a&lt;b&gt;&amp;\\x01"
    assert xml_attr('x"\n\t') == '"x&quot;&#10;&#9;"'
    assert mermaid_text('a"]\n%%b`<i>#|;') == "a#quot;]\\n#37;#37;b#96;#60;i#62;#35;#124;#59;"


def test_stream_fallbacks() -> None:
    assert for_stream("3136 → 10, 2·1, ✓ ⚠", "cp1252") == "3136 -> 10, 2·1, ok !"
    assert for_stream("2·1 … ≥", "ascii") == "2*1 ... >="
    assert for_stream("漢", "cp1252") == "\\u6f22"
    assert for_stream("a\x1bb", "utf-8") == "a\\x1bb"
    # Machine output: every escape reads back as the same text inside a JSON string.
    text = json.dumps({"s": "→ 😀 \x1b \x9b \u202e \udcff"}, ensure_ascii=False)
    for encoding in ("utf-8", "cp1252", "ascii"):
        out = for_data(text, encoding)
        out.encode(encoding)
        assert_terminal_safe(out)
        assert json.loads(out) == json.loads(text)


def test_safe_console_reads_no_markup_and_keeps_tables_aligned() -> None:
    buf = io.StringIO()
    console = SafeConsole(file=buf, width=60, color_system=None)
    console.print("[bold]x[/] [/x] [link=https://evil.example]y :smile:")
    assert buf.getvalue() == "[bold]x[/] [/x] [link=https://evil.example]y :smile:\n"
    buf.seek(0)
    buf.truncate()
    table = Table(title="t\x1b]0;x\x07")
    table.add_column("a")
    table.add_row(Text("ab\x1b[2Jc"))
    table.add_row("d")
    console.print(table)
    lines = buf.getvalue().splitlines()
    assert_terminal_safe(buf.getvalue())
    assert lines[0].strip() == "t\\x1b]0;x\\x07"
    # Every row of the box has the same width: the table measured what it shows.
    assert len({len(line) for line in lines[1:]}) == 1
    assert "ab\\x1b[2Jc" in buf.getvalue()


def test_safe_text_keeps_each_style_on_its_characters() -> None:
    console = SafeConsole(file=io.StringIO(), width=40)
    text = Text("a\x1bb")
    text.stylize("bold", 2, 3)  # "b"
    fixed = safe_text(text, console)
    assert fixed.plain == "a\\x1bb"
    (span,) = fixed.spans
    assert fixed.plain[span.start:span.end] == "b" and span.style == "bold"


def test_matplotlib_draws_math_text_and_controls_as_written(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    np = pytest.importorskip("numpy")
    from cnncalc.train.metrics import read
    from cnncalc.train.plotting import curves_png, view_png
    from cnncalc.train.visualize import Stage, View

    label = "conv$\\frac{$\x1b-relu$x^$"  # an unbalanced \frac: a ValueError as math text
    view = View(np.zeros((28, 28), np.uint8), np.ones((4, 3, 3), np.float32), label,
                (Stage(label, "4x26x26", np.ones((4, 26, 26), np.float32), 4),), 0, 3,
                0.5, 3)
    assert view_png(view)[:8] == b"\x89PNG\r\n\x1a\n"
    runs = []
    for name in ("$\\frac{$\x1b", "b"):  # two runs: the legend names them
        (tmp_path / name).mkdir()
        (tmp_path / name / "metrics.jsonl").write_text(
            '{"epoch": 1, "train_loss": 0.5, "test_acc": 0.9}\n')
        runs.append(read(tmp_path / name))
    assert curves_png(runs)[:8] == b"\x89PNG\r\n\x1a\n"
