"""cnncalc's own spec language (with Python literal syntax and PyTorch class names) against
torch, layer by layer; and the rules every dialect shares: declared sizes, bounds, refusals."""

from __future__ import annotations

import pytest
import torch

from cnncalc.calc.summary import summarize
from cnncalc.dialects.resolve import resolve
from cnncalc.errors import CnnCalcError, LayerError, SpecSyntaxError
from cnncalc.spec import Layer, parse, parse_model, to_text

from ..oracle import counts, torch_layer

torch.set_num_threads(1)

SPECS: list[tuple[str, str]] = [
    ("conv(32,3,padding=1)-relu-maxpool(2)-conv(64,3,padding=1)-relu-maxpool(2)-flatten-fc(10)",
     "1x28x28"),
    ("conv(32, (3, 3), padding='same') - relu - maxpool((2, 2))", "3x32x32"),
    ("conv(16, 3, stride=(2, 1), padding=(1, 0), bias=False)-bn(affine=True)", "3x20x20"),
    ("conv(8,\n  3,\n  dilation=2)\n- tanh\n- avgpool(2, ceil_mode=True)", "2x17x17"),
    ("Conv2d(3, 16, 3)", "3x32x32"),
    ("Conv2d(1, 5, 5)-MaxPool2d(2)", "1x28x28"),
    ("conv(8,3)-BatchNorm2d(8)-relu-flatten-fc(10)", "1x28x28"),
    ("flatten-Linear(784, 10)", "1x28x28"),
    ("nn.Conv2d(3, 64, kernel_size=7, stride=2, padding=3, bias=False)-nn.BatchNorm2d(64)"
     "-nn.ReLU(inplace=True)-nn.MaxPool2d(kernel_size=3, stride=2, padding=1)", "3x224x224"),
    ("torch.nn.Conv2d(1, 4, 3)-torch.nn.Flatten()-torch.nn.Linear(2704, 2, bias=False)",
     "1x28x28"),
    ("Conv2d(3, 6, 5)-ReLU()-MaxPool2d(2, 2)-Conv2d(6, 16, 5)-ReLU()-MaxPool2d(2, 2)"
     "-Flatten()-Linear(400, 120)-ReLU()-Linear(120, 84)-ReLU()-Linear(84, 10)", "3x32x32"),
    ("ConvTranspose2d(4, 2, 3, 2, 1, 1)-Sigmoid()", "4x7x7"),
    ("ConvTranspose2d(4, 4, kernel_size=(2, 3), stride=(2, 1), groups=2, bias=False,"
     " dilation=(1, 2))", "4x5x5"),
    ("MaxPool2d(3, stride=None, padding=1, dilation=1, return_indices=False, ceil_mode=True)",
     "2x10x10"),
    ("AvgPool2d(3, 2, 1, False, False)", "2x11x11"),
    ("AdaptiveAvgPool2d((3, 2))-Flatten()-Linear(18, 4)", "3x9x7"),
    ("AdaptiveMaxPool2d(1)-Flatten(1, -1)", "5x6x6"),
    ("LocalResponseNorm(5, 0.0001, 0.75, 2.0)-Dropout(0.3)-Dropout2d(p=0.1)", "8x6x6"),
    ("LeakyReLU(0.2)-Softmax(dim=1)-LogSoftmax(1)-Identity()-GELU()-ELU()-SiLU()-ReLU6()",
     "3x4x4"),
    ("flatten-Linear(48, 32)-BatchNorm1d(32)-Tanh()-Linear(32, 3)", "3x4x4"),
    ("ZeroPad2d((1, 0, 2, 3))-Conv2d(1, 2, 3)-ConstantPad2d(1, 0.0)", "1x8x8"),
    ("gap-flatten-fc(5)", "7x9x9"),
    ("gmp((2, 2))-flatten-fc(3, bias=False)", "4x8x8"),
    ("zeropad(1, 2, 3, 4)-conv(2, 3)-zeropad(-1)", "1x10x10"),
    ("conv(6, 3, groups=3, padding=\"valid\")-lrn(3)-leakyrelu(negative_slope=0.3)", "3x9x9"),
    ("dwconv(3, depth_multiplier=2, padding=1)-relu6-conv(4, 1)", "3x12x12"),
    ("convt(8, 4, stride=2, padding=1)-bn-relu-convt(1, 4, stride=2, padding=1)", "16x4x4"),
    ("maxpool(2, stride=1)-avgpool(3, stride=2, padding=1, count_include_pad=False)",
     "1x15x15"),
    ("conv(4,3,padding=same)-conv(4,4,padding=same)-conv(4,(2,5),padding=same)", "1x9x11"),
    ("dropout(p=0.25)-flatten-fc(out_features=16)-fc(8,True)-softmax", "2x5x5"),
    ("conv(12, (1, 3), stride=(1, 2), padding=(0, 1), dilation=(1, 1), groups=1, bias=True)",
     "3x6x13"),
    ("BatchNorm2d(3, eps=1e-3, momentum=0.01, affine=False, track_running_stats=False)",
     "3x5x5"),
]


