"""SIGKILL at random moments, mid-save included: checkpoints stay loadable, resume is exact."""

from __future__ import annotations

from pathlib import Path

import pytest

from .killharness import run_chain


@pytest.mark.slow
def test_sigkill_chain(tmp_path: Path) -> None:
    stats = run_chain(tmp_path, kills=8, seed=7)
    assert stats.problems == []
    assert stats.kills == 8
