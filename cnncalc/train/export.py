"""`cnncalc export`: a checkpoint's model as a standalone nn.Module class (written by
export.pytorch) and its weights, as a checked pair of files. The generated code is checked
by parsing it, never by running it."""

from __future__ import annotations

import ast
import math
import pickle
from pathlib import Path
from typing import Any

import torch
from torch import nn

from ..calc.summary import Summary
from ..errors import CheckpointError
from ..export.codegen import check_class_name
from ..export.pytorch import MARKER, Prep
from ..export.pytorch import to_python as write_python
from .export_files import Weights, check_targets, pair_for, run_lock, write_pair
from .model import (
    Branches,
    ChannelLayerNorm,
    ChannelLinear,
    ChannelSlice,
    Normalize,
    Permute,
    Reshape,
    Residual,
)
from .prep import check_spec

__all__ = ["SourceMismatch", "check_source", "to_python", "write_plain"]


HELPERS: tuple[type[nn.Module], ...] = (Residual, Branches, Reshape, Permute, ChannelLayerNorm,
                                        ChannelLinear, ChannelSlice)
"""cnncalc's own modules a generated file may define (export.pytorch.HELPERS, by name)."""


def to_python(summary: Summary, class_name: str = "Net", prep: Normalize | None = None,
              weights: Weights | None = None) -> str:
    """export.pytorch.to_python, with `prep` as the torch side holds it: the Normalize
    module of a trained checkpoint."""
    step = None
    if prep is not None:
        step = Prep(prep.height, prep.width, float(prep.get_buffer("mean")),
                    float(prep.get_buffer("std")))
    return write_python(summary, class_name, step, weights)


class SourceMismatch(Exception):
    """The generated source does not describe the weights it is written for."""


def _rebuild(node: ast.expr) -> Any:
    """The value of one expression of the generated __init__, built without running the
    source: literals, tuples, lists, `float('inf')`, and calls of torch.nn modules, cnncalc's
    helper modules (HELPERS) and Normalize with such arguments. Anything else is a mismatch."""
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float, str, type(None))):
        return node.value
    if isinstance(node, ast.Tuple):
        return tuple(_rebuild(e) for e in node.elts)
    if isinstance(node, ast.List):  # Branches' list of branch modules
        return [_rebuild(e) for e in node.elts]
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and \
            isinstance(node.operand, ast.Constant):
        number = node.operand.value
        if isinstance(number, (int, float)) and not isinstance(number, bool):
            return -number
    if isinstance(node, ast.Call) and all(k.arg is not None for k in node.keywords):
        f = node.func
        args = [_rebuild(a) for a in node.args]
        keywords = {str(k.arg): _rebuild(k.value) for k in node.keywords}
        if isinstance(f, ast.Name) and f.id == "float" and not keywords and \
                args in (["inf"], ["-inf"]):
            return float(args[0])
        cls: Any = None
        if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id == "nn":
            cls = getattr(nn, f.attr, None)
        elif isinstance(f, ast.Name):
            cls = {h.__name__: h for h in (*HELPERS, Normalize)}.get(f.id)
        if isinstance(cls, type) and issubclass(cls, nn.Module):
            try:
                return cls(*args, **keywords)
            except (TypeError, ValueError, RuntimeError) as e:
                raise SourceMismatch(f"line {node.lineno}: {e}") from None
    raise SourceMismatch(f"line {getattr(node, 'lineno', '?')}: unexpected "
                         f"{type(node).__name__}")


def _shape(t: torch.Tensor) -> str:
    return "x".join(map(str, t.shape)) or "scalar"


