"""cnncalc's optimizers against torch.optim: the same parameters after every step."""

from __future__ import annotations

import subprocess
import sys

import pytest
import torch
from torch import nn

from cnncalc.train import optim

CASES = {
    "sgd": lambda p: torch.optim.SGD(p, lr=0.05, weight_decay=1e-3),
    "sgd-momentum": lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True,
                                              weight_decay=1e-3),
    "adam": lambda p: torch.optim.Adam(p, lr=0.01, weight_decay=1e-3),
    "adamw": lambda p: torch.optim.AdamW(p, lr=0.01, weight_decay=1e-3),
    "adadelta": lambda p: torch.optim.Adadelta(p, lr=1.0, weight_decay=1e-3),
}
LR = {"sgd": 0.05, "sgd-momentum": 0.05, "adam": 0.01, "adamw": 0.01, "adadelta": 1.0}


def model(seed: int) -> nn.Module:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.Flatten(), nn.Linear(64, 3))


@pytest.mark.parametrize("name", optim.NAMES)
def test_matches_torch_optim(name: str) -> None:
    ours, ref = model(0), model(0)
    opt = optim.make(name, ours.parameters(), LR[name], 1e-3)
    ref_opt = CASES[name](ref.parameters())
    x = torch.randn(8, 1, 6, 6, generator=torch.Generator().manual_seed(1))
    y = torch.randint(0, 3, (8,), generator=torch.Generator().manual_seed(2))
    for step in range(25):
        for m, o in ((ours, opt), (ref, ref_opt)):
            o.zero_grad()
            nn.functional.cross_entropy(m(x * (1 + step % 3)), y).backward()
            o.step()
        for a, b in zip(ours.parameters(), ref.parameters()):
            torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6)


def test_state_round_trip_continues_identically() -> None:
    a, b = model(0), model(0)
    x, y = torch.randn(8, 1, 6, 6), torch.randint(0, 3, (8,))
    oa = optim.make("adamw", a.parameters(), 0.01, 1e-3)
    for _ in range(3):
        oa.zero_grad()
        nn.functional.cross_entropy(a(x), y).backward()
        oa.step()
    b.load_state_dict(a.state_dict())
    ob = optim.make("adamw", b.parameters(), 0.01, 1e-3)
    ob.load_state_dict(oa.state_dict())
    for m, o in ((a, oa), (b, ob)):
        o.zero_grad()
        nn.functional.cross_entropy(m(x), y).backward()
        o.step()
    for p, q in zip(a.parameters(), b.parameters()):
        assert torch.equal(p, q)
    with pytest.raises(ValueError, match="does not fit"):
        optim.make("adamw", nn.Linear(2, 2).parameters(), 0.1, 0).load_state_dict(
            oa.state_dict())


def test_training_step_never_imports_dynamo() -> None:
    code = ("import sys, torch\nfrom cnncalc.train import optim\n"
            "m = torch.nn.Linear(3, 3)\no = optim.make('adamw', m.parameters(), 0.1, 0.01)\n"
            "m(torch.zeros(1, 3)).sum().backward()\no.step()\n"
            "assert 'torch._dynamo' not in sys.modules")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
