"""Training commands: build, train, evaluate, predict, plot and data. torch loads lazily here."""

from __future__ import annotations

import json
import signal
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from ..errors import CheckpointError, DataError, UsageError
from .calc_cmds import ConventionOpt, Format, InputOpt, PresetOpt, SpecArg, resolve
from .common import console, guarded, write

DataDirOpt = Annotated[Path | None, typer.Option(
    "--data-dir", help="Folder with the MNIST IDX files (else $CNNCALC_DATA_DIR, else the "
    "user cache, else download).", show_default=False)]
DeviceOpt = Annotated[str, typer.Option("--device", help="auto, cpu, cuda or mps.")]

RESUMABLE_OVERRIDES = ("epochs", "device", "data_dir")


def _need_torch() -> None:
    try:
        import torch  # noqa: F401
    except ImportError:
        raise UsageError("this command needs PyTorch",
                         "install it with: pip install 'cnncalc[train]'") from None


def load_data(data_dir: Path | None, quiet: bool = False) -> Any:
    from .. import data

    directory = data.locate(data_dir)
    if directory is None:
        directory = data.cache_dir()
        if not quiet:
            console(stderr=True).print(f"MNIST not found; downloading to {directory}",
                                       markup=False)
        _download(directory, quiet)
    return data.load(directory)


def _download(directory: Path, quiet: bool) -> list[Path]:
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TransferSpeedColumn

    from .. import data

    with Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(),
                  TransferSpeedColumn(), console=console(stderr=True), disable=quiet) as bar:
        tasks: dict[str, Any] = {}

        def progress(name: str, done: int, total: int | None) -> None:
            if name not in tasks:
                tasks[name] = bar.add_task(name, total=total)
            bar.update(tasks[name], completed=done)

        return data.download(directory, progress=progress)


class _StopFlag:
    """First Ctrl-C (or SIGTERM) asks the trainer to stop after the current step."""

    def __init__(self) -> None:
        self.requested = False
        self._previous: dict[int, Any] = {}

    def __enter__(self) -> _StopFlag:
        for sig in (signal.SIGINT, signal.SIGTERM):
            self._previous[sig] = signal.signal(sig, self._handle)
        return self

    def _handle(self, signum: int, frame: Any) -> None:
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True

    def __exit__(self, *exc: object) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)

    def __call__(self) -> bool:
        return self.requested


