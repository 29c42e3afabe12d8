"""The spec parser: grammar, normalisation, and errors that point at the bad token."""

from __future__ import annotations

import pytest

from cnncalc.errors import SpecSyntaxError
from cnncalc.spec import Layer, Repeat, Residual, count_layers, parse, to_text


def test_layers_keys_and_aliases_normalise() -> None:
    nodes = parse("conv(32, 3, s=2, p=1) - pool(2) - fc(10)")
    assert to_text(nodes) == "conv(32,3,stride=2,padding=1)-maxpool(2)-fc(10)"
    conv = nodes[0]
    assert isinstance(conv, Layer)
    assert conv["kernel_size"] == (3, 3) and conv["dilation"] == (1, 1)


def test_short_keys_and_pairs() -> None:
    (layer,) = parse("conv(8,3x5,d=2,g=2,p=same,bias=false)")
    assert isinstance(layer, Layer)
    assert layer["kernel_size"] == (3, 5)
    assert layer["dilation"] == (2, 2)
    assert layer["groups"] == 2 and layer["padding"] == "same" and layer["bias"] is False


def test_pool_stride_defaults_to_kernel() -> None:
    (layer,) = parse("maxpool(3)")
    assert isinstance(layer, Layer)
    assert layer["stride"] == (3, 3)
    assert to_text(parse("maxpool(3,stride=3)")) == "maxpool(3)"


def test_blocks() -> None:
    nodes = parse("[conv(8,3)-relu]*3-res[conv(8,3,p=1)-bn]")
    assert isinstance(nodes[0], Repeat) and nodes[0].times == 3
    assert isinstance(nodes[1], Residual)
    assert count_layers(nodes) == 3 * 2 + 2


def test_negative_and_float_values() -> None:
    (layer,) = parse("leakyrelu(slope=-0.2)")
    assert isinstance(layer, Layer)
    assert layer["negative_slope"] == -0.2
    assert to_text(parse("dropout(0.25)")) == "dropout(0.25)"


@pytest.mark.parametrize(
    ("spec", "message", "pos", "length"),
    [
        ("covn(32,3)", "unknown layer 'covn'; did you mean 'conv'?", 0, 4),
        ("conv(32,3,strid=2)", "conv has no argument 'strid'; did you mean 'stride'?", 10, 5),
        ("conv(32,3)-rleu", "unknown layer 'rleu'; did you mean 'relu'?", 11, 4),
        ("conv(32)", "conv needs 'kernel_size'; e.g. conv(32,3)", 0, 8),
        ("conv(32,3", "expected ',' or ')' but found end of spec", 9, 1),
        ("conv(32,3)--relu", "expected a layer name but found '-'", 11, 1),
        ("conv(0,3)", "conv out_channels must be at least 1, got 0", 5, 1),
        ("conv(8,3,stride=1.5)", "conv stride must be an integer or HxW, got 1.5", 16, 3),
        ("dropout(1.5)", "dropout p must be in [0, 1), got 1.5", 8, 3),
        ("conv(8,3,padding=foo)", "unknown value 'foo'; values are numbers, HxW, same, valid, "
         "true, false, or an upsampling mode (nearest, bilinear, bicubic)", 17, 3),
        ("[relu]", "a group needs a repeat count, e.g. [conv(8,3)-relu]*3; use res[...] for a "
         "residual block", 6, 1),
        ("[relu]*0", "repeat count must be a positive integer, got 0", 7, 1),
        ("res[]", "empty residual block 'res[]'", 0, 5),
        ("", "the spec is empty; write layers joined by '-', e.g. conv(32,3)-relu-flatten-fc(10)",
         0, 1),
        ("relu(3)", "relu takes at most 0 positional argument(s) (no arguments)", 5, 1),
        ("conv(8,3,stride=2,stride=1)", "argument 'stride' given twice", 18, 6),
        ("fc(10) relu", "unexpected 'r'; join layers with '-'", 7, 1),
    ],
)
def test_errors_name_the_token(spec: str, message: str, pos: int, length: int) -> None:
    with pytest.raises(SpecSyntaxError) as info:
        parse(spec)
    assert str(info.value) == message
    assert (info.value.pos, info.value.length) == (pos, length)
    _, caret = info.value.caret_lines()
    assert caret == " " * pos + "^" * length


def test_deep_nesting_is_refused_not_a_recursion_error() -> None:
    spec = "res[" * 40 + "relu" + "]" * 40
    with pytest.raises(SpecSyntaxError, match="nesting deeper than 32"):
        parse(spec)


def test_huge_expansion_is_refused() -> None:
    with pytest.raises(SpecSyntaxError, match="expands to 1000000000 layers; the limit is 100000"):
        parse("[[relu]*1000000]*1000")
