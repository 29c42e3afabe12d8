"""Training through the API on small synthetic data: files, resume equivalence, refusals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from cnncalc import data
from cnncalc.errors import LayerError, ResourceError, RunDirError, UsageError
from cnncalc.train import checkpoint, prep, rundir
from cnncalc.train import loop as train_mod
from cnncalc.train.loop import TrainOptions, train

from .idx import write_mnist

SPEC = "conv(8,3,bias=false)-bn-relu-maxpool(2)-dropout(0.25)-flatten-fc(10)"
FAST = TrainOptions(epochs=3, batch_size=64, lr=0.01, optimizer="adam", schedule="onecycle",
                    precision="fp32", seed=3, val_split=64)


@pytest.fixture(scope="module")
def synth(tmp_path_factory: pytest.TempPathFactory) -> data.Mnist:
    directory = tmp_path_factory.mktemp("mnist")
    write_mnist(directory, n_train=384, n_test=128)
    return data.load(directory)


def test_run_writes_files_and_learns(synth: data.Mnist, tmp_path: Path) -> None:
    result = train(SPEC, (1, 28, 28), FAST, tmp_path, synth)
    rows = [json.loads(line) for line in (tmp_path / "metrics.jsonl").read_text().splitlines()]
    assert [r["epoch"] for r in rows] == [1, 2, 3]
    for key in ("epoch", "train_loss", "train_acc", "val_loss", "val_acc", "test_loss",
                "test_acc", "seconds", "images_per_s"):
        assert key in rows[0]
    # The synthetic classes are bright bands at distinct rows: trivially separable.
    assert rows[-1]["test_acc"] > 0.9
    last = checkpoint.load(tmp_path / "last.pt")
    best = checkpoint.load(tmp_path / "best.pt")
    # best.pt is the first epoch with the highest validation accuracy, whatever the test says.
    best_epoch = max(range(3), key=lambda i: (rows[i]["val_acc"], -i)) + 1
    assert last["epoch"] == 3 and best["epoch"] == best_epoch
    assert best["state"]["best_acc"] == rows[best_epoch - 1]["val_acc"]
    assert best["split"] == {"val_images": 64, "train_images": 320, "seed": 3}
    for key in ("spec", "input_shape", "options", "model", "optimizer", "scheduler", "rng",
                "cnncalc_version"):
        assert key in last
    assert result.best_acc == max(r["val_acc"] for r in rows)
    # Plain PyTorch reads it all: the model strictly, the optimizer state by torch.optim.
    model, _ = prep.prepare_model(SPEC, (1, 28, 28))
    model.load_state_dict(last["model"], strict=True)
    assert last["optimizer_class"] == "Adam"
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    opt.load_state_dict(last["optimizer"])
    assert int(opt.state_dict()["state"][0]["step"]) == 15  # 3 epochs of 5 steps


@pytest.mark.parametrize("precision", ["fp32", "auto"])
@pytest.mark.parametrize("stop_after", [5, 6 + 6 + 2])
def test_resume_is_bit_identical(synth: data.Mnist, tmp_path: Path, precision: str,
                                 stop_after: int) -> None:
    options = TrainOptions(**{**FAST.__dict__, "precision": precision})
    train(SPEC, (1, 28, 28), options, tmp_path / "a", synth)
    steps = {"n": 0}

    def stop() -> bool:
        steps["n"] += 1
        return steps["n"] >= stop_after

    part = train(SPEC, (1, 28, 28), options, tmp_path / "b", synth, should_stop=stop)
    assert part.interrupted
    state = checkpoint.load(tmp_path / "b" / "last.pt")
    train(SPEC, (1, 28, 28), options, tmp_path / "b", synth, resume=state)
    a = checkpoint.load(tmp_path / "a" / "last.pt")
    b = checkpoint.load(tmp_path / "b" / "last.pt")
    for key, tensor in a["model"].items():
        assert torch.equal(tensor, b["model"][key]), key
    assert a["history"][-1]["test_acc"] == b["history"][-1]["test_acc"]
    assert a["history"][-1]["train_loss"] == pytest.approx(b["history"][-1]["train_loss"])


def test_extending_epochs_replans_schedule(synth: data.Mnist, tmp_path: Path) -> None:
    one = TrainOptions(**{**FAST.__dict__, "epochs": 1})
    train(SPEC, (1, 28, 28), one, tmp_path, synth)
    state = checkpoint.load(tmp_path / "last.pt")
    result = train(SPEC, (1, 28, 28), TrainOptions(**{**FAST.__dict__, "epochs": 2}), tmp_path,
                   synth, resume=state)
    assert [r["epoch"] for r in result.history] == [1, 2]
    # 320 training images (384 less 64 held out) in batches of 64: 5 steps an epoch.
    assert checkpoint.load(tmp_path / "last.pt")["scheduler"]["plan"] == {"start": 5, "total": 5}


@pytest.mark.parametrize("optimizer", train_mod.OPTIMIZERS)
@pytest.mark.parametrize("sched", ["none", "step", "onecycle", "cosine"])
def test_optimizers_and_schedules(synth: data.Mnist, tmp_path: Path, optimizer: str,
                                  sched: str) -> None:
    lr = 1.0 if optimizer == "adadelta" else 0.01
    result = train(SPEC, (1, 28, 28), TrainOptions(epochs=1, batch_size=128, lr=lr,
                                                   optimizer=optimizer, schedule=sched,
                                                   precision="fp32", limit_train=256,
                                                   val_split=64),
                   tmp_path, synth)
    assert torch.isfinite(torch.tensor(result.history[0]["train_loss"]))


@pytest.mark.parametrize("init", prep.INITS)
def test_inits(init: str) -> None:
    model, _ = prep.prepare_model("conv(16,3)-flatten-fc(10)", (1, 8, 8))
    prep.init_weights(model, init, 0)
    conv_w = model.layers[0].weight
    fan_in, fan_out = 9, 16 * 9
    if init == "normal":
        assert abs(float(conv_w.detach().std()) - 0.01) < 0.003
    elif init == "uniform":
        assert float(conv_w.detach().abs().max()) <= 0.05
    elif init == "xavier":
        # Glorot uniform: U(-a, a), a = sqrt(6 / (fan_in + fan_out))
        bound = (6 / (fan_in + fan_out)) ** 0.5
        assert float(conv_w.detach().abs().max()) <= bound
    elif init == "kaiming":
        # He normal: std = sqrt(2 / fan_in)
        assert abs(float(conv_w.detach().std()) - (2 / fan_in) ** 0.5) < 0.1
    if init != "default":
        assert float(model.layers[0].bias.detach().abs().max()) == 0.0


def test_eval_mode_switches_dropout_and_bn(synth: data.Mnist) -> None:
    model, logits = prep.prepare_model(SPEC, (1, 28, 28))
    x = prep.tensors(synth.test_images[:32], (1, 28, 28), torch.device("cpu"))
    model.train()
    a = prep.evaluate_logits(logits, x, None)
    b = prep.evaluate_logits(logits, x, None)
    assert torch.equal(a, b) and not model.training
    model.train()
    with torch.no_grad():
        assert not torch.equal(logits(x), logits(x))  # dropout active in train mode


def test_run_dir_refusals(tmp_path: Path) -> None:
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "last.pt").write_bytes(b"x")
    with pytest.raises(RunDirError, match="already holds a run"):
        rundir.prepare(tmp_path / "run", force=False)
    rundir.prepare(tmp_path / "run", force=True)
    assert not (tmp_path / "run" / "last.pt").exists()
    (tmp_path / "file").write_text("x")
    with pytest.raises(RunDirError, match="cannot write"):
        rundir.prepare(tmp_path / "file" / "sub", force=False)
    with pytest.raises(UsageError, match="is a file"):
        rundir.prepare(tmp_path / "file", force=False)


def test_memory_refusal(synth: data.Mnist, tmp_path: Path,
                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(prep, "available_memory", lambda: 100 * 2**20)
    with pytest.raises(ResourceError, match=r"needs about \d+\.\d GiB but cpu has 0\.1 GiB"):
        train("conv(4096,3)-flatten-fc(10)", (1, 28, 28), FAST, tmp_path, synth)
    assert not (tmp_path / "last.pt").exists()


def test_spec_must_end_in_ten_classes(synth: data.Mnist, tmp_path: Path) -> None:
    with pytest.raises(LayerError, match="needs 10 class scores"):
        train("conv(8,3)-flatten-fc(7)", (1, 28, 28), FAST, tmp_path, synth)
    with pytest.raises(UsageError, match="MNIST has 1 channel"):
        train("conv(8,3)-flatten-fc(10)", (3, 28, 28), FAST, tmp_path, synth)


def test_softmax_head_trains_on_logits() -> None:
    model, logits = prep.prepare_model("flatten-fc(10)-softmax", (1, 28, 28))
    assert isinstance(model.layers[-1], torch.nn.Softmax)
    assert len(logits.layers) == 2  # type: ignore[arg-type]
    assert logits.prep is model.prep


def test_divergence_stops_with_advice_and_keeps_the_good_checkpoint(
        synth: data.Mnist, tmp_path: Path) -> None:
    from cnncalc.errors import TrainingError

    good = TrainOptions(**{**FAST.__dict__, "epochs": 1})
    train(SPEC, (1, 28, 28), good, tmp_path, synth)
    before = (tmp_path / "last.pt").read_bytes()
    # SGD at lr 1000 (the largest allowed) on a net without batch norm: the loss overflows.
    wild = TrainOptions(epochs=2, batch_size=16, lr=1e3, optimizer="sgd", schedule="none",
                        precision="fp32", seed=3, val_split=64)
    with pytest.raises(TrainingError, match=r"training diverged: the loss became (nan|inf)"):
        train("conv(8,3)-relu-flatten-fc(10)", (1, 28, 28), wild, tmp_path / "wild", synth)
    assert not (tmp_path / "wild" / "last.pt").exists()
    assert (tmp_path / "last.pt").read_bytes() == before


def test_default_options_learn_a_plain_spec(synth: data.Mnist, tmp_path: Path) -> None:
    # The defaults for a user's spec must work without batch norm (no divergence).
    result = train("conv(8,3)-relu-maxpool(2)-flatten-fc(10)", (1, 28, 28),
                   TrainOptions(precision="fp32", val_split=64), tmp_path, synth)
    assert result.history[-1]["test_acc"] > 0.9


def test_older_checkpoint_format_is_converted(synth: data.Mnist, tmp_path: Path) -> None:
    """Layout 1: bare-Sequential keys, normalisation beside them, cnncalc's own optimizer
    format. Evaluate and resume convert it; the resumed run equals the current format's."""
    from cnncalc.errors import CheckpointError
    from cnncalc.train.evaluate import load_model

    options = TrainOptions(**{**FAST.__dict__, "epochs": 1, "schedule": "none"})
    train(SPEC, (1, 28, 28), options, tmp_path / "new", synth)
    ck = checkpoint.load(tmp_path / "new" / "last.pt")
    state = ck["optimizer"]["state"]
    old = {k: v for k, v in ck.items() if k not in ("model_layout", "split", "format",
                                                    "version", "cnncalc_version")}
    old["model"] = {k.removeprefix("layers."): v for k, v in ck["model"].items()
                    if k.startswith("layers.")}
    old["optimizer"] = {"steps": int(state[0]["step"]), "lr": 0.01, "state": {
        name: [state[i][name] for i in sorted(state)] for name in ("exp_avg", "exp_avg_sq")}}
    (tmp_path / "old").mkdir()
    checkpoint.save(tmp_path / "old" / "last.pt", old)

    x = prep.tensors(synth.test_images[:16], (1, 28, 28), torch.device("cpu"))
    new_m = load_model(tmp_path / "new" / "last.pt", torch.device("cpu")).logits_model
    old_m = load_model(tmp_path / "old" / "last.pt", torch.device("cpu")).logits_model
    with torch.no_grad():
        assert torch.equal(new_m(x), old_m(x))
    two = TrainOptions(**{**options.__dict__, "epochs": 2})
    for name in ("new", "old"):
        resume = checkpoint.load(tmp_path / name / "last.pt")
        train(SPEC, (1, 28, 28), two, tmp_path / name, synth, resume=resume)
    a = checkpoint.load(tmp_path / "new" / "last.pt")["model"]
    b = checkpoint.load(tmp_path / "old" / "last.pt")["model"]
    assert all(torch.equal(a[k], b[k]) for k in a)

    broken = {**old, "optimizer": {"steps": "many"}}
    checkpoint.save(tmp_path / "old" / "last.pt", broken)
    with pytest.raises(CheckpointError, match="optimizer state is in no format"):
        train(SPEC, (1, 28, 28), two, tmp_path / "old", synth,
              resume=checkpoint.load(tmp_path / "old" / "last.pt"))


def test_patience_stops_on_validation_accuracy(synth: data.Mnist, tmp_path: Path) -> None:
    # lr 1e-12: the weights stand still, so validation accuracy never improves after epoch 1.
    still = TrainOptions(epochs=5, batch_size=128, lr=1e-12, optimizer="sgd", schedule="none",
                         precision="fp32", patience=2)
    result = train("conv(4,3)-relu-flatten-fc(10)", (1, 28, 28), still, tmp_path, synth)
    assert result.stopped_early and result.epoch == 3 and result.best_epoch == 1
    assert checkpoint.load(tmp_path / "best.pt")["epoch"] == 1
