"""`summary --module FILE.py:Net` runs the user's own model code: whatever it raises or
builds ends in one line naming what went wrong, never a traceback, a silent exit 0 or an
"internal error"."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from .harness import cli

LAZY = """
from torch import nn
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3)
        self.fc = nn.LazyLinear(10)
    def forward(self, x):
        return self.fc(self.conv(x).flatten(1))
"""

NESTED = """
from torch import nn
def Net():
    m = nn.ReLU()
    for _ in range({n}):
        m = nn.Sequential(m)
    return m
"""

RAISES_IN_FORWARD = """
from torch import nn
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3)
    def forward(self, x):
        x = self.conv(x)
        raise {error}
"""

BAD_STR = """
class Unprintable(Exception):
    def __str__(self):
        raise RuntimeError("this message cannot be printed")
"""

EXIT_ON_IMPORT = """
import sys
from torch import nn
Net = nn.Linear
sys.exit(0)
"""


def _module(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "net.py"
    path.write_text(textwrap.dedent(text))
    return path


def test_an_uninitialised_lazy_layer_is_named(tmp_path: Path) -> None:
    # Before: "internal error: ValueError: Attempted to use an uninitialized parameter".
    path = _module(tmp_path, LAZY)
    r = cli("summary", "--module", f"{path}:Net", "--input", "1x28x28")
    r.one_line_error(2, "layer 'fc' (LazyLinear) is lazy", "in_features", "forward pass")


def test_thousands_of_nested_modules_are_refused_before_torch_recurses(tmp_path: Path) -> None:
    # Before: "internal error: RecursionError" (torch walks modules recursively).
    path = _module(tmp_path, NESTED.format(n=3000))
    r = cli("summary", "--module", f"{path}:Net", "--input", "2x6x5")
    r.one_line_error(2, "nests modules more than 100 levels deep")
    assert r.seconds < 15


def test_nesting_within_the_limit_is_summarised(tmp_path: Path) -> None:
    # 100 Sequentials around one ReLU (the ReLU is 100 levels down, the limit): one row,
    # the ReLU, with the input's shape (ReLU keeps it) and no parameters.
    path = _module(tmp_path, NESTED.format(n=100))
    r = cli("summary", "--module", f"{path}:Net", "--input", "2x6x5", "-f", "json")
    assert r.code == 0, r.stderr
    import json

    layers = json.loads(r.stdout)["layers"]
    assert [(x["output_shape"], x["params"]) for x in layers] == [([2, 6, 5], 0)]


@pytest.mark.parametrize(("error", "needle"), [
    # Before: a raw traceback ending in "GeneratorExit: bye", exit 1.
    ("GeneratorExit('bye')", "GeneratorExit: bye"),
    # Before: exit 0 and no output at all, as if the summary had been printed.
    ("SystemExit(0)", "SystemExit: 0"),
    ("SystemExit('done')", "SystemExit: done"),
    # Before: "internal error: RuntimeError: this message cannot be printed".
    ("Unprintable()", "Unprintable (its message could not be read)"),
    ("RecursionError('deep')", "RecursionError: deep"),
])
def test_anything_the_forward_pass_raises_is_one_line(tmp_path: Path, error: str,
                                                      needle: str) -> None:
    path = _module(tmp_path, BAD_STR + RAISES_IN_FORWARD.format(error=error))
    r = cli("summary", "--module", f"{path}:Net", "--input", "1x28x28")
    # The partial summary (the conv layer that ran) goes to stdout, the error to stderr.
    line = r.one_line_error(1, "Net.forward after layer 1 failed", needle)
    assert "Traceback" not in r.stdout and "conv" in r.stdout
    assert line.count("error:") == 1


@pytest.mark.parametrize("where", ["import", "build"])
def test_exit_in_the_users_file_is_a_failure_not_a_success(tmp_path: Path, where: str) -> None:
    text = EXIT_ON_IMPORT if where == "import" else RAISES_IN_FORWARD.replace(
        "super().__init__()", "super().__init__(); raise SystemExit(0)").format(error="1")
    path = _module(tmp_path, text)
    r = cli("summary", "--module", f"{path}:Net", "--input", "1x28x28")
    # A long temporary path is cut in the message ("…/net.py… called exit(0)"): the needles
    # do not depend on its length.
    r.one_line_error(1, "net.py", "called exit(0)", "if __name__ == '__main__'")
    assert r.stdout == ""


def test_a_module_never_set_up_is_named(tmp_path: Path) -> None:
    # Before: "AttributeError: 'Net' object has no attribute '_parameters'".
    path = _module(tmp_path, "from torch import nn\nclass Net(nn.Module):\n"
                             "    def __init__(self):\n        pass\n")
    r = cli("summary", "--module", f"{path}:Net", "--input", "1x28x28")
    r.one_line_error(2, "Net (Net) was not set up as a torch module", "super().__init__()")


def test_generator_exit_while_building_is_one_line(tmp_path: Path) -> None:
    path = _module(tmp_path, "def Net():\n    raise GeneratorExit('at build')\n")
    r = cli("summary", "--module", f"{path}:Net", "--input", "1x28x28")
    r.one_line_error(1, "building", "failed: GeneratorExit: at build")


@pytest.mark.parametrize(("args", "needle"), [
    # Before: "internal error: ValueError: Exceeds the limit (4300 digits)".
    ('{"n": ' + "9" * 5000 + "}", "more than 4,300 digits"),
    ("[" * 50_000 + "]" * 50_000, "nests lists or objects too deeply"),
])
def test_module_args_past_pythons_limits(tmp_path: Path, args: str, needle: str) -> None:
    marker = tmp_path / "BUILT"
    path = _module(tmp_path, f"from pathlib import Path\nfrom torch import nn\n"
                             f"def Net(*a, **k):\n    Path({str(marker)!r}).touch()\n"
                             f"    return nn.Linear(4, 2)\n")
    r = cli("summary", "--module", f"{path}:Net", "--input", "4", "--module-args", args)
    r.one_line_error(2, "--module-args", needle)
    assert not marker.exists()  # refused before the user's code ran
