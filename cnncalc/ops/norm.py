"""Normalisation: bn (batch norm), groupnorm, instancenorm, layernorm, lrn."""

from __future__ import annotations

from .base import BatchNormArgs, NormArgs, OpDef, PlainArgs, Step, fixed_rule, keep
from .shape import Shape, format_shape, numel
from .signature import BOOL, CHOICE, FLOAT, INT, Layer, LayerDef, Param
from .window import Refusal, as_float, as_int, need_map

UNCHANGED = fixed_rule("the shape is unchanged")
_NOT_COUNTED = "0 (normalisation is not counted)"


def batchnorm(layer: Layer, shape: Shape, convention: str) -> Step:
    c = shape[0]
    affine = bool(layer["affine"])
    stats = bool(layer["track_running_stats"])
    tr = 2 * c if affine else 0
    pf = (f"γ,β: 2·{c} = {tr} trainable" if affine else "no γ,β") + (
        f"; running mean,var: 2·{c} = {2 * c} non-trainable" if stats else
        "; no running statistics")
    return Step(shape, tr, 2 * c if stats else 0, 0, "shape unchanged", pf, _NOT_COUNTED,
                args=BatchNormArgs(c, as_float(layer["eps"]), as_float(layer["momentum"]), affine,
                                   stats, len(shape)))


def groupnorm(layer: Layer, shape: Shape, convention: str) -> Step:
    c = shape[0]
    g = as_int(layer["num_groups"])
    if c % g:
        raise Refusal(f"num_groups={g} must divide the {c} channels")
    affine = bool(layer["affine"])
    tr = 2 * c if affine else 0
    pf = f"γ,β: 2·{c} = {tr}" if affine else "no γ,β (affine=false)"
    return Step(shape, tr, 0, 0, f"shape unchanged ({g} groups of {c // g} channels)", pf,
                _NOT_COUNTED, args=NormArgs(c, g, (), as_float(layer["eps"]), affine))


def instancenorm(layer: Layer, shape: Shape, convention: str) -> Step:
    c = need_map(shape, "instancenorm")[0]
    affine = bool(layer["affine"])
    stats = bool(layer["track_running_stats"])
    tr = 2 * c if affine else 0
    pf = (f"γ,β: 2·{c} = {tr} trainable" if affine else "no γ,β (affine=false, PyTorch's "
          "default)") + (f"; running mean,var: 2·{c} = {2 * c} non-trainable" if stats else "")
    return Step(shape, tr, 2 * c if stats else 0, 0, "shape unchanged (each channel of each "
                "sample normalised on its own)", pf, _NOT_COUNTED,
                args=NormArgs(c, c, (), as_float(layer["eps"]), affine, stats))


def layernorm(layer: Layer, shape: Shape, convention: str) -> Step:
    affine = bool(layer["affine"])
    over = str(layer["over"])
    if over == "c":
        dims: tuple[int, ...] = (shape[0],)
        where = f"over the {shape[0]} channels at each position"
    elif over == "last" and len(shape) > 1:
        dims = (shape[-1],)
        where = f"over the last axis ({shape[-1]} values), as nn.LayerNorm({shape[-1]}) does"
    else:
        dims = shape
        where = f"over {format_shape(shape, convention)} (every value of a sample)"
    n = numel(dims)
    tr = 2 * n if affine else 0
    pf = (f"γ,β: 2·{'·'.join(map(str, dims))} = {tr}" if affine else
          "no γ,β (elementwise_affine=false)")
    return Step(shape, tr, 0, 0, f"shape unchanged; normalised {where}", pf, _NOT_COUNTED,
                args=NormArgs(shape[0], 1, dims, as_float(layer["eps"]), affine,
                              over=over if over != "last" or len(shape) > 1 else "chw"))


def lrn(layer: Layer, shape: Shape, convention: str) -> Step:
    need_map(shape, "lrn")
    return Step(shape, 0, 0, 0, "shape unchanged", "no parameters", "0",
                args=PlainArgs(tuple(layer.args.items())))


OPS = [
    OpDef(LayerDef("bn", (Param("eps", FLOAT, 1e-5), Param("momentum", FLOAT, 0.1),
                          Param("affine", BOOL, True),
                          Param("track_running_stats", BOOL, True, ("stats",))),
                   (), "nn.BatchNorm2d"),
          "norm", UNCHANGED, "", keep, batchnorm),
    OpDef(LayerDef("groupnorm", (Param("num_groups", INT, short=("groups", "g"), minimum=1),
                                 Param("eps", FLOAT, 1e-5), Param("affine", BOOL, True)),
                   ("gn",), "nn.GroupNorm"),
          "norm", UNCHANGED, "2·C (γ, β)", keep, groupnorm),
    OpDef(LayerDef("instancenorm", (Param("eps", FLOAT, 1e-5), Param("momentum", FLOAT, 0.1),
                                    Param("affine", BOOL, False),
                                    Param("track_running_stats", BOOL, False, ("stats",))),
                   (), "nn.InstanceNorm2d"),
          "norm", UNCHANGED, "2·C (γ, β) when affine", keep, instancenorm),
    OpDef(LayerDef("layernorm", (Param("over", CHOICE, "chw", choices=("chw", "c", "last")),
                                 Param("eps", FLOAT, 1e-5), Param("affine", BOOL, True)),
                   ("ln",), "nn.LayerNorm"),
          "norm", UNCHANGED, "2·(values normalised) (γ, β)", keep, layernorm),
    OpDef(LayerDef("lrn", (Param("size", INT, 5, ("n",), minimum=1),
                           Param("alpha", FLOAT, 1e-4), Param("beta", FLOAT, 0.75),
                           Param("k", FLOAT, 1.0)), (), "nn.LocalResponseNorm"),
          "norm", UNCHANGED, "", keep, lrn),
]
