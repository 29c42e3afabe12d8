"""A model class handed on as a value (`functools.partial(Net, n=5)`, `Mk = Net`) may be built
elsewhere with arguments cnncalc does not see: reading it with its defaults would be a
silently wrong figure, so it is refused. Oracle: torch running the same code."""

from __future__ import annotations

from typing import Any

import pytest

import cnncalc
from cnncalc.errors import CnnCalcError

torch = pytest.importorskip("torch")

from ..oracle import assert_reads_as_torch  # noqa: E402

NET = """import functools
import torch
import torch.nn as nn


class Net(nn.Module):
    expansion = 1

    def __init__(self, n=4):
        super(Net, self).__init__()
        self.c = nn.Conv2d(1, n, 3)
        self.fc = nn.Linear(n * 6 * 6, 10)

    def forward(self, x):
        return self.fc(torch.flatten(self.c(x), 1))

"""


def _torch(code: str) -> Any:
    namespace: dict[str, Any] = {}
    exec(code, namespace)  # the oracle side: torch runs the code
    return namespace["model"]


@pytest.mark.parametrize(("tail", "params"), [
    # n = 5: conv 1·5·9 + 5 = 50, fc 5·36·10 + 10 = 1,810
    ("Mk = functools.partial(Net, n=5)\nmodel = Mk()\n", 1_860),
    ("Mk = Net\nmodel = Mk(5)\n", 1_860),
    ("def build(cls):\n    return cls(5)\n\n\nmodel = build(Net)\n", 1_860),
])
def test_a_class_handed_on_is_refused_not_read_with_its_defaults(tail: str,
                                                                  params: int) -> None:
    code = NET + tail
    assert sum(p.numel() for p in _torch(code).parameters()) == params
    with pytest.raises(CnnCalcError, match="Net is handed on as a value"):
        _read(code)


def _read(code: str) -> None:
    from cnncalc.dialects.resolve import resolve

    resolve(code, None, "1x8x8", model="Net")


def test_asking_about_a_class_or_calling_it_is_not_handing_it_on() -> None:
    """isinstance, print, an attribute of it and super(Net, self) leave Net as the code
    calls it: n = 6, 1·6·9 + 6 = 60 and 6·36·10 + 10 = 2,170."""
    code = NET + ("model = Net(6)\nprint(Net, Net.expansion, isinstance(model, Net))\n")
    assert_reads_as_torch(code, "Net", "1x8x8", _torch(code))
    assert cnncalc.summary(code, input_size="1x8x8").total_params == 2_230
