"""The one entry point from what a user typed (spec, code file, stdin, preset) to a model."""

from __future__ import annotations

import os
import re
import stat
import sys
from collections.abc import Mapping, Sequence

from .. import presets as preset_mod
from ..errors import CnnCalcError, UsageError, cut
from ..ir.tree import output_names
from ..library.binding import MAX_SOURCE
from ..ops.shape import KERAS, PYTORCH, Shape, describe_input, parse_convention, parse_shape
from ..spec import Layer, Node, parse_model, to_text
from . import init_scheme
from .resolved import Resolved as Resolved

DEFAULT_INPUT = "1x28x28"
_STATEMENT = re.compile(r"^\s*(import|from|class|def)\s", re.M)


def looks_like_code(text: str) -> bool:
    """Python rather than a spec: statements, a Sequential, or a top-level ',' or '='."""
    if "Sequential" in text or _STATEMENT.search(text) or ".add(" in text:
        return True
    depth, quote = 0, ""
    for ch in text[:MAX_SOURCE]:
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif depth <= 0 and ch in ",=:":
            return True
        elif depth == 1 and ch == "," and text.lstrip()[:1] == "[":
            return True  # [Conv2D(...), ...]
    return False


def decode(data: bytes, where: str) -> str:
    """Code as Python reads it: UTF-8, with or without a byte-order mark."""
    if len(data) > 4 * MAX_SOURCE:  # more than any MAX_SOURCE characters of UTF-8 can take
        raise UsageError(f"{where} is over {MAX_SOURCE:,} characters (it holds more than "
                         f"{4 * MAX_SOURCE:,} bytes), the most cnncalc reads",
                         "give the model alone, not a whole program")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        raise CnnCalcError(f"{where} is not UTF-8 text: byte 0x{data[e.start]:02x} on line "
                           f"{line}", "save it as UTF-8") from None


def is_py_path(spec: str) -> bool:
    """Whether SPEC names a .py file (rather than being a spec or pasted code)."""
    return spec.strip().lower().endswith(".py") and "\n" not in spec and "(" not in spec


def read_source(spec: str) -> tuple[str, str]:
    """(text, where) for SPEC: '-' reads standard input, a .py path reads the file."""
    if spec == "-":
        stream = getattr(sys.stdin, "buffer", None)
        if stream is None:  # a text stream with no bytes beneath (a test's StringIO)
            return sys.stdin.read(MAX_SOURCE + 1), "standard input"
        return decode(stream.read(4 * MAX_SOURCE + 4), "standard input"), "standard input"
    if is_py_path(spec):
        name = spec.strip()
        try:
            # A FIFO or a device named x.py would block, or never end: regular files only.
            if not stat.S_ISREG(os.stat(name).st_mode):
                raise CnnCalcError(f"{cut(spec, 80)} is not a regular file",
                                   "give the path of a .py file")
            with open(name, "rb") as f:
                data = f.read(4 * MAX_SOURCE + 4)  # UTF-8 takes at most 4 bytes a character
        except FileNotFoundError:
            raise CnnCalcError(f"no such file: {cut(spec, 80)}") from None
        except OSError as e:
            raise CnnCalcError(f"cannot read {cut(spec, 80)}: {e.strerror}") from None
        return decode(data, cut(spec, 80)), os.path.basename(name)
    return spec, ""


def split_inputs(given: str | Sequence[str] | None) -> tuple[str | None, dict[str, str]]:
    """--input as given once or more: (a plain shape, or None; the shapes given by name,
    NAME=SHAPE, for a model with several inputs)."""
    texts = [given] if isinstance(given, str) else list(given or [])
    plain = [t for t in texts if "=" not in t]
    named: dict[str, str] = {}
    for t in texts:
        if "=" not in t:
            continue
        name, _, shape = t.partition("=")
        name = name.strip()
        if not name.isidentifier():
            raise UsageError(f"--input {cut(t, 60)}: {cut(name, 40)!r} is not an input's name",
                             "name an input of the model's: -i x=1x28x28 -i y=flat:10")
        if name in named:
            raise UsageError(f"--input gives the input {cut(name, 40)} twice",
                             "give each input's shape once")
        named[name] = shape
    if len(plain) > 1 or (plain and named):
        raise UsageError(f"--input is given {len(texts)} times, "
                         f"{'and' if named else 'but'} {len(plain)} of them name"
                         f"{'s' * (len(plain) == 1)} no input",
                         "give one shape for a model with one input, or name each input "
                         "of a model with several: -i x=1x28x28 -i y=flat:10")
    return (plain[0] if plain else None), named


def _one_input_only(named: dict[str, str], what: str) -> None:
    if named:
        first = next(iter(named))
        raise UsageError(f"--input {cut(first, 40)}=... names an input, but {what} has one "
                         "input", "give its shape alone, e.g. --input 1x28x28")


