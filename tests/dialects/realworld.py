"""Real model files (tests/fixtures/realworld) and the model files of the dialect suites,
as whole files, for tests that edit them statement by statement."""

from __future__ import annotations

import ast
import copy
from collections.abc import Iterator
from pathlib import Path

import pytest

from .keras_models import HEADER
from .keras_models import MODELS as KERAS_MODELS
from .torch_models import MODELS as TORCH_MODELS
from .torch_models import SEQ

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "realworld"
"""Real model files are other people's code and are not in the repository:
tests/fixtures/realworld/SOURCES.md names each by its source and SHA-256. A test whose file
is absent is skipped, naming it."""


def have(name: str) -> bool:
    return (FIXTURES / name).is_file()


def fixture(name: str) -> str:
    if not have(name):
        pytest.skip(f"real model file {name} is not here (tests/fixtures/realworld/SOURCES.md "
                    "names its source)")
    return (FIXTURES / name).read_text(encoding="utf-8")


def unroll(code: str) -> str:
    """The code with each module-level `for NAME in [literals]:` loop written out, NAME
    replaced by each value: what the loop builds, for a reader that reads no loop."""
    out: list[ast.stmt] = []
    for s in ast.parse(code).body:
        if not isinstance(s, ast.For):
            out.append(s)
            continue
        assert isinstance(s.target, ast.Name)
        for value in ast.literal_eval(s.iter):
            for stmt in s.body:
                out.append(_Substitute(s.target.id, value).visit(copy.deepcopy(stmt)))
    return ast.unparse(ast.fix_missing_locations(ast.Module(out, [])))


class _Substitute(ast.NodeTransformer):
    def __init__(self, name: str, value: object) -> None:
        self.name, self.value = name, value

    def visit_Name(self, node: ast.Name) -> ast.expr:
        return ast.Constant(self.value) if node.id == self.name else node


# dlwp2_residual_blocks.py with residual_block(x, filters, pooling) written out for its three
# calls. The helper's `elif filters != residual.shape[-1]` is decided by hand: the third
# block (filters=128, pooling=False) gets 64 channels, so it takes the 1x1 projection.
RESIDUAL_BLOCKS_INLINED = """
from tensorflow import keras
from tensorflow.keras import layers

inputs = keras.Input(shape=(32, 32, 3))
x = layers.Rescaling(1./255)(inputs)
""" + "".join(f"""
residual = x
x = layers.Conv2D({f}, 3, activation="relu", padding="same")(x)
x = layers.Conv2D({f}, 3, activation="relu", padding="same")(x)
{pool}
residual = layers.Conv2D({f}, 1{stride})(residual)
x = layers.add([x, residual])
""" for f, pool, stride in ((32, 'x = layers.MaxPooling2D(2, padding="same")(x)', ", strides=2"),
                            (64, 'x = layers.MaxPooling2D(2, padding="same")(x)', ", strides=2"),
                            (128, "", ""))) + """
x = layers.GlobalAveragePooling2D()(x)
outputs = layers.Dense(1, activation="sigmoid")(x)
model = keras.Model(inputs=inputs, outputs=outputs)
model.summary()
"""


def model_files() -> Iterator[tuple[str, str, str | None]]:
    """(id, whole file, --model) for every model file the dialect suites read exactly."""
    for name, code, _ in TORCH_MODELS:
        yield f"torch-{name}", SEQ + code, None
    for name, code, _ in KERAS_MODELS:
        yield f"keras-{name}", HEADER + code, None
    yield "dlwp2-residual-blocks-inlined", RESIDUAL_BLOCKS_INLINED, None
    if have("dlwp3_mini_xception.py"):
        yield "dlwp3-mini-xception-unrolled", unroll(fixture("dlwp3_mini_xception.py")), None
        yield "dlwp3-mini-xception", fixture("dlwp3_mini_xception.py"), None
    if have("dlwp2_residual_blocks.py"):
        yield "dlwp2-residual-blocks", fixture("dlwp2_residual_blocks.py"), None


def bodies(tree: ast.AST) -> Iterator[tuple[ast.AST, list[ast.stmt]]]:
    """Every list of statements in the tree (module, classes, functions, blocks), with the
    node whose body it is."""
    for node in ast.walk(tree):
        for field in ("body", "orelse", "finalbody"):
            value = getattr(node, field, None)
            if isinstance(value, list) and value and isinstance(value[0], ast.stmt):
                yield node, value


def insertions(code: str, make: str) -> Iterator[tuple[str, int, str]]:
    """The code with the statement `make` inserted at each position of each body, one
    position at a time: (new code, the inserted statement's line, the name of the
    top-level class or function it went into, '' at module level)."""
    count = sum(len(b) + 1 for _, b in bodies(ast.parse(code)))
    for k in range(count):
        edited = ast.parse(code)
        i = 0
        top = ""
        for owner, body in bodies(edited):
            if k < i + len(body) + 1:
                body.insert(k - i, ast.parse(make).body[0])
                if owner is not edited:
                    top = next(getattr(t, "name", "") for t in edited.body
                               if any(n is owner for n in ast.walk(t)))
                break
            i += len(body) + 1
        new = ast.unparse(edited)
        line = next(n for n, text in enumerate(new.splitlines(), 1) if make in text)
        yield new, line, top