def register(app: typer.Typer) -> None:
    @app.command()
    @guarded
    def build(
        spec: SpecArg = None,
        input: InputOpt = None,
        preset: PresetOpt = None,
        export: Annotated[str | None, typer.Option(
            "--export", help="Print the model as source: 'py'.", show_default=False)] = None,
        check: Annotated[bool, typer.Option(
            "--check", help="Build it in torch, run a forward pass and confirm every shape and "
            "count against the calculator.")] = False,
        convention: ConventionOpt = "pytorch",
        class_name: Annotated[str, typer.Option("--class-name", help="Class name for --export."
                                                )] = "Net",
    ) -> None:
        """Turn a spec into a PyTorch model: export its source or check it against summary."""
        from ..calc import summarize_spec
        from ..calc.shape import parse_convention, parse_shape

        text, shape_text, _ = resolve(spec, preset, input)
        if export is None and not check:
            raise UsageError("nothing to do", "pass --export py and/or --check")
        if export not in (None, "py", "python"):
            raise UsageError(f"unknown export format '{export}'", "use --export py")
        if not class_name.isidentifier():
            raise UsageError(f"--class-name {class_name!r} is not a Python identifier")
        summary = summarize_spec(text, parse_shape(shape_text), parse_convention(convention))
        _need_torch()
        from ..model import build as build_model

        model = build_model(summary)
        if export:
            from ..export import to_python

            write(to_python(summary, model, class_name))
        if check:
            from ..buildcheck import check_model

            rows, ok = check_model(summary, model)
            table = Table(header_style="bold", title="torch vs calculator", title_justify="left")
            for col in ("#", "layer", "torch output", "calculator", "torch params",
                        "calculator", "ok"):
                table.add_column(col)
            for r in rows:
                table.add_row(*[str(c) for c in r])
            console(stderr=bool(export)).print(table)
            if not ok:
                raise DataError("torch and the calculator disagree (see the table)",
                                "please report this spec")
            console(stderr=bool(export)).print(
                f"ok: {len(rows)} layers, {summary.trainable_params:,} trainable parameters, "
                "every shape and count agrees", markup=False)

    @app.command()
    @guarded
    def train(
        spec: SpecArg = None,
        preset: PresetOpt = None,
        input: InputOpt = None,
        epochs: Annotated[int | None, typer.Option(help="Epochs in total (with --resume: "
                                                      "train up to this epoch).")] = None,
        batch_size: Annotated[int | None, typer.Option(help="Images per step.")] = None,
        lr: Annotated[float | None, typer.Option(help="Learning rate (peak, for onecycle)."
                                                    )] = None,
        optimizer: Annotated[str | None, typer.Option(
            help="sgd, sgd-momentum (alias momentum), adam, adamw or adadelta.")] = None,
        schedule: Annotated[str | None, typer.Option(
            help="Learning-rate schedule: none, step, onecycle or cosine.")] = None,
        init: Annotated[str | None, typer.Option(
            help="Weight init: default, normal, uniform, xavier or kaiming.")] = None,
        seed: Annotated[int | None, typer.Option(help="Random seed.")] = None,
        device: Annotated[str | None, typer.Option(help="auto, cpu, cuda or mps.")] = None,
        precision: Annotated[str | None, typer.Option(
            help="auto (bf16 where the hardware is fast at it), fp32 or bf16.")] = None,
        limit_train: Annotated[int | None, typer.Option(
            help="Train on a random subset of N images (quick runs).")] = None,
        label_smoothing: Annotated[float | None, typer.Option(help="Label smoothing.")
                                   ] = None,
        weight_decay: Annotated[float | None, typer.Option(help="Weight decay.")] = None,
        data_dir: DataDirOpt = None,
        out: Annotated[Path | None, typer.Option(
            "--out", "-o", help="Run folder (default runs/NAME-TIMESTAMP).",
            show_default=False)] = None,
        resume: Annotated[Path | None, typer.Option(
            help="Continue the run in this folder from its last.pt.", show_default=False)] = None,
        force: Annotated[bool, typer.Option(help="Replace a run already in --out.")] = False,
        quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars.")] = False,
        format: Annotated[Format, typer.Option("--format", "-f",
                                               help="table, or json for the history.")
                          ] = Format.table,
    ) -> None:
        """Train a spec (or preset) on MNIST with checkpoints; Ctrl-C saves and can resume."""
        _need_torch()
        from dataclasses import asdict, fields

        from .. import checkpoint as ckpt
        from .. import presets as preset_mod
        from .. import rundir
        from ..calc.shape import parse_shape
        from ..train import TrainOptions
        from ..train import train as run_training
        from .progress import RichReporter, epoch_table

        given = {k: v for k, v in dict(
            epochs=epochs, batch_size=batch_size, lr=lr, optimizer=optimizer,
            schedule=schedule, init=init, seed=seed, device=device, precision=precision,
            limit_train=limit_train, label_smoothing=label_smoothing,
            weight_decay=weight_decay).items() if v is not None}
        if resume is not None:
            extra = [k for k in given if k not in RESUMABLE_OVERRIDES]
            if spec or preset or input or out or force or extra:
                named = ", ".join("--" + k.replace("_", "-") for k in extra) or "SPEC/--out"
                raise UsageError(f"--resume keeps the run's spec and options ({named} given)",
                                 "only --epochs, --device and --data-dir may change on resume")
            last = resume / rundir.LAST if resume.is_dir() else resume
            if resume.is_dir() and not last.exists():
                raise UsageError(f"{resume} holds no last.pt to resume",
                                 "start it anew with --out")
            state = ckpt.load(last)
            state["path"] = str(last)
            run_dir = resume if resume.is_dir() else resume.parent
            known = {f.name for f in fields(TrainOptions)}
            try:
                stored = {k: v for k, v in dict(state["options"]).items() if k in known}
                options = TrainOptions(**{**stored, **given}).check()
            except (TypeError, ValueError, UsageError) as e:
                raise CheckpointError(f"{last}: its training options are unusable ({e})",
                                           "start a new run with --out") from None
            text, shape = str(state["spec"]), tuple(int(d) for d in state["input_shape"])
            convention = str(state["convention"])
            if int(state["state"]["epoch"]) >= options.epochs:
                console().print(f"{run_dir} is already at epoch {state['state']['epoch']} of "
                                f"{options.epochs}; pass --epochs N to train further",
                                markup=False)
                return
        else:
            text, shape_text, _ = resolve(spec, preset, input, preset_mod.DEFAULT)
            chosen = preset_mod.get(preset or preset_mod.DEFAULT) if (preset or not spec) \
                else None
            defaults = dict(chosen.train) if chosen else {}
            options = TrainOptions(**{**defaults, **given})  # type: ignore[arg-type]
            shape = parse_shape(shape_text)
            convention = "pytorch"
            state = None
            if out is None:
                import time
                name = chosen.name if chosen else "spec"
                out = Path("runs") / f"{name}-{time.strftime('%Y%m%d-%H%M%S')}"
            run_dir = out
        options = options.check()
        from ..device import resolve_device
        from ..train import check_memory, check_spec

        # Refuse a bad spec, an oversized model or an unusable folder before any work.
        check_spec(text, shape, convention)
        check_memory(text, shape, options.batch_size, resolve_device(options.device),
                     convention)
        if state is None:
            rundir.prepare(run_dir, force)
        else:
            rundir.clean_stale(run_dir)
        data = load_data(data_dir, quiet)
        out_console = console(stderr=format is Format.json)
        reporter = RichReporter(out_console, quiet)
        with _StopFlag() as stop:
            try:
                result = run_training(text, shape, options, run_dir, data, reporter, stop,
                                      state, convention)
            finally:
                reporter.close()
        if format is Format.json:
            write(json.dumps({"run": str(run_dir), "epoch": result.epoch,
                              "best_test_acc": result.best_acc, "interrupted": result.interrupted,
                              "options": asdict(options), "history": result.history}, indent=2))
        else:
            if result.history and not quiet:
                out_console.print(epoch_table(result.history))
            if result.history:
                out_console.print(f"best test accuracy {result.best_acc:.2%}; run saved in "
                                  f"{run_dir} (last.pt, best.pt, metrics.jsonl)", markup=False)
        if result.interrupted:
            console(stderr=True).print(
                f"interrupted: progress saved in {run_dir / rundir.LAST}; resume with\n"
                f"  cnncalc train --resume {run_dir}", markup=False)
            raise typer.Exit(130)

    @app.command()
    @guarded
    def evaluate(
        checkpoints: Annotated[list[Path], typer.Argument(
            help="One checkpoint, or several to evaluate as an ensemble.")],
        data_dir: DataDirOpt = None,
        device: DeviceOpt = "auto",
        format: Annotated[Format, typer.Option("--format", "-f", help="table or json.")
                          ] = Format.table,
    ) -> None:
        """Test accuracy, loss, per-class accuracy and confusion matrix; several = ensemble."""
        _need_torch()
        from ..evaluate import evaluate as run_eval

        for p in checkpoints:
            if not p.exists():
                raise UsageError(f"{p}: no such checkpoint")
        data = load_data(data_dir, format is Format.json)
        result = run_eval([str(p) for p in checkpoints], data, device)
        if format is Format.json:
            write(json.dumps(result, indent=2))
            return
        from ..render.evaluation import evaluation_view

        console().print(evaluation_view(result))

    @app.command()
    @guarded
    def predict(
        checkpoint: Annotated[Path, typer.Argument(help="A checkpoint from 'cnncalc train'.")],
        image: Annotated[Path | None, typer.Argument(
            help="A digit image (PNG, JPEG, ... or .npy), any size is resized to 28x28.",
            show_default=False)] = None,
        index: Annotated[int | None, typer.Option(
            "--index", help="Predict test-set image N instead of a file.", show_default=False)
                         ] = None,
        top: Annotated[int, typer.Option(help="How many classes to show.", min=1, max=10)] = 3,
        data_dir: DataDirOpt = None,
        device: DeviceOpt = "auto",
        format: Annotated[Format, typer.Option("--format", "-f", help="table or json.")
                          ] = Format.table,
    ) -> None:
        """Top classes with probabilities for one image file or test-set index."""
        _need_torch()
        from ..evaluate import predict as run_predict
        from ..evaluate import read_image

        if (image is None) == (index is None):
            raise UsageError("give an IMAGE file or --index N (one of them)")
        label = None
        if index is not None:
            data = load_data(data_dir, True)
            if not 0 <= index < len(data.test_images):
                raise UsageError(f"--index {index} is outside the test set "
                                 f"(0-{len(data.test_images) - 1})")
            pixels, label = data.test_images[index], int(data.test_labels[index])
        else:
            assert image is not None
            pixels = read_image(image)
        ranked = run_predict(str(checkpoint), pixels, top, device)
        if format is Format.json:
            write(json.dumps({"top": [{"class": c, "probability": p} for c, p in ranked],
                              **({"label": label} if label is not None else {})}, indent=2))
            return
        table = Table(header_style="bold")
        table.add_column("class", justify="right")
        table.add_column("probability", justify="right")
        for c, p in ranked:
            table.add_row(str(c), f"{p:.2%}")
        console().print(table)
        if label is not None:
            verdict = "correct" if ranked[0][0] == label else "wrong"
            console().print(f"true label: {label} ({verdict})", markup=False)

    @app.command()
    @guarded
    def plot(
        run: Annotated[Path, typer.Argument(help="A run folder (or its metrics.jsonl).")],
        out: Annotated[Path | None, typer.Option(
            "--out", "-o", help="PNG path (default RUN/curves.png).", show_default=False)
                       ] = None,
        terminal: Annotated[bool, typer.Option(
            "--terminal", help="Draw in the terminal even if matplotlib is installed.")] = False,
    ) -> None:
        """Learning curves: a PNG with matplotlib, else a compact chart in the terminal."""
        from .. import rundir
        from ..render.curves import terminal_chart

        rows = rundir.read_metrics(run)
        if not terminal:
            try:
                from ..plotting import save_png
            except ImportError:
                save_png = None  # type: ignore[assignment]
            if save_png is not None:
                target = out or (run if run.is_dir() else run.parent) / "curves.png"
                save_png(rows, target)
                console().print(f"wrote {target}", markup=False)
                return
            console(stderr=True).print("matplotlib is not installed (pip install "
                                       "'cnncalc[plot]'); drawing in the terminal", markup=False)
        console().print(terminal_chart(rows))

    data_app = typer.Typer(help="Where MNIST is, whether it is complete; fetch it.",
                           no_args_is_help=True)
    app.add_typer(data_app, name="data")

    @data_app.command("info")
    @guarded
    def data_info(data_dir: DataDirOpt = None) -> None:
        """Show where cnncalc looks for MNIST and what it finds there."""
        from .. import data as data_mod

        table = Table(header_style="bold")
        for col in ("from", "folder", "status"):
            table.add_column(col)
        found = None
        for origin, directory in data_mod.candidates(data_dir):
            missing = data_mod.missing_files(directory)
            if not directory.exists():
                status = "does not exist"
            elif missing:
                status = f"incomplete: lacks {', '.join(missing)}"
            else:
                try:
                    d = data_mod.load(directory)
                    status = (f"ok: {len(d.train_images):,} train, {len(d.test_images):,} test "
                              "images")
                    found = found or directory
                except DataError as e:
                    status = f"damaged: {e}"
            table.add_row(origin, str(directory), status)
        console().print(table)
        if found is None:
            console().print("no complete copy; 'cnncalc data download' fetches one",
                            markup=False)

    @data_app.command("download")
    @guarded
    def data_download(data_dir: DataDirOpt = None) -> None:
        """Download MNIST (checksums verified) into --data-dir or the user cache."""
        from .. import data as data_mod

        target = data_dir or data_mod.cache_dir()
        fetched = _download(target, False)
        data_mod.load(target)
        console().print(f"MNIST is complete in {target}" + (
            f" ({len(fetched)} file(s) downloaded)" if fetched else " (nothing to download)"),
            markup=False)



