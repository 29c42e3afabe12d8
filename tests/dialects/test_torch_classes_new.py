"""Lazy layers, upsampling, pixel and channel shuffles and the newer normalisations, read
from PyTorch code and compared leaf by leaf with the torch module the same code builds."""

from __future__ import annotations

import pytest

from cnncalc.errors import CnnCalcError

from .test_pytorch import check

MODELS = [
    ("lazy", "nn.Sequential(nn.LazyConv2d(8, 3), nn.LazyBatchNorm2d(), nn.ReLU(), "
     "nn.LazyConvTranspose2d(4, 2, stride=2), nn.Flatten(), nn.LazyBatchNorm1d(), "
     "nn.LazyLinear(10))", "3x9x9"),
    ("d2l-lenet-lazy", "nn.Sequential(nn.LazyConv2d(6, kernel_size=5, padding=2), "
     "nn.Sigmoid(), nn.AvgPool2d(kernel_size=2, stride=2), nn.LazyConv2d(16, kernel_size=5), "
     "nn.Sigmoid(), nn.AvgPool2d(kernel_size=2, stride=2), nn.Flatten(), nn.LazyLinear(120), "
     "nn.Sigmoid(), nn.LazyLinear(84), nn.Sigmoid(), nn.LazyLinear(10))", "1x28x28"),
    ("upsampling", "nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), "
     "nn.Upsample(scale_factor=2, mode='bilinear', align_corners=False), "
     "nn.UpsamplingNearest2d(scale_factor=2), nn.UpsamplingBilinear2d(scale_factor=(1, 2)), "
     "nn.Conv2d(8, 4, 3))", "1x5x5"),
    ("shuffles", "nn.Sequential(nn.Conv2d(3, 16, 3), nn.PixelShuffle(2), "
     "nn.Conv2d(4, 8, 1), nn.ChannelShuffle(4), nn.Hardswish(), nn.Hardsigmoid())", "3x6x7"),
    ("norms", "nn.Sequential(nn.Conv2d(3, 8, 3), nn.GroupNorm(4, 8), "
     "nn.InstanceNorm2d(8, affine=True, track_running_stats=True), nn.InstanceNorm2d(8), "
     "nn.LayerNorm([8, 4, 4]), nn.LayerNorm(4, elementwise_affine=False), nn.Flatten(), "
     "nn.LayerNorm(128), nn.Linear(128, 2))", "3x6x6"),
]


@pytest.mark.parametrize(("name", "code", "shape"), MODELS, ids=[m[0] for m in MODELS])
def test_matches_torch(name: str, code: str, shape: str) -> None:
    check(code, shape)


@pytest.mark.parametrize(("code", "needle"), [
    # torch: LayerNorm(8) on (N, 8, 6, 6) normalises W (6): RuntimeError
    ("nn.Sequential(nn.Conv2d(1, 8, 3), nn.LayerNorm(8))", "normalises its last axis"),
    ("nn.Sequential(nn.Conv2d(1, 8, 3), nn.GroupNorm(3, 8))", "must divide the 8 channels"),
    ("nn.Sequential(nn.Conv2d(1, 8, 3), nn.GroupNorm(2, 4))", "expects 4 input channels"),
    ("nn.Sequential(nn.Conv2d(1, 6, 3), nn.PixelShuffle(2))", "6"),
    ("nn.Sequential(nn.Conv2d(1, 8, 3), nn.Upsample(size=12))", "scale_factor"),
    ("nn.Sequential(nn.Conv2d(1, 8, 3), nn.Upsample(scale_factor=2, align_corners=True))",
     "align_corners"),
])
def test_refused_where_torch_fails_or_cnncalc_cannot_follow(code: str, needle: str) -> None:
    import torch
    from torch import nn  # noqa: F401  (the oracle code names nn)

    with pytest.raises(CnnCalcError, match=needle):
        check(code, "1x8x8")
    if "size=12" not in code:  # everything else torch itself refuses too
        with pytest.raises((RuntimeError, ValueError)):
            model = eval(code)  # the test may run the code; cnncalc never does
            model(torch.zeros(1, 1, 8, 8))
