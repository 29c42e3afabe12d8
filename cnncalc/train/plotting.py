"""Learning curves as a PNG with matplotlib (the optional `plot` extra)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from ..errors import CnnCalcError
from .checkpoint import atomic_write


def save_png(rows: list[dict[str, Any]], target: Path) -> None:
    epochs = [r["epoch"] for r in rows]
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(10, 4))
    ax_loss.plot(epochs, [r["train_loss"] for r in rows], "o-", label="train")
    ax_loss.plot(epochs, [r["test_loss"] for r in rows], "o-", label="test")
    ax_loss.set(title="loss", xlabel="epoch")
    ax_acc.plot(epochs, [100 * r["train_acc"] for r in rows], "o-", label="train")
    ax_acc.plot(epochs, [100 * r["test_acc"] for r in rows], "o-", label="test")
    ax_acc.set(title="accuracy (%)", xlabel="epoch")
    for ax in (ax_loss, ax_acc):
        ax.grid(alpha=0.3)
        ax.legend()
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    plt.close(fig)
    try:
        atomic_write(target, lambda f: f.write(buf.getvalue()))
    except OSError as e:
        raise CnnCalcError(f"could not write {target}: {e.strerror or e}") from None
