"""The one mapping from a spec to a torch nn.Module, sized by the calculator (imports torch)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch import nn

from ..calc.summary import LayerInfo, Summary, output_places
from ..errors import UsageError
from ..ir.tree import OUTPUTS
from ..ops.base import (
    BatchNormArgs,
    ConvArgs,
    ConvTArgs,
    LinearArgs,
    NormArgs,
    OpArgs,
    PlainArgs,
    PoolArgs,
    UpsampleArgs,
)


class Residual(nn.Module):
    """body(x) + shortcut(x); the shortcut is nn.Identity or a 1x1 projection."""

    def __init__(self, body: nn.Module, shortcut: nn.Module) -> None:
        super().__init__()
        self.body = body
        self.shortcut = shortcut

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out: torch.Tensor = self.body(x) + self.shortcut(x)
        return out


class Padded(nn.Sequential):
    """One calculator layer that torch needs two modules for (pad + conv, convT + crop)."""


class Branches(nn.Module):
    """Every branch applied to the same input, then joined: torch.cat on the channels
    ("cat"), a sum ("add"), a broadcast product ("mul"), the mean ("mean") or the
    elementwise maximum ("max"). nn.Identity is the input itself."""

    def __init__(self, join: str, branches: list[nn.Module]) -> None:
        super().__init__()
        self.join = join
        self.branches = nn.ModuleList(branches)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        outs: list[torch.Tensor] = [b(x) for b in self.branches]
        if self.join == "cat":
            return torch.cat(outs, 1)
        out = outs[0]
        for o in outs[1:]:
            out = torch.maximum(out, o) if self.join == "max" else \
                out * o if self.join == "mul" else out + o
        return out / len(outs) if self.join == "mean" else out


class Outputs(nn.Module):
    """A model's several outputs: every branch applied to the same input, nothing joined.
    Returns the outputs of its branches (a nested Outputs gives several) ordered by their
    places among the model's outputs, as the code returned them."""

    def __init__(self, branches: list[nn.Module], places: tuple[tuple[int, ...], ...]) -> None:
        super().__init__()
        self.branches = nn.ModuleList(branches)
        self.places = places  # each branch's places: one, or a nested block's, ascending

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, ...]:
        found: list[tuple[int, torch.Tensor]] = []
        for b, places in zip(self.branches, self.places):
            out = b(x)
            found.extend(zip(places, out if isinstance(out, tuple) else (out,)))
        return tuple(t for _, t in sorted(found, key=lambda pair: pair[0]))


class Meet(nn.Module):
    """Where a model's several inputs meet: each branch applied to its own input (its place
    in the tuple of inputs; -1: to the whole tuple, where a further such block starts), then
    joined as Branches joins them ("cat", "add", "mul"), or, for "outputs", returned in the
    order of their places among the model's outputs, as Outputs returns them."""

    def __init__(self, join: str, branches: list[nn.Module], starts: tuple[int, ...],
                 places: tuple[tuple[int, ...], ...] = ()) -> None:
        super().__init__()
        self.join = join
        self.branches = nn.ModuleList(branches)
        self.starts = starts
        self.places = places

    def forward(self, xs: tuple[torch.Tensor, ...]
                ) -> torch.Tensor | tuple[torch.Tensor, ...]:
        outs = [b(xs[s] if s >= 0 else xs) for b, s in zip(self.branches, self.starts)]
        if self.join == "outputs":
            found = [(p, t) for places, out in zip(self.places, outs)
                     for p, t in zip(places, out if isinstance(out, tuple) else (out,))]
            return tuple(t for _, t in sorted(found, key=lambda pair: pair[0]))
        if self.join == "cat":
            return torch.cat(outs, 1)
        out: torch.Tensor = outs[0]
        for o in outs[1:]:
            out = out + o if self.join == "add" else out * o
        return out


