"""Evaluation results as rich renderables: accuracy, per-class accuracy, confusion matrix."""

from __future__ import annotations

from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text


def _confusion(result: dict[str, Any]) -> Table:
    table = Table(title="confusion (rows: true, columns: predicted)", title_justify="left",
                  header_style="bold")
    table.add_column("", justify="right", style="bold")
    for c in range(10):
        table.add_column(str(c), justify="right")
    table.add_column("acc", justify="right")
    for c, row in enumerate(result["confusion"]):
        cells = [Text(str(v), style="bold green" if i == c else ("red" if v else "dim"))
                 for i, v in enumerate(row)]
        table.add_row(str(c), *cells, f"{result['per_class_accuracy'][c]:.2%}")
    return table


def evaluation_view(result: dict[str, Any]) -> RenderableType:
    parts: list[RenderableType] = []
    if "members" in result:
        table = Table(title="ensemble members", title_justify="left", header_style="bold")
        for col in ("checkpoint", "epoch", "accuracy", "loss"):
            table.add_column(col, justify="left" if col == "checkpoint" else "right")
        for m in result["members"]:
            table.add_row(m["checkpoint"], str(m["epoch"]), f"{m['accuracy']:.2%}",
                          f"{m['loss']:.4f}")
        table.add_row("ensemble (mean probability)", "", f"{result['accuracy']:.2%}",
                      f"{result['loss']:.4f}", style="bold")
        parts.append(table)
    parts.append(Text(f"test accuracy {result['accuracy']:.2%} "
                      f"({round(result['accuracy'] * result['count']):,}/{result['count']:,}), "
                      f"loss {result['loss']:.4f}", style="bold"))
    parts.append(_confusion(result))
    return Group(*parts)
