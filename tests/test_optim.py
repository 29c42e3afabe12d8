"""cnncalc's optimizers against torch.optim: same parameters every step, same state format."""

from __future__ import annotations

import copy
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest
import torch
from torch import nn

from cnncalc.train import optim

LR = {"sgd": 0.05, "sgd-momentum": 0.05, "adam": 0.01, "adamw": 0.01, "adadelta": 1.0}
# Written out by hand (not derived from optim.py), so a wrong mapping fails here.
CASES: dict[str, Callable[[Any], torch.optim.Optimizer]] = {
    "sgd": lambda p: torch.optim.SGD(p, lr=0.05, weight_decay=1e-3),
    "sgd-momentum": lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True,
                                              weight_decay=1e-3),
    "adam": lambda p: torch.optim.Adam(p, lr=0.01, weight_decay=1e-3),
    "adamw": lambda p: torch.optim.AdamW(p, lr=0.01, weight_decay=1e-3),
    "adadelta": lambda p: torch.optim.Adadelta(p, lr=1.0, weight_decay=1e-3),
}
X = torch.randn(8, 1, 6, 6, generator=torch.Generator().manual_seed(1))
Y = torch.randint(0, 3, (8,), generator=torch.Generator().manual_seed(2))


def model(seed: int) -> nn.Module:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.Flatten(), nn.Linear(64, 3))


def run(m: nn.Module, o: Any, steps: int, start: int = 0) -> None:
    for step in range(start, start + steps):
        o.zero_grad()
        nn.functional.cross_entropy(m(X * (1 + step % 3)), Y).backward()
        o.step()


@pytest.mark.parametrize("name", optim.NAMES)
def test_matches_torch_optim_bit_for_bit(name: str) -> None:
    ours, ref = model(0), model(0)
    opt = optim.make(name, ours.parameters(), LR[name], 1e-3)
    ref_opt = CASES[name](ref.parameters())
    for step in range(25):
        run(ours, opt, 1, step)
        run(ref, ref_opt, 1, step)
        for a, b in zip(ours.parameters(), ref.parameters()):
            assert torch.equal(a, b)  # the very same kernels: no tolerance needed
    assert optim.torch_class(name) == type(ref_opt).__name__


@pytest.mark.parametrize("name", optim.NAMES)
def test_state_dict_is_torch_optims_format(name: str) -> None:
    """Same keys, values and tensors as torch's own state_dict, and loadable both ways."""
    ours, ref = model(0), model(0)
    opt = optim.make(name, ours.parameters(), LR[name], 1e-3)
    ref_opt = CASES[name](ref.parameters())
    run(ours, opt, 4)
    run(ref, ref_opt, 4)
    mine, theirs = opt.state_dict(), ref_opt.state_dict()
    assert mine["param_groups"] == theirs["param_groups"]
    assert mine["state"].keys() == theirs["state"].keys()
    for i in theirs["state"]:
        assert mine["state"][i].keys() == theirs["state"][i].keys()
        for k, v in theirs["state"][i].items():
            assert torch.equal(mine["state"][i][k], v) and mine["state"][i][k].dtype == v.dtype

    # cnncalc's state into torch.optim, torch.optim's into cnncalc: both continue identically.
    a, b, c = model(1), model(1), model(1)
    for m in (a, b, c):
        m.load_state_dict(ours.state_dict())
    torch_from_ours = getattr(torch.optim, optim.torch_class(name))(
        a.parameters(), **optim.torch_kwargs(name, LR[name], 1e-3))
    torch_from_ours.load_state_dict(copy.deepcopy(opt.state_dict()))  # state_dict aliases
    ours_from_torch = optim.make(name, b.parameters(), LR[name], 1e-3)
    ours_from_torch.load_state_dict(copy.deepcopy(ref_opt.state_dict()))
    run(a, torch_from_ours, 3, 4)
    run(b, ours_from_torch, 3, 4)
    run(ours, opt, 3, 4)
    for p, q, r in zip(a.parameters(), b.parameters(), ours.parameters()):
        assert torch.equal(p, r) and torch.equal(q, r)


def test_foreign_state_refused() -> None:
    a = model(0)
    oa = optim.make("adamw", a.parameters(), 0.01, 1e-3)
    run(a, oa, 2)
    with pytest.raises(ValueError, match="covers 4 parameters, this model has 2"):
        optim.make("adamw", nn.Linear(2, 2).parameters(), 0.1, 0).load_state_dict(
            oa.state_dict())
    with pytest.raises(ValueError, match="lacks"):
        optim.make("adadelta", a.parameters(), 0.1, 0).load_state_dict(oa.state_dict())


def test_torch_optim_constructor_imports_dynamo_but_ours_does_not() -> None:
    """Why the functional API: in this torch, the class constructor imports torch._dynamo."""
    check = ("import sys, torch\nm = torch.nn.Linear(3, 3)\n{body}\n"
             "m(torch.zeros(1, 3)).sum().backward()\no.step()\n"
             "print('torch._dynamo' in sys.modules)")
    ours = check.format(body="from cnncalc.train import optim\n"
                             "o = optim.make('adamw', m.parameters(), 0.1, 0.01)")
    theirs = check.format(body="o = torch.optim.AdamW(m.parameters(), lr=0.1)")
    results = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
               for code in (ours, theirs)]
    assert [r.stdout.strip() for r in results] == ["False", "True"], [r.stderr for r in results]
