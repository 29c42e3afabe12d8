"""MNIST-format datasets: the registry; find, validate and read their IDX files with numpy.

Every size is known before it is read: an IDX header is checked from the first bytes of the
(possibly gzipped) stream, the item count must lie between 1 and the dataset's published
count, and the rest is streamed into a buffer of exactly the declared size.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import zlib
from dataclasses import field
from pathlib import Path
from typing import BinaryIO

import numpy as np

from . import budget
from .errors import DataError, UsageError
from .records import record

ENV_DIR = "CNNCALC_DATA_DIR"
IMAGES, LABELS = 2051, 2049  # IDX magic numbers: unsigned bytes, 3 and 1 dimensions
ITEM = {IMAGES: (28, 28), LABELS: ()}
SPLITS = {"train": 60_000, "t10k": 10_000}  # published counts, the most a file may declare
NAMES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
         "t10k-labels-idx1-ubyte")


@record
class Dataset:
    """A dataset in MNIST's IDX format: where it is published and what its files must be."""

    name: str
    title: str
    mirrors: tuple[str, ...]
    md5: dict[str, str]  # file name (without .gz) -> published md5 of the .gz
    gz_size: dict[str, int] = field(default_factory=dict)  # published .gz sizes, where known
    classes: tuple[str, ...] = tuple(str(d) for d in range(10))


DATASETS: dict[str, Dataset] = {d.name: d for d in (
    Dataset("mnist", "MNIST handwritten digits",
            ("https://ossci-datasets.s3.amazonaws.com/mnist/",
             "https://storage.googleapis.com/cvdf-datasets/mnist/"),
            dict(zip(NAMES, ("f68b3c2dcbeaaa9fbdd348bbdeb94873",
                             "d53e105ee54ea40749a09fcbcd1e9432",
                             "9fb629c4189551a2d022fa330f9573f3",
                             "ec29112dd5afa0611ce80d1b7f02629c"))),
            dict(zip(NAMES, (9_912_422, 28_881, 1_648_877, 4_542)))),
    Dataset("fashion-mnist", "Fashion-MNIST (Zalando article images)",
            ("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",),
            dict(zip(NAMES, ("8d4fb7e6c68d591d4c3dfef9ec88bf0d",
                             "25c81989df183df01b3e8a0aad5dffbe",
                             "bef4ecab320f06d8554ea6380940ec79",
                             "bb300cfdad3c16e7a12a480ee83cd310"))),
            classes=("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
                     "Sneaker", "Bag", "Ankle boot")),
    Dataset("kmnist", "Kuzushiji-MNIST (cursive Japanese characters)",
            ("http://codh.rois.ac.jp/kmnist/dataset/kmnist/",),
            dict(zip(NAMES, ("bdb82020997e1d708af4cf47b453dcf7",
                             "e144d726b3acfaa3e44228e80efcd344",
                             "5c965bf0a639b31b8f53240b1b52f4d7",
                             "7320c461ea6c1c855c0b718fb2a4b134"))),
            classes=("o", "ki", "su", "tsu", "na", "ha", "ma", "ya", "re", "wo")),
)}
DEFAULT = "mnist"

# Backwards-compatible views of MNIST's entry: name -> (magic, item dims, md5).
FILES: dict[str, tuple[int, tuple[int, ...], str]] = {
    n: (_m, ITEM[_m], DATASETS[DEFAULT].md5[n])
    for n, _m in zip(NAMES, (IMAGES, LABELS, IMAGES, LABELS))}
MIRRORS = DATASETS[DEFAULT].mirrors


@record
class Mnist:
    """The four arrays: images uint8 (N, 28, 28), labels uint8 (N,)."""

    train_images: np.ndarray
    train_labels: np.ndarray
    test_images: np.ndarray
    test_labels: np.ndarray
    source: Path
    dataset: str = DEFAULT


def get(name: str) -> Dataset:
    if name not in DATASETS:
        raise UsageError(f"unknown dataset '{name[:40]}'",
                         f"choose one of {', '.join(DATASETS)}")
    return DATASETS[name]


def cache_dir(dataset: str = DEFAULT) -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "cnncalc" / get(dataset).name


def _magic(name: str) -> int:
    return IMAGES if "images" in name else LABELS


def max_count(name: str) -> int:
    return SPLITS[name.split("-")[0]]


