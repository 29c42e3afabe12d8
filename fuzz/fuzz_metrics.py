"""Coverage-guided fuzzing of the metrics.jsonl reader that `cnncalc plot` uses, with atheris.

Every input must end in Metrics or a one-line CnnCalcError; anything else is a crash that
libFuzzer reports (with the input saved as crash-*).

Run: python fuzz/fuzz_metrics.py -runs=1000000 [corpus_dir]
"""

from __future__ import annotations

import math
import os
import sys
import tempfile
from pathlib import Path

import atheris

with atheris.instrument_imports():
    from cnncalc.errors import CnnCalcError
    from cnncalc.train import metrics
    from cnncalc.train.curves import terminal_chart

_DIR = Path(tempfile.mkdtemp(prefix="fuzz-metrics-"))
_FILE = _DIR / "metrics.jsonl"


def one_input(data: bytes) -> None:
    _FILE.write_bytes(data)
    try:
        m = metrics.read(_DIR)
    except CnnCalcError as e:
        if "\n" in str(e):
            raise AssertionError(f"multi-line error: {e}") from None
        return
    for epoch in m.epochs:
        for value in epoch.values.values():
            if not math.isfinite(value):
                raise AssertionError(f"non-finite value kept: {value}")
    terminal_chart(m)


def main() -> None:
    atheris.Setup(sys.argv, one_input)
    try:
        atheris.Fuzz()
    finally:
        _FILE.unlink(missing_ok=True)
        os.rmdir(_DIR)


if __name__ == "__main__":
    main()