class Inputs(nn.Sequential):
    """A model of several inputs: model(x, y, ...) hands them, as one tuple, to its first
    module, a Meet; the rest runs as a Sequential."""

    def forward(self, *xs: torch.Tensor) -> Any:
        out: Any = xs
        for m in self:
            out = m(out)
        return out


class ChannelSlice(nn.Module):
    """x[:, start:stop]: one piece of torch.chunk or torch.split along dim 1."""

    def __init__(self, start: int, stop: int) -> None:
        super().__init__()
        self.start = start
        self.stop = stop

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x[:, self.start:self.stop]


class Reshape(nn.Module):
    """x.reshape(N, *shape): the batch stays, the rest takes the given shape."""

    def __init__(self, shape: tuple[int, ...]) -> None:
        super().__init__()
        self.shape = tuple(shape)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out: torch.Tensor = x.reshape(x.shape[0], *self.shape)
        return out


class Permute(nn.Module):
    """x.permute(0, *dims): the batch stays first, the other dimensions are reordered."""

    def __init__(self, dims: tuple[int, ...]) -> None:
        super().__init__()
        self.dims = tuple(dims)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.permute(0, *(d + 1 for d in self.dims))


class ChannelLayerNorm(nn.LayerNorm):
    """Layer norm over the channels at each position of a map (Keras' LayerNormalization on
    channels-last data, ConvNeXt's LayerNorm2d)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() == 2:
            return super().forward(x)
        return super().forward(x.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)


class ChannelLinear(nn.Linear):
    """nn.Linear on the channels at each position of a map (Keras' Dense on channels-last
    data): the weight is (out_features, in_features), exactly as Keras' kernel transposed."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() == 2:
            return super().forward(x)
        y = super().forward(x.movedim(1, -1))  # (N, H, W, C) -> (N, H, W, units)
        return y.movedim(-1, 1)


def _linear(a: LinearArgs) -> nn.Module:
    # "last" is nn.Linear itself: torch applies it to the last axis of any rank.
    if a.over == "c":
        return ChannelLinear(a.in_features, a.out_features, a.bias)
    if a.over not in ("flat", "last"):
        raise AssertionError(f"fc over={a.over!r} has no builder")
    return nn.Linear(a.in_features, a.out_features, a.bias)


def _conv(a: ConvArgs) -> nn.Module:
    def conv2d(padding: str | tuple[int, int]) -> nn.Conv2d:
        return nn.Conv2d(a.in_channels, a.out_channels, a.kernel_size, a.stride, padding,
                         a.dilation, a.groups, a.bias,
                         a.padding_mode)  # type: ignore[arg-type]  # checked by the op

    if a.padding is not None:
        return conv2d(a.padding)
    top, bottom, left, right = a.pads
    if top == bottom and left == right:
        return conv2d((top, left))
    if a.padding_mode != "zeros":
        raise UsageError(f"uneven padding with padding_mode={a.padding_mode!r} has no torch "
                         "layer cnncalc builds", "pad evenly, or use padding_mode='zeros'")
    return Padded(nn.ZeroPad2d((left, right, top, bottom)), conv2d((0, 0)))


def _convt(a: ConvTArgs) -> nn.Module:
    m = nn.ConvTranspose2d(a.in_channels, a.out_channels, a.kernel_size, a.stride, a.padding,
                           a.output_padding, a.groups, a.bias, a.dilation)
    ch, cw = a.crop
    if ch or cw:
        return Padded(m, nn.ZeroPad2d((0, -cw, 0, -ch)))
    return m


def _maxpool(a: PoolArgs) -> nn.Module:
    top, bottom, left, right = a.pads
    even = top == bottom and left == right
    pool = nn.MaxPool2d(a.kernel_size, a.stride, (top, left) if even else 0, a.dilation,
                        ceil_mode=a.ceil_mode)
    if even:
        return pool
    # Keras 'same' max pooling ignores the padding: pad with -inf, never a maximum.
    return Padded(nn.ConstantPad2d((left, right, top, bottom), float("-inf")), pool)


