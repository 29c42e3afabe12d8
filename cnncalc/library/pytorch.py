"""PyTorch's layer classes (torch.nn), with torch's argument order and defaults."""

from __future__ import annotations

from .binding import (
    PYTORCH,
    REQUIRED,
    Args,
    Bound,
    ClassDef,
    ClassError,
    Raw,
    as_bool,
    as_int,
    as_pair,
    one,
    show,
)

_TORCH_IGNORED = frozenset({"device", "dtype"})
_PAD_MODES = ("zeros", "reflect", "replicate", "circular")


def _padding(value: Raw, what: str) -> Raw:
    if isinstance(value, str):
        if value not in ("same", "valid"):
            raise ClassError(f"{what} must be an integer, a pair, 'same' or 'valid', got "
                             f"{show(value)}")
        return value
    return as_pair(value, what)


def _conv(a: Args) -> Bound:
    if a["padding_mode"] not in _PAD_MODES:
        raise ClassError(f"Conv2d padding_mode must be one of {', '.join(_PAD_MODES)}, got "
                         f"{show(a['padding_mode'])}")
    c = as_int(a["in_channels"], "Conv2d in_channels", 1)
    return one("conv", (("channels", c),), out_channels=a["out_channels"],
               kernel_size=a["kernel_size"], stride=a["stride"],
               padding=_padding(a["padding"], "Conv2d padding"), dilation=a["dilation"],
               groups=a["groups"], bias=as_bool(a["bias"], "Conv2d bias"),
               padding_mode=a["padding_mode"])


def _convt(a: Args) -> Bound:
    if a["padding_mode"] != "zeros":
        raise ClassError("ConvTranspose2d supports only padding_mode='zeros'")
    c = as_int(a["in_channels"], "ConvTranspose2d in_channels", 1)
    return one("convt", (("channels", c),), out_channels=a["out_channels"],
               kernel_size=a["kernel_size"], stride=a["stride"],
               padding=as_pair(a["padding"], "ConvTranspose2d padding"),
               output_padding=a["output_padding"], groups=a["groups"],
               bias=as_bool(a["bias"], "ConvTranspose2d bias"), dilation=a["dilation"])


def _no_indices(a: Args, name: str) -> None:
    if a["return_indices"] is not False:
        raise ClassError(f"{name}(return_indices=True) returns a pair, not a tensor",
                         "remove return_indices")


def _maxpool(a: Args) -> Bound:
    _no_indices(a, "MaxPool2d")
    stride = a["kernel_size"] if a["stride"] is None else a["stride"]
    return one("maxpool", kernel_size=a["kernel_size"], stride=stride,
               padding=as_pair(a["padding"], "MaxPool2d padding"), dilation=a["dilation"],
               ceil_mode=as_bool(a["ceil_mode"], "MaxPool2d ceil_mode"))


def _avgpool(a: Args) -> Bound:
    stride = a["kernel_size"] if a["stride"] is None else a["stride"]
    if a["divisor_override"] is not None:
        as_int(a["divisor_override"], "AvgPool2d divisor_override", 1)
    return one("avgpool", kernel_size=a["kernel_size"], stride=stride,
               padding=as_pair(a["padding"], "AvgPool2d padding"),
               ceil_mode=as_bool(a["ceil_mode"], "AvgPool2d ceil_mode"),
               count_include_pad=as_bool(a["count_include_pad"], "AvgPool2d count_include_pad"))


def _adaptive(kind: str, name: str) -> ClassDef:
    def make(a: Args) -> Bound:
        if "return_indices" in a:
            _no_indices(a, name)
        size = a["output_size"]
        if size is None or (isinstance(size, (tuple, list)) and None in size):
            raise ClassError(f"{name} output_size None (keep the input size) is not supported",
                             "write the size")
        return one(kind, output_size=as_pair(size, f"{name} output_size", 1))

    params: tuple[tuple[str, Raw], ...] = (("output_size", REQUIRED),)
    if kind == "gmp":
        params += (("return_indices", False),)
    return ClassDef(name, PYTORCH, params, make)


def _linear(a: Args) -> Bound:
    n = as_int(a["in_features"], "Linear in_features", 1)
    # nn.Linear transforms the last axis of any rank: on a CxHxW map that is W (over=last).
    return one("fc", (("features", n),), out_features=a["out_features"],
               bias=as_bool(a["bias"], "Linear bias"), over="last")


