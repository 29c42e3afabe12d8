"""Random graphs (branches, joins, repeats, chains of conv/pool/bn/activations, nested up to
three deep) against torch, through an oracle that builds each layer from the real tensor.

The oracle reads the parsed spec (the front-end), never the calculator: every module is
sized from the tensor that reaches it (tests/oracle.py's idea, extended to joins). Where
the calculator refuses a graph, torch must refuse it too.
"""

from __future__ import annotations

import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cnncalc.calc.summary import summarize_spec
from cnncalc.errors import LayerError
from cnncalc.spec import Join, Layer, Node, Repeat, parse

from ..oracle import torch_layer
from .reference import KIND, Leaf, _macs

torch.set_num_threads(1)


class Refused(Exception):
    """torch (or the join's definition) rejects the graph."""


def _join(kind: str, outs: list[torch.Tensor]) -> torch.Tensor:
    if kind == "cat":
        return torch.cat(outs, 1)
    total = outs[0]
    for o in outs[1:]:
        if kind == "add":
            # add[...] is a sum of equal shapes, as a residual's is; torch alone would
            # broadcast a 1x1 map here.
            if o.shape != total.shape:
                raise Refused(f"add of {tuple(total.shape)} and {tuple(o.shape)}")
            total = total + o
        else:
            total = total * o
    return total


def run(nodes: tuple[Node, ...], x: torch.Tensor, leaves: list[Leaf]) -> torch.Tensor:
    for n in nodes:
        if isinstance(n, Layer):
            m = torch_layer(n, x)
            m.eval()
            out = m(x)
            stats = sum(b.numel() for k, b in m.named_buffers()
                        if k.endswith(("running_mean", "running_var")))
            leaves.append(Leaf(KIND[type(m)], tuple(out.shape[1:]),
                               sum(p.numel() for p in m.parameters()), stats,
                               _macs(m, x, out)))
            x = out
        elif isinstance(n, Repeat):
            for _ in range(n.times):
                x = run(n.body, x, leaves)
        elif isinstance(n, Join):
            x = _join(n.kind, [run(b, x, leaves) if b else x for b in n.branches])
        else:  # pragma: no cover - the strategy writes no res[...]
            raise AssertionError(n)
    return x


def oracle(spec: str, shape: tuple[int, int, int]) -> tuple[list[Leaf], tuple[int, ...]]:
    leaves: list[Leaf] = []
    with torch.no_grad():
        try:
            out = run(parse(spec), torch.randn(1, *shape), leaves)
        except (RuntimeError, ValueError) as e:
            raise Refused(str(e)) from None
    return leaves, tuple(out.shape[1:])


# Shape-keeping layers are drawn more often than shrinking ones, so that most graphs join
# branches that agree (and some do not: those must be refused on both sides).
channels = st.sampled_from([4, 4, 4, 8])
layer = st.one_of(
    st.builds(lambda c, k: f"conv({c},{k},padding={k // 2})", channels, st.sampled_from([1, 3])),
    st.builds(lambda c, k, s, p: f"conv({c},{k},stride={s},padding={p})",
              channels, st.integers(1, 3), st.integers(1, 2), st.integers(0, 1)),
    st.builds(lambda kind: f"{kind}(3,stride=1,padding=1)", st.sampled_from(["maxpool",
                                                                           "avgpool"])),
    st.builds(lambda kind, k, s, p: f"{kind}({k},stride={s},padding={p})",
              st.sampled_from(["maxpool", "avgpool"]), st.integers(1, 3), st.integers(1, 2),
              st.integers(0, 2)),
    st.sampled_from(["bn", "relu", "sigmoid", "tanh"]),
)


def chain(depth: int) -> st.SearchStrategy[str]:
    item = layer if depth == 0 else st.one_of(layer, layer, join(depth), repeat(depth))
    return st.lists(item, min_size=1, max_size=3).map("-".join)


def repeat(depth: int) -> st.SearchStrategy[str]:
    return st.builds(lambda body, n: f"[{body}]*{n}", chain(depth - 1), st.integers(1, 3))


def join(depth: int) -> st.SearchStrategy[str]:
    branch = st.one_of(st.just(""), chain(depth - 1))
    return st.builds(lambda kind, bs: f"{kind}[{'|'.join(bs)}]",
                     st.sampled_from(["cat", "cat", "add", "mul"]),
                     st.lists(branch, min_size=2, max_size=3).filter(any))


graphs = st.one_of(join(1), join(2), chain(3))
inputs = st.tuples(st.sampled_from([4, 4, 8]), st.integers(1, 12), st.integers(1, 12))


@settings(max_examples=200, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(graphs, inputs)
def test_random_graphs_agree_with_torch(spec: str, shape: tuple[int, int, int]) -> None:
    try:
        s = summarize_spec(spec, shape)
    except LayerError as e:
        try:
            oracle(spec, shape)
        except Refused:
            return
        raise AssertionError(f"the calculator refused what torch runs: {e.message}") from None
    try:
        leaves, out_shape = oracle(spec, shape)
    except Refused as e:
        raise AssertionError(f"torch refused what the calculator accepted: {e}") from None
    rows = s.leaves()
    assert [(r.kind, r.output_shape) for r in rows] == [(t.kind, t.shape) for t in leaves]
    for r, t in zip(rows, leaves):
        assert (r.trainable_params, r.non_trainable_params) == (t.trainable, t.stats), r
        if t.macs is not None:
            assert r.macs == t.macs, r
    assert s.output_shape == out_shape


def test_the_strategy_reaches_deep_and_valid_graphs() -> None:
    # A generator that only ever produced refusals would prove nothing: a fixed deep
    # sample must be computed and agree.
    spec = "cat[|add[conv(4,3,stride=1,padding=1)|[relu-bn]*2]-mul[|avgpool(1,stride=1,padding=0)]]"
    s = summarize_spec(spec, (4, 6, 6))
    leaves, out = oracle(spec, (4, 6, 6))
    assert [(r.kind, r.output_shape) for r in s.leaves()] == [(t.kind, t.shape) for t in leaves]
    assert s.output_shape == out == (8, 6, 6)