def _avgpool(a: PoolArgs) -> nn.Module:
    top, bottom, left, right = a.pads
    if not (top == bottom and left == right):
        raise UsageError("Keras average pooling with uneven 'same' padding has no exact "
                         "PyTorch equivalent", "use an odd pool size or padding=valid")
    include = a.count_include_pad if a.padding is not None else False
    return nn.AvgPool2d(a.kernel_size, a.stride, (top, left), a.ceil_mode, include)


def _batchnorm(a: BatchNormArgs) -> nn.Module:
    cls = nn.BatchNorm2d if a.dims == 3 else nn.BatchNorm1d
    return cls(a.num_features, a.eps, a.momentum, a.affine, a.track_running_stats)


def _layernorm(a: NormArgs) -> nn.Module:
    if a.over == "c":
        return ChannelLayerNorm(a.num_channels, a.eps, a.affine)
    if a.over not in ("chw", "last"):
        raise AssertionError(f"layernorm over={a.over!r} has no builder")
    return nn.LayerNorm(list(a.normalized_shape), a.eps, a.affine)


def _upsample(a: UpsampleArgs) -> nn.Module:
    scale = a.scale[0] if a.scale[0] == a.scale[1] else a.scale
    return nn.Upsample(scale_factor=scale, mode=a.mode, align_corners=a.align_corners)


def _plain(a: OpArgs) -> dict[str, Any]:
    assert isinstance(a, PlainArgs)
    return dict(a.values)


Builder = Callable[[Any], nn.Module]

BUILDERS: dict[str, Builder] = {
    "conv": _conv,
    "dwconv": _conv,
    "convt": _convt,
    "maxpool": _maxpool,
    "avgpool": _avgpool,
    "gap": lambda a: nn.AdaptiveAvgPool2d(a.output_size),
    "gmp": lambda a: nn.AdaptiveMaxPool2d(a.output_size),
    "zeropad": lambda a: nn.ZeroPad2d(a.pads),
    "fc": _linear,
    "flatten": lambda a: nn.Flatten(),
    "bn": _batchnorm,
    "groupnorm": lambda a: nn.GroupNorm(a.num_groups, a.num_channels, a.eps, a.affine),
    "instancenorm": lambda a: nn.InstanceNorm2d(a.num_channels, a.eps, affine=a.affine,
                                                track_running_stats=a.track_running_stats),
    "layernorm": _layernorm,
    "lrn": lambda a: nn.LocalResponseNorm(**_plain(a)),
    "upsample": _upsample,
    "pixelshuffle": lambda a: nn.PixelShuffle(a.factor),
    "channelshuffle": lambda a: nn.ChannelShuffle(a.factor),
    "reshape": lambda a: Reshape(a.shape),
    "permute": lambda a: Permute(a.order),
    "slice": lambda a: ChannelSlice(a.start, a.stop),
    "relu": lambda a: nn.ReLU(inplace=False),
    "tanh": lambda a: nn.Tanh(),
    "sigmoid": lambda a: nn.Sigmoid(),
    "gelu": lambda a: nn.GELU(),
    "elu": lambda a: nn.ELU(),
    "silu": lambda a: nn.SiLU(),
    "relu6": lambda a: nn.ReLU6(),
    "hardswish": lambda a: nn.Hardswish(),
    "hardsigmoid": lambda a: nn.Hardsigmoid(),
    "leakyrelu": lambda a: nn.LeakyReLU(_plain(a)["negative_slope"]),
    "softmax": lambda a: nn.Softmax(dim=1),
    "logsoftmax": lambda a: nn.LogSoftmax(dim=1),
    "dropout": lambda a: nn.Dropout(_plain(a)["p"]),
}
"""The torch module of each one-input kind, built from its typed record. Joins are built
as blocks (Residual, Branches) by `row_module`."""


