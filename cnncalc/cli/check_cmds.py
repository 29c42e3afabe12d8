"""The `check` command: mark a student's shapes and parameter counts, with the working."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from ..errors import CnnCalcError, UsageError
from .calc_cmds import (
    ConventionOpt,
    Format,
    InputOpt,
    ModelOpt,
    PresetOpt,
    SpecArg,
    resolve,
    summarize_resolved,
)
from .common import console, guarded, write

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


def register(app: typer.Typer) -> None:
    @app.command()
    @guarded
    def check(
        spec: SpecArg = None,
        expect: Annotated[str, typer.Option(
            "--expect", "-e", help="Your answers: a file, or inline like "
            "'1: 16x30x30, 448; 2: 16x15x15; total: 448' (see docs/spec.md).",
            show_default=False)] = "",
        input: InputOpt = None,
        preset: PresetOpt = None,
        convention: ConventionOpt = None,
        model: ModelOpt = None,
        format: Annotated[Format, typer.Option("--format", "-f", help="table or json.")
                          ] = Format.table,
    ) -> None:
        """Mark your own answers (output shapes, parameter counts, totals) right or wrong."""
        from ..calc.check import mark, parse_answers

        if not expect:
            raise UsageError("missing --expect", "e.g. --expect '1: 16x30x30, 448; total: 448'")
        if format not in (Format.table, Format.json):
            raise UsageError("check prints table or json")
        r = resolve(spec, preset, input, convention, model)
        answers = parse_answers(_answers_text(expect), r.convention)
        summary = summarize_resolved(r)
        marks = mark(summary, answers)
        wrong = sum(not m.right for m in marks)
        if format is Format.json:
            write(json.dumps({"right": len(marks) - wrong, "wrong": wrong, "answers": [
                {"layer": m.answer.key, "what": m.answer.what, "yours": m.answer.text,
                 "right": m.right, "correct": m.correct, "working": m.working}
                for m in marks]}, indent=2, ensure_ascii=False))
        else:
            from rich.table import Table

            title = "\n".join(x for x in (r.title, f"checking {len(marks)} answers") if x)
            table = Table(title=title, title_justify="left", header_style="bold")
            for col in ("layer", "", "what", "yours", "correct", "working"):
                table.add_column(col, overflow="fold")
            for m in marks:
                table.add_row(m.answer.key, "✓" if m.right else "✗", m.answer.what,
                              m.answer.text, m.correct, m.working,
                              style=None if m.right else "red")
            out = console()
            out.print(table)
            out.print(f"{len(marks) - wrong} of {len(marks)} right", markup=False)
        if wrong:
            raise typer.Exit(1)