def torch_rows(nodes: tuple[object, ...], shape: tuple[int, ...]) -> list[tuple[object, ...]]:
    x = torch.zeros(1, *shape)
    rows = []
    for layer in nodes:
        assert isinstance(layer, Layer)
        if layer.kind == "zeropad":
            a = layer.args
            module: torch.nn.Module = torch.nn.ZeroPad2d(
                (a["left"], a["right"], a["top"], a["bottom"]))
        elif layer.kind == "gmp":
            module = torch.nn.AdaptiveMaxPool2d(layer["output_size"])
        elif layer.kind == "dwconv":
            a = layer.args
            module = torch.nn.Conv2d(x.shape[1], x.shape[1] * a["depth_multiplier"],
                                     a["kernel_size"], a["stride"], a["padding"],
                                     a["dilation"], x.shape[1], a["bias"])
        elif layer.kind == "logsoftmax":
            module = torch.nn.LogSoftmax(dim=1)
        elif layer.kind == "bn" and not layer["track_running_stats"]:
            module = torch.nn.BatchNorm2d(x.shape[1], affine=layer["affine"],
                                          track_running_stats=False)
        else:
            module = torch_layer(layer, x)
        with torch.no_grad():
            x = module.eval()(x)
        rows.append((tuple(x.shape[1:]), *counts(module)))
    return rows


@pytest.mark.parametrize(("spec", "shape"), SPECS)
def test_spec_matches_torch(spec: str, shape: str) -> None:
    r = resolve(spec, None, shape)
    s = summarize(r.nodes, r.shape, r.convention)
    got = [(x.output_shape, x.trainable_params, x.non_trainable_params) for x in s.leaves()]
    assert got == torch_rows(r.nodes, r.shape)
    # The normalised text reads back to the same layers.
    again = summarize(parse(to_text(r.nodes)), r.shape, r.convention)
    assert [x.output_shape for x in again.leaves()] == [x.output_shape for x in s.leaves()]


@pytest.mark.parametrize(("spec", "shape", "message"), [
    ("conv(32,3)-conv(64,3)-conv(128,3)-maxpool(2)-relu-flatten-Linear(3136, 10)",
     "1x14x14", "layer 7 Linear(3136, 10) expects 3136 input features, but layer 6 flatten "
     "gives 2048 (128x4x4)"),
    ("Conv2d(3, 16, 3)", "1x28x28",
     "layer 1 Conv2d(3, 16, 3) expects 3 input channels, but the input has 1 (1x28x28); an "
     "input of 3x28x28 makes every declared size fit (--input 3x28x28)"),
    ("conv(32,3)-BatchNorm2d(16)", "1x28x28", "layer 2 BatchNorm2d(16) expects 16 input "
     "channels, but layer 1 conv(32,3) gives 32 (32x26x26)"),
    ("conv(4,3)-Linear(2704, 10)", "1x28x28", "layer 2 Linear(2704, 10) expects 2704 input "
     "features, but layer 1 conv(4,3) gives a 4x26x26 map; flatten it first"),
    ("flatten-BatchNorm2d(784)", "1x28x28", "layer 2 BatchNorm2d(784) needs a CxHxW input, "
     "but layer 1 flatten gives the flat vector 784; use BatchNorm1d after flatten"),
    ("fc(10)-BatchNorm1d(12)", "flat:5", "layer 2 BatchNorm1d(12) expects 12 input "
     "features, but layer 1 fc(10) gives 10"),
])
def test_declared_sizes_are_checked(spec: str, shape: str, message: str) -> None:
    r = resolve(spec, None, shape)
    with pytest.raises(LayerError) as info:
        summarize(r.nodes, r.shape, r.convention)
    assert str(info.value) == message


