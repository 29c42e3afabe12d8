"""The oracles of the realworld suite: the real file run by Python, building the model with
torch or real Keras. cnncalc never runs a file; only these tests do."""

from __future__ import annotations

import ast
import os
import sys
import types
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ..dialects.realworld import fixture


def run_statements(name: str, upto: int | None = None, drop: tuple[str, ...] = (),
                   scope: dict[str, Any] | None = None) -> dict[str, Any]:
    """Run the file's top-level statements that start on or before line `upto` (all when
    None), leaving out those whose source holds one of `drop` (data loading, training: what
    needs files or a network). What is left out is named by the test case, never guessed."""
    code = fixture(name)
    tree = ast.parse(code)
    kept = [s for s in tree.body
            if (upto is None or s.lineno <= upto)
            and not any(d in (ast.get_source_segment(code, s) or "") for d in drop)]
    scope = {"__name__": "fixture", **(scope or {})}
    exec(compile(ast.Module(kept, []), name, "exec"), scope)  # the oracle: Python runs it
    return scope


@contextmanager
def tensorflow_is_keras(keras: types.ModuleType) -> Iterator[None]:
    """`from tensorflow import keras` and `from tensorflow.keras import layers` give Keras 3
    itself (on the torch backend), for files written against tf.keras."""
    stubs = {"tensorflow": types.SimpleNamespace(keras=keras), "tensorflow.keras": keras,
             "tensorflow.keras.layers": keras.layers, "tensorflow.keras.models": keras.models}
    saved = {k: sys.modules.get(k) for k in stubs}
    sys.modules.update(stubs)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                sys.modules.pop(k, None)
            else:
                sys.modules[k] = v


def import_keras() -> types.ModuleType | None:
    """Keras 3 on the torch backend, or None where it is not installed."""
    os.environ.setdefault("KERAS_BACKEND", "torch")
    try:
        import keras
    except ImportError:
        return None
    module: types.ModuleType = keras
    return module
