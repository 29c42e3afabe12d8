"""A module's layer bound from its attributes equals the parser's reading of its spec text.

The oracle is the spec parser: `parse(spec_text(m))` is how module summaries bound each leaf
before the direct binding, so for every module kind the summary maps, and odd values of each
argument, `layer_of(m)` must give the same kind and arguments (or refuse where the parser
refuses, or hand the case to the text), and the calculator the same row.
"""

from __future__ import annotations

from typing import Any

import pytest
import torch
from torch import nn

from cnncalc.calc.summary import summarize_layer
from cnncalc.errors import CnnCalcError
from cnncalc.ops.shape import PYTORCH
from cnncalc.ops.signature import Layer
from cnncalc.spec import parse
from cnncalc.train.module_layers import TEXT, layer_of, spec_text


def _modules() -> list[nn.Module]:
    """Every kind spec_text maps, with defaults and with odd values of each argument."""
    with torch.device("meta"):
        out: list[nn.Module] = [
            nn.Conv2d(3, 8, 3), nn.Conv2d(3, 8, (3, 5)), nn.Conv2d(3, 8, (3, 3)),
            nn.Conv2d(4, 8, 3, stride=2, padding=1, bias=False),
            nn.Conv2d(4, 8, (1, 7), stride=(1, 2), padding=(0, 3), dilation=(2, 1), groups=4),
            nn.Conv2d(4, 8, 3, padding="same"), nn.Conv2d(4, 8, 3, padding="valid"),
            nn.Conv2d(4, 8, 3, padding="same", dilation=2),
            nn.Conv2d(4, 8, 3, padding=1, padding_mode="reflect"),
            nn.Conv2d(4, 8, 3, padding="same", padding_mode="circular"),
            nn.Conv2d(4, 4, 3, groups=4, dilation=3),
            nn.ConvTranspose2d(8, 4, 4, stride=2, padding=1),
            nn.ConvTranspose2d(8, 4, (3, 5), stride=(2, 3), padding=(1, 2),
                               output_padding=(1, 0), bias=False),
            nn.ConvTranspose2d(8, 8, 3, groups=2, dilation=2, output_padding=1, stride=2),
            nn.Linear(10, 5), nn.Linear(10, 5, bias=False), nn.Linear(3, 1),
            nn.BatchNorm2d(8), nn.BatchNorm1d(8), nn.BatchNorm2d(8, affine=False),
            nn.BatchNorm2d(8, eps=1e-3, momentum=0.01),
            nn.BatchNorm2d(8, eps=1.23456789e-5, momentum=0.3333333333),  # `:g` rounds
            nn.BatchNorm2d(8, eps=1e-5, momentum=0.1, affine=True),
            nn.BatchNorm2d(8, eps=100000.0), nn.BatchNorm2d(8, eps=1e7),
            nn.BatchNorm2d(8, momentum=None), nn.BatchNorm2d(8, eps=float("nan")),
            nn.BatchNorm2d(8, eps=float("inf")), nn.BatchNorm2d(8, eps=-1.0),
            nn.BatchNorm2d(8, track_running_stats=False),
            nn.MaxPool2d(2), nn.MaxPool2d(3, stride=2), nn.MaxPool2d(3, 2, 1),
            nn.MaxPool2d((2, 3)), nn.MaxPool2d((2, 2), stride=(2, 2)),
            nn.MaxPool2d(3, stride=1, padding=1, dilation=2, ceil_mode=True),
            nn.MaxPool2d(2, stride=None), nn.MaxPool2d((3,)),
            nn.MaxPool2d([2, 3], [1, 2]),  # type: ignore[arg-type]
            nn.MaxPool2d(2, return_indices=True), nn.MaxPool2d(2, stride=()),
            nn.MaxPool2d((2, 3, 4)), nn.MaxPool2d(0), nn.MaxPool2d(-1),
            nn.MaxPool2d(2, padding=(1, 0)), nn.MaxPool2d(2.0),  # type: ignore[arg-type]
            nn.MaxPool2d(2, ceil_mode=1),  # type: ignore[arg-type]
            nn.AvgPool2d(2), nn.AvgPool2d(3, stride=2, padding=1),
            nn.AvgPool2d(3, 1, 1, count_include_pad=False), nn.AvgPool2d((2, 4)),
            nn.AvgPool2d(2, ceil_mode=True), nn.AvgPool2d(2, divisor_override=3),
            nn.AdaptiveAvgPool2d(1), nn.AdaptiveAvgPool2d((1, 1)),
            nn.AdaptiveAvgPool2d((7, 5)), nn.AdaptiveAvgPool2d((None, 3)),
            nn.AdaptiveAvgPool2d(0),
            nn.Flatten(), nn.Flatten(0), nn.Flatten(2, 3),
            nn.LeakyReLU(), nn.LeakyReLU(0.2), nn.LeakyReLU(1.0), nn.LeakyReLU(-0.5),
            nn.LeakyReLU(1e-7), nn.LeakyReLU(0.123456789), nn.LeakyReLU(3),
            nn.Softmax(dim=1), nn.Softmax(dim=-1), nn.Softmax(),
            nn.Dropout(), nn.Dropout(0.0), nn.Dropout(0.25), nn.Dropout(0.9999999),
            nn.Dropout(1.0), nn.Dropout(0),
            nn.LocalResponseNorm(5), nn.LocalResponseNorm(3, alpha=2e-5, beta=0.5, k=2),
            nn.LocalResponseNorm(4, k=2.5),
            nn.ReLU(), nn.Tanh(), nn.Sigmoid(), nn.ELU(), nn.SiLU(), nn.ReLU6(), nn.GELU(),
            nn.GELU(approximate="tanh"), nn.ELU(alpha=2.0), nn.Identity(), nn.Hardswish(),
        ]
    # attributes set after construction: torch checks none of these
    late: list[tuple[nn.Module, str, Any]] = [
        (nn.Conv2d(3, 8, 3), "out_channels", 10**13),
        (nn.Conv2d(3, 8, 3), "stride", (True, 2)), (nn.Conv2d(3, 8, 3), "groups", 2.0),
        (nn.Conv2d(3, 8, 3), "padding", (1, -1)), (nn.Conv2d(3, 8, 3), "padding", (-1, 1)),
        (nn.Conv2d(3, 8, 3), "kernel_size", (3, 3, 3)), (nn.Conv2d(3, 8, 3), "stride", (0, 1)),
        (nn.Linear(3, 8), "out_features", 0), (nn.Linear(3, 8), "out_features", True),
        (nn.Dropout(), "p", 1), (nn.Dropout(), "p", -0.1), (nn.Dropout(), "p", 10**20),
        (nn.BatchNorm2d(4), "affine", 1), (nn.BatchNorm2d(4), "eps", 10**13),
        (nn.LocalResponseNorm(3), "size", 0), (nn.MaxPool2d(2), "padding", "same"),
    ]
    for m, name, value in late:
        setattr(m, name, value)
        out.append(m)
    return out


