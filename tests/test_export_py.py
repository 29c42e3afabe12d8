"""`build --export py` writes the PyTorch class from the summary alone (no torch), and that
class is the model the trainer builds: for every model of the dialect suites and every
preset, the generated file, run here (cnncalc never runs it), gives the same modules with
the same arguments (torch's own repr), the same state dict and the same output as
train/model.py's build() with the same weights.

Oracle: torch. build() is itself checked against the calculator layer by layer in
tests/test_build_suite.py; here the generated text is checked against build().
"""

from __future__ import annotations

import re
import subprocess
import sys
from contextlib import nullcontext
from typing import Any

import pytest
import torch
from torch import nn

from cnncalc.calc.summary import Summary
from cnncalc.errors import UsageError
from cnncalc.export.pytorch import HELPERS, helper_sources, to_python
from cnncalc.train import model as torch_model
from cnncalc.train.model import build

from .suite_models import Model, all_models, no_init

torch.set_num_threads(1)

MODELS = all_models()
# The trainer cannot build these either; both say so in one line.
UNBUILDABLE = {"keras-same-even": "Keras average pooling with uneven 'same' padding"}
# Small enough to run on the CPU with real weights (the rest are compared on the meta device).
RUN = 300_000


def _exported(summary: Summary) -> nn.Module:
    namespace: dict[str, Any] = {}
    exec(compile(to_python(summary, "Net"), "<generated>", "exec"), namespace)  # the test runs it
    net: nn.Module = namespace["Net"]()
    return net


def _repr(m: nn.Module) -> str:
    # A layer torch needs two modules for is train/model.py's Padded, a plain nn.Sequential
    # in the file; pooling keeps a pair as given, and (2, 2) is the same window as 2. Every
    # other module must print the same, arguments included.
    return re.sub(r"\((-?[0-9]+), \1\)", r"\1", repr(m).replace("Padded(", "Sequential("))


@pytest.mark.parametrize("m", MODELS, ids=[m.id for m in MODELS])
def test_generated_class_is_the_built_model(m: Model) -> None:
    summary = m.summary()
    if m.id in UNBUILDABLE:
        with pytest.raises(UsageError, match=UNBUILDABLE[m.id]):
            to_python(summary)
        with pytest.raises(UsageError, match=UNBUILDABLE[m.id]):
            build(summary)
        return
    small = summary.total_params <= RUN
    with nullcontext() if small else no_init(), torch.device("cpu" if small else "meta"):
        torch.manual_seed(0)
        built = build(summary).eval()
        net = _exported(summary).eval()
    assert _repr(net.layers) == _repr(built)
    state = {k: tuple(v.shape) for k, v in built.state_dict().items()}
    assert {k.removeprefix("layers."): tuple(v.shape)
            for k, v in net.state_dict().items()} == state
    assert sum(p.numel() for p in net.parameters() if p.requires_grad) == \
        summary.trainable_params
    if small:
        net.layers.load_state_dict(built.state_dict(), strict=True)
        x = torch.randn(2, *summary.input_shape, generator=torch.Generator().manual_seed(1))
        with torch.no_grad():
            y, want = net(x), built(x)
        assert tuple(y.shape[1:]) == summary.output_shape
        assert torch.equal(y, want)


def test_helpers_are_the_trainers_own_classes() -> None:
    """The helper classes copied into a file are train/model.py's, character for character."""
    import inspect

    names = (*HELPERS, "Normalize")
    for name, source in zip(names, helper_sources(names), strict=True):
        assert source == inspect.getsource(getattr(torch_model, name)).rstrip("\n")


def test_norms_write_no_bias_keyword() -> None:
    """torch 2.13's keyword-only `bias` of batch, group and instance norm is not written:
    affine=False already has no bias, and torch before 2.13 refuses the keyword."""
    from cnncalc.calc import summarize_spec

    s = summarize_spec("bn(affine=false)-groupnorm(2,affine=false)-instancenorm",
                       (4, 6, 6))
    source = to_python(s)
    assert "bias" not in source
    assert "nn.BatchNorm2d(4, affine=False)" in source
    assert "nn.GroupNorm(2, 4, affine=False)" in source
    assert "nn.InstanceNorm2d(4)" in source


NO_TORCH = ("import sys; sys.modules['torch'] = None  # any import of torch fails\n"
            "from cnncalc.cli import main\n"
            "sys.argv = ['cnncalc', 'build', *sys.argv[1:]]\n"
            "try:\n    main()\nexcept SystemExit as e:\n    code = e.code\nelse:\n    code = 0\n"
            "assert 'torch' not in sys.modules or sys.modules['torch'] is None\n"
            "sys.exit(code)\n")


@pytest.mark.parametrize("args", [
    ["conv(8,3,padding=1)-bn-relu-res[conv(8,3,padding=1)]-cat[|maxpool(3,stride=1,padding=1)]"
     "-layernorm(over=c)-gap-flatten-fc(10)", "--export", "py"],
    ["--preset", "resnet18", "--export", "py"],
    ["tests/fixtures/pasted_net.py", "--model", "Net", "--export", "python"],
])
def test_export_py_imports_no_torch(args: list[str]) -> None:
    """With torch impossible to import, `build --export py` still writes the class; the
    same text as with torch installed."""
    proc = subprocess.run([sys.executable, "-c", NO_TORCH, *args], capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "class Net(nn.Module):" in proc.stdout
    from typer.testing import CliRunner

    from cnncalc.cli import app

    assert CliRunner().invoke(app, ["build", *args]).stdout == proc.stdout


def test_check_without_torch_is_a_usage_error_before_any_output() -> None:
    proc = subprocess.run([sys.executable, "-c", NO_TORCH, "relu", "--export", "py", "--check"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: this command needs PyTorch"), lines
