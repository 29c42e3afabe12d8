"""A model class of the file subclassed by another class of the file: `class Net(Base)` is a
model of its own, read with its own attributes and methods (never Base in its place), or
refused where cnncalc cannot follow Python's lookup exactly. Oracle: the module torch
builds from the same code."""

from __future__ import annotations

from typing import Any

import pytest

import cnncalc
from cnncalc.errors import CnnCalcError

torch = pytest.importorskip("torch")

from ..oracle import assert_reads_as_torch  # noqa: E402

BASE = """import torch
import torch.nn as nn
import torch.nn.functional as F


class Base(nn.Module):
    width = 4

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, self.width, 3)
        self.fc = nn.Linear(self.width * 13 * 13, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv(x)), 2)
        return self.fc(torch.flatten(x, 1))

"""

READ = {
    # a class attribute: conv 1·6·9 + 6 = 60, fc 6·13·13·10 + 10 = 10,150
    "Wider": ("class Wider(Base):\n    width = 6\n", 10_210),
    # forward overridden (average pooling): Base's layers, 4 channels: 40 + 6,770
    "Avg": ("class Avg(Base):\n    def forward(self, x):\n"
            "        x = F.avg_pool2d(F.relu(self.conv(x)), 2)\n"
            "        return self.fc(torch.flatten(x, 1))\n", 6_810),
    # two levels: Widest(Wider(Base)), width 8: 80 + 13,530
    "Widest": ("class Wider(Base):\n    width = 6\n\n\nclass Widest(Wider):\n    width = 8\n",
               13_610),
    # its own __init__, through nn.Module's, not Base's: one conv of 2 channels,
    # 1·2·9 + 2 = 20, and fc 2·13·13·10 + 10 = 3,390
    "Own": ("class Own(Base):\n    def __init__(self):\n        nn.Module.__init__(self)\n"
            "        self.conv = nn.Conv2d(1, 2, 3)\n"
            "        self.fc = nn.Linear(2 * 13 * 13, 10)\n", 3_410),
}


def _read(code: str, name: str) -> Any:
    from cnncalc.dialects.resolve import resolve

    return resolve(code, None, "1x28x28", model=name)


def _torch(code: str, name: str) -> Any:
    namespace: dict[str, Any] = {}
    exec(code, namespace)  # the oracle side: torch builds the class
    return namespace[name]()


@pytest.mark.parametrize("name", list(READ))
def test_a_subclass_is_read_with_its_own_attributes_and_methods(name: str) -> None:
    body, params = READ[name]
    code = BASE + body + f"\n\nmodel = {name}()\n"
    assert _read(code, name).title.startswith(name)
    net = _torch(code, name)
    assert sum(p.numel() for p in net.parameters()) == params
    assert_reads_as_torch(code, name, "1x28x28", net)
    # Base itself is still read as Base: 40 + 6,770
    assert_reads_as_torch(code, "Base", "1x28x28", _torch(code, "Base"))


def test_a_file_with_a_model_and_its_subclass_names_both() -> None:
    """Before, `model = Wider()` was passed over and Base read in its place."""
    code = BASE + READ["Wider"][0] + "\n\nmodel = Wider()\n"
    with pytest.raises(CnnCalcError, match=r"2 models: Base \(line 6\), Wider"):
        cnncalc.summary(code, input_size="1x28x28")


REFUSED = {
    "super().__init__ runs Base's": (
        "class Sub(Base):\n    def __init__(self):\n        super().__init__()\n"
        "        self.extra = nn.Linear(10, 10)\n", "calls Base.__init__ through super()"),
    "super().forward runs Base's": (
        "class Sub(Base):\n    def forward(self, x):\n        return super().forward(x) * 2\n",
        "calls Base.forward through super()"),
    "an attribute computed in Base's namespace": (
        "class Base2(nn.Module):\n    w = 2\n    w2 = w * 2\n\n    def __init__(self):\n"
        "        super().__init__()\n        self.c = nn.Conv2d(1, self.w2, 3)\n\n"
        "    def forward(self, x):\n        return self.c(x)\n\n\n"
        "class Sub(Base2):\n    w = 5\n", "Base2.w2 is computed from w"),
    # Python finds the module's scale (3) for Sub's width; merged, Base2's scale (2) would
    # come first
    "a subclass attribute from a name of the base's body": (
        "scale = 3\n\n\nclass Base2(Base):\n    scale = 2\n\n\n"
        "class Sub(Base2):\n    width = scale * 2\n", "uses the name scale"),
    "two bases": ("class Other:\n    pass\n\n\nclass Sub(Base, Other):\n    width = 6\n",
                  "more than one base"),
}


@pytest.mark.parametrize("why", list(REFUSED))
def test_a_subclass_python_would_build_otherwise_is_refused_not_misread(why: str) -> None:
    body, message = REFUSED[why]
    code = BASE + body
    net = _torch(code, "Sub")  # torch builds it: cnncalc must not give Base's figures
    assert net is not None
    with pytest.raises(CnnCalcError, match=message):
        _read(code, "Sub")


def test_a_block_subclass_is_read_where_a_model_uses_it() -> None:
    """A block class subclassed to change one attribute, used as a layer: conv 8·8·9 + 8
    = 584 in Wide, 8·4·9 + 4 = 292 in Block, after a stem of 1·8·9 + 8 = 80."""
    code = """import torch.nn as nn


class Block(nn.Module):
    out = 4

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(8, self.out, 3, padding=1)

    def forward(self, x):
        return self.conv(x)


class Wide(Block):
    out = 8


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(1, 8, 3, padding=1)
        self.a = Wide()
        self.b = Block()

    def forward(self, x):
        return self.b(self.a(self.stem(x)))
"""
    net = _torch(code, "Net")
    assert sum(p.numel() for p in net.parameters()) == 80 + 584 + 292
    assert_reads_as_torch(code, "Net", "1x8x8", net)


def test_a_model_class_a_statement_may_change_is_refused_not_read_as_written() -> None:
    """`setattr(Base, 'width', 8)` makes torch build 8 channels: a statement cnncalc does
    not read that hands the class on spoils it. One that only calls it (a summary of
    `Base()`) changes nothing: Base is still read, 40 + 6,770 parameters."""
    code = BASE + "setattr(Base, 'width', 8)\nmodel = Base()\n"
    assert sum(p.numel() for p in _torch(code, "Base").parameters()) == 80 + 13_530
    with pytest.raises(CnnCalcError, match="setattr can change any name or model"):
        cnncalc.summary(code, input_size="1x28x28")
    code = BASE + "import torchsummary\ntorchsummary.summary(Base(), (1, 28, 28))\n"
    assert cnncalc.summary(code, input_size="1x28x28").total_params == 6_810
    # a base changed before it is subclassed: the subclass is refused, never merged with
    # the body as written (torch builds Sub with 8 channels)
    code = BASE + "Base.width = 8\n\n\nclass Sub(Base):\n    pass\n"
    assert sum(p.numel() for p in _torch(code, "Sub").parameters()) == 80 + 13_530
    with pytest.raises(CnnCalcError, match="Base is changed or bound again before Sub"):
        _read(code, "Sub")
