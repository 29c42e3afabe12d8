"""Preset totals against torch modules written out in the test, and against published figures."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from cnncalc.calc import summarize_spec
from cnncalc.calc.shape import parse_shape
from cnncalc.presets import PRESETS


def n_params(m: nn.Module) -> int:
    return sum(p.numel() for p in m.parameters())


class BasicBlock(nn.Module):
    """torchvision's ResNet BasicBlock, written out."""

    def __init__(self, cin: int, cout: int, stride: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.down = (nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False),
                                   nn.BatchNorm2d(cout))
                     if stride != 1 or cin != cout else nn.Identity())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.bn2(self.conv2(torch.relu(self.bn1(self.conv1(x)))))
        return torch.relu(y + self.down(x))


def resnet(layers: list[int]) -> nn.Module:
    mods: list[nn.Module] = [nn.Conv2d(3, 64, 7, 2, 3, bias=False), nn.BatchNorm2d(64),
                             nn.ReLU(), nn.MaxPool2d(3, 2, 1)]
    cin = 64
    for i, (c, n) in enumerate(zip([64, 128, 256, 512], layers)):
        for b in range(n):
            mods.append(BasicBlock(cin, c, 2 if b == 0 and i > 0 else 1))
            cin = c
    mods += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(512, 1000)]
    return nn.Sequential(*mods)


def alexnet() -> nn.Module:
    return nn.Sequential(
        nn.Conv2d(3, 64, 11, 4, 2), nn.ReLU(), nn.MaxPool2d(3, 2),
        nn.Conv2d(64, 192, 5, padding=2), nn.ReLU(), nn.MaxPool2d(3, 2),
        nn.Conv2d(192, 384, 3, padding=1), nn.ReLU(), nn.Conv2d(384, 256, 3, padding=1),
        nn.ReLU(), nn.Conv2d(256, 256, 3, padding=1), nn.ReLU(), nn.MaxPool2d(3, 2),
        nn.AdaptiveAvgPool2d(6), nn.Flatten(), nn.Dropout(), nn.Linear(9216, 4096), nn.ReLU(),
        nn.Dropout(), nn.Linear(4096, 4096), nn.ReLU(), nn.Linear(4096, 1000))


def vgg16() -> nn.Module:
    mods: list[nn.Module] = []
    cin = 3
    for v in [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M",
              512, 512, 512, "M"]:
        if v == "M":
            mods.append(nn.MaxPool2d(2))
        else:
            assert isinstance(v, int)
            mods += [nn.Conv2d(cin, v, 3, padding=1), nn.ReLU()]
            cin = v
    mods += [nn.AdaptiveAvgPool2d(7), nn.Flatten(), nn.Linear(25088, 4096), nn.ReLU(),
             nn.Dropout(), nn.Linear(4096, 4096), nn.ReLU(), nn.Dropout(), nn.Linear(4096, 1000)]
    return nn.Sequential(*mods)


def lenet5() -> nn.Module:
    return nn.Sequential(nn.Conv2d(1, 6, 5), nn.Tanh(), nn.AvgPool2d(2), nn.Conv2d(6, 16, 5),
                         nn.Tanh(), nn.AvgPool2d(2), nn.Conv2d(16, 120, 5), nn.Tanh(),
                         nn.Flatten(), nn.Linear(120, 84), nn.Tanh(), nn.Linear(84, 10))


REFERENCE = {
    "resnet18": lambda: resnet([2, 2, 2, 2]),
    "resnet34": lambda: resnet([3, 4, 6, 3]),
    "alexnet": alexnet,
    "vgg16": vgg16,
    "lenet5": lenet5,
}


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_classic_presets_match_torch_and_published(name: str) -> None:
    preset = PRESETS[name]
    s = summarize_spec(preset.spec, parse_shape(preset.input))
    with torch.device("meta"):
        reference = REFERENCE[name]()
    assert s.trainable_params == n_params(reference) == preset.published_params
    bn_stats = sum(b.numel() for k, b in reference.named_buffers()
                   if k.endswith(("running_mean", "running_var")))
    assert s.non_trainable_params == bn_stats


def test_published_mnist_figures() -> None:
    # PyTorch examples net: 320 + 18,496 + 9216·128+128 + 1290 = 1,199,882
    # Keras convnet (model.summary): 320 + 18,496 + 16,010 = 34,826
    for name in ("pytorch-mnist", "keras-mnist", "tf-cnn"):
        p = PRESETS[name]
        assert summarize_spec(p.spec, parse_shape(p.input)).trainable_params == p.published_params


def test_published_macs() -> None:
    # ResNet-18: 1.82 GMACs and AlexNet 0.71 GMACs are the widely quoted figures (fvcore/ptflops).
    r18 = summarize_spec(PRESETS["resnet18"].spec, (3, 224, 224)).total_macs
    alex = summarize_spec(PRESETS["alexnet"].spec, (3, 224, 224)).total_macs
    assert round(r18 / 1e9, 2) == 1.81 or round(r18 / 1e9, 2) == 1.82
    assert round(alex / 1e9, 2) == 0.71
