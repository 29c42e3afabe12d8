"""The screen: text from outside never acts on the terminal, and stdout trouble is one line.

Every case runs the CLI in a child process through the harness. The oracle for "nothing
reached the terminal" is the list of characters below, written out here independently of
cnncalc's own list: C0 controls but newline, DEL, C1 controls, and the Unicode bidi
embeddings, overrides and isolates (U+202A-202E, U+2066-2069).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from .harness import Outcome, cli

FORBIDDEN = frozenset([chr(c) for c in range(0x20) if c != 0x0A] + ["\x7f"]
                      + [chr(c) for c in range(0x80, 0xA0)]
                      + [chr(c) for c in range(0x202A, 0x202F)]
                      + [chr(c) for c in range(0x2066, 0x206A)])
# What a hostile file or checkpoint would like the terminal to do: set the window title,
# clear the screen, home the cursor and print a green verdict; an 8-bit CSI; a bidi override.
PAYLOAD = "\x1b]0;pwned\x07\x1b[2J\x1b[H\x1b[32mtest accuracy 99.99%\x1b[0m\x9b2J\u202eoh"


def raw_controls(text: str) -> list[str]:
    return sorted({c for c in text if c in FORBIDDEN})


def screen_clean(r: Outcome) -> None:
    """No control character of any kind on either stream, no traceback, no internal error."""
    assert not raw_controls(r.stdout), raw_controls(r.stdout)
    assert not raw_controls(r.stderr), (raw_controls(r.stderr), r.stderr[-500:])
    assert "Traceback" not in r.stderr and "internal error" not in r.stderr + r.stdout, \
        r.stderr[-2000:]


# -- control characters --------------------------------------------------------------------

def test_escape_sequences_in_a_spec_error_are_shown_not_obeyed() -> None:
    r = cli("summary", f"conv(4,3)-relu-foo('{PAYLOAD}')")
    screen_clean(r)
    assert r.code == 2
    assert "\\x1b]0;pwned" in r.stderr and "\\u202e" in r.stderr  # visible, so nothing hides


def test_caret_of_a_spec_with_a_newline_stays_on_its_line_and_under_the_token() -> None:
    spec = "conv(4,3)-bad('a\nb\x1b[2J')"
    r = cli("summary", spec)
    screen_clean(r)
    lines = r.stderr.splitlines()
    assert r.code == 2 and len(lines) == 3, r.stderr  # error, spec, caret: one line each
    error, shown, caret = lines
    assert error.startswith("error: ") and "bad" in error
    assert shown.strip() == "conv(4,3)-bad('a\\nb\\x1b[2J')"
    # Hand-derived: the bad token 'bad' starts 10 characters into the spec, which is
    # indented by two spaces on both lines.
    assert caret == " " * 12 + "^^^", repr(caret)
    assert shown[12:15] == "bad"


@pytest.mark.parametrize("args", [
    ("summary", "relu", "--input", f"1x28x28{PAYLOAD}"),
    ("summary", "relu", "--convention", PAYLOAD),
    ("summary", "relu", "--columns", PAYLOAD),
    ("draw", "relu", "-o", f"x{PAYLOAD}.gif"),
    ("solve", "relu", "--output", PAYLOAD),
])
def test_option_values_are_echoed_escaped(args: tuple[str, ...]) -> None:
    r = cli(*args)
    r.one_line_error(2, "\\x1b")
    screen_clean(r)


@pytest.mark.parametrize("args", [
    ("summary", "relu", PAYLOAD),  # a stray argument: click's "unexpected extra argument"
    ("summary", "relu", f"--{PAYLOAD}"),  # click's "No such option"
    ("draw", "relu", "--style", PAYLOAD),  # click's "Invalid value ... is not one of"
])
def test_usage_errors_from_the_option_parser_are_shown_escaped(args: tuple[str, ...]) -> None:
    r = cli(*args)
    screen_clean(r)
    assert r.code == 2 and "Error:" in r.stderr, r.stderr
    assert "\\x1b]0;pwned" in r.stderr, r.stderr  # shown, so nothing hides


def test_a_spec_string_the_parser_keeps_reaches_json_escaped_and_whole() -> None:
    spec = f"Conv2d(1,4,3,device='{PAYLOAD}\x7f')-ReLU()-Flatten()"
    r = cli("summary", spec, "-f", "json")
    screen_clean(r)
    if r.code == 0:  # JSON carries the spec; its escapes read back as the same text
        assert json.loads(r.stdout)["spec"] == spec
    else:
        assert r.code == 2  # a spec reader that refuses such a value says so, escaped


def test_table_title_from_a_file_name_with_escapes(tmp_path: Path) -> None:
    name = tmp_path / f"net{PAYLOAD}.py"
    name.write_text("import torch.nn as nn\nnet = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU())\n")
    for fmt in ("table", "markdown", "csv", "json"):
        r = cli("summary", str(name), "-f", fmt)
        screen_clean(r)
        assert r.code == 0, r.stderr
        if fmt == "table":
            assert "\\x1b]0;pwned" in r.stdout


def _forge(good: Path, target: Path, **changes: object) -> Path:
    """The run's checkpoint with `changes`, checksums recomputed, as a stranger would."""
    from cnncalc.train import checkpoint

    state = checkpoint.load(good)
    state.update(changes)
    checkpoint.save(target, state)
    return target


