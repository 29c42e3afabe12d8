"""Evaluating checkpoints on the MNIST test set, alone or as an ensemble, and predicting."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from ..calc.shape import Shape
from ..data import Mnist
from ..errors import CheckpointError, DataError, UsageError
from . import checkpoint, upgrade
from .device import resolve_device, resolve_precision
from .prep import evaluate_logits, prepare_model, tensors


@dataclass(frozen=True)
class Loaded:
    path: Path
    spec: str
    input_shape: Shape
    epoch: int
    logits_model: nn.Module
    info: dict[str, Any]


@dataclass(frozen=True)
class PlainSpec:
    """What a plain state dict cannot say about itself: the spec it was trained as."""

    spec: str
    input_shape: Shape
    convention: str = "pytorch"


def _read_plain(path: Path) -> dict[str, torch.Tensor]:
    """A file holding only a state dict (names to tensors), loaded without running code."""
    if not path.is_file():
        raise CheckpointError(f"{path}: no such file")
    try:
        data = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as e:  # torch raises many kinds for a foreign or broken file
        line = (str(e).splitlines() or [type(e).__name__])[0][:120]
        raise CheckpointError(f"{path}: not a readable state dict ({line})",
                              "it may be truncated, or not a torch file") from None
    if isinstance(data, dict) and data.get("format") == checkpoint.FORMAT:
        return data
    if not isinstance(data, dict) or not data or not all(
            isinstance(k, str) and isinstance(v, torch.Tensor) for k, v in data.items()):
        raise CheckpointError(f"{path}: neither a cnncalc checkpoint nor a state dict "
                              "(a dict of tensors)")
    return data


def load_model(path: str | Path, device: torch.device, plain: PlainSpec | None = None
               ) -> Loaded:
    """A checkpoint of 'cnncalc train', or with `plain` a state dict such as
    `Net().state_dict()` of the class that 'cnncalc export' writes."""
    p = Path(path)
    if plain is not None:
        raw = _read_plain(p)
        if raw.get("format") != checkpoint.FORMAT:
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
    try:
        data = checkpoint.load(path)
    except CheckpointError as e:
        if e.message.endswith("not a cnncalc checkpoint"):
            raise CheckpointError(e.message, "for a plain state dict, give its model with "
                                  "--spec SPEC (and --input)") from None
        raise
    shape = tuple(int(d) for d in data["input_shape"])
    model, logits = prepare_model(str(data["spec"]), shape, str(data["convention"]))
    checkpoint.restore(model, upgrade.model_state(data, str(path)), path)
    model.to(device)
    model.eval()
    return Loaded(p, str(data["spec"]), shape, int(data["epoch"]), logits,
                  {k: data[k] for k in ("options", "cnncalc_version", "history") if k in data})


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
             precision: str = "fp32", plain: PlainSpec | None = None) -> dict[str, Any]:
    """Metrics for each checkpoint and, for several, for the mean of their probabilities.

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
        m = load_model(p, device, plain)
        x = tensors(data.test_images, m.input_shape, device)
        probs = evaluate_logits(m.logits_model, x, dtype).softmax(1)
        members.append({"checkpoint": str(p), "spec": m.spec, "epoch": m.epoch,
                        **metrics(probs, labels)})
        total = probs if total is None else total + probs
    assert total is not None
    if len(members) == 1:
        return members[0]
    return {**metrics(total / len(members), labels), "members": members}


def read_image(path: Path) -> np.ndarray:
    """A digit image as uint8 28x28, white on black like MNIST."""
    if not path.exists():
        raise DataError(f"{path}: no such file")
    if path.suffix == ".npy":
        try:
            arr = np.load(path, allow_pickle=False)
        except (ValueError, OSError) as e:
            raise DataError(f"{path}: not a readable .npy file ({e})") from None
        img = np.asarray(arr, dtype=np.float64).squeeze()
    else:
        try:
            from PIL import Image, UnidentifiedImageError
        except ImportError:
            raise UsageError("reading images needs Pillow",
                             "pip install 'cnncalc[train]', or pass a .npy array") from None
        try:
            with Image.open(path) as im:
                img = np.asarray(im.convert("L").resize((28, 28), Image.Resampling.BILINEAR),
                                 dtype=np.float64)
        except (UnidentifiedImageError, OSError) as e:
            raise DataError(f"{path}: not a readable image ({e})") from None
    if img.ndim != 2:
        raise DataError(f"{path}: expected a 2-D grey image, got shape {img.shape}")
    if img.shape != (28, 28):
        raise DataError(f"{path}: expected 28x28 pixels, got {img.shape[0]}x{img.shape[1]}",
                        "resize it to 28x28")
    if img.max() <= 1.0:
        img = img * 255
    if img.mean() > 127:  # dark digit on a light page: invert to MNIST's white on black
        img = 255 - img
    return np.clip(img, 0, 255).astype(np.uint8)


def predict(path: str, image: np.ndarray, top: int = 3, device_name: str = "auto",
            plain: PlainSpec | None = None) -> list[tuple[int, float]]:
    device = resolve_device(device_name)
    m = load_model(path, device, plain)
    x = tensors(image[None], m.input_shape, device)
    probs = evaluate_logits(m.logits_model, x, None).softmax(1)[0]
    values, classes = probs.topk(min(top, 10))
    return [(int(c), float(v)) for c, v in zip(classes, values)]
