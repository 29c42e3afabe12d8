"""Property: text from a hostile alphabet goes through every writer and stays text.

Spec strings (through a quoted value the spec reader keeps), module names (as
`summary --module` and the API put them in a row: "name: spec"), file names (as titles) and
error messages are drawn from quotes, backslashes, newlines, ESC, NUL, `[`, `$`, `=`, `<`,
the bidi override U+202E and friends. Every writer's output is read back with a parser for
its format (tests/hostile/formats.py): SVG with xml.etree, HTML with html.parser, CSV with
the csv module, Markdown with markdown-it's CommonMark; JSON must read back to the same
text; the terminal table, the explain text and the error lines must hold no control
character but newline (colour is off, so rich itself writes none).
"""

from __future__ import annotations

import io
import json
import os
import unicodedata
import xml.etree.ElementTree as ET
from contextlib import redirect_stderr
from dataclasses import replace

import pytest
import typer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.console import Console

from cnncalc.calc import summarize_spec
from cnncalc.calc.explain import explain
from cnncalc.calc.summary import LayerInfo, Summary, summarize
from cnncalc.cli.common import fail
from cnncalc.dialects.resolve import resolve
from cnncalc.errors import CnnCalcError, SpecSyntaxError, UsageError
from cnncalc.render.draw import diagram, mermaid
from cnncalc.render.draw_svg import to_svg
from cnncalc.render.explain import explain_markdown, explain_rich
from cnncalc.render.html import summary_html
from cnncalc.render.records import to_csv, to_json, to_markdown
from cnncalc.render.safe import for_data, visible
from cnncalc.render.screen import SafeConsole
from cnncalc.render.table import summary_table

from .formats import (
    assert_csv,
    assert_html,
    assert_markdown,
    assert_mermaid,
    assert_svg,
    assert_terminal_safe,
)

# Each case of the first two tests runs some twenty writers and parsers (about 0.1 s).
CASES = int(os.environ.get("CNNCALC_FUZZ_CASES", "1500"))
WRITER_CASES = max(10, CASES // 50)

ALPHABET = ["'", '"', "\\", "\n", "\r", "\t", "\x1b", "\x00", "\x01", "\x07", "\x7f", "\x9b",
            "\x85", "[", "]", "/", "$", "=", "+", "-", "@", "<", ">", "&", "|", "`", "*", "_",
            "#", "%", ";", ":", "(", ")", "{", "}", "!", "\u202e", "\u2066", "\u200f",
            "\u2028", "\udcff", "\ufffe", "→", "·", "😀", "a", "Z", "0", " ", "x"]
hostile = st.text(alphabet=st.sampled_from(ALPHABET), max_size=24)

BASE = summarize_spec("conv(4,3)-relu-res[conv(4,3,padding=1)-bn]-[relu]*2-flatten-fc(10)",
                      (1, 12, 12))


def named(row: LayerInfo, name: str) -> LayerInfo:
    """A row as `summary --module` writes it: the module's name before the layer, and the
    name in a note (torch's module names are whatever the model's author chose)."""
    return replace(row, spec=f"{name}: {row.spec}", label=f"{name}: {row.label}",
                   notes=(*row.notes, f"{name} is measured"),
                   children=tuple(named(c, name) for c in row.children),
                   shortcut=tuple(named(c, name) for c in row.shortcut))


def terminal(renderable: object, width: int, safe: bool = True,
             encoding: str = "utf-8") -> str:
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding=encoding, newline="")
    kind = SafeConsole if safe else Console
    kind(file=stream, width=width, color_system=None, force_terminal=False).print(renderable)
    stream.flush()
    return raw.getvalue().decode(encoding)  # cp1252: every byte written is cp1252


def error_lines(error: CnnCalcError) -> list[str]:
    buf = io.StringIO()
    with redirect_stderr(buf), pytest.raises(typer.Exit):
        fail(error)
    text = buf.getvalue()
    assert_terminal_safe(text)
    return text.splitlines()


