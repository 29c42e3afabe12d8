"""The calculator's layer for a torch module: bound from its attributes, as its spec text parses.

A module summary derives each leaf cnncalc knows from the calculator. `spec_text` writes the
module as spec-language text; `layer_of` binds the same values straight from the module's
attributes (the parser's `coerce` checks each, the kind's defaults fill the rest), which
spares the parse: `layer_of(m)` has the kind and arguments of `parse(spec_text(m))`'s one
layer, or is None where the parser refuses that text. A value outside the plain cases (an
int that is not exactly an int, a tuple of another length, a negative size ...) takes the
text and the parser (`TEXT`), so nothing is bound differently from it.
tests/test_module_layers.py checks the two against each other over every kind and odd values.
"""

from __future__ import annotations

import math
from typing import Any, Final

from torch import nn

from ..library.binding import MAX_INT, ClassError
from ..ops.signature import REQUIRED, Layer, LayerDef, Value, lookup
from ..spec import coerce

TEXT: Final = "text"
"""`layer_of`'s answer where only the text and the parser bind the module exactly."""


class _Odd(Exception):
    """A value the direct binding leaves to the text and the parser."""


def _pair(v: Any) -> str:
    if isinstance(v, (tuple, list)):
        if not v:
            return "()"  # which the parser refuses, as torch does
        if len(v) == 2 and v[0] != v[1]:
            return f"{v[0]}x{v[1]}"
        return str(v[0])
    return str(v)


def _args(*items: tuple[str, Any, Any]) -> str:
    """Keyword arguments that differ from the spec language's defaults."""
    out = []
    for name, value, default in items:
        text = _pair(value) if not isinstance(value, bool) else str(value).lower()
        if text != default:
            out.append(f"{name}={text}")
    return "".join("," + a for a in out)


def _written(*values: Any) -> bool:
    """False where a value is None (BatchNorm's momentum=None, a cumulative average), which
    the spec language has no number for."""
    return all(v is not None for v in values)


def spec_text(m: nn.Module) -> str | None:
    """The spec-language text for a module cnncalc can derive, else None."""
    if type(m) is nn.Conv2d:
        if m.padding_mode != "zeros" and isinstance(m.padding, str):
            return None
        return (f"conv({m.out_channels},{_pair(m.kernel_size)}" + _args(
            ("stride", m.stride, "1"), ("padding", m.padding, "0"),
            ("dilation", m.dilation, "1"), ("groups", m.groups, "1"),
            ("bias", m.bias is not None, "true")) + ")")
    if type(m) is nn.ConvTranspose2d:
        return (f"convt({m.out_channels},{_pair(m.kernel_size)}" + _args(
            ("stride", m.stride, "1"), ("padding", m.padding, "0"),
            ("output_padding", m.output_padding, "0"), ("dilation", m.dilation, "1"),
            ("groups", m.groups, "1"), ("bias", m.bias is not None, "true")) + ")")
    if type(m) is nn.Linear:
        return f"fc({m.out_features}" + _args(("bias", m.bias is not None, "true")) + ")"
    if type(m) in (nn.BatchNorm1d, nn.BatchNorm2d):
        bn: Any = m
        if not bn.track_running_stats or not _written(bn.eps, bn.momentum):
            return None  # momentum=None (a cumulative average) has no spec text
        return "bn" + (f"(eps={bn.eps:g},momentum={bn.momentum:g},affine="
                       f"{str(bn.affine).lower()})" if (bn.eps, bn.momentum, bn.affine) !=
                       (1e-5, 0.1, True) else "")
    if type(m) is nn.MaxPool2d:
        if m.return_indices:
            return None
        return (f"maxpool({_pair(m.kernel_size)}" + _args(
            ("stride", m.stride, _pair(m.kernel_size)), ("padding", m.padding, "0"),
            ("dilation", m.dilation, "1"), ("ceil", m.ceil_mode, "false")) + ")")
    if type(m) is nn.AvgPool2d:
        return (f"avgpool({_pair(m.kernel_size)}" + _args(
            ("stride", m.stride, _pair(m.kernel_size)), ("padding", m.padding, "0"),
            ("ceil", m.ceil_mode, "false"), ("count_include_pad", m.count_include_pad,
                                             "true")) + ")")
    if type(m) is nn.AdaptiveAvgPool2d:
        size = m.output_size
        if size is None or (isinstance(size, tuple) and None in size):
            return None
        return f"gap({_pair(size)})"
    if type(m) is nn.Flatten:
        return "flatten" if (m.start_dim, m.end_dim) == (1, -1) else None
    if type(m) is nn.LeakyReLU:
        return f"leakyrelu({m.negative_slope:g})" if _written(m.negative_slope) else None
    if type(m) is nn.Softmax:
        return "softmax" if m.dim == 1 else None
    if type(m) is nn.Dropout:
        return f"dropout({m.p:g})" if _written(m.p) else None
    if type(m) is nn.LocalResponseNorm:
        if not _written(m.alpha, m.beta, m.k):
            return None
        return f"lrn({m.size},alpha={m.alpha:g},beta={m.beta:g},k={m.k:g})"
    if type(m) is nn.GELU:
        return "gelu" if m.approximate == "none" else None
    return _SIMPLE.get(type(m))


