"""Images are read as PNG, JPEG, BMP, GIF or NPY by content; nothing else reaches a decoder.

Pillow opens EPS files through Ghostscript. A stand-in `gs` first on PATH records every
call with a marker file (and, for a `{ } loop` program, hangs as the real one would), so
these tests prove on any machine, with Ghostscript installed or not, that an EPS disguised
as a digit never gets that far.
"""

from __future__ import annotations

import io
import os
import stat
from pathlib import Path

import numpy as np
import pytest

from .harness import cli

FAKE_GS = """#!/bin/sh
# A stand-in for Ghostscript: if it is ever called to render, the marker appears.
case "$*" in *--version*) echo 10.02.1; exit 0;; esac
touch "$CNNCALC_TEST_MARKER"
for arg in "$@"; do last="$arg"; done
for arg in "$@"; do
  case "$arg" in -f) take=1;; *) if [ -n "$take" ]; then input="$arg"; take=; fi;; esac
done
grep -q "loop" "${input:-$last}" 2>/dev/null && sleep 600
exit 0
"""

# A 60-byte-class EPS whose PostScript writes a file (the real attack), and one that never
# ends. Both carry a bounding box, so Pillow's EPS reader accepts their header.
EPS_WRITES = (b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 28 28\n"
              b"(MARKER) (w) file closefile\nshowpage\n")
EPS_LOOPS = b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 28 28\n{ } loop\n"


@pytest.fixture()
def fake_gs(tmp_path: Path) -> tuple[dict[str, str], Path]:
    """(environment with the stand-in gs first on PATH, the marker it would create)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    gs = bin_dir / "gs"
    gs.write_text(FAKE_GS)
    gs.chmod(gs.stat().st_mode | stat.S_IXUSR)
    marker = tmp_path / "PWNED"
    env = {"PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
           "CNNCALC_TEST_MARKER": str(marker)}
    return env, marker


@pytest.mark.parametrize("payload", [EPS_WRITES, EPS_LOOPS], ids=["writes-a-file", "loops"])
@pytest.mark.parametrize("name", ["digit.png", "digit.npy", "digit"])
def test_eps_disguised_as_a_digit_never_reaches_ghostscript(
        good_run: Path, tmp_path: Path, fake_gs: tuple[dict[str, str], Path], payload: bytes,
        name: str) -> None:
    env, marker = fake_gs
    image = tmp_path / name
    image.write_bytes(payload.replace(b"MARKER", str(marker).encode()))
    r = cli("predict", str(good_run / "last.pt"), str(image), env=env, timeout=60)
    r.one_line_error(1, str(image), "PNG, JPEG, BMP, GIF or NPY")
    assert r.seconds < 20  # before: the loop held predict past 60 s
    assert not marker.exists(), "Ghostscript was called"


def test_visualize_refuses_the_same_eps(good_run: Path, tmp_path: Path,
                                        fake_gs: tuple[dict[str, str], Path]) -> None:
    pytest.importorskip("matplotlib")
    env, marker = fake_gs
    image = tmp_path / "digit.png"
    image.write_bytes(EPS_LOOPS)
    out = tmp_path / "view.png"
    r = cli("visualize", str(good_run / "last.pt"), "--image", str(image), "-o", str(out),
            env=env, timeout=60)
    r.one_line_error(1, str(image), "PNG, JPEG, BMP, GIF or NPY")
    assert not marker.exists() and not out.exists()


def _encoded(fmt: str, pixels: np.ndarray) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, format=fmt)
    return buf.getvalue()


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "BMP", "GIF", "NPY"])
def test_each_accepted_format_is_read_by_content_whatever_its_name(tmp_path: Path,
                                                                   fmt: str) -> None:
    from cnncalc.train.images import read_image

    # Oracle: a white bar on black, 28x28, so no inversion or resizing changes it; PNG, BMP,
    # GIF and NPY are lossless, JPEG is compared within its usual error.
    pixels = np.zeros((28, 28), np.uint8)
    pixels[10:18, 4:24] = 255
    if fmt == "NPY":
        buf = io.BytesIO()
        np.save(buf, pixels)
        data = buf.getvalue()
    else:
        data = _encoded(fmt, pixels)
    path = tmp_path / "digit.txt"  # the name says nothing: the content decides
    path.write_bytes(data)
    got = read_image(path).astype(int)
    tolerance = 40 if fmt == "JPEG" else 0
    assert np.abs(got - pixels.astype(int)).max() <= tolerance


@pytest.mark.parametrize(("content", "needle"), [
    (b"", "empty"),
    (b"II*\x00" + bytes(60), "PNG, JPEG, BMP, GIF or NPY"),  # a TIFF: readable, not accepted
    (b"\x89PNG\r\n\x1a\n" + bytes(40), "not a readable PNG image"),  # the right magic, broken
])
def test_other_content_is_one_line(good_run: Path, tmp_path: Path, content: bytes,
                                   needle: str) -> None:
    image = tmp_path / "digit.png"
    image.write_bytes(content)
    cli("predict", str(good_run / "last.pt"), str(image)).one_line_error(1, str(image), needle)
