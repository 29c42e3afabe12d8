"""The code examples in README's "Paste your model" read as torch builds them.

Oracle: torch running the code printed in the README (its parameter count and output
shape), and the totals the README prints beside it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cnncalc.calc.summary import summarize
from cnncalc.dialects.resolve import resolve

README = Path(__file__).resolve().parents[2] / "README.md"


def _example(name: str) -> tuple[str, str]:
    """The file `name` as README shows it (`$ cat name` up to the next `$ `), and the
    output that follows."""
    text = README.read_text(encoding="utf-8")
    m = re.search(rf"^\$ cat {re.escape(name)}\n(.*?)^\$ .*?\n(.*?)^```", text, re.M | re.S)
    assert m, f"README has no `$ cat {name}` example"
    return m.group(1), m.group(2)


@pytest.mark.parametrize(("name", "model", "shape"), [
    ("cnn.py", "ConvNet", "1x28x28"),
    ("mixed.py", "Net", "1x28x28"),
])
def test_readme_pytorch_examples_match_torch(name: str, model: str, shape: str) -> None:
    torch = pytest.importorskip("torch")
    code, printed = _example(name)
    space: dict[str, object] = {}
    exec(compile(code, name, "exec"), space)
    net = space[model]().eval()  # type: ignore[operator]
    c, h, w = (int(x) for x in shape.split("x"))
    with torch.no_grad():
        out = net(torch.zeros(1, c, h, w))
    params = sum(p.numel() for p in net.parameters())
    r = resolve(code, None, shape, model=model)
    s = summarize(r.nodes, r.shape, r.convention)
    assert s.trainable_params == params  # total adds batch-norm statistics, as Keras does
    assert tuple(s.output_shape) == tuple(out.shape[1:])
    total = re.search(r"^trainable params\s+([\d,]+)", printed, re.M)
    assert total and int(total.group(1).replace(",", "")) == params
