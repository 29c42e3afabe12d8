"""The JSON contract as plain data: one record per row, and the summary's record. render
prints it; the calculator's records and the Python API hand it out."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .summary import LayerInfo, Summary


def layer_record(row: LayerInfo, batch: int) -> dict[str, Any]:
    from .costs import row_costs

    size, jump, start = row.rf.describe()
    costs = row_costs(row, batch)
    record: dict[str, Any] = {
        "index": row.index,
        "path": row.path,
        **({"module": row.module} if row.module else {}),  # the code's name for it
        **({"shares": row.shares} if row.shares else {}),  # the row whose weights it uses
        "inputs": list(row.inputs),
        "type": row.kind,
        "spec": row.spec,
        "input_shape": list(row.input_shape),
        "output_shape": list(row.output_shape),
        "params": row.params,
        "trainable_params": row.trainable_params,
        "non_trainable_params": row.non_trainable_params,
        "macs": costs.macs,
        "flops": costs.flops,
        "mult_adds": costs.mult_adds,
        "activation_bytes": row.activations * 4 * batch,
        "formula": row.formula,
        "receptive_field": {"size": size, "jump": jump, "start": start,
                            **({"estimate": True} if row.rf.approx else {})},
        "notes": list(row.notes),
    }
    if not row.macs_exact:
        record["macs_exact"] = False
    if row.is_block:
        if row.branches:
            record["branches"] = [[layer_record(c, batch) for c in b] for b in row.branches]
        else:
            record["layers"] = [layer_record(c, batch) for c in row.children]
        if row.kind == "residual":
            record["shortcut"] = [layer_record(c, batch) for c in row.shortcut] or "identity"
        record["complete"] = row.complete
    return record


def summary_record(s: Summary) -> dict[str, Any]:
    from .costs import total_costs

    costs = total_costs(s)
    record: dict[str, Any] = {
        "spec": s.spec,
        "convention": s.convention,
        # Every shape below is channels-first (C, H, W), whatever the convention: Keras'
        # (None, H, W, C) is what the table, Markdown and CSV show.
        "shape_layout": "CHW",
        "batch": s.batch,
        "input_shape": list(s.input_shape),
        "output_shape": list(s.output_shape),
        "layers": [layer_record(r, s.batch) for r in s.layers],
        "total_params": s.total_params,
        "trainable_params": s.trainable_params,
        "non_trainable_params": s.non_trainable_params,
        "total_macs": costs.macs,
        "macs_exact": costs.exact,
        "total_flops": costs.flops,
        "total_mult_adds": costs.mult_adds,
        "param_bytes": s.param_bytes,
        "activation_bytes": s.activation_bytes,
    }
    for rec, row in zip(record["layers"], s.layers):
        if row.measured:
            rec["measured"] = True
    if s.mode:
        record["mode"] = s.mode
    if s.inputs:  # several: each by name; no one shape is the model's input
        record["input_shape"] = None
        record["inputs"] = [{"name": name, "shape": list(shape)} for name, shape in s.inputs]
    if len(s.outputs) > 1 or any(name for name, _ in s.outputs):
        record["outputs"] = [{"name": name, "shape": list(shape)} for name, shape in s.outputs]
    if s.error is not None:
        record["error"] = str(s.error)
    return record
