"""`cnncalc draw` on long specs: whole processes paired with `summary`, and each stage timed.

The 1,000-layer spec has no repeated group (channel counts cycle with period 100), so the
300-layer drawing cap acts; the 100,000-layer spec collapses to one group drawn once.
Run: python bench/draw_speed.py [--runs N]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import PY, compile_package, med, paired, row
from cnncalc.calc import summarize_spec
from cnncalc.render.draw import diagram, mermaid
from cnncalc.render.draw_model import plan
from cnncalc.render.draw_svg import to_svg

LONG = "-".join(f"conv({8 + i % 50},3,padding=1)-relu" for i in range(500))  # 1,000 layers
HUGE = "[conv(8,3,padding=1)-relu]*50000"  # 100,000 layers


def best_of(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return med(times)


def stages(name: str, spec: str, shape: tuple[int, int, int], runs: int) -> None:
    t0 = time.perf_counter()
    s = summarize_spec(spec, shape)
    t_sum = time.perf_counter() - t0
    t_plan = best_of(lambda: plan(s), runs)
    for style in ("layered", "flat"):
        t_geo = best_of(lambda st=style: diagram(s, st), runs)  # type: ignore[misc]
        d = diagram(s, style)
        t_svg = best_of(lambda d=d: to_svg(d), runs)  # type: ignore[misc]
        size = len(to_svg(d).encode())
        print(f"| {name} | {style} | {t_sum:.3f} | {t_plan:.4f} | {t_geo:.4f} | "
              f"{t_svg:.4f} | {size / 1024:.0f} KiB |")
    t_md = best_of(lambda: mermaid(s), runs)
    print(f"| {name} | mermaid | {t_sum:.3f} | {t_plan:.4f} | {t_md:.4f} | - | - |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    compile_package()
    with tempfile.TemporaryDirectory() as tmp:
        svg = str(Path(tmp) / "net.svg")
        png = str(Path(tmp) / "net.png")
        cli = [PY, "-m", "cnncalc"]
        print("## 1,000-layer spec, whole process (seconds)\n")
        print("| command | median | min | max | runs |")
        print("|---|---|---|---|---|")
        a, b = paired([*cli, "summary", LONG, "-i", "3x32x32", "-f", "json"],
                      [*cli, "draw", LONG, "-i", "3x32x32", "-o", svg], args.runs)
        print(row("summary -f json", a))
        print(row("draw -o net.svg", b))
        a, b = paired([*cli, "draw", LONG, "-i", "3x32x32", "-o", svg],
                      [*cli, "draw", LONG, "-i", "3x32x32", "--style", "flat", "-o", svg],
                      args.runs)
        print(row("draw -o net.svg (again)", a))
        print(row("draw --style flat -o net.svg", b))
        a, b = paired([*cli, "draw", "-p", "resnet18", "-o", png],
                      [*cli, "draw", LONG, "-i", "3x32x32", "-o", png], args.runs)
        print(row("draw -p resnet18 -o net.png (matplotlib)", a))
        print(row("draw (1,000 layers) -o net.png (matplotlib)", b))
    print("\n## stages in one process (seconds; medians)\n")
    print("| spec | output | summarize | plan | plan + layout | SVG text | SVG size |")
    print("|---|---|---|---|---|---|---|")
    stages("1,000 layers", LONG, (3, 32, 32), args.runs)
    stages("100,000 layers", HUGE, (3, 32, 32), 3)


if __name__ == "__main__":
    main()
