"""Mark a student's answers (per-layer shapes and parameter counts, totals) against a summary."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import UsageError, cut
from .shape import KERAS, Shape, format_shape
from .summary import LayerInfo, Summary

MAX_ANSWERS = 10_000
TOTALS = ("total", "trainable", "non-trainable", "output")
_NUMBER = re.compile(r"\d{1,3}(?:[,_ ]\d{3})+|\d+")
_KEY = re.compile(r"(?:layer\s*)?(\d+(?:\.s?\d+)*|total|trainable|non-trainable|output)\s*$",
                  re.I)


@dataclass(frozen=True)
class Answer:
    """One value the student wrote: the shape or the parameter count of a layer, or a total."""

    key: str  # "3", "3.2", "total", "trainable", "non-trainable", "output"
    what: str  # "shape" or "params"
    value: Shape | int
    text: str  # as written
    line: int


@dataclass(frozen=True)
class Mark:
    answer: Answer
    right: bool
    correct: str  # the right value, as the table prints it
    working: str  # the formula with numbers, for a wrong answer


def _bad(line: int, text: str, hint: str) -> UsageError:
    return UsageError(f"answers line {line}: cannot read '{cut(text)}'", hint)


def _shape(text: str, line: int, convention: str) -> Shape:
    raw = text.strip().lower()
    for prefix in ("shape=", "shape:", "shape "):
        if raw.startswith(prefix):
            raw = raw[len(prefix):].strip()
    if raw.startswith("flat:"):
        raw = raw[5:]
    raw = raw.strip("()[] ")
    parts = [p for p in re.split(r"[x×*,\s]+", raw) if p]
    keras_style = bool(parts) and parts[0] == "none"
    if keras_style:
        parts = parts[1:]
    if not parts or len(parts) not in (1, 3) or not all(re.fullmatch(r"\d{1,13}", p)
                                                        for p in parts):
        raise _bad(line, text, "write a shape as CxHxW (HxWxC under Keras), (N,) for a flat "
                   "vector, or (None, H, W, C)")
    dims = tuple(int(p) for p in parts)
    if len(dims) == 3 and (convention == KERAS or keras_style):
        return (dims[2], dims[0], dims[1])
    return dims


def _split_items(body: str) -> list[str]:
    """Items split at commas outside parentheses; '62,006' stays one number."""
    items, depth, cur = [], 0, ""
    for ch in body:
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        if ch == "," and depth == 0:
            items.append(cur)
            cur = ""
        else:
            cur += ch
    items.append(cur)
    merged: list[str] = []
    for item in (i.strip() for i in items):
        if merged and re.fullmatch(r"\d{3}", item) and re.fullmatch(
                r"(?:params?\s*[=:]?\s*)?[\d,]+", merged[-1], re.I):
            merged[-1] += "," + item
        elif item:
            merged.append(item)
    return merged


def parse_answers(text: str, convention: str) -> list[Answer]:
    """Read answers written by hand; see docs/spec.md ('Checking answers')."""
    out: list[Answer] = []
    entries = [(n, part) for n, line in enumerate(text.splitlines(), 1)
               for part in line.split("#", 1)[0].split(";")]
    for n, entry in entries:
        if not entry.strip():
            continue
        if ":" not in entry and "=" not in entry.split("(")[0]:
            raise _bad(n, entry.strip(), "write 'LAYER: shape, params', e.g. 1: 16x30x30, "
                       "448, or 'total: 62006'")
        sep = ":" if ":" in entry else "="
        key_text, body = entry.split(sep, 1)
        m = _KEY.fullmatch(key_text.strip())
        if not m:
            raise _bad(n, key_text.strip(), "a key is a layer number from the table's # "
                       "column (3, 3.2) or total, trainable, non-trainable, output")
        key = m.group(1).lower()
        for item in _split_items(body):
            low = item.lower().replace("params", "").replace("param", "").strip(" =:")
            if key == "output" or not _NUMBER.fullmatch(low):
                if key in ("total", "trainable", "non-trainable"):
                    raise _bad(n, item, f"{key} is a parameter count, e.g. {key}: 62006")
                out.append(Answer(key, "shape", _shape(item, n, convention), item, n))
            else:
                value = int(re.sub(r"[,_ ]", "", low))
                out.append(Answer(key, "params", value, item, n))
        if len(out) > MAX_ANSWERS:
            raise UsageError(f"more than {MAX_ANSWERS:,} answers")
    if not out:
        raise UsageError("no answers given", "e.g. --expect '1: 16x30x30, 448; total: 448'")
    return out


def _rows(s: Summary) -> dict[str, LayerInfo]:
    found: dict[str, LayerInfo] = {}

    def walk(rows: tuple[LayerInfo, ...]) -> None:
        for r in rows:
            found[r.path] = r
            walk(r.children)
            walk(r.shortcut)

    walk(s.layers)
    return found


def _param_working(r: LayerInfo) -> str:
    if r.is_block:
        return f"sum of the block's layers: {r.trainable_params:,} trainable" + (
            f" + {r.non_trainable_params:,} non-trainable" if r.non_trainable_params else "")
    return r.param_formula


def mark(s: Summary, answers: list[Answer]) -> list[Mark]:
    """Each answer marked right or wrong, with the right value and its working."""
    rows = _rows(s)
    conv = s.convention
    marks: list[Mark] = []
    for a in answers:
        if a.key in ("total", "trainable", "non-trainable"):
            want = {"total": (s.trainable_params, s.total_params),
                    "trainable": (s.trainable_params,),
                    "non-trainable": (s.non_trainable_params,)}[a.key]
            parts = [f"{r.params:,}" for r in s.layers if r.params]
            shown = " + ".join(parts) if len(parts) <= 12 else \
                " + ".join(parts[:6]) + " + … + " + " + ".join(parts[-3:])
            working = f"sum of the layers: {shown or 0} = {s.total_params:,}" + (
                f" ({s.non_trainable_params:,} of them running statistics)"
                if s.non_trainable_params else "")
            right = a.value in want
            correct = f"{want[-1]:,}" if a.key != "total" or not s.non_trainable_params else \
                f"{s.total_params:,} ({s.trainable_params:,} trainable)"
            marks.append(Mark(a, right, correct, "" if right else working))
            continue
        r = s.layers[-1] if a.key == "output" and s.layers else rows.get(a.key)
        if r is None:
            marks.append(Mark(a, False, "-", f"there is no layer {a.key}; the table numbers "
                              f"layers 1 to {len(s.layers)}"))
            continue
        if a.what == "shape":
            right = a.value == r.output_shape
            working = r.formula or "see its layers"
            if r.is_block:
                working = f"output of its last layer ({r.spec[:60]})"
            marks.append(Mark(a, right, format_shape(r.output_shape, conv),
                              "" if right else working))
        else:
            right = a.value in (r.trainable_params, r.params)
            correct = f"{r.params:,}" + (f" ({r.trainable_params:,} trainable)"
                                          if r.non_trainable_params else "")
            marks.append(Mark(a, right, correct, "" if right else _param_working(r)))
    return marks
