"""torch.nn.functional and tensor calls in forward(): what each adds to the model."""

from __future__ import annotations

from ..library.binding import PYTORCH, REQUIRED, Bound, ClassDef, ClassError, Raw, bind_args, one
from ..library.classes import TABLE

# F.name(input, ...) with torch's order after `input`, and the class it behaves as.
_POOLS: dict[str, tuple[str, tuple[tuple[str, Raw], ...]]] = {
    "max_pool2d": ("MaxPool2d", (("kernel_size", REQUIRED), ("stride", None), ("padding", 0),
                                 ("dilation", 1), ("ceil_mode", False),
                                 ("return_indices", False))),
    "avg_pool2d": ("AvgPool2d", (("kernel_size", REQUIRED), ("stride", None), ("padding", 0),
                                 ("ceil_mode", False), ("count_include_pad", True),
                                 ("divisor_override", None))),
    "adaptive_avg_pool2d": ("AdaptiveAvgPool2d", (("output_size", REQUIRED),)),
    "adaptive_max_pool2d": ("AdaptiveMaxPool2d", (("output_size", REQUIRED),
                                                  ("return_indices", False))),
    "dropout": ("Dropout", (("p", 0.5), ("training", True), ("inplace", False))),
    "dropout2d": ("Dropout2d", (("p", 0.5), ("training", True), ("inplace", False))),
    "local_response_norm": ("LocalResponseNorm", (("size", REQUIRED), ("alpha", 0.0001),
                                                  ("beta", 0.75), ("k", 1.0))),
    "leaky_relu": ("LeakyReLU", (("negative_slope", 0.01), ("inplace", False))),
}

ACTIVATIONS: dict[str, tuple[str, tuple[tuple[str, Raw], ...]]] = {
    "relu": ("relu", (("inplace", False),)),
    "relu_": ("relu", ()),
    "relu6": ("relu6", (("inplace", False),)),
    "elu": ("elu", (("alpha", 1.0), ("inplace", False))),
    "gelu": ("gelu", (("approximate", "none"),)),
    "silu": ("silu", (("inplace", False),)),
    "sigmoid": ("sigmoid", ()),
    "tanh": ("tanh", ()),
    "softmax": ("softmax", (("dim", None), ("_stacklevel", 3), ("dtype", None))),
    "log_softmax": ("logsoftmax", (("dim", None), ("_stacklevel", 3), ("dtype", None))),
    "hardswish": ("hardswish", (("inplace", False),)),
    "hardsigmoid": ("hardsigmoid", (("inplace", False),)),
}

# F.name(input, ...) that behave as a class of the table, with torch's parameters after
# `input`, and the class's arguments they give (None where the class keeps its default).
_AS_CLASS: dict[str, tuple[str, tuple[tuple[str, Raw], ...]]] = {
    "interpolate": ("Upsample", (("size", None), ("scale_factor", None), ("mode", "nearest"),
                                 ("align_corners", None), ("recompute_scale_factor", None),
                                 ("antialias", False))),
    "upsample": ("Upsample", (("size", None), ("scale_factor", None), ("mode", "nearest"),
                              ("align_corners", None))),
    "pixel_shuffle": ("PixelShuffle", (("upscale_factor", REQUIRED),)),
    "channel_shuffle": ("ChannelShuffle", (("groups", REQUIRED),)),
    "layer_norm": ("LayerNorm", (("normalized_shape", REQUIRED), ("weight", None),
                                 ("bias", None), ("eps", 1e-05))),
    "group_norm": ("GroupNorm", (("num_groups", REQUIRED), ("weight", None), ("bias", None),
                                 ("eps", 1e-05))),
}

FUNCTIONAL_PREFIXES = ("F.", "nn.functional.", "torch.nn.functional.", "functional.")


def functional_call(name: str, positional: list[Raw], keywords: dict[str, Raw]) -> Bound:
    """F.relu(x), F.max_pool2d(x, 2), ... with `x` already removed from `positional`."""
    if name in ACTIVATIONS:
        kind, params = ACTIVATIONS[name]
        bind_args(ClassDef(f"F.{name}", PYTORCH, params, lambda a: Bound(())), positional,
                  keywords)
        return one(kind)
    if name in _POOLS:
        cls, params = _POOLS[name]
        fd = ClassDef(f"F.{name}", PYTORCH, params, lambda a: Bound(()))
        args = bind_args(fd, positional, keywords)
        args.pop("training", None)
        target = TABLE[cls][0]
        full = {n: args.get(n, d) for n, d in target.params}
        return target.make(full)
    if name in _AS_CLASS:
        return _as_class(name, positional, keywords)
    raise ClassError(f"F.{name} is not supported",
                     "cnncalc reads relu, max_pool2d, avg_pool2d, adaptive pools, dropout, "
                     "softmax, interpolate, pixel_shuffle, layer_norm and the like")


def _as_class(name: str, positional: list[Raw], keywords: dict[str, Raw]) -> Bound:
    cls, params = _AS_CLASS[name]
    fd = ClassDef(f"F.{name}", PYTORCH, params, lambda a: Bound(()))
    args = bind_args(fd, positional, keywords)
    if args.get("antialias"):
        raise ClassError(f"F.{name}(antialias=True) is not supported")
    if name in ("layer_norm", "group_norm"):
        if args.pop("weight") is not None or args.pop("bias") is not None:
            raise ClassError(f"F.{name} with weight= or bias=: those tensors are "
                             "parameters cnncalc cannot see",
                             f"use nn.{cls} in __init__, which holds its own γ and β")
        if name == "group_norm":
            # The calculator checks the group count against the channels it computes; the
            # class's channel count is only a declaration, so none is given.
            return one("groupnorm", num_groups=args["num_groups"], eps=args["eps"],
                       affine=False)
        args["elementwise_affine"] = False
    if name == "interpolate" and args.get("size") is not None:
        raise ClassError("F.interpolate(size=...) sets the output size, which depends on the "
                         "input cnncalc has not computed yet",
                         "write scale_factor= (the size divided by the input's size)")
    target = TABLE[cls][0]
    full = {n: args.get(n, d) for n, d in target.params}
    return target.make(full)
