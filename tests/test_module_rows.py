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
