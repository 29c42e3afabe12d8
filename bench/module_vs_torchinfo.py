"""cnncalc's module summary vs torchinfo.summary on the same nn.Module, in process and whole.

In process: each model is built once (real weights on the CPU, as a user has it), then
`cnncalc.summary(model, input_size=...)` and `torchinfo.summary(model, input_size=...,
verbose=0)` run in turn (A B A B ...) on that same instance and input, after one warm-up
each; torch is imported before any timing. torchinfo runs the model for real on the CPU,
its default; the "torchinfo on meta" column (`device="meta"`, no arithmetic) is shown for
reference. Whole process: `cnncalc summary --module FILE:NAME -f json` against
`python -c "import torch, torchinfo; build; torchinfo.summary(...)"`.

A last table splits cnncalc's and torchinfo's time into a fixed part and a part per layer
(summaries of 1 and of 12 nn.ReLU on 1x1x28x28).

Run: python bench/module_vs_torchinfo.py [--runs N] [--process-runs N] [--only NAME ...]
     [--per-layer N] [--clock wall|cpu]
On a loaded machine run it with OMP_NUM_THREADS=1: torchinfo's real forward pass on several
OpenMP threads then waits for busy cores (40 to 110 ms for an MNIST net at load 2.7 on 2
cores, against 1 to 2 ms on one thread), which measures the load, not torchinfo.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import PY, compile_package, load, med, paired

PRESETS = ["mnist-fast", "pytorch-mnist", "keras-mnist", "lenet5", "resnet18", "resnet50",
           "densenet121", "mobilenet_v2", "googlenet", "inception_v3", "vgg16",
           "squeezenet1_0"]
PROCESS = ["lenet5", "resnet50", "densenet121"]

MODEL_FILE = '''
from cnncalc.calc import summarize_spec
from cnncalc.ops.shape import parse_shape
from cnncalc.presets import get
from cnncalc.train.model import build


def preset(name):
    p = get(name)
    return build(summarize_spec(p.spec, parse_shape(p.input)))
'''

TORCHINFO = """
import sys, torch, torchinfo
sys.path.insert(0, sys.argv[1])
from bench_models import preset
from cnncalc.presets import get
from cnncalc.ops.shape import parse_shape
shape = parse_shape(get(sys.argv[2]).input)
torchinfo.summary(preset(sys.argv[2]), input_size=(1, *shape), verbose=0)
"""


def _written_out() -> dict[str, tuple[Callable[[], Any], tuple[int, ...]]]:
    """A tiny ViT (torchvision's encoder blocks, small) and a ConvNeXt stem and block."""
    import torch
    from torch import nn

    class EncoderBlock(nn.Module):
        def __init__(self, d: int, heads: int, mlp: int) -> None:
            super().__init__()
            self.ln_1 = nn.LayerNorm(d)
            self.self_attention = nn.MultiheadAttention(d, heads, batch_first=True)
            self.dropout = nn.Dropout(0.1)
            self.ln_2 = nn.LayerNorm(d)
            self.mlp = nn.Sequential(nn.Linear(d, mlp), nn.GELU(), nn.Dropout(0.1),
                                     nn.Linear(mlp, d), nn.Dropout(0.1))

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            y = self.ln_1(x)
            y, _ = self.self_attention(y, y, y, need_weights=False)
            x = x + self.dropout(y)
            return x + self.mlp(self.ln_2(x))

    class TinyViT(nn.Module):
        def __init__(self, d: int = 192, depth: int = 4, patch: int = 16,
                     size: int = 224) -> None:
            super().__init__()
            seq = (size // patch) ** 2 + 1
            self.d = d
            self.conv_proj = nn.Conv2d(3, d, patch, stride=patch)
            self.class_token = nn.Parameter(torch.zeros(1, 1, d))
            self.pos_embedding = nn.Parameter(torch.zeros(1, seq, d))
            self.layers = nn.Sequential(*(EncoderBlock(d, 3, 4 * d) for _ in range(depth)))
            self.ln = nn.LayerNorm(d)
            self.heads = nn.Sequential(nn.Linear(d, 1000))

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            x = self.conv_proj(x).reshape(x.shape[0], self.d, -1).permute(0, 2, 1)
            x = torch.cat([self.class_token.expand(x.shape[0], -1, -1), x], dim=1)
            x = self.ln(self.layers(x + self.pos_embedding))
            return self.heads(x[:, 0])

    class CNBlock(nn.Module):
        def __init__(self, dim: int) -> None:
            super().__init__()
            self.dwconv = nn.Conv2d(dim, dim, 7, padding=3, groups=dim)
            self.norm = nn.LayerNorm(dim, eps=1e-6)
            self.pw1 = nn.Linear(dim, 4 * dim)
            self.act = nn.GELU()
            self.pw2 = nn.Linear(4 * dim, dim)
            self.layer_scale = nn.Parameter(torch.full((dim, 1, 1), 1e-6))

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            y = self.dwconv(x).permute(0, 2, 3, 1)  # (N, H, W, C)
            y = self.pw2(self.act(self.pw1(self.norm(y)))).permute(0, 3, 1, 2)
            return x + self.layer_scale * y

    def convnext() -> nn.Module:
        return nn.Sequential(nn.Conv2d(3, 96, 4, stride=4), CNBlock(96), CNBlock(96),
                             CNBlock(96))

    return {"tiny ViT (4 blocks, d=192)": (TinyViT, (1, 3, 224, 224)),
            "ConvNeXt stem + 3 blocks (96)": (convnext, (1, 3, 224, 224))}


def _models(only: list[str]) -> dict[str, tuple[Callable[[], Any], tuple[int, ...]]]:
    from cnncalc.calc import summarize_spec
    from cnncalc.ops.shape import parse_shape
    from cnncalc.presets import get
    from cnncalc.train.model import build

    def maker(name: str) -> Callable[[], Any]:
        p = get(name)
        return lambda: build(summarize_spec(p.spec, parse_shape(p.input)))

    out = {n: (maker(n), (1, *parse_shape(get(n).input))) for n in PRESETS}
    out.update(_written_out())
    return {k: v for k, v in out.items() if not only or k in only or k.split()[0] in only}


CLOCK = time.perf_counter  # --clock cpu: time.process_time, this process's CPU time


def _clock(f: Callable[[], Any]) -> float:
    """The time of one call; a contender with a `before` attribute has it run untimed
    first (emptying the caches is not part of the summary it measures)."""
    before = getattr(f, "before", None)
    if before is not None:
        before()
    t0 = CLOCK()
    f()
    return CLOCK() - t0


def _forget() -> None:
    """Empty the caches a module summary keeps for the process (meta-op results and the
    strides the meta rules make, layers bound from modules, rows, receptive fields)."""
    from cnncalc.train import meta_rules, module_layers, module_summary, op_count

    op_count._RESULTS.clear()
    meta_rules._STRIDES.clear()
    module_layers._DEFAULTS.clear()
    module_summary._CALCULATED.clear()
    module_summary._PARSED.clear()


def _contenders(make: Callable[[], Any],
                size: tuple[int, ...]) -> list[Callable[[], Any]]:
    """cnncalc, cnncalc with its caches emptied first, torchinfo, torchinfo on meta."""
    import torch
    import torchinfo

    import cnncalc

    torch.manual_seed(0)
    model = make()
    with torch.device("meta"):  # a copy of its own: torchinfo moves it to the device
        on_meta = make()

    def cold() -> None:
        cnncalc.summary(model, input_size=size)

    cold.before = _forget  # type: ignore[attr-defined]
    return [lambda: cnncalc.summary(model, input_size=size), cold,
            lambda: torchinfo.summary(model, input_size=size, verbose=0),
            lambda: torchinfo.summary(on_meta, input_size=size, device="meta", verbose=0)]


def in_process(runs: int, only: list[str]) -> None:
    print("## In process, same model instance and input (milliseconds)\n")
    print("| model | cnncalc median | min | cnncalc, caches emptied, median | min | "
          "torchinfo median | min | torchinfo on meta median | min | torchinfo / cnncalc "
          "(emptied) | runs |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for name, (make, size) in _models(only).items():
        contenders = _contenders(make, size)
        for f in contenders:
            _clock(f)
        times: list[list[float]] = [[] for _ in contenders]
        for _ in range(runs):
            for f, t in zip(contenders, times):
                t.append(_clock(f))
        ours, emptied, theirs = times[:3]
        cells = " | ".join(f"{med(t) * 1e3:.1f} | {min(t) * 1e3:.1f}" for t in times)
        print(f"| {name} | {cells} | {med(theirs) / med(ours):.1f}x "
              f"({med(theirs) / med(emptied):.1f}x) | {runs} |", flush=True)


def per_layer(runs: int) -> None:
    """The fixed and per-layer parts: a summary of 1 and of 12 ReLUs, `runs` calls each."""
    import torchinfo
    from torch import nn

    import cnncalc

    print("\n## Fixed and per-layer cost (microseconds, min of each)\n")
    print("| | cnncalc | torchinfo |\n|---|---|---|")
    size = (1, 1, 28, 28)
    found: dict[str, list[float]] = {}
    for layers in (1, 12):
        model = nn.Sequential(*(nn.ReLU() for _ in range(layers)))
        calls: list[tuple[str, Callable[[], Any]]] = [
            ("cnncalc", lambda m=model: cnncalc.summary(m, input_size=size)),
            ("torchinfo", lambda m=model: torchinfo.summary(m, input_size=size, verbose=0))]
        for name, f in calls:
            f()
            found.setdefault(name, []).append(min(_clock(f) for _ in range(runs)) * 1e6)
    ours, theirs = found["cnncalc"], found["torchinfo"]
    print(f"| a 1-layer summary | {ours[0]:.0f} | {theirs[0]:.0f} |")
    print(f"| each further layer ((12 layers - 1) / 11) | {(ours[1] - ours[0]) / 11:.0f} | "
          f"{(theirs[1] - theirs[0]) / 11:.0f} |", flush=True)


def whole_process(runs: int, only: list[str]) -> None:
    compile_package()
    names = [n for n in PROCESS if not only or n in only]
    if not names:
        return
    print("\n## Whole process (seconds)\n")
    print("| model | `cnncalc summary --module` median | min | torch + build + "
          "torchinfo.summary median | min | runs |")
    print("|---|---|---|---|---|---|")
    from cnncalc.ops.shape import parse_shape
    from cnncalc.presets import get

    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "bench_models.py").write_text(MODEL_FILE)
        for name in names:
            shape = "x".join(map(str, parse_shape(get(name).input)))
            with_args = ["--module-args", f'["{name}"]']
            a, b = paired([PY, "-m", "cnncalc", "summary", "--module",
                           f"{tmp}/bench_models.py:preset", *with_args, "-i", shape,
                           "-f", "json"], [PY, "-c", TORCHINFO, tmp, name], runs)
            print(f"| {name} | {med(a):.3f} | {min(a):.3f} | {med(b):.3f} | {min(b):.3f} | "
                  f"{runs} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=9,
                        help="rounds of the in-process table (0: skip it)")
    parser.add_argument("--process-runs", type=int, default=5)
    parser.add_argument("--only", nargs="*", default=[])
    parser.add_argument("--per-layer", type=int, default=200,
                        help="calls for the fixed and per-layer table (0: skip it)")
    parser.add_argument("--clock", choices=("wall", "cpu"), default="wall",
                        help="what the in-process tables measure: wall time, or this "
                        "process's CPU time (steadier on a loaded machine; with "
                        "OMP_NUM_THREADS=1 it is the work done)")
    args = parser.parse_args()
    global CLOCK
    CLOCK = time.process_time if args.clock == "cpu" else time.perf_counter
    print(f"Clock: {args.clock}", flush=True)
    print(f"Before: {load()}\n", flush=True)
    if args.runs:
        in_process(args.runs, args.only)
    if args.per_layer:
        per_layer(args.per_layer)
    print(f"\nAfter the in-process runs: {load()}", flush=True)
    if args.process_runs:
        whole_process(args.process_runs, args.only)
        print(f"\nAfter the whole-process runs: {load()}", flush=True)


if __name__ == "__main__":
    main()
