"""Installs like a real package: extras named when missing, --version, the default command,
completion, `summary --module`, and the typer bound of a plain install."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import tomllib

REPO = Path(__file__).resolve().parent.parent
SPEC = "conv(32,3,padding=1)-relu-maxpool(2)-conv(64,3,padding=1)-relu-maxpool(2)-flatten-fc(10)"

# A meta-path finder that makes the optional packages unimportable, as if never installed.
BLOCKER = textwrap.dedent("""
    import sys
    class _Blocker:
        blocked = {BLOCKED}
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in self.blocked:
                raise ModuleNotFoundError(f"No module named {name!r}", name=name)
            return None
    sys.meta_path.insert(0, _Blocker())
""")


ALL_EXTRAS = ("numpy", "torch", "matplotlib", "PIL")


def _cli(args: list[str], tmp_path: Path, blocked: bool | tuple[str, ...] = False,
         env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, "COLUMNS": "100", **(env or {})}
    if blocked:
        names = ALL_EXTRAS if blocked is True else blocked
        (tmp_path / "sitecustomize.py").write_text(BLOCKER.replace("{BLOCKED}", repr(set(names))))
        full["PYTHONPATH"] = os.pathsep.join([str(tmp_path), str(REPO)])
    return subprocess.run([sys.executable, "-m", "cnncalc", *args], capture_output=True,
                          text=True, env=full, cwd=tmp_path, timeout=120)


# Every command that needs an optional package, with arguments that get it that far.
NEEDS_EXTRA = [
    (["train", SPEC, "--epochs", "1"], "train"),
    (["build", SPEC, "--check"], "train"),
    (["evaluate", "x.pt"], "train"),
    (["predict", "x.pt", "--index", "0"], "train"),
    # plot reads metrics through the run-folder code, which still imports torch today
    (["plot", "run", "--out", "curves.png"], "train"),
    (["data", "info"], "train"),
    (["data", "download"], "train"),
    (["summary", "--module", "net.py:Net", "--input", "1x28x28"], "train"),
]


@pytest.mark.parametrize(("args", "extra"), NEEDS_EXTRA, ids=lambda x: " ".join(x)
                         if isinstance(x, list) else x)
def test_missing_extras_are_named(args: list[str], extra: str, tmp_path: Path) -> None:
    (tmp_path / "net.py").write_text("class Net: pass\n")
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "metrics.jsonl").write_text(
        json.dumps({"epoch": 1, "train_loss": 0.5, "train_acc": 0.8, "test_loss": 0.4,
                    "test_acc": 0.9, "seconds": 1.0, "images_per_s": 100.0}) + "\n")
    result = _cli(args, tmp_path, blocked=True)
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr
    if result.returncode == 0:  # plot falls back to a text chart by design
        assert args[0] == "plot" and "cnncalc[plot]" in result.stderr
        return
    assert result.returncode == 2, result.stderr
    assert f"cnncalc[{extra}]" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(("args", "blocked", "extra"), [
    (["data", "info"], ("numpy",), "train"),
    (["data", "download"], ("numpy",), "train"),
])
def test_one_missing_package(args: list[str], blocked: tuple[str, ...], extra: str,
                             tmp_path: Path) -> None:
    result = _cli(args, tmp_path, blocked=blocked)
    assert result.returncode == 2, result.stderr
    assert f"cnncalc[{extra}]" in result.stderr and "internal error" not in result.stderr


def test_plot_without_matplotlib_says_which_extra(tmp_path: Path) -> None:
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "metrics.jsonl").write_text(
        json.dumps({"epoch": 1, "train_loss": 0.5, "train_acc": 0.8, "test_loss": 0.4,
                    "test_acc": 0.9, "seconds": 1.0, "images_per_s": 100.0}) + "\n")
    result = _cli(["plot", "run"], tmp_path, blocked=("matplotlib",))
    assert "internal error" not in result.stderr
    assert "cnncalc[plot]" in result.stderr


def test_calculator_commands_need_no_extra(tmp_path: Path) -> None:
    for args in (["summary", SPEC], ["explain", SPEC], ["presets"], ["layers"],
                 ["solve", "--input", "28", "--output", "14"], ["--version"]):
        result = _cli(args, tmp_path, blocked=True)
        assert result.returncode == 0, (args, result.stderr)


def test_version_names_torch_from_metadata(tmp_path: Path) -> None:
    from importlib.metadata import version

    out = _cli(["--version"], tmp_path).stdout
    assert out.startswith("cnncalc 0.")
    assert f"torch {version('torch')}" in out
    # read from the package metadata: torch is never imported for it
    probe = subprocess.run([sys.executable, "-c", "import sys; from cnncalc.cli.app import "
                            "version_text; version_text(); print('torch' in sys.modules)"],
                           capture_output=True, text=True, cwd=REPO)
    assert probe.stdout.strip() == "False"


def test_spec_without_a_command_runs_summary(tmp_path: Path) -> None:
    plain = _cli([SPEC, "--input", "1x28x28"], tmp_path)
    assert plain.returncode == 0, plain.stderr
    assert plain.stdout == _cli(["summary", SPEC, "--input", "1x28x28"], tmp_path).stdout
    typo = _cli(["sumary", SPEC], tmp_path)
    assert typo.returncode == 2 and "No such command 'sumary'" in typo.stderr
    assert "Usage: cnncalc summary" in _cli(["help", "summary"], tmp_path).stdout


def test_completion_is_available(tmp_path: Path) -> None:
    # Typer detects the shell from the process tree, which a test runner may not have; this
    # switch of Typer's makes the option take the shell's name instead.
    result = _cli(["--show-completion", "bash"], tmp_path,
                  env={"_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"})
    assert result.returncode == 0 and "_cnncalc_completion" in result.stdout
    assert "--install-completion" in _cli(["--help"], tmp_path).stdout


NET = textwrap.dedent("""
    import torch
    from torch import nn

    class Net(nn.Module):
        def __init__(self, classes: int = 10) -> None:
            super().__init__()
            self.conv = nn.Conv2d(1, 8, 3, padding=1)
            self.pool = nn.MaxPool2d(2)
            self.fc = nn.Linear(8 * 14 * 14, classes)

        def forward(self, x):
            return self.fc(torch.flatten(self.pool(torch.relu(self.conv(x))), 1))
