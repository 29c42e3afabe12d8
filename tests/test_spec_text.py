"""The normalised spec text of a layer reads back as the same layer: the table, the JSON
`spec`, errors and exports all show this text, so a value it drops is a wrong figure."""

from __future__ import annotations

import pytest

from cnncalc.spec import parse


@pytest.mark.parametrize(("spec", "text"), [
    # A square kernel reads as one number: conv(8,3) is conv(8,(3,3)).
    ("conv(8,(3,3))", "conv(8,3)"),
    # Dimensions keep every number, equal or not: reshape(4,4) is a 4x4 shape, not 4.
    ("reshape(4,4)", "reshape(4x4)"),
    ("reshape((2,2))", "reshape(2x2)"),
    ("reshape(1,4,4)", "reshape(1x4x4)"),
    ("reshape(16)", "reshape(16)"),
    ("permute(0,2,1)", "permute(0x2x1)"),
])
def test_layer_text_keeps_every_value(spec: str, text: str) -> None:
    (layer,) = parse(spec)
    assert layer.text == text
    (again,) = parse(layer.text)
    assert (again.kind, again.args) == (layer.kind, layer.args)
