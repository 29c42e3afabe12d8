"""A compact learning-curve chart drawn with text, for terminals without matplotlib."""

from __future__ import annotations

from typing import Any

BARS = "▁▂▃▄▅▆▇█"


def sparkline(values: list[float]) -> str:
    lo, hi = min(values), max(values)
    if hi == lo:
        return BARS[3] * len(values)
    return "".join(BARS[round((v - lo) / (hi - lo) * (len(BARS) - 1))] for v in values)


def terminal_chart(rows: list[dict[str, Any]]) -> str:
    lines = [f"learning curves over {len(rows)} epoch(s)"]
    for key, fmt in (("train_loss", "{:.4f}"), ("test_loss", "{:.4f}"),
                     ("train_acc", "{:.2%}"), ("test_acc", "{:.2%}")):
        values = [float(r[key]) for r in rows]
        lines.append(f"{key:<10} {sparkline(values)}  {fmt.format(values[0])} → "
                     f"{fmt.format(values[-1])}")
    return "\n".join(lines)
