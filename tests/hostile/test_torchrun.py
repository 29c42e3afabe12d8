"""Several training processes (torchrun's environment) when a peer never comes or dies:
a bounded wait that says what it waits for, and one line saying what happened and how the
run resumes, never torch's silent default wait or a gloo "internal error"."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from dataclasses import replace
from pathlib import Path

import pytest

from .harness import cli

SPEC = "conv(4,3)-relu-maxpool(2)-flatten-fc(10)"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _world(rank: int, port: int, timeout: str = "3") -> dict[str, str]:
    return {"WORLD_SIZE": "2", "RANK": str(rank), "LOCAL_RANK": "0",
            "MASTER_ADDR": "127.0.0.1", "MASTER_PORT": str(port),
            "CNNCALC_DIST_TIMEOUT": timeout, "GLOO_SOCKET_IFNAME": "lo"}


def _errors(stderr: str) -> list[str]:
    """stderr without the waiting notice: what the one-line error check applies to."""
    return [x for x in stderr.splitlines() if x.strip() and not x.startswith("note: ")]


@pytest.mark.parametrize("rank", [0, 1])  # 0 serves the meeting point, 1 connects to it
def test_a_peer_that_never_comes_is_waited_for_a_bounded_time_and_said(
        synth: Path, tmp_path: Path, rank: int) -> None:
    port = _free_port()
    run = tmp_path / "run"
    r = cli("train", SPEC, "--out", str(run), "--epochs", "1", "--data-dir", str(synth),
            "--device", "cpu", "-q", env=_world(rank, port))
    # Before: no word for torch's default wait (a minute or more), then a long error.
    notes = [x for x in r.stderr.splitlines() if x.startswith("note: ")]
    assert len(notes) == 1, r.stderr
    assert f"process {rank} of 2 is waiting for the other 1 training process to join at " \
           f"127.0.0.1:{port}" in notes[0] and "CNNCALC_DIST_TIMEOUT" in notes[0]
    lines = _errors(r.stderr)
    assert r.code == 1 and len(lines) == 1 and lines[0].startswith("error: "), r.stderr
    assert f"127.0.0.1:{port}" in lines[0] and "gave up" in lines[0]
    assert "CNNCALC_DIST_TIMEOUT (now 3 s)" in lines[0]
    assert "Traceback" not in r.stderr and "internal error" not in r.stderr
    # 3 s asked for; torch's client retries once past it, and the start takes a few seconds
    assert r.seconds < 25, r.seconds
    assert not run.exists()  # nothing written before the others joined


@pytest.mark.parametrize("value", ["abc", "0", "nan", "1e9", "-5"])
def test_an_unusable_wait_limit_is_a_usage_error_before_any_wait(
        tmp_path: Path, value: str) -> None:
    env = _world(0, 1, value)
    r = cli("train", SPEC, "--out", str(tmp_path / "run"), "--epochs", "1", "--data-dir",
            str(tmp_path / "nowhere"), "--device", "cpu", "-q", env=env)
    r.one_line_error(2, f"CNNCALC_DIST_TIMEOUT={value!r}", "from 1 to 86,400")
    assert r.seconds < 15 and not (tmp_path / "run").exists()


def test_a_missing_meeting_address_is_a_usage_error(tmp_path: Path) -> None:
    env = {**_world(0, 1), "MASTER_ADDR": "", "MASTER_PORT": ""}
    r = cli("train", SPEC, "--out", str(tmp_path / "run"), "--epochs", "1", "--data-dir",
            str(tmp_path / "nowhere"), "--device", "cpu", "-q", env=env)
    r.one_line_error(2, "MASTER_ADDR and MASTER_PORT are not set", "torchrun")


# Process 1 dies (SIGKILL, as the kernel's OOM killer does) once both have joined and the
# training has started: process 0's next exchange with it fails.
DIE = textwrap.dedent("""
    import os, signal
    from cnncalc.train import loop

    _train = loop._train

    def _die_in_training(*args, **kwargs):
        if os.environ.get("RANK") == "1":
            os.kill(os.getpid(), signal.SIGKILL)
        return _train(*args, **kwargs)

    loop._train = _die_in_training
""")


def test_a_killed_peer_is_said_with_how_the_run_resumes(synth: Path, tmp_path: Path) -> None:
    port = _free_port()
    run = tmp_path / "run"
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(DIE)
    args = [sys.executable, "-m", "cnncalc", "train", SPEC, "--out", str(run), "--epochs",
            "1", "--data-dir", str(synth), "--device", "cpu", "--precision", "fp32", "-q"]
    base = {k: v for k, v in os.environ.items() if not k.startswith("CNNCALC_")}
    with tempfile.TemporaryDirectory() as scratch:
        peer = subprocess.Popen(args, env={**base, **_world(1, port, "30"),
                                           "PYTHONPATH": str(hook), "OMP_NUM_THREADS": "1",
                                           "XDG_CACHE_HOME": scratch},
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            start = time.monotonic()
            r = cli(*args[3:], env=_world(0, port, "30"))
        finally:
            peer.kill()
            peer.wait()
    assert peer.returncode == -9  # it was killed, as planned, not refused
    # On a loaded machine the peer may join late: the waiting note comes first, by design.
    r = replace(r, stderr="\n".join(x for x in r.stderr.splitlines()
                                    if not x.startswith("note: process 0 of 2 is waiting")))
    # Before: "internal error: ... gloo ... Connection closed by peer".
    line = r.one_line_error(1, "another training process died or stopped answering",
                            "process 0 of 2 stopped too")
    assert f"--out {run} --force" in line or f"cnncalc train --resume {run}" in line
    assert time.monotonic() - start < 40
