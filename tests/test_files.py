"""Safe writes: atomic replacement, symlink-proof temp files, one clean line per failure."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from cnncalc.cli.common import clip
from cnncalc.errors import RunDirError
from cnncalc.files import atomic_write, probe_writable, write_reason


@pytest.mark.parametrize(("code", "reason"), [
    (errno.ENOSPC, "No space left on device"), (errno.EDQUOT, "Disk quota exceeded"),
    (errno.EROFS, "Read-only file system"), (errno.EACCES, "Permission denied"),
    (errno.ENOENT, "No such file or directory"),
])
def test_write_failures_become_one_line(tmp_path: Path, code: int, reason: str) -> None:
    target = tmp_path / "m.jsonl"
    target.write_text("old\n")

    def failing(f: object) -> None:
        raise OSError(code, "ignored")

    with pytest.raises(RunDirError) as info:
        atomic_write(target, failing)
    assert str(info.value).startswith(f"could not write {target}: {reason}")
    assert target.read_text() == "old\n"  # the previous file is intact
    assert [p.name for p in tmp_path.iterdir()] == ["m.jsonl"]


def test_torch_storage_messages_are_write_failures(tmp_path: Path) -> None:
    e = RuntimeError("[enforce fail at inline_container.cc:672] . unexpected pos 576 vs 534")
    assert write_reason(e, tmp_path) == "the write failed (the storage refused it)"
    assert write_reason(RuntimeError("something else"), tmp_path) is None


def test_other_errors_pass_through(tmp_path: Path) -> None:
    def bug(f: object) -> None:
        raise KeyError("x")

    with pytest.raises(KeyError):
        atomic_write(tmp_path / "a", bug)
    assert not list(tmp_path.iterdir())


def test_a_planted_temp_symlink_is_never_followed(tmp_path: Path) -> None:
    import os

    victim = tmp_path / "victim"
    victim.write_text("precious")
    target = tmp_path / "last.pt"
    (tmp_path / f".last.pt.tmp-{os.getpid()}").symlink_to(victim)
    atomic_write(target, lambda f: f.write(b"new"))
    assert victim.read_text() == "precious" and target.read_bytes() == b"new"


def test_a_folder_in_the_way(tmp_path: Path) -> None:
    (tmp_path / "metrics.jsonl").mkdir()
    with pytest.raises(RunDirError, match="it is a folder"):
        atomic_write(tmp_path / "metrics.jsonl", lambda f: f.write(b"x"))


def test_probe_leaves_nothing(tmp_path: Path) -> None:
    probe_writable(tmp_path)
    assert not list(tmp_path.iterdir())
    with pytest.raises(OSError):
        probe_writable(tmp_path / "missing")


def test_clip_cuts_echoes_but_keeps_real_paths(tmp_path: Path) -> None:
    long_path = tmp_path / ("d" * 90)
    long_path.mkdir()
    text = clip(f"unknown optimizer '{'x' * 131_000}'; see {long_path}\nsecond line")
    assert "\n" not in text and str(long_path) in text
    token = text.split()[2]
    assert len(token) == 80 and token.endswith("…")
