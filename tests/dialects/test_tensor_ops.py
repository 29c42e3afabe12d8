"""forward()'s tensor methods: chunk and split pieces in branches, x.size(i) and x.shape[i],
mean over H and W, and the constructs refused by name (a stack not folded back, an unbind
of a tensor that is not a stack, a tuple of one tensor returned; tests/dialects/
test_stack.py reads the stacks that are folded back).

The oracle is torch: each model below is built and run by torch, and its weighted layers
(output shape, parameters, MACs) and output shape must equal the calculator's. A cut torch
itself refuses (a split into more pieces than the code unpacks) must be an error here too.
"""

from __future__ import annotations

import textwrap

import pytest
import torch

from cnncalc.dialects.values import CodeError
from cnncalc.errors import LayerError

from .test_branches import check, read, torch_net

torch.set_num_threads(1)

HEAD = "import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n\n"


def _net(init: str, forward: str) -> str:
    return HEAD + "class Net(nn.Module):\n    def __init__(self):\n" \
        "        super().__init__()\n" + textwrap.indent(textwrap.dedent(init), " " * 8) + \
        "\n    def forward(self, x):\n" + textwrap.indent(textwrap.dedent(forward), " " * 8)


MODELS = [
    # ShuffleNet v2's basic unit: half the channels pass, the other half is convolved.
    ("shufflenet_unit", _net("""
        self.stem = nn.Conv2d(3, 16, 3, padding=1)
        self.branch = nn.Sequential(nn.Conv2d(8, 8, 1, bias=False), nn.BatchNorm2d(8),
                                    nn.ReLU(), nn.Conv2d(8, 8, 3, padding=1, groups=8),
                                    nn.BatchNorm2d(8))
        self.fc = nn.Linear(16, 10)
        """, """
        x = self.stem(x)
        x1, x2 = x.chunk(2, dim=1)
        x = torch.cat((x1, self.branch(x2)), dim=1)
        x = x.mean([2, 3])
        return self.fc(x)
        """), "3x16x16"),
    # A gated unit: torch.chunk into a value and a gate (GLU), multiplied.
    ("glu", _net("""
        self.conv = nn.Conv2d(1, 12, 3)
        self.head = nn.Conv2d(6, 4, 1)
        """, """
        a, b = torch.chunk(self.conv(x), 2, 1)
        y = a * torch.sigmoid(b)
        return F.adaptive_avg_pool2d(self.head(y), 1)
        """), "1x10x10"),
    # torch.split by size 3 of 8 channels: 3 + 3 + 2; the unused middle piece has no
    # weights. The branches concatenate 4 + 5 = 9 channels.
    ("split_by_size", _net("""
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.a = nn.Conv2d(3, 4, 3, padding=1)
        self.c = nn.Conv2d(2, 5, 1)
        self.fc = nn.Linear(9 * 8 * 8, 10)
        """, """
        a, b, c = torch.split(self.conv(x), 3, dim=1)
        y = torch.cat([self.a(a), self.c(c)], 1)
        n, ch, h, w = y.size()
        return self.fc(y.view(n, -1))
        """), "3x8x8"),
    # A listed split [4, 4, 2] of 10 channels, kept as a tuple and indexed.
    ("split_listed", _net("""
        self.conv = nn.Conv2d(1, 10, 3)
        self.p = nn.Conv2d(2, 6, 3, padding=1)
        self.fc = nn.Linear(10, 3)
        """, """
        parts = self.conv(x).split([4, 4, 2], 1)
        y = torch.cat([parts[0], self.p(parts[-1])], 1)
        y = torch.mean(y, dim=(-2, -1), keepdim=True)
        return self.fc(y.flatten(1))
        """), "1x9x9"),
    # A whole chunk concatenated back, a flat vector cut in two, x.shape[0] as the batch.
    ("flat_chunks", _net("""
        self.conv = nn.Conv2d(1, 4, 3)
        self.fc = nn.Linear(4 * 6 * 6, 20)
        self.out = nn.Linear(10, 2)
        """, """
        x = torch.cat(x.chunk(1, 1), 1)
        x = self.conv(x).view(x.shape[0], -1)
        mu, logvar = self.fc(x).chunk(2, dim=1)
        return self.out(mu + logvar)
        """), "1x8x8"),
    # A value forward() computes from the class's constants (features = self.k * 4 * 4).
    # MixConv: listed sizes that differ, 3 + 5 of 8 channels, each with its own kernel.
    ("mixconv", _net("""
        self.conv = nn.Conv2d(1, 8, 3)
        self.k3 = nn.Conv2d(3, 3, 3, padding=1, groups=3)
        self.k5 = nn.Conv2d(5, 5, 5, padding=2, groups=5)
        """, """
        a, b = torch.split(self.conv(x), [3, 5], dim=1)
        return torch.cat([self.k5(b), self.k3(a)], 1)
        """), "1x9x9"),
    # list(x.chunk(...)) is a list the code may grow (YOLOv8's C2f block writes it so).
    ("chunk_list", _net("""
        self.cv1 = nn.Conv2d(3, 8, 1)
        self.m = nn.Conv2d(4, 4, 3, padding=1)
        self.cv2 = nn.Conv2d(12, 6, 1)
        """, """
        y = list(self.cv1(x).chunk(2, 1))
        y.append(self.m(y[-1]))
        return self.cv2(torch.cat(y, 1))
        """), "3x8x8"),
    ("view_literal", _net("""
        self.k = 4
        self.conv = nn.Conv2d(1, self.k, 5)
        self.fc = nn.Linear(4 * 4 * 4, 10)
        """, """
        x = F.max_pool2d(F.relu(self.conv(x)), 2)
        features = self.k * 4 * 4
        x = x.view(-1, features)
        return self.fc(x)
        """), "1x12x12"),
]


