"""The summary fast path: the same bytes as the full Typer path, and Typer for anything else."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings

from cnncalc.calc import summarize_spec
from cnncalc.cli import fast, term
from cnncalc.errors import CnnCalcError
from cnncalc.ops.shape import parse_shape
from cnncalc.presets import PRESETS
from cnncalc.render.piped import MAX_ROWS, piped_table
from cnncalc.render.records import flat_rows
from cnncalc.render.table import summary_table
from cnncalc.render.width import UNWRAPPED
from tests.strategies import inputs, specs

REPO = Path(__file__).resolve().parent.parent

# Runs each call in one process, as `cnncalc ARGS` would (fast: the fast path, which must
# serve it; full: the Typer path), and writes what each printed, with its exit code.
DRIVER = """
import json, sys
from cnncalc.cli import fast
for args in json.loads(sys.argv[2]):
    sys.argv = ["cnncalc", *args]
    if {mode!r} == "fast":
        code = fast.serve(args)
        assert code == 0, ("the fast path did not serve", args)
    else:
        from cnncalc.cli.app import main
        try:
            main()
            code = 0
        except SystemExit as e:
            code = e.code
    sys.stdout.flush()
    sys.stdout.write(f"\\n=== {{args}} exit {{code}} ===\\n")
    sys.stdout.flush()
