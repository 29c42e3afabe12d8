"""Evaluation results as rich renderables: accuracy, per-class accuracy, confusion matrix."""

from __future__ import annotations

from typing import Any

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from .fit import Column, FittedTable
from .screen import Screened


def _confusion(result: dict[str, Any]) -> Table:
    # No rules and one space between columns: twelve columns of up to five digits fit in 60.
    table = Table(title="confusion (rows: true, columns: predicted)", title_justify="left",
                  header_style="bold", box=box.SIMPLE_HEAD, show_edge=False, padding=(0, 0),
                  collapse_padding=True)
    table.add_column("", justify="right", style="bold", no_wrap=True)
    for c in range(10):
        table.add_column(str(c), justify="right", no_wrap=True)
    table.add_column("acc", justify="right", no_wrap=True)
    for c, row in enumerate(result["confusion"]):
        cells = [Text(str(v), style="bold green" if i == c else ("red" if v else "dim"))
                 for i, v in enumerate(row)]
        table.add_row(str(c), *cells, f"{result['per_class_accuracy'][c]:.2%}")
    return table


def evaluation_view(result: dict[str, Any]) -> RenderableType:
    parts: list[RenderableType] = []
    if "members" in result:
        columns = [Column("checkpoint", "left", wraps=True, min_width=20), Column("epoch"),
                   Column("accuracy"), Column("loss")]
        rows = [[str(m["checkpoint"]), str(m["epoch"]), f"{m['accuracy']:.2%}",
                 f"{m['loss']:.4f}"] for m in result["members"]]
        rows.append(["ensemble (mean probability)", "", f"{result['accuracy']:.2%}",
                     f"{result['loss']:.4f}"])
        parts.append(FittedTable(columns, rows, ("checkpoint", "accuracy", "loss", "epoch"),
                                 keep=3, title="ensemble members",
                                 row_styles=[None] * (len(rows) - 1) + ["bold"]))
    parts.append(Text(f"test accuracy {result['accuracy']:.2%} "
                      f"({round(result['accuracy'] * result['count']):,}/{result['count']:,}), "
                      f"loss {result['loss']:.4f}", style="bold"))
    parts.append(_confusion(result))
    return Screened(Group(*parts))  # names from outside, on any console
