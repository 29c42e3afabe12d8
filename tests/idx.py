"""Writing IDX files for tests: synthetic MNIST-shaped data and deliberately broken files."""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

import numpy as np

MAGIC = {3: 2051, 1: 2049}


def idx_bytes(array: np.ndarray, magic: int | None = None, dims: tuple[int, ...] | None = None
              ) -> bytes:
    dims = dims if dims is not None else array.shape
    header = (magic if magic is not None else MAGIC[array.ndim]).to_bytes(4, "big")
    header += b"".join(int(d).to_bytes(4, "big") for d in dims)
    return header + array.astype(np.uint8).tobytes()


def write_mnist(directory: Path, n_train: int = 512, n_test: int = 256, gz: bool = True,
                seed: int = 0) -> dict[str, str]:
    """Write a learnable synthetic MNIST (each class a bright band); returns md5 of each .gz."""
    rng = np.random.default_rng(seed)
    directory.mkdir(parents=True, exist_ok=True)
    sums = {}
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        labels = rng.integers(0, 10, n).astype(np.uint8)
        images = rng.integers(0, 40, (n, 28, 28)).astype(np.uint8)
        for i, c in enumerate(labels):
            images[i, 2 + 2 * c: 4 + 2 * c, 4:24] = 255
        for kind, arr in (("images-idx3-ubyte", images), ("labels-idx1-ubyte", labels)):
            name = f"{prefix}-{kind}"
            raw = idx_bytes(arr)
            data = gzip.compress(raw, mtime=0) if gz else raw
            (directory / (name + (".gz" if gz else ""))).write_bytes(data)
            sums[name] = hashlib.md5(gzip.compress(raw, mtime=0)).hexdigest()
    return sums
