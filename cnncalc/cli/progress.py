"""Rich progress bars and per-epoch tables for training; the trainer only calls back."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from ..render.fit import Column, FittedTable

EPOCH_COLUMNS = (("epoch", "epoch", "{}"), ("train loss", "train_loss", "{:.4f}"),
                 ("train acc", "train_acc", "{:.2%}"), ("val loss", "val_loss", "{:.4f}"),
                 ("val acc", "val_acc", "{:.2%}"), ("test loss", "test_loss", "{:.4f}"),
                 ("test acc", "test_acc", "{:.2%}"), ("seconds", "seconds", "{:.1f}"),
                 ("images/s", "images_per_s", "{:,.0f}"))


# What a narrow terminal keeps first; the rest is dropped whole and named below the table.
EPOCH_IMPORTANCE = ("epoch", "val acc", "test acc", "train loss", "val loss", "test loss",
                    "train acc", "seconds", "images/s")


def epoch_table(rows: list[dict[str, Any]]) -> FittedTable:
    # A column no row has (val_* with --val-split 0) is left out rather than shown empty.
    shown = [c for c in EPOCH_COLUMNS if any(c[1] in row for row in rows)] or EPOCH_COLUMNS[:1]
    cells = [[fmt.format(row[key]) if key in row else "-" for _, key, fmt in shown]
             for row in rows]
    return FittedTable([Column(name) for name, _, _ in shown], cells,
                       tuple(n for n in EPOCH_IMPORTANCE if any(n == c[0] for c in shown)),
                       keep=2, title="epochs")


class RichReporter:
    """Shows one progress bar per epoch with running loss, accuracy and images/s."""

    def __init__(self, console: Console, quiet: bool = False) -> None:
        self.console = console
        self.quiet = quiet
        self.progress: Progress | None = None
        self.task: Any = None

    def start(self, info: dict[str, Any]) -> None:
        if self.quiet:
            return
        resumed = f", resuming after epoch {info['start_epoch']}" if info["start_epoch"] else ""
        self.console.print(
            f"training on {info['device']} ({info['precision']}): "
            f"{info['train_images']:,} images, {info['steps_per_epoch']} steps per epoch, "
            f"{info['epochs']} epoch(s){resumed}", markup=False, highlight=False)

    def epoch_start(self, epoch: int, epochs: int, steps: int, done: int) -> None:
        if self.quiet:
            return
        self.close()
        # Each column of a progress line is cut, not wrapped, when the line is too long:
        # narrower terminals get fewer columns and a shorter bar instead.
        width = self.console.width
        stats = "loss {task.fields[loss]}  acc {task.fields[acc]}"
        columns: list[Any] = [TextColumn("epoch {task.fields[epoch]}")]
        if width >= 110:
            columns += [BarColumn(), MofNCompleteColumn(),
                        TextColumn(stats + "  {task.fields[speed]} img/s"),
                        TimeElapsedColumn(), TimeRemainingColumn()]
        elif width >= 80:
            columns += [BarColumn(bar_width=max(10, width - 70)), MofNCompleteColumn(),
                        TextColumn(stats), TimeElapsedColumn()]
        else:
            columns += [BarColumn(bar_width=max(5, min(20, width - 50))), TextColumn(stats)]
        self.progress = Progress(*columns, console=self.console, transient=False)
        self.progress.start()
        self.task = self.progress.add_task("train", total=steps, completed=done,
                                           epoch=f"{epoch}/{epochs}", loss="-", acc="-",
                                           speed="-")

    def step(self, done: int, loss: float, acc: float, images_per_s: float) -> None:
        if self.progress is not None:
            self.progress.update(self.task, completed=done, loss=f"{loss:.4f}",
                                 acc=f"{acc:.2%}", speed=f"{images_per_s:,.0f}")

    def epoch_end(self, row: dict[str, Any]) -> None:
        self.close()
        if not self.quiet:
            self.console.print(
                f"epoch {row['epoch']}: "
                + (f"val accuracy {row['val_acc']:.2%}, " if "val_acc" in row else "")
                + f"test accuracy {row['test_acc']:.2%}, "
                f"test loss {row['test_loss']:.4f} ({row['seconds']:.1f} s, "
                f"{row['images_per_s']:,.0f} img/s)", markup=False, highlight=False)

    def close(self) -> None:
        if self.progress is not None:
            self.progress.stop()
            self.progress = None
