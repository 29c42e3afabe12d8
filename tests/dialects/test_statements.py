"""Every statement on the path that builds a model is read, or an error naming its line.

Oracles: Keras' own count for the two real files once read wrong (Deep Learning with
Python's notebooks; 297,697 and 721,857 parameters from model.count_params() in Keras 3.15.1
with the torch backend, the second also printed in the book), and the reader's own reading
of each unedited file, which the dialect suites check against torch and Keras.
"""

from __future__ import annotations

import ast

import pytest

from cnncalc.calc.summary import LayerInfo, summarize
from cnncalc.dialects import script, torch_module
from cnncalc.dialects.read import CodeError, read_model, read_models
from cnncalc.dialects.resolve import Resolved, resolve

from .realworld import RESIDUAL_BLOCKS_INLINED, fixture, insertions, model_files, unroll

UNKNOWN = "frobnicate()"
IMPORT = "from mystery import frobnicate\n"  # a function the reader knows nothing of


def test_every_kind_of_statement_is_dispatched() -> None:
    """No statement kind of this Python falls through the module reader's table."""
    kinds = {c for c in vars(ast).values() if isinstance(c, type) and issubclass(c, ast.stmt)
             and c is not ast.stmt}
    assert kinds <= set(script.STATEMENTS), kinds - set(script.STATEMENTS)


@pytest.mark.parametrize("code", ["class Net(nn.Module):\n    def __init__(self):\n"
                                  "        super().__init__()\n        try:\n"
                                  "            pass\n        finally:\n            pass\n"
                                  "    def forward(self, x):\n        return x\n",
                                  "class Net(nn.Module):\n    def __init__(self):\n"
                                  "        super().__init__()\n        self.c = nn.ReLU()\n"
                                  "    def forward(self, x):\n        with a:\n"
                                  "            pass\n        return self.c(x)\n",
                                  "class Net(nn.Module):\n    import os\n"
                                  "    def forward(self, x):\n        return x\n"])
def test_a_class_reads_no_statement_its_tables_lack(code: str) -> None:
    with pytest.raises(CodeError, match="cannot be read without running the code"):
        read_model(code)
    assert set(torch_module.FORWARD) < set(script.STATEMENTS)


def _rows(r: Resolved) -> list[tuple[str, str, tuple[int, ...], int, int]]:
    """Each row's place, kind, output shape and parameters (not its source text)."""
    def walk(layers: tuple[LayerInfo, ...]) -> list[tuple[str, str, tuple[int, ...], int,
                                                          int]]:
        out = []
        for x in layers:
            out.append((x.path, x.kind, tuple(x.output_shape), x.trainable_params,
                        x.non_trainable_params))
            out += walk(x.children) + walk(x.shortcut)
        return out
    return walk(summarize(r.nodes, r.shape, r.convention).layers)


def test_the_residual_blocks_from_a_helper_read_exactly() -> None:
    """The helper runs at each of its three calls, its `elif filters !=
    residual.shape[-1]` decided from the tensor's shape. Keras counts 297,697; by hand:
    block 1 (3 -> 32): 896 + 9,248 + 1x1 projection 128 = 10,272; block 2 (32 -> 64):
    18,496 + 36,928 + 2,112 = 57,536; block 3 (64 -> 128): 73,856 + 147,584 + 8,320 =
    229,760; Dense(1): 129. 10,272 + 57,536 + 229,760 + 129 = 297,697."""
    r = resolve(fixture("dlwp2_residual_blocks.py"), None, None)
    assert summarize(r.nodes, r.shape, r.convention).total_params == 297_697
    # ... exactly as the blocks written out by hand read.
    written = resolve(RESIDUAL_BLOCKS_INLINED, None, None)
    assert _rows(r) == _rows(written)


def test_the_mini_xception_loop_reads_exactly() -> None:
    """Keras' count: 721,857 (718,849 trainable, 3,008 batch-norm statistics), the same
    as the loop written out."""
    code = fixture("dlwp3_mini_xception.py")
    r = resolve(code, None, None)
    s = summarize(r.nodes, r.shape, r.convention)
    assert (s.total_params, s.trainable_params) == (721_857, 718_849)
    written = resolve(unroll(code), None, None)
    assert _rows(r) == _rows(written)


def test_the_second_editions_mini_xception_says_its_augmentation_layers_have_no_rows(
) -> None:
    """There the model first applies a data-augmentation Sequential as a layer: its random
    layers change values only, in training only, so they pass the input on with no row,
    and the reading says so for each (tests/realworld checks the figures with Keras)."""
    code = fixture("dlwp2_mini_xception.py")
    model = read_model(code, "model")
    assert model.nodes
    for line, cls in ((15, "RandomFlip"), (16, "RandomRotation"), (17, "RandomZoom"),
                      (24, "Rescaling")):
        assert f"line {line}: {cls} changes no shape and holds no weights: it has no row" \
            in model.notes


FILES = list(model_files())


@pytest.mark.parametrize(("code", "pick"), [(c, p) for _, c, p in FILES],
                         ids=[i for i, _, _ in FILES])
def test_an_unknown_statement_anywhere_on_the_path_is_an_error_naming_its_line(
        code: str, pick: str | None) -> None:
    """`frobnicate()` inserted at every position of every body of a real model file: in
    the code that builds the model it is an error naming that line; elsewhere (module code
    beside a class or function that builds the model) the model is exactly as before."""
    code = IMPORT + code
    base = read_model(code, pick)
    found = [n for n, _, _ in read_models(code) if pick in (None, n)]
    builder = found[0] if any(isinstance(s, (ast.ClassDef, ast.FunctionDef)) and
                              s.name == found[0] for s in ast.parse(code).body) else ""
    checked = 0
    for edited, line, top in insertions(code, UNKNOWN):
        if top and top != builder:
            continue  # another definition: not read unless it is called
        try:
            model = read_model(edited, pick or (base.name if len(read_models(edited)) > 1
                                                else None))
        except CodeError as e:
            assert e.line == line, (line, str(e), edited)
            assert str(e).startswith(f"line {line}: ") and "\n" not in str(e)
            assert "frobnicate" in str(e)
            checked += 1
            continue
        assert builder and not top, (line, edited)  # only module code beside the model
        assert (model.nodes, model.input_shape) == (base.nodes, base.input_shape)
    assert checked > 0
