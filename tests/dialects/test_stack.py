"""torch.stack in forward(), read where the code folds the stack back into a map or a
vector: summed, averaged or maximised over the stacked dim (the add, mean or max join of its
tensors), flattened on dim 1 (the cat of its flattened tensors), or unbound again (its
tensors). Any other use is refused in one line naming the line.

The oracle is torch: each model is built and run by torch, and its weighted layers (output
shape, parameters, MACs), totals and output shape must equal the calculator's
(test_branches.check). The folds themselves cost no MACs: MACs count weights, and a sum or
a copy has none.
"""

from __future__ import annotations

import textwrap

import pytest
import torch

from cnncalc.dialects.values import CodeError

from .test_branches import check, read

torch.set_num_threads(1)

HEAD = "import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n\n"
BRANCHES = """self.stem = nn.Conv2d(3, 8, 1)
self.a = nn.Conv2d(8, 8, 3, padding=1)
self.b = nn.Conv2d(8, 8, 5, padding=2)
"""


def _net(forward: str, init: str = "") -> str:
    return HEAD + "class Net(nn.Module):\n    def __init__(self):\n" \
        "        super().__init__()\n" + \
        textwrap.indent(textwrap.dedent(BRANCHES + init), " " * 8) + \
        "\n    def forward(self, x):\n" + \
        textwrap.indent("x = self.stem(x)\n" + textwrap.dedent(forward), " " * 8)


MODELS = [
    # Selective-kernel fusion: the branches stacked on dim 1, then summed over it.
    ("sknet_sum", _net("""
        feats = torch.stack([self.a(x), self.b(x)], dim=1)
        u = torch.sum(feats, dim=1)
        return self.fc(u.mean((2, 3)))
        """, "self.fc = nn.Linear(8, 10)")),
    # An ensemble of three heads summed at once: stack on 0, .sum(0).
    ("ensemble_sum", _net("""
        return torch.stack([self.a(x), self.b(x), self.c(x)], 0).sum(0)
        """, "self.c = nn.Conv2d(8, 8, 1)")),
    # The new dim last: stack(-1) then sum(dim=-1).
    ("last_dim_sum", _net("""
        y = torch.stack((self.a(x), self.b(x)), -1).sum(dim=-1)
        return F.relu(y)
        """)),
    # An ensemble averaged: the mean of three maps of one shape.
    ("ensemble_mean", _net("""
        return torch.stack([self.a(x), self.b(x), self.c(x)]).mean(dim=0)
        """, "self.c = nn.Conv2d(8, 8, 1)")),
    ("torch_mean", _net("""
        s = torch.stack([self.a(x), self.b(x)], 1)
        return F.relu(torch.mean(s, 1))
        """)),
    # The elementwise maximum, as .amax, as max's values and as torch.max's first result.
    ("amax", _net("""
        return torch.stack([self.a(x), self.b(x)], 1).amax(1)
        """)),
    ("max_values", _net("""
        s = torch.stack([self.a(x), self.b(x)], dim=1)
        return s.max(dim=1).values
        """)),
    ("max_first", _net("""
        s = torch.stack([self.a(x), self.b(x)], dim=1)
        return s.max(1)[0]
        """)),
    # The maximum is associative: branches that part later join there first, exactly.
    ("nested_max", _net("""
        t = self.a(x)
        return torch.stack([self.b(t), self.c(t), x]).amax(0)
        """, "self.c = nn.Conv2d(8, 8, 1)")),
    ("torch_max", _net("""
        return torch.max(torch.stack([self.a(x), self.b(x)], -1), -1)[0]
        """)),
    # Two maps stacked on dim 1 and flattened: 2·8·6·6 = 576 features for the Linear.
    ("stack_flatten", _net("""
        z = torch.stack([self.a(x), self.b(x)], dim=1).flatten(1)
        return self.fc(z)
        """, "self.fc = nn.Linear(2 * 8 * 6 * 6, 10)")),
    ("stack_torch_flatten", _net("""
        s = torch.stack([self.a(x), self.b(x), self.c(x)], 1)
        return self.fc(torch.flatten(s, 1))
        """, "self.c = nn.Conv2d(8, 8, 1)\nself.fc = nn.Linear(3 * 8 * 6 * 6, 10)")),
    ("stack_view", _net("""
        s = torch.stack([self.a(x), self.b(x)], 1)
        return self.fc(s.view(x.size(0), -1))
        """, "self.fc = nn.Linear(2 * 8 * 6 * 6, 10)")),
    # An unbind that undoes the stack gives its tensors back: a cat of 8 + 8 channels.
    ("unbind", _net("""
        s = torch.stack([self.a(x), self.b(x)], 1)
        p, q = s.unbind(1)
        return self.d(torch.cat([p, q], 1))
        """, "self.d = nn.Conv2d(16, 4, 1)")),
    ("torch_unbind", _net("""
        s = torch.stack([self.a(x), self.b(x)], dim=2)
        p, q = torch.unbind(s, dim=2)
        return p + q
        """)),
]


@pytest.mark.parametrize(("name", "code"), MODELS, ids=[m[0] for m in MODELS])
def test_a_folded_stack_matches_torch(name: str, code: str) -> None:
    check(code, "3x6x6")


