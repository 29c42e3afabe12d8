"""Hostile images, arrays, run folders and echoes: one line, in bounds, nothing damaged."""

from __future__ import annotations

import os
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest

from cnncalc.errors import RunDirError
from cnncalc.train import rundir

from .harness import cli


def png_header_only(path: Path, width: int, height: int) -> None:
    """A tiny PNG whose header declares width x height grey pixels (the data is a stub)."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body)))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
                     + chunk(b"IDAT", zlib.compress(b"\x00" * 8)) + chunk(b"IEND", b""))


def npy_header_only(path: Path, descr: str, shape: tuple[int, ...]) -> None:
    header = repr({"descr": descr, "fortran_order": False, "shape": shape}).encode()
    header += b" " * (-(len(header) + 11) % 64) + b"\n"
    path.write_bytes(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header)


@pytest.mark.parametrize(("make", "needle"), [
    (lambda p: png_header_only(p.with_suffix(".png"), 100_000, 100_000), "pixels"),
    (lambda p: np.save(p.with_suffix(".npy"), np.array(["a" * 10] * 784).reshape(28, 28)),
     "holds <U10 values, not numbers"),
    (lambda p: npy_header_only(p.with_suffix(".npy"), "<f8", (200_000_000, 28)),
     "declares 200000000x28 values"),
])
def test_hostile_images(good_run: Path, tmp_path: Path, make, needle: str) -> None:  # type: ignore[no-untyped-def]
    make(tmp_path / "img")
    image = next(tmp_path.glob("img.*"))
    assert image.stat().st_size < 64 << 10  # small files that declare huge or strange contents
    cli("predict", str(good_run / "last.pt"), str(image)).one_line_error(1, needle)


def test_force_over_a_folder_named_metrics_jsonl(good_run: Path, synth: Path,
                                                 tmp_path: Path) -> None:
    out = tmp_path / "run"
    (out / "metrics.jsonl").mkdir(parents=True)
    r = cli("train", "conv(4,3)-relu-maxpool(2)-flatten-fc(10)", "--out", str(out), "--force",
            "--data-dir", str(synth))
    r.one_line_error(1, "metrics.jsonl is a folder")
    assert (out / "metrics.jsonl").is_dir()


def test_force_over_a_folder_named_last_pt(tmp_path: Path) -> None:
    (tmp_path / "last.pt").mkdir()
    with pytest.raises(RunDirError, match=r"last\.pt is a folder"):
        rundir.prepare(tmp_path, force=True)


def test_planted_symlinks_never_redirect_the_write_probe(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.write_text("precious")
    out = tmp_path / "run"
    out.mkdir()
    for pid in range(os.getpid() - 250, os.getpid() + 250):  # 500 guesses of our pid
        (out / f".write-test-{pid}").symlink_to(victim)
    rundir.prepare(out, force=False)
    assert victim.read_text() == "precious"


def test_echo_of_a_huge_token_is_cut_to_80_characters() -> None:
    r = cli("summary", "fc(10)", "--input", "4", "--convention", "k" * 100_000)
    line = r.one_line_error(2, "unknown convention")
    assert len(line) < 200 and "…" in line


def test_fifos_and_devices_are_refused_not_waited_on(good_run: Path, synth: Path,
                                                     tmp_path: Path) -> None:
    fifo = tmp_path / "last.pt"
    os.mkfifo(fifo)  # opening it for reading would wait for a writer forever
    r = cli("evaluate", str(fifo), "--data-dir", str(synth))
    r.one_line_error(1, "not a regular file")
    r = cli("predict", str(good_run / "last.pt"), "/dev/zero")
    r.one_line_error(1, "not a regular file")
    code = tmp_path / "net.py"
    os.mkfifo(code)  # pasted code read from a FIFO would block the same way
    for command in ("summary", "draw", "check"):
        args = [command, str(code)] + (["--expect", "1: 8x26x26"] if command == "check" else [])
        cli(*args).one_line_error(1, "not a regular file")
