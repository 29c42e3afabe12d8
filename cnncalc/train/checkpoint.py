"""Checkpoints that describe themselves: atomic writes, integrity, and bounded safe loads."""

from __future__ import annotations

import hashlib
import json
import math
import pickle
import re
import shutil
import zipfile
from pathlib import Path
from typing import Any, BinaryIO, TypeGuard

import torch

from .._version import __version__
from ..budget import check as check_budget
from ..errors import CheckpointError
from ..files import atomic_write  # re-exported: older callers import it from here
from . import checkpoint_fields as fields

__all__ = ["FORMAT", "VERSION", "atomic_write", "copy", "load", "restore", "save", "validate"]

FORMAT = "cnncalc-checkpoint"
VERSION = 2  # 2: a sha256 of every tensor and of the model's description is stored
REQUIRED = ("format", "version", "spec", "input_shape", "convention", "options", "epoch",
            "model")
INTEGRITY = "integrity"
MODEL_FIELDS = ("spec", "input_shape", "convention")
# Bounds on metadata: far above any real run, far below anything that hurts to walk.
MAX_HISTORY = 100_000  # epochs recorded
MAX_ROW_KEYS = 256
MAX_ROW_LIST = 1000  # a row value may be a list of scalars this long, never nested
MAX_TEXT = 1_000_000  # characters of a spec or any string
MAX_DIM = 1 << 20  # an input dimension
MAX_NODES = 200_000  # containers and leaves walked outside the history (optimizer state, ...)


def _walk_tensors(obj: Any, prefix: str, out: dict[str, torch.Tensor], seen: list[int]) -> None:
    """Every tensor in obj with a path; counts nodes so a shared structure cannot explode."""
    seen[0] += 1
    if seen[0] > MAX_NODES:
        raise CheckpointError(f"its payload has more than {MAX_NODES:,} entries")
    if isinstance(obj, torch.Tensor):
        out[prefix] = obj
    elif isinstance(obj, dict):
        for k, v in obj.items():  # '#' marks a non-text key, so 0 and "0" never collide
            _walk_tensors(v, f"{prefix}/{k}" if isinstance(k, str) else f"{prefix}/#{k!r}",
                          out, seen)
    elif isinstance(obj, (list, tuple)):
        for i, v in enumerate(obj):
            _walk_tensors(v, f"{prefix}/{i}", out, seen)


def _tensor_digest(t: torch.Tensor) -> str:
    flat = t.detach().cpu().contiguous().reshape(-1)
    h = hashlib.sha256(f"{flat.dtype}:{tuple(t.shape)}:".encode())
    if flat.numel():
        h.update(flat.view(torch.uint8).numpy().data)  # no copy
    return h.hexdigest()


def digests(payload: dict[str, Any]) -> dict[str, Any]:
    """sha256 of every tensor (by its path in the payload) and of the model's description."""
    tensors: dict[str, torch.Tensor] = {}
    seen = [0]
    for key, value in payload.items():
        if key not in (INTEGRITY, "history"):  # history: flat rows of scalars, checked apart
            _walk_tensors(value, key, tensors, seen)
    meta = json.dumps([payload.get(k) for k in MODEL_FIELDS], sort_keys=True, default=str)
    return {"tensors": {k: _tensor_digest(t) for k, t in sorted(tensors.items())},
            "model": hashlib.sha256(meta.encode()).hexdigest()}


def save(path: Path, payload: dict[str, Any]) -> None:
    data = {"format": FORMAT, "version": VERSION, "cnncalc_version": __version__, **payload}
    data.pop(INTEGRITY, None)
    try:
        data[INTEGRITY] = digests(data)
    except CheckpointError as e:
        raise CheckpointError(f"cannot save {path}: {e.message}") from None
    atomic_write(path, lambda f: torch.save(data, f), CheckpointError,
                 "the previous checkpoint, if any, is intact; free some space or choose "
                 "another --out")


