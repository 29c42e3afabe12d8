"""Evaluating checkpoints on the MNIST test set, alone or as an ensemble, and predicting."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from ..data import Mnist
from ..errors import CheckpointError, UsageError
from ..ops.shape import Shape
from ..records import record
from . import checkpoint, checkpoint_fields, upgrade
from .device import resolve_device, resolve_precision
from .prep import check_inference_memory, check_spec, evaluate_logits, prepare_model, tensors


@record
class Loaded:
    path: Path
    spec: str
    input_shape: Shape
    epoch: int
    logits_model: nn.Module
    info: dict[str, Any]


@record
class PlainSpec:
    """What a plain state dict cannot say about itself: the spec it was trained as."""

    spec: str
    input_shape: Shape
    convention: str = "pytorch"


def _read_plain(path: Path) -> dict[str, torch.Tensor]:
    """A file holding only a state dict (names to tensors), loaded without running code."""
    data = checkpoint.read_raw(path)
    if isinstance(data, dict) and data.get("format") == checkpoint.FORMAT:
        return data
    if not isinstance(data, dict) or not data or not all(
            isinstance(k, str) and isinstance(v, torch.Tensor) for k, v in data.items()):
        raise CheckpointError(f"{path}: neither a cnncalc checkpoint nor a state dict "
                              "(a dict of tensors)")
    # The weights and the normalisation (prep.mean, prep.std) of the exported class.
    checkpoint_fields.check_model(path, {"model": data, "model_layout": 2})
    return data


def finite_scores(scores: torch.Tensor, path: str | Path) -> torch.Tensor:
    """`scores`, refused when any is NaN or infinite: an accuracy or a probability computed
    from them would be a number that means nothing (weights that overflow, say)."""
    bad = int((~torch.isfinite(scores)).reshape(len(scores), -1).any(1).sum())
    if bad:
        raise CheckpointError(f"{path}: its model gives NaN or infinite class scores for "
                              f"{bad:,} of {len(scores):,} images",
                              "its weights are damaged or overflow; use another checkpoint")
    return scores


def _check_budget(path: Path, spec: str, shape: Shape, convention: str, images: int,
                  device: torch.device, plain: bool = False) -> None:
    """Refuse, before building, a spec that claims more weights than the file holds, or
    more memory than evaluating `images` inputs can have."""
    summary = check_spec(spec, shape, convention)
    size = path.stat().st_size
    if summary.total_params * 2 > size and plain:
        raise CheckpointError(f"{path}: this state dict does not fit --spec {spec[:60]} (the "
                              f"spec has {summary.total_params:,} parameters, more than the "
                              f"file's {size:,} bytes can hold)",
                              "give the spec and --input it was trained with")
    if summary.total_params * 2 > size:  # at least 2 bytes a weight, even in half precision
        raise CheckpointError(f"{path}: damaged checkpoint (its spec has "
                              f"{summary.total_params:,} parameters, more than its {size:,} "
                              "bytes can hold)", "the file was altered or comes from another "
                              "model")
    check_inference_memory(summary, images, device, f"evaluating {path}")


def load_model(path: str | Path, device: torch.device, plain: PlainSpec | None = None,
               images: int = 1, payload: dict[str, Any] | None = None) -> Loaded:
    """A checkpoint of 'cnncalc train', or with `plain` a state dict such as
    `Net().state_dict()` of the class that 'cnncalc export' writes. `payload` is the
    checkpoint already loaded by `read_checkpoints`, so it is not read and verified twice."""
    p = Path(path)
    if plain is not None:
        raw = _read_plain(p)
        if raw.get("format") != checkpoint.FORMAT:
            _check_budget(p, plain.spec, plain.input_shape, plain.convention, images, device,
                          plain=True)
            model, logits = prepare_model(plain.spec, plain.input_shape, plain.convention)
            try:
                checkpoint.restore(model, raw, path)
            except CheckpointError as e:
                detail = e.message.partition("(")[2].rstrip(")") or e.message
                raise CheckpointError(f"{path}: this state dict does not fit --spec "
                                      f"{plain.spec[:60]} ({detail})",
                                      "give the spec and --input it was trained with") from None
            model.to(device).eval()
            return Loaded(p, plain.spec, plain.input_shape, 0, logits, {})
    data = payload if payload is not None else checkpoint.load(path)
    shape = tuple(int(d) for d in data["input_shape"])
    _check_budget(p, str(data["spec"]), shape, str(data["convention"]), images, device)
    model, logits = prepare_model(str(data["spec"]), shape, str(data["convention"]))
    checkpoint.restore(model, upgrade.model_state(data, str(path)), path)
    model.to(device)
    model.eval()
    return Loaded(p, str(data["spec"]), shape, int(data["epoch"]), logits,
                  {k: data[k] for k in ("options", "cnncalc_version", "history") if k in data})


def read_checkpoints(paths: list[str]) -> dict[str, dict[str, Any]]:
    """Each checkpoint loaded and verified once, before any data is read."""
    return {p: checkpoint.load(p) for p in paths}


def dataset_of(loaded: Mapping[str, dict[str, Any]]) -> str:
    """The dataset the checkpoints were trained on (mnist for those that predate the choice);
    an ensemble must agree."""
    from ..data import DATASETS

    names = set()
    for p, payload in loaded.items():
        name = payload["options"].get("dataset", "mnist")
        if not isinstance(name, str) or name not in DATASETS:
            raise CheckpointError(f"{p}: damaged checkpoint (dataset {str(name)[:30]!r} is not "
                                  f"one of {', '.join(DATASETS)})", "pass --dataset")
        names.add(name)
    if len(names) > 1:
        raise UsageError(f"the checkpoints were trained on different datasets "
                         f"({', '.join(sorted(names))})", "pass --dataset to choose one")
    return names.pop() if names else "mnist"


def metrics(probs: torch.Tensor, labels: torch.Tensor) -> dict[str, Any]:
    """Accuracy, loss (NLL of the probabilities), per-class accuracy and confusion matrix."""
    pred = probs.argmax(1)
    confusion = torch.zeros(10, 10, dtype=torch.long)
    confusion.index_put_((labels.cpu(), pred.cpu()), torch.ones_like(labels.cpu()),
                         accumulate=True)
    per_class = [float(confusion[c, c] / max(int(confusion[c].sum()), 1)) for c in range(10)]
    loss = float(nn.functional.nll_loss(probs.clamp_min(1e-12).log(), labels))
    return {"accuracy": float((pred == labels).float().mean()), "loss": loss,
            "per_class_accuracy": per_class, "confusion": confusion.tolist(),
            "count": len(labels)}


def evaluate(paths: list[str], data: Mnist, device_name: str = "auto",
             precision: str = "fp32", plain: PlainSpec | None = None,
             loaded: Mapping[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """Metrics for each checkpoint and, for several, for the mean of their probabilities.
    `loaded` holds checkpoints already read by `read_checkpoints`.

    fp32 by default, so the figures equal a plain PyTorch forward pass image for image.
    """
    if not paths:
        raise UsageError("give at least one checkpoint")
    device = resolve_device(device_name)
    dtype = resolve_precision(precision, device)
    labels = torch.from_numpy(data.test_labels.astype(np.int64)).to(device)
    members = []
    total: torch.Tensor | None = None
    for p in paths:
        m = load_model(p, device, plain, len(data.test_images), (loaded or {}).get(p))
        x = tensors(data.test_images, m.input_shape, device)
        probs = finite_scores(evaluate_logits(m.logits_model, x, dtype), p).softmax(1)
        members.append({"checkpoint": str(p), "spec": m.spec, "epoch": m.epoch,
                        **metrics(probs, labels)})
        total = probs if total is None else total + probs
    assert total is not None
    if len(members) == 1:
        return members[0]
    return {**metrics(total / len(members), labels), "members": members}


def predict(path: str, image: np.ndarray, top: int = 3, device_name: str = "auto",
            plain: PlainSpec | None = None, payload: dict[str, Any] | None = None
            ) -> list[tuple[int, float]]:
    device = resolve_device(device_name)
    m = load_model(path, device, plain, payload=payload)
    x = tensors(image[None], m.input_shape, device)
    probs = finite_scores(evaluate_logits(m.logits_model, x, None), path).softmax(1)[0]
    values, classes = probs.topk(min(top, 10))
    return [(int(c), float(v)) for c, v in zip(classes, values)]
