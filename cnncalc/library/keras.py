"""Keras' layer classes (keras.layers), with Keras' argument order, defaults and padding."""

from __future__ import annotations

from dataclasses import replace

from .binding import (
    KERAS,
    REQUIRED,
    Args,
    Bound,
    ClassDef,
    ClassError,
    Made,
    Raw,
    as_float,
    as_int,
    as_pair,
    show,
)

ACTIVATIONS: dict[str, tuple[str, dict[str, Raw]]] = {
    "relu": ("relu", {}), "sigmoid": ("sigmoid", {}), "tanh": ("tanh", {}),
    "softmax": ("softmax", {}), "elu": ("elu", {}), "gelu": ("gelu", {}),
    "silu": ("silu", {}), "swish": ("silu", {}), "relu6": ("relu6", {}),
    "log_softmax": ("logsoftmax", {}),
    "leaky_relu": ("leakyrelu", {"negative_slope": 0.2}),  # keras.activations default
}

# Arguments that change neither a shape nor a parameter count.
_IGNORED = frozenset({
    "name", "dtype", "kernel_initializer", "bias_initializer", "kernel_regularizer",
    "bias_regularizer", "activity_regularizer", "kernel_constraint", "bias_constraint",
    "depthwise_initializer", "depthwise_regularizer", "depthwise_constraint",
    "pointwise_initializer", "pointwise_regularizer", "pointwise_constraint",
    "beta_initializer", "gamma_initializer", "moving_mean_initializer",
    "moving_variance_initializer", "beta_regularizer", "gamma_regularizer",
    "beta_constraint", "gamma_constraint", "seed", "noise_shape", "trainable",
    "input_shape", "batch_input_shape", "batch_size", "lora_rank", "lora_alpha",
    "synchronized",
})


def activation(value: Raw) -> tuple[Made, ...]:
    """The row an `activation=` argument adds (none for None or 'linear')."""
    if value is None or value == "linear":
        return ()
    if not isinstance(value, str) or value.lower() not in ACTIVATIONS:
        raise ClassError(f"unknown activation {show(value)}",
                         "use one of " + ", ".join(sorted(ACTIVATIONS)))
    kind, args = ACTIVATIONS[value.lower()]
    return (Made(kind, dict(args)),)


def _padding(value: Raw, name: str) -> Raw:
    """'same', or 0 for 'valid' (the same window rule, and how cnncalc writes it)."""
    if not isinstance(value, str) or value.lower() not in ("same", "valid"):
        raise ClassError(f"{name} padding must be 'valid' or 'same', got {show(value)}")
    return "same" if value.lower() == "same" else 0


def _check_format(a: Args, name: str) -> None:
    if a.get("data_format") not in (None, "channels_last"):
        raise ClassError(f"{name} data_format={show(a['data_format'])} is not supported",
                         "cnncalc reads Keras models as channels_last")


def _bias(a: Args, name: str) -> bool:
    value = a["use_bias"]
    if not isinstance(value, bool):
        raise ClassError(f"{name} use_bias must be True or False, got {show(value)}")
    return value


def _conv(a: Args) -> Bound:
    _check_format(a, "Conv2D")
    main = Made("conv", dict(out_channels=a["filters"], kernel_size=a["kernel_size"],
                             stride=a["strides"], padding=_padding(a["padding"], "Conv2D"),
                             dilation=a["dilation_rate"], groups=a["groups"],
                             bias=_bias(a, "Conv2D")))
    return Bound((main, *activation(a["activation"])))


