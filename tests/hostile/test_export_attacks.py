"""Export and build --export: no payload runs, nothing is lost, every refusal is one line.

Each case runs the CLI in a child process (tests/hostile/harness.py) in an empty folder;
the payloads try to create MARK there, and that file must never appear: not during the
command, and not when the generated file is imported afterwards."""

from __future__ import annotations

import ast
import os
import stat
from pathlib import Path

import pytest
import torch

from cnncalc.train import checkpoint, rundir
from cnncalc.train.export_files import MARKER, recorded, weights_of

from .exports import (
    DOCSTRING_BREAKOUT,
    LINE_BREAKS,
    MARK,
    comment_breakout,
    python,
    snapshot,
    succeeded,
    train_spec,
)
from .harness import cli

# A stand-in for keras that accepts any call, so a generated Keras file can be imported
# (keras itself is not a test dependency): importing it runs only what is live in it.
KERAS_STUB = """class _Any:
    def __init__(self, *a, **k): pass
    def __call__(self, *a, **k): return _Any()
    def __getattr__(self, name): return _Any()
Sequential = Model = Input = _Any
layers = _Any()
"""


PAYLOAD_SPECS = {"docstring": DOCSTRING_BREAKOUT, "comment": comment_breakout("\n")}


@pytest.fixture(scope="module", params=sorted(PAYLOAD_SPECS))
def payload_ck(request: pytest.FixtureRequest, synth: Path,
               tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A genuine checkpoint (true checksums) of a payload spec (the docstring break-out, and
    the comment break-out of the Keras writer): a plain `cnncalc train SPEC` makes it, no
    crafting needed."""
    spec = PAYLOAD_SPECS[request.param]
    ck = train_spec(spec, synth, tmp_path_factory.mktemp("payload") / "run")
    assert checkpoint.load(ck)["spec"] == spec  # the payload is in the checkpoint as typed
    return ck


def exported_pair(good_run: Path, folder: Path) -> dict[str, bytes]:
    """An earlier export in `folder`: model.py and model.pt, as bytes."""
    from cnncalc.train.export import write_plain

    write_plain(good_run / "last.pt", folder / "model.py")
    return snapshot(folder)


def test_build_export_py_of_the_docstring_breakout(tmp_path: Path) -> None:
    r = succeeded(cli("build", DOCSTRING_BREAKOUT, "--input", "1x28x28", "--export", "py",
                      cwd=tmp_path))
    assert not (tmp_path / MARK).exists()
    # Nothing of the ignored device= string is in the file, and the file imports cleanly.
    assert "system" not in r.stdout and "\\N" not in r.stdout
    ast.parse(r.stdout)
    (tmp_path / "net.py").write_text(r.stdout)
    done = python("import net; net.Net()", tmp_path)
    assert done.returncode == 0, done.stderr
    assert not (tmp_path / MARK).exists()


def test_build_export_keras_of_the_docstring_breakout(tmp_path: Path) -> None:
    r = succeeded(cli("build", DOCSTRING_BREAKOUT, "--input", "1x28x28", "--export", "keras",
                      cwd=tmp_path))
    assert "system" not in r.stdout and "\\N" not in r.stdout and r.stdout.isascii()
    import_keras_file(r.stdout, tmp_path)


def import_keras_file(source: str, folder: Path) -> None:
    """Import a generated Keras file (with the stub keras) in a fresh interpreter in
    `folder`, and assert that it imported and that the marker file did not appear."""
    ast.parse(source)
    (folder / "keras").mkdir()
    (folder / "keras" / "__init__.py").write_text(KERAS_STUB)
    (folder / "net_keras.py").write_text(source)
    done = python("import net_keras", folder)
    assert done.returncode == 0, done.stderr
    assert not (folder / MARK).exists()


@pytest.mark.parametrize("brk", LINE_BREAKS, ids=[f"U+{ord(b[0]):04X}" for b in LINE_BREAKS])
def test_build_export_keras_of_a_comment_breakout(tmp_path: Path, brk: str) -> None:
    r = succeeded(cli("build", comment_breakout(brk), "--input", "28x28x1", "--export",
                      "keras", cwd=tmp_path))
    assert "system" not in r.stdout and r.stdout.isascii()
    import_keras_file(r.stdout, tmp_path)


def test_export_of_a_payload_checkpoint_runs_nothing(payload_ck: Path, tmp_path: Path) -> None:
    succeeded(cli("export", str(payload_ck), "-o", "model.py", cwd=tmp_path))
    assert not (tmp_path / MARK).exists()
    source = (tmp_path / "model.py").read_text()
    assert "system" not in source and source.startswith(MARKER + "\n")
    done = python("import torch, model\n"
                  "net = model.load().eval()\n"
                  "print(tuple(net(torch.rand(2, 1, 28, 28)).shape))", tmp_path)
    assert done.returncode == 0 and done.stdout == "(2, 10)\n", done.stderr
    assert not (tmp_path / MARK).exists()


def test_export_checks_its_arguments_before_reading_the_checkpoint(payload_ck: Path,
                                                                   tmp_path: Path) -> None:
    cli("export", str(payload_ck), "-o", "missing/model.py", cwd=tmp_path).one_line_error(
        2, "missing/model.py", "the folder missing does not exist")
    cli("export", str(payload_ck), "-o", "model.txt", cwd=tmp_path).one_line_error(2, ".py")
    cli("export", "no-such.pt", "-o", "missing/model.py", cwd=tmp_path).one_line_error(
        2, "the folder missing does not exist")
    assert sorted(os.listdir(tmp_path)) == []


def test_export_over_a_runs_best_pt_is_refused(good_run: Path, tmp_path: Path) -> None:
    run = tmp_path / "run"
    run.mkdir()
    for name in (rundir.LAST, rundir.BEST, rundir.METRICS):
        (run / name).write_bytes((good_run / name).read_bytes())
    before = snapshot(run)
    cli("export", str(run / "last.pt"), "-o", str(run / "best.py")).one_line_error(
        2, "best.pt", "checkpoint of the run", "--force")
    assert snapshot(run) == before
    checkpoint.load(run / "best.pt")  # still the run's checkpoint


def test_export_into_a_run_folder_a_training_holds_is_refused(good_run: Path,
                                                              tmp_path: Path) -> None:
    run = tmp_path / "run"
    run.mkdir()
    for name in (rundir.LAST, rundir.BEST, rundir.METRICS):
        (run / name).write_bytes((good_run / name).read_bytes())
    with rundir.RunLock(run):  # what a training holds while it writes
        before = {k: v for k, v in snapshot(run).items() if k != rundir.LOCK}
        cli("export", str(run / "last.pt"), "-o", str(run / "model.py")).one_line_error(
            1, "in use by another training")
        assert {k: v for k, v in snapshot(run).items() if k != rundir.LOCK} == before
    # Once the training is done, the same export goes through.
    succeeded(cli("export", str(run / "last.pt"), "-o", str(run / "model.py")))
    assert recorded(run / "model.py") == weights_of(run / "model.pt")


def test_a_failed_export_replaces_nothing(good_run: Path, tmp_path: Path) -> None:
    before = exported_pair(good_run, tmp_path)
    (tmp_path / "model.py").unlink()
    (tmp_path / "model.py").mkdir()
    cli("export", str(good_run / "best.pt"), "-o", str(tmp_path / "model.py")).one_line_error(
        2, "model.py is a folder")
    assert snapshot(tmp_path)["model.pt"] == before["model.pt"]
    assert sorted(os.listdir(tmp_path)) == ["model.pt", "model.py"]


@pytest.mark.parametrize("plant", ["own state dict", "user's model.py", "symlink", "fifo"])
def test_export_replaces_only_its_own_earlier_output(good_run: Path, tmp_path: Path,
                                                     plant: str) -> None:
    exported_pair(good_run, tmp_path)
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    if plant == "own state dict":  # a fine-tuned model saved over model.pt
        state = torch.load(tmp_path / "model.pt", weights_only=True)
        torch.save({k: v + 1 for k, v in state.items()}, tmp_path / "model.pt")
        needle = "not the weights model.py was exported with"
    elif plant == "user's model.py":
        (tmp_path / "model.py").write_text("class Net: pass\n")
        needle = "was not written by 'cnncalc export'"
    elif plant == "symlink":
        (tmp_path / "model.py").unlink()
        (tmp_path / "model.py").symlink_to(victim)
        needle = "was not written by 'cnncalc export'"
    else:  # reading it to recognise it must never block
        (tmp_path / "model.py").unlink()
        os.mkfifo(tmp_path / "model.py")
        needle = "was not written by 'cnncalc export'"
    before = {p.name: (p.read_bytes() if p.is_file() and not p.is_symlink() else os.readlink(p)
                       if p.is_symlink() else "fifo") for p in tmp_path.iterdir()}
    cli("export", str(good_run / "best.pt"), "-o", str(tmp_path / "model.py")).one_line_error(
        2, needle, "--force")
    after = {p.name: (p.read_bytes() if p.is_file() and not p.is_symlink() else os.readlink(p)
                      if p.is_symlink() else "fifo") for p in tmp_path.iterdir()}
    assert after == before
    if plant == "symlink":  # --force replaces the link itself, never its target
        succeeded(cli("export", str(good_run / "best.pt"), "-o", str(tmp_path / "model.py"),
                      "--force"))
        assert recorded(tmp_path / "model.py") == weights_of(tmp_path / "model.pt")
        assert stat.S_ISREG(os.lstat(tmp_path / "model.py").st_mode)
        assert victim.read_text() == "precious\n"


def test_export_again_over_its_own_output_needs_no_force(good_run: Path,
                                                         tmp_path: Path) -> None:
    exported_pair(good_run, tmp_path)
    succeeded(cli("export", str(good_run / "best.pt"), "-o", str(tmp_path / "model.py"),
                  "--class-name", "Digits"))
    assert "class Digits(nn.Module):" in (tmp_path / "model.py").read_text()
    assert recorded(tmp_path / "model.py") == weights_of(tmp_path / "model.pt")
    assert sorted(os.listdir(tmp_path)) == ["model.pt", "model.py"]


def forged(good: Path, target: Path, **model_changes: torch.Tensor) -> Path:
    """good's checkpoint with some weights changed and its checksums recomputed, as an
    attacker who knows the format would."""
    data = checkpoint.load(good)
    data["model"] = {**data["model"], **model_changes}
    checkpoint.save(target, data)
    return target


@pytest.mark.parametrize(("key", "value", "needle"), [
    # checkpoint.load refuses these fields before export reads anything
    ("prep.mean", float("nan"), "prep.mean nan is not a finite number"),
    ("prep.mean", float("inf"), "prep.mean inf is not a finite number"),
    ("prep.std", 0.0, "prep.std 0 is not a usable standard deviation"),
])
def test_export_of_a_non_finite_normalisation(good_run: Path, tmp_path: Path, key: str,
                                              value: float, needle: str) -> None:
    ck = forged(good_run / "last.pt", tmp_path / "ck.pt", **{key: torch.tensor(value)})
    out = tmp_path / "out"
    out.mkdir()
    cli("export", str(ck), "-o", str(out / "model.py")).one_line_error(1, needle)
    assert os.listdir(out) == []


NAN_CODE = """import torch
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.Sequential(nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4, eps=1e999 * 0),
                                    nn.Flatten(), nn.Linear(2704, 10))

    def forward(self, x):
        return self.layers(x)
