"""MNIST: find, validate and read the IDX files with numpy; download them safely."""

from __future__ import annotations

import gzip
import hashlib
import os
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import DataError, DownloadError, UsageError

ENV_DIR = "CNNCALC_DATA_DIR"
ENV_MIRROR = "CNNCALC_MNIST_MIRROR"

# name: (magic, item dims after the count, official md5 of the .gz)
FILES: dict[str, tuple[int, tuple[int, ...], str]] = {
    "train-images-idx3-ubyte": (2051, (28, 28), "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
    "train-labels-idx1-ubyte": (2049, (), "d53e105ee54ea40749a09fcbcd1e9432"),
    "t10k-images-idx3-ubyte": (2051, (28, 28), "9fb629c4189551a2d022fa330f9573f3"),
    "t10k-labels-idx1-ubyte": (2049, (), "ec29112dd5afa0611ce80d1b7f02629c"),
}
COUNTS = {"train": 60_000, "t10k": 10_000}

MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)


@dataclass(frozen=True)
class Mnist:
    """The four arrays: images uint8 (N, 28, 28), labels uint8 (N,)."""

    train_images: np.ndarray
    train_labels: np.ndarray
    test_images: np.ndarray
    test_labels: np.ndarray
    source: Path


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "cnncalc" / "mnist"


def _file_in(directory: Path, name: str) -> Path | None:
    for candidate in (directory / name, directory / f"{name}.gz"):
        if candidate.is_file():
            return candidate
    return None


def missing_files(directory: Path) -> list[str]:
    return [name for name in FILES if _file_in(directory, name) is None]


def candidates(data_dir: str | Path | None) -> list[tuple[str, Path]]:
    """Where to look, in order: --data-dir, $CNNCALC_DATA_DIR, the user cache."""
    out: list[tuple[str, Path]] = []
    if data_dir:
        out.append(("--data-dir", Path(data_dir).expanduser()))
    if os.environ.get(ENV_DIR):
        out.append((f"${ENV_DIR}", Path(os.environ[ENV_DIR]).expanduser()))
    out.append(("cache", cache_dir()))
    return out


def locate(data_dir: str | Path | None) -> Path | None:
    """The first place that holds all four files. An explicit --data-dir must be complete."""
    for origin, directory in candidates(data_dir):
        if not missing_files(directory):
            return directory
        if origin == "--data-dir":
            if not directory.is_dir():
                raise UsageError(f"--data-dir {directory} does not exist",
                                 "point it at the folder with the MNIST IDX files")
            raise DataError(f"{directory} lacks {', '.join(missing_files(directory))}",
                            "run 'cnncalc data download --data-dir DIR' to fetch them")
    return None


def read_idx(path: Path, magic: int, item_dims: tuple[int, ...]) -> np.ndarray:
    """Read one IDX file, checking magic number, dimensions and size."""
    try:
        raw = path.read_bytes()
        if path.suffix == ".gz":
            raw = gzip.decompress(raw)
    except (OSError, EOFError, gzip.BadGzipFile) as e:
        raise DataError(f"{path}: cannot read it ({e})",
                        "the file is damaged; delete it and download again") from None
    ndim = 1 + len(item_dims)
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise DataError(f"{path}: only {len(raw)} bytes, too short for an IDX header")
    found = int.from_bytes(raw[:4], "big")
    if found != magic:
        raise DataError(f"{path}: magic number {found} is not {magic} (IDX "
                        f"{'images' if ndim == 3 else 'labels'})",
                        "is this the right file?")
    dims = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    if dims[1:] != item_dims:
        raise DataError(f"{path}: items are {'x'.join(map(str, dims[1:])) or 'scalars'}, "
                        f"expected {'x'.join(map(str, item_dims)) or 'scalars'}")
    expected = header + int(np.prod(dims))
    if len(raw) != expected:
        raise DataError(f"{path}: header says {dims[0]} items ({expected} bytes) but the file "
                        f"has {len(raw)} bytes", "it is truncated or padded; download it again")
    # bytearray: a writable buffer, so torch can share it without a copy or a warning
    return np.frombuffer(bytearray(raw), dtype=np.uint8, offset=header).reshape(dims)