def raw_size(name: str, count: int) -> int:
    """Bytes of the uncompressed IDX file holding `count` items."""
    dims = ITEM[_magic(name)]
    return 4 + 4 * (1 + len(dims)) + count * int(np.prod(dims, dtype=np.int64))


def _file_in(directory: Path, name: str) -> Path | None:
    for candidate in (directory / name, directory / f"{name}.gz"):
        if candidate.is_file():
            return candidate
    return None


def missing_files(directory: Path) -> list[str]:
    return [name for name in NAMES if _file_in(directory, name) is None]


def env_dir(dataset: str = DEFAULT) -> Path | None:
    """The folder $CNNCALC_DATA_DIR gives for `dataset`: its subfolder named after the dataset
    where there is one, else the folder itself for mnist (and for a setting that is not a
    folder at all, so that the mistake is reported). Another dataset never falls back to the
    folder itself: its files have the same names as MNIST's."""
    text = os.environ.get(ENV_DIR)
    if not text:
        return None
    base = Path(text).expanduser()
    if (base / dataset).is_dir():
        return base / dataset
    if dataset == DEFAULT or not base.is_dir():
        return base
    return None


def candidates(data_dir: str | Path | None, dataset: str = DEFAULT) -> list[tuple[str, Path]]:
    """Where to look, in order: --data-dir, $CNNCALC_DATA_DIR, the user cache."""
    out: list[tuple[str, Path]] = []
    if data_dir:
        out.append(("--data-dir", Path(data_dir).expanduser()))
    env = env_dir(dataset)
    if env is not None:
        out.append((f"${ENV_DIR}", env))
    out.append(("cache", cache_dir(dataset)))
    return out


def locate(data_dir: str | Path | None, dataset: str = DEFAULT) -> Path | None:
    """The first place that holds all four files. --data-dir and $CNNCALC_DATA_DIR, when
    given, must be complete: a wrong setting is an error, never silently skipped."""
    get(dataset)
    for origin, directory in candidates(data_dir, dataset):
        if not missing_files(directory):
            return directory
        if origin == "cache":
            break
        flag = "--data-dir" if origin == "--data-dir" else f"${ENV_DIR}"
        if not directory.is_dir():
            what = "is not a folder" if directory.exists() else "does not exist"
            raise UsageError(f"{flag} {directory} {what}",
                             f"point it at the folder with the {dataset} IDX files"
                             + ("" if data_dir else f", or unset {ENV_DIR}"))
        raise DataError(f"{flag} {directory} lacks {', '.join(missing_files(directory))}",
                        f"run 'cnncalc data download --dataset {dataset} --data-dir DIR' "
                        "to fetch them")
    return None


def _read_error(path: Path, e: BaseException) -> DataError:
    if isinstance(e, PermissionError):
        return DataError(f"{path}: cannot read it (permission denied)",
                         "check the file's permissions")
    if isinstance(e, (EOFError, gzip.BadGzipFile, zlib.error)):
        return DataError(f"{path}: damaged gzip data ({str(e)[:60]})",
                         "delete it and download again")
    reason = e.strerror if isinstance(e, OSError) and e.strerror else str(e)[:60]
    return DataError(f"{path}: cannot read it ({reason})")


def _open(path: Path) -> BinaryIO:
    if path.suffix == ".gz":
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return open(path, "rb")


@record
class Header:
    path: Path
    name: str
    count: int
    offset: int  # bytes before the first item


