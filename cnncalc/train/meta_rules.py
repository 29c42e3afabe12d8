"""The meta results of the few ops that fill a CNN's forward pass, without torch's kernels.

On the meta device torch's kernels for relu, tanh, batch norm and addmm are Python
decompositions of 0.5 to 2 ms a call (an empty tensor takes a microsecond). For the plain
case each rule here knows the result: a contiguous float32 or float64 input gives a
contiguous result of the same shape and dtype (batch norm adds its two per-channel
statistics, addmm gives an (n, m) matrix, mean and cat the reduced or joined shape, a 2-D
convolution or pooling its (N, C, H_out, W_out), empty the scratch tensor batch norm makes).
Skipping them also spares start-up: torch's Python decompositions import torch._dynamo and
sympy on first use. Anything else (another dtype, another layout, an
argument of another kind, a shape torch would refuse) returns None and torch's own kernel
runs. tests/test_module_speed.py compares every rule with torch's kernel (the empty rule:
tests/test_meta_rules.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch

_FLOATS = (torch.float32, torch.float64)
_NUMBER = (int, float)
META = torch.device("meta")  # one device object: a "meta" string is parsed on each call
_STRIDES: dict[tuple[int, ...], tuple[int, ...]] = {}  # shape -> torch.empty's strides
MAX_STRIDES = 20_000  # shapes kept; all are dropped when there are more


def _row_major(shape: Any) -> tuple[int, ...]:
    """The strides torch.empty gives a shape (kept for the process: a rule asks for the
    same few shapes on every call, and each first call of an op is what it saves)."""
    shape = tuple(shape)
    found = _STRIDES.get(shape)
    if found is None:
        strides = []
        step = 1
        for d in reversed(shape):
            strides.append(step)
            step *= max(int(d), 1)
        if len(_STRIDES) >= MAX_STRIDES:
            _STRIDES.clear()
        found = _STRIDES[shape] = tuple(reversed(strides))
    return found


def _plain(x: Any) -> bool:
    """An ordinary float32 or float64 meta tensor with torch.empty's strides (contiguous,
    down to its dimensions of size 1)."""
    return (type(x) is torch.Tensor and x.is_meta and x.dtype in _FLOATS
            and x.layout is torch.strided and not x.is_conj() and not x.is_neg()
            and x.storage_offset() == 0 and x.stride() == _row_major(x.shape))


def _numbers(values: Any) -> bool:
    return all(type(v) in _NUMBER for v in values)


def _empty(shape: Any, dtype: torch.dtype) -> torch.Tensor:
    """torch.empty(shape, dtype=dtype, device="meta"), without its device-string parse."""
    return torch.empty_strided(shape, _row_major(shape), dtype=dtype, device=META)


def _like(x: torch.Tensor) -> torch.Tensor:
    return _empty(x.shape, x.dtype)


def _unary(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """relu(x), tanh(x), leaky_relu(x, slope), elu(x, alpha, scale, input_scale), ..."""
    if kwargs or not args or not _plain(args[0]) or not _numbers(args[1:]):
        return None
    return _like(args[0])


def _hardtanh(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    if kwargs or len(args) != 3 or not _numbers(args[1:]) or args[1] > args[2]:
        return None
    return _unary(args[:1], {})


def _gelu(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    if len(args) != 1 or set(kwargs) - {"approximate"} or \
            kwargs.get("approximate", "none") not in ("none", "tanh"):
        return None
    return _unary(args, {})


def _add(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """a + alpha·b of two tensors of one shape and dtype."""
    if len(args) != 2 or set(kwargs) - {"alpha"} or not _numbers(kwargs.values()):
        return None
    a, b = args
    if not (_plain(a) and _plain(b)) or a.shape != b.shape or a.dtype != b.dtype:
        return None
    return _like(a)


def _addmm(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """bias + a @ b: an (n, m) matrix; a and b may be transposed (nn.Linear's weight is)."""
    if len(args) != 3 or set(kwargs) - {"beta", "alpha"} or not _numbers(kwargs.values()):
        return None
    bias, a, b = args
    if not _plain(bias) or any(type(t) is not torch.Tensor or t.device.type != "meta" or
                               t.dtype != bias.dtype or t.layout is not torch.strided or
                               t.is_conj() or t.is_neg() or t.dim() != 2 for t in (a, b)):
        return None
    n, k = a.shape
    if b.shape[0] != k or tuple(bias.shape) not in ((b.shape[1],), (n, b.shape[1])):
        return None
    return _empty((n, b.shape[1]), bias.dtype)


def _batch_norm(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """native_batch_norm in eval mode: the output, and two per-channel statistics."""
    if kwargs or len(args) != 8 or args[5] is not False or not _numbers(args[6:]):
        return None
    x, weight, bias, mean, var = args[:5]
    if not _plain(x) or x.dim() < 2:
        return None
    channels = (x.shape[1],)
    if mean is None or var is None:
        return None
    for t in (weight, bias, mean, var):
        if t is None:
            continue
        if not _plain(t) or t.dtype != x.dtype or tuple(t.shape) != channels:
            return None
    return (_like(x), _empty(channels, x.dtype),
            _empty(channels, x.dtype))


def _dim(d: Any, rank: int) -> int | None:
    """A dimension index in range, made non-negative, or None."""
    if type(d) is not int or not -rank <= d < rank:
        return None
    return d % rank


def _mean(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """mean(x, dims, keepdim): global average pooling's op."""
    if set(kwargs) - {"dtype"} or kwargs.get("dtype") is not None or not 2 <= len(args) <= 3:
        return None
    x, dims = args[0], args[1]
    keep = args[2] if len(args) == 3 else False
    if not _plain(x) or x.dim() == 0 or type(keep) is not bool or \
            not isinstance(dims, (list, tuple)) or not dims:
        return None
    at = {_dim(d, x.dim()) for d in dims}
    if None in at or len(at) != len(dims):
        return None
    shape = [1 if i in at else n for i, n in enumerate(x.shape) if keep or i not in at]
    return _empty(shape, x.dtype)


def _cat(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """cat(tensors, dim) of tensors that differ only along dim."""
    if kwargs or not 1 <= len(args) <= 2 or not isinstance(args[0], (list, tuple)) or \
            not args[0]:
        return None
    tensors = args[0]
    first = tensors[0]
    if not all(_plain(t) and t.dtype == first.dtype and t.dim() == first.dim() and
               t.numel() for t in tensors) or first.dim() == 0:
        return None
    dim = _dim(args[1] if len(args) == 2 else 0, first.dim())
    if dim is None:
        return None
    shape = list(first.shape)
    if any(list(t.shape[:dim]) != shape[:dim] or list(t.shape[dim + 1:]) != shape[dim + 1:]
           for t in tensors):
        return None
    shape[dim] = sum(int(t.shape[dim]) for t in tensors)
    return _empty(shape, first.dtype)


def _pairs(*values: Any) -> bool:
    """Each value a list or tuple of two ints (bools and other numbers excluded)."""
    for v in values:
        if not isinstance(v, (list, tuple)) or len(v) != 2:
            return False
        a, b = v
        if type(a) is not int or type(b) is not int:
            return False
    return True


def _conv(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """convolution(x, w, bias, stride, padding, dilation, transposed, output_padding,
    groups) of a 2-D, not transposed convolution: (N, O, H_out, W_out)."""
    if kwargs or len(args) != 9:
        return None
    x, w, bias, stride, padding, dilation, transposed, output_padding, groups = args
    if transposed is not False or type(groups) is not int or groups < 1 or \
            not _pairs(stride, padding, dilation, output_padding):
        return None
    if not (_plain(x) and _plain(w)) or x.dim() != 4 or w.dim() != 4 or \
            w.dtype != x.dtype or not x.numel() or not w.numel():
        return None
    n, c, h, wd = x.shape
    o, per_group, kh, kw = w.shape
    if c != per_group * groups or o % groups or min(*stride, *dilation) < 1 or \
            min(padding) < 0:
        return None
    if bias is not None and (not _plain(bias) or bias.dtype != x.dtype or
                             tuple(bias.shape) != (o,)):
        return None
    out = [(size + 2 * p - d * (k - 1) - 1) // st + 1 for size, p, d, k, st in
           zip((h, wd), padding, dilation, (kh, kw), stride)]
    if min(out) < 1:
        return None  # torch refuses it: let its kernel say so
    return _empty((n, o, *out), x.dtype)


def _two(v: Any, empty: Any = None) -> list[int] | None:
    """A pooling argument as two ints: [k] means [k, k]; [] (stride) means `empty`."""
    if isinstance(v, (list, tuple)) and not v and empty is not None:
        return _two(empty)
    if type(v) is int:
        v = [v]
    if not isinstance(v, (list, tuple)) or len(v) not in (1, 2) or \
            not all(type(x) is int for x in v):
        return None
    return [v[0], v[-1]]


def _pool(x: Any, kernel: Any, stride: Any, padding: Any, dilation: Any,
          ceil: Any) -> list[int] | None:
    """(N, C, H_out, W_out) of a 2-D pooling of a plain 4-D input, or None."""
    k, st, p, d = _two(kernel), _two(stride, kernel), _two(padding), _two(dilation)
    if not _plain(x) or x.dim() != 4 or not x.numel() or k is None or st is None or \
            p is None or d is None or type(ceil) is not bool:
        return None
    out = []
    for size, kk, ss, pp, dd in zip(x.shape[2:], k, st, p, d):
        if kk < 1 or ss < 1 or dd < 1 or pp < 0 or 2 * pp > kk:
            return None
        span = size + 2 * pp - dd * (kk - 1) - 1
        n = (span + (ss - 1 if ceil else 0)) // ss + 1
        if ceil and (n - 1) * ss >= size + pp:
            n -= 1  # the last window must start inside the input or its left padding
        if n < 1:
            return None
        out.append(n)
    return [*x.shape[:2], *out]


def _max_pool(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """max_pool2d_with_indices(x, kernel, stride, padding, dilation, ceil_mode): the
    output and its int64 indices."""
    if kwargs or not 2 <= len(args) <= 6:
        return None
    defaults: tuple[Any, ...] = ([], 0, 1, False)
    x, kernel, stride, padding, dilation, ceil = (*args, *defaults[len(args) - 2:])
    shape = _pool(x, kernel, stride, padding, dilation, ceil)
    if shape is None:
        return None
    return (_empty(shape, x.dtype),
            _empty(shape, torch.int64))


def _avg_pool(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """avg_pool2d(x, kernel, stride, padding, ceil_mode, count_include_pad, divisor)."""
    if kwargs or not 2 <= len(args) <= 7:
        return None
    defaults: tuple[Any, ...] = ([], 0, False, True, None)
    x, kernel, stride, padding, ceil, include, divisor = (*args, *defaults[len(args) - 2:])
    if type(include) is not bool or (divisor is not None and
                                     (type(divisor) is not int or divisor == 0)):
        return None
    shape = _pool(x, kernel, stride, padding, 1, ceil)
    return None if shape is None else _empty(shape, x.dtype)


_EMPTY_KEYWORDS = {"dtype", "layout", "device", "pin_memory", "memory_format"}


def _new_empty(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """empty(size, dtype=, layout=, device=meta, ...): the scratch tensor batch norm makes."""
    if len(args) != 1 or set(kwargs) - _EMPTY_KEYWORDS or kwargs.get("device") != META or \
            kwargs.get("layout") not in (None, torch.strided) or kwargs.get("pin_memory") or \
            kwargs.get("memory_format") not in (None, torch.contiguous_format):
        return None
    size, dtype = args[0], kwargs.get("dtype")
    if not isinstance(size, (list, tuple)) or not all(type(d) is int and d >= 0
                                                      for d in size):
        return None
    if dtype is None:
        dtype = torch.get_default_dtype()
    elif type(dtype) is not torch.dtype:
        return None
    return _empty(size, dtype)


aten = torch.ops.aten
RULES: dict[Any, Callable[[tuple[Any, ...], dict[str, Any]], Any]] = {
    **{op: _unary for op in (aten.relu.default, aten.tanh.default, aten.sigmoid.default,
                             aten.silu.default, aten.hardswish.default,
                             aten.hardsigmoid.default, aten.leaky_relu.default,
                             aten.elu.default)},
    aten.hardtanh.default: _hardtanh,
    aten.gelu.default: _gelu,
    aten.add.Tensor: _add,
    aten.addmm.default: _addmm,
    aten.native_batch_norm.default: _batch_norm,
    aten.mean.dim: _mean,
    aten.convolution.default: _conv,
    aten.max_pool2d_with_indices.default: _max_pool,
    aten.avg_pool2d.default: _avg_pool,
    aten.cat.default: _cat,
    aten.empty.memory_format: _new_empty,
}


def fast(func: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """The op's meta result where a rule knows it, else None (run torch's kernel)."""
    rule = RULES.get(func)
    return None if rule is None else rule(args, kwargs)
