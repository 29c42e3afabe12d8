"""Keras is imported once for the whole session: its import takes seconds."""

from __future__ import annotations

import types

import pytest

from .oracle import import_keras


@pytest.fixture(scope="session")
def keras() -> types.ModuleType:
    module = import_keras()
    if module is None:
        pytest.skip("keras is not installed (pip install -e '.[dev]'); the recorded totals "
                    "still run")
    return module
