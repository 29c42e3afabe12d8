"""A model class of the file subclassed by another class of the file.

`class Net(Base)` where `Base(nn.Module)` is a class of the same file is a model of its own:
it builds what Base's methods build, with Net's class attributes and methods in place of
Base's. Before, such a class was not taken for a model at all, so `model = Net()` was passed
over and Base, with its own attributes, was read in its place.

Where Python's lookup gives the very class that merging the two bodies gives, Net is read
as that merged class: Base's body with each name Net defines replaced by Net's, and
Base's bases. That holds when

- each body holds only class attributes, methods and a docstring;
- Net names one base, of the file, defined above it, with no keywords or decorators;
- no class attribute of Base is computed from another name of either body (`w2 = w * 2`
  is computed in Base's namespace: Net's `w` would not change it), and none of Net is
  computed from a name Base's body binds (Net's body cannot see Base's names: Python
  finds the module's, or none);
- no method of Net reaches a method of Base through `super()` (`super().__init__()` in
  Net.__init__ runs Base.__init__, which the merged class would not): `super()` in the
  merged class reaches nn.Module, as it does from Base.

Otherwise the subclass is still a model, and reading it is an error naming why (never Base
read in its place). Keras model classes subclassed in the file are refused likewise.
"""

from __future__ import annotations

import ast

from .values import dotted

_TORCH_BASES = ("nn.Module", "Module", "torch.nn.Module")
_KERAS_BASES = ("keras.Model", "Model", "tf.keras.Model", "keras.models.Model")
REFUSED = "_cnncalc_refused"  # attribute on a ClassDef: why it is not read
KIND = "_cnncalc_kind"  # attribute on a ClassDef: the kind of model its bases make it


def class_kind(cls: ast.ClassDef) -> str:
    """'torch' (an nn.Module class), 'keras' (a keras.Model) or 'class', by its bases or, for
    a subclass of a model class of the file, by the kind marked on it here."""
    bases = [dotted(b) for b in cls.bases]
    if any(b in _TORCH_BASES for b in bases):
        return "torch"
    if any(b in _KERAS_BASES for b in bases):
        return "keras"
    return str(getattr(cls, KIND, "class"))


def _plain_body(cls: ast.ClassDef) -> str:
    """'' where the body holds only class attributes, methods and a docstring, else what
    else it holds."""
    for s in cls.body:
        if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        if isinstance(s, ast.Assign) and all(isinstance(t, ast.Name) for t in s.targets):
            continue
        if isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name):
            continue
        if isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant):
            continue
        if isinstance(s, ast.Pass):
            continue
        return f"line {s.lineno}: {type(s).__name__.lower()}"
    return ""


def _names(s: ast.stmt) -> list[str]:
    """The class-level names a statement of a class body binds."""
    if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return [s.name]
    if isinstance(s, ast.Assign):
        return [t.id for t in s.targets if isinstance(t, ast.Name)]
    if isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name):
        return [s.target.id]
    return []


def _why_not(base: ast.ClassDef, sub: ast.ClassDef) -> str:
    """'' where merging the bodies gives what Python's lookup gives, else why not."""
    for cls in (base, sub):
        other = _plain_body(cls)
        if other:
            return f"class {cls.name} holds more than attributes and methods ({other})"
    base_bound = {n for s in base.body for n in _names(s)}
    found = _first_use(base.body, base_bound | {n for s in sub.body for n in _names(s)})
    if found:
        return f"{base.name}.{found[0]} is computed from {found[1]}, which {sub.name} may change"
    # Net's body cannot see Base's names (`w2 = w * 2` in Net is Python's NameError, or a
    # module-level w): in the merged body it would see Base's
    found = _first_use(sub.body, base_bound)
    if found:
        return (f"{sub.name}.{found[0]} uses the name {found[1]}, which {sub.name}'s body "
                f"cannot see in {base.name}")
    inherited = {n for s in base.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))
                 for n in _names(s)}
    for s in sub.body:
        if not isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for n in ast.walk(s):
            if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Call) and \
                    isinstance(n.value.func, ast.Name) and n.value.func.id == "super" and \
                    n.attr in inherited:
                return (f"{sub.name}.{s.name} calls {base.name}.{n.attr} through super() "
                        f"(line {n.lineno})")
    return ""


