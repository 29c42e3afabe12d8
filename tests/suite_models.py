"""Every model the dialect suites read, as (id, how to resolve it): the torch models, the Keras
models, the branch models of both, the real-world fixture files, the spec models and the
presets. Tests that build, export or train each of them draw from here."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from cnncalc.calc.summary import Summary, summarize
from cnncalc.dialects.resolve import resolve
from cnncalc.presets import PRESETS

from .dialects.branch_models import MODELS as BRANCH_MODELS
from .dialects.keras_branch_models import MODELS as KERAS_BRANCH_MODELS
from .dialects.keras_models import HEADER
from .dialects.keras_models import MODELS as KERAS_MODELS
from .dialects.realworld import fixture, have, model_files
from .dialects.test_realworld_torch import EXACT
from .dialects.test_spec_dialect import SPECS
from .dialects.torch_models import MODELS as TORCH_MODELS
from .dialects.torch_models import SEQ

PASTED = Path(__file__).resolve().parent / "fixtures" / "pasted_net.py"

# Presets at a small input where the architecture allows one (the layers and parameters do
# not depend on H and W, except through flatten-fc, which the presets size from the input).
SMALL_INPUT = {"alexnet": "3x64x64", "vgg16": "3x32x32", "resnet18": "3x32x32",
               "resnet34": "3x32x32", "resnet50": "3x32x32", "googlenet": "3x32x32",
               "inception_v3": "3x75x75", "densenet121": "3x32x32", "squeezenet1_0": "3x64x64",
               "mobilenet_v2": "3x32x32", "unet": "3x32x32"}


@contextmanager
def no_init() -> Iterator[None]:
    """Modules built inside keep torch.empty's values: for checks of shapes and counts only.
    (Initialising a large model costs seconds on the CPU; on the meta device the first
    initialisation loads torch's meta kernels, which costs as much.)"""
    names = ("kaiming_uniform_", "uniform_", "normal_", "ones_", "zeros_", "trunc_normal_")
    saved = {n: getattr(torch.nn.init, n) for n in names}

    def keep(tensor: torch.Tensor, *args: Any, **kwargs: Any) -> torch.Tensor:
        return tensor

    try:
        for n in names:
            setattr(torch.nn.init, n, keep)
        yield
    finally:
        for n, f in saved.items():
            setattr(torch.nn.init, n, f)


@dataclass(frozen=True)
class Model:
    """One model of the suites: SPEC_OR_CODE with --input, --preset and --model."""

    id: str
    source: str | None
    input: str | None = None
    preset: str | None = None
    model: str | None = None

    def summary(self) -> Summary:
        r = resolve(self.source, self.preset, self.input, None, self.model)
        return summarize(r.nodes, r.shape, r.convention, 1, r.spec)


def all_models() -> list[Model]:
    out: list[Model] = []
    out += [Model(f"torch-{n}", SEQ + code, shape) for n, code, shape in TORCH_MODELS]
    out += [Model(f"keras-{n}", HEADER + code, shape) for n, code, shape in KERAS_MODELS]
    out += [Model(f"branch-{n}", code, shape) for n, code, shape in BRANCH_MODELS]
    out += [Model(f"keras-branch-{n}", code) for n, code, _, _ in KERAS_BRANCH_MODELS]
    seen = {m.id for m in out}
    out += [Model(i, code, None, None, name) for i, code, name in model_files()
            if f"torch-{i}" not in seen and i not in seen
            and not i.startswith(("torch-", "keras-"))]
    out += [Model(f"fixture-{f.removesuffix('.py')}-{name}", fixture(f), shape, None, name)
            for f, name, shape, _ in EXACT if have(f)]
    pasted = PASTED.read_text(encoding="utf-8")
    out += [Model(f"pasted-{name}", pasted, None, None, name) for name in ("Net", "small")]
    out += [Model(f"spec-{i}", spec, shape) for i, (spec, shape) in enumerate(SPECS)]
    out += [Model(f"preset-{name}", None, SMALL_INPUT.get(name), name) for name in PRESETS]
    return out
