"""MACs of the torch ops a module summary runs: matrix products, convolutions and attention.

A module's code reaches the same few aten ops whatever wrote it: nn.Linear on any rank,
F.linear, `x @ w`, einsum, nn.MultiheadAttention and F.scaled_dot_product_attention all
become mm/addmm/bmm/baddbmm, and every convolution becomes aten.convolution. Each op here
gets its MACs from its operands' shapes. Ops that cost no MACs under cnncalc's convention
(elementwise, reductions, views, copies, pooling, normalisation) are known by name or by
torch's own tags. Any other op is *not derived*: the caller marks the total a lower bound.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import torch


def _numel(shape: Sequence[int]) -> int:
    n = 1
    for d in shape:
        n *= int(d)
    return n


def _shape(x: Any) -> tuple[int, ...]:
    return tuple(int(d) for d in x.shape)


def _mm(a: Any, b: Any) -> int:  # (n, k) @ (k, m): n·k·m
    n, k = _shape(a)
    return n * k * _shape(b)[-1]


def _bmm(a: Any, b: Any) -> int:  # (B, n, k) @ (B, k, m): B·n·k·m
    return _numel(_shape(a)) * _shape(b)[-1]


def _conv(out: Any, x: Any, w: Any, bias: Any = None, stride: Any = None,
          padding: Any = None, dilation: Any = None, transposed: bool = False,
          *rest: Any) -> int:
    """aten.convolution: each output value of a convolution reads (C_in/groups)·k_h·k_w
    inputs; a transposed one scatters each input value into (C_out/groups)·k_h·k_w outputs.
    Its weight is (C_out, C_in/groups, k...) or (C_in, C_out/groups, k...): per = w[1:]."""
    per = _numel(_shape(w)[1:])
    return _numel(_shape(x if transposed else out)) * per


# Each rule takes the op's output, then its arguments.
MAC_RULES: dict[str, Callable[..., int]] = {
    "mm": lambda out, a, b, *_: _mm(a, b),
    "addmm": lambda out, bias, a, b, *_: _mm(a, b),
    "bmm": lambda out, a, b, *_: _bmm(a, b),
    "baddbmm": lambda out, bias, a, b, *_: _bmm(a, b),
    "addbmm": lambda out, bias, a, b, *_: _bmm(a, b),
    "mv": lambda out, a, v, *_: _numel(_shape(a)),
    "addmv": lambda out, bias, a, v, *_: _numel(_shape(a)),
    "dot": lambda out, a, b, *_: _numel(_shape(a)),
    "vdot": lambda out, a, b, *_: _numel(_shape(a)),
    "convolution": _conv,
    "_convolution": _conv,
}

# Ops that cost no MACs under cnncalc's convention, beyond those torch tags `pointwise` and
# those whose schema returns a view: data movement, reductions, normalisation, pooling; and
# the in-place forms of views, which change a tensor's shape or strides only (an RNN's
# transpose_, read by name less its trailing _).
ZERO = frozenset("""
    _to_copy _unsafe_view alias clone copy copy_ contiguous detach lift_fresh
    empty empty_like empty_strided new_empty new_empty_strided zeros zeros_like ones
    ones_like full full_like new_zeros new_ones new_full fill fill_ zero_ arange scalar_tensor
    linspace rand rand_like randn randn_like bernoulli bernoulli_ native_dropout
    cat stack constant_pad_nd reflection_pad1d reflection_pad2d replication_pad1d
    replication_pad2d replication_pad3d index index_select index_put index_put_ gather
    scatter scatter_add masked_fill masked_fill_ masked_scatter where repeat roll flip tril
    triu one_hot embedding select_scatter slice_scatter split_with_sizes_copy
    sum mean amax amin max min argmax argmin var var_mean std std_mean prod topk sort
    cumsum logsumexp norm linalg_vector_norm any all
    _softmax _log_softmax _safe_softmax softmax log_softmax
    native_batch_norm _native_batch_norm_legit _native_batch_norm_legit_no_training
    _native_batch_norm_legit_functional native_layer_norm native_group_norm
    _batch_norm_with_update _batch_norm_no_update
    max_pool2d_with_indices max_pool1d max_pool2d max_pool3d_with_indices avg_pool2d
    avg_pool1d avg_pool3d adaptive_avg_pool1d adaptive_avg_pool2d _adaptive_avg_pool2d
    adaptive_avg_pool3d _adaptive_avg_pool3d adaptive_max_pool2d adaptive_max_pool1d
    upsample_nearest1d upsample_nearest2d upsample_nearest3d upsample_bilinear2d
    upsample_linear1d upsample_bicubic2d _upsample_nearest_exact2d
    _local_scalar_dense _assert_async sym_size sym_numel sym_stride sym_storage_offset
    split unsafe_split split_with_sizes unsafe_split_with_sizes unbind chunk
    _unsafe_index channel_shuffle pixel_shuffle pixel_unshuffle im2col col2im
    transpose t squeeze unsqueeze swapaxes swapdims as_strided
    """.split())


def op_name(func: Any) -> str:
    return str(getattr(func, "__name__", func)).split(".")[0]


def _is_view(func: Any) -> bool:
    schema = getattr(func, "_schema", None)
    if schema is None:
        return False
    return any(r.alias_info is not None and not r.alias_info.is_write for r in schema.returns)


def _free(*_: Any) -> int:
    return 0


_RULE_OF: dict[Any, Callable[..., int] | None] = {}  # op -> its rule, None: not derived


def _rule(func: Any) -> Callable[..., int] | None:
    name = op_name(func)
    rule = MAC_RULES.get(name)
    if rule is not None:
        return rule
    if name in ZERO or name.rstrip("_") in ZERO:
        return _free
    tags = getattr(func, "tags", ())
    if torch.Tag.pointwise in tags or _is_view(func):
        return _free
    return None


def op_macs(func: Any, args: Sequence[Any], out: Any) -> int | None:
    """MACs of one aten op call (the whole batch), or None where cnncalc derives none."""
    try:
        rule = _RULE_OF[func]
    except KeyError:
        rule = _RULE_OF[func] = _rule(func)
    if rule is None:
        return None
    try:
        return rule(out, *args)
    except (TypeError, ValueError, AttributeError, IndexError):  # an overload of another form
        return None  # not derived: the caller marks the row and the total a lower bound
