"""Python source for a built model (a standalone nn.Module class a user can paste and edit),
and `cnncalc export`: that class and its weights as a checked pair of files. The generated
code is checked by parsing it, never by running it."""

from __future__ import annotations

import ast
import inspect
import math
import pickle
from pathlib import Path
from typing import Any

import torch
from torch import nn

from ..calc.summary import LayerInfo, Summary
from ..errors import CheckpointError, UsageError
from ..export.codegen import check_class_name, comment, comment_lines, literal, spec_text
from ..ops.shape import format_shape
from .export_files import MARKER, Weights, check_targets, pair_for, run_lock, write_pair
from .model import (
    Branches,
    ChannelLayerNorm,
    ChannelSlice,
    Normalize,
    Permute,
    Reshape,
    Residual,
    build,
)
from .prep import check_spec

__all__ = ["SourceMismatch", "check_source", "to_python", "write_plain"]


def _call(m: nn.Module, row: LayerInfo) -> str:
    """`nn.Type(args)` with every argument that differs from its default."""
    sig = inspect.signature(type(m).__init__)
    parts = []
    positional = True
    for name, param in list(sig.parameters.items())[1:]:
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD) or name in (
                "device", "dtype", "inplace"):
            continue
        if name == "bias":
            value: Any = getattr(m, "bias", None) is not None
        elif hasattr(m, name):
            value = getattr(m, name)
        else:
            continue
        if isinstance(value, tuple) and len(set(value)) == 1 and len(value) == 2:
            value = value[0]
        try:
            text = literal(value)
        except ValueError as e:
            raise UsageError(f"layer {row.path} {row.spec}: its {name} is {e}, which no model "
                             "can use", "give a finite number") from None
        required = param.default is inspect.Parameter.empty
        if required and positional:
            parts.append(text)
            continue
        positional = False
        if not required and value == param.default:
            continue
        parts.append(f"{name}={text}")
    prefix = "" if type(m) in HELPERS else "nn."
    return f"{prefix}{type(m).__name__}({', '.join(parts)})"


HELPERS: tuple[type[nn.Module], ...] = (Residual, Branches, Reshape, Permute, ChannelLayerNorm,
                                        ChannelSlice)
"""cnncalc's own modules a generated file defines (their source is copied in) when it uses
them, in this order."""


def _note(row: LayerInfo) -> str:
    return "  " + comment(f"{format_shape(row.input_shape)} -> {format_shape(row.output_shape)}")


def _sequence(rows: tuple[LayerInfo, ...], modules: nn.Sequential, indent: int) -> list[str]:
    pad = " " * indent
    out = [f"{pad}nn.Sequential("]
    for row, child in zip(rows, modules, strict=True):
        out += _lines(row, child, indent + 4)
    return [*out, f"{pad}),"]


def _lines(row: LayerInfo, m: nn.Module, indent: int) -> list[str]:
    """Source lines of the module built for one summary row (a layer or a block)."""
    pad = " " * indent
    if row.kind == "repeat":
        assert isinstance(m, nn.Sequential)
        return _sequence(row.children, m, indent)
    if row.kind == "residual":
        assert isinstance(m, Residual) and isinstance(m.body, nn.Sequential)
        if isinstance(m.shortcut, nn.Sequential):
            shortcut = _sequence(row.shortcut, m.shortcut, indent + 4)
        else:
            shortcut = [f"{pad}    nn.Identity(),"]
        return [f"{pad}Residual(", *_sequence(row.children, m.body, indent + 4), *shortcut,
                f"{pad}),"]
    if row.branches:
        assert isinstance(m, Branches)
        parts: list[str] = []
        for rows, branch in zip(row.branches, m.branches, strict=True):
            if rows:
                assert isinstance(branch, nn.Sequential)
                parts += _sequence(rows, branch, indent + 4)
            else:
                parts.append(f"{pad}    nn.Identity(),  # the block's input itself")
        return [f"{pad}Branches({literal(row.kind)}, [{_note(row)}", *parts, f"{pad}]),"]
    if isinstance(m, nn.Sequential):  # one layer that torch builds as two modules
        return [f"{pad}nn.Sequential({_note(row)}",
                *(f"{pad}    {_call(child, row)}," for child in m), f"{pad}),"]
    return [f"{pad}{_call(m, row)},{_note(row)}"]


