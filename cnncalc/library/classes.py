"""The PyTorch and Keras class tables, their prefixes, and binding one call to cnncalc layers."""

from __future__ import annotations

from ..errors import cut
from .binding import KERAS, PYTORCH, Bound, ClassDef, ClassError, Raw, bind_args
from .keras import CLASSES as KERAS_CLASSES
from .keras import input_shape, is_plane
from .pytorch import CLASSES as TORCH_CLASSES

TABLE: dict[str, list[ClassDef]] = {}
for _d in TORCH_CLASSES + KERAS_CLASSES:
    TABLE.setdefault(_d.name, []).append(_d)

LOWER: dict[str, list[str]] = {}
for _name in TABLE:
    LOWER.setdefault(_name.lower(), []).append(_name)

PREFIXES: dict[str, str] = {
    "nn.": PYTORCH, "torch.nn.": PYTORCH, "keras.layers.": KERAS, "layers.": KERAS,
    "tf.keras.layers.": KERAS, "tensorflow.keras.layers.": KERAS, "keras.": KERAS,
    "tf.keras.": KERAS,
}


def split_name(dotted: str) -> tuple[str | None, str]:
    """('pytorch'|'keras'|None, class name) for `nn.Conv2d`, `layers.Dense`, `Conv2d`."""
    if "." not in dotted:
        return None, dotted
    prefix, name = dotted.rsplit(".", 1)
    dialect = PREFIXES.get(prefix + ".")
    if dialect is None:
        raise ClassError(f"unknown module prefix '{cut(prefix)}.'",
                         "write nn., torch.nn., layers., keras.layers. or tf.keras.layers.")
    defs = TABLE.get(name, [])
    if defs and dialect not in {d.dialect for d in defs}:
        lib = "torch.nn" if dialect == PYTORCH else "keras.layers"
        raise ClassError(f"{lib} has no class {cut(name)}", _case_hint(name))
    return dialect, name


def _case_hint(name: str) -> str | None:
    spelled = [n for n in LOWER.get(name.lower(), []) if n != name]
    if spelled:
        return "did you mean " + " or ".join(f"'{n}'" for n in spelled) + "?"
    return None


def is_class(name: str) -> bool:
    return name in TABLE


def library_name(dotted: str) -> tuple[str | None, str] | None:
    """(dialect its prefix names, class name) when `dotted` names a library layer class
    (`nn.Conv2d`, `layers.Dense`, `Conv2d`), else None. Never raises."""
    prefix, _, name = dotted.rpartition(".")
    dialect = PREFIXES.get(prefix + ".") if prefix else None
    if (prefix and dialect is None) or name not in TABLE:
        return None
    return dialect, name


def class_hint(name: str, dialect: str | None = None) -> str | None:
    """'did you mean ...?' for a misspelt class name (`Maxpooling2D`, `Con2D`), among the
    classes of `dialect` when the prefix names one."""
    import difflib  # only on errors

    names = [n for n, defs in TABLE.items()
             if dialect is None or dialect in {d.dialect for d in defs}]
    same_case = [n for n in names if n.lower() == name.lower() and n != name]
    close = same_case or difflib.get_close_matches(name, names, n=2, cutoff=0.75)
    if not close:
        return None
    return "did you mean " + " or ".join(f"'{n}'" for n in close) + "?"


def misspelled_class(name: str) -> str | None:
    """A hint when `name` is a library class written in the wrong case (`conv2d`, `linear`)."""
    spelled = LOWER.get(name.lower())
    if not spelled or name in TABLE:
        return None
    which = " or ".join(
        f"{n} ({'PyTorch' if TABLE[n][0].dialect == PYTORCH else 'Keras'})" for n in spelled)
    return f"class names are case-sensitive: write {which}, which binds in that library's order"


def dialect_for(name: str, prefixed: str | None, model_dialect: str | None) -> ClassDef:
    defs = TABLE[name]
    want = prefixed or model_dialect or PYTORCH
    for d in defs:
        if d.dialect == want:
            return d
    return defs[0]


def bind_call(name: str, prefixed: str | None, model_dialect: str | None,
              positional: list[Raw], keywords: dict[str, Raw], first: bool) -> Bound:
    """The cnncalc layers (and declared input shape) one library call stands for."""
    d = dialect_for(name, prefixed, model_dialect)
    args = bind_args(d, positional, keywords)
    bound = d.make(args)
    declared = None
    plane = False
    for key in ("input_shape", "batch_input_shape"):
        if d.dialect == KERAS and keywords.get(key) is not None:
            value = keywords[key]
            if key == "batch_input_shape" and isinstance(value, (tuple, list)):
                value = tuple(value[1:])
            if not first:
                continue  # Keras uses it on a Sequential's first layer only (the reader says)
            declared = input_shape(value, f"{d.name} {key}", True)
            plane = is_plane(value)
    if declared is not None:
        return Bound(bound.layers, declared, plane)
    return bound


__all__ = ["KERAS", "PYTORCH", "TABLE", "Bound", "ClassError", "bind_call", "dialect_for",
           "is_class", "misspelled_class", "split_name"]