def _first_use(body: list[ast.stmt], names: set[str]) -> tuple[str, str] | None:
    """(the attribute, the name) of the first class attribute of `body` whose value uses
    one of `names`."""
    for s in body:
        if isinstance(s, (ast.Assign, ast.AnnAssign)) and s.value is not None:
            used = {n.id for n in ast.walk(s.value) if isinstance(n, ast.Name)} & names
            if used:
                return _names(s)[0], sorted(used)[0]
    return None


def _merged(base: ast.ClassDef, sub: ast.ClassDef) -> ast.ClassDef:
    """Base's body with each name sub defines replaced by sub's definition."""
    own = {n for s in sub.body for n in _names(s)}
    body = [s for s in base.body if not (set(_names(s)) & own)
            and not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
    body += sub.body
    merged = ast.ClassDef(name=sub.name, bases=[*base.bases, ast.Name(base.name, ast.Load())],
                          keywords=list(base.keywords), body=body or [ast.Pass()],
                          decorator_list=[])
    return ast.copy_location(merged, sub)


def model_subclasses(tree: ast.Module) -> ast.Module:
    """The tree with each top-level class that subclasses a model class of the file made a
    model: merged with its base where that is exact, else marked refused (see above)."""
    classes: dict[str, ast.ClassDef] = {}
    changed: dict[str, str] = {}  # a model class's name, bound or changed again -> its kind
    for i, s in enumerate(tree.body):
        if not isinstance(s, ast.ClassDef):
            if isinstance(s, (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.FunctionDef,
                              ast.Import, ast.ImportFrom, ast.Expr)):
                for name in _rebound(s):
                    gone = classes.pop(name, None)  # no longer (only) that class body
                    if gone is not None and class_kind(gone) != "class":
                        changed[name] = class_kind(gone)
            continue
        later = [b.id for b in s.bases if isinstance(b, ast.Name) and b.id in changed and
                 b.id not in classes]
        if later:
            setattr(s, KIND, changed[later[0]])
            setattr(s, REFUSED, f"{later[0]} is changed or bound again before {s.name} "
                    "subclasses it")
            classes[s.name] = s
            continue
        found = [b for b in s.bases if isinstance(b, ast.Name) and b.id in classes and
                 class_kind(classes[b.id]) != "class"]
        if found:
            base = classes[found[0].id]
            kind = class_kind(base)
            why = "" if kind == "torch" else \
                f"{s.name} subclasses {base.name}, a Keras model class of the file"
            if not why and (len(s.bases) != 1 or s.keywords or s.decorator_list):
                why = f"class {s.name} has more than one base, keywords or decorators"
            why = why or _why_not(base, s)
            if why:
                setattr(s, KIND, kind)
                setattr(s, REFUSED, why)
            else:
                s = tree.body[i] = _merged(base, s)
        classes[s.name] = s
    return tree


def _rebound(s: ast.stmt) -> list[str]:
    """Names a module-level statement binds, or whose object it may change (`Net.width =
    8`, `setattr(Net, ...)`: any name it hands on or assigns an attribute of)."""
    if isinstance(s, ast.Expr):  # a name handed on as a value, not only called
        called = {id(c.func) for c in ast.walk(s.value) if isinstance(c, ast.Call)}
        return [n.id for c in ast.walk(s.value) if isinstance(c, ast.Call)
                for a in [*c.args, *(k.value for k in c.keywords)]
                for n in ast.walk(a) if isinstance(n, ast.Name) and id(n) not in called]
    if isinstance(s, (ast.Assign, ast.AugAssign)):
        targets = s.targets if isinstance(s, ast.Assign) else [s.target]
        return [n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)]
    if isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name):
        return [s.target.id]
    if isinstance(s, ast.FunctionDef):
        return [s.name]
    if isinstance(s, (ast.Import, ast.ImportFrom)):
        return [(a.asname or a.name).split(".")[0] for a in s.names]
    return []