def _convt(a: Args) -> Bound:
    _check_format(a, "Conv2DTranspose")
    op = a["output_padding"]
    padding: Raw = str(a["padding"]).lower() if _padding(a["padding"], "Conv2DTranspose") \
        else "valid"
    if op is not None:
        # With output_padding given, Keras pads valid by 0 and same by kernel//2 (dilated).
        k = as_pair(a["kernel_size"], "Conv2DTranspose kernel_size", 1)
        d = as_pair(a["dilation_rate"], "Conv2DTranspose dilation_rate", 1)
        ke = [dd * (kk - 1) + 1 for kk, dd in zip(k, d)]
        padding = (ke[0] // 2, ke[1] // 2) if padding == "same" else 0
        strides = as_pair(a["strides"], "Conv2DTranspose strides", 1)
        for o, st in zip(as_pair(op, "Conv2DTranspose output_padding"), strides):
            if o >= st:
                raise ClassError(f"Conv2DTranspose output_padding {o} must be smaller than the "
                                 f"stride {st}")
    else:
        op = 0
    main = Made("convt", dict(out_channels=a["filters"], kernel_size=a["kernel_size"],
                              stride=a["strides"], padding=padding, output_padding=op,
                              dilation=a["dilation_rate"], bias=_bias(a, "Conv2DTranspose")))
    return Bound((main, *activation(a["activation"])))


def _depthwise(a: Args) -> Bound:
    _check_format(a, "DepthwiseConv2D")
    main = Made("dwconv", dict(kernel_size=a["kernel_size"], stride=a["strides"],
                               padding=_padding(a["padding"], "DepthwiseConv2D"),
                               depth_multiplier=a["depth_multiplier"],
                               dilation=a["dilation_rate"], bias=_bias(a, "DepthwiseConv2D")))
    return Bound((main, *activation(a["activation"])))


def _separable(a: Args) -> Bound:
    _check_format(a, "SeparableConv2D")
    # Keras' SeparableConv2D is a depthwise conv without bias, then a 1x1 conv with it.
    dw = Made("dwconv", dict(kernel_size=a["kernel_size"], stride=a["strides"],
                             padding=_padding(a["padding"], "SeparableConv2D"),
                             depth_multiplier=a["depth_multiplier"],
                             dilation=a["dilation_rate"], bias=False))
    pw = Made("conv", dict(out_channels=a["filters"], kernel_size=1,
                           bias=_bias(a, "SeparableConv2D")))
    return Bound((dw, pw, *activation(a["activation"])))


def _dense(a: Args) -> Bound:
    # Keras' Dense transforms the last axis: on a channels-last map, the channels at each
    # position (over=c); on a flat vector that is the plain fc.
    main = Made("fc", dict(out_features=a["units"], bias=_bias(a, "Dense"), over="c"))
    return Bound((main, *activation(a["activation"])))


def _pool(kind: str, name: str, size: Raw) -> ClassDef:
    def make(a: Args) -> Bound:
        _check_format(a, name)
        size = a["pool_size"]
        stride = size if a["strides"] is None else a["strides"]
        args: dict[str, Raw] = dict(kernel_size=size, stride=stride,
                                    padding=_padding(a["padding"], name))
        return Bound((Made(kind, args),))

    return ClassDef(name, KERAS, (("pool_size", size), ("strides", None),
                                  ("padding", "valid"), ("data_format", None)), make, _IGNORED)


def _global(kind: str, name: str) -> ClassDef:
    def make(a: Args) -> Bound:
        _check_format(a, name)
        if not isinstance(a["keepdims"], bool):
            raise ClassError(f"{name} keepdims must be True or False")
        rows = (Made(kind, {}),) + (() if a["keepdims"] else (Made("flatten", {}),))
        return Bound(rows)

    return ClassDef(name, KERAS, (("data_format", None), ("keepdims", False)), make, _IGNORED)


def _batchnorm(a: Args) -> Bound:
    if a["axis"] not in (-1, 3):
        raise ClassError(f"BatchNormalization axis={show(a['axis'])} is not supported",
                         "cnncalc reads channels_last models: axis=-1")
    center, scale = a["center"], a["scale"]
    if not isinstance(center, bool) or not isinstance(scale, bool) or center != scale:
        raise ClassError("BatchNormalization with only one of center and scale is not "
                         "supported", "use both or neither")
    momentum = as_float(a["momentum"], "BatchNormalization momentum")
    # Keras' momentum weighs the old statistic, PyTorch's the new one.
    return Bound((Made("bn", dict(eps=a["epsilon"], momentum=round(1.0 - momentum, 12),
                                  affine=center)),))


def _affine(a: Args, name: str) -> bool:
    center, scale = a["center"], a["scale"]
    if not isinstance(center, bool) or not isinstance(scale, bool) or center != scale:
        raise ClassError(f"{name} with only one of center and scale is not supported",
                         "use both or neither")
    return center


def _layernorm(a: Args) -> Bound:
    """axis=-1 normalises the channels at each position (channels-last); axis=[1, 2, 3]
    every value of a sample."""
    axis = a["axis"]
    if a.get("rms_scaling", False) is not False:
        raise ClassError("LayerNormalization(rms_scaling=True) is not supported")
    if axis in (-1, 3, [-1], (-1,), [3], (3,)):
        over = "c"
    elif isinstance(axis, (list, tuple)) and sorted(axis) in ([1, 2, 3], [-3, -2, -1]):
        over = "chw"
    else:
        raise ClassError(f"LayerNormalization axis={show(axis)} is not supported",
                         "use axis=-1 (channels) or axis=[1, 2, 3] (every value)")
    return Bound((Made("layernorm", dict(over=over, eps=a["epsilon"],
                                         affine=_affine(a, "LayerNormalization"))),))


def _groupnorm(a: Args) -> Bound:
    if a["axis"] not in (-1, 3):
        raise ClassError(f"GroupNormalization axis={show(a['axis'])} is not supported",
                         "cnncalc reads channels_last models: axis=-1")
    return Bound((Made("groupnorm", dict(num_groups=a["groups"], eps=a["epsilon"],
                                         affine=_affine(a, "GroupNormalization"))),))


def _upsampling(a: Args) -> Bound:
    _check_format(a, "UpSampling2D")
    mode = a["interpolation"]
    if mode not in ("nearest", "bilinear", "bicubic"):
        raise ClassError(f"UpSampling2D interpolation={show(mode)} is not supported",
                         "use 'nearest', 'bilinear' or 'bicubic'")
    return Bound((Made("upsample", dict(scale_factor=as_pair(a["size"], "UpSampling2D size",
                                                             1),
                                        mode=mode, align_corners=False)),))


def _zeropad(a: Args) -> Bound:
    _check_format(a, "ZeroPadding2D")
    p = a["padding"]
    if isinstance(p, (tuple, list)) and len(p) == 2 and all(
            isinstance(x, (tuple, list)) for x in p):
        (top, bottom), (left, right) = (as_pair(x, "ZeroPadding2D padding") for x in p)
    else:
        (top, left) = as_pair(p, "ZeroPadding2D padding")
        bottom, right = top, left
    return Bound((Made("zeropad", dict(top=top, bottom=bottom, left=left, right=right)),))


def _reshape(a: Args) -> Bound:
    """Reshape(target_shape): Keras' (H, W, C) or (N,) as cnncalc's (C, H, W) or (N,), one
    size -1 at most (worked out from the input, as Keras does)."""
    target = a["target_shape"]
    if not isinstance(target, (tuple, list)) or not target:
        raise ClassError(f"Reshape target_shape must be a tuple of sizes, got {show(target)}")
    dims = tuple(-1 if d == -1 else as_int(d, "Reshape target_shape", 1) for d in target)
    if list(dims).count(-1) > 1:
        raise ClassError(f"Reshape target_shape {show(target)} has more than one -1",
                         "Keras works out at most one size")
    if len(dims) == 2:
        raise ClassError(f"Reshape to {show(target)} gives a tensor of rank 2, which cnncalc "
                         "does not follow", f"reshape to ({dims[0]}, {dims[1]}, 1) or flatten")
    if len(dims) not in (1, 3):
        raise ClassError(f"Reshape to {show(target)}: cnncalc follows (height, width, "
                         "channels) maps and flat vectors")
    shape = dims if len(dims) == 1 else (dims[2], dims[0], dims[1])
    return Bound((Made("reshape", dict(shape=shape)),))


def _flatten(a: Args) -> Bound:
    _check_format(a, "Flatten")
    return Bound((Made("flatten", {}),))


def _cropping(a: Args) -> Bound:
    _check_format(a, "Cropping2D")
    c = a["cropping"]
    if isinstance(c, (tuple, list)) and len(c) == 2 and all(
            isinstance(x, (tuple, list)) for x in c):
        (top, bottom), (left, right) = (as_pair(x, "Cropping2D cropping") for x in c)
    else:
        (top, left) = as_pair(c, "Cropping2D cropping")
        bottom, right = top, left
    return Bound((Made("zeropad", dict(top=-top, bottom=-bottom, left=-left, right=-right)),))


def _relu(a: Args) -> Bound:
    mx, slope, threshold = a["max_value"], a["negative_slope"], a["threshold"]
    if slope in (0, 0.0) and threshold in (0, 0.0):
        if mx is None:
            return Bound((Made("relu", {}),))
        if mx in (6, 6.0):
            return Bound((Made("relu6", {}),))
    raise ClassError("ReLU with max_value, negative_slope or threshold is not supported",
                     "use ReLU(), ReLU(max_value=6) or LeakyReLU")


def _leaky(a: Args) -> Bound:
    slope = a["negative_slope"] if a.get("alpha") is None else a["alpha"]
    return Bound((Made("leakyrelu", dict(negative_slope=slope)),))


def input_shape(value: Raw, what: str, flattened: bool = False) -> tuple[int, ...]:
    """Keras' (H, W, C) or (N,) as cnncalc's (C, H, W) or (N,). With `flattened`, an (H, W)
    input is read as one channel: the caller checks that the model flattens it before any
    layer looks at its axes (is_plane, dialects/plane.py)."""
    if flattened and isinstance(value, (tuple, list)) and len(value) == 2:
        value = (*value, 1)
    if not isinstance(value, (tuple, list)) or len(value) not in (1, 3):
        raise ClassError(f"{what} must be (height, width, channels) or (features,), got "
                         f"{show(value)}")
    if None in value:
        raise ClassError(f"{what} {show(value)} leaves a size open", "give --input")
    dims = tuple(as_int(v, what, 1) for v in value)
    return dims if len(dims) == 1 else (dims[2], dims[0], dims[1])


def is_plane(value: Raw) -> bool:
    """Whether a Keras input shape is (H, W): rank 2, no channel axis."""
    return isinstance(value, (tuple, list)) and len(value) == 2


def _input(name: str, tail: tuple[tuple[str, Raw], ...]) -> ClassDef:
    def make(a: Args) -> Bound:
        shape = a.get("shape")
        if shape is None and a.get("input_shape") is not None:
            shape = a["input_shape"]
        if shape is None and a.get("batch_shape") is not None:
            batch_shape = a["batch_shape"]
            shape = tuple(batch_shape[1:]) if isinstance(batch_shape, (tuple, list)) else None
        if shape is None:
            raise ClassError(f"{name} needs shape=(height, width, channels)")
        return Bound((), input_shape(shape, f"{name} shape", True), plane=is_plane(shape))

    return ClassDef(name, KERAS, (("shape", None), ("batch_size", None), ("dtype", None),
                                  ("sparse", None), ("ragged", None), ("batch_shape", None))
                    + tail, make, _IGNORED)


def _class(name: str, params: tuple[tuple[str, Raw], ...], make: object) -> ClassDef:
    return ClassDef(name, KERAS, params, make, _IGNORED)  # type: ignore[arg-type]


_CONV = (("filters", REQUIRED), ("kernel_size", REQUIRED), ("strides", (1, 1)),
         ("padding", "valid"))
_TAIL = (("activation", None), ("use_bias", True))
# The geometric augmentations' parameters after their factors
_FILL = (("fill_mode", "reflect"), ("interpolation", "bilinear"), ("seed", None),
         ("fill_value", 0.0), ("data_format", None))

CLASSES: tuple[ClassDef, ...] = (
    _class("Conv2D", _CONV + (("data_format", None), ("dilation_rate", (1, 1)), ("groups", 1))
           + _TAIL, _conv),
    _class("Conv2DTranspose", _CONV + (("output_padding", None), ("data_format", None),
                                       ("dilation_rate", (1, 1))) + _TAIL, _convt),
    _class("DepthwiseConv2D", (("kernel_size", REQUIRED), ("strides", (1, 1)),
                               ("padding", "valid"), ("depth_multiplier", 1),
                               ("data_format", None), ("dilation_rate", (1, 1))) + _TAIL,
           _depthwise),
    _class("SeparableConv2D", _CONV + (("data_format", None), ("dilation_rate", (1, 1)),
                                       ("depth_multiplier", 1)) + _TAIL, _separable),
    _class("Dense", (("units", REQUIRED),) + _TAIL, _dense),
    _pool("maxpool", "MaxPooling2D", (2, 2)),
    _pool("maxpool", "MaxPool2D", (2, 2)),
    # Keras 3 gives average pooling no default size (tf.keras 2 had (2, 2)): say so.
    _pool("avgpool", "AveragePooling2D", REQUIRED),
    _pool("avgpool", "AvgPool2D", REQUIRED),
    _global("gap", "GlobalAveragePooling2D"),
    _global("gap", "GlobalAvgPool2D"),
    _global("gmp", "GlobalMaxPooling2D"),
    _global("gmp", "GlobalMaxPool2D"),
    _class("BatchNormalization", (("axis", -1), ("momentum", 0.99), ("epsilon", 0.001),
                                  ("center", True), ("scale", True)), _batchnorm),
    # Keras 3.15: rms_scaling is a keyword only (the fifth positional is beta_initializer).
    ClassDef("LayerNormalization", KERAS, (("axis", -1), ("epsilon", 0.001), ("center", True),
                                           ("scale", True)), _layernorm,
             _IGNORED | {"rms_scaling"}),
    _class("GroupNormalization", (("groups", 32), ("axis", -1), ("epsilon", 0.001),
                                  ("center", True), ("scale", True)), _groupnorm),
    _class("UpSampling2D", (("size", (2, 2)), ("data_format", None),
                            ("interpolation", "nearest")), _upsampling),
    _class("Flatten", (("data_format", None),), _flatten),
    _class("Reshape", (("target_shape", REQUIRED),), _reshape),
    _class("Dropout", (("rate", REQUIRED), ("noise_shape", None), ("seed", None)),
           lambda a: Bound((Made("dropout", dict(p=a["rate"])),))),
    _class("SpatialDropout2D", (("rate", REQUIRED), ("data_format", None), ("seed", None)),
           lambda a: Bound((Made("dropout", dict(p=a["rate"])),))),
    _class("Activation", (("activation", REQUIRED),),
           lambda a: Bound(activation(a["activation"]))),
    _class("ZeroPadding2D", (("padding", (1, 1)), ("data_format", None)), _zeropad),
    _class("Cropping2D", (("cropping", ((0, 0), (0, 0))), ("data_format", None)), _cropping),
    _class("ReLU", (("max_value", None), ("negative_slope", 0.0), ("threshold", 0.0)), _relu),
    ClassDef("LeakyReLU", KERAS, (("negative_slope", 0.3),), _leaky, _IGNORED | {"alpha"}),
    _class("Softmax", (("axis", -1),), lambda a: Bound((Made("softmax", {}),))),
    _class("ELU", (("alpha", 1.0),), lambda a: Bound((Made("elu", {}),))),
    # Rescaling changes values only: no shape, no weights, no row (the reading says so).
    _class("Rescaling", (("scale", REQUIRED), ("offset", 0.0)), lambda a: Bound(())),
    # Augmentation, as Keras 3 writes these classes: each changes values only, and only in
    # training; at inference each passes its input on. No shape, no weights, no row.
    _class("RandomFlip", (("mode", "horizontal_and_vertical"), ("seed", None),
                          ("data_format", None)), lambda a: Bound(())),
    _class("RandomRotation", (("factor", REQUIRED),) + _FILL, lambda a: Bound(())),
    _class("RandomZoom", (("height_factor", REQUIRED), ("width_factor", None)) + _FILL,
           lambda a: Bound(())),
    _class("RandomTranslation", (("height_factor", REQUIRED), ("width_factor", REQUIRED))
           + _FILL, lambda a: Bound(())),
    _class("RandomContrast", (("factor", REQUIRED), ("value_range", (0, 255)),
                              ("seed", None)), lambda a: Bound(())),
    _class("RandomBrightness", (("factor", REQUIRED), ("value_range", (0, 255)),
                                ("seed", None)), lambda a: Bound(())),
    _input("Input", (("name", None), ("tensor", None), ("optional", False))),
    _input("InputLayer", (("input_tensor", None), ("optional", False), ("name", None))),
)
# Keras' own aliases of these classes (keras.layers.Convolution2D is Conv2D).
_ALIASES = {"Convolution2D": "Conv2D", "Convolution2DTranspose": "Conv2DTranspose",
            "SeparableConvolution2D": "SeparableConv2D"}
CLASSES += tuple(replace(d, name=alias) for alias, target in _ALIASES.items()
                 for d in CLASSES if d.name == target)