_SIMPLE: dict[type, str] = {nn.ReLU: "relu", nn.Tanh: "tanh", nn.Sigmoid: "sigmoid",
                            nn.ELU: "elu", nn.SiLU: "silu", nn.ReLU6: "relu6"}


# The direct binding. Each helper gives the value the parser reads from what spec_text
# writes, or raises _Odd where that is not plainly known.

def _int(v: Any) -> int:
    """An int spec_text writes with str() and the parser reads back unchanged."""
    if type(v) is not int or not 0 <= v <= MAX_INT:
        raise _Odd
    return v


def _size(v: Any) -> Value:
    """What `_pair(v)` reads back as: an int, or (h, w) where the two differ."""
    if isinstance(v, (tuple, list)):
        if len(v) == 2 and v[0] != v[1]:
            return (_int(v[0]), _int(v[1]))
        if len(v) not in (1, 2):
            raise _Odd
        return _int(v[0])
    return _int(v)


def _padding(v: Any) -> Value:
    if type(v) is str and v in ("same", "valid"):  # the strings torch accepts; they read back
        return v
    return _size(v)


def _number(v: Any) -> Value:
    """What the parser reads from `f'{v:g}'`: an int where that text is all digits."""
    if type(v) is not float and type(v) is not int:
        raise _Odd
    if type(v) is int and abs(v) > MAX_INT:
        raise _Odd
    if not math.isfinite(v):
        return None  # type: ignore[return-value]  # nan and inf: the parser refuses
    text = f"{v:g}"
    return int(text) if text.lstrip("+-").isdigit() else float(text)