def check_writers(s: Summary, title: str) -> None:
    record = json.loads(to_json(s))
    assert record["spec"] == s.spec
    for encoding in ("utf-8", "cp1252"):  # what `write` prints: the same JSON, safe
        printed = for_data(to_json(s), encoding)
        printed.encode(encoding)
        assert_terminal_safe(printed)
        assert json.loads(printed) == record
    records = assert_csv(to_csv(s))
    assert len(records) == len(s.leaves()) + sum(1 for r in _all(s.layers) if r.is_block)
    assert_terminal_safe(to_csv(s))
    assert_markdown(to_markdown(s), table_columns=11)
    text = assert_html(summary_html(s, title))
    if title:
        assert visible(title) in text  # the caption reads back as the title, escaped
    for style in ("layered", "flat"):
        root = assert_svg(to_svg(diagram(s, style, title)))
        if title:
            shown = root.find("{http://www.w3.org/2000/svg}title")
            assert shown is not None and shown.text == visible(title)
    assert_mermaid(mermaid(s, title))
    for width in (80, 200):
        assert_terminal_safe(terminal(summary_table(s, title or None), width))
    assert_terminal_safe(terminal(s, 120, safe=False))  # rich.print(summary), any console
    terminal(summary_table(s, title or None), 120, encoding="cp1252")
    items = explain(s)
    assert_terminal_safe(terminal(explain_rich(items, s), 100, safe=False))
    assert_markdown(explain_markdown(items, s))


def _all(rows: tuple[LayerInfo, ...]) -> list[LayerInfo]:
    out: list[LayerInfo] = []
    for r in rows:
        out.append(r)
        out += _all(r.children) + _all(r.shortcut)
    return out


@settings(max_examples=WRITER_CASES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(name=hostile, title=hostile, spec=hostile)
def test_module_names_titles_and_spec_text_stay_text(name: str, title: str, spec: str) -> None:
    s = replace(BASE, spec=spec, layers=tuple(named(r, name) for r in BASE.layers))
    check_writers(s, title)


@settings(max_examples=WRITER_CASES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(value=hostile.filter(lambda v: "'" not in v))
def test_spec_strings_through_the_reader(value: str) -> None:
    """A quoted value in a spec: either the spec reads (and its text goes through every
    writer) or its error is one safe line, with the spec and a caret under the token."""
    spec = f"Conv2d(1,4,3,device='{value}')-ReLU()-MaxPool2d(2)-Flatten()-Linear(676,10)"
    try:
        r = resolve(spec, None, "1x28x28")
        s = summarize(r.nodes, r.shape, r.convention, 1, r.spec)
    except CnnCalcError as e:
        lines = error_lines(e)
        assert lines[0].startswith("error: ")
        if isinstance(e, SpecSyntaxError):
            assert len(lines) == 3, lines  # the error, the spec and its caret
            assert set(lines[2].strip()) == {"^"}
        else:
            assert len(lines) == 1, lines
        return
    check_writers(s, "")


@settings(max_examples=CASES // 5, deadline=None, derandomize=True)
@given(text=hostile, pos=st.integers(0, 30), length=st.integers(1, 5))
def test_error_lines_are_one_safe_line_with_the_caret_under_the_token(
        text: str, pos: int, length: int) -> None:
    (line,) = error_lines(UsageError(f"bad value '{text}'", f"not {text}"))
    assert line.startswith("error: bad value ")
    spec = f"conv({text})"
    pos = min(pos, len(spec))
    _error, shown, caret = error_lines(SpecSyntaxError("bad token", spec, pos, length))
    # The caret starts under the first character of the bad token as the spec is shown:
    # after the indent, one column per character before it, two for a wide one.
    before = visible(spec[:pos], breaks=True)
    columns = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in before)
    assert caret.index("^") == 2 + columns
    assert shown == "  " + visible(spec, breaks=True)


def test_titles_are_text_in_the_svg_even_with_every_hostile_character() -> None:
    title = "".join(ALPHABET)
    root = ET.fromstring(to_svg(diagram(BASE, "flat", title)).encode())
    assert root.findtext("{http://www.w3.org/2000/svg}title") == visible(title)
