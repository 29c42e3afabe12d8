"""Preset totals against torch modules written out in the test, and against published figures."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from cnncalc.calc import summarize_spec
from cnncalc.ops.shape import parse_shape
from cnncalc.presets import PRESETS

from .graph.reference import Cat, assert_builds_alike, assert_matches


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


# Graph presets, each against a module written out here in the style of its source
# (torchvision's models, milesial/Pytorch-UNet); torchvision itself is not a dependency.

def basic_conv(cin: int, cout: int, kernel: int | tuple[int, int] = 1, stride: int = 1,
               padding: int | tuple[int, int] = 0) -> nn.Sequential:
    """torchvision's BasicConv2d (GoogLeNet, Inception-v3): conv without bias, bn eps=0.001."""
    return nn.Sequential(nn.Conv2d(cin, cout, kernel, stride, padding, bias=False),
                         nn.BatchNorm2d(cout, eps=0.001), nn.ReLU())


class Inception(nn.Module):
    """GoogLeNet's module; the "5x5" branch holds a 3x3 conv, as in torchvision."""

    def __init__(self, cin: int, c1: int, c3r: int, c3: int, c5r: int, c5: int,
                 pool: int) -> None:
        super().__init__()
        self.branch1 = basic_conv(cin, c1)
        self.branch2 = nn.Sequential(basic_conv(cin, c3r), basic_conv(c3r, c3, 3, padding=1))
        self.branch3 = nn.Sequential(basic_conv(cin, c5r), basic_conv(c5r, c5, 3, padding=1))
        self.branch4 = nn.Sequential(nn.MaxPool2d(3, 1, 1, ceil_mode=True),
                                     basic_conv(cin, pool))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([self.branch1(x), self.branch2(x), self.branch3(x),
                          self.branch4(x)], 1)


def googlenet() -> nn.Module:
    def pool() -> nn.Module:
        return nn.MaxPool2d(3, 2, ceil_mode=True)

    return nn.Sequential(
        basic_conv(3, 64, 7, 2, 3), pool(), basic_conv(64, 64), basic_conv(64, 192, 3, padding=1),
        pool(), Inception(192, 64, 96, 128, 16, 32, 32), Inception(256, 128, 128, 192, 32, 96, 64),
        pool(), Inception(480, 192, 96, 208, 16, 48, 64), Inception(512, 160, 112, 224, 24, 64, 64),
        Inception(512, 128, 128, 256, 24, 64, 64), Inception(512, 112, 144, 288, 32, 64, 64),
        Inception(528, 256, 160, 320, 32, 128, 128), nn.MaxPool2d(2, 2, ceil_mode=True),
        Inception(832, 256, 160, 320, 32, 128, 128), Inception(832, 384, 192, 384, 48, 128, 128),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(0.2), nn.Linear(1024, 1000))


def _avg_then(cin: int, cout: int) -> nn.Sequential:
    # torchvision: F.avg_pool2d(x, 3, 1, 1) (count_include_pad=True), then a 1x1 BasicConv2d
    return nn.Sequential(nn.AvgPool2d(3, 1, 1), basic_conv(cin, cout))


def inception_a(cin: int, pool: int) -> nn.Module:
    return Cat(basic_conv(cin, 64),
               nn.Sequential(basic_conv(cin, 48), basic_conv(48, 64, 5, padding=2)),
               nn.Sequential(basic_conv(cin, 64), basic_conv(64, 96, 3, padding=1),
                             basic_conv(96, 96, 3, padding=1)),
               _avg_then(cin, pool))


def inception_b(cin: int) -> nn.Module:
    return Cat(basic_conv(cin, 384, 3, 2),
               nn.Sequential(basic_conv(cin, 64), basic_conv(64, 96, 3, padding=1),
                             basic_conv(96, 96, 3, 2)),
               nn.MaxPool2d(3, 2))


def inception_c(cin: int, c7: int) -> nn.Module:
    def row(a: int, b: int) -> nn.Module:
        return basic_conv(a, b, (1, 7), padding=(0, 3))

    def col(a: int, b: int) -> nn.Module:
        return basic_conv(a, b, (7, 1), padding=(3, 0))

    return Cat(basic_conv(cin, 192),
               nn.Sequential(basic_conv(cin, c7), row(c7, c7), col(c7, 192)),
               nn.Sequential(basic_conv(cin, c7), col(c7, c7), row(c7, c7), col(c7, c7),
                             row(c7, 192)),
               _avg_then(cin, 192))


def inception_d(cin: int) -> nn.Module:
    return Cat(nn.Sequential(basic_conv(cin, 192), basic_conv(192, 320, 3, 2)),
               nn.Sequential(basic_conv(cin, 192), basic_conv(192, 192, (1, 7), padding=(0, 3)),
                             basic_conv(192, 192, (7, 1), padding=(3, 0)),
                             basic_conv(192, 192, 3, 2)),
               nn.MaxPool2d(3, 2))