""")


def test_summary_of_a_module_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from cnncalc.cli import app

    (tmp_path / "net.py").write_text(NET)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    result = runner.invoke(app, ["summary", "--module", "net.py:Net", "--input", "1x28x28",
                                 "--module-args", '{"classes": 5}', "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    # conv 1·9·8 + 8 = 80; fc 1568·5 + 5 = 7,845
    assert [x["params"] for x in data["layers"]] == [80, 0, 7_845]
    assert [x["output_shape"] for x in data["layers"]] == [[8, 28, 28], [8, 14, 14], [5]]
    bad = runner.invoke(app, ["summary", "--module", "net.py:Net", "--input", "1x28x28",
                              "--module-args", "{oops"])
    assert bad.exit_code == 2 and "--module-args is not valid JSON" in bad.output
    missing = runner.invoke(app, ["summary", "--module", "nope.py:Net", "--input", "1x28x28"])
    assert missing.exit_code == 2 and "does not exist" in missing.output
    wrong = runner.invoke(app, ["summary", "--module", "net.py:Net", "--input", "1x32x32"])
    assert wrong.exit_code == 1 and "layer 3 (fc: Linear) failed" in wrong.output
    assert "│ 2 │ pool: maxpool(2)" in wrong.output  # the layers before it are still shown
    help_text = " ".join(runner.invoke(app, ["summary", "--help"]).stdout.split())
    assert "IMPORTS AND RUNS" in help_text


def test_pyproject_bounds_typer_below_the_pydantic_releases() -> None:
    import tomllib

    deps = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
    typer = next(d for d in deps if d.startswith("typer"))
    assert "<0.27" in typer


@pytest.mark.slow
def test_fresh_venv_plain_install_starts_without_pydantic(tmp_path: Path) -> None:
    """`pip install .` with no constraints file: typer resolves inside the bound, and
    `cnncalc summary` never imports pydantic (the slow start-up path)."""
    venv = tmp_path / "venv"
    # No pip inside the new venv (ensurepip is slow): this pip installs into it. The wheel is
    # built from the checkout as `pip install .` builds it; what is tested is the resolution
    # of its dependencies with no constraints file.
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    py = str(venv / "bin" / "python")
    env = {**os.environ, "PIP_CONSTRAINT": "", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    source = tmp_path / "src"  # a copy: building in place would leave build/ in the checkout
    shutil.copytree(REPO / "cnncalc", source / "cnncalc",
                    ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md", "README.pypi.md", "LICENSE", "MANIFEST.in"):
        shutil.copy(REPO / name, source / name)
    shutil.copytree(REPO / "docs", source / "docs")
    wheel = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps",
                            "--no-build-isolation", "-w", str(tmp_path / "dist"), str(source)],
                           env=env, capture_output=True, text=True, timeout=300)
    assert wheel.returncode == 0, wheel.stderr[-2000:]
    built = next((tmp_path / "dist").glob("cnncalc-*.whl"))
    install = subprocess.run([sys.executable, "-m", "pip", "--python", py, "install", "-q",
                              "--no-compile", str(built)], env=env, capture_output=True,
                             text=True, timeout=600)
    if install.returncode != 0 and "No matching distribution" in install.stderr:
        pytest.skip("no package index reachable for typer and rich")
    assert install.returncode == 0, install.stderr[-2000:]
    probe = subprocess.run([py, "-c", textwrap.dedent(f"""
        import importlib.metadata as m, runpy, sys
        sys.argv = ["cnncalc", "summary", {SPEC!r}]
        try:
            runpy.run_module("cnncalc", run_name="__main__")
        except SystemExit as e:
            assert not e.code, e.code
        print(m.version("typer"), "pydantic" in sys.modules, "torch" in sys.modules,
              file=sys.stderr)
    """)], capture_output=True, text=True, cwd=tmp_path)
    assert probe.returncode == 0, probe.stderr
    typer, pydantic, torch = probe.stderr.strip().splitlines()[-1].split()
    assert tuple(int(x) for x in typer.split(".")[:2]) < (0, 27)
    assert pydantic == "False" and torch == "False"
    assert "50,186" in probe.stdout
    # The wheel carries the reference pages: `cnncalc docs` finds them under the venv's
    # prefix (share/doc/cnncalc), with no source tree beside the installed package.
    docs = subprocess.run([str(venv / "bin" / "cnncalc"), "docs", "spec", "checking answers"],
                          capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert docs.returncode == 0, docs.stderr
    assert docs.stdout.startswith("## Checking answers\n")
    assert docs.stdout == _section(REPO / "docs" / "spec.md", "## Checking answers")
    listing = subprocess.run([str(venv / "bin" / "cnncalc"), "docs"], capture_output=True,
                             text=True, cwd=tmp_path, timeout=60)
    assert str((venv / "share" / "doc" / "cnncalc").resolve()) in listing.stdout


def _section(page: Path, heading: str) -> str:
    """The text from `heading` to the next heading of its level or above, as written by hand
    here (no code of cnncalc's): what `cnncalc docs PAGE SECTION` must print."""
    lines = page.read_text(encoding="utf-8").splitlines()
    start = lines.index(heading)
    level = heading.split()[0]
    end, fenced = len(lines), False
    for i in range(start + 1, len(lines)):
        if lines[i].lstrip().startswith("```"):
            fenced = not fenced
        elif not fenced and lines[i].startswith("#") and \
                len(lines[i].split()[0]) <= len(level) and set(lines[i].split()[0]) == {"#"}:
            end = i
            break
    return "\n".join(lines[start:end]).rstrip() + "\n"


def test_package_index_readme_is_current_and_has_no_relative_links() -> None:
    """pyproject's readme is README.pypi.md, written from README.md: current, and with no
    link or picture that needs the repository around it (a package index has none)."""
    meta = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert meta["readme"] == "README.pypi.md"
    check = subprocess.run([sys.executable, str(REPO / "tools" / "pypi_readme.py"), "--check"],
                           capture_output=True, text=True, timeout=60)
    assert check.returncode == 0, check.stderr
    text = (REPO / "README.pypi.md").read_text(encoding="utf-8")
    prose = re.sub(r"```.*?```", "", text, flags=re.S)
    prose = re.sub(r"`[^`\n]*`", "", prose)
    targets = re.findall(r"\]\(([^)\s]+)\)", prose)
    assert all(re.match(r"https?:|#", t) for t in targets), targets
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    pages = set(re.findall(r"\]\(docs/(\w+)\.md", readme))
    assert pages and all(f"`cnncalc docs {p}`" in text for p in pages)
    assert text.count("*Picture: ") == readme.count("](docs/img/")