def load(directory: Path) -> Mnist:
    arrays: dict[str, np.ndarray] = {}
    for name, (magic, dims, _) in FILES.items():
        path = _file_in(directory, name)
        if path is None:
            raise DataError(f"{directory} lacks {name}(.gz)")
        arrays[name] = read_idx(path, magic, dims)
    for split in ("train", "t10k"):
        n_img = len(arrays[f"{split}-images-idx3-ubyte"])
        n_lab = len(arrays[f"{split}-labels-idx1-ubyte"])
        if n_img != n_lab:
            raise DataError(f"{directory}: {split} has {n_img} images but {n_lab} labels")
        labels = arrays[f"{split}-labels-idx1-ubyte"]
        if labels.size and int(labels.max()) > 9:
            raise DataError(f"{directory}: {split} labels go up to {int(labels.max())}, "
                            "MNIST labels are 0-9")
    return Mnist(arrays["train-images-idx3-ubyte"], arrays["train-labels-idx1-ubyte"],
                 arrays["t10k-images-idx3-ubyte"], arrays["t10k-labels-idx1-ubyte"], directory)


Progress = Callable[[str, int, int | None], None]  # (file name, bytes so far, total or None)


def _fetch(url: str, dest: Path, md5: str, timeout: float, progress: Progress | None) -> None:
    """Download url into dest atomically: stream to a temp file, verify, then rename."""
    tmp = dest.with_name(f".{dest.name}.part-{os.getpid()}")
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            total = response.headers.get("Content-Length")
            size = int(total) if total and total.isdigit() else None
            digest = hashlib.md5()
            done = 0
            with open(tmp, "wb") as out:
                while True:
                    chunk = response.read(1 << 16)
                    if not chunk:
                        break
                    out.write(chunk)
                    digest.update(chunk)
                    done += len(chunk)
                    if progress:
                        progress(dest.name, done, size)
                out.flush()
                os.fsync(out.fileno())
        if size is not None and done != size:
            raise DownloadError(f"{url}: got {done} of {size} bytes")
        if digest.hexdigest() != md5:
            raise DownloadError(f"{url}: checksum mismatch (md5 {digest.hexdigest()}, "
                                f"expected {md5})")
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)


def download(directory: Path, mirrors: tuple[str, ...] | None = None, timeout: float = 30.0,
             retries: int = 3, backoff: float = 1.0, progress: Progress | None = None,
             sleep: Callable[[float], None] = time.sleep,
             checksums: dict[str, str] | None = None) -> list[Path]:
    """Fetch the missing files into directory, trying each mirror with retries.

    Each file streams into a hidden temp file and is renamed into place only after its md5
    matches, so an interrupted or corrupt download never leaves a file under the real name.
    """
    env_mirror = os.environ.get(ENV_MIRROR)
    bases = mirrors or ((env_mirror,) if env_mirror else MIRRORS)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise DownloadError(f"cannot create {directory}: {e.strerror}") from None
    fetched: list[Path] = []
    for name in missing_files(directory):
        dest = directory / f"{name}.gz"
        md5 = (checksums or {}).get(name, FILES[name][2])
        errors: list[str] = []
        for base in bases:
            url = base.rstrip("/") + f"/{name}.gz"
            for attempt in range(retries):
                try:
                    _fetch(url, dest, md5, timeout, progress)
                    break
                except DownloadError as e:
                    errors.append(str(e))
                    if "checksum" in str(e):
                        break  # a wrong file stays wrong; try the next mirror
                except urllib.error.HTTPError as e:
                    errors.append(f"{url}: HTTP {e.code} {e.reason}")
                    if e.code < 500:
                        break
                except (urllib.error.URLError, OSError, TimeoutError) as e:
                    reason = getattr(e, "reason", e)
                    errors.append(f"{url}: {reason}")
                if attempt + 1 < retries:
                    sleep(backoff * 2**attempt)
            if dest.exists():
                break
        if not dest.exists():
            raise DownloadError(f"could not download {name}: {errors[-1] if errors else '?'}",
                                f"tried {len(bases)} mirror(s); check the network or put the "
                                f"files in a folder and pass --data-dir")
        fetched.append(dest)
    return fetched
