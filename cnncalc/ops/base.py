"""What every op family declares: its signature, and the facets each consumer reads.

Each module of this package owns one op family (conv, pool, linear, norm, activation, join,
reshape) and declares an `OpDef` per kind: the kind's spec-language signature, its shape
rule (which also gives parameters, MACs, the formula and the sampling window), the rule
`explain` states, the rule `solve` follows along one axis, and the family a diagram draws it
in. The torch builder of each kind lives on the torch side (train/build.py), keyed by kind;
a test enumerates every kind against every consumer, so a kind that misses a facet fails a
test instead of falling through to someone's default.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Any, Union

from ..records import record
from .shape import Shape
from .signature import Layer, LayerDef

Pair = tuple[int, int]


@record
class Window:
    """How one spatial axis is sampled: the receptive-field view of a layer."""

    kernel: int  # effective (dilated) size
    stride: int | Fraction  # a fraction 1/s for transposed convolutions and upsampling
    pad_left: int | Fraction  # a half for the centred taps of some upsamplings
    transposed: bool = False


# -- the typed record each kind hands to the torch side (and to explain, export, draw) -------

@record
class ConvArgs:
    """nn.Conv2d (and a depthwise conv: groups = in_channels)."""

    in_channels: int
    out_channels: int
    kernel_size: Pair
    stride: Pair
    dilation: Pair
    groups: int
    bias: bool
    pads: tuple[int, int, int, int]  # top, bottom, left, right, as applied
    padding: str | None  # 'same'/'valid' where torch takes it as written, else None
    padding_mode: str = "zeros"  # what the border holds: zeros, reflect, replicate, circular


@record
class ConvTArgs:
    """nn.ConvTranspose2d, with a crop where Keras' 'same' needs one."""

    in_channels: int
    out_channels: int
    kernel_size: Pair
    stride: Pair
    padding: Pair
    output_padding: Pair
    crop: Pair  # rows and columns cut from the bottom/right
    dilation: Pair
    groups: int
    bias: bool


@record
class PoolArgs:
    """nn.MaxPool2d / nn.AvgPool2d."""

    kernel_size: Pair
    stride: Pair
    pads: tuple[int, int, int, int]  # top, bottom, left, right, as applied
    padding: Pair | None  # torch's symmetric padding, None where Keras 'same' pads itself
    ceil_mode: bool
    dilation: Pair = (1, 1)  # max pooling only
    count_include_pad: bool = True  # average pooling only


@record
class AdaptiveArgs:
    """nn.AdaptiveAvgPool2d / nn.AdaptiveMaxPool2d."""

    output_size: Pair


@record
class LinearArgs:
    """nn.Linear."""

    in_features: int  # the size of the axis it transforms
    out_features: int
    bias: bool
    over: str = "flat"  # "flat"; on a map "c" (each position's channels) or "last" (W)


@record
class BatchNormArgs:
    """nn.BatchNorm1d / nn.BatchNorm2d."""

    num_features: int
    eps: float
    momentum: float
    affine: bool
    track_running_stats: bool
    dims: int  # rank of the input without the batch: 3 for maps, 1 for vectors


@record
class NormArgs:
    """nn.GroupNorm, nn.InstanceNorm2d, nn.LayerNorm."""

    num_channels: int
    num_groups: int  # GroupNorm's groups; InstanceNorm: one per channel
    normalized_shape: tuple[int, ...]  # LayerNorm: the dimensions it normalises
    eps: float
    affine: bool
    track_running_stats: bool = False  # InstanceNorm only
    over: str = ""  # LayerNorm: "chw" (every value of a sample), "c" (the channels at each
    # position) or "last" (the last axis, as nn.LayerNorm(n) normalises)


@record
class PadArgs:
    """nn.ZeroPad2d: left, right, top, bottom (negative values crop)."""

    pads: tuple[int, int, int, int]


