"""Random branched networks, written both as a spec and as the forward() code a person
would write for it: cnncalc's reading of the code must equal the calculator's summary of
the spec itself, and torch running the code (the test runs it; cnncalc never does).

The generator draws a tree of the spec language (conv, bn, relu, cat[...], add[...] and
mul[|gate], nested up to three deep, empty branches included), keeps H and W (odd kernels
with 'same' padding), and writes each node twice: as spec text and as modules in __init__
with statements in forward().
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cnncalc.calc.summary import Summary, summarize_spec

from .branch_models import HEAD
from .test_branches import check


@dataclass
class Writer:
    draw: st.DrawFn
    init: list[str] = field(default_factory=list)
    body: list[str] = field(default_factory=list)
    n: int = 0

    def var(self) -> str:
        self.n += 1
        return f"t{self.n}"

    def module(self, text: str) -> str:
        self.init.append(f"        self.m{len(self.init)} = {text}")
        return f"self.m{len(self.init) - 1}"

    def conv(self, x: str, cin: int, cout: int, k: int) -> tuple[str, str]:
        m = self.module(f"nn.Conv2d({cin}, {cout}, {k}, padding={k // 2})")
        v = self.var()
        self.body.append(f"        {v} = {m}({x})")
        return v, f"conv({cout},{k},padding={k // 2})"

    def sequence(self, x: str, c: int, depth: int, out: int | None = None,
                 empty: bool = True) -> tuple[str, int, list[str]]:
        """A branch from tensor `x` with `c` channels: (its output, channels, spec items);
        `out` forces the channels it ends with (a conv is added if needed)."""
        n = self.draw(st.integers(0 if empty else 1, 3))
        specs: list[str] = []
        for _ in range(n):
            x, c, spec = self.node(x, c, depth)
            specs.append(spec)
        if out is not None and (c != out or (not specs and not empty)):
            x, spec = self.conv(x, c, out, 1)
            specs.append(spec)
            c = out
        return x, c, specs

    def node(self, x: str, c: int, depth: int) -> tuple[str, int, str]:
        kinds = ["conv", "relu", "bn"] + (["cat", "add", "mul"] if depth < 3 else [])
        kind = self.draw(st.sampled_from(kinds))
        if kind == "conv":
            v, spec = self.conv(x, c, self.draw(st.integers(1, 6)),
                                self.draw(st.sampled_from([1, 3])))
            return v, int(spec[5:].split(",")[0]), spec
        if kind in ("relu", "bn"):
            v = self.var()
            if kind == "relu":
                self.body.append(f"        {v} = F.relu({x})")
            else:
                self.body.append(f"        {v} = {self.module(f'nn.BatchNorm2d({c})')}({x})")
            return v, c, kind
        if kind == "mul":
            g = self.var()
            m = self.module(f"nn.Conv2d({c}, {c}, 1)")
            self.body.append(f"        {g} = torch.sigmoid({m}(F.adaptive_avg_pool2d({x}, 1)))")
            v = self.var()
            self.body.append(f"        {v} = {x} * {g}")
            return v, c, f"mul[|gap-conv({c},1)-sigmoid]"
        count = self.draw(st.integers(2, 3))
        outs: list[str] = []
        specs: list[str] = []
        total = 0
        for i in range(count):
            # A sum of the input with itself (x + x) is not a network anyone writes, and a
            # join needs a branch with layers (cnncalc refuses torch.cat([x, x], 1)).
            o, oc, s = self.sequence(x, c, depth + 1, c if kind == "add" else None,
                                     empty=(kind != "add" or i == 0) and
                                     (i < count - 1 or any(sp for sp in specs)))
            outs.append(o)
            specs.append("-".join(s))
            total += oc
        v = self.var()
        if kind == "cat":
            self.body.append(f"        {v} = torch.cat([{', '.join(outs)}], 1)")
            return v, total, f"cat[{'|'.join(specs)}]"
        self.body.append(f"        {v} = {' + '.join(outs)}")
        return v, c, f"add[{'|'.join(specs)}]"


@st.composite
def networks(draw: st.DrawFn) -> tuple[str, str]:
    w = Writer(draw)
    out, c, specs = w.sequence("x", 4, 0, empty=False)
    if not w.init:  # a model with weights, so that torch's count says something
        w.conv(out, c, 4, 1)
        return networks_code(w, f"t{w.n}"), "-".join([*specs, "conv(4,1,padding=0)"])
    return networks_code(w, out), "-".join(specs)


def networks_code(w: Writer, out: str) -> str:
    return (HEAD + "class Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
            + "\n".join(w.init) + "\n\n    def forward(self, x):\n" + "\n".join(w.body)
            + f"\n        return {out}\n")


def _rows(s: Summary) -> Counter[tuple[str, tuple[int, ...], int, int, int]]:
    return Counter((r.kind, r.output_shape, r.trainable_params, r.non_trainable_params,
                    r.macs) for r in s.leaves())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks())
def test_reading_random_branched_code_equals_the_spec_and_torch(net: tuple[str, str]) -> None:
    code, spec = net
    mine = check(code, "4x6x6")  # against torch running the code
    theirs = summarize_spec(spec, (4, 6, 6))
    assert _rows(mine) == _rows(theirs), (spec, code)
    for attr in ("trainable_params", "non_trainable_params", "total_macs", "output_shape"):
        assert getattr(mine, attr) == getattr(theirs, attr), (attr, spec, code)