def _several_inputs(m_inputs: tuple[tuple[str, tuple[int, ...] | None], ...],
                    plain: str | None, named: dict[str, str],
                    channels_last: bool) -> tuple[tuple[str, Shape], ...]:
    """Each input's shape: given by name with --input, else as the code declares it."""
    names = [n for n, _ in m_inputs]
    listed = ", ".join(cut(n, 40) for n in names[:6]) + (", …" if len(names) > 6 else "")
    example = " ".join(f"-i {cut(n, 40)}=1x28x28" for n in names[:3])
    if plain is not None:
        raise UsageError(f"the model takes {len(names)} inputs ({listed}); --input "
                         f"{cut(plain, 40)} names none of them",
                         f"give each input's shape by name: {example}")
    unknown = [n for n in named if n not in names]
    if unknown:
        raise UsageError(f"--input names {cut(unknown[0], 40)}, which is not an input of the "
                         f"model; it takes {listed}", f"e.g. {example}")
    out: list[tuple[str, Shape]] = []
    for name, declared in m_inputs:
        if name in named:
            out.append((name, parse_shape(named[name], channels_last)))
        elif declared is not None:
            out.append((name, declared))
        else:
            raise UsageError(f"the model takes {len(names)} inputs ({listed}), and --input "
                             f"gives no shape for {cut(name, 40)}",
                             f"give each input's shape by name: {example} (flat:N for a "
                             "vector)")
    return tuple(out)


def resolve(spec: str | None, preset: str | None, input_shape: str | Sequence[str] | None,
            convention: str | None = None, model: str | None = None,
            default_preset: str | None = None,
            values: Mapping[str, object] | None = None,
            one_input_for: str | None = None) -> Resolved:
    """Turn SPEC (a spec, PyTorch or Keras code, a .py file or '-') or --preset, with
    --input (once, or once per input of a model with several: NAME=SHAPE), --convention,
    --model and --set (`values`: checked literals, by name), into the model the calculator
    runs. With `one_input_for` (a command), a model with several inputs is refused, naming
    it, before their shapes are asked for."""
    input_shape, named = split_inputs(input_shape)
    if spec and preset:
        raise UsageError("give either SPEC or --preset, not both")
    if not spec and not preset:
        if default_preset is None:
            raise UsageError("missing SPEC", "give a spec string, a .py file, '-' for code on "
                             "standard input, or --preset NAME (see 'cnncalc presets')")
        preset = default_preset
    conv = parse_convention(convention) if convention else None
    if preset:
        if model:
            raise UsageError("--model picks a model in pasted code, not in a preset")
        if values:
            raise UsageError("--set gives values to pasted code, not to a preset")
        p = preset_mod.get(preset)
        _one_input_only(named, "a preset")
        c = conv or PYTORCH
        shape = parse_shape(input_shape or p.input, c == KERAS and input_shape is not None)
        nodes = parse_model(p.spec).nodes
        note = _note(shape, c, "given" if input_shape else "the preset's")
        title = f"{p.name}: {p.description}"
        if c == KERAS and input_shape:
            title += f"\ninput {note}"
        return Resolved(nodes, p.spec, shape, c, title, None, note)
    assert spec is not None
    if is_py_path(spec):  # code, never a lecture table: the table reader is not loaded
        text, where = read_source(spec)
    else:
        from . import table  # a lecture table ([227x227x3] INPUT ...) is a model too

        text, where = table.read_file(spec) or read_source(spec)
        if table.is_table(text, where):
            _one_input_only(named, "a lecture table")
            if values:
                raise UsageError("--set gives values to pasted code, not to a lecture table")
            return table.resolved(table.parse_table(text, where), input_shape, convention,
                                  model)
    declared: tuple[int, ...] | None
    dialect: str | None
    name = ""
    m_inputs: tuple[tuple[str, tuple[int, ...] | None], ...] = ()
    if where or looks_like_code(text):
        from .given import Given
        from .read import CodeError, read_model  # ast and the reader, only for code
        from .tf1_sniff import is_tf1

        if values and is_tf1(text):
            raise UsageError("--set is not read in TensorFlow 1 graph code yet",
                             "write the values in the code")
        given = Given(dict(values or {}), input_shape, conv)
        try:
            if is_tf1(text):  # the TF1 reader is loaded only for code that may be TF1
                from . import tf1

                m = tf1.read_model(text, model) or read_model(text, model, given)
            else:
                m = read_model(text, model, given)
        except CodeError as e:
            if where and where != "standard input":
                raise CodeError(f"{where}: {e.message}", e.hint) from None
            raise
        nodes, dialect, declared, name = m.nodes, m.dialect, m.input_shape, m.name
        m_inputs = getattr(m, "inputs", ())
        if not m_inputs:
            _one_input_only(named, "the model")
        spec_text = to_text(nodes)
        init, init_note = init_scheme.scheme(m.inits), init_scheme.describe(m.inits)
    else:
        init, init_note = None, ""
        if model:
            raise UsageError("--model picks a model in pasted code, not in a spec")
        if values:
            raise UsageError("--set gives values to pasted code, not to a spec")
        _one_input_only(named, "a spec")
        parsed = parse_model(text)
        nodes, dialect, declared, spec_text = parsed.nodes, parsed.dialect, \
            parsed.input_shape, text
    c = conv or (KERAS if dialect in (KERAS, "tf1") else PYTORCH)
    _one_input([n for n, _ in m_inputs], one_input_for)
    several = _several_inputs(m_inputs, input_shape, named, c == KERAS) if m_inputs else ()
    if several:
        shape = several[0][1]
        how = "given" if named else "from the code"
    elif input_shape:
        shape = parse_shape(input_shape, c == KERAS)
        how = "given"
    elif declared is not None:
        shape, how = declared, "from the code"
    else:
        shape, how = _first_layer_input(nodes)
    note = _note(shape, c, how) if not several else \
        "; ".join(f"{n} {describe_input(s, c)}" for n, s in several) + f", {how}"
    parts = []
    if name:
        lib = {"pytorch": "PyTorch", "keras": "Keras", "tf1": "TensorFlow 1"}.get(dialect or "", "")
        parts.append(f"{name} ({lib} code{', ' + where if where else ''})")
        parts.extend(getattr(m, "notes", ()))
    plain = not name and how in ("given", "default") and c == PYTORCH and dialect is None
    if not plain:
        parts.append(f"{'inputs' if several else 'input'} {note}")
    return Resolved(nodes, spec_text, shape, c, "\n".join(parts), dialect, note, init,
                    init_note, tuple(getattr(m, "notes", ())) if name else (), several)