@record
class UpsampleArgs:
    """nn.Upsample with a scale factor."""

    scale: Pair
    mode: str
    align_corners: bool | None


@record
class ReshapeArgs:
    """Reshapes that keep every value: flatten, reshape, permute, pixel and channel shuffle."""

    shape: tuple[int, ...]  # the output shape (without the batch)
    order: tuple[int, ...] = ()  # permute: the new order of the input's dimensions
    factor: int = 0  # pixel shuffle: upscale factor; channel shuffle: groups


@record
class SliceArgs:
    """x[:, start:stop]: one piece of torch.chunk or torch.split along the channels (or the
    features of a flat vector)."""

    start: int
    stop: int
    total: int  # the channels (features) of the input


@record
class PlainArgs:
    """A layer whose torch module takes exactly the spec's own arguments (activations,
    dropout, local response normalisation, joins)."""

    values: tuple[tuple[str, Any], ...] = ()

    def get(self, name: str) -> Any:
        return dict(self.values)[name]


NO_ARGS = PlainArgs()
"""The record of a layer with no arguments of its own."""

OpArgs = Union[ConvArgs, ConvTArgs, PoolArgs, AdaptiveArgs, LinearArgs, BatchNormArgs,
               NormArgs, PadArgs, UpsampleArgs, ReshapeArgs, SliceArgs, PlainArgs]


@record
class Step:
    """What one layer does to its input."""

    output_shape: Shape
    trainable: int = 0
    non_trainable: int = 0
    macs: int = 0
    formula: str = ""
    param_formula: str = ""
    mac_formula: str = ""
    notes: tuple[str, ...] = ()
    windows: tuple[Window, Window] | None = None  # None: spatially pointwise
    global_view: bool = False  # every output sees the whole input (flatten, fc)
    args: OpArgs = NO_ARGS
    scrambles: bool = False  # moves values between positions: the receptive field is lost


Rule = tuple[Any, ...]
"""A layer's effect on one spatial axis, for `solve`: ("stop",) flatten/fc end the maps,
("keep",), ("to", size), ("never",) no rule solve can follow, ("scale", factor),
("grow", rows added), ("convt", stride, padding, extent + output_padding),
("window", extent, stride, padding, ceil)."""

Apply = Callable[[Layer, Shape, str], Step]
"""The shape rule of a one-input kind: (layer, input shape, convention) -> Step, or raise
Refusal naming the rule broken."""

JoinApply = Callable[[tuple[Shape, ...], str], Step]
"""The shape rule of a join: (every input's shape, convention) -> Step."""

SizeRule = Callable[[Any, str, str], str]
"""The output-size rule `explain` states: (typed args, the step's formula, convention)."""


@record
class OpDef:
    """One kind and all its facets (the torch builder excepted: see the module docstring)."""

    signature: LayerDef
    family: str  # how diagrams draw it: conv, pool, fc, norm, act, join, shape, other
    size_rule: SizeRule  # what explain says about the output size
    param_rule: str  # the parameter count in symbols ('' where it has no parameters)
    solve: Callable[[Layer, int], Rule]  # its effect on axis 0 (H) or 1 (W), for solve
    apply: Apply | None = None  # one input
    join: JoinApply | None = None  # several inputs

    @property
    def kind(self) -> str:
        return self.signature.name


def fixed_rule(text: str) -> SizeRule:
    """A size rule that is the same for every layer of the kind."""
    def rule(args: Any, formula: str, convention: str) -> str:
        return text
    return rule


def keep(layer: Layer, axis: int) -> Rule:
    """Solve rule of a kind that keeps H and W."""
    return ("keep",)


def stop(layer: Layer, axis: int) -> Rule:
    """Solve rule of a kind after which there are no feature maps to size."""
    return ("stop",)


def never(layer: Layer, axis: int) -> Rule:
    """Solve rule of a kind whose output size solve cannot state along one axis."""
    return ("never",)
