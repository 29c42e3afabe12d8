"""Learning curves as a PNG with matplotlib (the optional `plot` extra); no torch."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from ..render.safe import visible
from .metrics import Metrics

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from .visualize import View

# Okabe-Ito, one colour per run; the line style tells train, validation and test apart, so
# the figure also reads in black and white.
COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000",
           "#F0E442")
MAX_RUNS = 8


@contextmanager
def plain_text() -> Iterator[None]:
    """Every text made inside is drawn as written: run names, file names and spec strings
    hold `$` and `\\` freely, so they are never read as math text ($...$ raises ValueError or
    RecursionError there) and never handed to TeX, whatever the user's matplotlibrc says.
    (Each Text keeps the setting it was made with, so saving may happen outside.)"""
    with matplotlib.rc_context({"text.usetex": False, "text.parse_math": False}):
        yield


def held_out(m: Metrics, what: str) -> tuple[str, str]:
    """(key, label) of the per-epoch held-out curve: validation when the run has one, else
    the older runs' per-epoch test figures, labelled as test."""
    if m.has(f"val_{what}"):
        return f"val_{what}", "val"
    if m.has(f"test_{what}") and not m.has("val_loss") and not m.has("val_acc"):
        return f"test_{what}", "test (per epoch)"
    return "", ""


def final_test(m: Metrics) -> tuple[int, float] | None:
    """The last recorded test accuracy: the figure to mark."""
    epochs, values = m.series("test_acc")
    return (epochs[-1], values[-1]) if values else None


def curves_png(runs: list[Metrics]) -> bytes:
    """Loss and accuracy side by side; each run in its own colour, test accuracy starred."""
    fig = curves_figure(runs)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    plt.close(fig)
    return buf.getvalue()


def curves_figure(runs: list[Metrics]) -> Figure:
    with plain_text():
        return _curves_figure(runs)


def _curves_figure(runs: list[Metrics]) -> Figure:
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(10, 4))
    names = [m.name for m in runs]
    if len(set(names)) < len(names):  # runs/a/x and runs/b/x: name them by their paths
        names = [str(m.path.parent) for m in runs]
    names = [visible(n, breaks=True) for n in names]
    for i, m in enumerate(runs[:MAX_RUNS]):
        colour = COLOURS[i % len(COLOURS)]
        prefix = f"{names[i]}: " if len(runs) > 1 else ""
        for ax, what, scale in ((ax_loss, "loss", 1.0), (ax_acc, "acc", 100.0)):
            x, y = m.series(f"train_{what}")
            if y:
                ax.plot(x, [v * scale for v in y], "o-", color=colour, markersize=3,
                        label=prefix + "train")
            key, label = held_out(m, what)
            if key:
                x, y = m.series(key)
                ax.plot(x, [v * scale for v in y], "s--", color=colour, markersize=3,
                        label=prefix + label)
        test = final_test(m)
        if test is not None:
            ax_acc.plot([test[0]], [100 * test[1]], "*", color=colour, markersize=14,
                        markeredgecolor="black", label=f"{prefix}test {100 * test[1]:.2f}%")
            ax_acc.annotate(f"{100 * test[1]:.2f}%", (test[0], 100 * test[1]),
                            textcoords="offset points", xytext=(6, -12), fontsize=8)
    ax_loss.set(title="loss", xlabel="epoch")
    ax_acc.set(title="accuracy (%)", xlabel="epoch")
    for ax in (ax_loss, ax_acc):
        ax.grid(alpha=0.3)
        ax.xaxis.get_major_locator().set_params(integer=True)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=8)
    if len(runs) > MAX_RUNS:
        fig.suptitle(f"the first {MAX_RUNS} of {len(runs)} runs", fontsize=9)
    fig.tight_layout()
    return fig


def view_png(v: View) -> bytes:
    """The input, the first-layer filters, and up to 16 maps of each conv stage."""
    with plain_text():
        return _view_png(v)


def _view_png(v: View) -> bytes:
    cols = 16
    filter_rows = -(-len(v.filters) // cols) if len(v.filters) else 0
    blocks = [("filters", filter_rows)] + [("stage", 1)] * len(v.stages)
    cell, head = 0.62, 0.34  # inches: one small image, one heading line
    height = 2.1 + sum(head + n * cell for _, n in blocks) + (0.25 if v.more_stages else 0)
    width = cols * cell + 0.4
    fig = plt.figure(figsize=(width, height), dpi=100)
    y = height - 0.2

    def axes(x0: float, top: float, size: float) -> Axes:
        ax = fig.add_axes((x0 / width, (top - size) / height, size / width, size / height))
        ax.set_xticks([])
        ax.set_yticks([])
        return ax

    def heading(top: float, text: str) -> None:  # labels come from the checkpoint's spec
        fig.text(0.2 / width, (top - 0.22) / height, visible(text, breaks=True), fontsize=8.5)

    verdict = f"predicted {v.predicted} ({v.probability:.1%})"
    if v.label is not None:
        verdict += f", true label {v.label}" + (" ✓" if v.label == v.predicted else " ✗")
    heading(y, f"input 1x28x28: {verdict}")
    axes(0.2, y - head, 1.4).imshow(v.image, cmap="gray", vmin=0, vmax=255)
    y -= head + 1.5
    heading(y, v.filter_label)
    y -= head
    lim = float(np.abs(v.filters).max()) if v.filters.size else 1.0
    for i, f in enumerate(v.filters):
        ax = axes(0.2 + (i % cols) * cell, y - (i // cols) * cell, cell * 0.92)
        # A diverging map centred on 0: positive weights red, negative blue, 0 white.
        ax.imshow(f, cmap="RdBu_r", vmin=-lim or -1, vmax=lim or 1)
    y -= filter_rows * cell
    for s in v.stages:
        shown = len(s.maps)
        more = f" (first {shown} of {s.channels} channels)" if shown < s.channels else ""
        heading(y, f"{s.label} → {s.shape}{more}")
        y -= head
        for i, m in enumerate(s.maps):
            axes(0.2 + i * cell, y, cell * 0.92).imshow(m, cmap="viridis")
        y -= cell
    if v.more_stages:
        heading(y, f"... {v.more_stages} more conv stages not shown")
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=80)
    plt.close(fig)
    return buf.getvalue()
