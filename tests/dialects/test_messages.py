"""Errors that name the construct, typos that get a "did you mean", and arguments that are
not kept that are not echoed. Oracles: the course notes' own summary of the corrected Keras
code (93,322 parameters), and hand-derived counts."""

from __future__ import annotations

import pytest

from cnncalc.calc.summary import summarize
from cnncalc.dialects.read import CodeError, read_model
from cnncalc.dialects.resolve import resolve

from .realworld import fixture
from .torch_models import SEQ


def _class(init: str, forward: str = "return self.f(x)", extra: str = "") -> str:
    return SEQ + f"""
class AlexNet(nn.Module):
    def __init__(self, num_classes=10, **kwargs):
        super().__init__()
        {init}
    def forward(self, x):
        {forward}
{extra}"""


@pytest.mark.parametrize(("code", "message"), [
    (_class("self.f = nn.Linear(10, num_classes, **kwargs)"),
     "line 10: **kwargs is only known when the code runs"),
    (_class("self.f = nn.Linear(10, 3)", extra="model = AlexNet(**cfg)\n"),
     "line 13: AlexNet(**cfg): **cfg is only known when the code runs"),
    (_class("self.f = self._make_layers(3)"),
     "line 10: self._make_layers is not set before it is used"),
    (_class("self.f = nn.Sequential(nn.ReLU(), self._make())"),
     "line 10: self._make is not set before it is used"),
    (_class("self.f = nn.ReLU()", forward="return self._impl(x)",
            extra="    def _impl(self, x):\n        return self.f(x)\n"),
     "line 12: self._impl(x) is a method of the file: helper methods are not read yet"),
])
def test_errors_name_the_construct(code: str, message: str) -> None:
    with pytest.raises(CodeError) as info:
        read_model(code)
    assert str(info.value).startswith(message), str(info.value)
    assert "None" not in str(info.value) and "prefix" not in str(info.value)


# The notes' Keras code as typed holds four typos; each fix reveals the next, first problem
# in source order, each with a suggestion: a variable name, two classes, a keyword.
TYPOS = [
    ("(Conv2d_01)", "(Cov2d_01)",
     "line 12: Conv2d_01 is not defined; did you mean 'Cov2d_01'?"),
    ("layers.Maxpooling2D", "layers.MaxPooling2D",
     "line 15: unknown layer class layers.Maxpooling2D; did you mean 'MaxPooling2D'?"),
    ("layers.Con2D", "layers.Conv2D",
     "line 16: unknown layer class layers.Con2D; did you mean 'Conv2D'?"),
    ("iputs=", "inputs=", "line 21: keras.Model has no argument 'iputs'; did you mean "
     "'inputs'?"),
]


def test_the_notes_typos_are_named_first_in_source_order_with_a_suggestion() -> None:
    code = fixture("notes002_keras_typos.py")
    for typo, fix, message in TYPOS:
        with pytest.raises(CodeError) as info:
            read_model(code)
        assert str(info.value) == message
        lines = code.splitlines(keepends=True)  # the header comment names the typos too
        assert sum(typo in x for x in lines if not x.startswith("#")) == 1
        code = "".join(x if x.startswith("#") else x.replace(typo, fix) for x in lines)
    # Corrected, it reads as the notes' model.summary() counts it. By hand: Conv2D(32, 3x3)
    # 320; Conv2D(64) 18,496; Conv2D(64) 36,928; 3·3·64 = 576 features; Dense(64) 36,928;
    # Dense(10) 650. 320 + 18,496 + 36,928 + 36,928 + 650 = 93,322.
    r = resolve(code, None, None)
    assert summarize(r.nodes, r.shape, r.convention).total_params == 93_322


@pytest.mark.parametrize("extra", ["device='cuda:0'", "dtype=torch.float64", "device=dev",
                                   "device=torch.device('cuda')"])
def test_arguments_that_are_not_kept_are_not_echoed(extra: str) -> None:
    code = SEQ + f"dev = 'cpu'\nmodel = nn.Sequential(nn.Conv2d(1, 8, 3, {extra}), nn.ReLU())\n"
    model = read_model(code)
    assert model.nodes[0].source == "Conv2d(1, 8, 3)"


def test_an_ignored_keras_argument_is_neither_read_nor_echoed() -> None:
    code = ("from tensorflow import keras\nfrom tensorflow.keras import layers\n"
            "model = keras.Sequential([keras.Input(shape=(8, 8, 1)), layers.Conv2D(4, 3, "
            "kernel_initializer=keras.initializers.HeNormal(seed=1), name='c1')])\n")
    model = read_model(code)
    assert [n.source for n in model.nodes] == ["Conv2D(4, 3)"]
    # By hand: 3·3·1·4 + 4 = 40 parameters.
    r = resolve(code, None, None)
    assert summarize(r.nodes, r.shape, r.convention).total_params == 40


def test_lora_rank_is_refused_not_ignored() -> None:
    """Keras 3 Dense(lora_rank=r) freezes the kernel and adds (in x r) + (r x units)
    trainable weights (keras/src/layers/core/dense.py, enable_lora): not a count cnncalc
    makes yet, so an error rather than the plain Dense's figures."""
    code = ("import keras\nfrom keras import layers\nmodel = keras.Sequential("
            "[keras.Input((4,)), layers.Dense(3, lora_rank={})])\n")
    with pytest.raises(CodeError, match=r"^line 3: Dense\(lora_rank=\.\.\.\) adds LoRA"):
        read_model(code.format(2))
    r = resolve(code.format(None), None, None)
    assert summarize(r.nodes, r.shape, r.convention).total_params == 4 * 3 + 3


_SUPER = """
import torch.nn as nn
class SimpleNN(nn.Module):
    def __init__(self):
        super({first}, {second}).__init__()
        self.fc = nn.Linear(784, 10)
    def forward(self, x):
        return self.fc(x.view(-1, 784))
"""


@pytest.mark.parametrize(("first", "second", "python_raises"), [
    ("CNN", "self", NameError),  # a real file's slip: no class CNN exists
    ("nn.Linear", "self", TypeError),  # self is not an nn.Linear
    ("SimpleNN", "nn", TypeError),  # the second argument is not an instance
])
def test_a_super_call_python_rejects_is_refused(first: str, second: str,
                                                python_raises: type) -> None:
    """Oracle: Python itself, running the class, stops at that super() call; cnncalc must not
    print the figures of the model the author meant."""
    torch = pytest.importorskip("torch")
    code = _SUPER.format(first=first, second=second)
    space: dict[str, object] = {"torch": torch}
    exec(compile(code, "<model>", "exec"), space)
    with pytest.raises(python_raises):
        space["SimpleNN"]()  # type: ignore[operator]
    with pytest.raises(CodeError, match=r"line 5: super\("):
        read_model(code, "SimpleNN")


def test_a_super_call_python_accepts_is_read() -> None:
    """super(SimpleNN, self) runs in Python; 784*10 + 10 = 7,850 parameters."""
    code = _SUPER.format(first="SimpleNN", second="self")
    r = resolve(code, None, "1x28x28", model="SimpleNN")
    assert summarize(r.nodes, r.shape, r.convention).total_params == 7850
