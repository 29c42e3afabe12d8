"""The memory columns count 4 bytes a value (float32). Code that makes its model or values
another type (model.half(), a float64 layer, a Keras mixed-precision policy) gets that said
beside the figures, so a memory figure is never silently off by 2x."""

from __future__ import annotations

import ast

import pytest
from typer.testing import CliRunner

from cnncalc.cli import app
from cnncalc.dialects.read import other_dtype

NET = ("import torch\nimport torch.nn as nn\n"
       "model = nn.Sequential(nn.Conv2d(1, 8, 3), nn.ReLU())\n")


@pytest.mark.parametrize(("tail", "found"), [
    ("model = model.half()\n", (4, "float16 (2 bytes a value)")),
    ("model.to(torch.bfloat16)\n", (4, "bfloat16 (2 bytes a value)")),
    ("model = model.to(device='cpu', dtype=torch.float64)\n", (4, "float64 (8 bytes a value)")),
    ("torch.set_default_dtype(torch.float64)\n", (4, "float64 (8 bytes a value)")),
    ("with torch.autocast('cpu'):\n    pass\n", (4, "mixed precision (autocast)")),
    ("from tensorflow.keras import mixed_precision\n"
     "mixed_precision.set_global_policy('mixed_float16')\n",
     (5, "mixed float16 (2 bytes a value for activations)")),
    ("layer = nn.Linear(4, 2, dtype=torch.half)\n", (4, "float16 (2 bytes a value)")),
    # float32 everywhere: nothing to say
    ("model = model.float().to('cpu')\n", None),
    ("x = torch.zeros(1, 1, 28, 28, dtype=torch.float32)\n", None),
    ("y = torch.zeros(4, dtype=torch.long)\n", None),
    # data prepared with numpy is not the model's type
    ("import numpy as np\nx = np.zeros((2, 2), dtype=np.float64)\n", None),
])
def test_other_dtype(tail: str, found: tuple[int, str] | None) -> None:
    assert other_dtype(ast.parse(NET + tail)) == found


def test_the_note_stands_beside_the_memory_figures(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "half.py"
    path.write_text(NET + "model = model.half()\n")
    table = CliRunner().invoke(app, ["summary", str(path), "--wide"])
    assert table.exit_code == 0
    said = " ".join(table.stdout.split())
    assert ("memory is counted at 4 bytes a value (float32); line 4 uses float16 (2 bytes a "
            "value): if the model runs in that type, scale the memory figures") in said
    as_json = CliRunner().invoke(app, ["summary", str(path), "-f", "json"])
    assert as_json.exit_code == 0
    assert "note: memory is counted at 4 bytes a value (float32); line 4" in as_json.stderr
    plain = tmp_path / "plain.py"
    plain.write_text(NET)
    assert "4 bytes" not in CliRunner().invoke(app, ["summary", str(plain)]).stdout