def _batchnorm(rank: int, name: str) -> ClassDef:
    def make(a: Args) -> Bound:
        c = as_int(a["num_features"], f"{name} num_features", 1)
        if a.get("bias", True) is not True:
            raise ClassError(f"{name}(bias=False) (γ without β) is not supported",
                             "use affine=False for neither, or leave bias out")
        if a["momentum"] is None:
            raise ClassError(f"{name} momentum=None (a cumulative average) is not supported",
                             "give a number; it changes no shape or count")
        return one("bn", (("channels", c), ("rank", rank)), eps=a["eps"],
                   momentum=a["momentum"], affine=as_bool(a["affine"], f"{name} affine"),
                   track_running_stats=as_bool(a["track_running_stats"],
                                               f"{name} track_running_stats"))

    return ClassDef(name, PYTORCH, (("num_features", REQUIRED), ("eps", 1e-05),
                                    ("momentum", 0.1), ("affine", True),
                                    ("track_running_stats", True)), make,
                    _TORCH_IGNORED | {"bias"})  # bias is keyword-only (torch 2.6 on)


def _flatten(a: Args) -> Bound:
    if (a["start_dim"], a["end_dim"]) not in ((1, -1), (1, 3), (1, 2)):
        raise ClassError(f"Flatten(start_dim={show(a['start_dim'])}, end_dim="
                         f"{show(a['end_dim'])}) does not give a flat vector per sample",
                         "only Flatten() (start_dim=1) is supported")
    if a["end_dim"] == 2:
        raise ClassError("Flatten(1, 2) keeps the last axis apart", "use Flatten()")
    return one("flatten")


def _zeropad(a: Args) -> Bound:
    """ZeroPad2d/ConstantPad2d: (left, right, top, bottom); negative values crop."""
    p = a["padding"]
    if isinstance(p, (tuple, list)):
        if len(p) != 4:
            raise ClassError(f"ZeroPad2d padding must be an integer or (left, right, top, "
                             f"bottom), got {show(p)}")
        left, right, top, bottom = p
    else:
        left = right = top = bottom = p
    return one("zeropad", top=top, bottom=bottom, left=left, right=right)


def _plain(kind: str, name: str, *params: tuple[str, Raw]) -> ClassDef:
    """An activation-like class whose arguments change no shape or count."""
    return ClassDef(name, PYTORCH, params, lambda a: one(kind))


def _dropout(name: str) -> ClassDef:
    return ClassDef(name, PYTORCH, (("p", 0.5), ("inplace", False)),
                    lambda a: one("dropout", p=a["p"]))


def _lazy_conv(a: Args) -> Bound:
    """LazyConv2d: Conv2d whose in_channels torch infers from the first input."""
    return _conv({**a, "in_channels": 1}).without_declared()


def _lazy_convt(a: Args) -> Bound:
    return _convt({**a, "in_channels": 1}).without_declared()


def _lazy_batchnorm(rank: int, name: str) -> ClassDef:
    eager = _batchnorm(rank, name.replace("Lazy", ""))

    def make(a: Args) -> Bound:
        return eager.make({**a, "num_features": 1}).without_declared((("rank", rank),))

    return ClassDef(name, PYTORCH, (("eps", 1e-05), ("momentum", 0.1), ("affine", True),
                                    ("track_running_stats", True)), make,
                    _TORCH_IGNORED | {"bias"})


def _scale(a: Args, name: str) -> Raw:
    if a["size"] is not None:
        raise ClassError(f"{name}(size=...) sets the output size; cnncalc follows "
                         "scale_factor", "write scale_factor= instead of size=")
    if a["scale_factor"] is None:
        raise ClassError(f"{name} needs scale_factor (or size)", "give scale_factor=2")
    factor = a["scale_factor"]
    if isinstance(factor, float) and factor.is_integer():
        factor = int(factor)
    if isinstance(factor, (tuple, list)):
        factor = tuple(int(f) if isinstance(f, float) and f.is_integer() else f
                       for f in factor)
    return factor


def _upsample(a: Args) -> Bound:
    mode = a["mode"]
    if mode not in ("nearest", "bilinear", "bicubic"):
        raise ClassError(f"Upsample mode {show(mode)} is not a 2-D mode cnncalc follows",
                         "use 'nearest', 'bilinear' or 'bicubic'")
    if a["recompute_scale_factor"] not in (None, False):
        raise ClassError("Upsample(recompute_scale_factor=True) is not supported")
    corners = a["align_corners"]
    if corners is not None and mode == "nearest":
        raise ClassError("Upsample align_corners only works with an interpolating mode "
                         "(torch raises ValueError for mode='nearest')")
    return one("upsample", scale_factor=_scale(a, "Upsample"), mode=mode,
               align_corners=bool(corners))


