"""Plain PyTorch round trip: export a checkpoint, load it strictly, match `cnncalc evaluate`."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from typer.testing import CliRunner

from cnncalc.cli import app
from cnncalc.train import checkpoint

from .idx import write_mnist

DOCS = Path(__file__).resolve().parent.parent / "docs" / "training.md"
# Padded input (28 -> 32) and a final softmax: both must survive the export.
SPEC = "conv(6,5)-relu-maxpool(2)-conv(8,3)-relu-flatten-fc(10)-softmax"


def invoke(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, list(args))


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    data = tmp_path_factory.mktemp("mnist")
    write_mnist(data, n_train=384, n_test=200)
    out = tmp_path_factory.mktemp("run")
    r = invoke("train", SPEC, "--input", "1x32x32", "--data-dir", str(data), "--out", str(out),
               "--force", "--epochs", "1", "--batch-size", "32", "--precision", "fp32", "-q")
    assert r.exit_code == 0, r.output
    return data, out


def doc_script() -> str:
    text = DOCS.read_text()
    block = re.search(r"<!-- plain-pytorch-script -->\n```python\n(.*?)```", text, re.S)
    assert block, "docs/training.md lost its plain-PyTorch script"
    return block.group(1)


def test_doc_script_reproduces_evaluate_image_for_image(run: tuple[Path, Path],
                                                        tmp_path: Path) -> None:
    data, out = run
    r = invoke("export", str(out / "best.pt"), "-o", str(tmp_path / "model.py"))
    assert r.exit_code == 0, r.output
    assert "model.pt" in r.stdout
    script = doc_script()
    assert len(script.strip().splitlines()) <= 13
    (tmp_path / "check.py").write_text(script)
    proc = subprocess.run([sys.executable, "check.py", str(data)], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    found = re.fullmatch(r"(\d+)/(\d+) correct\n", proc.stdout)
    assert found, proc.stdout
    correct, total = int(found.group(1)), int(found.group(2))
    r = invoke("evaluate", str(out / "best.pt"), "--data-dir", str(data), "-f", "json")
    result = json.loads(r.stdout)
    assert total == result["count"] == 200
    assert correct == round(result["accuracy"] * total)
    assert correct > 150  # the synthetic bands are easy; a wrong normalisation would not be

    # The .pt holds only the state dict, which equals the checkpoint's weights, key for key.
    plain = torch.load(tmp_path / "model.pt", weights_only=True)
    ck = checkpoint.load(out / "best.pt")
    assert plain.keys() == ck["model"].keys()
    assert {"prep.mean", "prep.std"} <= plain.keys()
    assert all(torch.equal(plain[k], ck["model"][k]) for k in plain)

    # The plain state dict goes back into evaluate and predict with --spec.
    r = invoke("evaluate", str(tmp_path / "model.pt"), "--spec", SPEC, "--input", "1x32x32",
               "--data-dir", str(data), "-f", "json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["accuracy"] == result["accuracy"]
    r = invoke("predict", str(tmp_path / "model.pt"), "--spec", SPEC, "--input", "1x32x32",
               "--index", "0", "--data-dir", str(data), "-f", "json")
    assert r.exit_code == 0, r.output
    r = invoke("evaluate", str(tmp_path / "model.pt"), "--data-dir", str(data))
    assert r.exit_code == 1 and "--spec" in r.stderr
    r = invoke("evaluate", str(tmp_path / "model.pt"), "--spec", "conv(6,5)-flatten-fc(10)",
               "--input", "1x32x32", "--data-dir", str(data))
    assert r.exit_code == 1 and "does not fit --spec" in r.stderr


def test_exported_class_loads_checkpoint_strictly(run: tuple[Path, Path],
                                                  tmp_path: Path) -> None:
    _, out = run
    invoke("export", str(out / "best.pt"), "-o", str(tmp_path / "m.py"), "--class-name",
           "Digits")
    namespace: dict[str, object] = {}
    exec((tmp_path / "m.py").read_text(), namespace)
    net = namespace["Digits"]()  # type: ignore[operator]
    ck = torch.load(out / "best.pt", weights_only=True)
    net.load_state_dict(ck["model"], strict=True)
    # Raw 28x28 images in 0..1 give what cnncalc computes (softmax head included).
    from cnncalc.train.evaluate import load_model

    x = torch.rand(5, 1, 28, 28)
    loaded = load_model(out / "best.pt", torch.device("cpu"))
    with torch.no_grad():
        assert torch.allclose(net.eval()(x).log(), loaded.logits_model(x).log_softmax(1),
                              atol=1e-5)


def test_export_refusals(run: tuple[Path, Path], tmp_path: Path) -> None:
    _, out = run
    r = invoke("export", str(out / "best.pt"), "-o", str(tmp_path / "m.py"), "--class-name",
               "class")
    assert r.exit_code == 2 and len(r.stderr.strip().splitlines()) == 1
    assert "keyword" in r.stderr and not (tmp_path / "m.py").exists()
    r = invoke("export", str(out / "best.pt"), "-o", str(out / "best.py"))
    assert r.exit_code == 2 and "overwrite" in r.stderr
    r = invoke("export", str(out / "best.pt"), "-o", str(tmp_path / "m.txt"))
    assert r.exit_code == 2
    r = invoke("build", "conv(8,3)-flatten-fc(10)", "--export", "py", "--class-name", "class")
    assert r.exit_code == 2 and r.stdout == "" and "keyword" in r.stderr


def test_build_export_allocates_no_weights() -> None:
    # conv(6000,3)-conv(6000,3): 324 million weights, 1.3 GB in float32, if ever allocated.
    code = ("import resource, sys\nfrom typer.testing import CliRunner\n"
            "from cnncalc.cli import app\n"
            "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
            "r = CliRunner().invoke(app, ['build', 'conv(6000,3)-conv(6000,3)', '--input', "
            "'3x8x8', '--export', 'py'])\n"
            "assert r.exit_code == 0, r.output\nassert 'nn.Conv2d(6000, 6000, 3)' in r.stdout\n"
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert int(proc.stdout) < 200_000  # kB: far below the 1.3 GB the weights would take