"""


@pytest.mark.parametrize("fmt", ["py", "keras"])
def test_a_nan_from_pasted_code_is_refused_not_written(tmp_path: Path, fmt: str) -> None:
    # 1e999 * 0 is NaN; it was exported as `eps=nan`, which is not Python. The reader refuses
    # the infinite literal at its line, before any export.
    (tmp_path / "net.py").write_text(NAN_CODE)
    cli("build", str(tmp_path / "net.py"), "--input", "1x28x28", "--export", fmt
        ).one_line_error(1, "line 8", "not a finite number")


@pytest.mark.parametrize("name", ["float", "super", "load", "Normalize", "__file__", "Nét"])
def test_class_names_the_file_cannot_define(good_run: Path, tmp_path: Path,
                                            name: str) -> None:
    # float gave a TypeError, super a "weights do not fit": both shadow what the code calls.
    cli("export", str(good_run / "best.pt"), "-o", str(tmp_path / "model.py"), "--class-name",
        name).one_line_error(2, "--class-name")
    cli("build", "conv(4,3)-flatten-fc(10)", "--export", "py", "--class-name", name
        ).one_line_error(2, "--class-name")
    assert os.listdir(tmp_path) == []


def test_ignored_arguments_are_not_echoed_in_messages(tmp_path: Path) -> None:
    # Conv2d(3, ...) on a 1-channel input: the message names the call, without device=.
    r = cli("summary", "Conv2d(3,16,3,device='\x1b]0;HACKED\x07\x1b[2J')", "--input",
            "1x28x28")
    r.one_line_error(1, "Conv2d(3, 16, 3) expects 3 input channels")
    assert "HACKED" not in r.stdout + r.stderr and "\x1b" not in r.stdout + r.stderr


@pytest.mark.parametrize("spec", ["conv(4,3)-bn(eps=1e999)-flatten-fc(10)",
                                  "conv(4,3)-BatchNorm2d(4, eps=1e999)-flatten-fc(10)",
                                  "conv(4,3)-leakyrelu(slope=-1e400)-flatten-fc(10)"])
def test_infinite_layer_floats_are_refused_at_the_spec(spec: str) -> None:
    # float("1e999") is inf: it used to be written into exports as float('inf').
    from cnncalc.calc import summarize_spec
    from cnncalc.errors import SpecSyntaxError

    with pytest.raises(SpecSyntaxError, match=r"must be a finite number, got -?inf"):
        summarize_spec(spec, (1, 28, 28))