@pytest.mark.parametrize("field", ["spec", "dataset"])
def test_a_strangers_checkpoint_cannot_drive_the_terminal(good_run: Path, synth: Path,
                                                          tmp_path: Path, field: str) -> None:
    pytest.importorskip("torch")
    from cnncalc.train import checkpoint

    good = good_run / "last.pt"
    if field == "spec":
        gift = _forge(good, tmp_path / "gift.pt",
                      spec=f"conv(4,3)-relu-maxpool(2)-flatten-fc(10){PAYLOAD}")
    else:
        options = dict(checkpoint.load(good)["options"], dataset=PAYLOAD)
        gift = _forge(good, tmp_path / "gift.pt", options=options)
    runs = [("evaluate", str(gift), "--data-dir", str(synth)),
            ("predict", str(gift), "--index", "0", "--data-dir", str(synth)),
            ("export", str(gift), "-o", str(tmp_path / "model.py")),
            ("visualize", str(gift), "--index", "0", "--data-dir", str(synth), "-o",
             str(tmp_path / "view.png"))]
    for args in runs[:2] if field == "dataset" else runs:
        r = cli(*args)
        screen_clean(r)
        assert "test accuracy 99.99%" not in r.stdout.replace("\\x1b[32m", "")


# -- rich markup ---------------------------------------------------------------------------

LINK_NAME = "[link=https:evil.example]homework.py"
OSC8 = re.compile(r"\x1b\]8;")  # how a terminal is told "this text is a link"


def test_a_file_named_like_a_link_stays_text(tmp_path: Path) -> None:
    path = tmp_path / LINK_NAME
    path.write_text("import torch.nn as nn\nnet = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU())\n")
    # Colour forced, so rich would write the OSC 8 hyperlink if it read the markup.
    for args in (("summary", str(path)), ("check", str(path), "--expect", "1: 4x26x26"),
                 ("explain", str(path))):
        r = cli(*args, env={"FORCE_COLOR": "1"}, cwd=tmp_path)
        assert r.code == 0, r.stderr
        assert not OSC8.search(r.stdout + r.stderr)
    plain = cli("summary", str(path))
    assert LINK_NAME in plain.stdout.splitlines()[0]


def test_data_folder_with_a_closing_tag_in_its_path(tmp_path: Path) -> None:
    folder = tmp_path / "d[" / "x][bold]"  # the path reads d[/x][bold]
    folder.mkdir(parents=True)
    r = cli("data", "info", "--data-dir", str(folder))
    screen_clean(r)
    assert r.code == 0, r.stderr
    assert "d[/x][bold]" in r.stdout and "incomplete" in r.stdout


# -- standard output closed or in another encoding -----------------------------------------

@pytest.mark.parametrize("args", [
    ("summary", "relu", "-f", "json"), ("summary", "relu", "-f", "csv"),
    ("summary", "relu", "-f", "markdown"), ("summary", "relu"), ("draw", "relu"),
    ("draw", "relu", "--format", "mermaid"), ("presets",), ("explain", "relu"),
    ("solve", "--input", "28", "--output", "14"),
])
def test_closed_stdout_is_one_line(args: tuple[str, ...]) -> None:
    cli(*args, closed=(1,)).one_line_error(1, "standard output is closed")


def test_closed_stdout_and_stderr_end_quietly() -> None:
    r = cli("summary", "relu", "-f", "json", closed=(1, 2))
    assert r.code == 0 and r.raw_stdout == b"" and r.stderr == ""


def test_draw_to_a_file_needs_no_stdout(tmp_path: Path) -> None:
    r = cli("draw", "relu", "-o", str(tmp_path / "x.svg"), closed=(1,))
    assert r.code == 0, r.stderr
    assert (tmp_path / "x.svg").read_text().startswith("<?xml")


CP1252 = {"PYTHONIOENCODING": "cp1252"}
SPEC = "conv(8,3,stride=2)-relu-maxpool(2)-res[conv(8,3,padding=1)]-flatten-fc(10)"


@pytest.mark.parametrize(("args", "code"), [
    (("summary", SPEC), 0),
    (("explain", SPEC), 0),
    (("check", SPEC, "--expect", "1: 8x13x13, 80; 2: 8x13x13; total: 1"), 1),
    (("solve", "--input", "28", "--output", "14", "--kernel", "3"), 0),
    (("solve", "conv(4,3,stride=2)", "--output", "13"), 0),
    (("presets",), 0),
    (("layers",), 0),
    (("draw", SPEC, "--format", "mermaid"), 0),
    (("summary", SPEC, "-f", "markdown"), 0),
    (("summary", SPEC, "-f", "csv"), 0),
    (("summary", "conv(4,3)-maxpool(40)"), 1),  # the table so far, then the error
    (("summary", "conv(4,3)-foo→(2)"), 2),  # the caret under a spec the stream cannot show
])
def test_cp1252_stdout_gets_ascii_not_a_crash(args: tuple[str, ...], code: int) -> None:
    r = cli(*args, env=CP1252)
    assert r.code == code, r.stderr
    assert "Traceback" not in r.stderr and "internal error" not in r.stderr, r.stderr
    r.raw_stdout.decode("cp1252")  # what the stream promised: it decodes
    text = r.raw_stdout.decode("cp1252")
    assert not raw_controls(text)
    if "summary" in args and code != 2 and "-f" not in args:
        assert "+---" in text and "┏" not in text  # ASCII boxes


def test_cp1252_json_reads_back_as_the_utf8_json() -> None:
    """The same figures and texts whatever the stream's encoding: JSON escapes are lossless."""
    spec = "conv(4,3)-flatten-fc(10)"  # formulas hold → and ·, which cp1252 lacks or has
    utf8 = cli("summary", spec, "-f", "json")
    r = cli("summary", spec, "-f", "json", env=CP1252)
    assert r.code == 0 == utf8.code
    assert json.loads(r.raw_stdout.decode("cp1252")) == json.loads(utf8.stdout)
