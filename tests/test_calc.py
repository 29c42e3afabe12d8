"""Hand-derived figures: each expected number has its derivation beside it."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cnncalc import ops
from cnncalc.calc import summarize_spec
from cnncalc.calc.receptive import INPUT
from cnncalc.calc.summary import summarize, summarize_layer
from cnncalc.errors import LayerError, UsageError
from cnncalc.ops.shape import KERAS, PYTORCH, format_shape, parse_shape
from cnncalc.spec import Layer, parse
from tests.strategies import inputs, spatial


def out(spec: str, shape: tuple[int, ...], convention: str = "pytorch") -> tuple[int, ...]:
    return summarize_spec(spec, shape, convention).output_shape


def test_issue_example() -> None:
    s = summarize_spec("conv(32,3,padding=1)-relu-maxpool(2)-conv(64,3,padding=1)-relu-"
                       "maxpool(2)-flatten-fc(10)", (1, 28, 28))
    rows = s.layers
    # conv: (28 - 3 + 2·1)/1 + 1 = 28; params (3·3·1)·32 + 32 = 320
    assert rows[0].output_shape == (32, 28, 28) and rows[0].params == 320
    assert rows[0].formula == "(28 - 3 + 2·1)/1 + 1 = 28"
    assert rows[0].param_formula == "(3·3·1)·32 + 32 = 320"
    # MACs: 32·28·28 outputs, each 3·3·1 = 9 multiply-adds: 25088·9 = 225792
    assert rows[0].macs == 225_792
    # maxpool: (28 - 2)/2 + 1 = 14
    assert rows[2].output_shape == (32, 14, 14)
    # conv2: (3·3·32)·64 + 64 = 18496; MACs 64·14·14·288 = 3612672
    assert rows[3].params == 18_496 and rows[3].macs == 3_612_672
    # flatten 64·7·7 = 3136; fc 3136·10 + 10 = 31370
    assert rows[6].output_shape == (3136,) and rows[7].params == 31_370
    assert s.total_params == 320 + 18_496 + 31_370 == 50_186
    # activation memory: float32 outputs of every layer, batch 1
    # 2·25088 (conv, relu) + 6272 (pool) + 2·12544 (conv, relu) + 3136 (pool) + 3136 (flatten)
    # + 10 (fc) = 87,818 values
    assert s.activation_bytes == 4 * 87_818


def test_same_padding_even_kernel_goes_bottom_right() -> None:
    # PyTorch 'same', k=4: total padding 3 = 1 left/top + 2 right/bottom; size kept.
    s = summarize_spec("conv(1,4,padding=same)", (1, 9, 9))
    assert s.output_shape == (1, 9, 9)
    assert s.layers[0].args.pads  # type: ignore[union-attr] == (1, 2, 1, 2)
    # Dilation 2, k=4: effective kernel 2·3+1 = 7, total 6 → 3+3
    s = summarize_spec("conv(1,4,padding=same,dilation=2)", (1, 9, 9))
    assert s.layers[0].args.pads  # type: ignore[union-attr] == (3, 3, 3, 3)


def test_ceil_mode_last_window_must_start_inside() -> None:
    # n=5, k=2, s=2: floor (5-2)/2+1 = 2; ceil ⌈3/2⌉+1 = 3; last window starts at 4 < 5: kept.
    assert out("maxpool(2,ceil=true)", (1, 5, 5)) == (1, 3, 3)
    # n=6, k=3, s=2, p=1: ceil ⌈(6+2-3)/2⌉+1 = 4; last window starts at (4-1)·2 = 6,
    # which is inside input+left pad (6 < 6+1): kept → 4.
    assert out("maxpool(3,stride=2,padding=1,ceil=true)", (1, 6, 6)) == (1, 4, 4)
    # n=4, k=2, s=3, p=1: ceil ⌈(4+2-2)/3⌉+1 = 3; the 3rd window starts at 6 ≥ 4+1: dropped → 2.
    assert out("maxpool(2,stride=3,padding=1,ceil=true)", (1, 4, 4)) == (1, 2, 2)


def test_transposed_conv_output_padding() -> None:
    # (7 - 1)·2 - 2·1 + 3 + 1 = 12 - 2 + 3 + 1 = 14
    assert out("convt(8,3,stride=2,padding=1,output_padding=1)", (4, 7, 7)) == (8, 14, 14)
    # params: in·(out/g)·k·k + out = 4·8·9 + 8 = 296
    assert summarize_spec("convt(8,3,stride=2)", (4, 7, 7)).total_params == 296
    with pytest.raises(LayerError, match="output_padding 2 must be smaller than the stride 2"):
        summarize_spec("convt(8,3,stride=2,output_padding=2)", (4, 7, 7))


def test_groups() -> None:
    # (3·3·(8/4))·16 + 16 = 304
    s = summarize_spec("conv(16,3,groups=4)", (8, 10, 10))
    assert s.total_params == 304
    assert s.layers[0].param_formula == "(3·3·(8/4))·16 + 16 = 304"
    with pytest.raises(LayerError, match=r"layer 1 conv\(16,3,groups=3\): groups=3 must divide"
                       r" the 8 input channels"):
        summarize_spec("conv(16,3,groups=3)", (8, 10, 10))


def test_batchnorm_counts() -> None:
    # BatchNorm2d(32): γ,β = 64 trainable; running mean, var = 64 non-trainable
    s = summarize_spec("conv(32,3,bias=false)-bn", (3, 8, 8))
    assert (s.trainable_params, s.non_trainable_params) == (864 + 64, 64)
    assert s.total_params == 992


def test_adaptive_pool_windows() -> None:
    s = summarize_spec("gap(3)", (2, 7, 7))
    assert s.output_shape == (2, 3, 3)
    # windows: [0,⌈7/3⌉)=[0,3), [2,⌈14/3⌉)=[2,5), [4,7): largest 3
    assert s.layers[0].formula == "adaptive: 7x7 → 3x3 (uneven windows, up to 3x3)"


def test_impossible_layers_keep_the_table_so_far() -> None:
    with pytest.raises(LayerError) as info:
        summarize_spec("conv(8,3)-relu-maxpool(2)-maxpool(2)-maxpool(2)", (1, 8, 8))
    # 8 → conv 6 → pool 3 → pool 1 → pool: 1 < 2
    assert str(info.value).startswith("layer 5 maxpool(2): input 1 (padded to 1) is smaller "
                                      "than the 2-wide window")
    assert [r.output_shape for r in info.value.partial.layers] == [
        (8, 6, 6), (8, 6, 6), (8, 3, 3), (8, 1, 1)]


def test_same_with_stride_is_refused_in_pytorch() -> None:
    with pytest.raises(LayerError, match="PyTorch allows padding='same' only with stride 1"):
        summarize_spec("conv(8,3,stride=2,padding=same)", (1, 28, 28))


def test_fc_on_a_map_says_to_flatten() -> None:
    with pytest.raises(LayerError) as info:
        summarize_spec("conv(8,3)-fc(10)", (1, 28, 28))
    assert info.value.hint is not None
    assert info.value.hint.startswith("insert flatten before it (or gap-flatten); for a dense "
                                      "layer at each position write fc(n,over=c)")


def test_warnings() -> None:
    s = summarize_spec("conv(8,3,stride=2)-conv(8,3,padding=3)", (1, 28, 28))
    # (28 - 3)/2 = 12.5: the last row and column are never read
    assert "the last 1 row and 1 column are never read" in s.layers[0].notes[0]
    assert "padding 3 ≥ window 3: some outputs see only padding" in s.layers[1].notes
    s = summarize_spec("conv(8,3,padding=2x0)", (1, 28, 28))
    # H: 2 > ⌈(3-1)/2⌉ = 1 → more than needed; W: 0 is fine
    assert s.layers[0].notes == ("padding 2 is more than the 1 that keeps the size at stride 1; "
                                 "the border outputs mostly see zeros (along H)",)


def test_receptive_field_hand_derived() -> None:
    # conv3 → r=3, j=1; pool2 → r=3+1·1=4, j=2; conv3 → r=4+2·2=8, j=2;
    # dilated conv3 d=2 (k_eff 5) → r=8+4·2=16, j=2
    s = summarize_spec("conv(4,3)-maxpool(2)-conv(4,3)-conv(4,3,dilation=2)", (1, 32, 32))
    assert [r.rf.size[0] for r in s.layers] == [3, 4, 8, 16]
    assert [int(r.rf.jump[0]) for r in s.layers] == [1, 2, 2, 2]
    # centres: conv3 p0 → 0+1 = 1; pool → 1+0.5·1 = 1.5; conv → 1.5+1·2 = 3.5; → 3.5+2·2 = 7.5
    assert [float(r.rf.start[0]) for r in s.layers] == [1.0, 1.5, 3.5, 7.5]


def test_residual_projection_follows_torchvision() -> None:
    spec = ("res[conv(128,3,stride=2,padding=1,bias=false)-bn-relu-"
            "conv(128,3,padding=1,bias=false)-bn]")
    s = summarize_spec(spec, (64, 56, 56))
    block = s.layers[0]
    assert [r.spec for r in block.shortcut] == ["conv(128,1,stride=2,bias=false)", "bn"]
    # body: 64·9·128 + 256 + 128·9·128 + 256 = 221,696; shortcut: 64·128 + 256 = 8,448
    assert block.trainable_params == 221_696 + 8_448
    with pytest.raises(LayerError, match="no 1x1 projection can match"):
        summarize_spec("res[convt(8,2,stride=2)]", (8, 4, 4))


def test_keras_same_is_ceil_for_any_stride() -> None:
    # Keras 'same': out = ⌈n/s⌉ = ⌈28/3⌉ = 10; padding total = max((10-1)·3 + 3 - 28, 0) = 2
    s = summarize_spec("conv(8,3,stride=3,padding=same)", (1, 28, 28), KERAS)
    assert s.output_shape == (8, 10, 10)
    assert s.layers[0].args.pads  # type: ignore[union-attr] == (1, 1, 1, 1)
    # pooling too: MaxPooling2D(2, padding='same') on 7: ⌈7/2⌉ = 4, pad total 1 → 0 top, 1 bottom
    s = summarize_spec("maxpool(2,padding=same)", (1, 7, 7), KERAS)
    assert s.output_shape == (1, 4, 4)
    assert s.layers[0].args.pads  # type: ignore[union-attr] == (0, 1, 0, 1)
    # valid: ⌊(7 - 2)/2⌋ + 1 = 3
    assert out("maxpool(2,padding=valid)", (1, 7, 7), KERAS) == (1, 3, 3)


def test_keras_shapes_and_bn_like_model_summary() -> None:
    # Keras: Conv2D(32,3) on (28,28,1) → (None, 26, 26, 32), 320 params;
    # BatchNormalization → 4·32 = 128 params, 64 of them non-trainable.
    s = summarize_spec("conv(32,3)-bn", (1, 28, 28), KERAS)
    assert format_shape(s.output_shape, KERAS) == "(None, 26, 26, 32)"
    assert (s.total_params, s.trainable_params, s.non_trainable_params) == (448, 384, 64)


def test_keras_only_construct_in_pytorch_says_how() -> None:
    with pytest.raises(LayerError) as info:
        summarize_spec("maxpool(2,padding=same)", (1, 7, 7))
    assert "PyTorch pooling has no padding='same'" in str(info.value)
    assert "ceil=true" in str(info.value) and "--convention keras" in str(info.value)


@pytest.mark.parametrize(("text", "shape"), [("1x28x28", (1, 28, 28)), ("28x28", (1, 28, 28)),
                                             ("28", (1, 28, 28)), ("3×224×224", (3, 224, 224)),
                                             ("flat:784", (784,))])
def test_parse_shape(text: str, shape: tuple[int, ...]) -> None:
    assert parse_shape(text) == shape


@pytest.mark.parametrize("text", ["", "0x28x28", "1x2x3x4", "abc", "-1x28x28", "flat:x"])
def test_parse_shape_rejects(text: str) -> None:
    with pytest.raises(UsageError):
        parse_shape(text)


def test_absurd_sizes_are_exact_integers() -> None:
    # 10^12 output channels: (1·1·1)·10^12 + 10^12 params, computed exactly
    s = summarize_spec("conv(1000000000000,1)", (1, 1, 1))
    assert s.total_params == 2 * 10**12


@settings(max_examples=150, deadline=None)
@given(st.one_of(spatial, st.sampled_from(["flatten", "fc(10)", "fc(10,bias=false)"])),
       inputs, st.sampled_from([PYTORCH, KERAS]))
def test_summarize_layer_is_summarize_of_the_one_layer(text: str, shape: tuple[int, int, int],
                                                       convention: str) -> None:
    """summarize_layer (a module summary's derivation of one layer) gives what the whole
    pass gives the one-layer spec, and the step ops.apply gives, or refuses it likewise."""
    (layer,) = parse(text)
    assert isinstance(layer, Layer)
    try:
        expected = summarize((layer,), shape, convention, 1, text).layers[0]
    except LayerError as e:
        with pytest.raises(LayerError) as got:
            summarize_layer(layer, shape, convention)
        assert got.value.message == e.message and got.value.hint == e.hint
        return
    row, step = summarize_layer(layer, shape, convention)
    assert row == expected
    assert step == ops.apply(layer, shape, convention)
    # field=False (a module summary works out the field after the layer itself): the same
    # row but for its field, left as the input's, and that field's working
    bare, bare_step = summarize_layer(layer, shape, convention, field=False)
    assert bare_step == step and (bare.rf, bare.rf_formula) == (INPUT, "")
    assert replace(bare, rf=row.rf, rf_formula=row.rf_formula) == row


def test_summarize_layer_takes_the_whole_pass_for_declared_sizes() -> None:
    """A layer read from code with a declared size is checked against its input, as in a
    summary: Linear(784, 10) on a 100-feature input is refused by both."""
    from cnncalc.dialects.read import read_model

    (layer,) = read_model("import torch.nn as nn\nmodel = nn.Sequential(nn.Linear(784, 10))\n"
                          ).nodes
    assert isinstance(layer, Layer) and layer.declared
    with pytest.raises(LayerError, match="784"):
        summarize((layer,), (100,))
    with pytest.raises(LayerError, match="784"):
        summarize_layer(layer, (100,))
    row, step = summarize_layer(layer, (784,))
    assert row == summarize((layer,), (784,)).layers[0] and row.params == 784 * 10 + 10
    assert step == ops.apply(layer, (784,), PYTORCH) and step.output_shape == (10,)
