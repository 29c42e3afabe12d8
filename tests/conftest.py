"""Shared fixtures: the CLI runner, golden files, and where MNIST lives."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

GOLDEN = Path(__file__).parent / "golden"
REPO = Path(__file__).resolve().parent.parent


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true",
                     help="rewrite golden files from the current output (review the diff!)")


@pytest.fixture
def golden(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    update = request.config.getoption("--update-golden")

    def check(name: str, text: str) -> None:
        path = GOLDEN / name
        if update or not path.exists():
            path.write_text(text, encoding="utf-8")
            if not update:
                pytest.fail(f"golden file {name} did not exist; written, review it")
        assert text == path.read_text(encoding="utf-8")

    return check


@pytest.fixture(autouse=True)
def _no_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tables follow COLUMNS; a value exported in the developer's shell must not change
    golden output."""
    monkeypatch.delenv("COLUMNS", raising=False)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def mnist_dir() -> Path | None:
    for candidate in (os.environ.get("CNNCALC_DATA_DIR"), REPO.parent / "shared/data/mnist"):
        if candidate and (Path(candidate) / "t10k-labels-idx1-ubyte.gz").exists():
            return Path(candidate)
    return None


@pytest.fixture
def mnist() -> Path:
    path = mnist_dir()
    if path is None:
        pytest.skip("MNIST not found: set CNNCALC_DATA_DIR")
    return path
