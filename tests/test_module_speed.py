"""What makes module summaries fast changes no figure: the meta-op memo and the meta rules
return exactly what torch's own meta kernel returns, and a summary with the process's caches
full equals one computed from nothing (the oracle: the same summary with every cache emptied
first, and torch running every op itself)."""

from __future__ import annotations

from typing import Any

import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

import cnncalc  # noqa: E402
from cnncalc.calc import summarize_spec  # noqa: E402
from cnncalc.ops.shape import parse_shape  # noqa: E402
from cnncalc.presets import get  # noqa: E402
from cnncalc.train import meta_rules, module_summary, op_count  # noqa: E402
from cnncalc.train.model import build  # noqa: E402

aten = torch.ops.aten


def _layout(out: Any) -> Any:
    if isinstance(out, torch.Tensor):
        return (type(out), tuple(out.shape), out.stride(), out.dtype, out.device.type)
    return (type(out), tuple(_layout(t) for t in out))


def _meta(*shape: int, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    return torch.empty(shape, dtype=dtype, device="meta")


# (op, arguments): inputs of several layouts (contiguous, channels-last, permuted, sliced,
# broadcast) and dtypes, and tuple results (batch norm)
CASES: list[tuple[Any, tuple[Any, ...], dict[str, Any]]] = [
    (aten.relu.default, (_meta(2, 8, 5, 5),), {}),
    (aten.relu.default, (_meta(2, 8, 5, 5).to(memory_format=torch.channels_last),), {}),
    (aten.relu.default, (_meta(2, 8, 5, 5).permute(0, 2, 3, 1),), {}),
    (aten.relu.default, (_meta(2, 8, 5, 6)[..., ::2],), {}),
    (aten.hardtanh.default, (_meta(1, 4, 3, 3), 0.0, 6.0), {}),
    (aten.tanh.default, (_meta(3, 4, dtype=torch.int64),), {}),
    (aten.gelu.default, (_meta(2, 7, 16),), {"approximate": "tanh"}),
    (aten.add.Tensor, (_meta(2, 8, 5, 5), _meta(8, 1, 1)), {}),
    (aten.add.Tensor, (_meta(2, 3, dtype=torch.int32), 1.5), {}),
    (aten.mul.Tensor, (_meta(2, 8, 5, 5).to(memory_format=torch.channels_last),
                       _meta(2, 8, 5, 5)), {}),
    (aten.native_batch_norm.default, (_meta(2, 8, 5, 5), _meta(8), _meta(8), _meta(8),
                                      _meta(8), False, 0.1, 1e-5), {}),
    (aten.native_batch_norm.default, (_meta(2, 8, 5, 5).to(memory_format=torch.channels_last),
                                      _meta(8), _meta(8), _meta(8), _meta(8), False, 0.1,
                                      1e-5), {}),
    (aten.addmm.default, (_meta(10), _meta(3, 20), _meta(10, 20).t()), {}),
    (aten.convolution.default, (_meta(1, 3, 9, 9), _meta(6, 3, 3, 3), None, [2, 2], [1, 1],
                                [1, 1], False, [0, 0], 1), {}),
    (aten.cat.default, ([_meta(1, 2, 4, 4), _meta(1, 3, 4, 4)], 1), {}),
]


def _c(*shape: int, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    return _meta(*shape, dtype=dtype)


# Each rule on the inputs it takes (the rule answers) and on some it leaves to torch (None).
RULE_CASES: list[tuple[Any, tuple[Any, ...], dict[str, Any], bool]] = [
    *[(op, (_c(2, 8, 5, 5),), {}, True) for op in (
        aten.relu.default, aten.tanh.default, aten.sigmoid.default, aten.silu.default,
        aten.hardswish.default, aten.hardsigmoid.default)],
    (aten.relu.default, (_c(3, 1, 4, dtype=torch.float64),), {}, True),
    (aten.relu.default, (_c(1, 8, 1, 1).to(memory_format=torch.channels_last),), {}, False),
    (aten.relu.default, (_c(2, 8, 5, 5).permute(0, 2, 3, 1),), {}, False),
    (aten.relu.default, (_c(2, 8, dtype=torch.float16),), {}, False),
    (aten.tanh.default, (_c(3, 4, dtype=torch.int64),), {}, False),
    (aten.leaky_relu.default, (_c(2, 6), 0.2), {}, True),
    (aten.elu.default, (_c(2, 6), 1.0, 1, 1), {}, True),
    (aten.hardtanh.default, (_c(1, 4, 3, 3), 0.0, 6.0), {}, True),
    (aten.gelu.default, (_c(2, 7, 16),), {"approximate": "tanh"}, True),
    (aten.gelu.default, (_c(2, 7, 16),), {}, True),
    (aten.add.Tensor, (_c(2, 8, 5, 5), _c(2, 8, 5, 5)), {}, True),
    (aten.add.Tensor, (_c(2, 8, 5, 5), _c(2, 8, 5, 5)), {"alpha": 2}, True),
    (aten.add.Tensor, (_c(2, 8, 5, 5), _c(8, 1, 1)), {}, False),
    (aten.add.Tensor, (_c(2, 3), _c(2, 3, dtype=torch.float64)), {}, False),
    (aten.addmm.default, (_c(10), _c(3, 20), _c(10, 20).t()), {}, True),
    (aten.addmm.default, (_c(1), _c(1, 20), _c(1, 20).t()), {}, True),
    (aten.addmm.default, (_c(4, 10), _c(4, 20), _c(20, 10)), {"beta": 0.5}, True),
    (aten.addmm.default, (_c(10), _c(3, 20), _c(10, 21).t()), {}, False),
    (aten.native_batch_norm.default, (_c(2, 8, 5, 5), _c(8), _c(8), _c(8), _c(8), False, 0.1,
                                      1e-5), {}, True),
    (aten.native_batch_norm.default, (_c(2, 8, 5, 5, dtype=torch.float64),
                                      *[_c(8, dtype=torch.float64)] * 4, False, 0.1, 1e-3), {},
     True),
    (aten.native_batch_norm.default, (_c(2, 8, 5, 5), None, None, _c(8), _c(8), False, 0.1,
                                      1e-5), {}, True),
    (aten.native_batch_norm.default, (_c(4, 8), _c(8), _c(8), _c(8), _c(8), False, 0.1, 1e-5),
     {}, True),
    (aten.native_batch_norm.default, (_c(2, 8, 5, 5, dtype=torch.float16), _c(8), _c(8),
                                      _c(8), _c(8), False, 0.1, 1e-5), {}, False),
    (aten.native_batch_norm.default, (_c(2, 8, 5, 5), _c(8), _c(8), _c(8), _c(8), True, 0.1,
                                      1e-5), {}, False),
    (aten.mean.dim, (_c(2, 8, 5, 5), [-1, -2], True), {}, True),
    (aten.mean.dim, (_c(2, 8, 5, 5), [2, 3]), {}, True),
    (aten.mean.dim, (_c(2, 1, 5, 5, dtype=torch.float64), [0, 3], False), {}, True),
    (aten.mean.dim, (_c(2, 8, 5, 5), [2, -2], True), {}, False),
    (aten.mean.dim, (_c(2, 8, 5, 5), [4], True), {}, False),
    (aten.mean.dim, (_c(2, 8, 5, 5), [2, 3], True), {"dtype": torch.float64}, False),
    (aten.cat.default, ([_c(1, 2, 4, 4), _c(1, 3, 4, 4)], 1), {}, True),
    (aten.cat.default, ([_c(2, 4), _c(1, 4), _c(3, 4)],), {}, True),
    (aten.cat.default, ([_c(2, 4, 3), _c(2, 4, 1)], -1), {}, True),
    (aten.cat.default, ([_c(1, 2, 4, 4), _c(1, 3, 4, 5)], 1), {}, False),
    (aten.cat.default, ([_c(1, 2, 4, 4), _c(1, 3, 4, 4, dtype=torch.float64)], 1), {}, False),
    (aten.cat.default, ([_c(1, 2), _c(0)], 0), {}, False),
    *[(aten.convolution.default, (x, w, b, st, p, d, False, [0, 0], g), {}, True)
      for x, w, b, st, p, d, g in [
          (_c(1, 1, 28, 28), _c(6, 1, 5, 5), _c(6), [1, 1], [0, 0], [1, 1], 1),
          (_c(2, 3, 9, 9), _c(4, 3, 3, 3), None, [2, 2], [1, 1], [1, 1], 1),
          (_c(1, 8, 1, 1), _c(4, 8, 1, 1), _c(4), [1, 1], [0, 0], [1, 1], 1),
          (_c(1, 8, 7, 6), _c(8, 1, 3, 3), None, [2, 1], [1, 0], [2, 1], 8),
          (_c(1, 6, 5, 5), _c(4, 3, 5, 5), None, [1, 1], [0, 0], [1, 1], 2),
          (_c(1, 3, 5, 5), _c(1, 3, 5, 5), None, [1, 1], [0, 0], [1, 1], 1),
          (_c(1, 3, 8, 8, dtype=torch.float64), _c(2, 3, 3, 3, dtype=torch.float64), None,
           [3, 3], [2, 2], [1, 1], 1)]],
    (aten.convolution.default, (_c(1, 3, 2, 2), _c(4, 3, 3, 3), None, [1, 1], [0, 0], [1, 1],
                                False, [0, 0], 1), {}, False),
    (aten.convolution.default, (_c(1, 4, 5, 5), _c(4, 2, 3, 3), None, [2, 2], [0, 0], [1, 1],
                                True, [1, 1], 1), {}, False),
    (aten.convolution.default, (_c(1, 3, 9), _c(4, 3, 3), None, [1], [0], [1], False, [0], 1),
     {}, False),
    (aten.convolution.default, (_c(1, 4, 5, 5).to(memory_format=torch.channels_last),
                                _c(4, 4, 3, 3), None, [1, 1], [0, 0], [1, 1], False, [0, 0],
                                1), {}, False),
    (aten.max_pool2d_with_indices.default, (_c(1, 8, 7, 7), [3, 3], [2, 2], [1, 1], [1, 1],
                                            True), {}, True),
    (aten.max_pool2d_with_indices.default, (_c(1, 8, 7, 7), [2]), {}, True),
    (aten.max_pool2d_with_indices.default, (_c(1, 8, 7, 7), [2], [], [2]), {}, False),
    (aten.avg_pool2d.default, (_c(1, 8, 7, 7), [2, 2], [2, 2]), {}, True),
    (aten.avg_pool2d.default, (_c(1, 8, 7, 7), [3, 3], [2, 2], [1, 1], True, False), {}, True),
    (aten.avg_pool2d.default, (_c(1, 8, 1, 1), [2, 2], [2, 2]), {}, False),
]


@pytest.mark.parametrize("case", range(len(RULE_CASES)))
def test_a_meta_rule_gives_what_torch_gives_or_leaves_it_to_torch(case: int) -> None:
    func, args, kwargs, answers = RULE_CASES[case]
    ours = meta_rules.fast(func, args, kwargs)
    if not answers:
        assert ours is None
        return
    assert ours is not None
    assert _layout(ours) == _layout(func(*args, **kwargs))
    # Memo keeps a rule's result without _layouts' checks: they must all hold for it
    found = op_count._layouts(ours)
    assert found is not None
    assert found == tuple((tuple(t.shape), t.stride(), t.dtype)
                          for t in (ours if isinstance(ours, tuple) else (ours,)))


@pytest.mark.parametrize("case", range(len(CASES)))
def test_a_remembered_result_is_what_torch_returns(case: int) -> None:
    func, args, kwargs = CASES[case]
    torch_out = func(*args, **kwargs)
    memo = op_count.Memo()
    first = memo.run(func, args, kwargs)
    again = memo.run(func, args, kwargs)  # from the memo where the op is functional
    assert _layout(first) == _layout(again) == _layout(torch_out)
    fresh = again if isinstance(again, tuple) else (again,)
    assert all(t is not a for t in fresh for a in args)  # new tensors, never an argument


def test_ops_that_write_or_alias_their_arguments_are_always_run() -> None:
    memo = op_count.Memo()
    x = _meta(2, 3)
    for _ in range(2):
        assert memo.run(aten.relu_.default, (x,), {}) is x  # in place: torch returns x
        view = memo.run(aten.view.default, (x, [6]), {})
        assert view._base is x  # a view of x, as torch makes it
    assert not op_count._functional(aten.relu_.default)
    assert not op_count._functional(aten.view.default)
    assert op_count._functional(aten.relu.default)


def test_the_default_dtype_is_part_of_the_signature() -> None:
    memo = op_count.Memo()
    x = _meta(2, 3, dtype=torch.int32)
    assert memo.run(aten.add.Tensor, (x, 1.5), {}).dtype == torch.float32
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:  # an int tensor plus a Python float now gives float64, as torch says
        assert memo.run(aten.add.Tensor, (x, 1.5), {}).dtype == aten.add.Tensor(x, 1.5).dtype \
            == torch.float64
    finally:
        torch.set_default_dtype(old)


def _empty_caches() -> None:
    op_count._RESULTS.clear()
    module_summary._CALCULATED.clear()
    module_summary._PARSED.clear()


class Block(nn.Module):
    """Repeats (the memo's hits), a functional op and a permuted, channels-last path."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(8, 8, 3, padding=1)
        self.bn = nn.BatchNorm2d(8)
        self.fc = nn.Linear(8, 8)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = torch.relu(self.bn(self.conv(x)))
        y = self.fc(y.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)
        return x + y


@pytest.mark.parametrize("name", ["lenet5", "resnet18", "mobilenet_v2", "blocks"])
def test_a_summary_from_full_caches_equals_one_from_nothing(name: str) -> None:
    if name == "blocks":
        model: nn.Module = nn.Sequential(nn.Conv2d(3, 8, 3), Block(), Block(), Block())
        size: tuple[int, ...] = (2, 3, 16, 16)
    else:
        p = get(name)
        s = summarize_spec(p.spec, parse_shape(p.input))
        with torch.device("meta"):
            model = build(s)
        size = (1, *s.input_shape)
    _empty_caches()
    calls = 0
    real = op_count.Memo.run

    def counted(self: op_count.Memo, func: Any, args: Any, kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        return func(*args, **kwargs)  # torch runs every op: no memo

    op_count.Memo.run = counted  # type: ignore[method-assign]
    try:
        oracle = cnncalc.summary(model, input_size=size)
    finally:
        op_count.Memo.run = real  # type: ignore[method-assign]
    _empty_caches()
    first = cnncalc.summary(model, input_size=size)
    warm = cnncalc.summary(model, input_size=size)
    assert calls > 0 and oracle.layers == first.layers == warm.layers
    assert oracle == first == warm


def test_a_module_summary_does_not_import_torch_dynamo() -> None:
    """torch wraps a dispatch mode so torch.compile never traces it, and the wrapper imports
    torch._dynamo (a second or more of start-up): cnncalc opts out while nothing has
    imported it, and keeps torch's wrapper once something has."""
    import subprocess
    import sys

    code = ("import sys, torch, cnncalc\n"
            "s = cnncalc.summary(torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3), "
            "torch.nn.BatchNorm2d(4), torch.nn.ReLU()), input_size=(1, 1, 8, 8))\n"
            "assert s.total_macs == 4 * 6 * 6 * 9, s.total_macs\n"
            "print('torch._dynamo' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"
    import torch._dynamo  # noqa: F401

    assert isinstance(op_count.counter(lambda *a: None), op_count._Guarded)


def test_conv_and_pooling_rules_against_torch_on_random_layers() -> None:
    """Random kernels, strides, paddings, dilations, groups and ceil modes on small inputs:
    wherever a rule answers, torch's kernel gives the same result (and does not refuse)."""
    import random

    rng = random.Random(0)
    answered = 0
    for _ in range(400):
        x = _c(1, 4, rng.randint(1, 12), rng.randint(1, 12))
        k = [rng.randint(1, 5), rng.randint(1, 5)][:rng.choice([1, 2])]
        stride = rng.choice([[], [1], [2], [rng.randint(1, 3), rng.randint(1, 3)]])
        pad = rng.choice([0, [1], [0, 1], [2]])
        dil = rng.choice([1, [1], [2], [1, 2]])
        ceil = rng.choice([False, True])
        g = rng.choice([1, 2, 4])
        w = _c(rng.choice([4, 8]), 4 // g, rng.randint(1, 4), rng.randint(1, 4))
        conv_stride = [rng.randint(1, 3), rng.randint(1, 3)]
        conv_pad = [rng.randint(0, 2), rng.randint(0, 2)]
        conv_dil = [rng.randint(1, 2), rng.randint(1, 2)]
        for func, args in (
                (aten.max_pool2d_with_indices.default, (x, k, stride, pad, dil, ceil)),
                (aten.avg_pool2d.default, (x, k, stride, pad, ceil, rng.choice([True, False]),
                                           None)),
                (aten.convolution.default, (x, w, None, conv_stride, conv_pad, conv_dil,
                                            False, [0, 0], g))):
            ours = meta_rules.fast(func, args, {})
            if ours is None:
                continue
            answered += 1
            assert _layout(ours) == _layout(func(*args)), (func, args)
            assert op_count._layouts(ours) is not None, (func, args)
    assert answered > 600


def test_signatures_keep_apart_what_torch_reads_apart() -> None:
    """A memoised result is found by its arguments' signature: values that torch reads
    differently (1, 1.0 and True; a list and a tuple; [1, 1] and [1, [1]]) must never share
    one, and equal arguments always do."""
    values: list[object] = [1, 1.0, True, None, [1, 1], (1, 1), [1.0, 1.0], [True, True],
                            [1, [1]], [[1], 1], [], (), [1], [[1, 1]], [1, 1, 1],
                            ["a"], [torch.float32]]
    keys = [op_count._key(v) for v in values]
    assert len(set(keys)) == len(values)
    assert [op_count._key(v) for v in values] == keys  # the same arguments, the same key
    with pytest.raises(TypeError):  # a type as a value has no signature: the op just runs
        op_count._key([int, 1])
