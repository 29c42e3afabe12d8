"""torch.nn.functional and tensor calls in forward(): what each adds to the model."""

from __future__ import annotations

from .binding import PYTORCH, REQUIRED, Bound, ClassDef, ClassError, Raw, bind_args, one
from .classes import TABLE

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
    raise ClassError(f"F.{name} is not supported",
                     "cnncalc reads relu, max_pool2d, avg_pool2d, adaptive pools, dropout, "
                     "softmax and the like")
