"""Recurrent layers in a module summary: measured rows whose MACs are their matrix products,
exact (torch's RNN kernels reshape their inputs in place with transpose_, which moves no
value and costs no MAC), against hand-derived figures; an op cnncalc does not derive still
makes the total a lower bound."""

from __future__ import annotations

import pytest
import torch
from torch import nn

import cnncalc


@pytest.mark.parametrize("cls, gates", [(nn.GRU, 3), (nn.LSTM, 4), (nn.RNN, 1)])
def test_a_recurrent_layer_costs_its_gates_matrix_products(cls: type[nn.Module],
                                                           gates: int) -> None:
    # Each of the 8 steps: every gate reads the input (24 → 5) and the state (5 → 5):
    # gates · (24·5 + 5·5) = gates · 145 MACs a step, 8 steps.
    s = cnncalc.summary(cls(24, 5, batch_first=True), input_size=(1, 8, 24))
    (row,) = s.layers
    assert row.macs == 8 * gates * 145
    assert row.macs_exact and s.macs_exact
    # parameters: gates · (24·5 + 5·5 + 5 + 5), torch's two biases
    assert s.total_params == gates * (24 * 5 + 5 * 5 + 5 + 5)


def test_an_op_not_derived_still_marks_a_lower_bound() -> None:
    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.conv = nn.Conv2d(1, 2, 3)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.conv(x).cumprod(dim=1)

    s = cnncalc.summary(Net(), input_size=(1, 1, 8, 8))
    assert not s.macs_exact
    assert s.total_macs >= 2 * 6 * 6 * 9  # the conv's own: 72 outputs · 9 taps
