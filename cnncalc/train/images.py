"""Digit images from files: PNG, JPEG, BMP, GIF or .npy only, recognised by their first bytes.

The format is decided from the file's content, never from its name, and Pillow is asked
for that one format alone: a file that merely claims to be a picture (an EPS named
digit.png, say, which Pillow would hand to Ghostscript) is refused before any decoder runs.
"""

from __future__ import annotations

import os
import stat
import warnings
from pathlib import Path
from typing import BinaryIO

import numpy as np

from ..errors import DataError, UsageError

MAX_PIXELS = 40_000_000  # an image file may declare at most this many pixels (a 6,000-pixel square)

# Pillow's format name (or NPY) and the first bytes every file of that format starts with.
MAGIC: tuple[tuple[str, tuple[bytes, ...]], ...] = (
    ("PNG", (b"\x89PNG\r\n\x1a\n",)),
    ("JPEG", (b"\xff\xd8\xff",)),
    ("GIF", (b"GIF87a", b"GIF89a")),
    ("BMP", (b"BM",)),
    ("NPY", (b"\x93NUMPY",)),
)
ACCEPTED = "PNG, JPEG, BMP, GIF or NPY"


def sniff(head: bytes) -> str | None:
    """The format whose signature `head` starts with, or None."""
    for name, signatures in MAGIC:
        if head.startswith(signatures):
            return name
    return None


def _open(path: Path) -> tuple[BinaryIO, int]:
    """The file opened for reading, and its size. O_NONBLOCK and the check on the opened
    descriptor (not the name) keep a FIFO or a device, even one swapped in, from blocking."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise DataError(f"{path}: no such file") from None
    except PermissionError:
        raise DataError(f"{path}: cannot read it (permission denied)") from None
    except OSError as e:
        raise DataError(f"{path}: cannot read it ({e.strerror or e})") from None
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        if stat.S_ISDIR(st.st_mode):
            raise DataError(f"{path} is a folder, not an image")
        raise DataError(f"{path}: not a regular file", "give the path of an image file")
    return os.fdopen(fd, "rb"), st.st_size


def _read_npy(path: Path, f: BinaryIO, size: int) -> np.ndarray:
    """A .npy of 784 numbers (28x28 after squeezing), checked from its header before reading."""
    try:
        version = np.lib.format.read_magic(f)
        read = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                else np.lib.format.read_array_header_2_0)
        shape, _fortran, dtype = read(f)
        offset = f.tell()
    except (ValueError, OSError, SyntaxError, TypeError, KeyError) as e:
        raise DataError(f"{path}: not a readable .npy file ({str(e)[:60]})") from None
    if dtype.kind not in "biuf" or dtype.hasobject:
        raise DataError(f"{path}: holds {dtype} values, not numbers",
                        "save the image as a numeric array (uint8 or float)")
    count = 1
    for d in shape:
        count *= int(d)
    shown = "x".join(str(d) for d in shape) or "a scalar"
    if count != 28 * 28:
        raise DataError(f"{path}: declares {shown} values; a digit is 28x28",
                        "resize it to 28x28")
    if size < offset + count * dtype.itemsize:
        raise DataError(f"{path}: truncated (the header declares {shown} {dtype} values)")
    try:
        f.seek(0)
        arr = np.load(f, allow_pickle=False)
    except (ValueError, OSError) as e:
        raise DataError(f"{path}: not a readable .npy file ({str(e)[:60]})") from None
    img = np.asarray(arr, dtype=np.float64).squeeze()
    if img.ndim != 2:
        raise DataError(f"{path}: expected a 2-D grey image, got shape {img.shape}")
    if not np.isfinite(img).all():
        raise DataError(f"{path}: holds NaN or infinite values")
    return img


def _read_picture(path: Path, f: BinaryIO, fmt: str) -> np.ndarray:
    try:
        from PIL import Image, UnidentifiedImageError
    except ImportError:
        raise UsageError("reading images needs Pillow",
                         "pip install 'cnncalc[train]', or pass a .npy array") from None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            im = Image.open(f, formats=[fmt])  # reads only the header, with one decoder
        with im:
            w, h = im.size  # refuse a decompression bomb before decoding a pixel
            if w * h > MAX_PIXELS:
                raise DataError(f"{path}: declares {w}x{h} pixels, more than the "
                                f"{MAX_PIXELS:,} cnncalc decodes", "resize it to 28x28")
            small = im.convert("L").resize((28, 28), Image.Resampling.BILINEAR)
            out: np.ndarray = np.asarray(small, dtype=np.float64)
            return out
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise DataError(f"{path}: declares more than {MAX_PIXELS:,} pixels",
                        "resize it to 28x28") from None
    except PermissionError:
        raise DataError(f"{path}: cannot read it (permission denied)") from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError) as e:
        raise DataError(f"{path}: not a readable {fmt} image ({str(e)[:60]})") from None


def read_image(path: Path) -> np.ndarray:
    """A digit image as uint8 28x28, white on black like MNIST."""
    f, size = _open(path)
    with f:
        if size == 0:
            raise DataError(f"{path}: the file is empty (0 bytes)")
        try:
            head = f.read(8)
        except OSError as e:
            raise DataError(f"{path}: cannot read it ({e.strerror or e})") from None
        fmt = sniff(head)
        if fmt is None:
            raise DataError(f"{path}: not an image cnncalc reads (its content is not "
                            f"{ACCEPTED})", "save it as PNG, or as a numpy array with "
                            "numpy.save")
        f.seek(0)
        img = _read_npy(path, f, size) if fmt == "NPY" else _read_picture(path, f, fmt)
    if img.ndim != 2:
        raise DataError(f"{path}: expected a 2-D grey image, got shape {img.shape}")
    if img.shape != (28, 28):
        raise DataError(f"{path}: expected 28x28 pixels, got {img.shape[0]}x{img.shape[1]}",
                        "resize it to 28x28")
    if img.max() <= 1.0:
        img = img * 255
    if img.mean() > 127:  # dark digit on a light page: invert to MNIST's white on black
        img = 255 - img
    result: np.ndarray = np.clip(img, 0, 255).astype(np.uint8)
    return result
