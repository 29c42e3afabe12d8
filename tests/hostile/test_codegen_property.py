"""Generated Python and Keras source holds no live input, for hostile specs and class names.

Hypothesis writes specs whose ignored arguments (device=, dtype=, name=, initialisers) and
whole texts come from a hostile alphabet (quotes, backslashes, line breaks of every kind,
ESC, NUL, brackets, `$`, `=`, `<`, triple quotes), and class names from the same alphabet.
They go through `build --export py`, `build --export keras` and export's `to_python`.

The oracles:
- an ignored argument changes nothing: the source equals that of the same spec without it;
- every output parses with `ast`, is printable ASCII, and holds no live code: every call is
  to an allow-listed name (nn.*, torch.*, layers.*, keras.*, super, the file's own classes
  and functions, and the fixed helpers listed below), and every string constant outside a
  docstring is one of the few words the writers themselves use;
- export's class, with a class name that was accepted, defines exactly that class, and its
  state dict (read from the source without running it) has the keys and shapes of the real
  torch model.
"""

from __future__ import annotations

import ast
import functools
import re

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from cnncalc.calc import summarize_spec
from cnncalc.cli import app
from cnncalc.errors import CnnCalcError, UsageError
from cnncalc.spec import parse
from cnncalc.train.export import SourceMismatch, check_source, to_python
from cnncalc.train.export_files import Weights
from cnncalc.train.model import Classifier, Normalize, build

HOSTILE = ["'", '"', '"""', "\\", "\\N", "\n", "\r", "\r\n", "\x0c", "\x0b", "\u2028",
           "\u2029", "\x85", "\x1b", "\x1b[2J", "\x00", "[", "]", "$", "$x$", "=", "<",
           "<img>", "#", "(", ")", "-", "{", "}", ",", " ", "\t", "\u202e", "é", "a", "Z",
           "_", "1", "import os", "__import__('os').system('touch x')"]
hostile_text = st.lists(st.sampled_from(HOSTILE), max_size=12).map("".join)

# Calls the generated files make besides nn.*, torch.*, layers.*, keras.* and their own
# classes and functions: the fixed helper text (Normalize, Residual, load()).
FIXED_CALLS = {"super", "super().__init__", "float", "ValueError", "open",
               "hashlib.sha256", "hashlib.sha256().hexdigest", "io.BytesIO", "os.path.splitext",
               "os.path.abspath", "f.read", "model.load_state_dict", "self.register_buffer",
               "self.get_buffer", "self.body", "self.shortcut", "self.layers", "self.prep"}
WORDS = re.compile(r"[0-9a-f]{64}|same|valid|-?inf|rb|\.pt|[a-z_]+")
runner = CliRunner()


