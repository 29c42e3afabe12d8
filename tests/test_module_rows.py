"""A module summary's row copy equals dataclasses.replace on the calculator's rows.

The oracle is dataclasses.replace itself: the copy must give an equal row, with the very
same fields (nothing more in its __dict__), and leave the original untouched.
"""

from __future__ import annotations

import dataclasses

from cnncalc.calc import summarize_spec
from cnncalc.train import module_summary


def test_the_row_copy_is_replace() -> None:
    assert module_summary._PLAIN_ROWS  # else every row goes through replace: still right
    rows = summarize_spec("conv(8,3,padding=1)-bn-relu-maxpool(2)-flatten-fc(10)",
                          (3, 16, 16)).layers
    for row in rows:
        changes = {"path": "7", "spec": f"x: {row.spec}", "notes": (*row.notes, "n"),
                   "trainable_params": 1, "non_trainable_params": 2, "mult_adds": 3,
                   "shares": "1"}
        before = dataclasses.astuple(row)
        ours = module_summary._replaced(row, **changes)
        theirs = dataclasses.replace(row, **changes)
        assert ours == theirs
        assert ours.__dict__ == theirs.__dict__
        assert dataclasses.astuple(row) == before
        assert ours is not row


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