def _parsed(m: nn.Module) -> Layer | None:
    """The parser's reading of the module's spec text, as summaries bound it before."""
    text = spec_text(m)
    if text is None:
        return None
    try:
        (layer,) = parse(text)
    except CnnCalcError:
        return None
    assert isinstance(layer, Layer)
    return layer


MODULES = _modules()


@pytest.mark.parametrize("m", MODULES, ids=[repr(m)[:60] for m in MODULES])
def test_direct_binding_equals_the_parsers(m: nn.Module) -> None:
    direct = layer_of(m)
    if direct == TEXT:
        return  # the summary takes the text and the parser: the same by construction
    parsed = _parsed(m)
    if parsed is None:
        assert direct is None
        return
    assert isinstance(direct, Layer)
    assert (direct.kind, direct.args, direct.declared, direct.tie) == \
        (parsed.kind, parsed.args, parsed.declared, parsed.tie)
    assert list(direct.args) == list(parsed.args)  # the order the text shows them in
    assert direct.text == parsed.text
    for shape in ((8, 16, 16), (8,), (4, 9, 7)):
        try:
            want = summarize_layer(parsed, shape, PYTORCH)
        except CnnCalcError as e:
            with pytest.raises(type(e)):
                summarize_layer(direct, shape, PYTORCH)
            continue
        assert summarize_layer(direct, shape, PYTORCH) == want


def test_the_plain_cases_bind_directly() -> None:
    """The direct binding is the common path, not the fallback: every plain module binds."""
    plain = [nn.Conv2d(3, 8, 3), nn.Conv2d(3, 8, (3, 5), padding="same"),
             nn.ConvTranspose2d(8, 4, 4, stride=2), nn.Linear(3, 4), nn.BatchNorm2d(4),
             nn.BatchNorm2d(4, eps=1e-3, momentum=0.01), nn.MaxPool2d(2), nn.AvgPool2d(3, 2),
             nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(), nn.LeakyReLU(0.2), nn.Dropout(0.25),
             nn.LocalResponseNorm(5), nn.ReLU(), nn.Softmax(dim=1), nn.GELU()]
    assert all(isinstance(layer_of(m), Layer) for m in plain)


def test_odd_cases_are_covered() -> None:
    """The list above reaches each of the three answers."""
    answers = [layer_of(m) for m in MODULES]
    assert any(a == TEXT for a in answers)
    assert any(a is None for a in answers)
    assert sum(isinstance(a, Layer) for a in answers) > 60


def test_a_kept_binding_is_the_binding() -> None:
    """layer_of with a cache (as summaries call it) answers as without one, the second time
    from the cache, and two modules with the same values share one entry."""
    cache: dict[object, object] = {}
    for m in MODULES:
        want = layer_of(m)
        assert layer_of(m, cache) == want
        assert layer_of(m, cache) == want
    assert layer_of(nn.Conv2d(3, 8, 3), cache) is layer_of(nn.Conv2d(3, 8, 3), cache)


def test_a_value_that_is_no_plain_value_takes_the_text() -> None:
    """An attribute replaced after construction by an object whose == is not a plain answer
    (an array) never reaches a comparison that would raise: the text and the parser take
    it, as they did before the direct binding."""

    class Odd:
        def __eq__(self, other: object) -> bool:
            raise AssertionError("compared")

        __hash__ = object.__hash__

        def __str__(self) -> str:
            return "1"

    conv = nn.Conv2d(3, 8, 3)
    conv.padding = Odd()  # type: ignore[assignment]
    assert layer_of(conv) == TEXT
