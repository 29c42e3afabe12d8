"""The layer vocabulary: names, aliases and parameters of every layer the spec language knows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

REQUIRED: Final = object()
"""Marks a parameter that has no default."""

SAME_AS_KERNEL: Final = "=kernel_size"
"""Default of a pooling stride: the kernel size. Any default written `=name` copies the
value bound to the parameter `name` before it."""

MAX_PAD = 10**12

# Value kinds a parameter accepts, checked when a spec is bound.
INT, PAIR, PADDING, FLOAT, BOOL, SIZE, PROB = (
    "int",
    "pair",
    "padding",
    "float",
    "bool",
    "size",
    "prob",
)


@dataclass(frozen=True)
class Param:
    """One parameter of a layer, named as PyTorch names it."""

    name: str
    kind: str
    default: object = REQUIRED
    short: tuple[str, ...] = ()
    minimum: int = 0


@dataclass(frozen=True)
class LayerDef:
    """A layer type: canonical name, aliases, parameters in positional order."""

    name: str
    params: tuple[Param, ...]
    aliases: tuple[str, ...] = ()
    torch: str = ""

    def param(self, name: str) -> Param | None:
        for p in self.params:
            if p.name == name or name in p.short:
                return p
        return None


def _conv_params(transposed: bool) -> tuple[Param, ...]:
    head = (
        Param("out_channels", INT, short=("out", "c", "filters"), minimum=1),
        Param("kernel_size", PAIR, short=("kernel", "k"), minimum=1),
        Param("stride", PAIR, 1, ("s",), minimum=1),
        Param("padding", PADDING, 0, ("p", "pad")),
    )
    tail = (
        Param("dilation", PAIR, 1, ("d",), minimum=1),
        Param("groups", INT, 1, ("g",), minimum=1),
        Param("bias", BOOL, True, ("b",)),
    )
    if transposed:
        return head + (Param("output_padding", PAIR, 0, ("op",)),) + tail
    return head + tail


_ACTIVATIONS = {
    "relu": "nn.ReLU",
    "tanh": "nn.Tanh",
    "sigmoid": "nn.Sigmoid",
    "gelu": "nn.GELU",
    "elu": "nn.ELU",
    "silu": "nn.SiLU",
    "relu6": "nn.ReLU6",
}

LAYERS: Final[dict[str, LayerDef]] = {
    d.name: d
    for d in (
        LayerDef("conv", _conv_params(False), (), "nn.Conv2d"),
        LayerDef("convt", _conv_params(True), ("deconv",), "nn.ConvTranspose2d"),
        LayerDef(
            "dwconv",
            (
                Param("kernel_size", PAIR, short=("kernel", "k"), minimum=1),
                Param("stride", PAIR, 1, ("s",), minimum=1),
                Param("padding", PADDING, 0, ("p", "pad")),
                Param("depth_multiplier", INT, 1, ("m",), minimum=1),
                Param("dilation", PAIR, 1, ("d",), minimum=1),
                Param("bias", BOOL, True, ("b",)),
            ),
            ("depthwise",),
            "nn.Conv2d(groups=C)",
        ),
        LayerDef(
            "maxpool",
            (
                Param("kernel_size", PAIR, short=("kernel", "k"), minimum=1),
                Param("stride", PAIR, SAME_AS_KERNEL, ("s",), minimum=1),
                Param("padding", PADDING, 0, ("p", "pad")),
                Param("dilation", PAIR, 1, ("d",), minimum=1),
                Param("ceil_mode", BOOL, False, ("ceil",)),
            ),
            ("pool",),
            "nn.MaxPool2d",
        ),
        LayerDef(
            "avgpool",
            (
                Param("kernel_size", PAIR, short=("kernel", "k"), minimum=1),
                Param("stride", PAIR, SAME_AS_KERNEL, ("s",), minimum=1),
                Param("padding", PADDING, 0, ("p", "pad")),
                Param("ceil_mode", BOOL, False, ("ceil",)),
                Param("count_include_pad", BOOL, True, ("cip",)),
            ),
            (),
            "nn.AvgPool2d",
        ),
        LayerDef(
            "gap",
            (Param("output_size", SIZE, 1, ("size", "out", "o"), minimum=1),),
            ("globalavgpool",),
            "nn.AdaptiveAvgPool2d",
        ),
        LayerDef(
            "gmp",
            (Param("output_size", SIZE, 1, ("size", "out", "o"), minimum=1),),
            ("globalmaxpool",),
            "nn.AdaptiveMaxPool2d",
        ),
        LayerDef(
            "zeropad",
            (
                # Negative values crop, as nn.ZeroPad2d and Keras' Cropping2D do.
                Param("top", INT, minimum=-MAX_PAD),
                Param("bottom", INT, "=top", minimum=-MAX_PAD),
                Param("left", INT, "=top", minimum=-MAX_PAD),
                Param("right", INT, "=left", minimum=-MAX_PAD),
            ),
            ("pad",),
            "nn.ZeroPad2d",
        ),
        LayerDef(
            "fc",
            (
                Param("out_features", INT, short=("out", "units", "n"), minimum=1),
                Param("bias", BOOL, True, ("b",)),
            ),
            (),
            "nn.Linear",
        ),
        LayerDef("flatten", (), (), "nn.Flatten"),
        LayerDef("dropout", (Param("p", PROB, 0.5, ("rate",)),), (), "nn.Dropout"),
        LayerDef(
            "bn",
            (
                Param("eps", FLOAT, 1e-5),
                Param("momentum", FLOAT, 0.1),
                Param("affine", BOOL, True),
                Param("track_running_stats", BOOL, True, ("stats",)),
            ),
            (),
            "nn.BatchNorm2d",
        ),
        LayerDef(
            "lrn",
            (
                Param("size", INT, 5, ("n",), minimum=1),
                Param("alpha", FLOAT, 1e-4),
                Param("beta", FLOAT, 0.75),
                Param("k", FLOAT, 1.0),
            ),
            (),
            "nn.LocalResponseNorm",
        ),
        LayerDef("leakyrelu", (Param("negative_slope", FLOAT, 0.01, ("slope",)),),
                 ("lrelu",), "nn.LeakyReLU"),
        LayerDef("softmax", (), (), "nn.Softmax"),
        LayerDef("logsoftmax", (), (), "nn.LogSoftmax"),
        *(LayerDef(name, (), (), torch) for name, torch in _ACTIVATIONS.items()),
    )
}

ALIASES: Final[dict[str, str]] = {
    **{name: name for name in LAYERS},
    **{alias: d.name for d in LAYERS.values() for alias in d.aliases},
}


def lookup(name: str) -> LayerDef | None:
    """The definition for a layer name or alias (case-insensitive), or None."""
    canonical = ALIASES.get(name.lower())
    return LAYERS[canonical] if canonical else None
