"""Keras LayerNormalization, GroupNormalization and UpSampling2D, against hand-derived
figures (Keras builds gamma and beta over the axes it normalises: axis=-1 gives C of each,
axis=[1, 2, 3] gives H·W·C of each)."""

from __future__ import annotations

import pytest

from cnncalc.calc.summary import summarize
from cnncalc.dialects.resolve import resolve
from cnncalc.errors import CnnCalcError

CODE = """
model = keras.Sequential([
    keras.Input(shape=(8, 8, 3)),
    layers.Conv2D(16, 3),                     # (3·3·3 + 1)·16 = 448 -> 6x6x16
    layers.LayerNormalization(),              # axis=-1: 2·16 = 32
    layers.GroupNormalization(groups=4),      # 2·16 = 32
    layers.UpSampling2D(size=(2, 3)),         # -> 12x18x16, no weights
    layers.LayerNormalization(axis=[1, 2, 3]),  # 2·12·18·16 = 6,912
    layers.Flatten(),                         # 3,456
])
"""


def test_counts_and_shapes() -> None:
    r = resolve(CODE, None, None)
    s = summarize(r.nodes, r.shape, r.convention, 1, r.spec)
    assert [(x.output_shape, x.trainable_params) for x in s.leaves()] == [
        ((16, 6, 6), 448), ((16, 6, 6), 32), ((16, 6, 6), 32), ((16, 12, 18), 0),
        ((16, 12, 18), 6_912), ((3_456,), 0)]
    assert s.trainable_params == 448 + 32 + 32 + 6_912


@pytest.mark.parametrize(("layer", "needle"), [
    ("layers.GroupNormalization(groups=5)", "must divide the 16 channels"),
    ("layers.LayerNormalization(axis=1)", "axis"),
    ("layers.UpSampling2D(interpolation='lanczos3')", "interpolation"),
    ("layers.LayerNormalization(center=False)", "center and scale"),
])
def test_refused(layer: str, needle: str) -> None:
    code = ("model = keras.Sequential([keras.Input(shape=(8, 8, 3)), layers.Conv2D(16, 3), "
            f"{layer}])")
    with pytest.raises(CnnCalcError, match=needle):
        r = resolve(code, None, None)
        summarize(r.nodes, r.shape, r.convention, 1, r.spec)
