"""The meta rule for aten.empty gives what torch's kernel gives, or leaves the call to it.

The oracle is torch: each case runs the op itself on the meta device, and the rule's
result must have the same shape, strides, dtype and device.
"""

from __future__ import annotations

from typing import Any

import pytest
import torch

from cnncalc.train import meta_rules

aten = torch.ops.aten
META = torch.device("meta")

# (args, kwargs, whether the rule answers)
CASES: list[tuple[tuple[Any, ...], dict[str, Any], bool]] = [
    (([1, 4, 3, 3],), {"device": META, "pin_memory": False}, True),  # batch norm's, eval
    (([0],), {"dtype": torch.uint8, "layout": torch.strided, "device": META}, True),
    (([2, 0, 5],), {"dtype": torch.float64, "device": META}, True),
    (((3, 1, 1, 7),), {"dtype": torch.int64, "device": META,
                       "memory_format": torch.contiguous_format}, True),
    (([],), {"device": META}, True),
    (([2, 3],), {"device": META, "memory_format": torch.channels_last}, False),
    (([2, 3],), {"device": torch.device("cpu")}, False),
    (([2, 3],), {}, False),
    (([2, -1],), {"device": META}, False),
    (([2, 3],), {"device": META, "pin_memory": True}, False),
    (([2, 3],), {"device": META, "layout": torch.sparse_coo}, False),
    (([2, 3.0],), {"device": META}, False),
]


def _layout(t: torch.Tensor) -> tuple[Any, ...]:
    return tuple(t.shape), t.stride(), t.dtype, t.device


@pytest.mark.parametrize("case", range(len(CASES)))
def test_empty_rule_gives_what_torch_gives(case: int) -> None:
    args, kwargs, answers = CASES[case]
    ours = meta_rules.fast(aten.empty.memory_format, args, kwargs)
    if not answers:
        assert ours is None
        return
    assert ours is not None
    assert _layout(ours) == _layout(aten.empty.memory_format(*args, **kwargs))


def test_the_default_dtype_is_followed() -> None:
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        ours = meta_rules.fast(aten.empty.memory_format, ([2, 3],), {"device": META})
        assert ours is not None and ours.dtype == torch.float64
    finally:
        torch.set_default_dtype(old)
