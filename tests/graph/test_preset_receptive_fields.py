"""Receptive fields of the presets against independent figures.

Published: Araujo, Norris and Sim, "Computing Receptive Fields of Convolutional Neural
Networks", Distill 2019 (doi:10.23915/distill.00021), whose table of TF-Slim models is
receptive_field/RECEPTIVE_FIELD_TABLE.md in google-research/receptive_field. TF-Slim's
VGG-16 and Inception-v3 have torchvision's windows and strides, so the sizes carry over
(padding differs, and the size does not depend on it).

Measured: the gradient footprint of one centre output in torch. The reference module of
tests/test_presets.py is thinned to one channel per conv (a receptive field does not depend
on the channel count), max pools become average pools of the same window, norms and
activations become identities, and every weight is one positive constant, so no path
cancels; the input is large enough that the footprint does not touch its border.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
import torch
from torch import nn

from cnncalc.calc.summary import LayerInfo, Summary, summarize_spec
from cnncalc.ops.shape import parse_shape
from cnncalc.presets import PRESETS

from ..test_presets import GRAPHS
from .reference import Cat, run_leaves

torch.set_num_threads(1)


def rf_size(row: LayerInfo) -> int:
    h, w = row.rf.size
    assert h == w and not row.rf.whole and not row.rf.unknown, row
    return h


def test_vgg16_matches_the_published_table() -> None:
    # vgg_16 rows of the table: conv1_1 3, conv2_1 10, conv3_1 24, conv3_2 32, conv4_1 60,
    # conv4_2 76, conv5_1 132, conv5_2 164; pool1 6, pool2 16, pool3 44, pool4 100, pool5 212.
    p = PRESETS["vgg16"]
    leaves = summarize_spec(p.spec, parse_shape(p.input)).leaves()
    convs = [rf_size(r) for r in leaves if r.kind == "conv"]
    pools = [rf_size(r) for r in leaves if r.kind == "maxpool"]
    assert [convs[i] for i in (0, 2, 4, 5, 7, 8, 10, 11)] == [3, 10, 24, 32, 60, 76, 132, 164]
    assert pools == [6, 16, 44, 100, 212]


INCEPTION_V3 = [3, 7, 11, 15, 15, 23, 31,  # Conv2d_1a, 2a, 2b, MaxPool_3a, 3b, 4a, MaxPool_5a
                63, 95, 127, 159, 351, 543, 735, 927, 1055,  # Mixed_5b .. Mixed_7a
                1183, 1311]  # Mixed_7b, Mixed_7c
"""The inception_v3 rows of the published table, Conv2d_1a_3x3 .. Mixed_7c."""


def _inception_v3_ends() -> list[LayerInfo]:
    # A BasicConv2d is three rows here (conv, bn, relu): its end-point is the relu row;
    # each Mixed_* is one cat row.
    p = PRESETS["inception_v3"]
    rows = summarize_spec(p.spec, parse_shape(p.input)).layers
    return [r for r in rows if r.kind in ("relu", "maxpool", "cat")]


def test_inception_v3_matches_the_published_table_to_mixed_7a() -> None:
    ends = _inception_v3_ends()
    assert len(ends) == len(INCEPTION_V3)
    assert [rf_size(r) for r in ends[:-2]] == INCEPTION_V3[:-2]


def test_inception_v3_matches_the_published_table_at_mixed_7b_and_7c() -> None:
    ends = _inception_v3_ends()
    assert [r.rf.size for r in ends[-2:]] == [(n, n) for n in INCEPTION_V3[-2:]]


# Gradient footprints.

def _thin(module: nn.Module) -> None:
    for name, child in module.named_children():
        new: nn.Module | None = None
        if isinstance(child, nn.Conv2d):
            new = nn.LazyConv2d(1, child.kernel_size, child.stride, child.padding,
                                child.dilation, bias=False)
        elif isinstance(child, nn.ConvTranspose2d):
            new = nn.LazyConvTranspose2d(1, child.kernel_size, child.stride, child.padding,
                                         child.output_padding, bias=False)
        elif isinstance(child, nn.MaxPool2d):
            assert child.dilation == 1
            new = nn.AvgPool2d(child.kernel_size, child.stride, child.padding,
                               child.ceil_mode)
        elif isinstance(child, (nn.BatchNorm2d, nn.ReLU, nn.ReLU6, nn.Dropout)):
            new = nn.Identity()
        if new is None:
            _thin(child)
        else:
            setattr(module, name, new)


def footprint(module: nn.Module, size: int, period: int = 1) -> tuple[int, int]:
    extents = footprints(module, size, period)
    return max(e[0] for e in extents), max(e[1] for e in extents)


def footprints(module: nn.Module, size: int, period: int = 1) -> list[tuple[int, int]]:
    """Rows and columns of a size x size input that one output depends on (max - min + 1),
    the most over `period` neighbouring outputs. Through convs and pools every output away
    from the border sees the same extent (period 1); through a transposed conv the extent
    repeats with the network's total stride, so one whole period is measured (one batch item
    per offset, each backpropagating its own output)."""
    _thin(module)
    module.double()
    with torch.no_grad():
        module(torch.zeros(1, 1, size, size, dtype=torch.float64))  # sizes the lazy convs
    for m in module.modules():
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
            nn.init.constant_(m.weight, 1.0 / m.weight[0].numel())
    x = torch.ones(period, 1, size, size, dtype=torch.float64, requires_grad=True)
    out = module(x)
    h, w = out.shape[2] // 2, out.shape[3] // 2
    sum(out[b, :, h + b, w + b].sum() for b in range(period)).backward()  # type: ignore[union-attr]
    assert x.grad is not None
    extents: list[tuple[int, int]] = []
    for b in range(period):
        rows = torch.nonzero(x.grad[b, 0].sum(1)).flatten()
        cols = torch.nonzero(x.grad[b, 0].sum(0)).flatten()
        for idx in (rows, cols):
            assert idx.numel() and 0 < int(idx.min()) and int(idx.max()) < size - 1, "clipped"
        extents.append((int(rows.max() - rows.min()) + 1, int(cols.max() - cols.min()) + 1))
    return extents


def row_after(s: Summary, module: nn.Module) -> LayerInfo:
    """The top-level row of `s` that ends where `module` (a prefix of the reference) ends:
    the row after which as many leaves have run as the prefix runs."""
    n = len(run_leaves(module, s.input_shape)[0])
    done = 0
    for row in s.layers:
        done += sum(1 for _ in _leaves(row))
        if done == n:
            return row
    raise AssertionError(f"no row ends after {n} leaves")


def _leaves(row: LayerInfo) -> list[LayerInfo]:
    return [r for c in row.inner() for r in _leaves(c)] if row.is_block else [row]


def _prefix(name: str, stop: int) -> Callable[[], nn.Module]:
    def make() -> nn.Module:
        full = GRAPHS[name]()
        assert isinstance(full, nn.Sequential)
        return full[:stop]
    return make


CASES = {
    # (preset, where): a reference prefix, cut before the global pool or at a stage's end
    ("googlenet", "inception3a"): _prefix("googlenet", 6),
    ("googlenet", "inception4e"): _prefix("googlenet", 13),
    ("googlenet", "inception5b"): _prefix("googlenet", 16),
    ("resnet50", "layer1"): _prefix("resnet50", 7),
    ("resnet50", "layer2"): _prefix("resnet50", 11),
    ("resnet50", "layer4"): _prefix("resnet50", 20),
    ("densenet121", "transition1"): _prefix("densenet121", 4 + 6 + 4),
    ("densenet121", "denseblock2"): _prefix("densenet121", 4 + 6 + 4 + 12),
    ("squeezenet1_0", "classifier relu"): _prefix("squeezenet1_0", 16),
    ("mobilenet_v2", "features"): _prefix("mobilenet_v2", 3 + 17 + 3),
}


def _check(name: str, make: Callable[[], nn.Module], period: int = 1) -> None:
    p = PRESETS[name]
    s = summarize_spec(p.spec, parse_shape(p.input))
    with torch.device("meta"):
        row = row_after(s, make())
    r = max(row.rf.size)
    # Large enough that the outputs' fields lie inside, a multiple of 32 (U-Net halves the
    # map four times and the maps must line up again).
    size = -(-(r + 4 * int(max(row.rf.jump)) + 2 * period + 2) // 32) * 32
    assert footprint(make(), size, period) == row.rf.size, (row.path, row.spec[:60])


@pytest.mark.parametrize(("name", "where"), sorted(CASES))
def test_receptive_field_equals_the_gradient_footprint(name: str, where: str) -> None:
    _check(name, CASES[name, where])


def test_unet_receptive_field_is_a_marked_estimate_within_the_footprints() -> None:
    """Through transposed convs joined with skips, the field depends on the output's
    position: measured over one period of 16 outputs it runs from 188 to 204. One number
    cannot be exact there, so the calculator marks it as an estimate (≈, and "estimate" in
    JSON), and its figure must lie within the measured range."""
    p = PRESETS["unet"]
    s = summarize_spec(p.spec, parse_shape(p.input))
    with torch.device("meta"):
        row = row_after(s, GRAPHS["unet"]())
    assert row.rf.approx and row.rf.describe()[0].startswith("≈")
    r = max(row.rf.size)
    size = -(-(r + 4 * int(max(row.rf.jump)) + 2 * 16 + 2) // 32) * 32
    extents = footprints(GRAPHS["unet"](), size, 16)
    for axis in (0, 1):
        seen = [e[axis] for e in extents]
        assert min(seen) <= row.rf.size[axis] <= max(seen), (seen, row.rf.size)


def test_fields_after_upsampling_are_marked_and_plain_ones_are_not() -> None:
    for name in ("googlenet", "resnet50", "densenet121", "inception_v3", "vgg16"):
        p = PRESETS[name]
        assert not any(r.rf.approx for r in
                       summarize_spec(p.spec, parse_shape(p.input)).leaves()), name


def test_join_of_a_row_and_a_column_sees_both_axes() -> None:
    # cat[1x3 | 3x1]: an output depends on the 1x3 row and the 3x1 column around it, a 3x3
    # footprint (InceptionE's split branches).
    s = summarize_spec("cat[conv(4,1x3,padding=0x1)|conv(4,3x1,padding=1x0)]", (4, 9, 9))
    made = Cat(nn.Conv2d(4, 4, (1, 3), padding=(0, 1)), nn.Conv2d(4, 4, (3, 1), padding=(1, 0)))
    assert footprint(made, 32) == (3, 3)
    assert s.layers[-1].rf.size == (3, 3)
