"""A plain `cnncalc summary`, served before Typer and rich load; anything else goes to Typer.

Start-up is most of a summary's cost: Typer (with click) takes about as long to import as the
whole calculation. This path recognises only a whitelist of summary's options, in the forms
Typer reads them, and only a call that succeeds: any other argument, form or error returns
None, and the full Typer path then runs and has the last word. What this path has read by
then (the model, or the error reading it gave) is handed to that call through cli.main, so
a file is read once: the full path's own reading of the same arguments would give the same.
It renders through the same functions as the full path (records.to_*,
render.table.summary_table, term.console and term.write), so its output is the same bytes;
tests compare the two paths.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

from ..records import record

if TYPE_CHECKING:
    from ..calc.summary import Summary
    from ..dialects.resolve import Resolved

FULL_PATH_ENV = "CNNCALC_NO_FAST_PATH"
"""Set (to anything but "") to send every call through Typer: for tests and benchmarks."""

OPTIONS = {"--input": "input", "-i": "input", "--preset": "preset", "-p": "preset",
           "--format": "format", "-f": "format", "--batch": "batch", "-b": "batch",
           "--convention": "convention", "--model": "model", "--module": "module",
           "--module-args": "module_args"}
FORMATS = ("table", "json", "markdown", "csv")
# The application's command names (a test keeps this equal to the Typer app's): any other
# first word is a SPEC, as `cnncalc SPEC` means `cnncalc summary SPEC`.
COMMANDS = frozenset({"summary", "presets", "layers", "explain", "solve", "check", "build",
                      "export", "train", "evaluate", "predict", "plot", "data", "draw",
                      "visualize", "docs", "help"})
UTF8 = ("utf-8", "utf8")


@record
class Call:
    spec: str | None = None
    input: str | None = None
    preset: str | None = None
    format: str = "table"
    batch: int = 1
    convention: str | None = None
    model: str | None = None
    module: str | None = None  # FILE.py:NAME, a torch module to build and summarise
    module_args: str | None = None


def parse_args(argv: list[str]) -> Call | None:
    """The summary call these arguments make, or None where Typer should read them."""
    if argv and argv[0] not in COMMANDS and not argv[0].startswith("-"):
        argv = ["summary", *argv]  # `cnncalc SPEC` is `cnncalc summary SPEC`
    if not argv or argv[0] != "summary":
        return None
    values: dict[str, str] = {}
    spec: str | None = None
    i = 1
    while i < len(argv):
        token = argv[i]
        if token.startswith("-"):
            name, eq, value = token.partition("=")
            if eq and not name.startswith("--"):
                return None  # click reads "-f=json" as the value "=json"
            key = OPTIONS.get(name)
            if key is None or key in values:
                return None  # --help, --columns, "--", repeats, ...: Typer's to judge
            if not eq:
                if i + 1 == len(argv) or argv[i + 1].startswith("-"):
                    return None
                i += 1
                value = argv[i]
            values[key] = value
        elif spec is None:
            spec = token
        else:
            return None  # an extra argument: Typer reports it
        i += 1
    fmt = values.get("format", "table")
    batch = values.get("batch", "1")
    # Plain ASCII digits read the same by Typer's int; anything else is Typer's to judge.
    if (fmt not in FORMATS or not (batch.isascii() and batch.isdigit()) or len(batch) > 18
            or int(batch) < 1):
        return None
    if spec == "-":
        return None  # code on standard input can be read once only: the full path's
    if "module_args" in values and "module" not in values:
        return None  # --module-args alone: Typer's to judge
    return Call(spec, values.get("input"), values.get("preset"), fmt, int(batch),
                values.get("convention"), values.get("model"), values.get("module"),
                values.get("module_args"))


@record
class Read:
    """What resolving a call's arguments gave: the model, or the error reading it; for
    --module, the summary of the model the user's file built, or the error."""

    key: tuple[object, ...]  # spec, preset, input, convention, model; or "module", ...
    outcome: Resolved | Summary | Exception


handed: Read | None = None
"""This path's reading, while the full path serves the call this path left (cli.main sets
it around that call only, so nothing read here outlives the process's one command)."""


def take(spec: str | None, preset: str | None, input: str | None, convention: str | None,
         model: str | None) -> Resolved | None:
    """The model this path read for these same arguments (once), raising the error its
    reading gave; None where it read nothing for them."""
    from ..dialects.resolve import Resolved

    outcome = _taken((spec, preset, input, convention, model))
    assert outcome is None or isinstance(outcome, Resolved)
    return outcome


def take_module(module: str, module_args: str | None, input: str | None,
                batch: int) -> Summary | None:
    """The summary this path made of `--module` with these same arguments (once), raising
    the error building or summarising it gave; None where it made none. The user's file
    ran then: running it again would repeat whatever it does besides building a model."""
    from ..calc.summary import Summary

    outcome = _taken(_module_key(module, module_args, input, batch))
    assert outcome is None or isinstance(outcome, Summary)
    return outcome