def dotted(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{dotted(node.value)}.{node.attr}"
    if isinstance(node, ast.Call):
        return f"{dotted(node.func)}()"
    return f"<{type(node).__name__}>"


def audit(source: str) -> ast.Module:
    """Assert that `source` parses, is printable ASCII, and holds no live input."""
    assert all(c == "\n" or " " <= c <= "~" for c in source), \
        [c for c in source if not (c == "\n" or " " <= c <= "~")][:5]
    tree = ast.parse(source)
    own = {n.name for n in ast.walk(tree) if isinstance(n, (ast.ClassDef, ast.FunctionDef))}
    docstrings = {id(n.body[0].value) for n in ast.walk(tree)
                  if isinstance(n, (ast.Module, ast.ClassDef, ast.FunctionDef)) and n.body
                  and isinstance(n.body[0], ast.Expr)
                  and isinstance(n.body[0].value, ast.Constant)}
    in_fstring = {id(v) for n in ast.walk(tree) if isinstance(n, ast.JoinedStr)
                  for v in n.values}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = dotted(node.func)
            while name.endswith("()") and name.count("(") > 1:
                name = name[:-2]  # layers.Conv2D(...)(x): the inner call is checked too
            root = name.split(".")[0].removesuffix("()")
            assert (root in ("nn", "torch", "layers", "keras") or name in FIXED_CALLS
                    or name.removesuffix("()") in own), name
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and \
                id(node) not in docstrings and id(node) not in in_fstring:
            assert WORDS.fullmatch(node.value), node.value
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = {a.name for a in node.names}
            assert names <= {"torch", "nn", "hashlib", "io", "os", "keras", "layers"}, names
    return tree


def quoted(text: str) -> str:
    quote = "'" if "'" not in text else '"'
    assume(quote not in text)
    return f"{quote}{text}{quote}"


def torch_spec(conv_extra: str, fc_extra: str) -> str:
    return f"Conv2d(1, 4, 3{conv_extra})-ReLU()-MaxPool2d(2)-Flatten()-Linear(676, 10{fc_extra})"


def keras_spec(conv_extra: str, fc_extra: str) -> str:
    return f"Conv2D(4, 3{conv_extra})-MaxPooling2D(2)-Flatten()-Dense(10{fc_extra})"


@functools.lru_cache(maxsize=64)
def build_export(spec: str, fmt: str, class_name: str = "Net", shape: str = "1x28x28") -> str:
    """The source `build --export` prints; a refusal is one clean error line, returned as
    'refused' (a text with a line break reads as pasted code, which may not parse)."""
    r = runner.invoke(app, ["build", "--input", shape, "--export", fmt,  # a spec may start
                            "--class-name", class_name, "--", spec])  # with '-'

    if r.exit_code in (1, 2):
        assert r.stdout == "" and r.stderr.startswith("error: "), r.output
        assert "internal error" not in r.stderr and "Traceback" not in r.stderr
        return "refused"
    assert r.exit_code == 0, r.output
    return r.stdout


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
@given(st.sampled_from(["device", "dtype"]), hostile_text, hostile_text)
def test_ignored_torch_arguments_change_nothing(key: str, a: str, b: str) -> None:
    spec = torch_spec(f", {key}={quoted(a)}", f", {key}={quoted(b)}")
    clean = torch_spec("", "")
    out = build_export(spec, "py")
    assume(out != "refused")
    assert out == build_export(clean, "py")
    audit(out)
    audit(build_export(spec, "keras"))
    # Nor does it reach a layer's source text, which messages quote.
    assert [n.source for n in parse(spec)] == [n.source for n in parse(clean)]  # type: ignore[union-attr]


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
@given(st.sampled_from(["name", "dtype", "kernel_initializer", "bias_regularizer"]),
       hostile_text, hostile_text)
def test_ignored_keras_arguments_change_nothing(key: str, a: str, b: str) -> None:
    spec = keras_spec(f", {key}={quoted(a)}", f", {key}={quoted(b)}")
    clean = keras_spec("", "")
    out = build_export(spec, "keras", shape="28x28x1")
    assume(out != "refused")
    assert out == build_export(clean, "keras", shape="28x28x1")
    audit(out)
    assert build_export(spec, "py", shape="28x28x1") == build_export(clean, "py",
                                                                     shape="28x28x1")


@settings(max_examples=80, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
@given(st.lists(st.one_of(hostile_text, st.sampled_from(
    ["conv(4,3)", "relu", "-", "flatten", "fc(10)", "res[", "]", "*2", "padding=", "'same'",
     "bn(eps=", "1e999", ")"])), max_size=10).map("".join))
def test_hostile_spec_texts_give_clean_source_or_a_clean_refusal(spec: str) -> None:
    for fmt in ("py", "keras"):
        out = build_export(spec, fmt)
        if out != "refused":
            audit(out)


class_names = st.one_of(st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,10}", fullmatch=True),
                        hostile_text, st.sampled_from(["float", "super", "load", "os",
                                                       "Normalize", "__file__", "Net"]))


@settings(max_examples=80, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
@given(class_names, st.floats(-10, 10), st.floats(0.01, 10),
       st.sampled_from(["conv(4,3)-relu-maxpool(2)-flatten-fc(10)",
                        "conv(4,3,padding=1)-res[conv(4,3,padding=1)-bn]-gap-flatten-fc(10)",
                        "[conv(2,3)-relu]*2-flatten-dropout(0.25)-fc(10)-softmax"]))
def test_export_source_for_hostile_class_names(name: str, mean: float, std: float,
                                               spec: str) -> None:
    summary = summarize_spec(spec, (1, 28, 28))
    prep = Normalize(28, 28, mean, std)
    weights = Weights("ab" * 32, 1234)
    try:
        source = to_python(summary, name, prep, weights)
    except UsageError as e:
        assert e.message.startswith("--class-name ")
        r = runner.invoke(app, ["build", "--export", "py", "--class-name", name, "--", spec])
        assert r.exit_code == 2 and r.stdout == ""
        return
    except CnnCalcError as e:  # pragma: no cover - anything else is a bug
        pytest.fail(str(e))
    tree = audit(source)
    classes = [n.name for n in tree.body if isinstance(n, ast.ClassDef)]
    assert classes.count(name) == 1 and name not in ("float", "super", "load", "os")
    # The class's state dict, read from the source, is the real model's.
    real = Classifier(Normalize(28, 28, mean, std), build(summary)).state_dict()
    try:
        check_source(source, name, {k: tuple(v.shape) for k, v in real.items()}, weights)
    except SourceMismatch as e:  # pragma: no cover - the assertion message
        pytest.fail(f"{e}\n{source}")
    audit(build_export(spec, "py", name))
