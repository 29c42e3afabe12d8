"""Getting a spec and MNIST ready for torch: tensors, model, initialisation, memory, inference."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from .. import budget
from ..calc import summarize_spec
from ..calc.summary import Summary
from ..errors import LayerError, ResourceError, UsageError
from ..ops.shape import PYTORCH, Shape, format_shape
from .model import Classifier, Normalize, build

INITS = ("default", "normal", "uniform", "xavier", "kaiming")
MEAN, STD = 0.1307, 0.3081  # MNIST training-set pixel statistics
EVAL_BATCH = 1000


def tensors(images: np.ndarray, shape: Shape, device: torch.device) -> torch.Tensor:
    """uint8 (N, 28, 28) -> raw float (N, 1, 28, 28) in 0..1; the model pads and normalises."""
    c, h, w = shape
    if c != 1:
        raise UsageError(f"MNIST has 1 channel but the spec's input is {c}x{h}x{w}",
                         "use --input 1x28x28")
    if h < 28 or w < 28:
        raise UsageError(f"MNIST images are 28x28, larger than the spec's input {h}x{w}",
                         "use --input 1x28x28 or larger (it is zero-padded)")
    x = torch.from_numpy(np.ascontiguousarray(images)).to(device)
    return x.unsqueeze(1).float().div_(255)


def check_spec(spec: str, input_shape: Shape, convention: str = PYTORCH) -> Summary:
    """The spec's summary, refusing specs that cannot classify MNIST. Allocates nothing."""
    if len(input_shape) != 3:
        # The trainer feeds C x H x W images (padded and normalised by Normalize).
        takes = f"a vector of {input_shape[0]}" if len(input_shape) == 1 else \
            format_shape(input_shape, convention)
        raise UsageError(f"train feeds the model 1x28x28 images, but it takes {takes}",
                         "start the model with a flatten (nn.Flatten()) so that it takes "
                         "images")
    summary = summarize_spec(spec, input_shape, convention)
    if summary.output_shape != (10,):
        raise LayerError(f"the spec ends in {format_shape(summary.output_shape, convention)}, "
                         "but MNIST needs 10 class scores", "end the spec with flatten-fc(10)")
    return summary


def prepare_model(spec: str, input_shape: Shape, convention: str = PYTORCH
                  ) -> tuple[Classifier, Classifier]:
    """(full model, the part trained on logits: a final softmax is left to the loss).

    Both take raw 0..1 images: the first module pads and normalises them (see Normalize).
    """
    layers = build(check_spec(spec, input_shape, convention))
    model = Classifier(Normalize(input_shape[1], input_shape[2], MEAN, STD), layers)
    if isinstance(layers[-1], nn.Softmax):
        return model, Classifier(model.prep, layers[:-1])
    return model, model


def init_weights(model: nn.Module, scheme: str, generator_seed: int) -> None:
    """Re-initialise conv and linear weights: the classic schemes; biases become 0."""
    if scheme == "default":
        return
    torch.manual_seed(generator_seed)
    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
            if scheme == "normal":
                nn.init.normal_(m.weight, 0.0, 0.01)
            elif scheme == "uniform":
                nn.init.uniform_(m.weight, -0.05, 0.05)
            elif scheme == "xavier":
                nn.init.xavier_uniform_(m.weight)
            elif scheme == "kaiming":
                nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
            if m.bias is not None:
                nn.init.zeros_(m.bias)


def memory_needed(spec: str, input_shape: Shape, batch: int, convention: str = PYTORCH,
                  images: int = 70_000) -> int:
    """Rough bytes for training: weights, grads and two optimizer moments, activations kept
    for backward (twice, for their gradients), and the dataset in float32. `images` defaults
    to the published train + test counts, the most an IDX header may declare."""
    s = summarize_spec(spec, input_shape, convention)
    params = s.total_params * 4 * 4
    acts = s.activation_bytes * batch * 2
    data = images * 4 * (input_shape[0] * input_shape[1] * input_shape[2])
    return params + acts + data


def inference_memory(summary: Summary, images: int) -> int:
    """Rough bytes to evaluate `images` inputs: weights, the inputs in float32, one batch of
    activations (kept for the whole forward pass, as a bound), and the class scores."""
    per_image = summary.input_bytes // max(summary.batch, 1)
    acts = summary.activation_bytes // max(summary.batch, 1) * min(images, EVAL_BATCH)
    return summary.param_bytes + per_image * images + acts + images * 10 * 4 * 2


def check_inference_memory(summary: Summary, images: int, device: torch.device,
                           what: str) -> None:
    have = torch.cuda.mem_get_info(device)[0] if device.type == "cuda" else None
    budget.check(inference_memory(summary, images), what,
                 "the checkpoint's model or input shape is too large for this machine",
                 have, device.type)


def available_memory() -> int | None:
    return budget.available_memory()


def check_memory(spec: str, input_shape: Shape, batch: int, device: torch.device,
                 convention: str = PYTORCH) -> None:
    need = memory_needed(spec, input_shape, batch, convention)
    if device.type == "cuda":
        have: int | None = torch.cuda.mem_get_info(device)[0]
    else:
        have = available_memory()
    if have is not None and need > have:
        raise ResourceError(f"training this model needs about {need / 2**30:.1f} GiB but "
                            f"{device.type} has {have / 2**30:.1f} GiB available",
                            "lower --batch-size or use a smaller model")


@torch.inference_mode()
def evaluate_logits(model: nn.Module, x: torch.Tensor, dtype: torch.dtype | None) -> torch.Tensor:
    model.eval()
    outs = []
    for i in range(0, len(x), EVAL_BATCH):
        with torch.autocast(x.device.type, dtype=dtype or torch.float32, enabled=dtype is not None):
            outs.append(model(x[i:i + EVAL_BATCH]).float())
    return torch.cat(outs)
