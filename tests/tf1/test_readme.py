"""The README's TF1 example (section "From your course notes") says what cnncalc says."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from cnncalc.cli import app

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def test_readme_tf1_lab_reads_and_checks_as_shown(tmp_path: Path) -> None:
    part = README.split("## From your course notes", 1)[1]
    code = part.split("$ cat lab.py\n", 1)[1].split("$ COLUMNS=100", 1)[0]
    lab = tmp_path / "lab.py"
    lab.write_text(code, encoding="utf-8")
    runner = CliRunner()
    out = runner.invoke(app, ["summary", str(lab)])
    # By hand: W1 3·3·1·32 = 288, W2 3·3·32·64 = 18,432, W3 3136·10 + b 10 = 31,370.
    assert out.exit_code == 0 and "50,090" in out.output, out.output
    out = runner.invoke(app, ["check", str(lab), "--expect",
                              "3: (None, 14, 14, 32); 6: (None, 7, 7, 64); 7: (None, 3136); "
                              "8: 31360"])
    assert out.exit_code == 1
    assert "3 of 4 right" in out.output and "3136·10 + 10 = 31370" in out.output
    shown = part.split("$ COLUMNS=100 cnncalc check", 1)[1].split("```", 1)[0]
    assert "3 of 4 right" in shown and "3136·10 + 10 = 31370" in shown
