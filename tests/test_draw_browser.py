"""The SVG in a real browser engine: headless Chromium renders it, and the screenshot is not
blank. Skipped where no Chromium is installed (`make browser-test` installs Debian's)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from cnncalc import presets
from cnncalc.calc import summarize_spec
from cnncalc.calc.shape import parse_shape
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
        rgb = im.convert("RGB")
        pixels = list(rgb.getdata())
    dark = sum(1 for r, g, b in pixels if r + g + b < 300)  # text and outlines
    blue = sum(1 for r, g, b in pixels if abs(r - 0x56) < 30 and abs(g - 0xB4) < 30
               and abs(b - 0xE9) < 30)  # the conv colour
    assert dark > 0.002 * len(pixels), "the screenshot has no text or outlines"
    assert blue > 200, "no conv boxes were painted"
