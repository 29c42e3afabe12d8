"""Under the Keras convention the shape columns read H x W x C, while a spec's arguments
keep their one meaning (a reshape target is C x H x W, `over=last` is W). Where a layer's
text could be read the other way, its row says which: the figures are those of the spec as
documented, and the note names the Keras equivalent. Figures are hand-derived below."""

from __future__ import annotations

import pytest

from cnncalc.calc import summarize_spec
from cnncalc.ops.shape import KERAS, PYTORCH

HEAD = "import keras\nfrom keras import layers\n"


def test_a_reshape_typed_in_keras_order_is_named_for_what_it_is() -> None:
    # fc(3136) on 100: 100·3136 + 3136 = 316,736. reshape(7,7,64) is C=7, H=7, W=64, shown
    # (None, 7, 64, 7); conv(8,3) on 7 channels: 3·3·7·8 + 8 = 512, output 5x62x8.
    s = summarize_spec("fc(3136)-reshape(7,7,64)-conv(8,3)", (100,), KERAS)
    fc, reshape, conv = s.layers
    assert (fc.params, conv.params) == (316_736, 512)
    assert reshape.output_shape == (7, 7, 64)
    assert reshape.formula == "3136 → 7x64x7"  # H x W x C, as the shape columns
    assert reshape.notes == ("a spec's reshape target is C x H x W under either convention: "
                             "7x7x64 is (None, 7, 64, 7) here, Keras' Reshape((7, 64, 7))",)
    plain = summarize_spec("fc(3136)-reshape(7,7,64)-conv(8,3)", (100,), PYTORCH).layers[1]
    assert plain.notes == () and plain.formula == "3136 → 7x7x64"


def test_keras_reshape_code_gets_the_same_words() -> None:
    import cnncalc

    code = HEAD + """model = keras.Sequential([
    keras.Input(shape=(100,)),
    layers.Dense(3136),
    layers.Reshape((7, 7, 64)),
    layers.Conv2D(8, 3),
])
"""
    s = cnncalc.summary(code)
    reshape = s.layers[1]
    assert reshape.spec == "reshape(64x7x7)"
    assert reshape.formula == "3136 → 7x7x64"
    assert reshape.notes == ("a spec's reshape target is C x H x W under either convention: "
                             "64x7x7 is (None, 7, 7, 64) here, Keras' Reshape((7, 7, 64))",)
    # Conv2D(8, 3) on 64 channels: 3·3·64·8 + 8 = 4,616
    assert s.layers[2].params == 4_616


def test_fc_over_the_last_axis_says_which_axis_under_keras() -> None:
    # conv(8,3) on 28x28x1 -> 26x26x8; fc(10,over=last) transforms W (26): 26·10 + 10 = 270
    # parameters, output C=8, H=26, W=10, shown (None, 26, 10, 8)
    s = summarize_spec("conv(8,3)-fc(10,over=last)", (1, 28, 28), KERAS)
    row = s.layers[1]
    assert row.params == 270 and row.output_shape == (8, 26, 10)
    assert row.notes == ("over=last is the last axis of C x H x W, W (26), as torch's "
                         "nn.Linear takes it; Keras' Dense transforms the channels: "
                         "fc(10,over=c)",)
    assert summarize_spec("conv(8,3)-fc(10,over=last)", (1, 28, 28), PYTORCH).layers[1].notes \
        == ()
    assert summarize_spec("conv(8,3)-fc(10,over=c)", (1, 28, 28), KERAS).layers[1].notes == ()


def test_permute_says_which_axes_its_numbers_name_under_keras() -> None:
    # conv(8,3) on 28x28x1 -> C=8, H=26, W=26; permute(1,2,0) makes (H, W, C) the new
    # (C, H, W): 26x26x8 internally, shown H x W x C as (None, 26, 8, 26)
    s = summarize_spec("conv(8,3)-permute(1,2,0)", (1, 28, 28), KERAS)
    row = s.layers[1]
    assert row.output_shape == (26, 26, 8)
    assert row.formula == "26x26x8 → 26x8x26"  # H x W x C, as the shape columns
    assert row.notes == ("a spec's permute order numbers the axes of C x H x W under either "
                         "convention (0 = C, 1 = H, 2 = W): the new C x H x W is the old "
                         "(H, W, C)",)
    plain = summarize_spec("conv(8,3)-permute(1,2,0)", (1, 28, 28), PYTORCH).layers[1]
    assert plain.notes == () and plain.formula == "8x26x26 → 26x26x8"


@pytest.mark.parametrize(("text", "looks_first"), [
    ("1x28x28", True), ("3x32x32", True), ("(3, 224, 224)", True), ("28x28x1", False),
    ("32x32x3", False), ("chw:1x28x28", False), ("hwc:1x28x28", False), ("28x28", False),
    ("3x4x32", False), ("flat:784", False), ("2x28x28", False)])
def test_a_channels_first_input_under_keras_is_named(text: str, looks_first: bool) -> None:
    """The mirror of PyTorch's channels-last note: under Keras' convention 1x28x28 reads as
    a 1x28 image with 28 channels, which is rarely what was meant."""
    from cnncalc.ops.shape import channels_first_note

    said = channels_first_note(text, KERAS)
    assert (said is not None) is looks_first
    if said is not None:
        for needle in ("chw:", "hwc:", "--convention pytorch"):
            assert needle in said
    assert channels_first_note(text, PYTORCH) is None


def test_the_note_comes_with_the_error_it_explains() -> None:
    import subprocess
    import sys

    # conv(8,3) on H=1: (1 - 3)/1 + 1 = -1, refused; the note says why the input reads so
    out = subprocess.run([sys.executable, "-m", "cnncalc", "summary", "conv(8,3)", "-i",
                          "1x28x28", "--convention", "keras"], capture_output=True, text=True)
    assert out.returncode == 1
    (line,) = [x for x in out.stderr.splitlines() if x.startswith("error:")]
    assert "input 1x28x28 reads as a 1x28 image with 28 channels" in line
    ok = subprocess.run([sys.executable, "-m", "cnncalc", "summary", "conv(8,3)", "-i",
                         "chw:1x28x28", "--convention", "keras"], capture_output=True,
                        text=True)
    assert ok.returncode == 0 and "note:" not in ok.stderr
