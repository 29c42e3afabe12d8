"""The package's imports point one way: docs/architecture.md's layers, read from the source.

Every `import` and `from ... import` in cnncalc (at module level or inside a function: a lazy
import is still a dependency; only `if TYPE_CHECKING:` blocks, which never run, are left out)
is resolved to a module of the package. A module may import
its own layer or a lower one, never a higher one, and no chain of imports may come back to
where it started.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "cnncalc"

# Lowest first; a module belongs to the first layer one of whose prefixes it starts with.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("base", ("cnncalc._version", "cnncalc.errors", "cnncalc.files", "cnncalc.budget",
              "cnncalc.records")),
    ("ops", ("cnncalc.ops", "cnncalc.layers")),
    ("ir", ("cnncalc.ir",)),
    ("library", ("cnncalc.library",)),
    ("frontends", ("cnncalc.spec", "cnncalc.presets", "cnncalc.dialects")),
    ("calc", ("cnncalc.calc",)),
    ("render", ("cnncalc.render",)),
    ("export", ("cnncalc.export",)),
    ("torch", ("cnncalc.train", "cnncalc.data", "cnncalc.download")),
    ("faces", ("cnncalc.api", "cnncalc.cli", "cnncalc.__main__", "cnncalc")),
]


def _name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_name(p): p for p in ROOT.rglob("*.py")}


def _module(target: str) -> str:
    """The package module a dotted import names (a name inside a module resolves to it)."""
    while target not in MODULES and "." in target:
        target = target.rsplit(".", 1)[0]
    return target


def _runtime_nodes(tree: ast.AST) -> list[ast.AST]:
    """Every node except those under `if TYPE_CHECKING:`, which only the type checker runs."""
    out: list[ast.AST] = []
    todo = [tree]
    while todo:
        node = todo.pop()
        out.append(node)
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and isinstance(child.test, ast.Name) and \
                    child.test.id == "TYPE_CHECKING":
                todo.extend(child.orelse)
                continue
            todo.append(child)
    return out


def imports(name: str) -> set[str]:
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    out: set[str] = set()
    for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[:len(package.split(".")) - node.level + 1]
                stem = ".".join(base + ([node.module] if node.module else []))
            elif node.module and node.module.split(".")[0] == "cnncalc":
                stem = node.module
            else:
                continue
            targets = [stem] if node.module else [f"{stem}.{a.name}" for a in node.names]
            out.update(_module(t) for t in targets)
        elif isinstance(node, ast.Import):
            out.update(_module(a.name) for a in node.names if a.name.split(".")[0] == "cnncalc")
    out.discard(name)
    return out


def layer(name: str) -> int:
    for i, (_, prefixes) in enumerate(LAYERS):
        if any(name == p or name.startswith(p + ".") for p in prefixes):
            return i
    raise AssertionError(f"{name} belongs to no layer: add it to docs/architecture.md")


GRAPH = {name: imports(name) for name in MODULES}


def test_every_module_has_a_layer() -> None:
    for name in MODULES:
        layer(name)


def test_no_import_goes_up_a_layer() -> None:
    wrong = sorted(f"{a} ({LAYERS[layer(a)][0]}) imports {b} ({LAYERS[layer(b)][0]})"
                   for a, targets in GRAPH.items() for b in targets
                   if b != "cnncalc" and layer(b) > layer(a))
    assert not wrong, "\n".join(wrong)


def test_no_import_cycle() -> None:
    """Tarjan's strongly connected components: any component of two or more modules is a
    cycle. The package face (cnncalc/__init__) names its lazy attributes as strings, not
    imports, so `import cnncalc` stays instant."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    cycles: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in GRAPH.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                cycles.append(sorted(comp))

    for v in sorted(GRAPH):
        if v not in index:
            visit(v)
    assert not cycles, cycles


def test_the_checker_sees_a_violation() -> None:
    """The rule can fail: calc importing render, or render importing the trainer, is upward."""
    assert layer("cnncalc.render.table") > layer("cnncalc.calc.summary")
    assert layer("cnncalc.train.metrics") > layer("cnncalc.render.records")
    assert layer("cnncalc.spec") > layer("cnncalc.ir.graph") > layer("cnncalc.ops.conv")
    assert "cnncalc.ops.shape" in GRAPH["cnncalc.ops.conv"] | {
        t for m in GRAPH["cnncalc.ops.conv"] for t in GRAPH.get(m, ())}


def test_every_import_names_a_module_that_exists() -> None:
    """`from .shape import x` in calc/ after shape.py moved to ops/ fails only when that line
    runs; here it fails at once, for every import of the package, lazy ones included."""
    missing = []
    for name, path in MODULES.items():
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                if node.level:
                    base = package.split(".")[:len(package.split(".")) - node.level + 1]
                    stem = ".".join([*base, node.module])
                elif node.module.split(".")[0] == "cnncalc":
                    stem = node.module
                else:
                    continue
                if stem not in MODULES:
                    missing.append(f"{name} imports {stem}")
    assert not missing, missing
