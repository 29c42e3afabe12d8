"""Joins of several inputs: cat (torch.cat on channels), add (a sum), mul (a broadcast
product, as squeeze-and-excitation gates a map), mean and max (the elementwise mean and
maximum of inputs of one shape: torch.stack(...).mean(0), Keras Average and Maximum)."""

from __future__ import annotations

from .base import OpDef, Step, fixed_rule, keep
from .shape import Shape, format_shape
from .signature import LayerDef
from .window import Refusal


def _branch_shapes(shapes: tuple[Shape, ...], convention: str) -> str:
    return ", ".join(f"branch {i} gives {format_shape(s, convention)}"
                     for i, s in enumerate(shapes, 1))


def cat(shapes: tuple[Shape, ...], convention: str) -> Step:
    ranks = {len(s) for s in shapes}
    if len(ranks) > 1 or (ranks != {3} and ranks != {1}):
        raise Refusal(f"cannot concatenate: {_branch_shapes(shapes, convention)}",
                      "every branch must give a CxHxW map, or every branch a flat vector")
    if ranks == {3} and len({s[1:] for s in shapes}) > 1:
        raise Refusal(f"branches must agree on H and W to be concatenated: "
                      f"{_branch_shapes(shapes, convention)}",
                      "pad or crop a branch so the maps line up")
    total = sum(s[0] for s in shapes)
    out = (total, *shapes[0][1:])
    axis = "channels" if len(out) == 3 else "features"
    formula = f"{axis}: {' + '.join(str(s[0]) for s in shapes)} = {total}"
    return Step(out, 0, 0, 0, formula, "no parameters", "0 (a copy, no multiplications)")


def add(shapes: tuple[Shape, ...], convention: str) -> Step:
    if len(set(shapes)) > 1:
        raise Refusal(f"cannot add: {_branch_shapes(shapes, convention)}",
                      "every branch must give the same shape")
    return Step(shapes[0], 0, 0, 0, f"sum of {len(shapes)} inputs", "no parameters",
                "0 (additions only)")


def mean(shapes: tuple[Shape, ...], convention: str) -> Step:
    if len(set(shapes)) > 1:
        raise Refusal(f"cannot average: {_branch_shapes(shapes, convention)}",
                      "every branch must give the same shape")
    return Step(shapes[0], 0, 0, 0, f"mean of {len(shapes)} inputs", "no parameters",
                f"0 (the sum scaled by 1/{len(shapes)}; MACs count weights only)")


def maximum(shapes: tuple[Shape, ...], convention: str) -> Step:
    if len(set(shapes)) > 1:
        raise Refusal(f"cannot take the maximum: {_branch_shapes(shapes, convention)}",
                      "every branch must give the same shape")
    return Step(shapes[0], 0, 0, 0, f"elementwise maximum of {len(shapes)} inputs",
                "no parameters", "0 (comparisons only)")


def mul(shapes: tuple[Shape, ...], convention: str) -> Step:
    if len({len(s) for s in shapes}) > 1:
        raise Refusal(f"cannot multiply maps of different rank: "
                      f"{_branch_shapes(shapes, convention)}",
                      "give the gate the shape Cx1x1 (gap then 1x1 convs, as "
                      "squeeze-and-excitation does), not a flat vector")
    out = []
    for dims in zip(*shapes):
        sizes = {d for d in dims if d != 1}
        if len(sizes) > 1:
            raise Refusal(f"cannot broadcast for multiplication: "
                          f"{_branch_shapes(shapes, convention)}",
                          "each dimension must match or be 1")
        out.append(sizes.pop() if sizes else 1)
    result = tuple(out)
    return Step(result, 0, 0, 0,
                " · ".join(format_shape(s, convention) for s in shapes) +
                (" (broadcast)" if any(s != result for s in shapes) else ""),
                "no parameters", "0 (elementwise, no weights)")


OPS = [
    OpDef(LayerDef("add", (), (), "torch.add", join=True), "join",
          fixed_rule("every branch gives the same shape, which the sum keeps"), "", keep,
          join=add),
    OpDef(LayerDef("cat", (), ("concat",), "torch.cat(dim=1)", join=True), "join",
          fixed_rule("C = C₁ + C₂ + …; every branch must give the same H and W"), "", keep,
          join=cat),
    OpDef(LayerDef("mul", (), (), "torch.mul", join=True), "join",
          fixed_rule("broadcast: each dimension of the branches matches or is 1"), "", keep,
          join=mul),
    OpDef(LayerDef("mean", (), (), "torch.stack(...).mean(0)", join=True), "join",
          fixed_rule("every branch gives the same shape, which the mean keeps"), "", keep,
          join=mean),
    OpDef(LayerDef("max", (), (), "torch.maximum", join=True), "join",
          fixed_rule("every branch gives the same shape, which the maximum keeps"), "", keep,
          join=maximum),
]
