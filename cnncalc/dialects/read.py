"""The code reader's entry point: every model in a file, or the one asked for. Importing this
module loads the whole reader (its higher modules provide their hooks)."""

from __future__ import annotations

import ast
from collections.abc import Callable, Sequence
from dataclasses import replace

from ..errors import cut
from ..ir.tree import Node, walk_layers
from . import init_run as init_run
from . import torch_module as torch_module
from .code import CodeError as CodeError
from .code import Init as Init
from .code import Model, check_dialect, parse_source
from .given import Given, check_names, check_used, data_names, giving
from .modules import find_models, models_and_problem


def read_models(source: str) -> list[tuple[str, int, Callable[[], Model]]]:
    """Every model in the code as (name, line, reader); calling a reader reads that model."""

    return find_models(parse_source(source))


def read_model(source: str, name: str | None = None, given: Given | None = None) -> Model:
    """The one model the code holds, or the one `name` picks; `given`: the values the user
    gives for what the code knows only when it runs (--set, and --input for data shapes)."""
    given = given if given is not None else Given()
    tree = parse_source(source)
    check_names(given, tree)
    given.data = data_names(tree)
    if given.convention is not None:
        given.keras = given.convention == "keras"
    else:
        try:
            given.keras = check_dialect(tree) == "keras"
        except CodeError:
            given.keras = None  # both libraries: a data shape cannot be laid out
    with giving(given):
        try:
            found, problem = models_and_problem(tree)
            if not found and problem is not None:
                raise CodeError(f"no model found in the code; the first statement it could "
                                f"not read: {problem.message}", problem.hint, problem.line)
            model = _pick(found, name)
        except CodeError:
            check_used(given, tree, failed=True)
            raise
    check_used(given, tree)
    said = tuple(dict.fromkeys(given.notes))  # once each, in the order the code ran
    if said:
        model = replace(model, notes=model.notes + said)
    if model.dialect == "keras":
        twice = _named_twice(model.nodes)
        if twice is not None:
            raise CodeError(f"two Keras layers of {model.name} are named {twice!r}; Keras "
                            "refuses such a model (layer names must be unique)",
                            "give each layer its own name=, or none")
    asked = layout_asked(tree)
    if asked is not None:
        model = replace(model, notes=model.notes + (
            f"line {asked} asks Keras for its image layout: read as 'channels_last', Keras' "
            "default (a keras.json that sets 'channels_first' would give another model)",))
    other = other_dtype(tree)
    if other is not None:
        model = replace(model, notes=model.notes + (
            f"memory is counted at 4 bytes a value (float32); line {other[0]} uses "
            f"{other[1]}: if the model runs in that type, scale the memory figures",))
    missing = unimported(tree)
    if missing:
        names = ", ".join(missing[:4]) + (", ..." if len(missing) > 4 else "")
        model = replace(model, notes=model.notes + (
            f"the code uses {names} without importing {'it' if len(missing) == 1 else 'them'}:"
            f" read as the library's own (run as it is, Python stops with a NameError)",))
    return model


# Value types other than float32, as code names them (torch.float16, "float16", half()).
_DTYPES = {
    "float16": "float16 (2 bytes a value)", "half": "float16 (2 bytes a value)",
    "bfloat16": "bfloat16 (2 bytes a value)", "float64": "float64 (8 bytes a value)",
    "double": "float64 (8 bytes a value)", "mixed_float16": "mixed float16 (2 bytes a value "
    "for activations)", "mixed_bfloat16": "mixed bfloat16 (2 bytes a value for activations)",
    "int8": "int8 (1 byte a value)", "qint8": "int8 (1 byte a value)",
}
_CASTS = frozenset({"to", "type", "set_default_dtype", "set_global_policy", "Policy",
                    "autocast"})


def _dtype_named(node: ast.AST) -> str | None:
    """The type an expression names: torch.float16, tf.float16, 'float16', half."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return _DTYPES.get(node.value)
    if isinstance(node, ast.Attribute):
        return _DTYPES.get(node.attr)
    if isinstance(node, ast.Name):
        return _DTYPES.get(node.id) if node.id in ("float16", "bfloat16", "float64") else None
    return None


def _calls(tree: ast.Module) -> list[ast.Call]:
    """Every call in the file, found once per file for the scans below."""
    found: list[ast.Call] | None = getattr(tree, "_cnncalc_all_calls", None)
    if found is None:
        found = [n for n in ast.walk(tree) if isinstance(n, ast.Call)]
        setattr(tree, "_cnncalc_all_calls", found)  # noqa: B010 - an attribute of our own
    return found


def layout_asked(tree: ast.Module) -> int | None:
    """The first line that calls Keras' image_data_format() (K.image_data_format(),
    keras.config.image_data_format()), which the reader answers with Keras' default."""
    lines = [n.lineno for n in _calls(tree) if not n.args
             and isinstance(n.func, ast.Attribute) and n.func.attr == "image_data_format"]
    return min(lines) if lines else None


