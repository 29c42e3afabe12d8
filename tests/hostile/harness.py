"""Running the CLI in a child process under a clock and a memory ceiling, measuring both."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

RSS_LIMIT = 1 << 30  # peak resident memory any hostile case may reach (generous but real)
AS_LIMIT = 6 << 30  # address space: a safety net so a regression cannot take the machine
SECONDS = 30.0  # wall time any hostile case may take on a loaded 2-core machine


@dataclass(frozen=True)
class Outcome:
    code: int
    stdout: str
    stderr: str
    seconds: float
    peak_rss: int  # bytes
    raw_stdout: bytes = b""  # stdout as written, for output in an encoding other than UTF-8

    def one_line_error(self, code: int, *needles: str) -> str:
        """Assert: exit `code`, one line on stderr starting 'error:', naming every needle,
        no traceback or internal error, within the time and memory budgets."""
        lines = [x for x in self.stderr.splitlines() if x.strip()]
        assert self.code == code, (self.code, self.stderr[-2000:])
        assert len(lines) == 1 and lines[0].startswith("error: "), self.stderr[-2000:]
        assert "internal error" not in self.stderr + self.stdout, self.stderr[-2000:]
        assert "Traceback" not in self.stderr
        for needle in needles:
            assert needle in lines[0], (needle, lines[0])
        log = os.environ.get("CNNCALC_HOSTILE_LOG")  # a record of every case, for the docs
        if log:
            with open(log, "a") as f:
                f.write(json.dumps({"case": os.environ.get("PYTEST_CURRENT_TEST", "?"),
                                    "code": self.code, "seconds": round(self.seconds, 2),
                                    "peak_rss_mb": round(self.peak_rss / 2**20),
                                    "error": lines[0][:300]}) + "\n")
        assert self.seconds < SECONDS, self.seconds
        assert self.peak_rss < RSS_LIMIT, self.peak_rss
        return lines[0]


# A small launcher sets the address-space limit, forks the CLI and reports its peak RSS.
# Linux carries a process's RSS high-water mark across fork and exec, so a CLI forked from
# this (large) test process would report the test's own RSS; forked from the fresh, small
# launcher, it reports its own. Its second argument lists file descriptors to close in the
# CLI (1 for `>&-`).
LAUNCH = f"""
import os, resource, sys
resource.setrlimit(resource.RLIMIT_AS, ({AS_LIMIT}, {AS_LIMIT}))
pid = os.fork()
if pid == 0:
    for fd in filter(None, sys.argv[2].split(",")):
        os.close(int(fd))
    os.execv(sys.executable, [sys.executable, "-m", "cnncalc", *sys.argv[3:]])
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as f:
    f.write(str(usage.ru_maxrss * 1024))
code = os.waitstatus_to_exitcode(status)
os._exit(code if code >= 0 else 128 - code)
"""


def cli(*args: str, env: dict[str, str] | None = None, timeout: float = SECONDS * 2,
        cwd: Path | None = None, closed: tuple[int, ...] = ()) -> Outcome:
    """Run `python -m cnncalc ARGS` under the limits; its exit code, output, time, peak RSS.
    `closed`: file descriptors the CLI starts without (1: stdout closed, as by `>&-`)."""
    if sys.platform != "linux":
        pytest.skip("the hostile harness limits and measures memory the Linux way")
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.TemporaryDirectory() as scratch:
        # Each case sees only the data it makes: no $CNNCALC_* from the caller, an empty cache,
        # and a mirror that refuses at once, so nothing is ever fetched from the network.
        base = {k: v for k, v in os.environ.items() if not k.startswith("CNNCALC_")}
        full_env = {**base, "OMP_NUM_THREADS": "1", "COLUMNS": "200",
                    "XDG_CACHE_HOME": str(Path(scratch) / "cache"),
                    "CNNCALC_MNIST_MIRROR": "http://127.0.0.1:9/", **(env or {})}
        rss_file = Path(scratch) / "rss"
        start = time.monotonic()
        proc = subprocess.Popen([sys.executable, "-c", LAUNCH, str(rss_file),
                                 ",".join(map(str, closed)), *args],
                                stdout=out, stderr=err, env=full_env, cwd=cwd,
                                start_new_session=True)
        timer = threading.Timer(timeout, lambda: os.killpg(proc.pid, signal.SIGKILL))
        timer.start()
        try:
            code = proc.wait()
        finally:
            timer.cancel()
        seconds = time.monotonic() - start
        out.seek(0)
        err.seek(0)
        rss = int(rss_file.read_text()) if rss_file.exists() else RSS_LIMIT  # killed: unknown
        raw = out.read()
        return Outcome(code, raw.decode(errors="replace"), err.read().decode(errors="replace"),
                       seconds, rss, raw)


_NET = ("import torch\nfrom torch import nn\nimport torch.nn.functional as F\n\n"
        "class Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
        "        self.c = nn.Conv2d(1, 1, 1)\n\n    def forward(self, x):\n")


def forward_file(tmp_path: Path, body: list[str]) -> str:
    """net.py: a Net with one 1x1 conv `self.c`, whose forward(self, x) is `body`."""
    path = tmp_path / "net.py"
    path.write_text(_NET + "".join(f"        {line}\n" for line in body))
    return str(path)