"""

CASES = [["summary", "--preset", p, "-f", f] for p in PRESETS
         for f in ("table", "json", "markdown", "csv")] + [
    ["summary", "conv(8,3,stride=2)-convt(8,2,stride=2)-gap(3)", "-i", "1x16x16"],
    ["summary", "conv(32,5,padding=1)-bn-relu-maxpool(3,stride=2)-flatten-fc(10)", "-b", "8"],
    ["summary", "[conv(8,3,padding=1)-relu]*3-res[conv(8,3,padding=1)-bn]", "--input=3x32x32",
     "--format=markdown"],
    ["summary", "conv(32,3,stride=2,padding=same)-maxpool(2,padding=same)", "--convention",
     "tf"],
    ["summary", "-".join(["relu"] * 400)],  # elided rows: rich draws it
    ["summary", "-p", "lenet5", "-i", "1x40x40", "-b", "3", "-f", "csv"],
    # code: a .py file (two models, one picked), pasted PyTorch and Keras, read with ast
    ["summary", "tests/fixtures/pasted_net.py", "--model", "Net"],
    ["summary", "tests/fixtures/pasted_net.py", "--model", "small", "-f", "json"],
    ["summary", "nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU(), nn.MaxPool2d(2))", "-i", "3x32x32"],
    ["summary", "Conv2D(16, 3, activation='relu')-MaxPooling2D()-Flatten()-Dense(10)", "-i",
     "28x28x1", "-f", "markdown"],
    # a torch module, built from its file and run on the meta device
    *[["summary", "--module", "tests/fixtures/module_net.py:Net", "-i", "1x28x28", "-f", f]
      for f in ("table", "json", "markdown", "csv")],
    ["summary", "--module", "tests/fixtures/module_net.py:Net", "--module-args",
     '{"channels": 4}', "--input=1x28x28", "-b", "3"],
    # shared, measured and unused rows, notes and a total that is a lower bound
    *[["summary", "--module", "tests/fixtures/module_net.py:Odd", "-i", "3x8x8", "-f", f]
      for f in ("table", "markdown")],
    ["summary", "--module", "tests/fixtures/module_net.py:Bound", "-i", "1x8x8"],
]


def run_driver(mode: str, cases: list[list[str]], tty: bool = False) -> bytes:
    env = {**os.environ, "COLUMNS": "120", "TERM": "xterm-256color"}
    env.pop("FORCE_COLOR", None)
    env.pop(fast.FULL_PATH_ENV, None)
    cmd = [sys.executable, "-c", DRIVER.format(mode=mode), mode, json.dumps(cases)]
    if not tty:
        proc = subprocess.run(cmd, capture_output=True, env=env, cwd=REPO)
        assert proc.returncode == 0, proc.stderr.decode()
        return proc.stdout
    import pty

    try:
        master, slave = pty.openpty()
    except OSError as e:  # a sandbox without pseudo-terminals
        pytest.skip(f"no pseudo-terminal here: {e}")
    proc2 = subprocess.Popen(cmd, stdout=slave, stderr=subprocess.PIPE, env=env, cwd=REPO)
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    assert proc2.wait() == 0, proc2.stderr.read().decode() if proc2.stderr else ""
    return b"".join(chunks)


def test_fast_path_prints_the_full_paths_bytes_piped() -> None:
    fast_out = run_driver("fast", CASES)
    full_out = run_driver("full", CASES)
    assert fast_out.count(b"exit 0 ===") == len(CASES)
    assert fast_out == full_out


def test_fast_path_prints_the_full_paths_bytes_on_a_terminal() -> None:
    cases = [c for c in CASES if "table" in c or "-f" not in c][:6]
    fast_out = run_driver("fast", cases, tty=True)
    full_out = run_driver("full", cases, tty=True)
    assert b"\x1b[" in full_out  # styled: the terminal branch of the console was taken
    assert fast_out == full_out


def test_entry_point_serves_and_falls_back() -> None:
    """Through `python -m cnncalc`: same output either way, and errors come from Typer."""
    for args in (["summary", "--preset", "lenet5"], ["summary", "conv(8,3)-rleu"],
                 ["summary", "conv(8,3)", "--columns", "all"], ["summary", "--help"]):
        got = [subprocess.run([sys.executable, "-m", "cnncalc", *args], capture_output=True,
                              env={**os.environ, fast.FULL_PATH_ENV: flag}, cwd=REPO)
               for flag in ("", "1")]
        assert got[0].stdout == got[1].stdout and got[0].stderr == got[1].stderr, args
        assert got[0].returncode == got[1].returncode, args


@pytest.mark.parametrize("argv", [
    [], ["presets"], ["summary", "--help"], ["summary", "-h"], ["summary", "relu", "--wide"],
    ["summary", "relu", "--columns", "params"], ["summary", "relu", "-f=json"],
    ["summary", "relu", "--format", "JSON"], ["summary", "relu", "--format", "xml"],
    ["summary", "relu", "-b", "0"], ["summary", "relu", "-b", " 1"],
    ["summary", "relu", "-b", "+1"],
    ["summary", "relu", "-b", "1_0"], ["summary", "relu", "-b", "١"], ["summary", "relu", "-b"],
    ["summary", "relu", "relu"], ["summary", "relu", "-i", "1x8x8", "-i", "1x9x9"],
    ["summary", "--", "relu"], ["summary", "relu", "-i", "-5"],
    ["summary", "--module-args", "[]"], ["summary", "--module", "m.py:Net", "--macs", "flops"],
    ["summary", "-", "relu"], ["summary", "relu", "-b", "9" * 19]])
def test_anything_unrecognised_goes_to_typer(argv: list[str]) -> None:
    assert fast.parse_args(argv) is None


def test_errors_go_to_typer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "net.py").write_text("for i in range(3):\n    pass\n")  # not a model
    for argv in (["summary", "net.py"], ["summary", "conv(8,3)-rleu"], ["summary"],
                 ["summary", "conv(8,3)", "-p", "lenet5"], ["summary", "-p", "lenet6"],
                 ["summary", "maxpool(8)", "-i", "1x4x4"], ["summary", "fc(3)", "-i", "abc"],
                 ["summary", "fc(3)", "--convention", "jax"]):
        assert fast.serve(argv) is None, argv
    assert fast.parse_args(["summary", "--input=", "--preset=lenet5", "-b", "007"]) == \
        fast.Call(None, "", "lenet5", "table", 7, None)


@pytest.mark.parametrize("argv", [
    ["summary", "tests/fixtures/pasted_net.py"],  # two models: an error the full path reports
    ["summary", "nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU())", "-f", "json"],  # a note
    ["summary", "conv(8,3)-relu", "-i", "32x32x3"],  # the input looks channels-last
    ["summary", "maxpool(8)", "-i", "1x4x4"],  # read, then a layer error with suggestions
])
def test_code_left_to_typer_is_read_once(argv: list[str], monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    """Where the fast path reads the model and leaves the call to Typer, Typer goes on from
    that reading: the model (or its error) is read once, and the output is the full path's
    own, byte for byte."""
    import cnncalc.cli
    from cnncalc.cli import calc_cmds
    from cnncalc.dialects import resolve as resolve_mod

    monkeypatch.chdir(REPO)
    real = resolve_mod.resolve
    reads: list[object] = []

    def counted(*args: object, **kwargs: object) -> object:
        reads.append(args)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(resolve_mod, "resolve", counted)
    monkeypatch.setattr(calc_cmds, "resolve_model", counted)
    got = []
    for flag in ("", "1"):  # the fast path first, then the full path alone
        monkeypatch.setenv(fast.FULL_PATH_ENV, flag)
        monkeypatch.setattr(sys, "argv", ["cnncalc", *argv])
        reads.clear()
        with pytest.raises(SystemExit) as exit_:
            cnncalc.cli.main()
        got.append((exit_.value.code, capsys.readouterr(), len(reads)))
        assert fast.handed is None
    (code, out, n), (full_code, full_out, full_n) = got
    assert (code, out) == (full_code, full_out)
    assert n == full_n == 1
    monkeypatch.setenv(fast.FULL_PATH_ENV, "")
    reads.clear()
    assert fast.serve(argv) is None  # the fast path reads it, then leaves it to Typer
    assert len(reads) == 1 and fast.handed is None


MODULE_CALLS = [
    ["summary", "--module", "tests/fixtures/module_net.py:Net", "-i", "1x32x32"],  # layer error
    ["summary", "--module", "tests/fixtures/module_net.py:broken", "-i", "1x28x28"],
    ["summary", "--module", "tests/fixtures/module_net.py:Net", "-i", "1x28x28", "-f", "json"],
    ["summary", "--module", "tests/fixtures/module_net.py:Net", "-i", "1x28x28",
     "--convention", "keras"],  # refused before the file runs
]


@pytest.mark.parametrize("argv", MODULE_CALLS)
def test_a_module_file_runs_once_whichever_path_reports(argv: list[str],
                                                        tmp_path: Path) -> None:
    """`summary --module` runs the user's file: the fast path builds and summarises the
    model, and where Typer is to report what came of it (a layer error with its partial
    table, a failed build), Typer takes that outcome instead of running the file again.
    The oracle is the full path alone: the same bytes, the same exit code, and the file
    imported, built and run as often."""
    got = []
    for flag in ("", "1"):
        log = tmp_path / f"log{flag}"
        proc = subprocess.run([sys.executable, "-m", "cnncalc", *argv], capture_output=True,
                              env={**os.environ, fast.FULL_PATH_ENV: flag,
                                   "CNNCALC_TEST_LOG": str(log)}, cwd=REPO)
        got.append((proc.returncode, proc.stdout, proc.stderr,
                    log.read_text() if log.exists() else ""))
    assert got[0] == got[1]
    code, _, _, ran = got[0]
    if "keras" in argv:
        assert (code, ran) == (2, "")
    else:  # a failed build is tried again off the meta device, on either path
        assert ran.count("import\n") == 1, ran
        assert ran.count("build\n") == (2 if "broken" in argv[2] else 1), ran
        assert ran.count("forward\n") == (0 if "broken" in argv[2] else 1), ran


def rich_piped(s: object, title: str | None, monkeypatch: pytest.MonkeyPatch) -> str:
    """What the full path prints for the table when stdout is a pipe."""
    buffer = io.BytesIO()
    stream = io.TextIOWrapper(buffer, encoding="utf-8", newline="")
    monkeypatch.setattr(sys, "stdout", stream)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("TTY_COMPATIBLE", raising=False)
    term.console().print(summary_table(s, title))  # type: ignore[arg-type]
    stream.flush()
    return buffer.getvalue().decode()


def test_piped_writer_matches_rich_on_every_preset(monkeypatch: pytest.MonkeyPatch) -> None:
    for p in PRESETS.values():
        for batch in (1, 64):
            s = summarize_spec(p.spec, parse_shape(p.input), batch=batch)
            title = f"{p.name}: {p.description}"
            mine = piped_table(s, title, UNWRAPPED)
            if len(flat_rows(s)) > MAX_ROWS:  # past it the writer leaves the table to rich
                assert mine is None, p.name
                continue
            assert mine is not None, p.name
            assert mine == rich_piped(s, title, monkeypatch), p.name


@pytest.mark.parametrize("title", [
    "Net (PyTorch code, net.py)\ninput 3x28x28 (C x H x W), from the first layer's 3 input "
    "channels, 28x28 assumed", "a\nb", "a  \nb", "a\n\nb", "\na", "a\n", " a\n b ",
    "x" * 60 + "\ny", "a\tb", "a\r\nb", "a\n" + "y" * 200, "a\n[bold]b", "a\n:smile:"])
def test_piped_writer_matches_rich_on_titles_of_several_lines(
        title: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A model read from code has a title of two lines or more (its name, then its input):
    each line as rich draws it, or rich's to draw where a line would wrap or be read."""
    s = summarize_spec("conv(8,3)-relu-flatten-fc(10)", (1, 28, 28))
    mine = piped_table(s, title, UNWRAPPED)
    # Declined: a tab, a carriage return, markup, an emoji code, a line wider than the table.
    assert (mine is None) == (title in ("a\tb", "a\r\nb", "a\n" + "y" * 200, "a\n[bold]b",
                                        "a\n:smile:"))
    if mine is not None:
        assert mine == rich_piped(s, title, monkeypatch)


