"""Test oracle: spec layers mapped to torch modules independently of the calculator."""

from __future__ import annotations

import torch
from torch import nn

from cnncalc.spec import Layer


def torch_layer(layer: Layer, x: torch.Tensor) -> nn.Module:
    """The torch module a spec layer names, sized from the real tensor `x` (not the calculator)."""
    a = layer.args
    if layer.kind == "conv":
        pad = a["padding"]
        return nn.Conv2d(x.shape[1], a["out_channels"], a["kernel_size"], a["stride"], pad,
                         a["dilation"], a["groups"], a["bias"])
    if layer.kind == "convt":
        pad = 0 if a["padding"] == "valid" else a["padding"]
        return nn.ConvTranspose2d(x.shape[1], a["out_channels"], a["kernel_size"], a["stride"],
                                  pad, a["output_padding"], a["groups"], a["bias"],
                                  a["dilation"])
    if layer.kind == "maxpool":
        pad = 0 if a["padding"] == "valid" else a["padding"]
        return nn.MaxPool2d(a["kernel_size"], a["stride"], pad, a["dilation"],
                            ceil_mode=a["ceil_mode"])
    if layer.kind == "avgpool":
        pad = 0 if a["padding"] == "valid" else a["padding"]
        return nn.AvgPool2d(a["kernel_size"], a["stride"], pad, a["ceil_mode"],
                            a["count_include_pad"])
    if layer.kind == "gap":
        return nn.AdaptiveAvgPool2d(a["output_size"])
    if layer.kind == "fc":
        return nn.Linear(x.shape[1], a["out_features"], a["bias"])
    if layer.kind == "flatten":
        return nn.Flatten()
    if layer.kind == "bn":
        cls = nn.BatchNorm2d if x.dim() == 4 else nn.BatchNorm1d
        return cls(x.shape[1], a["eps"], a["momentum"], a["affine"])
    if layer.kind == "dropout":
        return nn.Dropout(a["p"])
    if layer.kind == "lrn":
        return nn.LocalResponseNorm(a["size"], a["alpha"], a["beta"], a["k"])
    if layer.kind == "leakyrelu":
        return nn.LeakyReLU(a["negative_slope"])
    if layer.kind == "softmax":
        return nn.Softmax(dim=1)
    return {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid, "gelu": nn.GELU,
            "elu": nn.ELU, "silu": nn.SiLU, "relu6": nn.ReLU6}[layer.kind]()


def counts(module: nn.Module) -> tuple[int, int]:
    """(trainable parameters, running-statistics buffers) as torch reports them."""
    trainable = sum(p.numel() for p in module.parameters())
    stats = sum(b.numel() for name, b in module.named_buffers()
                if name.endswith(("running_mean", "running_var")))
    return trainable, stats


def assert_reads_as_torch(code: str, model: str | None, shape: str, net: nn.Module) -> None:
    """cnncalc's reading of `code` (its `model`, on `shape`) against `net`, the module torch
    builds from the same code: output shape, trainable parameters and running statistics."""
    from cnncalc.calc.summary import summarize
    from cnncalc.dialects.resolve import resolve

    r = resolve(code, None, shape, model=model)
    s = summarize(r.nodes, r.shape, r.convention)
    with torch.no_grad():
        out = net(torch.zeros(1, *r.shape))
    trainable, stats = counts(net)
    assert (s.output_shape, s.trainable_params, s.non_trainable_params) == \
        (tuple(out.shape[1:]), trainable, stats)
