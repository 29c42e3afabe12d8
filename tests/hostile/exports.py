"""Shared pieces of the export attacks: payload specs, trained checkpoints, folder snapshots."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .harness import RSS_LIMIT, SECONDS, Outcome

MARK = "PWNED"  # the file every payload tries to create, in the folder the command runs in
RUN_IT = f'__import__("os").system("touch {MARK}")'
# The spec of issue 20: device= is accepted and ignored, but its string used to land in the
# class docstring, where the first \"\"\" closes it; \N made the docstring a SyntaxError.
DOCSTRING_BREAKOUT = (f"Conv2d(1,4,3,device='\\N\"\"\";{RUN_IT};\"\"\"')-ReLU()-MaxPool2d(2)"
                      "-Flatten()-Linear(676,10)")
# The Keras writer put the raw spec in a `# comment`: a line break inside an ignored name=
# ends the comment, and the next line is live code. Every character that ends a line for
# some reader: \n and \r for Python's tokenizer, the others for editors and str.splitlines.
LINE_BREAKS = ["\n", "\r", "\r\n", "\x0c", "\x0b", "\x1c", "\x85", "\u2028", "\u2029"]


def comment_breakout(brk: str) -> str:
    return f"Conv2D(4, 3, name='x{brk}{RUN_IT}{brk}#')-Flatten()-Dense(10)"


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file in `folder` (hidden ones included) and its bytes; folders as b'<dir>'."""
    return {p.name: (b"<dir>" if p.is_dir() else p.read_bytes())
            for p in sorted(folder.iterdir()) if not p.is_symlink()}


def succeeded(outcome: Outcome) -> Outcome:
    """Assert: exit 0, no error, traceback or internal error, within the time and memory."""
    assert outcome.code == 0, (outcome.code, outcome.stderr[-2000:])
    assert "Traceback" not in outcome.stderr and "internal error" not in outcome.stderr
    assert outcome.seconds < SECONDS, outcome.seconds
    assert outcome.peak_rss < RSS_LIMIT, outcome.peak_rss
    return outcome


def python(code: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run `code` in a fresh, isolated-from-the-tests interpreter in `cwd`."""
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True,
                          text=True, timeout=120)


def train_spec(spec: str, synth: Path, out: Path) -> Path:
    """A real one-epoch run of `spec` on the synthetic digits; its last.pt."""
    from cnncalc import data
    from cnncalc.train.loop import TrainOptions, train

    train(spec, (1, 28, 28), TrainOptions(epochs=1, batch_size=64, precision="fp32"), out,
          data.load(synth))
    return out / "last.pt"