def copy(source: Path, path: Path) -> None:
    """Write `path` as a byte-for-byte copy of the checkpoint just saved at `source`: the same
    snapshot is not serialised and hashed a second time."""
    def write(f: BinaryIO) -> None:
        with open(source, "rb") as src:
            shutil.copyfileobj(src, f, 1 << 20)

    atomic_write(path, write, CheckpointError,
                 "the previous checkpoint, if any, is intact; free some space or choose "
                 "another --out")


MAX_ENTRIES = 100_000  # zip entries: one per tensor storage, plus a few records


def _declared_entries(p: Path, size: int) -> int | None:
    """The entry count from the zip's end record, read before zipfile parses the directory
    (each parsed entry costs far more memory than its bytes in the file)."""
    with open(p, "rb") as f:
        tail_at = max(0, size - (1 << 16) - 22)
        f.seek(tail_at)
        tail = f.read()
        at = tail.rfind(b"PK\x05\x06")
        if at < 0 or at + 22 > len(tail):
            return None
        count = int.from_bytes(tail[at + 10:at + 12], "little")
        locator = tail.rfind(b"PK\x06\x07", 0, at)
        if count == 0xFFFF and locator >= 0:  # zip64: the count is in the zip64 end record
            offset = int.from_bytes(tail[locator + 8:locator + 16], "little")
            if not 0 <= offset < size:
                return None
            f.seek(offset)
            record = f.read(56)
            if record[:4] == b"PK\x06\x06" and len(record) == 56:
                count = int.from_bytes(record[32:40], "little")
        return count


def _check_zip(p: Path) -> None:
    """Refuse, before torch.load inflates anything, a zip whose entries could expand.

    torch.save stores every entry uncompressed, so a compressed entry can only come from a
    re-packed (possibly bomb) file, and the entries' declared sizes must fit in the file."""
    size = p.stat().st_size
    try:
        entries = _declared_entries(p, size)
        if entries is not None and entries > MAX_ENTRIES:
            raise CheckpointError(f"{p}: damaged checkpoint (its zip declares {entries:,} "
                                  f"entries, more than {MAX_ENTRIES:,})")
        with zipfile.ZipFile(p) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as e:
        raise CheckpointError(f"{p}: not a readable checkpoint ({str(e)[:60]})",
                              "it may be truncated or not a torch file") from None
    declared = sum(i.file_size for i in infos)
    packed = [i.filename for i in infos if i.compress_type != zipfile.ZIP_STORED]
    if packed:
        raise CheckpointError(f"{p}: damaged checkpoint (entry {packed[0][:40]} is compressed; "
                              f"it would inflate to {declared:,} bytes)",
                              "cnncalc writes uncompressed entries only; use the original file")
    if declared > size:
        raise CheckpointError(f"{p}: damaged checkpoint (its entries declare {declared:,} "
                              f"bytes, more than the file's {size:,})")
    check_budget(2 * size, f"loading {p}", "free some memory")


def load(path: str | Path, resume: bool = False) -> dict[str, Any]:
    """Load and validate a checkpoint. Only tensors and plain data are accepted; sizes are
    bounded before anything is inflated, and every tensor's checksum is verified."""
    p = Path(path)
    return validate(read_raw(p), p, resume)


