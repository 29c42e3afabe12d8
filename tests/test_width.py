"""Tables that fit: golden tables at 60-200 columns, a real 80-column terminal, COLUMNS rules."""

from __future__ import annotations

import io
import os
import re
import select
import struct
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from cnncalc.cli import app
from cnncalc.render.width import UNWRAPPED, output_width

README = "conv(32,3,padding=1)-relu-maxpool(2)-conv(64,3,padding=1)-relu-maxpool(2)-flatten-fc(10)"
WIDTHS = [60, 80, 100, 120, 200]
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def _run(args: list[str], columns: int | None) -> str:
    env = {"COLUMNS": str(columns)} if columns else {"COLUMNS": ""}
    result = CliRunner().invoke(app, args, env=env)
    assert result.exit_code == 0, result.output
    return result.stdout


def _widest(text: str) -> int:
    from rich.cells import cell_len

    return max(cell_len(line) for line in text.splitlines())


@pytest.mark.parametrize("width", WIDTHS)
def test_readme_example_golden(width: int, golden) -> None:  # type: ignore[no-untyped-def]
    out = _run(["summary", README, "--input", "1x28x28"], width)
    assert _widest(out) <= width
    # Every figure a reader needs is whole at every width (hand-derived in test_calc.py).
    for figure in ("32x28x28", "64x7x7", "3136", "320", "18,496", "31,370", "50,186",
                   "conv(32,3,padding=1)", "conv(64,3,padding=1)"):
        assert figure in out
    golden(f"width/readme_{width}.txt", out)


@pytest.mark.parametrize("width", WIDTHS)
def test_resnet18_golden(width: int, golden) -> None:  # type: ignore[no-untyped-def]
    out = _run(["summary", "--preset", "resnet18"], width)
    assert _widest(out) <= width
    for figure in ("64x112x112", "512x7x7", "9,408", "2,359,296", "11,699,112"):
        assert figure in out
    golden(f"width/resnet18_{width}.txt", out)


def test_dropped_columns_are_named() -> None:
    out = _run(["summary", README], 60)
    assert "not shown: input, formula, memory, RF, jump, start (--wide shows them)" in \
        " ".join(out.split())


def test_columns_and_wide() -> None:
    out = _run(["summary", README, "--columns", "layer,RF,params"], 60)
    header = next(line for line in out.splitlines() if "layer" in line)
    assert re.findall(r"\w+", header) == ["layer", "params", "RF"]  # the table's own order
    assert "not shown" not in out
    wide = _run(["summary", README, "--wide"], 60)
    for name in ("input", "formula", "memory", "jump", "start"):
        assert name in wide
    bad = CliRunner().invoke(app, ["summary", README, "--columns", "layer,colour"])
    assert bad.exit_code == 2 and "unknown column 'colour'" in bad.output
    json_too = CliRunner().invoke(app, ["summary", README, "--columns", "layer", "-f", "json"])
    assert json_too.exit_code == 2 and "--columns chooses table columns" in json_too.output


def test_piped_output_is_not_wrapped_without_columns() -> None:
    spec = "res[" + "-".join(["conv(64,3,padding=1,bias=false)-bn-relu"] * 8) + "]"
    out = _run(["summary", spec, "--input", "64x8x8"], None)
    assert max(len(line) for line in out.splitlines()) > 200  # one line per row, whole
    assert "not shown" not in out


def test_output_width_rule() -> None:
    pipe = io.StringIO()
    assert output_width(pipe, {}) == UNWRAPPED
    assert output_width(pipe, {"COLUMNS": "80"}) == 80
    assert output_width(pipe, {"COLUMNS": "junk"}) == UNWRAPPED
    assert output_width(pipe, {"COLUMNS": "9" * 40}) == UNWRAPPED  # no giant allocations
    assert output_width(pipe, {"COLUMNS": "3"}) == 20