def _given(m: nn.Module) -> tuple[str, dict[str, Any]] | None:
    """The kind and the values spec_text writes for `m` (None: it writes no text)."""
    kind = type(m)
    if kind is nn.Conv2d or kind is nn.ConvTranspose2d:
        c: Any = m
        if kind is nn.Conv2d and c.padding_mode != "zeros" and isinstance(c.padding, str):
            return None
        given = {"out_channels": _int(c.out_channels), "kernel_size": _size(c.kernel_size),
                 "stride": _size(c.stride), "padding": _padding(c.padding),
                 "dilation": _size(c.dilation), "groups": _int(c.groups),
                 "bias": c.bias is not None}
        if kind is nn.ConvTranspose2d:
            given["output_padding"] = _size(c.output_padding)
            return "convt", given
        return "conv", given
    if kind is nn.Linear:
        return "fc", {"out_features": _int(m.out_features), "bias": m.bias is not None}
    if kind is nn.BatchNorm1d or kind is nn.BatchNorm2d:
        bn: Any = m
        if not bn.track_running_stats or not _written(bn.eps, bn.momentum):
            return None
        if (bn.eps, bn.momentum, bn.affine) == (1e-5, 0.1, True):
            return "bn", {}
        return "bn", {"eps": _number(bn.eps), "momentum": _number(bn.momentum),
                      "affine": _bool(bn.affine)}
    if kind is nn.MaxPool2d or kind is nn.AvgPool2d:
        p: Any = m
        if kind is nn.MaxPool2d and p.return_indices:
            return None
        # spec_text leaves the stride out where it reads as the kernel's, as the parser's
        # default (=kernel_size) then gives it
        window = {"kernel_size": _size(p.kernel_size), "padding": _padding(p.padding),
                  "ceil_mode": _bool(p.ceil_mode)}
        if _pair(p.stride) != _pair(p.kernel_size):
            window["stride"] = _size(p.stride)
        if kind is nn.MaxPool2d:
            window["dilation"] = _size(p.dilation)
            return "maxpool", window
        window["count_include_pad"] = _bool(p.count_include_pad)
        return "avgpool", window
    if kind is nn.AdaptiveAvgPool2d:
        size = m.output_size
        if size is None or (isinstance(size, tuple) and None in size):
            return None
        return "gap", {"output_size": _size(size)}
    if kind is nn.Flatten:
        flat: Any = m
        return ("flatten", {}) if (flat.start_dim, flat.end_dim) == (1, -1) else None
    if kind is nn.LeakyReLU:
        return ("leakyrelu", {"negative_slope": _number(m.negative_slope)}) \
            if _written(m.negative_slope) else None
    if kind is nn.Softmax:
        return ("softmax", {}) if m.dim == 1 else None
    if kind is nn.Dropout:
        return ("dropout", {"p": _number(m.p)}) if _written(m.p) else None
    if kind is nn.LocalResponseNorm:
        if not _written(m.alpha, m.beta, m.k):
            return None
        return "lrn", {"size": _int(m.size), "alpha": _number(m.alpha),
                       "beta": _number(m.beta), "k": _number(m.k)}
    if kind is nn.GELU:
        return ("gelu", {}) if m.approximate == "none" else None
    simple = _SIMPLE.get(kind)
    return None if simple is None else (simple, {})


def _bool(v: Any) -> bool:
    if not isinstance(v, bool):
        raise _Odd  # spec_text would write str(v), which the parser may read otherwise
    return v


_DEFAULTS: dict[str, tuple[LayerDef, dict[str, Value]]] = {}


def _defaults(kind: str) -> tuple[LayerDef, dict[str, Value]]:
    """A kind's definition and its parameters' defaults, coerced as the parser coerces them
    (a `=name` default is filled from that parameter when binding)."""
    found = _DEFAULTS.get(kind)
    if found is None:
        d = lookup(kind)
        assert d is not None, kind
        found = _DEFAULTS[kind] = (d, {
            p.name: coerce(d, p, p.default) for p in d.params if p.default is not REQUIRED
            and not (isinstance(p.default, str) and p.default.startswith("="))})
    return found


def layer_of(m: nn.Module, cache: dict[Any, Any] | None = None) -> Layer | str | None:
    """The calculator's layer for `m`, bound from its attributes: kind and arguments as
    `parse(spec_text(m))` gives them; None where spec_text writes no text or the parser
    refuses it; TEXT where only the text and the parser bind it exactly. `cache` keeps each
    binding by the kind and the values read (a repeated summary reads and binds nothing
    new)."""
    try:
        found = _given(m)
    except _Odd:
        return TEXT
    if found is None:
        return None
    key = (found[0], *found[1].items())
    if cache is not None and key in cache:
        bound: Layer | None = cache[key]
        return bound
    bound = _bind(*found)
    if cache is not None:
        cache[key] = bound
    return bound


def _bind(kind: str, given: dict[str, Any]) -> Layer | None:
    """The layer the parser binds from these values, or None where it refuses one."""
    if any(v is None for v in given.values()):
        return None  # a number written nan or inf: the parser refuses the text
    d, defaults = _defaults(kind)
    args: dict[str, Value] = {}
    try:
        for p in d.params:
            if p.name in given:
                args[p.name] = coerce(d, p, given[p.name])
            elif p.name in defaults:
                args[p.name] = defaults[p.name]
            elif isinstance(p.default, str) and p.default.startswith("="):
                args[p.name] = args[p.default[1:]]
            else:  # a required value the text always writes
                raise AssertionError(f"{kind} needs {p.name}")
    except ClassError:  # the parser refuses this value too (e.g. a dropout p of 1)
        return None
    return Layer(d.name, args)
