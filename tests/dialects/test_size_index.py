"""`x.size()[0]` is the batch, as `x.size(0)` and `x.shape[0]` are: `out.view(out.size()[0],
-1)` flattens each sample. Oracle: torch running the same code."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

CODE = """
import torch.nn as nn


class CNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
        self.fc = nn.Linear(8 * 14 * 14, 10)

    def forward(self, x):
        out = self.conv(x)
        out = out.view({size}, -1)
        return self.fc(out)
"""


@pytest.mark.parametrize("size", ["out.size()[0]", "out.size(0)", "out.shape[0]"])
def test_the_batch_written_every_way(size: str) -> None:
    from ..oracle import assert_reads_as_torch

    code = CODE.format(size=size)
    space: dict[str, object] = {}
    exec(compile(code, "<cnn>", "exec"), space)
    assert_reads_as_torch(code, None, "1x28x28", space["CNN"]())  # type: ignore[operator]


def test_another_index_of_size_is_not_the_batch() -> None:
    from cnncalc.dialects.read import read_model
    from cnncalc.dialects.values import CodeError

    with pytest.raises(CodeError, match="does not give one flat vector per sample"):
        read_model(CODE.format(size="out.size()[1]"))
