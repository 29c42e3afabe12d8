"""Export killed (SIGKILL) or failing (EIO) at every step of writing its pair of files.

A `sitecustomize` on PYTHONPATH wraps the file operations export's writer uses (fsync,
link, replace) in the child CLI: with EXPORT_FAULT=kill:N the process SIGKILLs itself at
the Nth of them, with eio:N that call fails with EIO. Starting each time from an earlier
export of checkpoint A, the child exports checkpoint B. After a kill, the files under the
final names are whole and either a matching pair (old or new) or, killed between the two
renames, a pair whose load() refuses it and which the next export completes without
--force. After a failure, nothing was replaced."""

from __future__ import annotations

import ast
import json
import os
from pathlib import Path

import pytest
import torch

from cnncalc.train import checkpoint
from cnncalc.train.export import write_plain
from cnncalc.train.export_files import recorded, weights_of

from .exports import python, snapshot, succeeded, train_spec
from .harness import Outcome, cli

INJECT = """import errno, json, os, signal
_fault = os.environ.get("EXPORT_FAULT", "")
_log = os.environ.get("EXPORT_FAULT_LOG")
_count = [0]


def _wrap(name):
    real = getattr(os, name)

    def step(*args, **kwargs):
        _count[0] += 1
        if _log:
            with open(_log, "a") as f:
                f.write(json.dumps([name, [str(a) for a in args]]) + "\\n")
        mode, _, at = _fault.partition(":")
        if at and _count[0] == int(at):
            if mode == "kill":
                os.kill(os.getpid(), signal.SIGKILL)
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        return real(*args, **kwargs)
    setattr(os, name, step)


if _fault or _log:
    for _name in ("fsync", "link", "replace"):
        _wrap(_name)
"""


@pytest.fixture(scope="module")
def two_checkpoints(synth: Path, tmp_path_factory: pytest.TempPathFactory
                    ) -> tuple[Path, Path, Path]:
    """(checkpoint A, checkpoint B of another spec, folder holding the sitecustomize)."""
    base = tmp_path_factory.mktemp("kill")
    a = train_spec("conv(4,3)-relu-maxpool(2)-flatten-fc(10)", synth, base / "a")
    b = train_spec("conv(6,5)-relu-maxpool(2)-flatten-fc(10)", synth, base / "b")
    inject = base / "inject"
    inject.mkdir()
    (inject / "sitecustomize.py").write_text(INJECT)
    return a, b, inject


def export_with(fault: str, ck: Path, out: Path, inject: Path,
                log: Path | None = None) -> Outcome:
    env = {"PYTHONPATH": str(inject), "EXPORT_FAULT": fault}
    if log is not None:
        env["EXPORT_FAULT_LOG"] = str(log)
    return cli("export", str(ck), "-o", str(out / "model.py"), env=env)


def steps(a: Path, b: Path, inject: Path, tmp_path: Path) -> list[str]:
    """The file operations of one export over an earlier one, in order."""
    out = tmp_path / "steps"
    out.mkdir()
    write_plain(a, out / "model.py")
    log = tmp_path / "steps.log"
    succeeded(export_with("", b, out, inject, log))
    ops = [json.loads(line) for line in log.read_text().splitlines()]
    return [f"{name} {' '.join(Path(x).name for x in args if '/' in x)}" for name, args in ops]


def state_of(path: Path) -> dict[str, torch.Tensor]:
    return torch.load(path, weights_only=True)


def same_state(x: dict[str, torch.Tensor], y: dict[str, torch.Tensor]) -> bool:
    return x.keys() == y.keys() and all(torch.equal(x[k], y[k]) for k in x)


def test_export_killed_at_every_step(two_checkpoints: tuple[Path, Path, Path],
                                     tmp_path: Path) -> None:
    a, b, inject = two_checkpoints
    ops = steps(a, b, inject, tmp_path)
    # fsync .pt temp, fsync .py temp, link (keep the old .pt), replace .pt, replace .py,
    # fsync the folder: the renames are the 4th and 5th operations.
    assert [op.split()[0] for op in ops] == ["fsync", "fsync", "link", "replace", "replace",
                                            "fsync"], ops
    new_state = checkpoint.load(b)["model"]
    old_state = checkpoint.load(a)["model"]
    for at in range(1, len(ops) + 1):
        out = tmp_path / f"kill{at}"
        out.mkdir()
        write_plain(a, out / "model.py")
        r = export_with(f"kill:{at}", b, out, inject)
        assert r.code == 137, (at, r.code, r.stderr[-500:])
        # Whatever moment the kill hit, the final names hold whole files.
        ast.parse((out / "model.py").read_text())
        pt = state_of(out / "model.pt")
        kept, weights = recorded(out / "model.py"), weights_of(out / "model.pt")
        if at == 5:  # between the renames: new .pt, old .py, which refuses the pair
            assert same_state(pt, new_state) and kept != weights
            done = python("import model\nmodel.load()", out)
            assert done.returncode == 1 and "sha256 differs" in done.stderr
        else:
            assert kept == weights, at
            assert same_state(pt, new_state if at == 6 else old_state), at
        # The next export needs no --force, completes the pair, and leaves no temp file.
        write_plain(b, out / "model.py")
        assert recorded(out / "model.py") == weights_of(out / "model.pt")
        assert same_state(state_of(out / "model.pt"), new_state)
        assert sorted(os.listdir(out)) == ["model.pt", "model.py"], (at, os.listdir(out))


def test_export_failing_at_every_step_replaces_nothing(
        two_checkpoints: tuple[Path, Path, Path], tmp_path: Path) -> None:
    a, b, inject = two_checkpoints
    for at in range(1, 7):
        out = tmp_path / f"eio{at}"
        out.mkdir()
        write_plain(a, out / "model.py")
        before = snapshot(out)
        r = export_with(f"eio:{at}", b, out, inject)
        if at in (3, 6):
            # No hard link for the backup (3) or an fsync of the folder refused (6): neither
            # stops the export, which completes the new pair.
            succeeded(r)
            assert recorded(out / "model.py") == weights_of(out / "model.pt")
            assert same_state(state_of(out / "model.pt"), checkpoint.load(b)["model"])
            assert sorted(os.listdir(out)) == ["model.pt", "model.py"]
        else:
            r.one_line_error(1, "could not write", "nothing was replaced")
            assert snapshot(out) == before, at  # the old pair, byte for byte, no temp file
