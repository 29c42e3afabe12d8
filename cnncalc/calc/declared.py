"""Sizes the code states (Conv2d's in_channels, Linear's in_features) against what flows in."""

from __future__ import annotations

from ..errors import LayerError
from ..ops.shape import Shape, format_shape, numel
from ..ops.signature import Layer
from ..ops.window import Refusal


class DeclaredSizeError(LayerError):
    """A size the code declares (Conv2d's in_channels, Linear's in_features) does not match
    what flows into that layer."""


def check_declared(layer: Layer, shape: Shape, giver: str, convention: str,
                   flattened: Shape | None = None) -> None:
    """The sizes a library call states (Conv2d's in_channels, Linear's in_features) against
    what the layer before it gives. `giver` names that layer ('layer 6 flatten'); `flattened`
    is what that layer flattened, when it is a flatten."""
    if not layer.declared:
        return
    said = dict(layer.declared)
    name = layer.source or layer.text
    giver += " has" if giver == "the input" else " gives"
    shown = format_shape(shape, convention)
    if "unpack_rank" in said and len(shape) + 1 != said["unpack_rank"]:
        raise Refusal(f"{name}: line {said['unpack_line']} unpacks {said['unpack_rank']} "
                      f"sizes from its input, which has {len(shape) + 1} dimensions (the "
                      f"batch, and {shown} that {giver}): Python stops there with a "
                      "ValueError", "unpack as many names as the tensor has dimensions")
    if "rank" in said:
        if said["rank"] == 3 and len(shape) != 3:
            raise Refusal(f"{name} needs a CxHxW input, but {giver} the flat vector "
                          f"{shape[0]}", "use BatchNorm1d after flatten")
        if said["rank"] == 1 and len(shape) != 1:
            raise Refusal(f"{name} needs a flat input, but {giver} {shown}",
                          "use BatchNorm2d on feature maps")
    if "channels" in said and len(shape) == 3 and said["channels"] != shape[0]:
        raise Refusal(f"{name} expects {said['channels']} input channels, but {giver} "
                      f"{shape[0]} ({shown})")
    if "channels" in said and len(shape) == 1 and layer.kind == "bn" and \
            said["channels"] != shape[0]:
        raise Refusal(f"{name} expects {said['channels']} input features, but {giver} "
                      f"{shape[0]}")
    if "tail_rank" in said:
        k = said["tail_rank"]
        want = tuple(said[f"tail_{i}"] for i in range(k))
        if len(shape) < k or shape[len(shape) - k:] != want:
            axes = "its last axis" if k == 1 else f"its last {k} axes"
            raise Refusal(f"{name} normalises {axes}, which must be "
                          f"{'x'.join(map(str, want))}, but {giver} {shown}",
                          "nn.LayerNorm(n) on a CxHxW map normalises W: for channels, "
                          "permute to channels-last first (ConvNeXt) or write "
                          "layernorm(over=c)" if k == 1 and len(shape) == 3 else None)
    if "features" in said and layer.kind == "fc" and len(shape) != 1 and \
            layer["over"] in ("c", "last"):
        # A dense layer on a map transforms one axis: that axis is what the code declares.
        # A count equal to the whole map's is a missing flatten: the rule below says so.
        over = layer["over"]
        n = shape[0] if over == "c" else shape[-1]
        if said["features"] == n:
            return
        if said["features"] != numel(shape):
            axis = "channels are" if over == "c" else "last axis is"
            raise Refusal(f"{name} expects {said['features']} input features, but {giver} "
                          f"{shown}, whose {axis} {n}",
                          "nn.Linear on a CxHxW map transforms its last axis, W; flatten "
                          "first for a flat fc" if over == "last" else None)
    if "features" in said:
        n = numel(shape)
        if said["features"] != n or (layer.kind == "fc" and len(shape) != 1):
            detail = f" ({shown})" if len(shape) > 1 else (
                f" ({format_shape(flattened, convention)})" if flattened else "")
            if layer.kind == "fc" and len(shape) != 1:
                raise Refusal(f"{name} expects {said['features']} input features, but {giver}"
                              f" a {shown} map", "flatten it first")
            raise Refusal(f"{name} expects {said['features']} input features, but {giver} "
                          f"{n}{detail}")
