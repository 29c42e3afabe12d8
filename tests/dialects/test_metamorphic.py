"""Metamorphic: edits that keep a model file's meaning (or make it unreadable) never change
what the reader reports in silence. Every edited file reads to the same per-layer output
shapes and parameter counts as the original, or is a one-line error naming a line.

Oracle: the reading of the unedited file, which the dialect suites check against torch and
Keras layer by layer; each edit below is one that Python runs to the same model (or one
where the model is built inside a block the reader may refuse)."""

from __future__ import annotations

import ast
import copy
from collections.abc import Callable

import pytest

from cnncalc.calc.summary import LayerInfo, summarize
from cnncalc.dialects.read import CodeError
from cnncalc.dialects.resolve import resolve

from .keras_models import HEADER
from .keras_models import MODELS as KERAS_MODELS
from .realworld import RESIDUAL_BLOCKS_INLINED, fixture, have, unroll
from .test_keras_subclass import CASES as KERAS_SUBCLASSES
from .test_tensor_ops import MODELS as TENSOR_OPS
from .torch_models import MODELS as TORCH_MODELS
from .torch_models import SEQ

FILES = ([(f"torch-{n}", SEQ + c, s) for n, c, s in TORCH_MODELS]
         + [(f"keras-{n}", HEADER + c, s) for n, c, s in KERAS_MODELS]
         + [("dlwp2-residual-blocks-inlined", RESIDUAL_BLOCKS_INLINED, None)]
         + ([("dlwp3-mini-xception-unrolled", unroll(fixture("dlwp3_mini_xception.py")), None)]
            if have("dlwp3_mini_xception.py") else [])
         + [(f"torch-{n}", c, s) for n, c, s in TENSOR_OPS]
         + [(f"keras-subclass-{c[0]}", c[1], f"hwc:{c[3]}") for c in KERAS_SUBCLASSES])

Rows = list[tuple[str, str, tuple[int, ...], int, int]]


def _rows(layers: tuple[LayerInfo, ...]) -> Rows:
    out: Rows = []
    for r in layers:
        out.append((r.path, r.kind, tuple(r.output_shape), r.trainable_params,
                    r.non_trainable_params))
        out += _rows(r.children) + _rows(r.shortcut)
    return out


def _read(code: str, shape: str | None) -> Rows:
    r = resolve(code, None, shape)
    return _rows(summarize(r.nodes, r.shape, r.convention).layers)


def _is_setup(s: ast.stmt) -> bool:
    return isinstance(s, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.ClassDef))


def _split(code: str) -> tuple[list[ast.stmt], list[ast.stmt]]:
    """The file's imports and definitions, and the module code that builds the model."""
    body = ast.parse(code).body
    return [s for s in body if _is_setup(s)], [s for s in body if not _is_setup(s)]


def _module(stmts: list[ast.stmt]) -> str:
    return ast.unparse(ast.fix_missing_locations(ast.Module(stmts, [])))


def _wrapped(head: str, tail: str = "", field: str = "body") -> Callable[[str], str]:
    """The model-building module code moved into a block: `head:` (an if, a loop, a with,
    a try), its `field` (body, or orelse) replaced by that code, `tail` after it."""
    def edit(code: str) -> str:
        setup, run = _split(code)
        if not run:
            return code
        wrapper = ast.parse(f"{head}:\n    pass\n{tail}").body[0]
        setattr(wrapper, field, run)
        return _module([*setup, wrapper])
    return edit


def _in_function(code: str) -> str:
    """The model-building module code moved into `def build():`, called once."""
    setup, run = _split(code)
    if not run:
        return code
    last = run[-1]
    names = [s.targets[0].id for s in run
             if isinstance(s, ast.Assign) and isinstance(s.targets[0], ast.Name)]
    if isinstance(last, ast.Expr) and not (isinstance(last.value, ast.Call)
                                           and isinstance(last.value.func, ast.Attribute)
                                           and isinstance(last.value.func.value, ast.Name)
                                           and last.value.func.value.id in names):
        run[-1] = ast.Return(last.value)  # the bare `nn.Sequential(...)` of a pasted model
    elif names:  # after `model.summary()` or the like: return the model built last
        run.append(ast.Return(ast.Name(names[-1], ast.Load())))
    fn = ast.parse("def build():\n    pass").body[0]
    assert isinstance(fn, ast.FunctionDef)
    fn.body = run
    return _module([*setup, fn, *ast.parse("model = build()").body])


def _renamed(code: str) -> str:
    """Every name the file binds by assignment, a loop or a parameter renamed `NAME_v2`
    everywhere it is used (names also passed as keywords, `f(name=...)`, keep theirs)."""
    tree = ast.parse(code)
    keywords = {k.arg for k in ast.walk(tree) if isinstance(k, ast.keyword)}
    bound = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)
             and isinstance(n.ctx, ast.Store)}
    bound |= {a.arg for a in ast.walk(tree) if isinstance(a, ast.arg)}
    bound -= keywords | {"self"}
    for n in ast.walk(tree):
        if isinstance(n, ast.Name) and n.id in bound:
            n.id += "_v2"
        elif isinstance(n, ast.arg) and n.arg in bound:
            n.arg += "_v2"
    return ast.unparse(tree)


def _inserted(statement: str, where: str) -> Callable[[str], str]:
    """`statement` put first, or last, or in the middle of the module code."""
    def edit(code: str) -> str:
        body = ast.parse(code).body
        at = {"first": 0, "last": len(body), "middle": len(body) // 2}[where]
        body = copy.copy(body)
        body.insert(at, ast.parse(statement).body[0])
        return _module(body)
    return edit


EDITS: dict[str, Callable[[str], str]] = {
    "unparsed": lambda c: ast.unparse(ast.parse(c)),
    "renamed": _renamed,
    "in-a-function": _in_function,
    "in-an-if-true": _wrapped("if True"),
    "in-an-else": _wrapped("if 1 > 2", "else:\n    pass", "orelse"),
    "in-a-for-loop": _wrapped("for _ in range(1)"),
    "in-a-while-loop": lambda c: _wrapped("while True")(c + "\nbreak\n"),
    "in-a-try": _wrapped("try", "finally:\n    pass"),
    "in-a-with": _wrapped("with open('log.txt') as f"),
    "unknown-call-first": _inserted("frobnicate()", "first"),
    "unknown-call-middle": _inserted("frobnicate()", "middle"),
    "unknown-call-last": _inserted("frobnicate()", "last"),
    "unknown-assign-middle": _inserted("x = frobnicate(x)", "middle"),
    "print-last": _inserted("print('done')", "last"),
    "pass-middle": _inserted("pass", "middle"),
}


@pytest.mark.parametrize("edit", list(EDITS), ids=list(EDITS))
@pytest.mark.parametrize(("code", "shape"), [(c, s) for _, c, s in FILES],
                         ids=[i for i, _, _ in FILES])
def test_an_edit_changes_nothing_or_is_a_one_line_error(code: str, shape: str | None,
                                                        edit: str) -> None:
    base = _read(code, shape)
    try:
        edited = EDITS[edit](code)
    except SyntaxError:
        pytest.skip("the edit does not apply to this file")
    try:
        got = _read(edited, shape)
    except CodeError as e:
        message = str(e)
        assert "\n" not in message and message.startswith("line "), message
        assert e.line is not None and 1 <= e.line <= len(edited.splitlines()), message
        return
    assert got == base, (edit, edited)