def _root_name(node: ast.AST) -> str:
    """The name an expression starts from: np for np.array(x).astype."""
    while isinstance(node, (ast.Attribute, ast.Call)):
        node = node.value if isinstance(node, ast.Attribute) else node.func
    return node.id if isinstance(node, ast.Name) else ""


def other_dtype(tree: ast.Module) -> tuple[int, str] | None:
    """The first place the code makes its model or values another type than float32
    (model.half(), .to(torch.float16), dtype=torch.float64, set_default_dtype, a Keras
    mixed-precision policy, autocast), as (line, type): the memory columns assume float32,
    so the reader says so beside them."""
    found: list[tuple[int, int, str]] = []
    for n in _calls(tree):
        named: str | None = None
        func = n.func
        if _root_name(func) in ("np", "numpy"):
            continue  # data prepared with numpy: the model's own type is set elsewhere
        attr = func.attr if isinstance(func, ast.Attribute) else \
            func.id if isinstance(func, ast.Name) else ""
        if attr in ("half", "bfloat16", "double") and isinstance(func, ast.Attribute) \
                and not n.args and not n.keywords:
            named = _DTYPES[attr]
        elif attr in _CASTS:
            named = next((d for d in map(_dtype_named, n.args) if d), None)
            if named is None and attr == "autocast":
                named = "mixed precision (autocast)"
        named = named or next((d for k in n.keywords if k.arg == "dtype"
                               and (d := _dtype_named(k.value))), None)
        if named is not None:
            found.append((n.lineno, n.col_offset, named))
    if not found:
        return None
    line, _, named = min(found)
    return line, named


def _named_twice(nodes: Sequence[Node]) -> str | None:
    """A name= two Keras layers share (a shared layer object's uses are one layer; the rows
    one layer call makes, such as Dense's activation, carry its name too)."""
    names: set[str] = set()
    ties: set[str] = set()
    for layer, _ in walk_layers(nodes):
        if not layer.name or not layer.source or layer.tie in ties:
            continue
        if layer.tie:
            ties.add(layer.tie)
        if layer.name in names:
            return layer.name
        names.add(layer.name)
    return None


# Names the readers take as the libraries' own: module prefixes and the classes and functions
# a Keras or PyTorch file imports by name.
_LIBRARY_NAMES = frozenset({
    "nn", "torch", "F", "functional", "init", "layers", "keras", "tf", "tensorflow", "models",
    "Sequential", "Model", "Input", "InputLayer", "Conv2D", "Conv2DTranspose", "Dense",
    "Flatten", "Dropout", "MaxPooling2D", "MaxPool2D", "AveragePooling2D", "AvgPool2D",
    "GlobalAveragePooling2D", "GlobalMaxPooling2D", "BatchNormalization", "Activation",
    "Concatenate", "concatenate", "Add", "add", "multiply", "Conv2d", "ConvTranspose2d",
    "Linear", "MaxPool2d", "AvgPool2d", "BatchNorm2d", "BatchNorm1d", "ReLU", "Module",
    "ModuleList", "ModuleDict", "AdaptiveAvgPool2d",
})


def unimported(tree: ast.Module) -> list[str]:
    """Library names the code uses but never binds (no import, assignment, def, class or
    argument of that name): a pasted snippet without its imports, which Python would refuse
    with a NameError. The reader takes them as the library's own, and says so."""
    bound: set[str] = set()
    used: dict[str, tuple[int, int]] = {}
    for n in ast.walk(tree):
        if isinstance(n, (ast.Import, ast.ImportFrom)):
            if any(a.name == "*" for a in n.names):
                return []  # `from keras.layers import *`: what it binds is not known here
            for a in n.names:
                bound.add((a.asname or a.name).split(".")[0])
        elif isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(n.name)
        elif isinstance(n, ast.arg):
            bound.add(n.arg)
        elif isinstance(n, ast.Name):
            if isinstance(n.ctx, (ast.Store, ast.Del)):
                bound.add(n.id)
            elif n.id in _LIBRARY_NAMES:
                place = (n.lineno, n.col_offset)
                used[n.id] = min(used.get(n.id, place), place)
        elif isinstance(n, (ast.Global, ast.Nonlocal)):
            bound.update(n.names)
    return sorted((k for k in used if k not in bound), key=lambda k: used[k])


def _pick(found: list[tuple[str, int, Callable[[], Model]]], name: str | None) -> Model:
    if not found:
        raise CodeError("no model found in the code",
                        "cnncalc reads nn.Sequential(...), a class built on nn.Module with "
                        "forward(), and Keras Sequential([...]) or model.add(...)")
    listing = ", ".join(f"{n} (line {line})" for n, line, _ in found[:20])
    if name is None:
        if len(found) > 1:
            raise CodeError(f"the code has {len(found):,} models: {cut(listing, 300)}",
                            "pick one with --model NAME")
        return found[0][2]()
    for n, _, build in found:
        if n == name:
            return build()
    raise CodeError(f"no model named '{cut(name)}' in the code; it has {cut(listing, 300)}")
