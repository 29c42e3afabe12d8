"""`from torch.nn import *` (and Keras' layers and models modules) binds the library's
classes by name, as the import does; an `import *` of any other module may define any name,
so what it could shadow is only known at run time.

Oracles: torch running the same code (its parameters and output shape), and a hand-derived
Keras count."""

from __future__ import annotations

import pytest

import cnncalc
from cnncalc.dialects.read import read_model
from cnncalc.dialects.values import CodeError

TORCH_STAR = """
from torch.nn import *


class Generator(Module):
    def __init__(self):
        super(Generator, self).__init__()
        self.main = Sequential(
            ConvTranspose2d(100, 64, 4, 1, 0, bias=False),
            BatchNorm2d(64),
            ReLU(True),
            ConvTranspose2d(64, 1, 4, 2, 1, bias=False),
            Tanh()
        )

    def forward(self, input):
        return self.main(input)
"""


def test_torch_star_import_reads_as_torch_runs_it() -> None:
    torch = pytest.importorskip("torch")
    space: dict[str, object] = {}
    exec(compile(TORCH_STAR, "<star>", "exec"), space)
    net = space["Generator"]().eval()  # type: ignore[operator]
    out = net(torch.zeros(1, 100, 1, 1))
    s = cnncalc.summary(TORCH_STAR, input_size="100x1x1")
    assert s.trainable_params == sum(p.numel() for p in net.parameters())  # 102,400 + 128 + 1,024
    assert tuple(s.output_shape) == tuple(out.shape[1:]) == (1, 8, 8)


KERAS_STAR = """
from keras.layers import *
from keras.models import *

model = Sequential([Input(shape=(28, 28, 1)), Conv2D(8, 3), Flatten(), Dense(10)])
"""


def test_keras_star_imports_read() -> None:
    # Conv2D(8, 3) on 28x28x1: 3·3·1·8 + 8 = 80, output 26x26x8; Dense(10) on 5,408: 54,090.
    s = cnncalc.summary(KERAS_STAR)
    assert s.total_params == 80 + 26 * 26 * 8 * 10 + 10


@pytest.mark.parametrize(("code", "needle"), [
    # Another module's import * may redefine Sequential: only known at run time.
    (TORCH_STAR.replace("from torch.nn import *", "from torch.nn import *\nfrom mine import *"),
     "may come from the import * of mine"),
    # A class cnncalc does not read, from the star import: refused, not guessed.
    (TORCH_STAR.replace("Tanh()", "Hardtanh()"), "Hardtanh"),
])
def test_what_a_star_import_cannot_say_is_refused(code: str, needle: str) -> None:
    with pytest.raises(CodeError) as e:
        read_model(code)
    assert needle in str(e.value)
