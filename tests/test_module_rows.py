"""The calculator's row copy equals dataclasses.replace, and its row fill equals __init__.

The oracles are dataclasses.replace and LayerInfo's own __init__: the copy or the fill must
give an equal row, with the very same fields (nothing more in its __dict__), and leave the
original untouched.
"""

from __future__ import annotations

import dataclasses

from cnncalc.calc import summarize_spec
from cnncalc.calc import summary as calc_summary


def test_the_row_copy_is_replace() -> None:
    assert calc_summary._PLAIN_ROWS  # else every row goes through replace: still right
    rows = summarize_spec("conv(8,3,padding=1)-bn-relu-maxpool(2)-flatten-fc(10)",
                          (3, 16, 16)).layers
    for row in rows:
        changes = {"path": "7", "spec": f"x: {row.spec}", "notes": (*row.notes, "n"),
                   "trainable_params": 1, "non_trainable_params": 2, "mult_adds": 3,
                   "shares": "1"}
        before = dataclasses.astuple(row)
        ours = calc_summary.row_with(row, **changes)
        theirs = dataclasses.replace(row, **changes)
        assert ours == theirs
        assert ours.__dict__ == theirs.__dict__
        assert dataclasses.astuple(row) == before
        assert ours is not row


def test_the_row_fill_is_init() -> None:
    """Every field given, or only the required ones: the filled row is __init__'s."""
    rows = summarize_spec("conv(8,3,padding=1)-bn-relu-maxpool(2)-flatten-fc(10)",
                          (3, 16, 16)).layers
    required = {f.name for f in dataclasses.fields(calc_summary.LayerInfo)
                if f.default is dataclasses.MISSING}
    assert required == {"path", "kind", "spec", "input_shape", "output_shape",
                        "trainable_params", "non_trainable_params", "macs", "activations",
                        "rf"}
    for row in rows:
        every = dict(row.__dict__)
        least = {k: v for k, v in every.items() if k in required}
        for values in (every, least):
            ours = calc_summary.new_row(**values)
            theirs = calc_summary.LayerInfo(**values)
            assert ours == theirs
            assert ours.__dict__ == theirs.__dict__
            assert type(ours) is calc_summary.LayerInfo


def test_mult_adds_read_off_the_tables_equal_torchs_walks() -> None:
    """torchinfo_mult_adds reads a plain module's own parameters from its table; the oracle
    is the same rule over named_parameters() and children(), as torchinfo walks them."""
    import torch
    from torch import nn

    from cnncalc.train.module_costs import torchinfo_mult_adds

    class Walked(nn.Linear):  # overrides the walk: the rule must use it
        def named_parameters(self, *args: object, **kwargs: object) -> object:  # type: ignore[override]
            return iter([("weight", self.weight)])

    tied = nn.Linear(4, 4)
    tied.register_parameter("other_weight", tied.weight)  # one tensor under two names
    lstm = nn.LSTM(4, 6)
    no_bias = nn.Conv2d(3, 8, 3, bias=False)
    none_param = nn.Linear(4, 2)
    none_param.register_parameter("extra_bias", None)
    modules = [nn.Conv2d(3, 8, 3), no_bias, nn.Linear(4, 5), nn.BatchNorm2d(8), tied, lstm,
               none_param, nn.ReLU(), nn.Sequential(nn.Linear(4, 4)), Walked(4, 3)]
    for m in modules:
        for out in ((2, 8, 5, 5), (3, 5), (7, 2, 6), ()):
            want = 0
            if next(iter(m.children()), None) is None and out:
                conv = "Conv" in type(m).__name__
                for name, p in m.named_parameters():  # torchinfo 1.8's calculate_macs
                    if name in ("weight", "bias"):
                        scale = out[:1] + out[2:] if conv else out[:1]
                    elif "weight" in name or "bias" in name:
                        scale = out[:2]
                    else:
                        continue
                    want += p.numel() * int(torch.tensor(scale).prod()) if scale else \
                        p.numel()
            assert torchinfo_mult_adds(m, out) == want, (m, out)


def test_a_module_rows_field_working_starts_from_its_own_input() -> None:
    """Each row's receptive-field working (`rf_formula`, which explain prints) follows the
    field into that layer, as the spec's own summary writes it, not the field of a layer
    placed first. Oracle: the calculator's summary of the same chain as a spec."""
    from torch import nn

    import cnncalc

    model = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(4, 4, 3),
                          nn.Flatten(), nn.Linear(4 * 4 * 4, 10))
    ours = cnncalc.summary(model, input_size=(1, 1, 14, 14)).layers
    spec = summarize_spec("conv(4,3)-relu-maxpool(2)-conv(4,3)-flatten-fc(10)", (1, 14, 14))
    assert [r.rf_formula for r in ours] == [r.rf_formula for r in spec.layers]
    # by hand: r = 1 + (3-1)·1 = 3; the pool: 3 + (2-1)·1 = 4, j = 2; the conv: 4 + 2·2 = 8
    assert ours[3].rf_formula == "r = 4 + (3 - 1)·2 = 8, j = 2·1 = 2"
