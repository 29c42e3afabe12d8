"""The SVG in a real browser engine: headless Chromium renders it, and the screenshot is not
blank. Skipped where no Chromium is installed (`make browser-test` installs Debian's)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from cnncalc import presets
from cnncalc.calc import summarize_spec
from cnncalc.ops.shape import parse_shape
from cnncalc.render.draw import diagram
from cnncalc.render.draw_svg import to_svg

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--hide-scrollbars")


def browser() -> str:
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    pytest.skip("no Chromium installed (run 'make browser-test', which installs Debian's "
                "chromium package)")


@pytest.mark.parametrize(("name", "style"), [("resnet18", "layered"), ("lenet5", "flat")])
def test_chromium_renders_the_svg(name: str, style: str, tmp_path: Path) -> None:
    exe = browser()
    Image = pytest.importorskip("PIL.Image")
    p = presets.get(name)
    d = diagram(summarize_spec(p.spec, parse_shape(p.input)), style, p.name)
    svg = tmp_path / "net.svg"
    svg.write_text(to_svg(d), encoding="utf-8")
    shot = tmp_path / "shot.png"
    size = (int(d.width) + 1, int(d.height) + 1)
    proc = subprocess.run([exe, *FLAGS, f"--screenshot={shot}",
                           f"--window-size={size[0]},{size[1]}",
                           f"--user-data-dir={tmp_path / 'profile'}", svg.as_uri()],
                          capture_output=True, text=True, timeout=120)
    assert shot.exists(), proc.stderr[-2000:]
    with Image.open(shot) as im:
        assert im.size == size
        px = np.asarray(im.convert("RGB"), dtype=np.int32)
    dark = int((px.sum(2) < 300).sum())  # text and outlines
    blue = int((np.abs(px - np.array([0x56, 0xB4, 0xE9])).max(2) < 30).sum())  # conv colour
    assert dark > 0.002 * px.shape[0] * px.shape[1], "the screenshot has no text or outlines"
    assert blue > 200, "no conv boxes were painted"
