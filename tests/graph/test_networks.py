"""Branched networks, each written twice: as a spec, and as a torch module built here by
hand. Every leaf's shape, parameters and MACs must agree, in call order (reference.py)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import torch
from torch import nn

from cnncalc.calc.summary import summarize_spec
from cnncalc.errors import LayerError

from .reference import Cat, Gate, Sum, assert_builds_alike, assert_matches, seq

torch.set_num_threads(1)


def cbr(cin: int, cout: int, k: int | tuple[int, int] = 1, s: int = 1,
        p: int | tuple[int, int] = 0, eps: float = 1e-5) -> nn.Sequential:
    return seq(nn.Conv2d(cin, cout, k, s, p, bias=False), nn.BatchNorm2d(cout, eps=eps),
               nn.ReLU())


def conv_relu(cin: int, cout: int, k: int = 1, p: int = 0) -> nn.Sequential:
    return seq(nn.Conv2d(cin, cout, k, padding=p), nn.ReLU())


def dense_layer(cin: int, growth: int = 12, bottleneck: int = 48) -> nn.Module:
    return Cat(None, seq(nn.BatchNorm2d(cin), nn.ReLU(), nn.Conv2d(cin, bottleneck, 1, bias=False),
                         nn.BatchNorm2d(bottleneck), nn.ReLU(),
                         nn.Conv2d(bottleneck, growth, 3, padding=1, bias=False)))


def se(c: int, r: int, gate: type[nn.Module] = nn.Sigmoid) -> nn.Module:
    return Gate(seq(nn.AdaptiveAvgPool2d(1), nn.Conv2d(c, c // r, 1), nn.ReLU(),
                    nn.Conv2d(c // r, c, 1), gate()))


class Residual(nn.Module):
    def __init__(self, body: nn.Module, shortcut: nn.Module | None = None) -> None:
        super().__init__()
        self.body = body
        self.shortcut = shortcut

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.body(x)
        return out + (self.shortcut(x) if self.shortcut is not None else x)  # type: ignore[no-any-return]


def shuffle_unit(cin: int, cout: int, groups: int, stride: int) -> nn.Module:
    """ShuffleNet v1: grouped 1x1, shuffle, depthwise 3x3, grouped 1x1; a stride-2 unit
    concatenates an average-pooled input, a stride-1 unit adds the input."""
    mid = cout // 4
    made = cout - cin if stride == 2 else cout
    body = seq(nn.Conv2d(cin, mid, 1, groups=groups, bias=False), nn.BatchNorm2d(mid), nn.ReLU(),
               nn.ChannelShuffle(groups),
               nn.Conv2d(mid, mid, 3, stride, 1, groups=mid, bias=False), nn.BatchNorm2d(mid),
               nn.Conv2d(mid, made, 1, groups=groups, bias=False), nn.BatchNorm2d(made))
    if stride == 2:
        return seq(Cat(nn.AvgPool2d(3, 2, 1), body), nn.ReLU())
    return seq(Residual(body), nn.ReLU())


def inverted_residual(cin: int, cout: int, stride: int, t: int) -> nn.Module:
    h = cin * t
    body = seq(nn.Conv2d(cin, h, 1, bias=False), nn.BatchNorm2d(h), nn.ReLU6(),
               nn.Conv2d(h, h, 3, stride, 1, groups=h, bias=False), nn.BatchNorm2d(h), nn.ReLU6(),
               nn.Conv2d(h, cout, 1, bias=False), nn.BatchNorm2d(cout))
    return Residual(body) if stride == 1 and cin == cout else body


E3 = 0.001
CBR = "bias=false)-bn(eps=0.001)-relu"  # torchvision's BasicConv2d tail

# name -> (spec, input C x H x W, the reference module)
NETWORKS: dict[str, tuple[str, tuple[int, int, int], Callable[[], nn.Module]]] = {
    "inception_v1_3a": (
        f"cat[conv(64,1,{CBR}|conv(96,1,{CBR}-conv(128,3,padding=1,{CBR}|"
        f"conv(16,1,{CBR}-conv(32,3,padding=1,{CBR}|"
        f"maxpool(3,stride=1,padding=1,ceil_mode=true)-conv(32,1,{CBR}]",
        (192, 28, 28),
        lambda: Cat(cbr(192, 64, eps=E3), seq(cbr(192, 96, eps=E3), cbr(96, 128, 3, p=1, eps=E3)),
                    seq(cbr(192, 16, eps=E3), cbr(16, 32, 3, p=1, eps=E3)),
                    seq(nn.MaxPool2d(3, 1, 1, ceil_mode=True), cbr(192, 32, eps=E3)))),
    "inception_v3_a": (
        f"cat[conv(64,1,{CBR}|conv(48,1,{CBR}-conv(64,5,padding=2,{CBR}|"
        f"conv(64,1,{CBR}-conv(96,3,padding=1,{CBR}-conv(96,3,padding=1,{CBR}|"
        f"avgpool(3,stride=1,padding=1)-conv(32,1,{CBR}]",
        (192, 35, 35),
        lambda: Cat(cbr(192, 64, eps=E3), seq(cbr(192, 48, eps=E3), cbr(48, 64, 5, p=2, eps=E3)),
                    seq(cbr(192, 64, eps=E3), cbr(64, 96, 3, p=1, eps=E3),
                        cbr(96, 96, 3, p=1, eps=E3)),
                    seq(nn.AvgPool2d(3, 1, 1), cbr(192, 32, eps=E3)))),
    "inception_v3_b": (
        f"cat[conv(384,3,stride=2,{CBR}|conv(64,1,{CBR}-conv(96,3,padding=1,{CBR}-"
        f"conv(96,3,stride=2,{CBR}|maxpool(3,stride=2)]",
        (288, 35, 35),
        lambda: Cat(cbr(288, 384, 3, 2, eps=E3),
                    seq(cbr(288, 64, eps=E3), cbr(64, 96, 3, p=1, eps=E3),
                        cbr(96, 96, 3, 2, eps=E3)), nn.MaxPool2d(3, 2))),
    "inception_v3_c": (
        f"cat[conv(192,1,{CBR}|conv(128,1,{CBR}-conv(128,1x7,padding=0x3,{CBR}-"
        f"conv(192,7x1,padding=3x0,{CBR}|conv(128,1,{CBR}-conv(128,7x1,padding=3x0,{CBR}-"
        f"conv(128,1x7,padding=0x3,{CBR}-conv(128,7x1,padding=3x0,{CBR}-"
        f"conv(192,1x7,padding=0x3,{CBR}|avgpool(3,stride=1,padding=1)-conv(192,1,{CBR}]",
        (768, 17, 17),
        lambda: Cat(cbr(768, 192, eps=E3),
                    seq(cbr(768, 128, eps=E3), cbr(128, 128, (1, 7), p=(0, 3), eps=E3),
                        cbr(128, 192, (7, 1), p=(3, 0), eps=E3)),
                    seq(cbr(768, 128, eps=E3), cbr(128, 128, (7, 1), p=(3, 0), eps=E3),
                        cbr(128, 128, (1, 7), p=(0, 3), eps=E3),
                        cbr(128, 128, (7, 1), p=(3, 0), eps=E3),
                        cbr(128, 192, (1, 7), p=(0, 3), eps=E3)),
                    seq(nn.AvgPool2d(3, 1, 1), cbr(768, 192, eps=E3)))),
    "inception_v3_d": (
        f"cat[conv(192,1,{CBR}-conv(320,3,stride=2,{CBR}|conv(192,1,{CBR}-"
        f"conv(192,1x7,padding=0x3,{CBR}-conv(192,7x1,padding=3x0,{CBR}-"
        f"conv(192,3,stride=2,{CBR}|maxpool(3,stride=2)]",
        (768, 17, 17),
        lambda: Cat(seq(cbr(768, 192, eps=E3), cbr(192, 320, 3, 2, eps=E3)),
                    seq(cbr(768, 192, eps=E3), cbr(192, 192, (1, 7), p=(0, 3), eps=E3),
                        cbr(192, 192, (7, 1), p=(3, 0), eps=E3), cbr(192, 192, 3, 2, eps=E3)),
                    nn.MaxPool2d(3, 2))),
    "inception_v3_e": (
        f"cat[conv(320,1,{CBR}|conv(384,1,{CBR}-cat[conv(384,1x3,padding=0x1,{CBR}|"
        f"conv(384,3x1,padding=1x0,{CBR}]|conv(448,1,{CBR}-conv(384,3,padding=1,{CBR}-"
        f"cat[conv(384,1x3,padding=0x1,{CBR}|conv(384,3x1,padding=1x0,{CBR}]|"
        f"avgpool(3,stride=1,padding=1)-conv(192,1,{CBR}]",
        (1280, 8, 8),
        lambda: Cat(cbr(1280, 320, eps=E3),
                    seq(cbr(1280, 384, eps=E3),
                        Cat(cbr(384, 384, (1, 3), p=(0, 1), eps=E3),
                            cbr(384, 384, (3, 1), p=(1, 0), eps=E3))),
                    seq(cbr(1280, 448, eps=E3), cbr(448, 384, 3, p=1, eps=E3),
                        Cat(cbr(384, 384, (1, 3), p=(0, 1), eps=E3),
                            cbr(384, 384, (3, 1), p=(1, 0), eps=E3))),
                    seq(nn.AvgPool2d(3, 1, 1), cbr(1280, 192, eps=E3)))),
    "densenet_layer": (
        "cat[|bn-relu-conv(48,1,bias=false)-bn-relu-conv(12,3,padding=1,bias=false)]",
        (24, 16, 16), lambda: dense_layer(24)),
    "densenet_block": (
        "[cat[|bn-relu-conv(48,1,bias=false)-bn-relu-conv(12,3,padding=1,bias=false)]]*4",
        (24, 16, 16), lambda: seq(*(dense_layer(24 + 12 * i) for i in range(4)))),
    "densenet_block_transition": (
        "[cat[|bn-relu-conv(48,1,bias=false)-bn-relu-conv(12,3,padding=1,bias=false)]]*3-"
        "bn-relu-conv(30,1,bias=false)-avgpool(2)",
        (24, 16, 16),
        lambda: seq(*(dense_layer(24 + 12 * i) for i in range(3)), nn.BatchNorm2d(60),
                    nn.ReLU(), nn.Conv2d(60, 30, 1, bias=False), nn.AvgPool2d(2))),
    "fire": (
        "conv(16,1)-relu-cat[conv(64,1)-relu|conv(64,3,padding=1)-relu]", (96, 55, 55),
        lambda: seq(conv_relu(96, 16), Cat(conv_relu(16, 64), conv_relu(16, 64, 3, 1)))),
    "fire_stack_with_pool": (
        "conv(16,1)-relu-cat[conv(64,1)-relu|conv(64,3,padding=1)-relu]-"
        "maxpool(3,stride=2,ceil_mode=true)-conv(32,1)-relu-"
        "cat[conv(128,1)-relu|conv(128,3,padding=1)-relu]", (96, 27, 27),
        lambda: seq(conv_relu(96, 16), Cat(conv_relu(16, 64), conv_relu(16, 64, 3, 1)),
                    nn.MaxPool2d(3, 2, ceil_mode=True), conv_relu(128, 32),
                    Cat(conv_relu(32, 128), conv_relu(32, 128, 3, 1)))),
    "squeeze_excitation": (
        "mul[|gap-conv(4,1)-relu-conv(64,1)-sigmoid]", (64, 14, 14), lambda: se(64, 16)),
    "se_resnet_block": (
        "res[conv(32,3,padding=1,bias=false)-bn-relu-conv(32,3,padding=1,bias=false)-bn-"
        "mul[|gap-conv(2,1)-relu-conv(32,1)-sigmoid]]-relu", (32, 12, 12),
        lambda: seq(Residual(seq(nn.Conv2d(32, 32, 3, padding=1, bias=False),
                                 nn.BatchNorm2d(32), nn.ReLU(),
                                 nn.Conv2d(32, 32, 3, padding=1, bias=False),
                                 nn.BatchNorm2d(32), se(32, 16))), nn.ReLU())),
    "mobilenet_v3_se_hardsigmoid": (
        "conv(72,1)-hardswish-mul[|gap-conv(24,1)-relu-conv(72,1)-hardsigmoid]",
        (24, 10, 10),
        lambda: seq(nn.Conv2d(24, 72, 1), nn.Hardswish(), se(72, 3, nn.Hardsigmoid))),
    "cbam_spatial_gate": (
        "mul[|conv(1,7,padding=3)-sigmoid]", (16, 12, 12),
        lambda: Gate(seq(nn.Conv2d(16, 1, 7, padding=3), nn.Sigmoid()))),
    "unet_one_level": (
        "conv(8,3,padding=1)-relu-cat[|maxpool(2)-conv(16,3,padding=1)-relu-"
        "convt(8,2,stride=2)]-conv(8,3,padding=1)-relu", (3, 16, 16),
        lambda: seq(conv_relu(3, 8, 3, 1),
                    Cat(None, seq(nn.MaxPool2d(2), conv_relu(8, 16, 3, 1),
                                  nn.ConvTranspose2d(16, 8, 2, 2))),
                    conv_relu(16, 8, 3, 1))),
    "unet_two_levels_nested": (
        "conv(8,3,padding=1)-relu-cat[|maxpool(2)-conv(16,3,padding=1)-relu-"
        "cat[|maxpool(2)-conv(32,3,padding=1)-relu-convt(16,2,stride=2)]-"
        "conv(16,3,padding=1)-relu-convt(8,2,stride=2)]-conv(8,3,padding=1)-relu-conv(2,1)",
        (1, 32, 32),
        lambda: seq(conv_relu(1, 8, 3, 1),
                    Cat(None, seq(nn.MaxPool2d(2), conv_relu(8, 16, 3, 1),
                                  Cat(None, seq(nn.MaxPool2d(2), conv_relu(16, 32, 3, 1),
                                                nn.ConvTranspose2d(32, 16, 2, 2))),
                                  conv_relu(32, 16, 3, 1), nn.ConvTranspose2d(16, 8, 2, 2))),
                    conv_relu(16, 8, 3, 1), nn.Conv2d(8, 2, 1))),
    "unet_bilinear_level": (
        "conv(8,3,padding=1)-cat[|maxpool(2)-conv(8,3,padding=1)-"
        "upsample(2,mode=bilinear,align_corners=true)]-conv(4,3,padding=1)", (3, 20, 20),
        lambda: seq(nn.Conv2d(3, 8, 3, padding=1),
                    Cat(None, seq(nn.MaxPool2d(2), nn.Conv2d(8, 8, 3, padding=1),
                                  nn.Upsample(scale_factor=2, mode="bilinear",
                                              align_corners=True))),
                    nn.Conv2d(16, 4, 3, padding=1))),
    "mobilenet_v2_residual": (
        "res[conv(96,1,bias=false)-bn-relu6-dwconv(3,padding=1,bias=false)-bn-relu6-"
        "conv(16,1,bias=false)-bn]", (16, 14, 14), lambda: inverted_residual(16, 16, 1, 6)),
    "mobilenet_v2_stride2": (
        "conv(96,1,bias=false)-bn-relu6-dwconv(3,stride=2,padding=1,bias=false)-bn-relu6-"
        "conv(24,1,bias=false)-bn-res[conv(144,1,bias=false)-bn-relu6-"
        "dwconv(3,padding=1,bias=false)-bn-relu6-conv(24,1,bias=false)-bn]", (16, 28, 28),
        lambda: seq(inverted_residual(16, 24, 2, 6), inverted_residual(24, 24, 1, 6))),
    "shufflenet_stride2": (
        "cat[avgpool(3,stride=2,padding=1)|conv(60,1,groups=3,bias=false)-bn-relu-"
        "channelshuffle(3)-dwconv(3,stride=2,padding=1,bias=false)-bn-"
        "conv(216,1,groups=3,bias=false)-bn]-relu", (24, 28, 28),
        lambda: shuffle_unit(24, 240, 3, 2)),
    "shufflenet_residual": (
        "res[conv(60,1,groups=3,bias=false)-bn-relu-channelshuffle(3)-"
        "dwconv(3,padding=1,bias=false)-bn-conv(240,1,groups=3,bias=false)-bn]-relu",
        (240, 14, 14), lambda: shuffle_unit(240, 240, 3, 1)),
    "join_of_joins": (
        "cat[add[conv(8,3,padding=1)|conv(8,1)]|mul[|gap-conv(4,1)-sigmoid]]", (4, 10, 10),
        lambda: Cat(Sum(nn.Conv2d(4, 8, 3, padding=1), nn.Conv2d(4, 8, 1)),
                    Gate(seq(nn.AdaptiveAvgPool2d(1), nn.Conv2d(4, 4, 1), nn.Sigmoid())))),
    "nested_three_deep": (
        "cat[|cat[|cat[|conv(4,3,padding=1)]-conv(6,1)]-conv(5,1)]", (3, 9, 9),
        lambda: Cat(None, seq(Cat(None, seq(Cat(None, nn.Conv2d(3, 4, 3, padding=1)),
                                            nn.Conv2d(7, 6, 1))), nn.Conv2d(9, 5, 1)))),
    "add_of_three": (
        "add[conv(8,3,padding=1)|conv(8,1)|]", (8, 12, 12),
        lambda: Sum(nn.Conv2d(8, 8, 3, padding=1), nn.Conv2d(8, 8, 1), None)),
    "cat_of_three_widths": (
        "cat[conv(3,1)|conv(5,3,padding=1)|maxpool(3,stride=1,padding=1)]", (6, 9, 7),
        lambda: Cat(nn.Conv2d(6, 3, 1), nn.Conv2d(6, 5, 3, padding=1), nn.MaxPool2d(3, 1, 1))),
    "aspp_dilations": (
        "cat[conv(8,1)|conv(8,3,padding=2,dilation=2)|conv(8,3,padding=4,dilation=4)|"
        "gap-conv(8,1)-upsample(16)]-conv(8,1)", (16, 16, 16),
        lambda: seq(Cat(nn.Conv2d(16, 8, 1), nn.Conv2d(16, 8, 3, padding=2, dilation=2),
                        nn.Conv2d(16, 8, 3, padding=4, dilation=4),
                        seq(nn.AdaptiveAvgPool2d(1), nn.Conv2d(16, 8, 1),
                            nn.Upsample(scale_factor=16))),
                    nn.Conv2d(32, 8, 1))),
    "resnext_block": (
        "res[conv(64,1,bias=false)-bn-relu-conv(64,3,padding=1,groups=32,bias=false)-bn-relu-"
        "conv(128,1,bias=false)-bn|conv(128,1,bias=false)-bn]-relu", (64, 8, 8),
        lambda: seq(Residual(seq(nn.Conv2d(64, 64, 1, bias=False), nn.BatchNorm2d(64),
                                 nn.ReLU(), nn.Conv2d(64, 64, 3, padding=1, groups=32,
                                                      bias=False),
                                 nn.BatchNorm2d(64), nn.ReLU(),
                                 nn.Conv2d(64, 128, 1, bias=False), nn.BatchNorm2d(128)),
                             seq(nn.Conv2d(64, 128, 1, bias=False), nn.BatchNorm2d(128))),
                    nn.ReLU())),
    "inception_resnet_a": (
        "res[cat[conv(8,1)|conv(8,1)-conv(8,3,padding=1)|conv(8,1)-conv(12,3,padding=1)-"
        "conv(16,3,padding=1)]-conv(32,1)]-relu", (32, 9, 9),
        lambda: seq(Residual(seq(Cat(nn.Conv2d(32, 8, 1),
                                     seq(nn.Conv2d(32, 8, 1), nn.Conv2d(8, 8, 3, padding=1)),
                                     seq(nn.Conv2d(32, 8, 1), nn.Conv2d(8, 12, 3, padding=1),
                                         nn.Conv2d(12, 16, 3, padding=1))),
                                 nn.Conv2d(32, 32, 1))), nn.ReLU())),
    "upsample_decoder": (
        "conv(16,3,padding=1)-relu-upsample(2)-conv(8,3,padding=1)-relu-"
        "upsample(2,mode=bilinear)-conv(3,3,padding=1)-sigmoid", (32, 4, 4),
        lambda: seq(conv_relu(32, 16, 3, 1), nn.Upsample(scale_factor=2),
                    conv_relu(16, 8, 3, 1), nn.Upsample(scale_factor=2, mode="bilinear"),
                    nn.Conv2d(8, 3, 3, padding=1), nn.Sigmoid())),
    "pixelshuffle_decoder": (
        "conv(64,3,padding=1)-pixelshuffle(2)-relu-conv(12,3,padding=1)-pixelshuffle(2)",
        (8, 6, 5),
        lambda: seq(nn.Conv2d(8, 64, 3, padding=1), nn.PixelShuffle(2), nn.ReLU(),
                    nn.Conv2d(16, 12, 3, padding=1), nn.PixelShuffle(2))),
    "groupnorm_residual_hardswish": (
        "res[conv(16,3,padding=1)-groupnorm(4)-hardswish-conv(16,3,padding=1)-groupnorm(4)]",
        (16, 8, 8),
        lambda: Residual(seq(nn.Conv2d(16, 16, 3, padding=1), nn.GroupNorm(4, 16),
                             nn.Hardswish(), nn.Conv2d(16, 16, 3, padding=1),
                             nn.GroupNorm(4, 16)))),
    "cat_of_vectors_head": (
        "gap-flatten-cat[fc(10)|fc(20)-relu]-fc(5)", (8, 4, 4),
        lambda: seq(nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                    Cat(nn.Linear(8, 10), seq(nn.Linear(8, 20), nn.ReLU())), nn.Linear(30, 5))),
    "repeat_of_joins_with_stride": (
        "[cat[conv(4,3,stride=2,padding=1)|maxpool(2)]-bn]*2", (4, 16, 16),
        lambda: seq(Cat(nn.Conv2d(4, 4, 3, 2, 1), nn.MaxPool2d(2)), nn.BatchNorm2d(8),
                    Cat(nn.Conv2d(8, 4, 3, 2, 1), nn.MaxPool2d(2)), nn.BatchNorm2d(12))),
}


@pytest.mark.parametrize("name", sorted(NETWORKS))
def test_network_matches_torch(name: str) -> None:
    spec, shape, make = NETWORKS[name]
    s = summarize_spec(spec, shape)
    with torch.device("meta"):
        reference = make()
    assert_matches(s, reference)
    assert_builds_alike(s, reference)


def test_there_are_thirty_or_more() -> None:
    assert len(NETWORKS) >= 30


# Errors: the calculator refuses what torch refuses, and says which shapes disagree.

@pytest.mark.parametrize(("spec", "shape", "needles", "torch_fails"), [
    # branch 1: 3x3 valid conv 8x8 -> 6x6; branch 2: 1x1 keeps 8x8
    ("cat[conv(8,3)|conv(8,1)]", (4, 8, 8), ("8x6x6", "8x8x8", "H and W"),
     lambda: torch.cat([torch.zeros(1, 8, 6, 6), torch.zeros(1, 8, 8, 8)], 1)),
    # a 3-channel gate cannot broadcast over 4 channels
    ("mul[|conv(3,1)]", (4, 8, 8), ("4x8x8", "3x8x8", "broadcast"),
     lambda: torch.zeros(1, 4, 8, 8) * torch.zeros(1, 3, 8, 8)),
    # a map and a flat vector
    ("cat[|flatten]", (4, 8, 8), ("4x8x8", "256"),
     lambda: torch.cat([torch.zeros(1, 4, 8, 8), torch.zeros(1, 256)], 1)),
    # add needs equal shapes, not a broadcast
    ("add[conv(8,1)|conv(4,1)]", (4, 8, 8), ("8x8x8", "4x8x8"),
     lambda: torch.zeros(1, 8, 8, 8) + torch.zeros(1, 4, 8, 8)),
])
def test_join_errors_name_both_shapes(spec: str, shape: tuple[int, int, int],
                                      needles: tuple[str, ...],
                                      torch_fails: Callable[[], object]) -> None:
    with pytest.raises(LayerError) as info:
        summarize_spec(spec, shape)
    message = str(info.value.message)
    for needle in needles:
        assert needle in message, message
    with pytest.raises(RuntimeError):
        torch_fails()
