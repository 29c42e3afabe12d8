"""`n, c, h, w = x.size()` needs x to have four dimensions: on a tensor of another rank
Python stops with a ValueError, so cnncalc must not give figures for that code. Oracle:
torch running the same code on the same input."""

from __future__ import annotations

from typing import Any

import pytest

import cnncalc
from cnncalc.errors import CnnCalcError

torch = pytest.importorskip("torch")

from ..oracle import assert_reads_as_torch  # noqa: E402

AFTER_FC = """import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 64)
        self.fc2 = nn.Linear(64, 10)

    def forward(self, x):
        x = x.view(x.size(0), -1)
        x = self.fc1(x)
        b, c, h, w = x.size()
        return self.fc2(x)
"""

AT_INPUT = """import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(784, 10)

    def forward(self, x):
        {names} = x.{size}
        return self.fc(x.view({batch}, -1))
"""


def _torch(code: str, shape: tuple[int, ...]) -> Any:
    """The model torch builds from the code, and what its forward pass does on `shape`:
    the output, or the ValueError Python raises."""
    namespace: dict[str, Any] = {}
    exec(code, namespace)  # the oracle side: torch runs the code
    net = namespace["Net"]()
    try:
        return net, net(torch.zeros(1, *shape))
    except ValueError as e:
        return net, e


def test_unpacking_four_sizes_from_a_flat_tensor_is_an_error_as_in_python() -> None:
    _, ran = _torch(AFTER_FC, (1, 28, 28))
    assert isinstance(ran, ValueError)  # not enough values to unpack (expected 4, got 2)
    with pytest.raises(CnnCalcError, match=r"line 13 unpacks 4 sizes from its input, which "
                       r"has 2 dimensions \(the batch, and 64"):
        cnncalc.summary(AFTER_FC, input_size="1x28x28")


@pytest.mark.parametrize("size", ["size()", "shape"])
def test_an_unpacking_the_input_meets_is_read_as_torch_runs_it(size: str) -> None:
    code = AT_INPUT.format(names="n, c, h, w", size=size, batch="n")
    net, ran = _torch(code, (1, 28, 28))
    assert not isinstance(ran, ValueError)
    assert_reads_as_torch(code, None, "1x28x28", net)
    # a starred target, which Python runs too, is refused by name, never misread
    with pytest.raises(CnnCalcError, match="cannot read the assignment"):
        cnncalc.summary(AT_INPUT.format(names="b, *_", size=size, batch="b"),
                        input_size="1x28x28")


def test_unpacking_four_sizes_from_a_flat_input_is_an_error_as_in_python() -> None:
    code = AT_INPUT.format(names="n, c, h, w", size="shape", batch="n")
    _, ran = _torch(code, (784,))
    assert isinstance(ran, ValueError)
    with pytest.raises(CnnCalcError, match=r"line 10 unpacks 4 sizes from its input, which "
                       r"has 2 dimensions \(the batch, and 784 that the input has\)"):
        cnncalc.summary(code, input_size="flat:784")
    # two sizes from the flat input: what torch runs, read as it runs it
    code = AT_INPUT.format(names="n, f", size="shape", batch="n")
    net, ran = _torch(code, (784,))
    assert not isinstance(ran, ValueError)
    assert_reads_as_torch(code, None, "flat:784", net)
