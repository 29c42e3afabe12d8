"""Reading checkpoints of earlier cnncalc versions: old weight keys and optimizer state."""

from __future__ import annotations

from typing import Any

import torch

from ..errors import CheckpointError

# Old optimizer buffers (one list per kind, by parameter) and their torch.optim names.
_OLD_BUFFERS = {"momentum": "momentum_buffer", "exp_avg": "exp_avg",
                "exp_avg_sq": "exp_avg_sq", "square_avg": "square_avg",
                "acc_delta": "acc_delta"}


def model_state(data: dict[str, Any], where: str) -> dict[str, Any]:
    """The weights in the current layout (prep.mean/std + layers.*), converting layout 1,
    whose keys were the bare Sequential's ("0.weight") beside a separate normalisation."""
    state = data["model"]
    if not isinstance(state, dict):
        raise CheckpointError(f"{where}: its weights are not a state dict")
    if int(data.get("model_layout", 1)) >= 2:
        return state
    norm = data.get("normalisation")
    try:
        mean, std = float(norm["mean"]), float(norm["std"])  # type: ignore[index]
    except (TypeError, KeyError, ValueError):
        raise CheckpointError(f"{where}: an older checkpoint without its normalisation",
                              "train the model again") from None
    return {"prep.mean": torch.tensor(mean), "prep.std": torch.tensor(std),
            **{f"layers.{k}": v for k, v in state.items()}}


def optimizer_state(data: dict[str, Any], torch_group: dict[str, Any],
                    where: str) -> dict[str, Any]:
    """The optimizer state in torch.optim's format, converting cnncalc's former
    {steps, lr, state: {buffer: [tensor per parameter]}}."""
    state = data["optimizer"]
    if isinstance(state, dict) and "param_groups" in state:
        return state
    try:
        steps, lr = int(state["steps"]), float(state["lr"])
        buffers = {_OLD_BUFFERS[k]: list(v) for k, v in dict(state["state"]).items()}
    except (TypeError, KeyError, ValueError):
        raise CheckpointError(f"{where}: its optimizer state is in no format this cnncalc "
                              "knows", "start a new run with --out") from None
    count = len(torch_group["params"])
    if any(len(v) != count for v in buffers.values()):
        raise CheckpointError(f"{where}: its optimizer state does not fit its model",
                              "start a new run with --out")
    per_param: dict[int, dict[str, Any]] = {}
    if steps > 0:
        for i in range(count):
            entry = {k: v[i] for k, v in buffers.items()}
            if "exp_avg" in entry or "square_avg" in entry:
                entry["step"] = torch.tensor(float(steps))
            if entry:
                per_param[i] = entry
    return {"state": per_param, "param_groups": [{**torch_group, "lr": lr}]}