def check_source(source: str, class_name: str, expected: dict[str, tuple[int, ...]],
                 weights: Weights | None = None) -> None:
    """Prove, without running it, that `source` defines `class_name` whose state dict has
    exactly the keys and tensor shapes of `expected` (what load_state_dict(strict=True)
    checks), and that it records `weights`. Raises SourceMismatch naming the first
    difference."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError) as e:
        raise SourceMismatch(f"it does not parse: {e}") from None
    top = {n.name: n for n in tree.body if isinstance(n, ast.ClassDef)}
    found = top.get(class_name)
    if found is None or [ast.unparse(b) for b in found.bases] != ["nn.Module"]:
        raise SourceMismatch(f"no class {class_name}(nn.Module)")
    if weights is not None:
        constants = {t.id: n.value.value for n in tree.body if isinstance(n, ast.Assign)
                     and isinstance(n.value, ast.Constant)
                     for t in n.targets if isinstance(t, ast.Name)}
        if source.split("\n", 1)[0] != MARKER or constants.get("WEIGHTS_SHA256") != \
                weights.sha256 or constants.get("WEIGHTS_BYTES") != weights.size:
            raise SourceMismatch("it does not record its weights")
    init = next((n for n in found.body if isinstance(n, ast.FunctionDef)
                 and n.name == "__init__"), None)
    if init is None:
        raise SourceMismatch("no __init__")
    state: dict[str, torch.Tensor] = {}
    with torch.device("meta"):
        for stmt in init.body:
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
                target = stmt.targets[0]
                if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) \
                        and target.value.id == "self":
                    module = _rebuild(stmt.value)
                    if not isinstance(module, nn.Module):
                        raise SourceMismatch(f"self.{target.attr} is not a module")
                    state.update({f"{target.attr}.{k}": v
                                  for k, v in module.state_dict().items()})
    for key in expected:
        if key not in state:
            raise SourceMismatch(f"missing key {key[:80]}")
    for key, tensor in state.items():
        if key not in expected:
            raise SourceMismatch(f"unexpected key {key[:80]}")
        if tuple(tensor.shape) != expected[key]:
            shown = "x".join(map(str, expected[key])) or "scalar"
            raise SourceMismatch(f"size mismatch for {key[:80]}: {shown} in the weights, "
                                 f"{_shape(tensor)} in the class")


def _image_shape(data: dict[str, Any], where: str) -> tuple[int, int, int]:
    shape = tuple(int(d) for d in data["input_shape"])
    if len(shape) != 3:
        raise CheckpointError(f"{where}: its input shape {'x'.join(map(str, shape))} is not "
                              "C x H x W, so it is no image model 'cnncalc train' wrote",
                              "the file was altered; use another checkpoint")
    return shape[0], shape[1], shape[2]


def _normalisation(state: dict[str, Any], where: str) -> tuple[float, float]:
    """prep.mean and prep.std: finite, one value each, std above 0. A NaN, an infinity or
    a zero would make every prediction of the exported class meaningless."""
    values = []
    for key in ("prep.mean", "prep.std"):
        t = state.get(key)
        if not isinstance(t, torch.Tensor) or t.numel() != 1 or t.is_complex():
            raise CheckpointError(f"{where}: its weights lack a single {key} value",
                                  "the file was altered; use another checkpoint")
        value = float(t.reshape(()).item())
        if not math.isfinite(value) or (key == "prep.std" and value <= 0):
            raise CheckpointError(f"{where}: its normalisation {key.split('.')[1]} is {value!r}, "
                                  "which no trained model has" +
                                  ("" if key == "prep.mean" else " (it must be above 0)"),
                                  "the file was altered; use another checkpoint")
        values.append(value)
    return values[0], values[1]


def write_plain(checkpoint_path: Path, out: Path, class_name: str = "Net",
                force: bool = False) -> Path:
    """Write the checkpoint's model as `out` (its class) and `out` with .pt (its state dict,
    which that class loads with strict=True); returns the .pt path.

    Checked before anything is read: the class name, the -o folder, the run lock, and that
    neither file would replace the checkpoint, a folder, or (without `force`) a file that is
    not this export's own earlier output. The source is checked by parsing it (it is never
    run), both files are written to temp files and checked, then renamed as a pair."""
    from . import checkpoint, upgrade

    check_class_name(class_name)
    pair = pair_for(out)
    where = str(checkpoint_path)
    check_targets(pair, Path(checkpoint_path), force)
    with run_lock(pair.folder):
        check_targets(pair, Path(checkpoint_path), force)  # again: a training may have written
        data = checkpoint.load(checkpoint_path)
        shape = _image_shape(data, where)
        state = upgrade.model_state(data, where)
        mean, std = _normalisation(state, where)
        summary = check_spec(str(data["spec"]), shape, str(data["convention"]))
        prep = Normalize(shape[1], shape[2], mean, std)
        expected = {k: tuple(v.shape) for k, v in state.items()}

        def make_py(weights: Weights) -> str:
            source = to_python(summary, class_name, prep, weights)
            try:
                check_source(source, class_name, expected, weights)
            except SourceMismatch as e:
                raise CheckpointError(f"{where}: its weights do not fit the exported class "
                                      f"({e})", "the file was altered or comes from another "
                                      "model") from None
            return source

        make_py(Weights("0" * 64, 0))  # the weights fit the class: checked before any write
        plain = {k: v.detach().clone() for k, v in state.items()}

        def check_pt(path: Path) -> None:
            try:
                back = torch.load(path, map_location="cpu", weights_only=True, mmap=True)
                shapes = {k: tuple(v.shape) for k, v in back.items()}
            except (RuntimeError, OSError, ValueError, EOFError, pickle.UnpicklingError,
                    AttributeError) as e:
                raise CheckpointError(f"{path} does not read back ({str(e)[:80]})",
                                      "nothing was replaced; check the disk") from None
            if shapes != expected:
                raise CheckpointError(f"{path} does not read back as the weights written",
                                      "nothing was replaced; check the disk")

        write_pair(pair, lambda f: torch.save(plain, f), make_py, check_pt)
    return pair.pt
