"""Reading MNIST: where it is found, and clear errors for broken IDX files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from cnncalc import data
from cnncalc.cli import app
from cnncalc.errors import DataError, UsageError

from .idx import idx_bytes, write_mnist


def test_reads_real_mnist(mnist: Path) -> None:
    d = data.load(mnist)
    assert d.train_images.shape == (60_000, 28, 28) and d.test_images.shape == (10_000, 28, 28)
    # The official test labels start 7, 2, 1, 0, 4 (the well-known first test digits).
    assert d.test_labels[:5].tolist() == [7, 2, 1, 0, 4]
    assert np.bincount(d.train_labels, minlength=10).sum() == 60_000


def test_gz_and_raw_both_read(tmp_path: Path) -> None:
    write_mnist(tmp_path / "gz", gz=True)
    write_mnist(tmp_path / "raw", gz=False)
    a, b = data.load(tmp_path / "gz"), data.load(tmp_path / "raw")
    assert np.array_equal(a.train_images, b.train_images)


def test_search_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_mnist(tmp_path / "explicit")
    write_mnist(tmp_path / "env")
    write_mnist(tmp_path / "cache/cnncalc/mnist")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv(data.ENV_DIR, str(tmp_path / "env"))
    assert data.locate(tmp_path / "explicit") == tmp_path / "explicit"
    assert data.locate(None) == tmp_path / "env"
    monkeypatch.delenv(data.ENV_DIR)
    assert data.locate(None) == tmp_path / "cache/cnncalc/mnist"
    with pytest.raises(UsageError, match="does not exist"):
        data.locate(tmp_path / "nowhere")
    (tmp_path / "partial").mkdir()
    with pytest.raises(DataError, match="lacks train-images-idx3-ubyte"):
        data.locate(tmp_path / "partial")


def _broken(tmp_path: Path, name: str, content: bytes) -> Path:
    write_mnist(tmp_path, gz=False)
    target = tmp_path / name
    target.write_bytes(content)
    return tmp_path


IMAGES = np.zeros((512, 28, 28), np.uint8)


@pytest.mark.parametrize(("name", "content", "message"), [
    ("train-images-idx3-ubyte", idx_bytes(IMAGES)[:-100],
     "header says 512 items (401424 bytes) but the file has 401324 bytes"),
    ("train-images-idx3-ubyte", idx_bytes(IMAGES, magic=2049),
     "magic number 2049 is not 2051 (IDX images)"),
    ("train-images-idx3-ubyte", idx_bytes(np.zeros((512, 32, 32), np.uint8)),
     "items are 32x32, expected 28x28"),
    ("train-images-idx3-ubyte", idx_bytes(IMAGES, dims=(600, 28, 28)),
     "header says 600 items"),
    ("train-labels-idx1-ubyte", idx_bytes(np.zeros(500, np.uint8)),
     "train has 512 images but 500 labels"),
    ("t10k-labels-idx1-ubyte", idx_bytes(np.full(256, 12, np.uint8)),
     "t10k labels go up to 12, MNIST labels are 0-9"),
    ("train-labels-idx1-ubyte", b"\x00\x00", "only 2 bytes, too short for an IDX header"),
])
def test_broken_idx_files_are_named(tmp_path: Path, name: str, content: bytes,
                                    message: str) -> None:
    directory = _broken(tmp_path, name, content)
    with pytest.raises(DataError) as info:
        data.load(directory)
    assert message in str(info.value)
    assert name in str(info.value) or "train has" in str(info.value) or "t10k" in str(info.value)


def test_damaged_gzip(tmp_path: Path) -> None:
    write_mnist(tmp_path)
    path = tmp_path / "t10k-images-idx3-ubyte.gz"
    path.write_bytes(path.read_bytes()[:200])
    with pytest.raises(DataError, match=r"damaged gzip data.*download again"):
        data.load(tmp_path)


def test_cli_reports_broken_file_exit_1(tmp_path: Path, runner: CliRunner) -> None:
    directory = _broken(tmp_path, "train-images-idx3-ubyte", idx_bytes(IMAGES)[:-1])
    result = runner.invoke(app, ["evaluate", str(tmp_path / "x.pt"), "--data-dir",
                                 str(directory)])
    assert result.exit_code == 2 and "no such checkpoint" in result.stderr
    result = runner.invoke(app, ["data", "info", "--data-dir", str(directory)])
    assert result.exit_code == 0 and "unusable" in result.stdout