def inception_e(cin: int) -> nn.Module:
    def split(c: int) -> nn.Module:
        return Cat(basic_conv(c, 384, (1, 3), padding=(0, 1)),
                   basic_conv(c, 384, (3, 1), padding=(1, 0)))

    return Cat(basic_conv(cin, 320), nn.Sequential(basic_conv(cin, 384), split(384)),
               nn.Sequential(basic_conv(cin, 448), basic_conv(448, 384, 3, padding=1),
                             split(384)),
               _avg_then(cin, 192))


def inception_v3() -> nn.Module:
    return nn.Sequential(
        basic_conv(3, 32, 3, 2), basic_conv(32, 32, 3), basic_conv(32, 64, 3, padding=1),
        nn.MaxPool2d(3, 2), basic_conv(64, 80), basic_conv(80, 192, 3), nn.MaxPool2d(3, 2),
        inception_a(192, 32), inception_a(256, 64), inception_a(288, 64), inception_b(288),
        inception_c(768, 128), inception_c(768, 160), inception_c(768, 160),
        inception_c(768, 192), inception_d(768), inception_e(1280), inception_e(2048),
        nn.AdaptiveAvgPool2d(1), nn.Dropout(0.5), nn.Flatten(), nn.Linear(2048, 1000))


def dense_layer(cin: int, growth: int, bn_size: int) -> nn.Module:
    return Cat(None, nn.Sequential(
        nn.BatchNorm2d(cin), nn.ReLU(), nn.Conv2d(cin, bn_size * growth, 1, bias=False),
        nn.BatchNorm2d(bn_size * growth), nn.ReLU(),
        nn.Conv2d(bn_size * growth, growth, 3, padding=1, bias=False)))


def densenet121() -> nn.Module:
    mods: list[nn.Module] = [nn.Conv2d(3, 64, 7, 2, 3, bias=False), nn.BatchNorm2d(64),
                             nn.ReLU(), nn.MaxPool2d(3, 2, 1)]
    c = 64
    for i, n in enumerate((6, 12, 24, 16)):
        for _ in range(n):
            mods.append(dense_layer(c, 32, 4))
            c += 32
        if i < 3:
            mods += [nn.BatchNorm2d(c), nn.ReLU(), nn.Conv2d(c, c // 2, 1, bias=False),
                     nn.AvgPool2d(2, 2)]
            c //= 2
    mods += [nn.BatchNorm2d(c), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
             nn.Linear(c, 1000)]
    return nn.Sequential(*mods)


def fire(cin: int, squeeze: int, e1: int, e3: int) -> nn.Module:
    return nn.Sequential(nn.Conv2d(cin, squeeze, 1), nn.ReLU(),
                         Cat(nn.Sequential(nn.Conv2d(squeeze, e1, 1), nn.ReLU()),
                             nn.Sequential(nn.Conv2d(squeeze, e3, 3, padding=1), nn.ReLU())))


def squeezenet1_0() -> nn.Module:
    def pool() -> nn.Module:
        return nn.MaxPool2d(3, 2, ceil_mode=True)

    return nn.Sequential(
        nn.Conv2d(3, 96, 7, 2), nn.ReLU(), pool(), fire(96, 16, 64, 64), fire(128, 16, 64, 64),
        fire(128, 32, 128, 128), pool(), fire(256, 32, 128, 128), fire(256, 48, 192, 192),
        fire(384, 48, 192, 192), fire(384, 64, 256, 256), pool(), fire(512, 64, 256, 256),
        nn.Dropout(0.5), nn.Conv2d(512, 1000, 1), nn.ReLU(), nn.AdaptiveAvgPool2d(1),
        nn.Flatten())


class InvertedResidual(nn.Module):
    """MobileNetV2's block: expand 1x1, depthwise 3x3, project 1x1 (linear); the input is
    added back only where the stride is 1 and the channels are kept."""

    def __init__(self, cin: int, cout: int, stride: int, t: int) -> None:
        super().__init__()
        hidden = cin * t
        mods: list[nn.Module] = []
        if t != 1:
            mods += [nn.Conv2d(cin, hidden, 1, bias=False), nn.BatchNorm2d(hidden), nn.ReLU6()]
        mods += [nn.Conv2d(hidden, hidden, 3, stride, 1, groups=hidden, bias=False),
                 nn.BatchNorm2d(hidden), nn.ReLU6(), nn.Conv2d(hidden, cout, 1, bias=False),
                 nn.BatchNorm2d(cout)]
        self.conv = nn.Sequential(*mods)
        self.use_res = stride == 1 and cin == cout

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out: torch.Tensor = self.conv(x)
        return x + out if self.use_res else out


def mobilenet_v2() -> nn.Module:
    mods: list[nn.Module] = [nn.Conv2d(3, 32, 3, 2, 1, bias=False), nn.BatchNorm2d(32),
                             nn.ReLU6()]
    cin = 32
    for t, c, n, s in ((1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2),
                       (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)):
        for i in range(n):
            mods.append(InvertedResidual(cin, c, s if i == 0 else 1, t))
            cin = c
    mods += [nn.Conv2d(320, 1280, 1, bias=False), nn.BatchNorm2d(1280), nn.ReLU6(),
             nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(0.2), nn.Linear(1280, 1000)]
    return nn.Sequential(*mods)


class Bottleneck(nn.Module):
    """torchvision's ResNet v1.5 Bottleneck: the stride on the 3x3; downsample after the body."""

    def __init__(self, cin: int, width: int, stride: int) -> None:
        super().__init__()
        cout = width * 4
        self.body = nn.Sequential(
            nn.Conv2d(cin, width, 1, bias=False), nn.BatchNorm2d(width), nn.ReLU(),
            nn.Conv2d(width, width, 3, stride, 1, bias=False), nn.BatchNorm2d(width), nn.ReLU(),
            nn.Conv2d(width, cout, 1, bias=False), nn.BatchNorm2d(cout))
        self.down = (nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False),
                                   nn.BatchNorm2d(cout))
                     if stride != 1 or cin != cout else None)
        self.relu = nn.ReLU()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.body(x)
        identity = self.down(x) if self.down is not None else x
        out = out + identity
        return self.relu(out)  # type: ignore[no-any-return]