def _group_norm(a: Args) -> Bound:
    c = as_int(a["num_channels"], "GroupNorm num_channels", 1)
    if a.get("bias", True) is not True:
        raise ClassError("GroupNorm(bias=False) (γ without β) is not supported",
                         "use affine=False for neither, or leave bias out")
    return one("groupnorm", (("channels", c), ("rank", 3)), num_groups=a["num_groups"],
               eps=a["eps"], affine=as_bool(a["affine"], "GroupNorm affine"))


def _instance_norm(a: Args) -> Bound:
    c = as_int(a["num_features"], "InstanceNorm2d num_features", 1)
    if a.get("bias", True) is not True:
        raise ClassError("InstanceNorm2d(bias=False) (γ without β) is not supported",
                         "use affine=False for neither, or leave bias out")
    return one("instancenorm", (("channels", c), ("rank", 3)), eps=a["eps"],
               momentum=a["momentum"], affine=as_bool(a["affine"], "InstanceNorm2d affine"),
               track_running_stats=as_bool(a["track_running_stats"],
                                           "InstanceNorm2d track_running_stats"))


def _layer_norm(a: Args) -> Bound:
    """nn.LayerNorm(shape) normalises the input's last len(shape) axes, which must be
    `shape`: one number is the last axis (a flat vector's features, or W of a map), three
    are C, H and W."""
    raw = a["normalized_shape"]
    dims = [raw] if not isinstance(raw, (tuple, list)) else list(raw)
    sizes = tuple(as_int(d, "LayerNorm normalized_shape", 1) for d in dims)
    if len(sizes) not in (1, 3):
        raise ClassError(f"LayerNorm over {len(sizes)} axes {show(raw)} is not supported",
                         "normalise over the last axis (one number) or over C, H and W")
    if a["bias"] is not True and a["elementwise_affine"] is True:
        raise ClassError("LayerNorm(bias=False) (γ without β) is not supported",
                         "use elementwise_affine=False for neither, or leave bias out")
    declared = (("tail_rank", len(sizes)),) + tuple((f"tail_{i}", d)
                                                     for i, d in enumerate(sizes))
    return one("layernorm", declared, over="last" if len(sizes) == 1 else "chw",
               eps=a["eps"], affine=as_bool(a["elementwise_affine"],
                                            "LayerNorm elementwise_affine"))


_CONV = (("in_channels", REQUIRED), ("out_channels", REQUIRED), ("kernel_size", REQUIRED),
         ("stride", 1), ("padding", 0))

