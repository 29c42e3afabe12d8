"""Schedules against torch.optim.lr_scheduler, step for step (lr and cycled momentum)."""

from __future__ import annotations

import math

import pytest
import torch

from cnncalc.train import schedule


def torch_run(make_sched, opt: torch.optim.Optimizer, steps: int  # type: ignore[no-untyped-def]
              ) -> list[tuple[float, float | None]]:
    sched = make_sched(opt)
    out = []
    for _ in range(steps):
        g = opt.param_groups[0]
        out.append((g["lr"], g["betas"][0] if "betas" in g else g.get("momentum")))
        opt.step()
        sched.step()
    return out


@pytest.mark.parametrize("total", [1, 2, 3, 7, 10, 235])
@pytest.mark.parametrize("opt_name", ["adamw", "sgd-momentum"])
def test_onecycle_matches_torch_defaults(total: int, opt_name: str) -> None:
    p = [torch.nn.Parameter(torch.zeros(2))]
    opt = (torch.optim.AdamW(p, lr=0.01) if opt_name == "adamw"
           else torch.optim.SGD(p, lr=0.01, momentum=0.9, nesterov=True))
    ref = torch_run(lambda o: torch.optim.lr_scheduler.OneCycleLR(o, max_lr=0.01,
                                                                  total_steps=total),
                    opt, total)
    for step, (lr, momentum) in enumerate(ref):
        assert schedule.lr_at("onecycle", 0.01, step, total, 5) == lr
        assert schedule.momentum_at("onecycle", step, total) == momentum


def test_onecycle_shape_by_hand() -> None:
    # 100 steps, pct_start 0.3: warm-up ends at step 29 with the peak; starts at lr/25 and
    # ends at lr/25/1e4; momentum runs the other way, 0.95 -> 0.85 -> 0.95.
    assert schedule.lr_at("onecycle", 1.0, 0, 100, 10) == pytest.approx(0.04)
    assert schedule.lr_at("onecycle", 1.0, 29, 100, 10) == pytest.approx(1.0)
    assert schedule.lr_at("onecycle", 1.0, 99, 100, 10) == pytest.approx(4e-6)
    assert schedule.momentum_at("onecycle", 29, 100) == pytest.approx(0.85)
    assert schedule.momentum_at("onecycle", 99, 100) == pytest.approx(0.95)
    assert schedule.momentum_at("cosine", 5, 100) is None


def test_step_and_cosine_match_torch() -> None:
    p = [torch.nn.Parameter(torch.zeros(2))]
    spe, total = 7, 30
    step_ref = torch_run(lambda o: torch.optim.lr_scheduler.StepLR(o, spe, gamma=0.7),
                         torch.optim.SGD(p, lr=0.1), total)
    cos_ref = torch_run(lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=total),
                        torch.optim.SGD(p, lr=0.1), total)
    for step in range(total):
        # torch computes both recursively, so the last bits may differ from the closed form.
        assert math.isclose(schedule.lr_at("step", 0.1, step, total, spe), step_ref[step][0],
                            rel_tol=1e-12)
        assert math.isclose(schedule.lr_at("cosine", 0.1, step, total, spe), cos_ref[step][0],
                            rel_tol=1e-9, abs_tol=1e-15)
    assert schedule.lr_at("none", 0.1, 12, total, spe) == 0.1
