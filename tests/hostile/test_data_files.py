"""Hostile data files: bombs, lies and empty sets end in one line, fast, in little memory."""

from __future__ import annotations

import gzip
import os
import shutil
import zlib
from pathlib import Path

import numpy as np
import pytest

from ..idx import idx_bytes, write_mnist
from .harness import cli

SPEC = "conv(4,3)-relu-maxpool(2)-flatten-fc(10)"


def gzip_bomb(path: Path, header: bytes, zeros: int) -> None:
    """A gzip stream of `header` and then `zeros` zero bytes, written in slices (~1000:1)."""
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)  # wbits 31: a gzip container
    block = bytes(1 << 20)
    with open(path, "wb") as f:
        f.write(comp.compress(header))
        for _ in range(zeros >> 20):
            f.write(comp.compress(block))
        f.write(comp.flush())


def header(magic: int, *dims: int) -> bytes:
    return magic.to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in dims)


def with_file(src: Path, dst: Path, name: str) -> Path:
    shutil.copytree(src, dst)
    for p in dst.glob(name + "*"):
        p.unlink()
    return dst / name


def test_gzip_bomb_with_bad_magic_fails_at_once(synth: Path, tmp_path: Path) -> None:
    # 200 MB of zeros behind magic 1234: the header alone decides, nothing else is inflated.
    target = with_file(synth, tmp_path / "d", "train-images-idx3-ubyte")
    gzip_bomb(target.with_suffix(".gz"), header(1234, 60_000, 28, 28), 200 << 20)
    r = cli("train", SPEC, "--data-dir", str(tmp_path / "d"), "--out", str(tmp_path / "run"))
    r.one_line_error(1, "magic number 1234 is not 2051")
    assert r.seconds < 15
    info = cli("data", "info", "--data-dir", str(tmp_path / "d"))
    assert info.code == 0 and "unusable" in info.stdout and "ok:" not in info.stdout


def test_valid_header_bomb_of_5m_images_refused_before_reading(synth: Path,
                                                               tmp_path: Path) -> None:
    target = with_file(synth, tmp_path / "d", "train-images-idx3-ubyte")
    gzip_bomb(target.with_suffix(".gz"), header(2051, 5_000_000, 28, 28), 64 << 20)
    r = cli("data", "download", "--data-dir", str(tmp_path / "d"))
    r.one_line_error(1, "5,000,000 items, more than the 60,000")
    info = cli("data", "info", "--data-dir", str(tmp_path / "d"))
    assert "ok:" not in info.stdout and "5,000,000" in info.stdout


def test_body_longer_than_its_header_stops_at_the_declared_size(synth: Path,
                                                                tmp_path: Path) -> None:
    # A valid header for 128 images, then 300 MB: reading stops after 128 images plus 1 byte.
    target = with_file(synth, tmp_path / "d", "train-images-idx3-ubyte")
    gzip_bomb(target.with_suffix(".gz"), header(2051, 128, 28, 28), 300 << 20)
    r = cli("data", "download", "--data-dir", str(tmp_path / "d"))
    r.one_line_error(1, "header says 128 items", "more bytes")


def test_sparse_100_gb_idx_refused_from_its_size(synth: Path, tmp_path: Path) -> None:
    target = with_file(synth, tmp_path / "d", "train-images-idx3-ubyte")
    with open(target, "wb") as f:
        f.write(header(2051, 60_000, 28, 28))
        f.truncate(100 * 10**9)  # sparse: no disk used
    r = cli("data", "download", "--data-dir", str(tmp_path / "d"))
    r.one_line_error(1, "header says 60000 items (47040016 bytes)", "100000000000 bytes")


@pytest.mark.parametrize("split", ["train", "t10k"])
def test_zero_image_sets_refused_at_load(tmp_path: Path, split: str) -> None:
    write_mnist(tmp_path / "d", n_train=64, n_test=32, gz=False)
    (tmp_path / "d" / f"{split}-images-idx3-ubyte").write_bytes(
        idx_bytes(np.zeros((0, 28, 28), np.uint8)))
    (tmp_path / "d" / f"{split}-labels-idx1-ubyte").write_bytes(
        idx_bytes(np.zeros(0, np.uint8)))
    # train goes through the same load as data download (which starts faster)
    args = ["train", SPEC, "--out", str(tmp_path / "run")] if split == "train" else [
        "data", "download"]
    r = cli(*args, "--data-dir", str(tmp_path / "d"))
    r.one_line_error(1, "0 items; the set is empty")
    assert not (tmp_path / "run" / "last.pt").exists()
    info = cli("data", "info", "--data-dir", str(tmp_path / "d"))
    assert "ok:" not in info.stdout


def test_invalid_data_dir_variable_is_an_error_not_a_download(tmp_path: Path) -> None:
    env = {"CNNCALC_DATA_DIR": str(tmp_path / "missing"), "XDG_CACHE_HOME": str(tmp_path),
           "CNNCALC_MNIST_MIRROR": "http://127.0.0.1:9/"}
    r = cli("predict", str(tmp_path / "x.pt"), "--index", "0", "--dataset", "mnist", env=env)
    r.one_line_error(2, "$CNNCALC_DATA_DIR", "does not exist")
    assert not (tmp_path / "cnncalc").exists()  # no download was started
    (tmp_path / "file").write_text("x")
    env["CNNCALC_DATA_DIR"] = str(tmp_path / "file")
    r = cli("data", "download", env=env)
    r.one_line_error(2, "is not a folder")


def test_malformed_mirror_url(tmp_path: Path) -> None:
    env = {"CNNCALC_MNIST_MIRROR": "http://[::1", "XDG_CACHE_HOME": str(tmp_path)}
    r = cli("data", "download", "--data-dir", str(tmp_path / "d"), env=env)
    r.one_line_error(2, "is not a valid URL")


def test_unknown_dataset(tmp_path: Path) -> None:
    r = cli("data", "info", "--dataset", "cifar10")
    r.one_line_error(2, "unknown dataset 'cifar10'", "fashion-mnist")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their permissions")
def test_unreadable_file_is_named(synth: Path, tmp_path: Path) -> None:
    shutil.copytree(synth, tmp_path / "d")
    path = tmp_path / "d" / "train-labels-idx1-ubyte.gz"
    path.chmod(0)
    r = cli("data", "download", "--data-dir", str(tmp_path / "d"))
    r.one_line_error(1, "permission denied")
    assert "delete it" not in r.stderr


def test_gzip_bomb_helper_is_a_bomb(tmp_path: Path) -> None:
    gzip_bomb(tmp_path / "b.gz", header(2051, 1, 28, 28), 8 << 20)
    assert (tmp_path / "b.gz").stat().st_size < 64 << 10  # < 64 KiB on disk...
    with gzip.open(tmp_path / "b.gz") as f:  # ...for 8 MiB inflated
        assert len(f.read()) == 16 + (8 << 20)