def read_raw(p: Path) -> Any:
    """What a torch file holds, unvalidated: a checkpoint or a plain state dict. Refuses
    bombs, pickles and foreign files before torch.load inflates anything."""
    if not p.exists():
        raise CheckpointError(f"{p}: no such checkpoint")
    if p.is_dir():
        hint = f"did you mean {p / 'best.pt'}?" if (p / "best.pt").exists() else None
        raise CheckpointError(f"{p} is a folder, not a checkpoint", hint)
    if not p.is_file():  # a FIFO or a device would block or never end
        raise CheckpointError(f"{p}: not a regular file", "give the path of a .pt file")
    try:
        size = p.stat().st_size
        with open(p, "rb") as f:
            head = f.read(4)
    except OSError as e:
        raise CheckpointError(f"{p}: cannot read it ({e.strerror or e})") from None
    if size == 0:
        raise CheckpointError(f"{p}: the file is empty (0 bytes)")
    if head.startswith(b"\x80"):
        # torch's legacy format (and raw pickles) declare storage sizes that are allocated
        # before the data is read; cnncalc has only ever written the zip format
        raise CheckpointError(f"{p}: not a readable checkpoint (a bare pickle or torch's legacy "
                              "format, which cnncalc never writes)",
                              "cnncalc never runs code from a checkpoint")
    if not head.startswith(b"PK"):
        raise CheckpointError(f"{p}: not a readable checkpoint (neither a torch file nor a "
                              "pickle)", "it may be truncated, or another kind of file")
    _check_zip(p)
    try:
        data = torch.load(p, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as e:
        found = re.search(r"(?:unsupported|Unsupported global:) GLOBAL ([\w.]+)", str(e))
        what = f"it would load {found.group(1)}" if found else "unsupported content"
        raise CheckpointError(f"{p}: refused, it holds objects other than tensors and plain "
                              f"data ({what})",
                              "cnncalc never runs code from a checkpoint") from None
    except (RuntimeError, EOFError, zipfile.BadZipFile, ValueError, OSError, MemoryError,
            OverflowError, KeyError, TypeError, IndexError, AttributeError) as e:
        detail = str(e).splitlines()[0][:80] if str(e) else type(e).__name__
        raise CheckpointError(f"{p}: not a readable checkpoint ({detail})",
                              "it may be truncated or not a torch file") from None
    return data


def _fail(p: Path, what: str) -> CheckpointError:
    return CheckpointError(f"{p}: damaged checkpoint ({what})",
                           "use another checkpoint, or train again")


def _is_int(v: Any) -> TypeGuard[int]:
    return isinstance(v, int) and not isinstance(v, bool)


def _check_history(p: Path, history: Any) -> None:
    if not isinstance(history, list) or len(history) > MAX_HISTORY:
        raise _fail(p, f"history must be a list of at most {MAX_HISTORY:,} epochs")
    for n, row in enumerate(history, 1):
        if not isinstance(row, dict) or len(row) > MAX_ROW_KEYS:
            raise _fail(p, f"history row {n} is not a flat record")
        for key, value in row.items():
            if not isinstance(key, str) or not _row_value(value):
                # flat rows only: a nested (or shared, exploding) structure is refused at once
                raise _fail(p, f"history row {n} holds a {type(value).__name__} "
                               f"under {str(key)[:30]!r}")


def _scalar(value: Any) -> bool:
    if value is None or isinstance(value, (bool, float)):
        return True
    if isinstance(value, int):
        return abs(value) <= 1 << 62
    return isinstance(value, str) and len(value) <= 1000


def _row_value(value: Any) -> bool:
    """A scalar, or a short list of scalars (per-class figures, say); nothing nested."""
    if isinstance(value, (list, tuple)):
        return len(value) <= MAX_ROW_LIST and all(_scalar(v) for v in value)
    return _scalar(value)


def _check_state(p: Path, state: Any) -> None:
    if not isinstance(state, dict):
        raise _fail(p, "its training state is not a record")
    for key in ("epoch", "step_in_epoch", "global_step"):
        v = state.get(key)
        if not _is_int(v) or not 0 <= v < 1 << 40:
            raise _fail(p, f"state {key} {str(v)[:30]!r} is not a count")
    best = state.get("best_acc")
    if not isinstance(best, (int, float)) or isinstance(best, bool) or not math.isfinite(best):
        raise _fail(p, f"state best_acc {str(best)[:30]!r} is not a number")


def validate(data: Any, p: Path, resume: bool = False) -> dict[str, Any]:
    """Check the keys this version knows (types and bounds), tolerating keys it does not."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise CheckpointError(f"{p}: not a cnncalc checkpoint",
                              "cnncalc loads checkpoints written by 'cnncalc train'; for a plain "
                              "state dict, give its model with --spec SPEC (and --input)")
    version = data.get("version")
    if not _is_int(version) or not 1 <= version <= VERSION:
        shown = str(version)[:20]
        if _is_int(version) and version > VERSION:
            raise CheckpointError(f"{p}: checkpoint format {shown} is newer than this cnncalc "
                                  f"reads ({VERSION})", "upgrade cnncalc")
        raise _fail(p, f"format version {shown!r} is not a version")
    missing = [k for k in REQUIRED if k not in data]
    if missing:
        raise CheckpointError(f"{p}: checkpoint lacks {', '.join(missing)}")
    spec = data["spec"]
    if not isinstance(spec, str) or not 0 < len(spec) <= MAX_TEXT:
        raise _fail(p, "its spec is not a text")
    shape = data["input_shape"]
    if (not isinstance(shape, (list, tuple)) or not 1 <= len(shape) <= 3
            or not all(_is_int(d) and 1 <= d <= MAX_DIM for d in shape)):
        raise _fail(p, f"input_shape {str(shape)[:40]} is not 1 to 3 sizes of 1-{MAX_DIM:,}")
    if not isinstance(data["convention"], str) or len(data["convention"]) > 20:
        raise _fail(p, "its convention is not a name")
    if not isinstance(data["options"], dict):
        raise _fail(p, "its options are not a record")
    if not _is_int(data["epoch"]) or not 0 <= data["epoch"] < 1 << 40:
        raise _fail(p, f"epoch {str(data['epoch'])[:30]!r} is not a count")
    model = data["model"]
    if not isinstance(model, dict) or not all(
            isinstance(k, str) and isinstance(v, torch.Tensor) for k, v in model.items()):
        raise _fail(p, "its weights are not a state dict of tensors")
    if "history" in data:
        _check_history(p, data["history"])
    if "state" in data or resume:
        if "state" not in data:
            raise CheckpointError(f"{p}: checkpoint lacks state (the training position)",
                                  "it cannot be resumed; start a new run with --out")
        _check_state(p, data["state"])
    if version >= 2:
        _verify(p, data)
    # What the file says is the one written; now, that every reader can use it.
    fields.check_model(p, data)
    if "history" in data:
        fields.check_history_values(p, data["history"])
    if resume:
        fields.check_resume(p, data)
    return data


def _verify(p: Path, data: dict[str, Any]) -> None:
    stored = data.get(INTEGRITY)
    if (not isinstance(stored, dict) or not isinstance(stored.get("tensors"), dict)
            or not isinstance(stored.get("model"), str)):
        raise _fail(p, "its checksums are missing")
    try:
        actual = digests(data)
    except CheckpointError as e:
        raise _fail(p, e.message) from None
    if actual["model"] != stored["model"]:
        raise _fail(p, "its spec or input shape was changed after it was saved")
    expected = stored["tensors"]
    if set(actual["tensors"]) != set(expected):
        odd = sorted(set(actual["tensors"]) ^ set(expected))
        kind = "extra" if odd[0] in actual["tensors"] else "missing"
        raise _fail(p, f"tensor {odd[0][:60]} is {kind}")
    bad = [k for k, v in actual["tensors"].items() if expected[k] != v]
    if bad:
        raise _fail(p, f"{len(bad)} tensor(s) fail their sha256, first {bad[0][:60]}")


def restore(module: Any, state: Any, path: str | Path, what: str = "weights") -> None:
    """module.load_state_dict(state), with a mismatch reported as a CheckpointError."""
    try:
        module.load_state_dict(state)
    except (RuntimeError, KeyError, TypeError, ValueError, AttributeError, IndexError) as e:
        lines = [x.strip() for x in str(e).splitlines() if x.strip()] or [type(e).__name__]
        detail = next((x for x in lines if x.startswith(("size mismatch", "Missing key",
                                                          "Unexpected key"))), lines[0])
        raise CheckpointError(f"{path}: its {what} do not fit its own spec ({detail[:160]})",
                              "the file was altered or comes from another model") from None
