"""Every model of the dialect suites (torch, Keras and branch models, the real-world files,
the spec models, the presets at a small input) built by the trainer's builder
(train/model.py), layer by layer against what `summary` gives; the train path's refusals;
and a few steps of the real training loop on a handful of them.

Oracle: torch. The built module runs on the CPU (large ones without initialising their
weights, which only their values depend on) and forward hooks read each leaf
module's output shape; parameters are counted from the module. Both must equal the
summary's rows and totals. Each model's summary is itself checked against the code run in
torch by the dialect suites (tests/dialects), so this closes the loop code -> summary ->
built module.
"""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path

import numpy as np
import pytest
import torch

from cnncalc import data
from cnncalc.calc.summary import Summary
from cnncalc.dialects.resolve import resolve
from cnncalc.errors import LayerError, UsageError
from cnncalc.train.buildcheck import check_model
from cnncalc.train.loop import TrainOptions, train
from cnncalc.train.model import build
from cnncalc.train.prep import check_spec, tensors

from .idx import write_mnist
from .suite_models import Model, all_models, no_init

torch.set_num_threads(1)

MODELS = all_models()
RUN = 300_000  # larger models keep torch.empty's values: their checks need shapes only

# Models the builder refuses, with the one-line reason.
UNBUILDABLE = {
    # Keras AveragePooling2D(2, padding="same"): Keras leaves the padded cells out of each
    # average on an uneven border, which no torch pooling layer does.
    "keras-same-even": "Keras average pooling with uneven 'same' padding has no exact "
                       "PyTorch equivalent",
}

# Trained for two steps through the real loop (train/loop.py): small models the trainer
# takes as they are (1 channel, 28x28 or larger, 10 class scores), one of each dialect and
# the block kinds (residual, concatenation, repeat).
TRAINED = ["torch-lenet5", "torch-residual", "keras-keras-io-mnist", "keras-batchnorm",
           "pasted-Net", "spec-0", "preset-mnist-fast", "preset-lenet5"]

_SUMMARIES: dict[str, Summary] = {}


def _summary(m: Model) -> Summary:
    if m.id not in _SUMMARIES:
        _SUMMARIES[m.id] = m.summary()
    return _SUMMARIES[m.id]


@pytest.mark.parametrize("m", MODELS, ids=[m.id for m in MODELS])
def test_built_module_agrees_with_summary(m: Model) -> None:
    s = _summary(m)
    if m.id in UNBUILDABLE:
        with pytest.raises(UsageError) as e:
            build(s)
        assert str(e.value).startswith(UNBUILDABLE[m.id]) and "\n" not in str(e.value)
        return
    with no_init() if s.total_params > RUN else nullcontext():
        model = build(s)
    rows, ok = check_model(s, model)
    with torch.no_grad():
        y = model.eval()(torch.zeros(1, *s.input_shape))
    assert ok, "\n".join(" ".join(map(str, r)) for r in rows if r[-1] != "✓")
    assert tuple(y.shape[1:]) == s.output_shape
    assert sum(p.numel() for p in model.parameters() if p.requires_grad) == s.trainable_params
    buffers = sum(b.numel() for n, b in model.named_buffers()
                  if not n.endswith("num_batches_tracked"))
    assert buffers == s.non_trainable_params


def _train_refusal(s: Summary) -> str | None:
    """The reason `train` refuses the model, derived from its summary: MNIST gives
    1x28x28 images (zero-padded to a larger input) and 10 classes."""
    if len(s.input_shape) != 3:
        return "train feeds the model 1x28x28 images"
    c, h, w = s.input_shape
    if s.output_shape != (10,):
        return "but MNIST needs 10 class scores"
    if c != 1:
        return "MNIST has 1 channel"
    if h < 28 or w < 28:
        return "MNIST images are 28x28, larger than"
    return None


@pytest.mark.parametrize("m", MODELS, ids=[m.id for m in MODELS])
def test_train_path_takes_or_refuses_in_one_line(m: Model) -> None:
    """The train path's own checks (prep.check_spec on the resolved spec, prep.tensors on
    MNIST-sized images) take exactly the models that fit MNIST; the others are refused with
    a one-line error that says why."""
    r = resolve(m.source, m.preset, m.input, None, m.model)
    s = _summary(m)
    want = _train_refusal(s)
    images = np.zeros((2, 28, 28), np.uint8)
    try:
        check_spec(r.spec, r.shape, r.convention)
        x = tensors(images, r.shape, torch.device("cpu"))
    except (LayerError, UsageError) as e:
        assert want is not None and want in str(e), (want, str(e))
        assert "\n" not in str(e)
        return
    assert want is None, want
    assert tuple(x.shape) == (2, 1, 28, 28)


@pytest.fixture(scope="module")
def synth(tmp_path_factory: pytest.TempPathFactory) -> data.Mnist:
    directory = tmp_path_factory.mktemp("mnist")
    write_mnist(directory, n_train=96, n_test=32)
    return data.load(directory)


@pytest.mark.parametrize("name", TRAINED)
def test_a_few_training_steps(name: str, synth: data.Mnist, tmp_path: Path) -> None:
    """Two steps of the real loop (64 images, batch 32): forward, loss, backward and the
    optimizer's update run, the loss is finite, and the checkpoint holds the summary's
    parameters."""
    m = next(m for m in MODELS if m.id == name)
    r = resolve(m.source, m.preset, m.input, None, m.model)
    s = _summary(m)
    assert _train_refusal(s) is None
    options = TrainOptions(epochs=1, batch_size=32, lr=0.01, optimizer="adamw",
                           schedule="none", precision="fp32", device="cpu",
                           limit_train=64, val_split=16)
    result = train(r.spec, r.shape, options, tmp_path, synth, convention=r.convention)
    assert np.isfinite(result.history[0]["train_loss"])
    ck = torch.load(tmp_path / "last.pt", map_location="cpu", weights_only=False)
    state = ck["model"]
    trained = sum(v.numel() for k, v in state.items() if k.startswith("layers.")
                  and not k.endswith(("running_mean", "running_var", "num_batches_tracked")))
    assert trained == s.trainable_params


@pytest.mark.parametrize(("args", "needle"), [
    (["conv(4,3)-flatten-fc(10)", "-i", "3x32x32"], "MNIST has 1 channel"),
    # Was "internal error: IndexError": a model that takes a flat vector, not an image.
    (["FLAT"], "train feeds the model 1x28x28 images, but it takes a vector of 784"),
])
def test_a_refused_model_is_one_line_through_the_cli(synth: data.Mnist, tmp_path: Path,
                                                     args: list[str], needle: str) -> None:
    """`train` on a model MNIST cannot feed says so in one line, exit 2, no traceback."""
    from typer.testing import CliRunner

    from cnncalc.cli import app

    flat = tmp_path / "flat.py"
    flat.write_text("from torch import nn\n\n"
                    "net = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))\n")
    args = [str(flat) if a == "FLAT" else a for a in args]
    result = CliRunner().invoke(app, ["train", *args, "--data-dir", str(synth.source),
                                      "--epochs", "1", "--out", str(tmp_path / "run")])
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and needle in lines[0], lines


def test_every_refusal_is_counted() -> None:
    """The suites hold models of every kind of refusal, and models train takes."""
    reasons = [_train_refusal(_summary(m)) for m in MODELS if m.id not in UNBUILDABLE]
    assert None in reasons
    assert {r for r in reasons if r} == {"but MNIST needs 10 class scores",
                                         "MNIST has 1 channel",
                                         "train feeds the model 1x28x28 images"}
