"""cnncalc summary vs "import torch + build + torchinfo.summary", whole processes, paired.

Also times summarize() on specs of 1,000 to 20,000 layers to show linear cost.
Run: python bench/summary_speed.py [--runs N]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import PY, compile_package, med, paired, row

TORCHINFO = """
import sys, torch, torchinfo
from cnncalc.calc import summarize_spec
from cnncalc.train.model import build
from cnncalc.presets import PRESETS
p = PRESETS[sys.argv[1]]
shape = tuple(int(x) for x in p.input.split("x"))
model = build(summarize_spec(p.spec, shape))
torchinfo.summary(model, input_size=(1, *shape), verbose=0)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    compile_package()
    cli = [PY, "-m", "cnncalc"]
    print("## summary vs torch + torchinfo (whole process, seconds)\n")
    print("| command | median | min | max | runs |")
    print("|---|---|---|---|---|")
    ratios = {}
    for preset in ("lenet5", "pytorch-mnist", "resnet18"):
        a, b = paired([*cli, "summary", "--preset", preset, "-f", "json"],
                      [PY, "-c", TORCHINFO, preset], args.runs)
        print(row(f"cnncalc summary --preset {preset}", a))
        print(row(f"torch + build + torchinfo.summary ({preset})", b))
        ratios[preset] = med(b) / med(a)
    print()
    for preset, ratio in ratios.items():
        print(f"- {preset}: cnncalc is {ratio:.1f}x faster")

    from cnncalc.calc import summarize_spec

    print("\n## summarize() on long specs (in process, seconds)\n")
    print("| layers | seconds | µs per layer |")
    print("|---|---|---|")
    for n in (1_000, 2_000, 5_000, 10_000, 20_000):
        spec = "-".join(["conv(8,3,padding=1)", "relu"] * (n // 2))
        best = float("inf")
        for _ in range(3):
            t0 = time.perf_counter()
            summarize_spec(spec, (8, 32, 32))
            best = min(best, time.perf_counter() - t0)
        print(f"| {n:,} | {best:.3f} | {best / n * 1e6:.1f} |")
    # Repeated layers hit the calculator's per-layer cache; varied ones (every conv
    # different) show the uncached cost.
    rng = random.Random(0)
    varied = "-".join(
        f"conv({rng.randint(1, 64)},{rng.choice([1, 3, 5])},padding={rng.choice([0, 1, 2])})"
        if i % 2 == 0 else "relu" for i in range(10_000))
    repeated = "-".join(["conv(8,3,padding=1)", "relu"] * 5_000)
    print("\n## whole `cnncalc summary` of a 10,000-layer spec (seconds)\n")
    print("| spec | median | min | max | runs |")
    print("|---|---|---|---|---|")
    for name, spec, shape in (("repeated layers", repeated, "8x32x32"),
                              ("10,000 different layers", varied, "8x2000x2000")):
        for fmt in ("json", "table"):
            a, _ = paired([*cli, "summary", spec, "-i", shape, "-f", fmt], [PY, "-c", "pass"], 3)
            print(row(f"{name}, --format {fmt}", a))


if __name__ == "__main__":
    main()