@pytest.mark.parametrize(("spec", "needle"), [
    ("conv2d(32, 3)", "class names are case-sensitive: write Conv2d (PyTorch) or Conv2D"),
    ("linear(10)", "write Linear (PyTorch)"),
    ("dense(10)", "write Dense (Keras)"),
    ("batchnorm2d(8)", "write BatchNorm2d (PyTorch)"),
    ("Conv2d(1, 8, 3)-Dense(10)", "mixes PyTorch (Conv2d) and Keras (Dense)"),
    ("nn.Conv2D(1, 8, 3)", "torch.nn has no class Conv2D"),
    ("foo.Conv2d(1, 8, 3)", "unknown module prefix 'foo.'"),
    ("Conv2d(1, 8)", "Conv2d needs 'kernel_size'"),
    ("Linear(784, 10, True, 5)", "Linear takes at most 3 positional argument(s), got 4"),
    ("MaxPool2d(2, return_indices=True)", "returns a pair"),
    ("fc(" + "9" * 400 + ")", "is too large; the limit is 10^12"),
    ("conv(8, 3, padding='sideways')", "conv padding must be an integer, HxW, 'same' or"),
    ("Conv2d(1, 8, 3, padding='SAME')", "Conv2d padding must be an integer, a pair, 'same'"),
    ("Conv2D(8, 3, padding='causal')", "Conv2D padding must be 'valid' or 'same'"),
    ("Conv2D(8, 3, data_format='channels_first')", "cnncalc reads Keras models as"),
    ("Dense(10, activation='bogus')", "unknown activation 'bogus'"),
    ("Identity()", "has no layers"),
])
def test_refused_with_a_reason(spec: str, needle: str) -> None:
    with pytest.raises(SpecSyntaxError) as info:
        parse_model(spec)
    assert needle in str(info.value)
    assert "\n" not in str(info.value) and len(str(info.value)) < 300


def test_keras_class_names_in_a_spec_use_keras_rules() -> None:
    r = resolve("Conv2D(16, 3, strides=2, padding='same', input_shape=(28, 28, 1))"
                "-MaxPooling2D()-Flatten()-Dense(10, activation='softmax')", None, None)
    assert r.convention == "keras" and r.shape == (1, 28, 28)
    s = summarize(r.nodes, r.shape, r.convention)
    # ⌈28/2⌉ = 14, pool ⌊(14-2)/2⌋+1 = 7: 7·7·16 = 784 features; (3·3·1+1)·16 = 160 and
    # 784·10 + 10 = 7,850 parameters.
    assert [x.output_shape for x in s.leaves()] == [(16, 14, 14), (16, 7, 7), (784,), (10,),
                                                   (10,)]
    assert s.trainable_params == 160 + 7850


def test_huge_repeats_and_values_are_one_line_errors() -> None:
    r = resolve("[convt(1,2,s=2)]*1000", None, None)
    with pytest.raises(LayerError, match="too large"):
        summarize(r.nodes, r.shape, r.convention)
    with pytest.raises(CnnCalcError, match="too large"):
        resolve("relu", None, "1x9999999999999x9")


@pytest.mark.parametrize("spec", [
    "conv(" + "a" * 300 + "=1)", "Z" * 300, "conv(8,3,padding=" + "q" * 300 + ")",
    "Conv2d(1,2,3," + "k" * 300 + "=3)", "fc(" + "9" * 400 + ")", "[relu]*" + "9" * 300,
])
def test_error_echoes_of_huge_tokens_are_cut(spec: str) -> None:
    with pytest.raises(CnnCalcError) as info:
        parse_model(spec)
    assert len(str(info.value)) < 260, str(info.value)