def _pty_run(args: list[str], columns: int = 80, rows: int = 50) -> str:
    pty = pytest.importorskip("pty")  # POSIX only
    fcntl = pytest.importorskip("fcntl")
    termios = pytest.importorskip("termios")
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    env["TERM"] = "xterm-256color"
    proc = subprocess.Popen([sys.executable, "-m", "cnncalc", *args], stdin=slave,
                            stdout=slave, stderr=slave, env=env, close_fds=True)
    os.close(slave)
    chunks: list[bytes] = []
    while True:
        ready, _, _ = select.select([master], [], [], 30)
        if not ready:
            break
        try:
            data = os.read(master, 65536)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=30)
    os.close(master)
    assert proc.returncode == 0
    return ANSI.sub("", b"".join(chunks).decode("utf-8").replace("\r\n", "\n"))


@pytest.mark.parametrize("args", [["summary", "--preset", "resnet18"],
                                  ["explain", README], ["presets"], ["layers"],
                                  ["solve", "--input", "28", "--output", "14", "--layer", "convt"]])
def test_real_terminal_of_80_columns(args: list[str]) -> None:
    from rich.cells import cell_len

    out = _pty_run(args)
    lines = out.splitlines()
    assert len(lines) > 10
    assert max(cell_len(line) for line in lines) <= 80
    assert "…" not in out  # rich marks a cut cell with an ellipsis


def _render(renderable: object, width: int) -> str:
    from rich.console import Console

    buf = io.StringIO()
    Console(file=buf, width=width, color_system=None).print(renderable)
    return buf.getvalue()


@pytest.mark.parametrize("width", [60, 80])
def test_evaluation_and_epoch_tables_fit(width: int) -> None:
    from cnncalc.cli.progress import epoch_table
    from cnncalc.render.evaluation import evaluation_view

    confusion = [[1135 if i == j else 12 for j in range(10)] for i in range(10)]
    result = {"confusion": confusion, "per_class_accuracy": [0.9912] * 10,
              "accuracy": 0.9912, "count": 10_000, "loss": 0.0312,
              "members": [{"checkpoint": "runs/a/very/long/run/directory/best.pt", "epoch": 7,
                           "accuracy": 0.99, "loss": 0.03}]}
    out = _render(evaluation_view(result), width)
    assert _widest(out) <= width
    assert out.count("1135") == 10 and out.count("99.12%") >= 10
    first_column = "".join(line.split("│")[1].strip() for line in out.splitlines()
                           if line.startswith("│"))
    assert "runs/a/very/long/run/directory/best.pt" in first_column  # wrapped, not cut
    row = {"epoch": 12, "train_loss": 0.1234, "train_acc": 0.9912, "test_loss": 0.0312,
           "test_acc": 0.9921, "seconds": 123.4, "images_per_s": 12345.6}
    out = _render(epoch_table([row]), width)
    assert _widest(out) <= width
    assert "99.21%" in out and "0.0312" in out and "…" not in out


@pytest.mark.parametrize("convention", ["pytorch", "keras"])
def test_no_figure_is_cut_at_any_width(convention: str) -> None:
    """Every width from 60 to 200: nothing is elided, and every row's output shape and
    parameter count (always shown) appear whole."""
    import cnncalc
    from cnncalc.ops.shape import format_shape
    from cnncalc.render.table import summary_table

    spec = ("conv(16,3,stride=2)-[conv(16,3,padding=1)-relu]*2-res[conv(32,3,stride=2,"
            "padding=1)-bn-relu-conv(32,3,padding=1)-bn]-relu-maxpool(2)-gap-"
            "flatten-fc(10)")
    # Keras reads a shape channels-last: (32, 32, 3) is the same 3-channel 32x32 image.
    size = (3, 32, 32) if convention == "pytorch" else (32, 32, 3)
    s = cnncalc.summary(spec, input_size=size, convention=convention)
    rows = [r for r in s.leaves()] + list(s.layers)
    for width in range(60, 201, 7):
        out = _render(summary_table(s), width)
        assert _widest(out) <= width and "…" not in out
        for r in rows:
            assert format_shape(r.output_shape, convention) in out
            assert f"{r.params:,}" in out
