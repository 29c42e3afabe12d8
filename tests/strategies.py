"""Hypothesis strategies: random specs and inputs, valid and invalid."""

from __future__ import annotations

from hypothesis import strategies as st


def _pair(lo: int, hi: int) -> st.SearchStrategy[str]:
    return st.one_of(st.integers(lo, hi).map(str),
                     st.tuples(st.integers(lo, hi), st.integers(lo, hi)).map(
                         lambda t: f"{t[0]}x{t[1]}"))


def _opt(key: str, values: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(st.just(""), values.map(lambda v: f",{key}={v}"))


conv = st.builds(
    lambda c, k, s, p, d, g, b: f"conv({c},{k}{s}{p}{d}{g}{b})",
    st.sampled_from([1, 2, 3, 4, 6, 8, 12, 16]), _pair(1, 5), _opt("stride", _pair(1, 3)),
    _opt("padding", st.one_of(_pair(0, 3), st.sampled_from(["same", "valid"]))),
    _opt("dilation", _pair(1, 3)), _opt("groups", st.sampled_from(["1", "2", "3", "4"])),
    _opt("bias", st.sampled_from(["false", "true"])))

convt = st.builds(
    lambda c, k, s, p, op, d, g: f"convt({c},{k}{s}{p}{op}{d}{g})",
    st.sampled_from([1, 2, 4, 8]), _pair(1, 4), _opt("stride", _pair(1, 3)),
    _opt("padding", _pair(0, 2)), _opt("output_padding", _pair(0, 2)),
    _opt("dilation", _pair(1, 2)), _opt("groups", st.sampled_from(["1", "2"])))

maxpool = st.builds(
    lambda k, s, p, d, c: f"maxpool({k}{s}{p}{d}{c})",
    _pair(1, 4), _opt("stride", _pair(1, 3)), _opt("padding", _pair(0, 2)),
    _opt("dilation", _pair(1, 2)), _opt("ceil", st.sampled_from(["true", "false"])))

avgpool = st.builds(
    lambda k, s, p, c, i: f"avgpool({k}{s}{p}{c}{i})",
    _pair(1, 4), _opt("stride", _pair(1, 3)), _opt("padding", _pair(0, 2)),
    _opt("ceil", st.sampled_from(["true", "false"])),
    _opt("count_include_pad", st.sampled_from(["true", "false"])))

gap = st.one_of(st.just("gap"), _pair(1, 5).map(lambda v: f"gap({v})"))

pointwise = st.sampled_from(["relu", "tanh", "sigmoid", "gelu", "bn", "dropout(0.2)",
                             "leakyrelu(0.1)", "lrn(3)", "softmax", "elu", "silu"])

spatial = st.one_of(conv, conv, conv, convt, maxpool, avgpool, gap, pointwise)

head = st.one_of(st.just(""), st.builds(
    lambda n, extra: f"-flatten{extra}-fc({n})", st.integers(1, 20),
    st.sampled_from(["", "-bn", "-relu", "-dropout(0.5)", "-fc(7)-relu"])))

specs = st.builds(lambda body, tail: "-".join(body) + tail,
                  st.lists(spatial, min_size=1, max_size=6), head)

inputs = st.tuples(st.sampled_from([1, 2, 3, 4, 6, 12]), st.integers(1, 40), st.integers(1, 40))
