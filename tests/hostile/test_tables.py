"""Hostile lecture tables and summary tables: huge, long-lined, deep or with giant numbers.

Each is refused with one line, or read in bounded time and memory (the harness checks both).
"""

from __future__ import annotations

from pathlib import Path

from .harness import cli

ROW = "[1x1x1] RELU\n"


def test_table_file_of_100000_rows_is_refused(tmp_path: Path) -> None:
    table = tmp_path / "big.txt"
    table.write_text("[1x1x1] INPUT\n" + ROW * 100_000)  # 1.3 MB
    cli("summary", str(table)).one_line_error(2, "over 256,000 characters")


def test_table_of_100000_lines_under_the_limit_reads_in_bounded_time(tmp_path: Path) -> None:
    # 100,000 comment and blank lines around three rows: read line by line, once.
    table = tmp_path / "long.txt"
    table.write_text("#\n\n" * 50_000 + "[4x4x1] INPUT\n[2x2x1] POOL1: 2x2 filters\n"
                     "[4] FC1: 4 neurons\n")
    r = cli("check", str(table))
    assert r.code == 0, r.stderr
    assert "2 of 2 right" in r.stdout
    assert r.seconds < 30


def test_ten_megabyte_line_in_a_table_file_is_refused(tmp_path: Path) -> None:
    table = tmp_path / "line.txt"
    table.write_text("[227x227x3] INPUT\n[55x55x96] CONV1: " + "9" * 10_000_000 + "\n")
    cli("check", str(table)).one_line_error(2, "over 256,000 characters")


def test_ten_megabyte_line_on_standard_input_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "stdin.txt"
    path.write_text("[227x227x3] INPUT\n" + "[1x1x1] " + "x" * 10_000_000 + "\n")
    with path.open() as stdin:
        import subprocess
        import sys

        proc = subprocess.run([sys.executable, "-m", "cnncalc", "summary", "-"], stdin=stdin,
                              capture_output=True, text=True, timeout=60)
    lines = [x for x in proc.stderr.splitlines() if x.strip()]
    assert proc.returncode == 2 and len(lines) == 1, proc.stderr[-500:]
    assert "over 256,000 characters" in lines[0] and "Traceback" not in proc.stderr


def test_long_row_is_refused_by_its_line(tmp_path: Path) -> None:
    table = tmp_path / "row.txt"
    table.write_text("[8x8x1] INPUT\n[8x8x1] RELU " + "(x)" * 20_000 + "\n")
    cli("summary", str(table)).one_line_error(2, "table line 2 is 60,013 characters")


def test_giant_numbers_in_a_table_are_refused(tmp_path: Path) -> None:
    # A number past the 4,300-digit limit cannot fit in a row; shorter giants are refused
    # by the figure they are in, before any int() of them.
    table = tmp_path / "n.txt"
    table.write_text("INPUT: [8x8x1] memory: " + "9" * 5000 + "\n[8x8x1] RELU\n")
    cli("check", str(table)).one_line_error(2, "table line 1 is 5,023 characters")
    table.write_text("INPUT: [8x8x1] memory: " + "9" * 1900 + "\n[8x8x1] RELU\n")
    cli("check", str(table)).one_line_error(2, "table line 1", "memory figure")
    table.write_text("[8x8x1] INPUT\n[" + "9" * 150 + "] FC1: 10 neurons\n")
    cli("check", str(table)).one_line_error(2, "table line 2", "cannot read the shape")
    table.write_text("INPUT: [8x8x1] weights: " + "(" * 900 + "1" + ")" * 900 + "\n")
    cli("check", str(table)).one_line_error(2, "table line 1", "weights figure")


def test_numbers_past_the_4300_digit_limit_in_answers_are_a_clean_error(tmp_path: Path
                                                                       ) -> None:
    # int() of more than 4,300 digits raises ValueError: an internal error before.
    answers = tmp_path / "a.txt"
    answers.write_text("1: " + "9" * 5000 + "\n")
    cli("check", "conv(8,3)", "--input", "1x10x10", "--expect", str(answers)).one_line_error(
        2, "answers line 1", "at most 16 digits")
    answers.write_text("total: " + "1" * 5000 + "\n")
    cli("check", "conv(8,3)", "--input", "1x10x10", "--expect", str(answers)).one_line_error(
        2, "answers line 1", "at most 16 digits")
    answers.write_text("9" * 5000 + ": 5\n")
    cli("check", "conv(8,3)", "--input", "1x10x10", "--expect", str(answers)).one_line_error(
        2, "answers line 1", "a key is a layer number")


def test_giant_numbers_in_a_summary_table_are_a_clean_error(tmp_path: Path) -> None:
    answers = tmp_path / "s.txt"
    answers.write_text("| Layer (type) | Output Shape | Param # |\n|--|--|--|\n"
                       "| d (Dense) | (None, 10) | " + "9" * 3000 + " |\n")
    cli("check", "fc(10)", "--input", "flat:4", "--expect", str(answers)).one_line_error(
        2, "summary table line 3", "at most 16 digits")
    answers.write_text("| Layer (type) | Output Shape | Param # |\n|--|--|--|\n"
                       "| d (Dense) | (None, 10) | " + "9" * 5000 + " |\n")
    cli("check", "fc(10)", "--input", "flat:4", "--expect", str(answers)).one_line_error(
        2, "summary table line 3 is 5,029 characters")
    answers.write_text("| Layer (type) | Output Shape | Param # |\n|--|--|--|\n"
                       "| d (Dense) | (None, 10) | 50 |\n\nTotal params: " + "1," * 3000
                       + "000\n")
    cli("check", "fc(10)", "--input", "flat:4", "--expect", str(answers)).one_line_error(
        2, "summary table line 5")


def test_summary_table_of_100000_rows_is_read_in_bounded_time(tmp_path: Path) -> None:
    rows = "| r (ReLU) | (None, 4) | 0 |\n" * 30_000  # 30,000 rows, under the 1 MB limit
    answers = tmp_path / "s.txt"
    answers.write_text("| Layer (type) | Output Shape | Param # |\n|--|--|--|\n"
                       "| d (Dense) | (None, 4) | 20 |\n" + rows + "\nTotal params: 20\n")
    r = cli("check", "fc(4)", "--input", "flat:4", "--expect", str(answers), "-f", "json")
    assert r.code == 0, r.stderr[-500:]
    assert r.seconds < 30
    answers.write_text("| Layer (type) | Output Shape | Param # |\n" + "|\n" * 100_000)
    cli("check", "fc(4)", "--input", "flat:4", "--expect", str(answers)).one_line_error(
        2, "no layer rows")
    answers.write_text("| Layer (type) | Output Shape | Param # |\n" + "|a|b|\n" * 100_000)
    cli("check", "fc(4)", "--input", "flat:4", "--expect", str(answers)).one_line_error(
        2, "summary table line 2", "2 cells where the header has 3")


def test_ten_megabyte_summary_table_line_is_refused(tmp_path: Path) -> None:
    answers = tmp_path / "s.txt"
    answers.write_text("Layer (type)  Output Shape  Param #\n" + "x" * 10_000_000 + "\n")
    cli("check", "fc(4)", "--input", "flat:4", "--expect", str(answers)).one_line_error(
        2, "over 1,000,000 characters")