def layer_module(row: LayerInfo) -> nn.Module:
    return BUILDERS[row.kind](row.args)


def row_module(row: LayerInfo, made: dict[str, nn.Module] | None = None) -> nn.Module:
    """The module of a row. `made` holds the modules built so far by row path: a layer that
    shares another's weights is that row's very module, so a trained model shares them too."""
    made = {} if made is None else made
    if row.kind == "repeat":
        return nn.Sequential(*(row_module(c, made) for c in row.children))
    if row.kind == "residual":
        body = nn.Sequential(*(row_module(c, made) for c in row.children))
        shortcut: nn.Module = nn.Sequential(*(row_module(c, made) for c in row.shortcut)) \
            if row.shortcut else nn.Identity()
        return Residual(body, shortcut)
    if row.starts:  # where the model's inputs meet
        return Meet(row.kind, [nn.Sequential(*(row_module(c, made) for c in b)) if b else
                               nn.Identity() for b in row.branches], row.starts,
                    output_places(row) if row.kind == OUTPUTS else ())
    if row.kind == OUTPUTS:
        return Outputs([nn.Sequential(*(row_module(c, made) for c in b)) if b else
                        nn.Identity() for b in row.branches], output_places(row))
    if row.branches:
        return Branches(row.kind, [nn.Sequential(*(row_module(c, made) for c in b)) if b else
                                   nn.Identity() for b in row.branches])
    module = made[row.shares] if row.shares else layer_module(row)
    made[row.path] = module
    return module


def build(summary: Summary) -> nn.Sequential:
    """The model for a computed summary. Layer sizes come from the calculator."""
    made: dict[str, nn.Module] = {}
    modules = (row_module(r, made) for r in summary.layers)
    return Inputs(*modules) if summary.inputs else nn.Sequential(*modules)


class Normalize(nn.Module):
    """Raw 0..1 pixels in, the network's input out: centre zero-padding up to the input size
    the spec declares (28x28 digits in a 32x32 net), then (x - mean) / std."""

    def __init__(self, height: int, width: int, mean: float, std: float) -> None:
        super().__init__()
        self.height, self.width = height, width
        self.register_buffer("mean", torch.tensor(float(mean)))
        self.register_buffer("std", torch.tensor(float(std)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        dh, dw = self.height - x.shape[-2], self.width - x.shape[-1]
        if dh < 0 or dw < 0:
            raise ValueError(f"images of {x.shape[-2]}x{x.shape[-1]} are larger than this "
                             f"network's {self.height}x{self.width} input")
        if dh or dw:  # (N, C, h, w) -> (N, C, height, width)
            x = nn.functional.pad(x, (dw // 2, dw - dw // 2, dh // 2, dh - dh // 2))
        mean, std = self.get_buffer("mean"), self.get_buffer("std")
        return (x - mean) / std


class Classifier(nn.Module):
    """A trained network as a whole: `prep` (a Normalize) then `layers` (the spec)."""

    def __init__(self, prep: nn.Module, layers: nn.Module) -> None:
        super().__init__()
        self.prep = prep
        self.layers = layers

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out: torch.Tensor = self.layers(self.prep(x))
        return out


def leaf_modules(model: nn.Module) -> list[nn.Module]:
    """The modules that correspond, in order, to Summary.leaves()."""
    out: list[nn.Module] = []

    def walk(m: nn.Module) -> None:
        if isinstance(m, Residual):
            walk(m.body)
            walk(m.shortcut)
        elif isinstance(m, (Branches, Outputs, Meet)):
            for b in m.branches:
                walk(b)
        elif isinstance(m, nn.Sequential) and _is_group(m):
            for c in m:
                walk(c)
        elif isinstance(m, nn.Identity):
            return
        else:
            out.append(m)

    walk(model)
    return out


def _is_group(m: nn.Sequential) -> bool:
    """Sequentials made for blocks, as opposed to a padded layer (pad + conv)."""
    return not isinstance(m, Padded)
