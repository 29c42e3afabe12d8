"""Weight initialisation in __init__ changes no shape and no count: read, recorded, and
checked against the torch module the same code builds (the oracle runs the inits too)."""

from __future__ import annotations

from typing import Any

import pytest
import torch
from torch import nn

from cnncalc.dialects.read import CodeError, Init, read_model

from .test_pytorch import check
from .torch_models import SEQ

# The course notes' MNIST CNN (seeds/003, "10-2 MNIST CNN"): the class of Lab 11-1 of
# "Deep Learning Zero To All, season 2", https://github.com/deeplearningzerotoall/PyTorch,
# CNN/lab-11-1-mnist_cnn.py at commit 92e8e9725c1547dc8bd70f5dafb6939d9c76988c.
NOTES_CNN = """
class CNN(torch.nn.Module):

    def __init__(self):
        super(CNN, self).__init__()
        # L1 ImgIn shape=(?, 28, 28, 1)
        self.layer1 = torch.nn.Sequential(
            torch.nn.Conv2d(1, 32, kernel_size=3, stride=1, padding=1),
            torch.nn.ReLU(),
            torch.nn.MaxPool2d(kernel_size=2, stride=2))
        # L2 ImgIn shape=(?, 14, 14, 32)
        self.layer2 = torch.nn.Sequential(
            torch.nn.Conv2d(32, 64, kernel_size=3, stride=1, padding=1),
            torch.nn.ReLU(),
            torch.nn.MaxPool2d(kernel_size=2, stride=2))
        # Final FC 7x7x64 inputs -> 10 outputs
        self.fc = torch.nn.Linear(7 * 7 * 64, 10, bias=True)
        torch.nn.init.xavier_uniform_(self.fc.weight)

    def forward(self, x):
        out = self.layer1(x)
        out = self.layer2(out)
        out = out.view(out.size(0), -1)   # Flatten them for FC
        out = self.fc(out)
        return out
"""


def test_the_notes_class_reads_exactly_and_keeps_its_init() -> None:
    s = check(NOTES_CNN, "1x28x28")  # every row against the torch module of the same code
    # By hand: 1·32·9 + 32 = 320; 32·64·9 + 64 = 18,496; 3136·10 + 10 = 31,370.
    assert s.trainable_params == 320 + 18_496 + 31_370 == 50_186
    line = (SEQ + NOTES_CNN).splitlines().index(
        "        torch.nn.init.xavier_uniform_(self.fc.weight)") + 1
    assert read_model(SEQ + NOTES_CNN).inits == (
        Init("fc", "weight", "xavier_uniform_", (), "", line),)


def _class(init: str, extra: str = "") -> str:
    body = "\n".join("        " + line for line in init.strip().splitlines())
    return extra + f"""
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 8, 3)
        self.bn = nn.BatchNorm2d(8)
        self.fc = nn.Linear(8 * 26 * 26, 10)
        self.head = nn.Linear(10, 4, bias=False)
{body}

    def _init_weights(self, module):
        if isinstance(module, nn.Linear):
            nn.init.trunc_normal_(module.weight, std=0.02)
            if module.bias is not None:
                nn.init.zeros_(module.bias)

    def _initialize_weights(self):
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
                if m.bias is not None:
                    nn.init.constant_(m.bias, 0)
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 0)

    def forward(self, x):
        x = self.bn(self.conv(x))
        return self.head(self.fc(x.view(x.size(0), -1)))
"""


DCGAN_INIT = """
def weights_init(m):
    classname = m.__class__.__name__
    if classname.find('Conv') != -1:
        m.weight.data.normal_(0.0, 0.02)
    elif classname.find('BatchNorm') != -1:
        m.weight.data.normal_(1.0, 0.02)
        m.bias.data.fill_(0)
"""


