"""`check --expect` keyed by module names, against the names torch's named_modules() gives
the same code's modules, and the shapes and counts torch's forward hooks see."""

from __future__ import annotations

from typing import Any

import pytest
import torch
from torch import nn

from cnncalc.calc.check import ModuleNames, mark, parse_answers
from cnncalc.calc.summary import summarize
from cnncalc.dialects.resolve import resolve
from cnncalc.errors import UsageError
from cnncalc.ops.shape import PYTORCH

from ..oracle import counts
from .realworld import fixture
from .test_pytorch import torch_model
from .test_realworld_torch import EXACT as REALWORLD
from .test_realworld_torch import _torch
from .torch_models import MODELS

torch.set_num_threads(1)

BLOCKS = """
from collections import OrderedDict


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False),
                                            nn.BatchNorm2d(cout))

    def forward(self, x):
        identity = x
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        if self.downsample is not None:
            identity = self.downsample(x)
        return self.relu(out + identity)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.layer1 = self._make_layer(16, 32)
        self.heads = nn.ModuleList([nn.Conv2d(32, 32, 1) for _ in range(2)])
        self.pool = nn.ModuleDict({"avg": nn.AdaptiveAvgPool2d(1)})
        self.classifier = nn.Sequential(OrderedDict([("flat", nn.Flatten()),
                                                     ("drop", nn.Dropout(0.5)),
                                                     ("fc", nn.Linear(32, 10))]))

    def _make_layer(self, cin, cout):
        layers = [BasicBlock(cin, cin)]
        layers.append(BasicBlock(cin, cout, 2))
        return nn.Sequential(*layers)

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = self.layer1(x)
        for h in self.heads:
            x = h(x)
        x = self.pool["avg"](x)
        return self.classifier(x)
"""

NESTED = """
def block(cin, cout):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1), nn.BatchNorm2d(cout), nn.ReLU())

model = nn.Sequential(block(1, 8), nn.MaxPool2d(2),
                      nn.Sequential(nn.Conv2d(8, 16, 3), nn.ReLU()),
                      nn.Flatten(), nn.Linear(16 * 12 * 12, 10))
"""

EXTRA = [("blocks", BLOCKS, None), ("nested", NESTED, None)]


def torch_leaves(model: nn.Module, shape: tuple[int, ...]
                 ) -> dict[str, tuple[int, tuple[int, ...], int, int]]:
    """Each leaf module's named_modules() name: (calls in one forward pass, its last output's
    shape, trainable parameters, running statistics)."""
    seen: dict[str, tuple[int, tuple[int, ...], int, int]] = {}

    def hook(name: str) -> Any:
        def record(m: nn.Module, _: Any, out: torch.Tensor) -> None:
            calls = seen.get(name, (0,))[0]
            seen[name] = (calls + 1, tuple(out.shape[1:]), *counts(m))
        return record

    for name, m in model.named_modules():
        if name and not list(m.children()):
            m.register_forward_hook(hook(name))
    model.eval()
    with torch.no_grad():
        model(torch.zeros(1, *shape))
    return seen


@pytest.mark.parametrize(("name", "code", "input_shape"), MODELS + EXTRA,
                         ids=[m[0] for m in MODELS + EXTRA])
def test_names_are_torchs_and_key_the_rows_torch_sees(name: str, code: str,
                                                      input_shape: str | None) -> None:
    r = resolve(code, None, input_shape, model="Net" if name == "blocks" else None)
    s = summarize(r.nodes, r.shape, r.convention, 1, r.spec)
    names = ModuleNames(s, r.dialect)
    leaves = torch_leaves(torch_model(code), r.shape)
    # No name cnncalc gives is one torch lacks.
    assert set(names.runs) <= set(leaves)
    assert [m for m, v in leaves.items() if v[0] == 1 and v[2] + v[3] and
            m not in names.runs] == []
    answers = []
    for module, (calls, shape, trainable, stats) in leaves.items():
        if module not in names.runs:
            continue  # torch's only: an Identity, or a module cnncalc folds into another
        if calls > 1:
            with pytest.raises(UsageError, match="ambiguous"):
                names.find(module)
            continue
        rows = names.find(module)
        assert rows[-1].output_shape == shape, module
        assert sum(x.trainable_params for x in rows) == trainable, module
        assert sum(x.non_trainable_params for x in rows) == stats, module
        dims = "x".join(map(str, shape)) if len(shape) == 3 else f"({shape[0]},)"
        answers.append(f"'{module}': {dims}, {trainable + stats}")
    assert answers, "no module of the code is keyed by its name"
    marks = mark(s, parse_answers("\n".join(answers), PYTORCH), r.dialect)
    assert all(m.right for m in marks), [m for m in marks if not m.right]


def test_resnet_style_paths() -> None:
    """The paths torch gives through a method's Sequential of blocks, a ModuleList, a
    ModuleDict and an OrderedDict are the ones read."""
    r = resolve(BLOCKS, None, None, model="Net")
    s = summarize(r.nodes, r.shape, r.convention, 1, r.spec)
    leaves = torch_leaves(torch_model(BLOCKS), r.shape)
    assert {"layer1.1.downsample.0", "heads.1", "pool.avg", "classifier.fc"} <= \
        set(ModuleNames(s, r.dialect).runs)
    assert set(ModuleNames(s, r.dialect).runs) <= set(leaves)


@pytest.mark.parametrize(("name", "model", "shape", "build"), REALWORLD,
                         ids=[f"{e[0]}:{e[1]}" for e in REALWORLD])
def test_real_files_key_by_torchs_names(name: str, model: str, shape: str,
                                        build: str) -> None:
    """torchvision's resnet18 (layer1.0.conv2), blocks of blocks, branches joined by
    torch.cat: every module torch calls once is keyed by its named_modules() name."""
    r = resolve(fixture(name), None, shape, model=model)
    s = summarize(r.nodes, r.shape, r.convention)
    names = ModuleNames(s, r.dialect)
    leaves = torch_leaves(_torch(name, build), r.shape)
    assert set(names.runs) <= set(leaves)
    keyed = 0
    for module, (calls, out, trainable, stats) in leaves.items():
        if module not in names.runs:
            continue
        if calls > 1:
            with pytest.raises(UsageError, match="ambiguous"):
                names.find(module)
            continue
        rows = names.find(module)
        assert (rows[-1].output_shape, sum(x.trainable_params for x in rows),
                sum(x.non_trainable_params for x in rows)) == (out, trainable, stats), module
        keyed += 1
    assert keyed >= len(leaves) // 2
    # Every module with weights that torch calls once has its name.
    assert [m for m, v in leaves.items() if v[0] == 1 and v[2] + v[3] and
            m not in names.runs] == []
    if name == "torchvision_resnet.py":
        assert {"layer1.0.conv2", "layer2.0.downsample.0", "fc"} <= set(names.runs)
