"""Reading MNIST: where it is found, and clear errors for broken IDX files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
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


def test_datasets_share_the_format_and_have_their_own_cache(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert set(data.DATASETS) == {"mnist", "fashion-mnist", "kmnist"}
    for d in data.DATASETS.values():  # published md5 of each of the four .gz files
        assert set(d.md5) == set(data.NAMES) and all(len(m) == 32 for m in d.md5.values())
        assert len(d.classes) == 10 and d.mirrors
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv(data.ENV_DIR, raising=False)
    write_mnist(tmp_path / "cache/cnncalc/kmnist", n_train=32, n_test=16)
    assert data.cache_dir("fashion-mnist") == tmp_path / "cache/cnncalc/fashion-mnist"
    assert data.locate(None, "kmnist") == tmp_path / "cache/cnncalc/kmnist"
    assert data.locate(None, "fashion-mnist") is None
    loaded = data.load(tmp_path / "cache/cnncalc/kmnist", "kmnist")
    assert loaded.dataset == "kmnist" and loaded.train_images.shape == (32, 28, 28)
    with pytest.raises(UsageError, match="unknown dataset 'cifar'"):
        data.locate(None, "cifar")


def test_another_datasets_files_are_not_taken_for_this_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import dataclasses
    import hashlib

    write_mnist(tmp_path)
    digest = hashlib.md5((tmp_path / "t10k-labels-idx1-ubyte.gz").read_bytes()).hexdigest()
    fake = dataclasses.replace(data.DATASETS["kmnist"],
                               md5={**data.DATASETS["kmnist"].md5,
                                    "t10k-labels-idx1-ubyte": digest})
    monkeypatch.setitem(data.DATASETS, "kmnist", fake)  # as if these were kmnist's files
    with pytest.raises(DataError, match="holds kmnist, not mnist"):
        data.load(tmp_path, "mnist")
    assert data.load(tmp_path, "kmnist").dataset == "kmnist"


def test_unreadable_file_says_permission_not_damage(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    write_mnist(tmp_path)

    def denied(path: Path) -> None:
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(data, "_open", denied)
    with pytest.raises(DataError, match="permission denied") as info:
        data.load(tmp_path)
    assert "delete" not in str(info.value) and "damaged" not in str(info.value)


def test_counts_beyond_the_published_set_refused_from_the_header(tmp_path: Path) -> None:
    directory = _broken(tmp_path, "t10k-labels-idx1-ubyte",
                        idx_bytes(np.zeros(1, np.uint8), dims=(10_001,)))
    with pytest.raises(DataError, match="10,001 items, more than the 10,000"):
        data.inspect(directory)


def test_memory_budget_for_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from cnncalc.errors import ResourceError

    write_mnist(tmp_path, n_train=2000, n_test=16, gz=False)
    monkeypatch.setenv("CNNCALC_MAX_MEMORY", "1")  # 1 MiB: less than 2,000 images
    with pytest.raises(ResourceError, match=r"needs about 2 MiB but the machine has 1 MiB"):
        data.load(tmp_path)


def test_cli_dataset_choice(tmp_path: Path, runner: CliRunner,
                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv(data.ENV_DIR, raising=False)
    write_mnist(tmp_path / "cnncalc" / "fashion-mnist", n_train=32, n_test=16)
    r = runner.invoke(app, ["data", "info", "--dataset", "fashion-mnist"])
    assert r.exit_code == 0 and "ok: 32 train, 16 test" in r.stdout
    r = runner.invoke(app, ["data", "info"])
    assert "ok:" not in r.stdout and "no complete copy of mnist" in r.stdout


def test_train_records_the_dataset_and_evaluate_follows_it(
        tmp_path: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    from cnncalc.train import checkpoint

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setenv("CNNCALC_MNIST_MIRROR", "http://127.0.0.1:9/")  # any download fails at once
    monkeypatch.delenv(data.ENV_DIR, raising=False)
    write_mnist(tmp_path / "cnncalc" / "kmnist", n_train=64, n_test=32)
    run = tmp_path / "run"
    r = runner.invoke(app, ["train", "flatten-fc(10)", "--dataset", "kmnist", "--out", str(run),
                            "--epochs", "1", "--precision", "fp32", "-q"])
    assert r.exit_code == 0, r.output
    assert checkpoint.load(run / "last.pt")["options"]["dataset"] == "kmnist"
    r = runner.invoke(app, ["evaluate", str(run / "last.pt"), "--format", "json"])
    assert r.exit_code == 0 and '"count": 32' in r.stdout, r.output  # kmnist's 32 test images
    r = runner.invoke(app, ["predict", str(run / "last.pt"), "--index", "31"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["evaluate", str(run / "last.pt"), "--dataset", "mnist"])
    assert r.exit_code == 1 and "could not download" in r.stderr  # no mnist here
    r = runner.invoke(app, ["train", "--resume", str(run), "--dataset", "mnist"])
    assert r.exit_code == 2 and "--dataset" in r.stderr  # a run keeps its dataset


def test_data_dir_variable_per_dataset(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    write_mnist(tmp_path / "env")  # MNIST's files directly in the folder
    monkeypatch.setenv(data.ENV_DIR, str(tmp_path / "env"))
    assert data.locate(None) == tmp_path / "env"
    # the same file names must never be taken for another dataset
    assert data.locate(None, "fashion-mnist") is None
    write_mnist(tmp_path / "env" / "fashion-mnist")
    assert data.locate(None, "fashion-mnist") == tmp_path / "env" / "fashion-mnist"
    monkeypatch.setenv(data.ENV_DIR, str(tmp_path / "nowhere"))
    for name in data.DATASETS:
        with pytest.raises(UsageError, match=r"\$CNNCALC_DATA_DIR .* does not exist"):
            data.locate(None, name)


@settings(max_examples=150, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=64), st.integers(0, 70_000), st.booleans(), st.sampled_from(
    ["train-images-idx3-ubyte", "train-labels-idx1-ubyte"]))
def test_fuzz_idx_headers(tmp_path: Path, head: bytes, count: int, gz: bool, name: str) -> None:
    """Random bytes, alone or behind a plausible header, in place of one file: a load ends in
    the arrays or a one-line DataError, never another exception."""
    import gzip as gz_mod

    directory = tmp_path / f"d{hash((head, count, gz, name)) & 0xFFFFFF}"
    if not directory.exists():
        write_mnist(directory, n_train=16, n_test=8, gz=False)
    magic = 2051 if "images" in name else 2049
    dims = (count, 28, 28) if "images" in name else (count,)
    body = (magic.to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in dims) + head
            if count % 2 else head)
    for p in directory.glob(name + "*"):
        p.unlink()
    target = directory / (name + (".gz" if gz else ""))
    target.write_bytes(gz_mod.compress(body) if gz else body)
    try:
        data.load(directory)
    except DataError as e:
        assert "\n" not in str(e)
