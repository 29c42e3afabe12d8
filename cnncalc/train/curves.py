"""A compact learning-curve chart drawn with text, for terminals without matplotlib."""

from __future__ import annotations

from .metrics import ACCURACIES, LOSSES, Metrics

BARS = "▁▂▃▄▅▆▇█"
WIDTH = 60  # longest sparkline; longer runs are sampled evenly


def sparkline(values: list[float]) -> str:
    if len(values) > WIDTH:
        step = (len(values) - 1) / (WIDTH - 1)
        values = [values[round(i * step)] for i in range(WIDTH)]
    lo, hi = min(values), max(values)
    if hi == lo:
        return BARS[3] * len(values)
    return "".join(BARS[round((v - lo) / (hi - lo) * (len(BARS) - 1))] for v in values)


def terminal_chart(m: Metrics) -> str:
    lines = [f"{m.name}: learning curves over {len(m.epochs)} epoch(s)"]
    for key in LOSSES + ACCURACIES:
        _, values = m.series(key)
        if not values:
            continue
        fmt = "{:.2%}" if key in ACCURACIES else "{:.4f}"
        lines.append(f"{key:<10} {sparkline(values)}  {fmt.format(values[0])} → "
                     f"{fmt.format(values[-1])}")
    return "\n".join(lines)
