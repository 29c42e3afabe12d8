"""Show-your-work: each layer's formulas with the numbers substituted, and a grader's remarks."""

from __future__ import annotations

from dataclasses import dataclass

from .shape import KERAS, format_shape, numel
from .summary import LayerInfo, Summary
from .window import pair


@dataclass(frozen=True)
class Explained:
    path: str
    spec: str
    input_shape: str
    output_shape: str
    lines: tuple[tuple[str, str], ...]  # (what, working)
    remarks: tuple[str, ...]


def _size_rule(row: LayerInfo, convention: str) -> str:
    a = row.torch_args
    if row.kind in ("conv", "maxpool", "avgpool"):
        dilated = row.kind != "avgpool" and pair(a.get("dilation", 1)) != (1, 1)
        ceil = bool(a.get("ceil_mode"))
        if row.kind == "conv" and a.get("padding") == "same":
            return "'same' (stride 1): total padding D·(F − 1), the odd one at bottom/right; O = N"
        if convention == KERAS and "same" in row.formula:
            return "Keras 'same': O = ⌈N/S⌉, padding max((O − 1)·S + F − N, 0), extra at " \
                   "bottom/right"
        core = "N + 2P − D·(F − 1) − 1" if dilated else "N − F + 2P"
        if ceil:
            return (f"O = ⌈({core})/S⌉ + 1, less 1 if the last window would start beyond the "
                    "input and its left padding")
        return f"O = ⌊({core})/S⌋ + 1" if dilated else f"O = ({core})/S + 1, rounded down"
    if row.kind == "convt":
        return "O = (N − 1)·S − 2P + D·(F − 1) + output_padding + 1"
    if row.kind == "gap":
        return "adaptive: output cell i pools input rows ⌊i·N/O⌋ to ⌈(i + 1)·N/O⌉ − 1"
    if row.kind == "flatten":
        return "N = C·H·W"
    if row.kind == "fc":
        return "in_features → out_features"
    return "the shape is unchanged"


def _param_rule(row: LayerInfo) -> str:
    return {
        "conv": "(F_h·F_w·C_in/groups)·C_out + C_out (bias)",
        "convt": "C_in·(F_h·F_w·C_out/groups) + C_out (bias)",
        "fc": "in·out + out (bias)",
    }.get(row.kind, "")


def _explicit_pad(row: LayerInfo, convention: str) -> int | None:
    """The padding a user wrote as a number (top), or None for same/valid/Keras."""
    a = row.torch_args
    if convention == KERAS or "pads" not in a:
        return None
    if row.kind == "conv":
        return None if a.get("padding") is not None else int(a["pads"][0])
    if row.kind in ("maxpool", "avgpool") and a.get("padding") is not None:
        return pair(a["padding"])[0]
    return None


def _remarks(row: LayerInfo, nxt: LayerInfo | None, total_params: int,
             convention: str) -> list[str]:
    out = list(row.notes)
    a = row.torch_args
    pad = _explicit_pad(row, convention)
    if pad is not None:
        k, s = pair(a["kernel_size"]), pair(a["stride"])
        d = pair(a.get("dilation", 1))
        ke = d[0] * (k[0] - 1) + 1
        n = row.input_shape[1]
        if row.kind == "conv" and s == (1, 1) and ke % 2 == 1 and pad != (ke - 1) // 2:
            out.append(f"padding='same' would pad {(ke - 1) // 2} and keep {n}; padding={pad} "
                       f"gives {row.output_shape[1]}")
        elif s[0] > 1 and -(-n // s[0]) != row.output_shape[1]:
            out.append(f"Keras padding='same' would give ⌈{n}/{s[0]}⌉ = {-(-n // s[0])} "
                       f"here, not {row.output_shape[1]}")
    if row.kind == "conv" and a.get("bias") and nxt is not None and nxt.kind == "bn":
        out.append(f"the bias is redundant before batch norm (it subtracts the mean): "
                   f"bias=false saves {a['out_channels']} parameters")
    if row.kind == "fc" and total_params and row.params / total_params > 0.5:
        out.append(f"this layer holds {row.params / total_params:.0%} of all parameters")
    return out


def explain(summary: Summary) -> list[Explained]:
    leaves = summary.leaves()
    total_params = summary.trainable_params  # a sum over every row: once, not once a layer
    result = []
    for i, row in enumerate(leaves):
        nxt = leaves[i + 1] if i + 1 < len(leaves) else None
        lines: list[tuple[str, str]] = [("output size", _size_rule(row, summary.convention))]
        if row.formula and row.formula != "shape unchanged":
            lines.append(("", row.formula))
        rule = _param_rule(row)
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
    """What torchinfo's "Mult-Adds" reports for the same model (batch 1).

    torchinfo multiplies every conv parameter, bias included, by the output's H·W (for
    transposed convolutions too), and counts every other parameter once (fc, batch norm).
    """
    total = 0
    for row in summary.leaves():
        if row.kind in ("conv", "convt"):
            total += row.trainable_params * numel(row.output_shape[1:])
        else:
            total += row.trainable_params
    return total
