"""Compare a computed summary with a torch module written out by hand: every leaf's output
shape in call order, its parameters, running statistics and MACs, and the totals.

The torch side is the oracle. Its MACs come from the module and the tensors it produced:
out.numel() · weight[0].numel() for a convolution (each output value is one dot product
over one filter), x.numel() · weight[0].numel() for a transposed convolution (each input
value is scattered through one filter slice), out.numel() · in_features for a linear layer.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from cnncalc.calc.summary import Summary

KIND = {
    nn.Conv2d: "conv", nn.ConvTranspose2d: "convt", nn.Linear: "fc", nn.BatchNorm2d: "bn",
    nn.BatchNorm1d: "bn", nn.ReLU: "relu", nn.ReLU6: "relu6", nn.Sigmoid: "sigmoid",
    nn.Tanh: "tanh", nn.GELU: "gelu", nn.SiLU: "silu", nn.ELU: "elu", nn.Hardswish: "hardswish",
    nn.Hardsigmoid: "hardsigmoid", nn.LeakyReLU: "leakyrelu", nn.MaxPool2d: "maxpool",
    nn.AvgPool2d: "avgpool", nn.AdaptiveAvgPool2d: "gap", nn.AdaptiveMaxPool2d: "gmp",
    nn.Flatten: "flatten", nn.Dropout: "dropout", nn.Upsample: "upsample",
    nn.PixelShuffle: "pixelshuffle", nn.ChannelShuffle: "channelshuffle",
    nn.GroupNorm: "groupnorm", nn.InstanceNorm2d: "instancenorm", nn.LayerNorm: "layernorm",
    nn.Softmax: "softmax", nn.LocalResponseNorm: "lrn",
}
"""Spec kind of each torch leaf (a depthwise conv is a conv with groups = channels)."""


@dataclass(frozen=True)
class Leaf:
    kind: str
    shape: tuple[int, ...]  # output, without the batch
    trainable: int
    stats: int  # running mean and variance values
    macs: int | None  # None where the oracle does not count (pools, activations, norms)


def _macs(m: nn.Module, x: torch.Tensor, out: torch.Tensor) -> int | None:
    if isinstance(m, nn.Conv2d):
        return out[0].numel() * m.weight[0].numel()
    if isinstance(m, nn.ConvTranspose2d):
        return x[0].numel() * m.weight[0].numel()
    if isinstance(m, nn.Linear):
        return out[0].numel() * m.in_features
    return None


def run_leaves(module: nn.Module, shape: tuple[int, ...], device: str = "meta") -> tuple[
        list[Leaf], tuple[int, ...]]:
    """Run a batch of one through `module` and record every leaf module as it is called."""
    leaves: list[Leaf] = []

    def hook(m: nn.Module, args: tuple[torch.Tensor, ...], out: torch.Tensor) -> None:
        stats = sum(b.numel() for n, b in m.named_buffers()
                    if n.endswith(("running_mean", "running_var")))
        leaves.append(Leaf(KIND[type(m)], tuple(out.shape[1:]),
                           sum(p.numel() for p in m.parameters()), stats,
                           _macs(m, args[0], out)))

    handles = [m.register_forward_hook(hook) for m in module.modules()
               if not list(m.children()) and not isinstance(m, nn.Identity)]
    try:
        module.eval()
        with torch.no_grad():
            out = module(torch.zeros((1, *shape), device=device))
    finally:
        for h in handles:
            h.remove()
    return leaves, tuple(out.shape[1:])


def assert_matches(summary: Summary, module: nn.Module, device: str = "meta") -> None:
    """Every leaf, in order, and the totals of `summary` equal those of `module`."""
    leaves, out_shape = run_leaves(module, summary.input_shape, device)
    rows = summary.leaves()
    mine = [(r.path, "conv" if r.kind == "dwconv" else r.kind, r.output_shape) for r in rows]
    theirs = [(r.path, t.kind, t.shape) for r, t in zip(rows, leaves)]
    assert len(rows) == len(leaves), (len(rows), len(leaves), mine[len(leaves):] or
                                      [t.kind for t in leaves[len(rows):]])
    assert mine == theirs
    for r, t in zip(rows, leaves):
        assert (r.trainable_params, r.non_trainable_params) == (t.trainable, t.stats), r
        if t.macs is not None:
            assert r.macs == t.macs, r
    trainable = sum(p.numel() for p in module.parameters())
    stats = sum(b.numel() for n, b in module.named_buffers()
                if n.endswith(("running_mean", "running_var")))
    assert (summary.trainable_params, summary.non_trainable_params) == (trainable, stats)
    assert summary.output_shape == out_shape


def _pair(v: object) -> object:
    return v if isinstance(v, tuple) else (v, v)


def config(m: nn.Module) -> tuple[object, ...]:
    """What a leaf module was built with, in one normal form (1 and (1, 1) alike)."""
    if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
        return (type(m).__name__, m.in_channels, m.out_channels, m.kernel_size, m.stride,
                m.padding, m.dilation, m.groups, m.bias is not None,
                getattr(m, "output_padding", None))
    if isinstance(m, (nn.MaxPool2d, nn.AvgPool2d)):
        return (type(m).__name__, _pair(m.kernel_size), _pair(m.stride), _pair(m.padding),
                m.ceil_mode, getattr(m, "count_include_pad", None),
                _pair(getattr(m, "dilation", 1)))
    if isinstance(m, nn.modules.batchnorm._BatchNorm):
        return ("bn", m.num_features, m.eps, m.momentum, m.affine, m.track_running_stats)
    if isinstance(m, nn.Linear):
        return ("Linear", m.in_features, m.out_features, m.bias is not None)
    if isinstance(m, (nn.AdaptiveAvgPool2d, nn.AdaptiveMaxPool2d)):
        return (type(m).__name__, _pair(m.output_size))
    if isinstance(m, nn.Dropout):
        return ("Dropout", m.p)
    return (type(m).__name__, m.extra_repr())


def assert_builds_alike(summary: Summary, reference: nn.Module) -> None:
    """cnncalc's own torch module for `summary` has the reference's leaves, each built with
    the same arguments (eps, ceil_mode, bias...: what shapes and counts cannot show)."""
    from cnncalc.train.model import build, leaf_modules

    with torch.device("meta"):
        built = leaf_modules(build(summary))
    theirs: list[nn.Module] = []
    handles = [m.register_forward_hook(lambda m, a, o: theirs.append(m))
               for m in reference.modules()
               if not list(m.children()) and not isinstance(m, nn.Identity)]
    try:
        with torch.no_grad():
            reference(torch.zeros((1, *summary.input_shape), device="meta"))
    finally:
        for h in handles:
            h.remove()
    assert len(built) == len(theirs)
    assert [config(m) for m in built] == [config(m) for m in theirs]


# Building blocks of the hand-written reference modules.

class Cat(nn.Module):
    """torch.cat of the branches on the channels; None is the input itself."""

    def __init__(self, *branches: nn.Module | None) -> None:
        super().__init__()
        self.branches = nn.ModuleList(b if b is not None else nn.Identity() for b in branches)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([b(x) for b in self.branches], 1)


class Sum(nn.Module):
    """The branches added; None is the input itself."""

    def __init__(self, *branches: nn.Module | None) -> None:
        super().__init__()
        self.branches = nn.ModuleList(b if b is not None else nn.Identity() for b in branches)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        outs = [b(x) for b in self.branches]
        total = outs[0]
        for o in outs[1:]:
            total = total + o
        return total


class Gate(nn.Module):
    """x times gate(x), broadcast (squeeze-and-excitation)."""

    def __init__(self, gate: nn.Module) -> None:
        super().__init__()
        self.gate = gate

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.gate(x)


def seq(*mods: nn.Module) -> nn.Sequential:
    return nn.Sequential(*mods)
