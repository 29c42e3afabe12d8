"""A declared size that never fits, on a long model: the input search stays within its budget."""

from __future__ import annotations

from .harness import cli


def test_a_long_model_that_no_input_fits_answers_in_time() -> None:
    # 3,000 size-keeping convs, then a Linear that 8·H·W features can never feed (7 is not a
    # multiple of 8): every candidate input runs the whole model and fails at its end.
    spec = "-".join(["conv(8,3,padding=1)"] * 3000) + "-flatten-Linear(7, 10)"
    out = cli("summary", spec, "-f", "json")
    line = out.one_line_error(1, "Linear(7, 10) expects 7 input features")
    assert "makes every declared size fit" not in line
    assert out.seconds < 15, out.seconds  # one run, plus the search's half second budget
