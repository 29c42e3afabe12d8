"""Import aliases read as the library's usual names.

The reader knows the libraries by the names code usually gives them: `nn` and `F` for
torch.nn and its functional module, `layers`, `models` and `keras` for Keras, `tf`, `torch`
and `np`, and a class imported by its own name (`from torch.nn import Conv2d`). Code that
imports one of them under another name (`import torch.nn as N`, `from tensorflow.keras
import layers as L`, `from torch.nn import Conv2d as C`) is read with the alias renamed to
the usual name, throughout the file, where that changes nothing the code means:

- the alias is bound only by its import (no assignment, argument, loop variable, def,
  class, `except ... as`, `global` or other import of that name anywhere in the file);
- the usual name is bound only by imports of the very same module or class, or neither
  bound nor used anywhere (a use of it unbound is Python's NameError, which the reader
  notes);
- no `import *` could bind either name, and no two aliases of different modules would take
  the same usual name.

Otherwise the alias is left as it is, and the reader refuses what it cannot follow, as
before. Renaming a name bound once, by an import, to a name the file never binds is what
Python's own scoping makes safe: every load of it, in every scope, reaches that import.
"""

from __future__ import annotations

import ast
from collections import Counter

# A library module -> the name the reader knows it by.
MODULES = {
    "torch": "torch",
    "torch.nn": "nn",
    "torch.nn.functional": "F",
    "tensorflow": "tf",
    "tensorflow.keras": "keras",
    "keras": "keras",
    "tensorflow.keras.layers": "layers",
    "keras.layers": "layers",
    "tensorflow.keras.models": "models",
    "keras.models": "models",
    "numpy": "np",
}


def _targets(tree: ast.Module) -> list[tuple[ast.alias, bool, str, str]]:
    """(alias node, whether a `from` import holds it, the module or class it names, the
    usual name) for each import of a library module, or of one of its names, under another
    name."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.asname and a.name in MODULES and a.asname != MODULES[a.name]:
                    found.append((a, False, a.name, MODULES[a.name]))
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module in MODULES:
            for a in node.names:
                if not a.asname or a.name == "*":
                    continue
                full = f"{node.module}.{a.name}"
                usual = MODULES.get(full, a.name)  # a submodule's usual name, or the class's
                if a.asname != usual:
                    found.append((a, True, full, usual))
    return found


class _Bindings:
    """Where the file binds each name: how many places in all, how many of them imports,
    and what those imports bind it to; and whether it has an `import *`."""

    def __init__(self, tree: ast.Module) -> None:
        self.count: Counter[str] = Counter()
        self.by_import: Counter[str] = Counter()
        self.imported: dict[str, set[str]] = {}
        self.loaded: set[str] = set()
        self.star = False
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                self.imports(node)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
                self.count[node.id] += 1
            elif isinstance(node, ast.Name):
                self.loaded.add(node.id)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                self.count[node.name] += 1
            elif isinstance(node, ast.arg):
                self.count[node.arg] += 1
            elif isinstance(node, ast.ExceptHandler) and node.name:
                self.count[node.name] += 1
            elif isinstance(node, (ast.Global, ast.Nonlocal)):
                self.count.update(node.names)
            elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
                self.count[node.name] += 1
            elif isinstance(node, ast.MatchMapping) and node.rest:
                self.count[node.rest] += 1

    def imports(self, node: ast.Import | ast.ImportFrom) -> None:
        for a in node.names:
            if a.name == "*":
                self.star = True
                continue
            if isinstance(node, ast.Import):
                bound = a.asname or a.name.split(".")[0]
                full = a.name if a.asname else a.name.split(".")[0]
            else:
                bound = a.asname or a.name
                full = f"{'.' * node.level}{node.module or ''}.{a.name}"
            self.count[bound] += 1
            self.by_import[bound] += 1
            self.imported.setdefault(bound, set()).add(full)

    def only_import(self, name: str, full: str) -> bool:
        """`name` is bound only by imports of `full`, or nowhere and used nowhere (a use of
        it unbound is a NameError, which the reader notes: renaming would hide it)."""
        if not self.by_import[name]:
            return not self.count[name] and name not in self.loaded
        return self.count[name] == self.by_import[name] and self.imported[name] == {full}


def canonical_imports(tree: ast.Module) -> ast.Module:
    """The tree with each import alias that can be renamed (see the module doc) renamed to
    the library's usual name, in the import and at every use; changed in place."""
    targets = _targets(tree)
    if not targets:
        return tree
    bound = _Bindings(tree)
    if bound.star:
        return tree
    planned: dict[str, str] = {}  # alias -> usual name
    naming: dict[str, set[str]] = {}  # usual name -> what the aliases renamed to it name
    for a, _, full, usual in targets:
        naming.setdefault(usual, set()).add(full)
        if bound.count[a.asname or ""] == 1 and bound.only_import(usual, full):
            planned[a.asname or ""] = usual
    planned = {alias: usual for alias, usual in planned.items() if len(naming[usual]) == 1}
    if not planned:
        return tree
    for a, held_by_from, _, usual in targets:
        if a.asname in planned:
            # `import torch.nn as N` keeps an `as` (without one it binds `torch`);
            # `from torch import nn as N` needs none
            a.asname = None if held_by_from and a.name == usual else usual
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in planned:
            node.id = planned[node.id]
    return tree
