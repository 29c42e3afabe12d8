"""Optimizers for the trainer: torch.optim's own update rules and state format, minus dynamo.

Constructing a torch.optim.Optimizer subclass in torch 2.13 imports torch._dynamo (seconds
of start-up, measured in bench/). torch's functional API (`torch.optim.adamw.adamw` and the
like) runs the very same kernels without that import, so this class keeps the parameter
groups and per-parameter state exactly as torch.optim does and calls those functions.
`state_dict()` is torch.optim's format: `torch.optim.AdamW(params).load_state_dict(...)`
accepts it, and this class accepts one saved by torch.optim.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import torch
from torch.optim.adadelta import adadelta
from torch.optim.adam import adam
from torch.optim.sgd import sgd

NAMES = ("sgd", "sgd-momentum", "adam", "adamw", "adadelta")

# The parameter-group entries torch.optim.<Class>(params, lr=..., weight_decay=...) stores,
# in its order (tests compare them with the real classes).
_GROUPS: dict[str, tuple[str, dict[str, Any]]] = {
    "sgd": ("SGD", dict(momentum=0, dampening=0, weight_decay=0, nesterov=False,
                        maximize=False, foreach=None, differentiable=False, fused=None)),
    "sgd-momentum": ("SGD", dict(momentum=0.9, dampening=0, weight_decay=0, nesterov=True,
                                 maximize=False, foreach=None, differentiable=False,
                                 fused=None)),
    "adam": ("Adam", dict(betas=(0.9, 0.999), eps=1e-08, weight_decay=0, amsgrad=False,
                          maximize=False, foreach=None, capturable=False,
                          differentiable=False, fused=None, decoupled_weight_decay=False)),
    "adamw": ("AdamW", dict(betas=(0.9, 0.999), eps=1e-08, weight_decay=0.01, amsgrad=False,
                            maximize=False, foreach=None, capturable=False,
                            differentiable=False, fused=None, decoupled_weight_decay=True)),
    "adadelta": ("Adadelta", dict(rho=0.9, eps=1e-06, weight_decay=0, maximize=False,
                                  capturable=False, foreach=None, differentiable=False)),
}


def torch_class(name: str) -> str:
    """The torch.optim class whose update rule and state format `name` uses."""
    return _GROUPS[name][0]


def torch_kwargs(name: str, lr: float, weight_decay: float) -> dict[str, Any]:
    """Keyword arguments that make torch.optim.<torch_class(name)> the same optimizer."""
    group = _GROUPS[name][1]
    keys = ("momentum", "nesterov", "betas", "eps", "rho")
    return {"lr": lr, "weight_decay": weight_decay, **{k: group[k] for k in keys if k in group}}


class Optimizer:
    """One parameter group, torch.optim's state layout; the schedule sets lr (and momentum)."""

    def __init__(self, name: str, params: Iterable[torch.nn.Parameter], lr: float,
                 weight_decay: float) -> None:
        if name not in _GROUPS:
            raise ValueError(name)
        self.name = name
        self.params = [p for p in params if p.requires_grad]
        self.param_groups: list[dict[str, Any]] = [
            {"lr": lr, **_GROUPS[name][1], "weight_decay": weight_decay,
             "params": self.params}]
        self.state: dict[torch.Tensor, dict[str, Any]] = {}

    @property
    def group(self) -> dict[str, Any]:
        return self.param_groups[0]

    def zero_grad(self, set_to_none: bool = True) -> None:
        for p in self.params:
            p.grad = None

    def _state(self, p: torch.Tensor, keys: tuple[str, ...]) -> dict[str, Any]:
        st = self.state.get(p)
        if st is None:
            st = {k: torch.zeros_like(p, memory_format=torch.preserve_format) for k in keys}
            if "step" in keys:  # torch keeps the step as a float32 scalar tensor on the CPU
                st["step"] = torch.tensor(0.0, dtype=torch.float32)
            self.state[p] = st
        return st

    @torch.no_grad()
    def step(self) -> None:
        g = self.group
        live = [p for p in self.params if p.grad is not None]
        grads = [p.grad for p in live]
        if self.name.startswith("adam"):
            states = [self._state(p, ("step", "exp_avg", "exp_avg_sq")) for p in live]
            adam(live, grads, [s["exp_avg"] for s in states],  # type: ignore[arg-type]
                 [s["exp_avg_sq"] for s in states], [], [s["step"] for s in states],
                 foreach=g["foreach"], decoupled_weight_decay=g["decoupled_weight_decay"],
                 amsgrad=False, beta1=g["betas"][0], beta2=g["betas"][1], lr=g["lr"],
                 weight_decay=g["weight_decay"], eps=g["eps"], maximize=False)
        elif self.name == "adadelta":
            states = [self._state(p, ("step", "square_avg", "acc_delta")) for p in live]
            adadelta(live, grads, [s["square_avg"] for s in states],  # type: ignore[arg-type]
                     [s["acc_delta"] for s in states], [s["step"] for s in states],
                     foreach=g["foreach"], lr=g["lr"], rho=g["rho"], eps=g["eps"],
                     weight_decay=g["weight_decay"], maximize=False)
        else:
            buffers: list[torch.Tensor | None] = [
                self.state.get(p, {}).get("momentum_buffer") for p in live]
            sgd(live, grads, buffers, foreach=g["foreach"],  # type: ignore[arg-type]
                weight_decay=g["weight_decay"], momentum=g["momentum"], lr=g["lr"],
                dampening=g["dampening"], nesterov=g["nesterov"], maximize=False)
            if g["momentum"] != 0:
                for p, buf in zip(live, buffers):
                    self.state[p] = {"momentum_buffer": buf}

    def state_dict(self) -> dict[str, Any]:
        """torch.optim.Optimizer.state_dict()'s format: state by parameter index."""
        index: dict[torch.Tensor, int] = {p: i for i, p in enumerate(self.params)}
        group = {k: v for k, v in self.group.items() if k != "params"}
        return {"state": {index[p]: dict(s) for p, s in self.state.items()},
                "param_groups": [{**group, "params": list(range(len(self.params)))}]}

    def load_state_dict(self, data: dict[str, Any]) -> None:
        """Load a state_dict() of this class or of the matching torch.optim class."""
        groups = data["param_groups"]
        if not isinstance(groups, list) or len(groups) != 1:
            raise ValueError("optimizer state has more than one parameter group")
        saved = groups[0]
        if list(saved["params"]) != list(range(len(self.params))):
            raise ValueError(f"optimizer state covers {len(saved['params'])} parameters, "
                             f"this model has {len(self.params)}")
        missing = [k for k in self.group if k != "params" and k not in saved]
        if missing:
            raise ValueError(f"optimizer state lacks {', '.join(missing)} (another optimizer?)")
        state: dict[torch.Tensor, dict[str, Any]] = {}
        for key, values in dict(data["state"]).items():
            p = self.params[int(key)]
            entry = {}
            for k, v in dict(values).items():
                if isinstance(v, torch.Tensor) and k != "step":
                    if v.shape != p.shape:
                        raise ValueError(f"optimizer state '{k}' of parameter {key} has shape "
                                         f"{tuple(v.shape)}, the parameter {tuple(p.shape)}")
                    v = v.to(device=p.device, dtype=p.dtype)
                elif isinstance(v, torch.Tensor):
                    v = v.to(dtype=torch.float32, device="cpu").clone()
                entry[k] = v
            state[p] = entry
        self.state = state
        self.group.update({k: v for k, v in saved.items() if k in self.group and k != "params"})


def make(name: str, params: Iterable[torch.nn.Parameter], lr: float,
         weight_decay: float) -> Optimizer:
    return Optimizer(name, params, lr, weight_decay)