def _taken(key: tuple[object, ...]) -> object:
    """What this path handed over for a call of this key (once), raising the error it
    met; None where it handed nothing for it."""
    global handed
    read, handed = handed, None
    if read is None or read.key != key:
        return None
    if isinstance(read.outcome, Exception):
        raise read.outcome
    return read.outcome


def _module_key(module: str, module_args: str | None, input: str | None,
                batch: int) -> tuple[object, ...]:
    return ("module", module, module_args, input, batch)


def input_note(text: str, r: Resolved) -> str | None:
    """How an --input as typed reads where it may not be what was meant (a channels-last
    32x32x3 under PyTorch's convention, a channels-first 1x28x28 under Keras', or a bare
    number before a dense layer), or None."""
    from ..ir.tree import walk_layers
    from ..ops.shape import bare_number_note, channels_first_note, channels_last_note

    first = next(iter(walk_layers(r.nodes)), None)
    return channels_last_note(text, r.convention) or \
        channels_first_note(text, r.convention) or \
        bare_number_note(text, first[0].kind if first else None)


def _resolve(call: Call) -> Resolved:
    """SPEC (a spec, pasted code or a .py file) or --preset as the full path reads them:
    the same Typer-free resolver, which reads code with ast and never runs it."""
    from ..dialects.resolve import resolve

    return resolve(call.spec, call.preset, call.input, call.convention, call.model)


def _piped_table(summary: Summary, title: str | None) -> str | None:
    """The table without rich, where term.console() would be a plain non-terminal one."""
    out = sys.stdout
    if (os.environ.get("FORCE_COLOR") is not None or os.environ.get("TTY_COMPATIBLE")
            or out is None or out.isatty() or (out.encoding or "").lower() not in UTF8):
        return None
    from ..render.piped import piped_table
    from ..render.width import output_width

    return piped_table(summary, title, output_width(out))


def serve(argv: list[str], kept: list[Read] | None = None) -> int | None:
    """Print the summary and return the exit code, or None to leave the call to Typer;
    what was read before leaving it is appended to `kept`, where given."""
    if os.environ.get(FULL_PATH_ENV) or sys.stdout is None:
        return None  # a closed stdout is the full path's to report
    call = parse_args(argv)
    if call is None:
        return None
    if call.module is not None:
        return _serve_module(call, kept)
    key = (call.spec, call.preset, call.input, call.convention, call.model)
    try:
        from ..calc.summary import summarize
        from ..errors import CnnCalcError

        try:
            r = _resolve(call)
        except CnnCalcError as e:  # the full path reports it, without reading again
            if kept is not None:
                kept.append(Read(key, e))
            raise
        if kept is not None:
            kept.append(Read(key, r))
        title = r.title
        if r.inputs:
            return None  # several inputs: the full path reads them
        if r.notes and call.format != "table":
            return None  # the full path says the reader's notes beside the data
        if call.input is not None and input_note(call.input, r) is not None:
            return None  # the full path says how the input reads
        # An error is the full path's to report, with its suggestions: none searched here.
        summary = summarize(r.nodes, r.shape, r.convention, call.batch, r.spec, suggest=False)
    except Exception:  # any error, expected or not, is the full path's to report
        return None
    return _render(summary, call.format, title)


def _serve_module(call: Call, kept: list[Read] | None) -> int | None:
    """`summary --module FILE.py:NAME`: build and summarise the model as the full path
    does. The checks that run no code leave any error to Typer; once the user's file has
    run, whatever came of it (the summary or an error) is handed to Typer where Typer is to
    report it, so that the file never runs twice."""
    assert call.module is not None
    try:
        from .module_input import module_result, module_shape

        shape = module_shape(call.spec, call.preset, call.input, call.convention or "pytorch")
    except Exception:  # nothing has run: the full path reports it
        return None
    key = _module_key(call.module, call.module_args, call.input, call.batch)
    try:
        summary = module_result(call.module, call.module_args, shape, call.batch)
    except Exception as e:  # the error (a layer's, with its partial table) is Typer's
        if kept is not None:
            kept.append(Read(key, e))
        return None
    return _render(summary, call.format, summary.spec)


def _render(summary: Summary, fmt: str, title: str | None) -> int:
    """Print the summary as the full path's render_summary does (default columns and MACs)
    and return the exit code."""
    from ..errors import OutputError
    from .term import clip, console, echo, write

    try:
        if fmt == "table":
            table = _piped_table(summary, title or None)
            if table is not None:
                write(table, "text")
            else:
                from ..render.table import summary_table

                console().print(summary_table(summary, title or None))
        else:
            from ..render import records

            write({"json": records.to_json, "csv": records.to_csv,
                   "markdown": records.to_markdown}[fmt](summary),
                  "data" if fmt == "json" else "text")
    except BrokenPipeError:  # as the full path: a closed pipe (| head) is not an error
        if sys.stderr is not None:
            sys.stderr.close()
    except OutputError as e:  # part may be printed: report it here, never print it twice
        echo(clip(f"error: {e}"))
        return e.exit_code
    return 0
