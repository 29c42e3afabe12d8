"""Optimizers for the trainer: the torch.optim update rules, without its start-up cost.

torch.optim's step imports torch._dynamo on first use, two seconds of a fifteen-second MNIST
run on a laptop CPU. These classes apply the same update rules (the test suite compares
them step by step with torch.optim) and keep a plain-tensor state for checkpoints.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import torch

NAMES = ("sgd", "sgd-momentum", "adam", "adamw", "adadelta")


class Optimizer:
    """One parameter group; `param_groups[0]["lr"]` is set by the schedule every step."""

    buffers: tuple[str, ...] = ()

    def __init__(self, params: Iterable[torch.nn.Parameter], lr: float,
                 weight_decay: float = 0.0) -> None:
        self.params = [p for p in params if p.requires_grad]
        self.param_groups: list[dict[str, Any]] = [{"lr": lr}]
        self.weight_decay = weight_decay
        self.steps = 0
        self.state: dict[str, list[torch.Tensor]] = {
            name: [torch.zeros_like(p, memory_format=torch.preserve_format)
                   for p in self.params] for name in self.buffers}

    @property
    def lr(self) -> float:
        return float(self.param_groups[0]["lr"])

    def zero_grad(self, set_to_none: bool = True) -> None:
        for p in self.params:
            p.grad = None

    def step(self) -> None:
        self.steps += 1
        with torch.no_grad():
            for i, p in enumerate(self.params):
                if p.grad is not None:
                    self.update(i, p, p.grad)

    def update(self, i: int, p: torch.Tensor, grad: torch.Tensor) -> None:
        raise NotImplementedError  # pragma: no cover - every subclass defines it

    def state_dict(self) -> dict[str, Any]:
        return {"steps": self.steps, "lr": self.lr, "state": {k: list(v) for k, v in
                                                               self.state.items()}}

    def load_state_dict(self, data: dict[str, Any]) -> None:
        self.steps = int(data["steps"])
        self.param_groups[0]["lr"] = float(data["lr"])
        for name, tensors in data["state"].items():
            if name not in self.state or len(tensors) != len(self.params):
                raise ValueError(f"optimizer state '{name}' does not fit this model")
            for mine, saved in zip(self.state[name], tensors):
                mine.copy_(saved)


class SGD(Optimizer):
    """torch.optim.SGD with momentum 0 or 0.9 (Nesterov), dampening 0."""

    def __init__(self, params: Iterable[torch.nn.Parameter], lr: float,
                 weight_decay: float = 0.0, momentum: float = 0.0,
                 nesterov: bool = False) -> None:
        self.buffers = ("momentum",) if momentum else ()
        super().__init__(params, lr, weight_decay)
        self.momentum = momentum
        self.nesterov = nesterov

    def update(self, i: int, p: torch.Tensor, grad: torch.Tensor) -> None:
        g = grad.add(p, alpha=self.weight_decay) if self.weight_decay else grad
        if self.momentum:
            buf = self.state["momentum"][i]
            if self.steps == 1:
                buf.copy_(g)
            else:
                buf.mul_(self.momentum).add_(g)
            g = g.add(buf, alpha=self.momentum) if self.nesterov else buf
        p.add_(g, alpha=-self.lr)


class Adam(Optimizer):
    """torch.optim.Adam (decoupled=False) and AdamW (decoupled=True), betas (0.9, 0.999)."""

    buffers = ("exp_avg", "exp_avg_sq")

    def __init__(self, params: Iterable[torch.nn.Parameter], lr: float,
                 weight_decay: float = 0.0, decoupled: bool = False,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8) -> None:
        super().__init__(params, lr, weight_decay)
        self.decoupled = decoupled
        self.betas = betas
        self.eps = eps

    def update(self, i: int, p: torch.Tensor, grad: torch.Tensor) -> None:
        b1, b2 = self.betas
        if self.weight_decay:
            if self.decoupled:
                p.mul_(1 - self.lr * self.weight_decay)
            else:
                grad = grad.add(p, alpha=self.weight_decay)
        m, v = self.state["exp_avg"][i], self.state["exp_avg_sq"][i]
        m.lerp_(grad, 1 - b1)
        v.mul_(b2).addcmul_(grad, grad, value=1 - b2)
        bias1 = 1 - b1 ** self.steps
        bias2 = 1 - b2 ** self.steps
        denom = (v.sqrt() / math.sqrt(bias2)).add_(self.eps)
        p.addcdiv_(m, denom, value=-self.lr / bias1)


class Adadelta(Optimizer):
    """torch.optim.Adadelta, rho 0.9, eps 1e-6."""

    buffers = ("square_avg", "acc_delta")

    def __init__(self, params: Iterable[torch.nn.Parameter], lr: float,
                 weight_decay: float = 0.0, rho: float = 0.9, eps: float = 1e-6) -> None:
        super().__init__(params, lr, weight_decay)
        self.rho = rho
        self.eps = eps

    def update(self, i: int, p: torch.Tensor, grad: torch.Tensor) -> None:
        g = grad.add(p, alpha=self.weight_decay) if self.weight_decay else grad
        sq, acc = self.state["square_avg"][i], self.state["acc_delta"][i]
        sq.mul_(self.rho).addcmul_(g, g, value=1 - self.rho)
        std = sq.add(self.eps).sqrt_()
        delta = acc.add(self.eps).sqrt_().div_(std).mul_(g)
        acc.mul_(self.rho).addcmul_(delta, delta, value=1 - self.rho)
        p.add_(delta, alpha=-self.lr)


def make(name: str, params: Iterable[torch.nn.Parameter], lr: float,
         weight_decay: float) -> Optimizer:
    if name == "sgd":
        return SGD(params, lr, weight_decay)
    if name == "sgd-momentum":
        return SGD(params, lr, weight_decay, momentum=0.9, nesterov=True)
    if name == "adam":
        return Adam(params, lr, weight_decay)
    if name == "adamw":
        return Adam(params, lr, weight_decay, decoupled=True)
    if name == "adadelta":
        return Adadelta(params, lr, weight_decay)
    raise ValueError(name)
