"""Diagrams of graphs: every branch drawn beside the others, every join drawn once, and the
Mermaid edges that say which value feeds which node."""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET
from collections import Counter

import pytest

from cnncalc.calc import summarize_spec
from cnncalc.calc.summary import LayerInfo, Summary
from cnncalc.ops.shape import format_shape
from cnncalc.render.draw import diagram, mermaid
from cnncalc.render.draw_svg import to_svg

SVG = "{http://www.w3.org/2000/svg}"

GRAPHS = [
    # Inception-like: three branches and the input, concatenated.
    ("conv(16,3,padding=1)-cat[conv(8,1)-relu|maxpool(3,stride=1,padding=1)|]", "1x28x28"),
    # a cat inside a branch of a cat, then squeeze-and-excitation, then a residual
    ("conv(16,3,padding=1)-cat[conv(8,1)-relu|cat[conv(4,1)|conv(4,3,padding=1)]]"
     "-mul[|gap-conv(4,1)-relu-conv(16,1)-sigmoid]-res[conv(16,3,padding=1)-relu]"
     "-flatten-fc(10)", "1x28x28"),
    # DenseNet layers repeated, a transition, and an add of three branches
    ("conv(8,3,padding=1)-[cat[|bn-relu-conv(4,3,padding=1)]]*3-conv(8,1)-avgpool(2)"
     "-add[conv(8,1)|conv(8,3,padding=1)|]", "3x16x16"),
    # U-Net level: a decoder branch that pools, convolves and upsamples back
    ("conv(8,3,padding=1)-cat[|maxpool(2)-conv(16,3,padding=1)-convt(8,2,stride=2)]"
     "-conv(4,1)", "1x32x32"),
]


def drawn(summary: Summary) -> Counter[tuple[str, str]]:
    """(path, shape) of every layer and every join: the rows a diagram must show, once
    each (shortcut projections are drawn as the skip arc's label)."""
    out: Counter[tuple[str, str]] = Counter()

    def walk(rows: tuple[LayerInfo, ...]) -> None:
        for r in rows:
            if r.is_block:
                walk(r.children + tuple(x for b in r.branches for x in b))
                if r.branches:
                    out[(r.path, format_shape(r.output_shape))] += 1
            elif ".s" not in r.path:
                out[(r.path, format_shape(r.output_shape))] += 1

    walk(summary.layers)
    return out


@pytest.mark.parametrize("spec,shape", GRAPHS)
@pytest.mark.parametrize("style", ["layered", "flat"])
def test_every_layer_and_join_drawn_once(spec: str, shape: str, style: str) -> None:
    from cnncalc.ops.shape import parse_shape

    s = summarize_spec(spec, parse_shape(shape))
    root = ET.fromstring(to_svg(diagram(s, style, collapse=False)))
    groups = [g for g in root.iter(f"{SVG}g") if g.get("class") == "layer"]
    got = Counter((g.get("data-path") or "", g.get("data-shape") or "") for g in groups)
    assert got == drawn(s)


@pytest.mark.parametrize("style", ["layered", "flat"])
def test_branches_are_side_by_side_not_on_top_of_each_other(style: str) -> None:
    """In the layered style branches are stacked one above the other (their maps' vertical
    extents are disjoint); in the flat style they stand in columns (their boxes' horizontal
    extents are disjoint)."""
    s = summarize_spec("conv(16,3,padding=1)-cat[conv(8,1)-relu|maxpool(3,stride=1,padding=1)"
                       "|conv(8,3,padding=1)]", (1, 28, 28))
    root = ET.fromstring(to_svg(diagram(s, style, collapse=False)))
    axis = 1 if style == "layered" else 0
    spans = []
    for b in (1, 2, 3):
        pts = []
        for g in root.iter(f"{SVG}g"):
            if g.get("class") == "layer" and (g.get("data-path") or "").startswith(f"2.b{b}."):
                for p in g.iter(f"{SVG}polygon"):
                    pts += [float(v.split(",")[axis]) for v in (p.get("points") or "").split()]
        assert pts, f"branch {b} has no map drawn"
        spans.append((min(pts), max(pts)))
    spans.sort()
    assert all(a[1] < b[0] for a, b in itertools.pairwise(spans)), spans


def test_mermaid_edges_follow_the_graph() -> None:
    """Hand-derived: after conv(16,3) the cat has three inputs, the relu ending branch 1,
    the maxpool of branch 2, and the conv itself (the empty branch); its node shows
    8 + 16 + 16 = 40 channels."""
    s = summarize_spec("conv(16,3,padding=1)-cat[conv(8,1)-relu|maxpool(3,stride=1,padding=1)|]"
                       "-conv(10,1)", (1, 28, 28))
    text = mermaid(s)
    names = {m[1]: m[0] for m in re.findall(r'^\s*(n\d+)[\[(]+"([^"<]+)', text, re.M)}
    edges = set(re.findall(r"^\s*(n\d+) --> (n\d+)$", text, re.M))
    cat = names["cat ‖"]
    into_cat = {a for a, b in edges if b == cat}
    assert into_cat == {names["relu"], names["maxpool(3,stride=1,padding=1)"],
                        names["conv(16,3,padding=1)"]}
    assert "40x28x28" in text.split(cat, 1)[1].splitlines()[0]
    assert (names["conv(16,3,padding=1)"], names["conv(8,1)"]) in edges
    assert (cat, names["conv(10,1)"]) in edges
    assert text.count("subgraph") == 2  # the empty branch has no subgraph of its own