def resnet50() -> nn.Module:
    mods: list[nn.Module] = [nn.Conv2d(3, 64, 7, 2, 3, bias=False), nn.BatchNorm2d(64),
                             nn.ReLU(), nn.MaxPool2d(3, 2, 1)]
    cin = 64
    for i, (width, n) in enumerate(zip((64, 128, 256, 512), (3, 4, 6, 3))):
        for b in range(n):
            mods.append(Bottleneck(cin, width, 2 if b == 0 and i > 0 else 1))
            cin = width * 4
    mods += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(2048, 1000)]
    return nn.Sequential(*mods)


def double_conv(cin: int, cout: int) -> nn.Module:
    """milesial's DoubleConv: (conv 3x3 without bias, bn, relu) twice."""
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout),
                         nn.ReLU(), nn.Conv2d(cout, cout, 3, padding=1, bias=False),
                         nn.BatchNorm2d(cout), nn.ReLU())


class UNet(nn.Module):
    """milesial/Pytorch-UNet with bilinear=False (inputs a multiple of 16: no F.pad needed)."""

    def __init__(self, n_channels: int, n_classes: int) -> None:
        super().__init__()
        self.inc = double_conv(n_channels, 64)
        self.downs = nn.ModuleList(nn.Sequential(nn.MaxPool2d(2), double_conv(c, 2 * c))
                                   for c in (64, 128, 256, 512))
        self.ups = nn.ModuleList(nn.ConvTranspose2d(c, c // 2, 2, 2) for c in (1024, 512, 256, 128))
        self.convs = nn.ModuleList(double_conv(c, c // 2) for c in (1024, 512, 256, 128))
        self.outc = nn.Conv2d(64, n_classes, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        skips = [self.inc(x)]
        for down in self.downs:
            skips.append(down(skips[-1]))
        x = skips.pop()
        for up, conv in zip(self.ups, self.convs):
            x = conv(torch.cat([skips.pop(), up(x)], 1))
        return self.outc(x)  # type: ignore[no-any-return]


GRAPHS = {
    "googlenet": googlenet,
    "inception_v3": inception_v3,
    "densenet121": densenet121,
    "squeezenet1_0": squeezenet1_0,
    "mobilenet_v2": mobilenet_v2,
    "resnet50": resnet50,
    "unet": lambda: UNet(3, 2),
}


@pytest.mark.parametrize("name", sorted(GRAPHS))
def test_graph_presets_match_torch_node_by_node(name: str) -> None:
    preset = PRESETS[name]
    s = summarize_spec(preset.spec, parse_shape(preset.input))
    with torch.device("meta"):
        reference = GRAPHS[name]()
    assert_matches(s, reference)
    assert_builds_alike(s, reference)
    if preset.published_params is not None:
        assert s.trainable_params == preset.published_params


def test_inception_v3_aux_head_closes_the_published_gap() -> None:
    # torchvision publishes 27,161,264 with the aux head (InceptionAux(768)): BasicConv2d
    # 768->128 1x1 (98,304 + 256 bn) + BasicConv2d 128->768 5x5 (2,457,600 + 1,536 bn)
    # + Linear(768, 1000) (769,000) = 3,326,696.
    aux = 768 * 128 + 2 * 128 + 128 * 768 * 25 + 2 * 768 + 768 * 1000 + 1000
    assert PRESETS["inception_v3"].published_params == 27_161_264 - aux


def test_unet_other_sizes_are_an_error_not_a_guess() -> None:
    # milesial pads the upsampled map (F.pad) when H or W is not a multiple of 16; the preset
    # does not, so the concatenation refuses and names both shapes.
    from cnncalc.errors import LayerError

    with pytest.raises(LayerError, match=r"64x31x31.*64x30x30|512x31x31.*512x30x30"):
        summarize_spec(PRESETS["unet"].spec, (3, 250, 250))
