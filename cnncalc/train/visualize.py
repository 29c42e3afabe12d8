"""What a trained net sees: first-layer filters and each conv stage's feature maps, as a PNG."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from torch import nn

from ..calc.summary import LayerInfo, Summary
from ..errors import ResourceError, UsageError, cut
from ..ops.shape import format_shape
from ..records import record
from . import checkpoint, upgrade
from .evaluate import finite_scores
from .model import Classifier
from .prep import available_memory, check_spec, prepare_model, tensors

MAX_FILTERS = 32
MAX_STAGES = 8
MAX_MAPS = 16  # channels shown per stage
BUDGET = 512 * 2**20  # bytes of activations for one image, the memory budget of visualize
_SPATIAL = frozenset({"conv", "convt", "residual", "repeat"})


@record
class Stage:
    label: str  # the layers that made the maps, e.g. "conv(16,5,stride=2)-bn-relu"
    shape: str  # "16x14x14"
    maps: np.ndarray  # (shown channels, H, W), float32
    channels: int  # channels in the stage; maps holds the first MAX_MAPS


@record
class View:
    image: np.ndarray  # (28, 28) uint8, the input as given
    filters: np.ndarray  # (n, kh, kw): first-layer kernels averaged over input channels
    filter_label: str
    stages: tuple[Stage, ...]
    more_stages: int
    predicted: int
    probability: float
    label: int | None


def check_budget(summary: Summary) -> None:
    """Refuse, before any forward pass, a net whose maps for one image would not fit."""
    need = sum(r.activations for r in summary.layers) * 4 + summary.total_params * 4
    have = available_memory()
    limit = min(BUDGET, have // 2) if have is not None else BUDGET
    if need > limit:
        raise ResourceError(f"showing this net's feature maps needs about {need / 2**20:,.0f} "
                            f"MiB; the limit is {limit / 2**20:,.0f} MiB",
                            "visualize a smaller model")


def _stage_rows(summary: Summary) -> list[tuple[int, int]]:
    """(first, last) top-level rows of each conv stage: a conv or block, then the pointwise
    layers after it that keep its shape."""
    out: list[tuple[int, int]] = []
    rows = summary.layers
    for i, r in enumerate(rows):
        if r.kind in _SPATIAL and len(r.output_shape) == 3:
            out.append((i, i))
        elif out and out[-1][1] == i - 1 and r.output_shape == r.input_shape and \
                len(r.output_shape) == 3 and r.kind not in ("maxpool", "avgpool", "gap"):
            out[-1] = (out[-1][0], i)
    return out


def _first_filters(model: nn.Module) -> tuple[np.ndarray, str]:
    """The kernels of the first conv (or transposed conv), each averaged over the input
    channels it reads."""
    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
            w = m.weight.detach().float()
            if isinstance(m, nn.ConvTranspose2d):  # stored (in, out/groups, kh, kw)
                w = w.transpose(0, 1)
            n = min(w.shape[0], MAX_FILTERS)
            kind = "transposed-conv kernels" if isinstance(m, nn.ConvTranspose2d) else "filters"
            label = (f"first-layer {kind}: {n} of {w.shape[0]}, each "
                     f"{w.shape[1]}x{w.shape[2]}x{w.shape[3]}"
                     + (" (mean over input channels)" if w.shape[1] > 1 else ""))
            return w[:n].mean(1).numpy(), label
    return np.zeros((0, 1, 1), np.float32), "no conv layer: no filters to show"


def _label(rows: tuple[LayerInfo, ...]) -> str:
    text = "-".join(r.spec if not r.is_block else (r.label or r.kind) for r in rows)
    return cut(text, 70)


@record
class Opened:
    """A checkpoint's model, checked against the memory budget before it was built."""

    summary: Summary
    model: Classifier  # prep (padding, normalisation), then the spec's layers
    input_shape: tuple[int, ...]
    convention: str
    path: Path


def open_checkpoint(path: Path) -> Opened:
    data = checkpoint.load(path)
    shape = tuple(int(d) for d in data["input_shape"])
    spec, convention = str(data["spec"]), str(data["convention"])
    if len(shape) != 3:
        raise UsageError(f"{path}: the model reads a flat vector of {shape[0]}, not an "
                         "image", "visualize shows the feature maps of image models")
    summary = check_spec(spec, shape, convention)
    check_budget(summary)
    model, _ = prepare_model(spec, shape, convention)
    checkpoint.restore(model, upgrade.model_state(data, str(path)), path)
    model.eval()
    return Opened(summary, model, shape, convention, path)


@torch.inference_mode()
def view(path: Path | Opened, image: np.ndarray, label: int | None) -> View:
    """Run one image through the model, keeping each conv stage's output."""
    opened = path if isinstance(path, Opened) else open_checkpoint(path)
    summary, model, convention = opened.summary, opened.model, opened.convention
    x = model.prep(tensors(image[None], opened.input_shape, torch.device("cpu")))
    stages = _stage_rows(summary)
    ends = {last: first for first, last in stages}
    kept: list[Stage] = []
    layers = model.layers
    assert isinstance(layers, nn.Sequential)
    for i, module in enumerate(layers):
        x = module(x)
        if i in ends and len(kept) < MAX_STAGES:
            maps = x[0, :MAX_MAPS].float().numpy().copy()
            kept.append(Stage(_label(summary.layers[ends[i]:i + 1]),
                              format_shape(summary.layers[i].output_shape, convention),
                              maps, int(x.shape[1])))
    probs = finite_scores(x.float().reshape(1, -1), opened.path)
    if not isinstance(layers[-1], nn.Softmax):
        probs = probs.softmax(1)
    best = int(probs.argmax(1)[0])
    filters, filter_label = _first_filters(model)
    return View(image, filters, filter_label, tuple(kept), len(stages) - len(kept), best,
                float(probs[0, best]), label)