@pytest.mark.parametrize(("name", "code", "shape"), MODELS, ids=[m[0] for m in MODELS])
def test_tensor_methods_match_torch(name: str, code: str, shape: str) -> None:
    check(code, shape)


def test_a_chunk_row_states_its_channels() -> None:
    """glu: 12 channels chunked in 2 are channels 0..5 and 6..11, 6 each (torch.chunk)."""
    s = read(MODELS[1][1], "1x10x10")
    slices = [r for r in s.leaves() if r.kind == "slice"]
    assert [(r.input_shape, r.output_shape) for r in slices] == [((12, 8, 8), (6, 8, 8))] * 2
    assert "channels 0..5 of 12" in slices[0].formula
    assert "channels 6..11 of 12" in slices[1].formula


def _forward(body: str, init: str = "self.conv = nn.Conv2d(1, 8, 3, padding=1)") -> str:
    return _net(init, "x = self.conv(x)\n" + textwrap.dedent(body))


# forward() line 1 is the file's line 10 (`x = self.conv(x)`); the body starts at 11.
REFUSED = [
    ("c = x.size(1)\nreturn x.view(x.size(0), c * 28 * 28)", 11, "x.size(1) is a size"),
    ("b, c, h, w = x.shape\nreturn x.view(b, c * h * w)", 11, "x.shape[1] is a size"),
    ("return x.view(x.size(0), x.size(1), -1)", 11, "x.size(1) is a size"),
    ("return (x,)", 11, "forward() returns (x,), a tuple of 1 tensor"),
    ("return torch.stack([x, x], 1)", 11, "adds a dimension"),
    ("a = torch.unbind(x, 1)\nreturn a[0]", 11, "removes a dimension"),
    ("a, b = x.chunk(2)\nreturn a", 11, "cuts dim 0"),
    ("p = torch.split(x, 4, 1)\nreturn p[0]", 11, "only known when the code runs"),
    ("a, b, c = x.chunk(2, 1)\nreturn a", 11, "gives 2 pieces, but the code unpacks 3"),
    ("return F.relu(x.chunk(2, 1))", 11, "gives several tensors"),
    ("return x.mean(1)", 11, "averages over dims 1"),
    ("return x.mean()", 11, "averages every value"),
    ("a, b = x.chunk(2, 1)\nreturn a[0]", 12, "a[0] in forward() is not supported"),
    # torch.chunk gives a tuple: appending to it fails in torch (a list of it does not).
    ("p = x.chunk(2, 1)\np.append(x)\nreturn torch.cat(p, 1)", 12, "p is a tuple"),
    ("p = (x,)\np += [x]\nreturn torch.cat(p, 1)", 12, "p is a tuple"),
]


@pytest.mark.parametrize(("body", "line", "needle"), REFUSED, ids=[r[2] for r in REFUSED])
def test_what_cannot_be_read_is_refused_naming_the_line(body: str, line: int,
                                                        needle: str) -> None:
    with pytest.raises(CodeError) as e:
        read(_forward(body), "1x28x28")
    assert e.value.message.startswith(f"line {line}: "), e.value.message
    assert needle in e.value.message


# Cuts torch refuses once it knows the channels: the calculator refuses them too. Each is
# checked against torch raising on the same module.
CALC_REFUSED = [
    # torch.split(8 channels, 3) gives 3, 3, 2: three pieces, not the two unpacked.
    ("a, b = torch.split(x, 3, dim=1)\nreturn a + b", "into 3 pieces (3+3+2), not the 2"),
    # torch.chunk(8 channels, 3) gives ceil(8/3) = 3, 3, 2; chunk(8, 5) gives 2, 2, 2, 2:
    # four pieces, not five.
    ("a, b, c, d, e = x.chunk(5, 1)\nreturn a", "into 4 pieces (2+2+2+2), not the 5"),
    # The listed sizes add up to 9; the input has 8 channels.
    ("a, b, c = x.split([3, 3, 3], 1)\nreturn a", "add up to 9, but the input has 8"),
    ("a, b = x.split([3, 6], 1)\nreturn a", "add up to 9, but the input has 8"),
]


@pytest.mark.parametrize(("body", "needle"), CALC_REFUSED, ids=[c[1] for c in CALC_REFUSED])
def test_a_cut_torch_refuses_is_refused(body: str, needle: str) -> None:
    code = _forward(body)
    with pytest.raises((RuntimeError, ValueError)):
        torch_net(code)(torch.zeros(1, 1, 28, 28))
    with pytest.raises(LayerError, match=needle.replace("(", r"\(").replace(")", r"\)")
                       .replace("+", r"\+")):
        read(code, "1x28x28")
