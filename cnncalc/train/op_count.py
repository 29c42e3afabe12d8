"""A torch dispatch mode that hands every aten op a module summary runs to a callback."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from torch.utils._python_dispatch import TorchDispatchMode

Charge = Callable[[Any, tuple[Any, ...], dict[str, Any], Any], None]


class Counter(TorchDispatchMode):  # type: ignore[no-untyped-call]
    """Runs each op, then reports it with its arguments and its result."""

    def __init__(self, charge: Charge) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.charge = charge

    def __torch_dispatch__(self, func: Any, types: Any, args: tuple[Any, ...] = (),
                           kwargs: dict[str, Any] | None = None) -> Any:
        kwargs = kwargs or {}
        out = func(*args, **kwargs)
        self.charge(func, args, kwargs, out)
        return out