@pytest.mark.parametrize("name, size", [("Net", (1, 1, 28, 28)), ("Odd", (2, 3, 8, 8)),
                                        ("Bound", (1, 1, 8, 8))])
def test_piped_writer_matches_rich_on_module_summaries(name: str, size: tuple[int, ...],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """A module summary says its mode in the title and, where its total is a lower bound,
    says so under the totals: each as rich draws it."""
    import importlib.util

    import cnncalc

    spec = importlib.util.spec_from_file_location("module_net",
                                                  REPO / "tests/fixtures/module_net.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    s = cnncalc.summary(getattr(module, name)(), input_size=size)
    mine = piped_table(s, s.spec, UNWRAPPED)
    assert mine is not None
    assert mine == rich_piped(s, s.spec, monkeypatch)
    assert "(eval mode)" in mine.splitlines()[0]
    assert ("the total is a lower bound" in mine) == (not s.macs_exact)


@settings(max_examples=60, deadline=None)
@given(specs, inputs)
def test_piped_writer_matches_rich_or_declines(spec: str, shape: tuple[int, int, int]) -> None:
    try:
        s = summarize_spec(spec, shape)
    except CnnCalcError:
        return
    mine = piped_table(s, None, UNWRAPPED)
    if mine is not None:
        with pytest.MonkeyPatch.context() as mp:
            assert mine == rich_piped(s, None, mp)


def test_command_names_match_the_app() -> None:
    """`cnncalc WORD` is a summary of WORD unless WORD is a command: the fast path's list of
    commands must be the Typer application's."""
    from cnncalc.cli.app import command_names

    assert fast.COMMANDS == command_names() | {"help"}
    assert fast.parse_args(["conv(8,3)", "-f", "json"]) == \
        fast.Call("conv(8,3)", None, None, "json", 1, None)
    assert fast.parse_args(["train", "conv(8,3)"]) is None