def one_input(r: Resolved, reader: str) -> None:
    """Refuse a model with several inputs where `reader` (a command) needs one."""
    _one_input([n for n, _ in r.inputs], reader)


def _one_input(names: Sequence[str], reader: str | None) -> None:
    if len(names) > 1 and reader is not None:
        shown = ", ".join(cut(n, 40) for n in names[:6]) + (", …" if len(names) > 6 else "")
        raise CnnCalcError(f"the model takes {len(names)} inputs ({shown}); {reader} "
                           "reads a model with one input",
                           "'cnncalc summary' reads several; for this, give the model one "
                           "input")


def one_output(r: Resolved, reader: str) -> None:
    """Refuse a model with several outputs where `reader` (a command) needs one."""
    names = output_names(r.nodes)
    if names:
        shown = ", ".join(cut(n, 40) for n in names[:6]) + (", …" if len(names) > 6 else "")
        raise CnnCalcError(f"the model has {len(names)} outputs ({shown}); {reader} reads "
                           "a model with one output",
                           "'cnncalc summary' lists every output; for this, return one tensor")


def _note(shape: Shape, convention: str, how: str) -> str:
    return f"{describe_input(shape, convention)}, {how}"


def _first_layer_input(nodes: tuple[Node, ...]) -> tuple[Shape, str]:
    first = nodes[0]
    if isinstance(first, Layer):
        said = dict(first.declared)
        if "channels" in said and said.get("rank", 3) == 3:
            c = said["channels"]
            return (c, 28, 28), (f"from the first layer's {c} input channel"
                                 f"{'s' * (c != 1)}, 28x28 assumed")
        if "features" in said or said.get("rank") == 1:
            n = said.get("features", said.get("channels", 0))
            if n:
                return (n,), f"from the first layer's {n} input features"
    dense = next((n for n in nodes if not (isinstance(n, Layer) and n.kind in _KEEPS)), None)
    if isinstance(dense, Layer) and dense.kind == "fc" and dense["over"] != "flat":
        # Keras' Dense (torch's LazyLinear) sizes itself on its first call: on the assumed
        # 28x28 image it would be a dense layer per pixel, a figure no one asked for.
        raise UsageError(f"the input shape is not given, and the model starts with "
                         f"{cut(dense.source or dense.text)}, whose size depends on it",
                         "give it with --input, e.g. --input flat:784 for a vector of 784 "
                         "features")
    return parse_shape(DEFAULT_INPUT), "default"


_KEEPS = frozenset({"relu", "tanh", "sigmoid", "gelu", "elu", "silu", "relu6", "hardswish",
                    "hardsigmoid", "leakyrelu", "softmax", "logsoftmax", "dropout"})
"""Kinds that keep any input as it is: what comes before the first layer that sizes it."""
