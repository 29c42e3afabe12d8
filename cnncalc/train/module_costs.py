"""What a module summary's rows cost: the MACs of the ops each row ran, torchinfo's Mult-Adds
of a module's call, and where weights read through a functional path are counted."""

from __future__ import annotations

from collections.abc import Container
from dataclasses import replace
from typing import Any

from torch import nn

from ..calc.receptive import RField
from ..calc.summary import LayerInfo
from ..records import record


@record
class Weight:
    """A parameter or running statistic, by its stand-in's id."""

    owner: int  # id of the module that holds it
    name: str  # its qualified name
    trainable: bool
    size: int


class Cost:
    """What ran while one row (or code outside every row) was running: MACs over the whole
    batch, ops whose MACs are not derived, and the weights it read."""

    def __init__(self) -> None:
        self.macs = 0
        self.unknown: dict[str, int] = {}
        self.touched: list[int] = []  # ids of weight stand-ins, in the order first read
        self.row: int | None = None  # the row it became


def linear_nd(row: LayerInfo, m: nn.Module) -> LayerInfo:
    """nn.Linear on a 3-D or 4-D input (a transformer's tokens, ConvNeXt's channels-last
    map): the same fc at every position, prod(leading dims)·in·out MACs, when that is what
    its ops came to."""
    if type(m) is not nn.Linear or len(row.input_shape) < 2 or not row.macs_exact:
        return row
    lead = row.input_shape[:-1]
    positions = 1
    for d in lead:
        positions *= d
    lin: Any = m
    if row.macs != positions * lin.in_features * lin.out_features:
        return row
    where = "x".join(map(str, lead))
    return replace(row, kind="fc", spec=f"{row.spec.rsplit(': ', 1)[0]}: fc({lin.out_features}) "
                   f"at each of {where}", formula=f"{where} × ({lin.in_features} → "
                   f"{lin.out_features})", mac_formula=f"{'·'.join(map(str, lead))}·"
                   f"{lin.in_features}·{lin.out_features} = {row.macs:,}",
                   notes=tuple(n for n in row.notes if "not a layer cnncalc derives" not in n))


_CHILDREN = nn.Module.children
_NAMED = nn.Module.named_parameters


def _own(m: nn.Module) -> list[tuple[str, nn.Parameter]]:
    """named_parameters() of a module without children: its own, each tensor once."""
    seen: set[int] = set()
    out = []
    for name, p in m._parameters.items():
        if p is not None and id(p) not in seen:
            seen.add(id(p))
            out.append((name, p))
    return out


def torchinfo_mult_adds(m: nn.Module, full_output: tuple[int, ...]) -> int:
    """torchinfo 1.8's Mult-Adds for one call of a module (LayerInfo.calculate_macs), over
    the whole batch: only modules without children count; a parameter named weight or bias
    counts its size times N·H·W in a class whose name has "Conv", times N elsewhere, and
    other parameters with weight or bias in their name (an RNN's) times the output's first
    two sizes."""
    if not full_output:
        return 0
    if type(m).children is _CHILDREN and type(m).named_parameters is _NAMED:
        # what both walks give, read off the module's own tables (a few µs less a row)
        if any(c is not None for c in m._modules.values()):
            return 0
        named: Any = _own(m)
    elif next(iter(m.children()), None) is not None:
        return 0
    else:
        named = m.named_parameters()
    conv = "Conv" in type(m).__name__
    total = 0
    for name, p in named:
        if name in ("weight", "bias"):
            scale = full_output[:1] + full_output[2:] if conv else full_output[:1]
        elif "weight" in name or "bias" in name:
            scale = full_output[:2]
        else:
            continue
        n = p.numel()
        for d in scale:
            n *= d
        total += n
    return total


def costed(row: LayerInfo, cost: Cost, batch: int) -> LayerInfo:
    """A measured row with the MACs of the ops it ran (per sample)."""
    macs, left = divmod(cost.macs, batch)
    notes = list(row.notes)
    if cost.unknown:
        ops = ", ".join(sorted(cost.unknown))
        notes.append(f"MACs of {ops} not derived: the MACs shown, and the total, are a "
                     "lower bound")
    if left:
        notes.append(f"its {cost.macs:,} MACs do not divide by the batch of "
                     f"{batch}: the MACs shown are a lower bound")
    return replace(row, macs=macs, notes=tuple(notes),
                   macs_exact=not cost.unknown and not left)



def attribute(rows: list[LayerInfo], done: list[Cost], outside: Cost,
              weights: dict[int, Weight], ran: Container[int], model_name: str,
              dims: tuple[int, ...], unknown_rf: RField) -> list[LayerInfo]:
    """Weights of modules that never ran as a row: to the first row whose ops read them
    (ViT's attention reads out_proj's weight through the functional path); code outside
    every row gets a row of its own; weights nothing read are 'unused'."""
    by_row: dict[int, list[int]] = {}
    seen: set[int] = set()
    for cost in [*done, outside]:
        for w in cost.touched:
            if weights[w].owner in ran or w in seen:
                continue
            seen.add(w)
            by_row.setdefault(-1 if cost.row is None else cost.row, []).append(w)
    extra: tuple[int, int, str] = (0, 0, "")
    for index, ws in by_row.items():
        tr = sum(weights[w].size for w in ws if weights[w].trainable)
        nt = sum(weights[w].size for w in ws if not weights[w].trainable)
        names = [weights[w].name for w in ws]
        note = ("uses " + ", ".join(names[:4]) + (" …" if len(names) > 4 else "")
                + " of modules it does not call (counted here)")
        if index >= 0:
            r = rows[index]
            rows[index] = replace(r, trainable_params=r.trainable_params + tr,
                                  non_trainable_params=r.non_trainable_params + nt,
                                  notes=(*r.notes, note))
        else:
            extra = (tr, nt, note)
    if outside.macs or outside.unknown or extra[0] + extra[1]:
        last = rows[-1].output_shape if rows else tuple(dims[1:])
        row = LayerInfo(str(len(rows) + 1), "functional",
                        f"code outside modules in {model_name}.forward", last,
                        last, extra[0], extra[1], 0, 0, unknown_rf, formula="measured",
                        measured=True, notes=("the calls forward makes itself (F.conv2d, "
                                              "x @ w, ...): MACs counted from its ops",
                                              *([extra[2]] if extra[2] else [])))
        rows.append(costed(row, outside, dims[0]))
    unused = [w for w, weight in weights.items() if weight.owner not in ran and w not in seen]
    if unused:
        names = [weights[w].name for w in unused]
        last = rows[-1].output_shape if rows else tuple(dims[1:])
        rows.append(LayerInfo(
            str(len(rows) + 1), "unused", "parameters not used in forward: "
            + ", ".join(names[:5]) + (" …" if len(names) > 5 else ""), last, last,
            sum(weights[w].size for w in unused if weights[w].trainable),
            sum(weights[w].size for w in unused if not weights[w].trainable), 0, 0, unknown_rf,
            formula="measured", measured=True,
            notes=("parameters no op of the forward pass read (counted in the totals)",)))
    return rows