def test_a_stack_sum_is_the_add_join_and_costs_no_macs() -> None:
    """stack + sum of two convs on 8x6x6 reads as their sum written with `+`: the block's
    MACs are its convs' alone, 8·6·6·(3·3·8) = 20,736 and 8·6·6·(5·5·8) = 57,600, and its
    parameters (3·3·8 + 1)·8 = 584 and (5·5·8 + 1)·8 = 1,608."""
    stacked = read(MODELS[0][1], "3x6x6")
    plus = read(MODELS[0][1].replace(
        "feats = torch.stack([self.a(x), self.b(x)], dim=1)\n"
        "        u = torch.sum(feats, dim=1)", "u = self.a(x) + self.b(x)"), "3x6x6")
    assert stacked.spec == plus.spec and "torch.stack" in MODELS[0][1]
    assert stacked.to_dict()["layers"] == plus.to_dict()["layers"]
    block = stacked.layers[1]
    assert (block.output_shape, block.params, block.macs) == ((8, 6, 6), 584 + 1_608,
                                                              20_736 + 57_600)


def test_a_stack_mean_and_max_are_joins_that_cost_no_macs() -> None:
    """The mean of three 8x6x6 maps is the sum scaled by 1/3 and the maximum takes
    comparisons: 0 parameters and 0 MACs each (MACs count weights), the map's shape kept."""
    for name, kind in (("ensemble_mean", "mean"), ("amax", "max")):
        s = read(dict((m[0], m[1]) for m in MODELS)[name], "3x6x6")
        join = next(r for r in s.layers if r.kind == kind)
        convs = [r for r in s.leaves() if r.kind == "conv"][1:]  # the branches' convs
        assert (join.output_shape, join.params - sum(r.params for r in convs),
                join.macs - sum(r.macs for r in convs)) == ((8, 6, 6), 0, 0)


def test_a_flattened_stack_is_the_cat_of_its_flattened_tensors() -> None:
    """stack on dim 1 then flatten(1): the cat of two flat vectors of 8·6·6 = 288."""
    s = read(dict((m[0], m[1]) for m in MODELS)["stack_flatten"], "3x6x6")
    cat = next(r for r in s.layers if r.kind == "cat")
    assert cat.output_shape == (576,)


# Each line number counts from the first line of the body (1), after `x = self.stem(x)`.
REFUSED = [
    ("return torch.stack([self.a(x), self.b(x)], 1).amin(1)", 1, "elementwise minimum"),
    ("return torch.stack([self.a(x), self.b(x)], 1).max(1)", 1,
     "gives the maximum values and their indices"),
    ("s = torch.stack([self.a(x), self.b(x)], 1)\nreturn s.sum(2)", 2,
     "reduces dim 2, not the stacked dim 1"),
    ("s = torch.stack([self.a(x), self.b(x)], 1)\nreturn s.mean(-4)", 2,
     "reduces dim -4, not the stacked dim 1"),
    ("s = torch.stack([self.a(x), self.b(x)], 1)\nreturn s.sum()", 2, "the batch too"),
    # A mean is not associative: the mean of three tensors, two of which part later, is
    # not a mean of a mean; one join of the three would copy self.a into two branches.
    ("t = self.a(x)\nreturn torch.stack([self.b(t), self.a(t), x]).mean(0)", 2,
     "is used in two of them"),
    ("s = torch.stack([self.a(x), self.b(x)], 1)\nreturn s.sum(1, keepdim=True)", 2,
     "keeps the stacked dim"),
    ("return torch.stack([self.a(x), self.b(x)]).flatten(1)", 1, "the stack is on dim 0"),
    ("return torch.stack([self.a(x), self.b(x)], 1).flatten()", 1, "the batch too"),
    ("s = torch.stack([self.a(x), self.b(x)], 1)\nreturn s.view(-1, 16)", 2,
     "does not give one flat vector per sample"),
    ("s = torch.stack([self.a(x), self.b(x)], 1)\nreturn self.a(s)", 2,
     "which adds a dimension; cnncalc follows"),
    ("s = torch.stack([self.a(x), self.b(x)], 1)\na, b = s.unbind(2)\nreturn a", 2,
     "unbinds dim 2, not the dim 1"),
    ("s = torch.stack([self.a(x), self.b(x)], 1)\na, b, c = s.unbind(1)\nreturn a", 2,
     "gives 2 tensors, but the code unpacks 3"),
    ("a, b = x.unbind(1)\nreturn a", 1, "not a torch.stack of forward()"),
    ("return torch.stack([self.a(x), self.b(x)], 1)", 1, "adds a dimension"),
]


@pytest.mark.parametrize(("body", "line", "needle"), REFUSED, ids=[r[2] for r in REFUSED])
def test_any_other_use_of_a_stack_is_refused_naming_the_line(body: str, line: int,
                                                             needle: str) -> None:
    code = _net(body)
    first = code.splitlines().index("        x = self.stem(x)") + 2
    with pytest.raises(CodeError) as e:
        read(code, "3x6x6")
    assert e.value.message.startswith(f"line {first + line - 1}: "), e.value.message
    assert needle in e.value.message
    assert "\n" not in e.value.message
