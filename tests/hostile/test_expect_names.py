"""Hostile answer keys that name modules: floods, look-alikes, escapes."""

from __future__ import annotations

from pathlib import Path

from .harness import cli

MANY = """
import torch.nn as nn

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.blocks = nn.ModuleList([nn.Linear(8, 8) for _ in range(3000)])

    def forward(self, x):
        x = x.flatten(1)
        for b in self.blocks:
            x = b(x)
        return x
"""


def test_thousands_of_name_keys_on_thousands_of_modules_are_marked_in_bounded_time(
        tmp_path: Path) -> None:
    code = tmp_path / "net.py"
    code.write_text(MANY)
    answers = tmp_path / "a.txt"
    # Linear(8, 8): 8·8 + 8 = 72 parameters, output (8,).
    answers.write_text("".join(f"blocks.{i}: (8,), 72\n" for i in range(3000)))
    r = cli("check", str(code), "--input", "flat:8", "--expect", str(answers), "-f", "json")
    assert r.code == 0, r.stderr[-500:]
    assert r.stdout.count('"right": true') == 6000
    assert r.seconds < 30
    # A misspelt key among them: the nearest names, found without comparing all 3,000.
    answers.write_text("".join(f"blocks.{i}: (8,)\n" for i in range(2999)) + "blokcs.7: 72\n")
    cli("check", str(code), "--input", "flat:8", "--expect", str(answers)).one_line_error(
        2, "no module named 'blokcs.7'", "did you mean 'blocks.7'?")


def test_a_quoted_key_with_markup_and_control_characters_is_echoed_inert(tmp_path: Path
                                                                        ) -> None:
    code = tmp_path / "net.py"
    code.write_text(MANY.replace("range(3000)", "range(2)"))
    line = cli("check", str(code), "--input", "flat:8", "--expect",
               "'[red]x\x1b[2J': (8,)").one_line_error(2, "no module named '[red]x")
    assert "\x1b" not in line


def test_a_name_key_of_a_thousand_characters_is_refused_as_unreadable(tmp_path: Path) -> None:
    code = tmp_path / "net.py"
    code.write_text(MANY.replace("range(3000)", "range(2)"))
    cli("check", str(code), "--input", "flat:8", "--expect",
        "a" * 1000 + ": (8,)").one_line_error(2, "answers line 1", "a key is a layer number")
