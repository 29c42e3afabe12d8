"""The `check` command: mark a student's shapes and parameter counts, with the working."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..errors import CnnCalcError, LayerError, UsageError
from .calc_cmds import (
    ConventionOpt,
    InputOpt,
    ModelOpt,
    PresetOpt,
    SetOpt,
    SpecArg,
    TableJson,
    TableJsonOpt,
    one_input_text,
    resolve,
    summarize_resolved,
)
from .common import console, fail, guarded, write

if TYPE_CHECKING:
    from ..calc.check import RowMark

MAX_ANSWERS_FILE = 1_000_000


def _answers_text(expect: str) -> str:
    """--expect is a file when one exists by that name, else the answers themselves."""
    path = Path(expect)
    try:
        is_file = "\n" not in expect and len(expect) < 4096 and path.is_file()
    except OSError:
        is_file = False
    if not is_file:
        return expect
    try:
        with path.open(encoding="utf-8") as f:
            text = f.read(MAX_ANSWERS_FILE + 1)
    except (OSError, UnicodeDecodeError) as e:
        raise CnnCalcError(f"cannot read the answers file {expect[:80]}: {e}") from None
    if len(text) > MAX_ANSWERS_FILE:
        raise UsageError(f"the answers file is over {MAX_ANSWERS_FILE:,} characters")
    return text


def _print_rows(marks: list[RowMark], title: str, fmt: TableJson) -> int:
    """Print marked table figures; the number marked wrong."""
    checked = [m for m in marks if m.right is not None]
    wrong = sum(not m.right for m in checked)
    notes = [m for m in marks if m.right is None]
    if fmt is TableJson.json:
        write(json.dumps({"right": len(checked) - wrong, "wrong": wrong, "notes": len(notes),
                          "figures": [{"line": m.line, "row": m.row, "layer": m.layer,
                                       "what": m.what, "table": m.written, "right": m.right,
                                       "correct": m.correct, "working": m.working}
                                      for m in marks]}, indent=2, ensure_ascii=False))
        return wrong
    from rich.table import Table

    table = Table(title=title, title_justify="left", header_style="bold")
    for col in ("line", "row", "#", "", "what", "table", "correct", "working"):
        table.add_column(col, overflow="fold")
    for m in marks:
        sign = "·" if m.right is None else ("✓" if m.right else "✗")
        table.add_row(str(m.line) if m.line else "", m.row, m.layer, sign, m.what, m.written,
                      m.correct, m.working, style="red" if m.right is False else
                      ("dim" if m.right is None else None))
    out = console()
    out.print(table)
    out.print(f"{len(checked) - wrong} of {len(checked)} right"
              + (f" ({len(notes)} note{'s' * (len(notes) > 1)}, nothing to check)"
                 if notes else ""), markup=False)
    return wrong


def _check_lecture_table(spec: str | None, preset: str | None, input: str | None,
                         convention: str | None, model: str | None, fmt: TableJson) -> int:
    """`check TABLE`: the shapes, memory and weights a lecture table states, marked."""
    from ..calc.check import mark_claims
    from ..dialects import table as lecture
    from ..dialects.resolve import read_source

    hint = ("e.g. --expect '1: 16x30x30, 448; total: 448', or --expect summary.txt (a "
            "model.summary() or torchinfo table); a lecture table checks itself")
    if preset or not spec:
        raise UsageError("missing --expect", hint)
    text, where = lecture.read_file(spec) or read_source(spec)
    if not lecture.is_table(text, where):
        raise UsageError("missing --expect", hint)
    parsed = lecture.parse_table(text, where)
    r = lecture.resolved(parsed, input, convention, model)
    error: LayerError | None = None
    try:
        summary = summarize_resolved(r)
    except LayerError as e:
        if e.partial is None:
            raise
        summary, error = e.partial, e
    marks = mark_claims(summary, parsed.claims)
    wrong = _print_rows(marks, "\n".join([r.title, f"checking {len(marks)} figures the "
                                          "table states"]), fmt)
    if error is not None:
        fail(error)
    return wrong


def register(app: typer.Typer) -> None:
    @app.command()
    @guarded
    def check(
        spec: SpecArg = None,
        expect: Annotated[str, typer.Option(
            "--expect", "-e", help="Your answers: a file, or inline like "
            "'1: 16x30x30, 448; 2: 16x15x15; total: 448' (for code, a key may be a "
            "module's name: conv1, layer1.0.conv2), or a pasted Keras model.summary() "
            "or torchinfo table (the format: 'cnncalc docs spec answers'). Without "
            "it, a lecture table ('[55x55x96] CONV1: ...') checks the shapes and figures it "
            "states.",
            show_default=False)] = "",
        input: InputOpt = None,
        preset: PresetOpt = None,
        convention: ConventionOpt = None,
        model: ModelOpt = None,
        format: TableJsonOpt = TableJson.table,
        sets: SetOpt = None,
    ) -> None:
        """Mark your own answers (output shapes, parameter counts, totals) right or wrong."""
        from ..calc.check import mark, mark_summary_table, parse_answers
        from ..dialects.summary_table import is_summary_table, parse_summary_table

        if not expect:
            if sets:
                raise UsageError("--set gives values to pasted code; check needs --expect "
                                 "with your answers for it")
            if _check_lecture_table(spec, preset, one_input_text(input, "a lecture table"),
                                    convention, model, format):
                raise typer.Exit(1)
            return
        # answers by layer number read several outputs; 'output' itself is refused then
        r = resolve(spec, preset, input, convention, model, sets=sets, several=True,
                    inputs=True)
        text = _answers_text(expect)
        if is_summary_table(text):
            from ..dialects.resolve import one_input, one_output

            one_input(r, "cnncalc check with a summary table")
            one_output(r, "cnncalc check with a summary table")
            expected = parse_summary_table(text)
            summary = summarize_resolved(r)
            what = "model.summary() table" if expected.flavor == "keras" else "table"
            title = "\n".join(x for x in (r.title, f"checking a {expected.layout} {what}")
                              if x)
            if _print_rows(mark_summary_table(summary, expected), title, format):
                raise typer.Exit(1)
            return
        answers = parse_answers(text, r.convention)
        summary = summarize_resolved(r)
        marks = mark(summary, answers, r.dialect)
        wrong = sum(not m.right for m in marks)
        if format is TableJson.json:
            write(json.dumps({"right": len(marks) - wrong, "wrong": wrong, "answers": [
                {"layer": m.answer.key, **({"row": m.row} if m.answer.name else {}),
                 "what": m.answer.what, "yours": m.answer.text,
                 "right": m.right, "correct": m.correct, "working": m.working}
                for m in marks]}, indent=2, ensure_ascii=False))
        else:
            from rich.table import Table

            title = "\n".join(x for x in (r.title, f"checking {len(marks)} answers") if x)
            table = Table(title=title, title_justify="left", header_style="bold")
            for col in ("layer", "", "what", "yours", "correct", "working"):
                table.add_column(col, overflow="fold")
            for m in marks:
                key = f"{m.answer.key} (#{m.row})" if m.answer.name else m.answer.key
                table.add_row(key, "✓" if m.right else "✗", m.answer.what,
                              m.answer.text, m.correct, m.working,
                              style=None if m.right else "red")
            out = console()
            out.print(table)
            out.print(f"{len(marks) - wrong} of {len(marks)} right", markup=False)
        if wrong:
            raise typer.Exit(1)
