"""Hostile checkpoints: bombs, corruption and crafted metadata end in one line, in bounds."""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

from cnncalc.train import checkpoint
from cnncalc.train.prep import prepare_model

from ..idx import write_mnist
from .harness import cli


def forge(good: Path, target: Path, honest: bool = True, **changes: Any) -> Path:
    """A copy of the run's last.pt with `changes`. honest: checksums recomputed, as an
    attacker who knows the format would; else the old checksums stay (tampering)."""
    state = checkpoint.load(good)
    for key, value in changes.items():
        if value is None:
            state.pop(key, None)
        else:
            state[key] = value
    if honest:
        checkpoint.save(target, state)
    else:
        torch.save(state, target)
    return target


def model_state(spec: str, shape: tuple[int, ...]) -> dict[str, torch.Tensor]:
    return prepare_model(spec, shape)[0].state_dict()  # type: ignore[arg-type]


def evaluate(path: Path, data: Path, *extra: str, env: dict[str, str] | None = None) -> Any:
    return cli("evaluate", str(path), "--data-dir", str(data), *extra, env=env)


def test_recompressed_zip_bomb_refused_before_inflating(good_run: Path, synth: Path,
                                                        tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.pt"
    with zipfile.ZipFile(good_run / "last.pt") as src, \
            zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info))
        prefix = src.infolist()[0].filename.split("/")[0]
        with dst.open(f"{prefix}/data/999", "w", force_zip64=True) as f:
            block = bytes(1 << 20)
            for _ in range(200):  # 200 MiB inflated, about 200 KiB in the file
                f.write(block)
    assert bomb.stat().st_size < 4 << 20
    evaluate(bomb, synth).one_line_error(1, "damaged checkpoint", "is compressed")


def _overwrite_weights(path: Path, count: int) -> None:
    """Overwrite `count` float32 values of the largest tensor in place (the zip stays valid)."""
    with zipfile.ZipFile(path) as z:
        info = max((i for i in z.infolist() if "/data/" in i.filename), key=lambda i: i.file_size)
    with open(path, "r+b") as f:
        f.seek(info.header_offset + 26)
        name_len, extra_len = struct.unpack("<HH", f.read(4))
        start = info.header_offset + 30 + name_len + extra_len
        f.seek(start)
        f.write(np.random.default_rng(0).normal(0, 5, count).astype(np.float32).tobytes())


def test_500_overwritten_weights_are_damage_not_a_low_accuracy(good_run: Path, synth: Path,
                                                               tmp_path: Path) -> None:
    target = tmp_path / "run" / "last.pt"
    target.parent.mkdir()
    target.write_bytes((good_run / "last.pt").read_bytes())
    _overwrite_weights(target, 500)
    evaluate(target, synth).one_line_error(1, str(target), "damaged checkpoint", "sha256")
    r = cli("train", "--resume", str(target.parent), "--epochs", "3", "--data-dir", str(synth))
    r.one_line_error(1, "damaged checkpoint")  # not a divergence blamed on the lr


def test_no_state_key_cannot_resume(good_run: Path, synth: Path, tmp_path: Path) -> None:
    (tmp_path / "run").mkdir()
    forge(good_run / "last.pt", tmp_path / "run" / "last.pt", state=None)
    r = cli("train", "--resume", str(tmp_path / "run"), "--epochs", "3", "--data-dir",
            str(synth))
    r.one_line_error(1, "lacks state")


def test_epoch_abc(good_run: Path, synth: Path, tmp_path: Path) -> None:
    path = forge(good_run / "last.pt", tmp_path / "x.pt", epoch="abc")
    evaluate(path, synth).one_line_error(1, "epoch 'abc' is not a count")


def test_history_sharing_2_40_leaves_refused_quickly(good_run: Path, synth: Path,
                                                     tmp_path: Path) -> None:
    tree: list[Any] = [0.0]
    for _ in range(40):
        tree = [tree, tree]  # pickled once per level: 40 levels, 2^40 leaves
    (tmp_path / "run").mkdir()
    forge(good_run / "last.pt", tmp_path / "run" / "last.pt", honest=False,
          history=[{"epoch": 1, "x": tree}])
    r = cli("train", "--resume", str(tmp_path / "run"), "--epochs", "3", "--data-dir",
            str(synth))
    r.one_line_error(1, "history row 1 holds a list")
    # The same structure under a key this version does not know: its walk is bounded too.
    path = forge(good_run / "last.pt", tmp_path / "y.pt", honest=False, extra=tree)
    r = evaluate(path, synth)
    r.one_line_error(1, "more than 200,000 entries")
    assert r.seconds < 15


def test_input_600x600_refused_from_its_declared_size(good_run: Path, tmp_path: Path) -> None:
    # Weights that fit (a 30x30 pooling in front), but 2,000 test images of 600x600 in float32
    # are 2.9 GB: refused from the declared sizes under a 1 GiB budget.
    write_mnist(tmp_path / "d", n_train=16, n_test=2000)
    spec, shape = "maxpool(30)-flatten-fc(10)", (1, 600, 600)
    path = forge(good_run / "last.pt", tmp_path / "x.pt", spec=spec, input_shape=list(shape),
                 model=model_state(spec, shape))
    evaluate(path, tmp_path / "d", env={"CNNCALC_MAX_MEMORY": "1024"}).one_line_error(
        1, "needs about 2.7 GiB", "1.0 GiB available")


def test_crafted_wide_fc_refused_before_allocating(good_run: Path, synth: Path,
                                                   tmp_path: Path) -> None:
    # fc(1000000) on 784 inputs: 784·10⁶ + 10⁶ = 785,000,000; fc(10): 10⁷ + 10 more, so
    # 795,000,010 parameters (3.2 GB in float32) claimed by a file of about 90 KB.
    path = forge(good_run / "last.pt", tmp_path / "x.pt", spec="flatten-fc(1000000)-relu-fc(10)")
    evaluate(path, synth).one_line_error(1, "795,000,010 parameters", "bytes can hold")


def test_crafted_wide_activations_refused_before_allocating(good_run: Path, synth: Path,
                                                            tmp_path: Path) -> None:
    # 100,000 channels of 28x28 per image: 313.6 MB of activations each, 20 GB for 64 images.
    spec = "conv(100000,1)-maxpool(28)-flatten-fc(10)"
    path = forge(good_run / "last.pt", tmp_path / "x.pt", spec=spec,
                 model=model_state(spec, (1, 28, 28)))
    evaluate(path, synth).one_line_error(1, "needs about", "GiB available")


@pytest.mark.parametrize("kind", ["spec", "input_shape"])
def test_metadata_changed_without_checksums(good_run: Path, synth: Path, tmp_path: Path,
                                            kind: str) -> None:
    change: dict[str, Any] = {"spec": "conv(8,3)-relu-maxpool(2)-flatten-fc(10)"} \
        if kind == "spec" else {"input_shape": [1, 600, 600]}
    path = forge(good_run / "last.pt", tmp_path / "x.pt", honest=False, **change)
    evaluate(path, synth).one_line_error(1, "damaged checkpoint", "changed after it was saved")


def test_unknown_dataset_in_a_checkpoint(good_run: Path, synth: Path, tmp_path: Path) -> None:
    state = checkpoint.load(good_run / "last.pt")
    path = forge(good_run / "last.pt", tmp_path / "x.pt",
                 options={**state["options"], "dataset": ["cifar"]})
    evaluate(path, synth).one_line_error(1, "damaged checkpoint", "is not one of mnist")
