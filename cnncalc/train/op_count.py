"""A torch dispatch mode that hands every aten op a module summary runs to a callback.

On the meta device an op computes nothing but its result's shape, strides and dtype, yet many
of torch's meta kernels are Python decompositions: batch norm takes about 2 ms a call, relu
and hardtanh about 1 ms, most of a ResNet's summary. The result of a functional op (one that
changes and aliases none of its inputs) depends only on its inputs' shapes, strides, dtypes
and its other arguments, so the first call on each such signature runs torch's kernel and
the repeats get a fresh meta tensor of the very same shape, strides and dtype (`Memo`); the
first call of the commonest ops skips torch's kernel too (meta_rules.py).
The default dtype (which a Python scalar's promotion follows) is part of the signature. The
results are kept for the process, up to MAX_RESULTS signatures: torch's kernels are fixed
once it is imported, so a later summary reuses what an earlier one learnt.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import torch
from torch.utils._python_dispatch import TorchDispatchMode

from .meta_rules import META, fast

Charge = Callable[[Any, tuple[Any, ...], dict[str, Any], Any], None]

_PLAIN = (int, float, bool, str, type(None), torch.dtype, torch.device, torch.memory_format,
          torch.layout)
_Layout = tuple[tuple[int, ...], tuple[int, ...], torch.dtype]
MAX_RESULTS = 20_000  # signatures kept; all are dropped when there are more
_FUNCTIONAL: dict[Any, bool] = {}  # op -> whether Memo may stand in for it
_RESULTS: dict[Any, tuple[bool, tuple[_Layout, ...]]] = {}  # signature -> the result's layout


def _key(value: Any) -> Any:
    """What a meta op's result can depend on in one argument, as a hashable value; raises
    TypeError for anything else (a symbolic size, a tensor off the meta device, ...)."""
    kind = type(value)
    if kind is torch.Tensor:  # the common case first: this runs for every argument of every op
        if not value.is_meta or value.layout is not torch.strided or value.is_conj() or \
                value.is_neg():
            raise TypeError
        return (value.shape, value.stride(), value.storage_offset(), value.dtype)
    if kind in _PLAIN:
        return (kind, value)  # 1, 1.0 and True stay apart
    if kind is list or kind is tuple or isinstance(value, (list, tuple)):
        if all(type(v) is int for v in value):  # sizes and strides, the commonest: tagged
            return (kind, int, *value)  # by the type int, which no item's key can be
        return (kind, *[_key(v) for v in value])
    raise TypeError  # a tensor subclass, a symbolic size, ...


def _layouts(out: Any) -> tuple[_Layout, ...] | None:
    """The result's tensors, or None where it is not a fresh meta tensor or a tuple of them."""
    tensors = out if isinstance(out, tuple) else (out,)
    found = []
    for t in tensors:
        if type(t) is not torch.Tensor or t.device.type != "meta" or \
                t.layout is not torch.strided or t.storage_offset() or t.is_conj() or \
                t.is_neg():
            return None
        found.append((tuple(t.shape), t.stride(), t.dtype))
    return tuple(found)


def _functional(func: Any) -> bool:
    """True for an op that writes none of its arguments and returns no view of them."""
    schema = getattr(func, "_schema", None)
    if schema is None or schema.is_mutable:
        return False
    return all(r.alias_info is None for r in schema.returns) and bool(schema.returns)


class Memo:
    """Results of functional meta ops by their arguments' signature (see the module doc)."""

    def run(self, func: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        functional = _FUNCTIONAL.get(func)
        if functional is None:
            functional = _FUNCTIONAL[func] = _functional(func)
        if not functional:
            return func(*args, **kwargs)
        try:
            key = (func, torch.get_default_dtype(), _key(args),
                   _key(tuple(sorted(kwargs.items()))) if kwargs else ())
        except TypeError:
            return func(*args, **kwargs)
        known = _RESULTS.get(key)
        if known is None:
            out = fast(func, args, kwargs)
            if out is None:
                out = func(*args, **kwargs)
                layouts = _layouts(out)
            else:  # a rule's result: fresh row-major meta tensors, as _layouts would find
                layouts = tuple((tuple(t.shape), t.stride(), t.dtype)
                                for t in (out if isinstance(out, tuple) else (out,)))
            if layouts is not None:
                if len(_RESULTS) >= MAX_RESULTS:
                    _RESULTS.clear()
                _RESULTS[key] = (isinstance(out, tuple), layouts)
            return out
        many, layouts = known
        made = tuple(torch.empty_strided(shape, stride, dtype=dtype, device=META)
                     for shape, stride, dtype in layouts)
        return made if many else made[0]


class _Counting(TorchDispatchMode):  # type: ignore[no-untyped-call]
    """Runs each op (through `Memo`), then reports it with its arguments and its result.

    torch wraps a mode's __torch_dispatch__ so that torch.compile never traces it, and that
    wrapper imports torch._dynamo on the first op: a second or more of start-up for a
    `summary --module` that compiles nothing. This class opts out; `counter` keeps torch's
    wrapper (`_Guarded`) for a process that has imported torch._dynamo already, where a model
    may compile.
    """

    def __init__(self, charge: Charge) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.charge = charge
        self.memo = Memo()

    @classmethod
    def _should_skip_dynamo(cls) -> bool:
        return False

    def __torch_dispatch__(self, func: Any, types: Any, args: tuple[Any, ...] = (),
                           kwargs: dict[str, Any] | None = None) -> Any:
        kwargs = kwargs or {}
        out = self.memo.run(func, args, kwargs)
        self.charge(func, args, kwargs, out)
        return out


class _Guarded(_Counting):  # type: ignore[no-untyped-call]
    @classmethod
    def _should_skip_dynamo(cls) -> bool:
        return True

    def __torch_dispatch__(self, func: Any, types: Any, args: tuple[Any, ...] = (),
                           kwargs: dict[str, Any] | None = None) -> Any:
        return super().__torch_dispatch__(func, types, args, kwargs)


def counter(charge: Charge) -> _Counting:
    """The dispatch mode that hands each op to `charge`."""
    return _Guarded(charge) if "torch._dynamo" in sys.modules else _Counting(charge)
