"""Checkpoints that describe themselves: atomic writes, and loads that never run code."""

from __future__ import annotations

import io
import os
import pickle
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch

from .. import __version__
from ..errors import CheckpointError

FORMAT = "cnncalc-checkpoint"
VERSION = 1
REQUIRED = ("format", "version", "spec", "input_shape", "convention", "options", "epoch",
            "model")


def atomic_write(path: Path, write: Callable[[io.BufferedWriter], object]) -> None:
    """Write through a temp file in the same folder, fsync it, then rename over `path`.

    A crash at any moment leaves either the old file or the new one, never a partial file
    under the final name; the temp file is removed on failure.
    """
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        with open(tmp, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    try:
        fd = os.open(path.parent, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)  # make the rename itself durable
    except OSError:
        pass
    finally:
        os.close(fd)


def save(path: Path, payload: dict[str, Any]) -> None:
    data = {"format": FORMAT, "version": VERSION, "cnncalc_version": __version__, **payload}
    try:
        atomic_write(path, lambda f: torch.save(data, f))
    except OSError as e:
        raise CheckpointError(f"could not save {path}: {e.strerror or e}",
                              "the previous checkpoint, if any, is intact; free some space "
                              "or choose another --out") from None


def load(path: str | Path) -> dict[str, Any]:
    """Load and validate a checkpoint. Only tensors and plain data are accepted."""
    p = Path(path)
    if not p.exists():
        raise CheckpointError(f"{p}: no such checkpoint")
    if p.is_dir():
        hint = f"did you mean {p / 'best.pt'}?" if (p / "best.pt").exists() else None
        raise CheckpointError(f"{p} is a folder, not a checkpoint", hint)
    if p.stat().st_size == 0:
        raise CheckpointError(f"{p}: the file is empty (0 bytes)")
    with open(p, "rb") as f:
        head = f.read(4)
    if not zipfile.is_zipfile(p) and not head.startswith(b"\x80"):
        raise CheckpointError(f"{p}: not a readable checkpoint (neither a torch file nor a "
                              "pickle)", "it may be truncated, or another kind of file")
    try:
        data = torch.load(p, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as e:
        found = re.search(r"(?:unsupported|Unsupported global:) GLOBAL ([\w.]+)", str(e))
        what = f"it would load {found.group(1)}" if found else "unsupported content"
        raise CheckpointError(f"{p}: refused, it holds objects other than tensors and plain "
                              f"data ({what})",
                              "cnncalc never runs code from a checkpoint") from None
    except (RuntimeError, EOFError, zipfile.BadZipFile, ValueError, OSError) as e:
        raise CheckpointError(f"{p}: not a readable checkpoint ({str(e).splitlines()[0][:120]})",
                              "it may be truncated or not a torch file") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise CheckpointError(f"{p}: not a cnncalc checkpoint",
                              "cnncalc loads only checkpoints written by 'cnncalc train'")
    version = data.get("version")
    if not isinstance(version, int) or version > VERSION:
        raise CheckpointError(f"{p}: checkpoint format {version} is newer than this cnncalc "
                              f"reads ({VERSION})", "upgrade cnncalc")
    missing = [k for k in REQUIRED if k not in data]
    if missing:
        raise CheckpointError(f"{p}: checkpoint lacks {', '.join(missing)}")
    return data


def restore(module: Any, state: Any, path: str | Path, what: str = "weights") -> None:
    """module.load_state_dict(state), with a mismatch reported as a CheckpointError."""
    try:
        module.load_state_dict(state)
    except (RuntimeError, KeyError, TypeError, ValueError, AttributeError) as e:
        lines = [x.strip() for x in str(e).splitlines() if x.strip()] or [type(e).__name__]
        detail = next((x for x in lines if x.startswith(("size mismatch", "Missing key",
                                                          "Unexpected key"))), lines[0])
        raise CheckpointError(f"{path}: its {what} do not fit its own spec ({detail[:160]})",
                              "the file was altered or comes from another model") from None