@pytest.mark.parametrize(("init", "extra", "recorded"), [
    ("nn.init.kaiming_normal_(self.conv.weight, mode='fan_out', nonlinearity='relu')\n"
     "nn.init.constant_(self.conv.bias, 0)\nnn.init.normal_(self.fc.weight, 0, 0.01)\n"
     "nn.init.zeros_(self.fc.bias)", "",
     [("conv", "weight", "kaiming_normal_", ("mode='fan_out'", "nonlinearity='relu'"), ""),
      ("conv", "bias", "constant_", ("0",), ""), ("fc", "weight", "normal_", ("0", "0.01"), ""),
      ("fc", "bias", "zeros_", (), "")]),
    ("self.fc.weight.data.normal_(0, 0.01)\nself.fc.bias.data.zero_()\n"
     "self.bn.weight.data.fill_(1)\nself.head.weight.data.uniform_(-0.1, 0.1)", "",
     [("fc", "weight", "normal_", ("0", "0.01"), ""), ("fc", "bias", "zero_", (), ""),
      ("bn", "weight", "fill_", ("1",), ""), ("head", "weight", "uniform_", ("-0.1", "0.1"), "")]),
    ("self.apply(weights_init)", DCGAN_INIT,
     [("*", "weight", "normal_", ("0.0", "0.02"), "classname.find('Conv') != -1"),
      ("*", "weight", "normal_", ("1.0", "0.02"),
       "not (classname.find('Conv') != -1) and classname.find('BatchNorm') != -1"),
      ("*", "bias", "fill_", ("0",),
       "not (classname.find('Conv') != -1) and classname.find('BatchNorm') != -1")]),
    ("self.apply(self._init_weights)", "",
     [("*", "weight", "trunc_normal_", ("std=0.02",), "isinstance(module, nn.Linear)"),
      ("*", "bias", "zeros_", (),
       "isinstance(module, nn.Linear) and module.bias is not None")]),
    ("self._initialize_weights()", "",
     [("*", "weight", "kaiming_normal_", ("mode='fan_out'", "nonlinearity='relu'"),
       "isinstance(m, nn.Conv2d)"),
      ("*", "bias", "constant_", ("0",), "isinstance(m, nn.Conv2d) and m.bias is not None"),
      ("*", "weight", "constant_", ("1",),
       "not (isinstance(m, nn.Conv2d)) and isinstance(m, nn.BatchNorm2d)"),
      ("*", "bias", "constant_", ("0",),
       "not (isinstance(m, nn.Conv2d)) and isinstance(m, nn.BatchNorm2d)")]),
])
def test_initialisations_change_nothing_and_are_recorded(
        init: str, extra: str, recorded: list[tuple[str, str, str, tuple[str, ...], str]]
) -> None:
    code = _class(init, extra)
    check(code, "1x28x28")  # the torch module, built with its inits, has the same rows
    model = read_model(SEQ + code)
    assert [(i.layer, i.tensor, i.function, i.args, i.when) for i in model.inits] == recorded


def _torch_refuses(code: str) -> None:
    namespace: dict[str, Any] = {}
    exec(SEQ + code, namespace)  # the oracle side builds the real module
    with pytest.raises((AttributeError, TypeError, ValueError, RuntimeError)):
        namespace["Net"]()


@pytest.mark.parametrize(("init", "extra", "needle", "torch_refuses"), [
    ("nn.init.zeros_(self.head.bias)", "", "self.head has no bias", True),
    ("nn.init.zeros_(self.nope.weight)", "", "self.nope is not a layer defined above", True),
    ("self.apply(grow)", "def grow(m):\n    if isinstance(m, nn.Linear):\n"
     "        m.weight = nn.Parameter(torch.zeros(3, 3))\n",
     "line 8: m.weight = nn.Parameter(torch.zeros(3, 3)) in grow() (given to self.apply) is "
     "not a weight initialisation cnncalc knows", False),  # line 8: after SEQ's 5 lines
    ("self.apply(lambda m: None)", "", "is not a function of the file", False),
    ("self._init_weights(self.fc)", "", "isinstance(module, nn.Linear): isinstance of a "
     "class is not read", False),
])
def test_what_is_not_an_initialisation_is_an_error(init: str, extra: str, needle: str,
                                                   torch_refuses: bool) -> None:
    code = _class(init, extra)
    with pytest.raises(CodeError) as info:
        read_model(SEQ + code)
    assert needle in str(info.value) and "\n" not in str(info.value)
    if torch_refuses:
        _torch_refuses(code)


def test_a_helper_that_builds_layers_is_not_taken_for_an_init() -> None:
    code = _class("self._build()").replace(
        "    def forward", "    def _build(self):\n        self.extra = nn.Linear(4, 4)\n\n"
        "    def forward")
    with pytest.raises(CodeError) as info:
        read_model(SEQ + code)
    # The helper runs: its layer is built, and forward() never uses it.
    assert "self.extra has weights but forward() never uses it" in str(info.value)
    module = _built(code)
    assert any(isinstance(m, nn.Linear) and m.in_features == 4 for m in module.modules())


def _built(code: str) -> nn.Module:
    namespace: dict[str, Any] = {}
    exec(SEQ + code, namespace)  # the oracle side builds the real module
    module = namespace["Net"]()
    assert isinstance(module, nn.Module)
    return module


torch.set_num_threads(1)
