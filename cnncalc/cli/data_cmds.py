"""Data commands (`data info`, `data download`) and the dataset loading every command shares."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ..errors import DataError, UsageError
from .common import console, guarded

if TYPE_CHECKING:
    from ..data import Mnist

DataDirOpt = Annotated[Path | None, typer.Option(
    "--data-dir", help="Folder with the dataset's IDX files (else $CNNCALC_DATA_DIR, else "
    "the user cache, else download).", show_default=False)]
DatasetOpt = Annotated[str | None, typer.Option(
    "--dataset", help="mnist, fashion-mnist or kmnist (same IDX format).",
    show_default=False)]


def need_torch() -> None:
    try:
        import torch  # noqa: F401
    except ImportError:
        raise UsageError("this command needs PyTorch",
                         "install it with: pip install 'cnncalc[train]'") from None


def load_data(data_dir: Path | None, quiet: bool = False, dataset: str | None = None) -> Mnist:
    from .. import data

    name = data.get(dataset or data.DEFAULT).name
    directory = data.locate(data_dir, name)
    if directory is None:
        directory = data.cache_dir(name)
        if not quiet:
            console(stderr=True).print(f"{name} not found; downloading to {directory}",
                                       markup=False)
        _download(directory, quiet, name)
    return data.load(directory, name)


def _download(directory: Path, quiet: bool, dataset: str = "mnist") -> list[Path]:
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TransferSpeedColumn

    from .. import download

    with Progress(TextColumn("{task.description}", markup=False), BarColumn(),
                  DownloadColumn(), TransferSpeedColumn(), console=console(stderr=True),
                  disable=quiet) as bar:
        tasks: dict[str, Any] = {}

        def progress(name: str, done: int, total: int | None) -> None:
            if name not in tasks:
                tasks[name] = bar.add_task(name, total=total)
            bar.update(tasks[name], completed=done)

        return download.download(directory, progress=progress, dataset=dataset)


def register(app: typer.Typer) -> None:
    data_app = typer.Typer(help="Where the data sets are, whether they are complete; fetch "
                           "them.",
                           no_args_is_help=True)
    app.add_typer(data_app, name="data")

    @data_app.command("info")
    @guarded
    def data_info(data_dir: DataDirOpt = None, dataset: DatasetOpt = None) -> None:
        """Show where cnncalc looks for a dataset and what it finds there."""
        from rich.table import Table

        from .. import data as data_mod

        name = data_mod.get(dataset or data_mod.DEFAULT).name
        table = Table(header_style="bold")
        for col in ("from", "folder", "status"):
            table.add_column(col)
        found = None
        for origin, directory in data_mod.candidates(data_dir, name):
            missing = data_mod.missing_files(directory)
            if not directory.exists():
                status = "does not exist"
            elif not directory.is_dir():
                status = "not a folder"
            elif missing:
                status = f"incomplete: lacks {', '.join(missing)}"
            else:
                try:
                    d = data_mod.load(directory, name)
                    # load() refuses empty sets, so "ok" always means images to train on
                    status = (f"ok: {len(d.train_images):,} train, {len(d.test_images):,} test "
                              "images")
                    found = found or directory
                except DataError as e:
                    status = f"unusable: {e}"
            table.add_row(origin, str(directory), status)
        console().print(table)
        if found is None:
            console().print(f"no complete copy of {name}; 'cnncalc data download --dataset "
                            f"{name}' fetches one", markup=False)

    @data_app.command("download")
    @guarded
    def data_download(data_dir: DataDirOpt = None, dataset: DatasetOpt = None) -> None:
        """Download a dataset (checksums verified) into --data-dir, $CNNCALC_DATA_DIR or the
        user cache."""
        from .. import data as data_mod

        name = data_mod.get(dataset or data_mod.DEFAULT).name
        env = data_mod.env_dir(name)
        flag = "--data-dir" if data_dir else f"${data_mod.ENV_DIR}" if env else "cache"
        target = data_dir or env or data_mod.cache_dir(name)
        if target.exists() and not target.is_dir():
            raise UsageError(f"{flag} {target} is not a folder")
        fetched = _download(target, False, name)
        data_mod.load(target, name)
        console().print(f"{name} is complete in {target}" + (
            f" ({len(fetched)} file(s) downloaded)" if fetched else " (nothing to download)"),
            markup=False)



