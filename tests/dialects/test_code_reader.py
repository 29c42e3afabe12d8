"""The code reader's refusals: each names the line and the construct, never a guess."""

from __future__ import annotations

import pytest

from cnncalc.calc.summary import summarize
from cnncalc.dialects.read import CodeError, read_model
from cnncalc.errors import CnnCalcError

HEAD = "import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n"


def module(init: str, forward: str) -> str:
    pad = "\n        "
    return (HEAD + "class Net(nn.Module):\n    def __init__(self):\n"
            "        super().__init__()" + pad + pad.join(init.splitlines()) +
            "\n    def forward(self, x):" + pad + pad.join(forward.splitlines()) + "\n")


@pytest.mark.parametrize(("code", "line", "needle"), [
    (module("self.c = nn.Conv2d(1, 4, 3)", "if x.sum() > 0:\n    x = self.c(x)\nreturn x"),
     9, "an if in forward()"),
    (module("self.cs = nn.ModuleList([nn.Conv2d(1, 1, 3), nn.Conv2d(1, 1, 3)])",
            "return self.cs[0](x)"), 7, "self.cs['1'] has weights but forward() never uses it"),
    (module("self.c = nn.Conv2d(1, 4, 3)\nself.unused = nn.Linear(4, 4)", "return self.c(x)"),
     8, "self.unused has weights but forward() never uses it"),
    (module("self.c = nn.Conv2d(1, k, 3)", "return self.c(x)"), 7,
     "the value k is not known without running the code"),
    (module("self.c = MyConv(1, 4)", "return self.c(x)"), 7, "unknown layer class MyConv"),
    (module("self.c = nn.Conv2d(1, 4, 3)", "x = self.c(x)\nreturn x.view(4, -1)"),
     10, "does not give one flat vector per sample"),
    (module("self.c = nn.Conv2d(1, 4, 3)", "return torch.flatten(self.c(x))"), 9,
     "flattens the batch too"),
    (module("self.c = nn.Conv2d(1, 4, 3)", "return self.c(x).flatten(2)"), 9,
     "flattens from dim 2 on; cnncalc reads a flatten from dim 1"),
    (module("self.c = nn.Conv2d(1, 4, 3)", "return torch.cat([self.c(x), x], 2)"), 9,
     "concatenates on dim 2"),
    (module("self.c = layers.Conv2D(4, 3)", "return self.c(x)"), 4,
     "Keras layers in a PyTorch model"),
    (HEAD + "model = nn.Sequential(*[nn.ReLU() for _ in range(3)])\n", 4,
     "*[nn.ReLU() for _ in range(3)] is only known when the code runs"),
    (HEAD + "m = nn.Sequential(nn.Flatten())\nm.append(nn.Linear(784, 10))\n", 5,
     "changes the model after it is built"),
    (HEAD + "class M(keras.Model):\n    pass\n", 4, "class M needs __init__ and call"),
    ("model = keras.Sequential([layers.Dense(10)])\nmodel.pop()\n", 2,
     "changes the model after it is built"),
])
def test_unreadable_code_is_refused_with_its_line(code: str, line: int, needle: str) -> None:
    with pytest.raises(CodeError) as info:
        read_model(code)
    message = str(info.value)
    assert message.startswith(f"line {line}: "), message
    assert needle in message and "\n" not in message


def test_declared_view_size_is_checked() -> None:
    code = module("self.c = nn.Conv2d(1, 4, 3)\nself.fc = nn.Linear(2704, 10)",
                  "x = self.c(x)\nx = x.view(-1, 2000)\nreturn self.fc(x)")
    m = read_model(code)
    with pytest.raises(CnnCalcError) as info:
        summarize(m.nodes, (1, 28, 28))
    # 4·26·26 = 2704 values per sample; view(-1, 2000) would silently change the batch.
    assert "expects 2000 input features, but layer 1 conv(4,3) gives 2704 (4x26x26)" in str(
        info.value)


def test_constructor_arguments_in_the_code_are_used() -> None:
    code = module("self.fc = nn.Linear(784, n)", "return self.fc(x.view(x.size(0), -1))")
    code = code.replace("def __init__(self):", "def __init__(self, n=10):")
    assert summarize(read_model(code).nodes, (1, 28, 28)).trainable_params == 7850
    # Net(n=100): 784·100 + 100 = 78,500.
    built = read_model(code + "model = Net(n=100)\n")
    assert summarize(built.nodes, (1, 28, 28)).trainable_params == 78_500
    with pytest.raises(CodeError, match="built with different arguments"):
        read_model(code + "a = Net(5)\nb = Net(6)\n")


def test_no_model_and_too_many() -> None:
    with pytest.raises(CodeError, match="no model found"):
        read_model("x = 1\n")
    with pytest.raises(CodeError, match="no model named 'c'"):
        read_model(HEAD + "a = nn.Sequential(nn.ReLU())\n", "c")


def test_identity_shortcut_that_changes_shape_is_an_error() -> None:
    """torch raises at `self.c(x) + x` when the shapes differ; cnncalc must not add a
    projection of its own there (it does so only for a spec's res[...])."""
    code = module("self.c = nn.Conv2d(3, 8, 3, padding=1)", "return self.c(x) + x")
    m = read_model(code)
    with pytest.raises(CnnCalcError) as info:
        summarize(m.nodes, (3, 8, 8))
    assert "the body turns 3x8x8 into 8x8x8, so adding its input (an identity shortcut) " \
        "fails" in str(info.value)


def test_shortcut_that_does_not_match_the_body_is_an_error() -> None:
    code = module("self.c = nn.Conv2d(3, 8, 3, stride=2, padding=1)\n"
                  "self.s = nn.Conv2d(3, 8, 1)", "return self.c(x) + self.s(x)")
    m = read_model(code)
    with pytest.raises(CnnCalcError) as info:
        summarize(m.nodes, (3, 8, 8))
    assert "the body gives 8x4x4 but the shortcut gives 8x8x8, so they cannot be added" in str(
        info.value)
