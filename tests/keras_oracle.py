"""Test oracle: the model real Keras 3 builds from the same code, where the tests run it."""

from __future__ import annotations

import os
from typing import Any

import pytest


def real_keras(code: str, var: str = "model") -> Any:
    """The Keras model `code` binds to `var`, built by real Keras on the torch backend
    (KERAS_BACKEND=torch, as `make test` runs); None where the tests run without it, so that
    the hand-derived figures stand alone. Skips the test when Keras cannot be imported."""
    if os.environ.get("KERAS_BACKEND") != "torch":
        return None
    pytest.importorskip("keras")
    namespace: dict[str, Any] = {}
    exec(code, namespace)  # the oracle side builds the real Keras model
    return namespace[var]
