"""The layers of a summary by the names the code gives their modules, for answer keys:
torch's named_modules() paths (layer1.0.conv2), a Keras layer's name=."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..errors import UsageError, cut
from ..library.binding import KERAS as KERAS_DIALECT
from .summary import LayerInfo, Summary

if TYPE_CHECKING:
    from .check import Answer


class ModuleNames:
    """The table's layers by the names the code gives their modules. One module may stand
    for several rows in a run (Keras' Dense(activation=) is fc then relu); one used in
    several places (self.relu applied twice) is ambiguous."""

    def __init__(self, s: Summary, dialect: str | None) -> None:
        self.dialect = dialect
        self.runs: dict[str, list[list[LayerInfo]]] = {}
        last = ""
        for r in s.leaves():
            if r.module:
                found = self.runs.setdefault(r.module, [])
                if r.module == last:
                    found[-1].append(r)
                else:
                    found.append([r])
            last = r.module
        # Modules that hold layers (layer1, layer1.0), each with a few of their layers.
        self.holders: dict[str, list[str]] = {}
        for name in self.runs:
            parts = name.split(".")
            for i in range(1, len(parts)):
                inner = self.holders.setdefault(".".join(parts[:i]), [])
                if len(inner) < 5:
                    inner.append(name)

    def known(self, name: str) -> bool:
        return name in self.runs or name in self.holders

    def ambiguous(self, a: Answer) -> None:
        """A row or total key that names a module too: which is meant?"""
        meant = f"row {a.key}" if a.key[0].isdigit() else f"the model's {a.key}"
        other = f"write {a.key}: for row {a.key}" if a.key[0].isdigit() else \
            "the model's output is its last row, by number" if a.key == "output" else \
            f"the model's {a.key} cannot be keyed while a module has that name"
        module = f"write '{cut(a.alias)}': (quoted) for the module"
        if a.alias not in self.runs:
            module = "name one of the module's layers (" + ", ".join(
                cut(n) for n in self.holders[a.alias][:3]) + ", ...)"
        raise UsageError(f"answers line {a.line}: '{cut(a.alias)}' could be {meant} or the "
                         f"module {cut(a.alias)}", f"{module}; {other}")

    def find(self, key: str) -> list[LayerInfo]:
        runs = self.runs.get(key)
        if runs is not None and len(runs) == 1:
            return runs[0]
        if runs is not None:
            where = ", ".join(r[0].path for r in runs[:8])
            what = f"{len(runs)} layers of the code have that name" \
                if self.dialect == KERAS_DIALECT else \
                f"the code applies that module {len(runs)} times"
            raise UsageError(f"'{cut(key)}' is ambiguous: {what} (rows {where})",
                             "key each use by its row number from the table's # column")
        if not self.runs:
            raise UsageError(f"'{cut(key)}' is a module name, but {self._nameless()}",
                             "key the layers by their row numbers from the table's # column "
                             "(3, 3.2)")
        inner = self.holders.get(key)
        if inner:
            shown = ", ".join(inner[:4]) + (", ..." if len(inner) > 4 else "")
            raise UsageError(f"'{cut(key)}' is a module that holds several layers ({shown})",
                             "name one of its layers, or key its block by its row number")
        what = "layer" if self.dialect == KERAS_DIALECT else "module"
        raise UsageError(f"the code has no {what} named '{cut(key)}'", self._suggest(key))

    def _nameless(self) -> str:
        if self.dialect is None:
            return "a spec has no module names"
        if self.dialect == KERAS_DIALECT:
            return "none of the code's Keras layers has name='...'"
        return "the code names no modules"

    def _suggest(self, key: str) -> str:
        names = list(self.runs)
        if self.dialect == KERAS_DIALECT and _automatic(key):
            return ("Keras numbers its automatic names (conv2d, conv2d_1, ...) over every "
                    "layer a session has built, so cnncalc reads only explicit names: give "
                    "the layer name='...' in the code, or key it by its row number; the "
                    "code's names: " + ", ".join(cut(n) for n in names[:6]))
        close = self._close(key)
        if close:
            return "did you mean " + " or ".join(f"'{cut(c, 60)}'" for c in close) + "?"
        return "the code's module names: " + ", ".join(cut(n) for n in names[:8]) + \
            (f", ... ({len(names):,} in all)" if len(names) > 8 else "")

    def _close(self, key: str) -> list[str]:
        """The names nearest a misspelt key, part by part along its dots (layer1.0.conv3:
        layer1.0.conv2), so that a model of 100,000 layers answers at once."""
        import difflib

        children: dict[str, dict[str, None]] = {}
        for name in self.runs:
            parts = name.split(".")
            for i, part in enumerate(parts):
                children.setdefault(".".join(parts[:i]), {})[part] = None
        base, parts = "", key.split(".")
        for i, part in enumerate(parts):
            kids = children.get(base, {})
            if part not in kids:
                pool = [k for k in kids if abs(len(k) - len(part)) <= 3][:5000]
                found = difflib.get_close_matches(part, pool, n=3, cutoff=0.6)
                if not found and base:  # heads.5 where heads holds heads.0 and heads.1
                    found = list(kids)[:3]
                rest = ".".join(parts[i + 1:])
                out = []
                for k in found:
                    near = f"{base}.{k}" if base else k
                    full = f"{near}.{rest}"
                    out.append(full if rest and (full in self.runs or full in self.holders)
                               else near)
                return out
            base = f"{base}.{part}" if base else part
        return []


def _automatic(key: str) -> bool:
    """Whether a key looks like a name Keras makes up (conv2d_1, max_pooling2d, dense)."""
    from ..library.classes import TABLE

    base = re.sub(r"_\d+$", "", key)
    return any(d.dialect == KERAS_DIALECT for defs in TABLE.values() for d in defs
               if _snake(d.name) == base)


def _snake(name: str) -> str:
    """A class name as Keras 3 turns it into a layer's automatic name (MaxPooling2D:
    max_pooling2d), by the rule of keras.src.utils.naming.to_snake_case."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()
