"""Show-your-work: each layer's formulas with the numbers substituted, and a grader's remarks."""

from __future__ import annotations

from ..ops import OPS
from ..ops.base import ConvArgs, PoolArgs
from ..ops.shape import KERAS, format_shape
from ..records import record
from .summary import LayerInfo, Summary


@record
class Explained:
    path: str
    spec: str
    input_shape: str
    output_shape: str
    lines: tuple[tuple[str, str], ...]  # (what, working)
    remarks: tuple[str, ...]


def _size_rule(row: LayerInfo, convention: str) -> str:
    return OPS[row.kind].size_rule(row.args, row.formula, convention)


def _explicit_pad(row: LayerInfo, convention: str) -> int | None:
    """The padding a user wrote as a number (top), or None for same/valid/Keras."""
    a = row.args
    if convention == KERAS:
        return None
    if isinstance(a, ConvArgs) and row.kind == "conv":
        return None if a.padding is not None else a.pads[0]
    if isinstance(a, PoolArgs) and a.padding is not None:
        return a.padding[0]
    return None


def _remarks(row: LayerInfo, nxt: LayerInfo | None, total_params: int,
             convention: str) -> list[str]:
    out = list(row.notes)
    a = row.args
    pad = _explicit_pad(row, convention)
    if pad is not None and isinstance(a, (ConvArgs, PoolArgs)):
        k, s = a.kernel_size, a.stride
        ke = a.dilation[0] * (k[0] - 1) + 1
        n = row.input_shape[1]
        if row.kind == "conv" and s == (1, 1) and ke % 2 == 1 and pad != (ke - 1) // 2:
            out.append(f"padding='same' would pad {(ke - 1) // 2} and keep {n}; padding={pad} "
                       f"gives {row.output_shape[1]}")
        elif s[0] > 1 and -(-n // s[0]) != row.output_shape[1]:
            out.append(f"Keras padding='same' would give ⌈{n}/{s[0]}⌉ = {-(-n // s[0])} "
                       f"here, not {row.output_shape[1]}")
    if row.kind == "conv" and isinstance(a, ConvArgs) and a.bias and nxt is not None and \
            nxt.kind == "bn":
        out.append(f"the bias is redundant before batch norm (it subtracts the mean): "
                   f"bias=false saves {a.out_channels} parameters")
    if row.kind == "fc" and total_params and row.params / total_params > 0.5:
        out.append(f"this layer holds {row.params / total_params:.0%} of all parameters")
    return out


JOINED = frozenset({"cat", "add", "mul", "mean", "max", "residual"})


def _steps(rows: tuple[LayerInfo, ...]) -> list[LayerInfo]:
    """Every layer in display order, each join (and residual addition) after its parts."""
    out: list[LayerInfo] = []
    for row in rows:
        if not row.is_block:
            out.append(row)
            continue
        out.extend(_steps(row.inner()))
        if row.kind in JOINED and row.complete:
            out.append(row)
    return out


def _join(row: LayerInfo, convention: str) -> Explained:
    """The step where a block's paths meet: what the join computes, and why it fits."""
    if row.kind == "residual":
        shortcut = (f"the shortcut (rows {row.shortcut[0].path}–{row.shortcut[-1].path})"
                    if row.shortcut else "the block's input (an identity shortcut)")
        size = (f"the body's output {format_shape(row.output_shape, convention)} plus "
                f"{shortcut}: both must have the same shape")
    else:
        size = OPS[row.kind].size_rule(row.args, row.formula, convention)
    size_rf = row.rf.describe()[0]
    lines = [("output size", size)]
    if row.formula:
        lines.append(("", row.formula))
    lines += [("parameters", "no parameters in the join itself (the block's layers above "
               f"hold {row.params:,})"),
              ("receptive field", f"the largest over the joined paths: r = {size_rf}")]
    ins = ", ".join(row.inputs)
    return Explained(row.path, f"{'add' if row.kind == 'residual' else row.kind} of {ins}",
                     format_shape(row.input_shape, convention),
                     format_shape(row.output_shape, convention), tuple(lines), ())


def explain(summary: Summary) -> list[Explained]:
    leaves = summary.leaves()
    after = {id(row): leaves[i + 1] for i, row in enumerate(leaves[:-1])}
    total_params = summary.trainable_params  # a sum over every row: once, not once a layer
    result = []
    for row in _steps(summary.layers):
        if row.is_block:
            result.append(_join(row, summary.convention))
            continue
        nxt = after.get(id(row))
        lines: list[tuple[str, str]] = [("output size", _size_rule(row, summary.convention))]
        if row.formula and row.formula != "shape unchanged":
            lines.append(("", row.formula))
        rule = "" if row.shares else OPS[row.kind].param_rule
        lines.append(("parameters", f"{rule} = {row.param_formula}" if rule else
                      row.param_formula))
        if row.macs:
            lines.append(("MACs", row.mac_formula))
        lines.append(("receptive field", row.rf_formula))
        result.append(Explained(
            row.path, row.spec, format_shape(row.input_shape, summary.convention),
            format_shape(row.output_shape, summary.convention), tuple(lines),
            tuple(_remarks(row, nxt, total_params, summary.convention))))
    return result


def torchinfo_mult_adds(summary: Summary) -> int:
    """What torchinfo's "Mult-Adds" reports for the same model (batch 1): calc.costs."""
    from .costs import total_costs

    return total_costs(summary).mult_adds // summary.batch