CLASSES: tuple[ClassDef, ...] = (
    ClassDef("Conv2d", PYTORCH, _CONV + (("dilation", 1), ("groups", 1), ("bias", True),
                                         ("padding_mode", "zeros")), _conv, _TORCH_IGNORED),
    ClassDef("ConvTranspose2d", PYTORCH, _CONV + (("output_padding", 0), ("groups", 1),
                                                  ("bias", True), ("dilation", 1),
                                                  ("padding_mode", "zeros")),
             _convt, _TORCH_IGNORED),
    ClassDef("MaxPool2d", PYTORCH, (("kernel_size", REQUIRED), ("stride", None),
                                    ("padding", 0), ("dilation", 1), ("return_indices", False),
                                    ("ceil_mode", False)), _maxpool),
    ClassDef("AvgPool2d", PYTORCH, (("kernel_size", REQUIRED), ("stride", None),
                                    ("padding", 0), ("ceil_mode", False),
                                    ("count_include_pad", True), ("divisor_override", None)),
             _avgpool),
    _adaptive("gap", "AdaptiveAvgPool2d"),
    _adaptive("gmp", "AdaptiveMaxPool2d"),
    ClassDef("Linear", PYTORCH, (("in_features", REQUIRED), ("out_features", REQUIRED),
                                 ("bias", True)), _linear, _TORCH_IGNORED),
    _batchnorm(3, "BatchNorm2d"),
    _batchnorm(1, "BatchNorm1d"),
    _dropout("Dropout"),
    _dropout("Dropout2d"),
    ClassDef("Flatten", PYTORCH, (("start_dim", 1), ("end_dim", -1)), _flatten),
    ClassDef("LocalResponseNorm", PYTORCH, (("size", REQUIRED), ("alpha", 0.0001),
                                            ("beta", 0.75), ("k", 1.0)),
             lambda a: one("lrn", size=a["size"], alpha=a["alpha"], beta=a["beta"], k=a["k"])),
    ClassDef("ZeroPad2d", PYTORCH, (("padding", REQUIRED),), _zeropad),
    # The fill value changes no shape or count.
    ClassDef("ConstantPad2d", PYTORCH, (("padding", REQUIRED), ("value", REQUIRED)), _zeropad),
    ClassDef("LeakyReLU", PYTORCH, (("negative_slope", 0.01), ("inplace", False)),
             lambda a: one("leakyrelu", negative_slope=a["negative_slope"])),
    _plain("relu", "ReLU", ("inplace", False)),
    _plain("relu6", "ReLU6", ("inplace", False)),
    _plain("elu", "ELU", ("alpha", 1.0), ("inplace", False)),
    _plain("silu", "SiLU", ("inplace", False)),
    _plain("gelu", "GELU", ("approximate", "none")),
    _plain("tanh", "Tanh"),
    _plain("sigmoid", "Sigmoid"),
    _plain("softmax", "Softmax", ("dim", None)),
    _plain("logsoftmax", "LogSoftmax", ("dim", None)),
    ClassDef("LazyConv2d", PYTORCH, _CONV[1:] + (("dilation", 1), ("groups", 1),
                                                  ("bias", True), ("padding_mode", "zeros")),
             _lazy_conv, _TORCH_IGNORED),
    ClassDef("LazyConvTranspose2d", PYTORCH, _CONV[1:] + (("output_padding", 0),
                                                          ("groups", 1), ("bias", True),
                                                          ("dilation", 1),
                                                          ("padding_mode", "zeros")),
             _lazy_convt, _TORCH_IGNORED),
    ClassDef("LazyLinear", PYTORCH, (("out_features", REQUIRED), ("bias", True)),
             lambda a: one("fc", out_features=a["out_features"],
                           bias=as_bool(a["bias"], "LazyLinear bias"), over="last"),
             _TORCH_IGNORED),
    _lazy_batchnorm(3, "LazyBatchNorm2d"),
    _lazy_batchnorm(1, "LazyBatchNorm1d"),
    ClassDef("Upsample", PYTORCH, (("size", None), ("scale_factor", None), ("mode", "nearest"),
                                   ("align_corners", None), ("recompute_scale_factor", None)),
             _upsample),
    ClassDef("UpsamplingNearest2d", PYTORCH, (("size", None), ("scale_factor", None)),
             lambda a: one("upsample", scale_factor=_scale(a, "UpsamplingNearest2d"),
                           mode="nearest", align_corners=False)),
    # UpsamplingBilinear2d is F.interpolate(mode='bilinear', align_corners=True).
    ClassDef("UpsamplingBilinear2d", PYTORCH, (("size", None), ("scale_factor", None)),
             lambda a: one("upsample", scale_factor=_scale(a, "UpsamplingBilinear2d"),
                           mode="bilinear", align_corners=True)),
    ClassDef("PixelShuffle", PYTORCH, (("upscale_factor", REQUIRED),),
             lambda a: one("pixelshuffle", upscale_factor=a["upscale_factor"])),
    ClassDef("ChannelShuffle", PYTORCH, (("groups", REQUIRED),),
             lambda a: one("channelshuffle", groups=a["groups"])),
    ClassDef("GroupNorm", PYTORCH, (("num_groups", REQUIRED), ("num_channels", REQUIRED),
                                    ("eps", 1e-05), ("affine", True)), _group_norm,
             _TORCH_IGNORED | {"bias"}),
    ClassDef("InstanceNorm2d", PYTORCH, (("num_features", REQUIRED), ("eps", 1e-05),
                                         ("momentum", 0.1), ("affine", False),
                                         ("track_running_stats", False)), _instance_norm,
             _TORCH_IGNORED | {"bias"}),
    ClassDef("LayerNorm", PYTORCH, (("normalized_shape", REQUIRED), ("eps", 1e-05),
                                    ("elementwise_affine", True), ("bias", True)),
             _layer_norm, _TORCH_IGNORED),
    _plain("hardswish", "Hardswish", ("inplace", False)),
    _plain("hardsigmoid", "Hardsigmoid", ("inplace", False)),
    # nn.Identity takes and ignores any arguments, and adds no row.
    ClassDef("Identity", PYTORCH, (), lambda a: Bound(()), frozenset({"*"})),
)
