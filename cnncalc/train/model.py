"""The one mapping from a spec to a torch nn.Module, sized by the calculator (imports torch)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch import nn

from ..calc.summary import LayerInfo, Summary
from ..errors import UsageError


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


_POINTWISE: dict[str, Callable[[dict[str, Any]], nn.Module]] = {
    "relu": lambda a: nn.ReLU(inplace=False),
    "tanh": lambda a: nn.Tanh(),
    "sigmoid": lambda a: nn.Sigmoid(),
    "gelu": lambda a: nn.GELU(),
    "elu": lambda a: nn.ELU(),
    "silu": lambda a: nn.SiLU(),
    "relu6": lambda a: nn.ReLU6(),
    "leakyrelu": lambda a: nn.LeakyReLU(a["negative_slope"]),
    "softmax": lambda a: nn.Softmax(dim=1),
    "logsoftmax": lambda a: nn.LogSoftmax(dim=1),
    "dropout": lambda a: nn.Dropout(a["p"]),
    "lrn": lambda a: nn.LocalResponseNorm(a["size"], a["alpha"], a["beta"], a["k"]),
}


def _conv(a: dict[str, Any]) -> nn.Module:
    common = dict(kernel_size=a["kernel_size"], stride=a["stride"], dilation=a["dilation"],
                  groups=a["groups"], bias=a["bias"])
    if a["padding"] is not None:
        return nn.Conv2d(a["in_channels"], a["out_channels"], padding=a["padding"], **common)
    top, bottom, left, right = a["pads"]
    if top == bottom and left == right:
        return nn.Conv2d(a["in_channels"], a["out_channels"], padding=(top, left), **common)
    return Padded(nn.ZeroPad2d((left, right, top, bottom)),
                         nn.Conv2d(a["in_channels"], a["out_channels"], padding=0, **common))


def _convt(a: dict[str, Any]) -> nn.Module:
    m = nn.ConvTranspose2d(a["in_channels"], a["out_channels"], a["kernel_size"], a["stride"],
                           a["padding"], a["output_padding"], a["groups"], a["bias"],
                           a["dilation"])
    ch, cw = a["crop"]
    if ch or cw:
        return Padded(m, nn.ZeroPad2d((0, -cw, 0, -ch)))
    return m


def _pool(kind: str, a: dict[str, Any]) -> nn.Module:
    top, bottom, left, right = a["pads"]
    even = top == bottom and left == right
    if kind == "maxpool":
        pool = nn.MaxPool2d(a["kernel_size"], a["stride"], (top, left) if even else 0,
                            a["dilation"], ceil_mode=a["ceil_mode"])
        if even:
            return pool
        # Keras 'same' max pooling ignores the padding: pad with -inf, never a maximum.
        return Padded(nn.ConstantPad2d((left, right, top, bottom), float("-inf")), pool)
    if not even:
        raise UsageError("Keras average pooling with uneven 'same' padding has no exact "
                         "PyTorch equivalent", "use an odd pool size or padding=valid")
    include = a["count_include_pad"] if a["padding"] is not None else False
    return nn.AvgPool2d(a["kernel_size"], a["stride"], (top, left), a["ceil_mode"], include)


def layer_module(row: LayerInfo) -> nn.Module:
    a = row.torch_args
    if row.kind in ("conv", "dwconv"):
        return _conv(a)
    if row.kind == "zeropad":
        return nn.ZeroPad2d(a["pads"])
    if row.kind == "gmp":
        return nn.AdaptiveMaxPool2d(a["output_size"])
    if row.kind == "convt":
        return _convt(a)
    if row.kind in ("maxpool", "avgpool"):
        return _pool(row.kind, a)
    if row.kind == "gap":
        return nn.AdaptiveAvgPool2d(a["output_size"])
    if row.kind == "fc":
        return nn.Linear(a["in_features"], a["out_features"], a["bias"])
    if row.kind == "flatten":
        return nn.Flatten()
    if row.kind == "bn":
        cls = nn.BatchNorm2d if a["dims"] == 3 else nn.BatchNorm1d
        return cls(a["num_features"], a["eps"], a["momentum"], a["affine"],
                   a.get("track_running_stats", True))
    return _POINTWISE[row.kind](a)


def row_module(row: LayerInfo) -> nn.Module:
    if row.kind == "repeat":
        return nn.Sequential(*(row_module(c) for c in row.children))
    if row.kind == "residual":
        body = nn.Sequential(*(row_module(c) for c in row.children))
        shortcut: nn.Module = nn.Sequential(*(row_module(c) for c in row.shortcut)) \
            if row.shortcut else nn.Identity()
        return Residual(body, shortcut)
    return layer_module(row)


def build(summary: Summary) -> nn.Sequential:
    """The model for a computed summary. Layer sizes come from the calculator."""
    return nn.Sequential(*(row_module(r) for r in summary.layers))


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
