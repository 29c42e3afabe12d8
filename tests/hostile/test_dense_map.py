"""Hostile input to a dense layer on a map: huge sizes, a missing input, a forgotten flatten."""

from __future__ import annotations

from .harness import cli


def test_a_huge_dense_over_the_channels_is_refused_before_any_allocation() -> None:
    r = cli("summary", "fc(1000000000000,over=c)", "--input", "3x100000x100000")
    r.one_line_error(1, "too large")


def test_dense_first_keras_code_without_an_input_asks_for_one() -> None:
    code = "model = keras.Sequential([layers.Dense(64), layers.Dense(10)])"
    cli("summary", code).one_line_error(2, "input shape is not given", "--input")


def test_plain_fc_on_a_map_says_how_to_write_either_reading() -> None:
    cli("summary", "fc(10)", "--input", "3x8x8").one_line_error(1, "flat input", "over=c",
                                                              "over=last")