def _load_function(class_name: str) -> list[str]:
    return [
        "",
        "",
        f"def load() -> {class_name}:",
        f'    """{class_name}() with its trained weights: the .pt of the same name beside this',
        "    file, loaded with strict=True once its sha256 is checked against WEIGHTS_SHA256.",
        '    """',
        '    path = os.path.splitext(os.path.abspath(__file__))[0] + ".pt"',
        '    with open(path, "rb") as f:',
        "        data = f.read()  # checked and loaded from the same bytes",
        "    if hashlib.sha256(data).hexdigest() != WEIGHTS_SHA256:",
        '        raise ValueError(f"{path} is not the weights file this class was exported with "',
        '                         "(its sha256 differs); export the checkpoint again")',
        f"    model = {class_name}()",
        "    model.load_state_dict(torch.load(io.BytesIO(data), weights_only=True), strict=True)",
        "    return model",
    ]


def to_python(summary: Summary, model: nn.Sequential, class_name: str = "Net",
              prep: Normalize | None = None, weights: Weights | None = None) -> str:
    """The class for `model` (a bare nn.Sequential of the spec's layers). With `prep`, the
    class of a trained checkpoint: it takes raw 0..1 images, pads and normalises them as
    training did, and its state dict is the checkpoint's ck["model"] (strict). With
    `weights` (what the .pt beside it holds), the file of `cnncalc export`: it starts with
    its MARKER, records the weights and has a load() that checks them.

    No input text reaches the source except as checked literals or escaped comments: the
    spec appears only as the calculator's normalised text, in a comment."""
    check_class_name(class_name)
    used = {type(m) for m in model.modules()}
    body: list[str] = []
    for row, child in zip(summary.layers, model, strict=True):
        body += _lines(row, child, 12)
    shape_in = ", ".join(map(str, summary.input_shape))
    shape_out = ", ".join(map(str, summary.output_shape))
    if prep is None:
        init_prep: list[str] = []
        forward = [f"        return self.layers(x)  # (N, {shape_in}) -> (N, {shape_out})"]
        takes = f"Input {format_shape(summary.input_shape)}"
    else:
        mean, std = float(prep.get_buffer("mean")), float(prep.get_buffer("std"))
        init_prep = [f"        self.prep = Normalize({literal(prep.height)}, "
                     f"{literal(prep.width)}, mean={literal(mean)}, std={literal(std)})"]
        forward = ["        # raw pixels in 0..1, (N, 1, 28, 28) or already "
                   f"(N, {shape_in}) -> (N, {shape_out})",
                   "        return self.layers(self.prep(x))"]
        takes = (f"Input: raw 0..1 pixels, centre-padded to {format_shape(summary.input_shape)} "
                 f"and normalised by self.prep (mean {mean:g}, std {std:g})")
    sources = [inspect.getsource(h).rstrip("\n") for h in HELPERS if h in used]
    if prep is not None:
        sources.append(inspect.getsource(Normalize).rstrip("\n"))
    if weights is None:
        top = [f'"""{class_name}: a PyTorch model generated by cnncalc from the spec below."""',
               "", "import torch", "from torch import nn", ""]
    else:
        top = [MARKER,
               f'"""{class_name}: a trained network in plain PyTorch, exported by cnncalc.',
               "",
               "load() gives it with its weights (the .pt of the same name beside this file).",
               '"""',
               "", "import hashlib", "import io", "import os", "",
               "import torch", "from torch import nn", "",
               f"WEIGHTS_SHA256 = {literal(weights.sha256)}",
               f"WEIGHTS_BYTES = {literal(weights.size)}"]
    return "\n".join([
        *top,
        *comment_lines(spec_text(summary), "spec: "),
        comment(f"input: {format_shape(summary.input_shape)} (C x H x W)"),
        *("\n\n" + src for src in sources),
        "",
        "",
        f"class {class_name}(nn.Module):",
        f'    """{takes}; output {format_shape(summary.output_shape)}, '
        f'{summary.trainable_params:,} parameters."""',
        "",
        "    def __init__(self) -> None:",
        "        super().__init__()",
        *init_prep,
        "        self.layers = nn.Sequential(",
        *body,
        "        )",
        "",
        "    def forward(self, x: torch.Tensor) -> torch.Tensor:",
        *forward,
        *(_load_function(class_name) if weights is not None else []),
        "",
    ])


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
        with torch.device("meta"):
            layers = build(summary)
        prep = Normalize(shape[1], shape[2], mean, std)
        expected = {k: tuple(v.shape) for k, v in state.items()}

        def make_py(weights: Weights) -> str:
            source = to_python(summary, layers, class_name, prep, weights)
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
