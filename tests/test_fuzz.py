"""Fuzzing the parser, calculator and CLI: every input ends in a result or a CnnCalcError."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from cnncalc.calc import summarize_spec
from cnncalc.calc.explain import explain
from cnncalc.cli import app
from cnncalc.errors import CnnCalcError
from cnncalc.ops.shape import KERAS, PYTORCH, parse_shape
from cnncalc.render.records import to_csv, to_json, to_markdown
from cnncalc.spec import parse

from .strategies import inputs, specs

CASES = int(os.environ.get("CNNCALC_FUZZ_CASES", "1500"))

NUMBERS = st.one_of(st.integers(-5, 40), st.integers(-(10**15), 10**15),
                    st.sampled_from([0, -1, 10**12, 2**63, 10**30]),
                    st.floats(allow_nan=True, allow_infinity=True).map(repr))
NAMES = st.sampled_from(["conv", "convt", "maxpool", "avgpool", "gap", "fc", "flatten", "gmp",
                         "zeropad", "dwconv", "logsoftmax", "Conv2d", "Linear", "nn.ReLU",
                         "Conv2D", "Dense", "BatchNorm2d", "MaxPool2d", "layers.Flatten",
                         "dropout", "bn", "lrn", "relu", "leakyrelu", "softmax", "res",
                         "covn", "pool", "dense", "", "x", "conv2d", "ReLU"])
KEYS = st.sampled_from(["", "s=", "p=", "d=", "g=", "stride=", "padding=", "bias=", "ceil=",
                        "output_padding=", "k=", "out=", "size=", "bogus=", "=", "p=p="])
VALUES = st.one_of(NUMBERS.map(str), st.sampled_from(["same", "valid", "true", "false", "None",
                                                      "(3, 3)", "'same'", "True", "(1,",
                                                      "3x3", "0x2", "3x", "x3", "1e9", "-",
                                                      "", "(", ")", "[", "]", "nan"]))
ARGS = st.lists(st.builds(lambda k, v: k + v, KEYS, VALUES), max_size=8).map(",".join)
LAYER = st.builds(lambda n, a, paren: f"{n}({a})" if paren else n, NAMES, ARGS, st.booleans())
ITEMS = st.recursive(
    LAYER,
    lambda inner: st.one_of(
        st.builds(lambda body, n: f"[{body}]*{n}", st.lists(inner, max_size=3).map("-".join),
                  st.one_of(NUMBERS.map(str), st.just(""))),
        st.builds(lambda body: f"res[{body}]", st.lists(inner, max_size=3).map("-".join)),
        st.builds(lambda body, sc: f"res[{body}|{sc}]", st.lists(inner, max_size=3).map(
            "-".join), st.lists(inner, max_size=2).map("-".join))),
    max_leaves=12)
GRAMMAR = st.builds(lambda xs, sep: sep.join(xs), st.lists(ITEMS, min_size=0, max_size=6),
                    st.sampled_from(["-", " - ", "--", "-\n"]))

SHAPES = st.one_of(inputs, st.tuples(st.integers(1, 10**6), st.integers(1, 10**4),
                                     st.integers(1, 10**4)))


def check(spec: str, shape: tuple[int, ...], convention: str = PYTORCH) -> None:
    try:
        s = summarize_spec(spec, shape, convention)
    except CnnCalcError as e:
        assert "\n" not in e.message, e.message  # errors are one line (the caret is separate)
        return
    to_json(s), to_csv(s), to_markdown(s), explain(s)  # every renderer copes
    json.loads(to_json(s))


@settings(max_examples=CASES, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
@given(GRAMMAR, SHAPES, st.sampled_from([PYTORCH, KERAS]))
def test_grammar_aware_specs(spec: str, shape: tuple[int, ...], convention: str) -> None:
    check(spec, shape, convention)


@settings(max_examples=CASES, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
@given(st.text(max_size=80), SHAPES)
def test_arbitrary_text(spec: str, shape: tuple[int, ...]) -> None:
    check(spec, shape)


@settings(max_examples=CASES // 3, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
@given(st.binary(max_size=60))
def test_arbitrary_bytes(raw: bytes) -> None:
    check(raw.decode("utf-8", errors="replace"), (3, 32, 32))
    try:
        parse_shape(raw.decode("latin-1"))
    except CnnCalcError:
        pass


@settings(max_examples=CASES // 3, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
@given(specs, SHAPES)
def test_valid_grammar_with_extreme_shapes(spec: str, shape: tuple[int, ...]) -> None:
    check(spec, shape)


def test_coverage_guided_fuzzing_short_run(tmp_path: Path) -> None:
    """A CI-sized atheris run; fuzz/fuzz_spec.py does the long runs."""
    pytest.importorskip("atheris")
    script = Path(__file__).resolve().parent.parent / "fuzz" / "fuzz_spec.py"
    proc = subprocess.run([sys.executable, str(script), "-runs=10000", "-seed=1",
                           f"-dict={script.parent / 'spec.dict'}",
                           f"-artifact_prefix={tmp_path}/"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Done 10000 runs" in proc.stderr


def test_coverage_guided_code_fuzzing_short_run(tmp_path: Path) -> None:
    """A CI-sized atheris run over the code reader; fuzz/fuzz_code.py does the long runs."""
    pytest.importorskip("atheris")
    script = Path(__file__).resolve().parent.parent / "fuzz" / "fuzz_code.py"
    proc = subprocess.run([sys.executable, str(script), "-runs=3000", "-seed=1",
                           f"-artifact_prefix={tmp_path}/"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Done 3000 runs" in proc.stderr


def test_deep_nesting_and_huge_repeats_are_refused_quickly() -> None:
    for spec in ("[" * 5000 + "relu" + "]*2" * 5000, "res[" * 10_000, "[relu]*" + "9" * 50,
                 "[[[[relu]*1000]*1000]*1000]*1000", "-".join(["relu"] * 300_000)):
        try:
            parse(spec)
        except CnnCalcError:
            continue
        raise AssertionError(f"accepted {spec[:40]}")


def test_absurd_sizes_are_exact() -> None:
    # (1·1·10^12)·10^12 + 10^12 parameters: exact integers, no overflow, no float rounding.
    s = summarize_spec("conv(1000000000000,1)-conv(1000000000000,1)", (1, 1, 1))
    assert s.layers[1].trainable_params == 10**24 + 10**12
    assert json.loads(to_json(s))["total_params"] == 2 * 10**12 + 10**24 + 10**12


@settings(max_examples=300, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
@given(st.one_of(GRAMMAR, st.text(max_size=40)),
       st.sampled_from(["1x28x28", "3x224x224", "0x1", "abc", "1x1x1", "flat:10"]),
       st.sampled_from(["table", "json", "csv", "markdown"]))
def test_cli_never_shows_a_traceback(spec: str, shape: str, fmt: str) -> None:
    result = CliRunner().invoke(app, ["summary", spec, "--input", shape, "--format", fmt])
    assert result.exit_code in (0, 1, 2), result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        repr(result.exception)


# --- the code reader: random Python, and valid models mutated -------------------------------

from cnncalc.calc.summary import summarize  # noqa: E402
from cnncalc.dialects.resolve import resolve  # noqa: E402

from .dialects.keras_models import MODELS as KERAS_MODELS  # noqa: E402
from .dialects.torch_models import MODELS as TORCH_MODELS  # noqa: E402

CODES = [code for _, code, _ in TORCH_MODELS + KERAS_MODELS]
CLASSES = st.sampled_from(["nn.Conv2d", "nn.Linear", "nn.BatchNorm2d", "nn.MaxPool2d",
                           "nn.ReLU", "nn.Flatten", "layers.Conv2D", "layers.Dense",
                           "Conv2D", "MaxPooling2D", "nn.Sequential", "Sequential",
                           "nn.ConvTranspose2d", "layers.ZeroPadding2D", "F.relu", "foo",
                           "torch.flatten", "self.conv", "nn.Identity", "Input"])
PY_ARGS = st.lists(st.one_of(
    NUMBERS.map(str), st.sampled_from(["(3, 3)", "'same'", "\"valid\"", "None", "True",
                                       "x", "-1", "16 * 5 * 5", "2 ** 99", "1 / 0", "[1, 2]",
                                       "kernel_size=3", "padding=1", "activation='relu'",
                                       "input_shape=(28, 28, 1)", "*a", "**k", "'" + "x" * 300
                                       + "'"])), max_size=6).map(", ".join)
CALL = st.builds(lambda c, a: f"{c}({a})", CLASSES, PY_ARGS)
SOURCE = st.one_of(
    st.lists(CALL, min_size=1, max_size=6).map(lambda xs: "nn.Sequential(" + ", ".join(xs) + ")"),
    st.lists(CALL, min_size=1, max_size=6).map(lambda xs: "[" + ", ".join(xs) + "]"),
    st.lists(CALL, min_size=1, max_size=5).map(
        lambda xs: "model = Sequential()\n" + "".join(f"model.add({x})\n" for x in xs)),
    st.builds(lambda init, fwd: "class N(nn.Module):\n    def __init__(self):\n"
              "        super().__init__()\n" + "".join(f"        self.l{i} = {c}\n"
                                                  for i, c in enumerate(init))
              + "    def forward(self, x):\n" + "".join(f"        x = {f}\n" for f in fwd)
              + "        return x\n",
              st.lists(CALL, max_size=4),
              st.lists(st.one_of(CALL.map(lambda c: c.replace(")", ", x)", 1)),
                                 st.sampled_from(["self.l0(x)", "self.l1(x) + x",
                                                  "x.view(x.size(0), -1)", "x.view(-1, 7)",
                                                  "torch.flatten(x, 1)", "F.relu(x)", "y",
                                                  "self.l0(self.l0(x))"])), max_size=5)))


def check_code(code: str, shape: str | None = None) -> None:
    try:
        r = resolve(code, None, shape)
        s = summarize(r.nodes, r.shape, r.convention)
    except CnnCalcError as e:
        assert "\n" not in e.message, e.message
        return
    to_json(s), explain(s)


@settings(max_examples=CASES // 5, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
@given(SOURCE)
def test_random_python_models_never_crash(code: str) -> None:
    check_code(code)


@settings(max_examples=CASES // 5, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
@given(st.sampled_from(CODES), st.lists(st.tuples(st.integers(0, 5000), st.integers(0, 40),
                                                  st.text(max_size=6)), min_size=1,
                                        max_size=4))
def test_mutated_valid_models_never_crash(code: str, edits: list[tuple[int, int, str]]) -> None:
    for at, cut, insert in edits:
        at %= len(code) + 1
        code = code[:at] + insert + code[at + cut:]
    check_code(code)


@settings(max_examples=CASES // 5, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
@given(st.text(max_size=120))
def test_arbitrary_text_as_code_never_crashes(text: str) -> None:
    check_code("import torch\n" + text)
    check_code(text + ", relu")


def test_hostile_code_is_refused_quickly() -> None:
    for code in ("nn.Sequential(" + "nn.Sequential(" * 300 + ")" * 301,
                 "x = " + "+".join(["1"] * 50_000), "nn.Sequential(" + "[" * 150 + "]" * 150,
                 "(" * 5000, "nn.Linear(2 ** 10 ** 10, 1)", "nn.Sequential(*[nn.ReLU()] * 9)",
                 "# x\n" * 300_000, "nn.Linear(" + "9" * 5000 + ", 1)",
                 "nn.Sequential(" + ", ".join(["nn.ReLU()"] * 30_000) + ")"):
        try:
            check_code(code)
        except RecursionError as e:  # pragma: no cover - the failure this guards against
            raise AssertionError(code[:40]) from e


@settings(max_examples=CASES // 5, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
@given(st.one_of(st.text(max_size=120), st.lists(st.builds(
    lambda k, v: f"{k}: {v}", st.sampled_from(["1", "2", "1.1", "3.s1", "total", "output", "x",
                                              "trainable", "99", "", "conv1", "'0'",
                                              "layer1", "layer1.0.conv2", "'a:b'"]),
    st.sampled_from(["16x30x30", "(None, 26, 26, 32)", "448", "62,006", "params 2,320",
                     "(784,)", "flat:10", "1x", "(", "-3", "9" * 40, "", "x, y"])),
    max_size=6).map("\n".join)))
def test_answers_never_crash(text: str) -> None:
    from cnncalc.calc.check import mark, parse_answers

    s = summarize_spec("conv(16,3)-relu-[conv(8,3)]*2-flatten-fc(10)", (1, 12, 12))
    try:
        marks = mark(s, parse_answers(text, PYTORCH))
    except CnnCalcError as e:
        assert "\n" not in e.message, e.message
        return
    assert all(isinstance(m.right, bool) for m in marks)