def read_header(path: Path, name: str) -> Header:
    """Check an IDX header from the first bytes of the stream: magic, item dims, count.

    The count must lie between 1 and the published count, and an uncompressed file's length
    must equal what the header implies, so nothing large is read before these checks."""
    magic, dims = _magic(name), ITEM[_magic(name)]
    ndim = 1 + len(dims)
    size = 4 + 4 * ndim
    try:
        with _open(path) as f:
            raw = f.read(size)
    except (OSError, EOFError, zlib.error) as e:
        raise _read_error(path, e) from None
    if len(raw) < size:
        raise DataError(f"{path}: only {len(raw)} bytes, too short for an IDX header")
    found = int.from_bytes(raw[:4], "big")
    if found != magic:
        raise DataError(f"{path}: magic number {found} is not {magic} (IDX "
                        f"{'images' if ndim == 3 else 'labels'})", "is this the right file?")
    shape = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    if shape[1:] != dims:
        raise DataError(f"{path}: items are {'x'.join(map(str, shape[1:])) or 'scalars'}, "
                        f"expected {'x'.join(map(str, dims)) or 'scalars'}")
    count, most = shape[0], max_count(name)
    if count == 0:
        raise DataError(f"{path}: the header says 0 items; the set is empty",
                        "download the files again")
    if count > most:
        raise DataError(f"{path}: the header says {count:,} items, more than the {most:,} of "
                        "the published set", "this is not a file of the dataset")
    if path.suffix != ".gz":
        expected, actual = raw_size(name, count), path.stat().st_size
        if actual != expected:
            raise DataError(f"{path}: header says {count} items ({expected} bytes) but the "
                            f"file has {actual} bytes",
                            "it is truncated or padded; download it again")
    return Header(path, name, count, size)


def read_idx(header: Header) -> np.ndarray:
    """Stream the items into a buffer of exactly the declared size, refusing any excess."""
    expected = raw_size(header.name, header.count) - header.offset
    buf = bytearray(expected)  # writable, so torch can share it without a copy or a warning
    view = memoryview(buf)
    got = 0
    try:
        with _open(header.path) as f:
            f.read(header.offset)
            while got < expected:
                n = f.readinto(view[got:got + (1 << 20)])  # type: ignore[attr-defined,unused-ignore]
                if not n:
                    break
                got += n
            extra = len(f.read(1))
    except (OSError, EOFError, zlib.error) as e:
        raise _read_error(header.path, e) from None
    if got != expected or extra:
        total = raw_size(header.name, header.count)
        found = f"{header.offset + got} bytes" if not extra else "more bytes"
        raise DataError(f"{header.path}: header says {header.count} items ({total} bytes) but "
                        f"the file has {found}", "it is truncated or padded; download it again")
    dims = (header.count, *ITEM[_magic(header.name)])
    return np.frombuffer(buf, dtype=np.uint8).reshape(dims)


def inspect(directory: Path, dataset: str = DEFAULT) -> dict[str, Header]:
    """Every file's header, the splits' counts agreeing, and the memory a load needs checked,
    all before reading any item."""
    get(dataset)
    headers: dict[str, Header] = {}
    for name in NAMES:
        path = _file_in(directory, name)
        if path is None:
            raise DataError(f"{directory} lacks {name}(.gz)")
        headers[name] = read_header(path, name)
    for split in SPLITS:
        n_img = headers[f"{split}-images-idx3-ubyte"].count
        n_lab = headers[f"{split}-labels-idx1-ubyte"].count
        if n_img != n_lab:
            raise DataError(f"{directory}: {split} has {n_img} images but {n_lab} labels")
    need = sum(raw_size(n, h.count) for n, h in headers.items())
    budget.check(need, f"reading {directory}", "free some memory")
    return headers


def _check_identity(directory: Path, dataset: str) -> None:
    """Refuse another dataset's published files under this dataset's name (same file names)."""
    for other in DATASETS.values():
        if other.name == dataset:
            continue
        path = directory / f"{NAMES[3]}.gz"  # the smallest file identifies the set
        if path.is_file() and path.stat().st_size < 1 << 16:
            try:
                digest = hashlib.md5(path.read_bytes()).hexdigest()
            except OSError:
                return
            if digest == other.md5[NAMES[3]]:
                raise DataError(f"{directory} holds {other.name}, not {dataset}",
                                f"pass --dataset {other.name}, or point --data-dir at the "
                                f"{dataset} files")


def load(directory: Path, dataset: str = DEFAULT) -> Mnist:
    headers = inspect(directory, dataset)
    _check_identity(directory, dataset)
    arrays = {name: read_idx(h) for name, h in headers.items()}
    for split in SPLITS:
        labels = arrays[f"{split}-labels-idx1-ubyte"]
        if int(labels.max()) > 9:
            raise DataError(f"{directory}: {split} labels go up to {int(labels.max())}, "
                            f"{get(dataset).title.split()[0]} labels are 0-9")
    return Mnist(arrays[NAMES[0]], arrays[NAMES[1]], arrays[NAMES[2]], arrays[NAMES[3]],
                 directory, dataset)
