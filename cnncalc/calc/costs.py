"""MACs, FLOPs and torchinfo's Mult-Adds: three conventions for one model's cost, side by side.

- MACs (cnncalc): one per multiply-accumulate in conv, transposed conv, fc (on any rank),
  matrix products and attention; bias additions, normalisation, activations, pooling and
  residual additions cost none. fvcore's "flops" count these the same way, and add norms,
  adaptive average pooling and upsampling (docs/conventions.md).
- FLOPs: 2 × MACs (a multiply and an add each); bias additions and normalisation are left
  out here too, as in fvcore's and the papers' FLOPs.
- Mult-Adds (torchinfo 1.8): a module without children counts each parameter named weight
  or bias once per output value of a conv class (N·H·W) and once per sample elsewhere, so a
  bias, a batch norm's γ and β and an fc's bias count, and attention, matrix products in
  forward code and modules with children (MultiheadAttention) count nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from ..ops.shape import numel
from ..records import record

if TYPE_CHECKING:
    from .summary import LayerInfo, Summary

MACS, FLOPS, TORCHINFO = "macs", "flops", "torchinfo"
FIGURES = (MACS, FLOPS, TORCHINFO)
ALIASES = {"cnncalc": MACS, "macs": MACS, "flops": FLOPS, "torchinfo": TORCHINFO,
           "mult-adds": TORCHINFO, "multadds": TORCHINFO}
LABELS = {MACS: "MACs", FLOPS: "FLOPs", TORCHINFO: "Mult-Adds"}
CONVENTIONS = {
    MACS: "one per multiply-accumulate in conv, fc, matrix products and attention",
    FLOPS: "2 × MACs; bias additions and normalisation not counted",
    TORCHINFO: "torchinfo's: conv weight and bias × output H·W, other layers' parameters "
               "once (biases and batch norm included); attention not counted",
}


@record
class Costs:
    """A model's (or a row's) cost under each convention, for a batch."""

    macs: int
    flops: int
    mult_adds: int
    exact: bool  # False: macs and flops are lower bounds

    def figure(self, which: str) -> int:
        return {MACS: self.macs, FLOPS: self.flops, TORCHINFO: self.mult_adds}[which]


def parse_figure(text: str) -> str:
    """A --macs value as one of FIGURES."""
    from ..errors import UsageError

    key = text.strip().lower()
    if key not in ALIASES:
        raise UsageError(f"unknown --macs '{text}'",
                         "use cnncalc (MACs), flops (2 × MACs) or torchinfo (Mult-Adds)")
    return ALIASES[key]


def row_mult_adds(row: LayerInfo) -> int:
    """torchinfo's Mult-Adds for one row, per sample. A module's row carries its own (its
    class and parameter names decide); for a spec's layer, torchinfo's Conv2d and
    ConvTranspose2d count their parameters times the output's H·W, and every other layer
    its parameters once."""
    if row.mult_adds is not None:
        return row.mult_adds
    if row.is_block:
        return sum(row_mult_adds(r) for r in row.inner())
    if row.kind in ("conv", "convt"):
        return row.trainable_params * numel(row.output_shape[1:])
    return row.trainable_params


def row_costs(row: LayerInfo, batch: int = 1) -> Costs:
    return Costs(row.macs * batch, 2 * row.macs * batch, row_mult_adds(row) * batch,
                 row.macs_exact)


def total_costs(summary: Summary) -> Costs:
    leaves: Iterable[LayerInfo] = summary.leaves()
    mult_adds = sum(row_mult_adds(r) for r in leaves)
    b = summary.batch
    return Costs(summary.total_macs * b, 2 * summary.total_macs * b, mult_adds * b,
                 summary.macs_exact)


def show(n: int, exact: bool) -> str:
    """A count as a table shows it: '≥ ' before a lower bound."""
    return f"{n:,}" if exact else f"≥ {n:,}"
