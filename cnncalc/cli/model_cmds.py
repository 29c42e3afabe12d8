"""Model commands: build (export, check), evaluate, predict and plot."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..errors import DataError, ResourceError, UsageError
from .calc_cmds import (
    ConventionOpt,
    InputOpt,
    ModelOpt,
    PresetOpt,
    SetOpt,
    SpecArg,
    TableJson,
    TableJsonOpt,
    resolve,
    summarize_resolved,
)
from .common import console, guarded, write
from .data_cmds import DataDirOpt, DatasetOpt, load_data, need_torch

ClassNameOpt = Annotated[str, typer.Option("--class-name", help="Class name of the exported "
                                          "model.")]
PlainSpecOpt = Annotated[str | None, typer.Option(
    "--spec", help="The spec of a plain state dict (not needed for cnncalc checkpoints).",
    show_default=False)]
if TYPE_CHECKING:
    from ..train.evaluate import PlainSpec

DeviceOpt = Annotated[str, typer.Option("--device", help="auto, cpu, cuda or mps.")]
TableOrJson = TableJsonOpt


def check_name(class_name: str) -> None:
    """Refuse a class name the generated file cannot define, before any work."""
    from ..export.codegen import check_class_name

    check_class_name(class_name)


def plain_spec(spec: str | None, preset: str | None,
               input: list[str] | None) -> PlainSpec | None:
    """The model of a plain state dict, from --spec/--preset (+ --input), or None."""
    if spec is None and preset is None:
        if input:
            raise UsageError("--input describes a plain state dict's model; give --spec too")
        return None
    from ..train.evaluate import PlainSpec

    r = resolve(spec, preset, input, command="a plain state dict's --spec")
    return PlainSpec(r.spec, r.shape, r.convention)


def register(app: typer.Typer) -> None:
    @app.command()
    @guarded
    def build(
        spec: SpecArg = None,
        input: InputOpt = None,
        preset: PresetOpt = None,
        export: Annotated[str | None, typer.Option(
            "--export", help="Print the model as source: 'py' (PyTorch) or 'keras'.",
            show_default=False)] = None,
        check: Annotated[bool, typer.Option(
            "--check", help="Build it in torch, run a forward pass and confirm every shape and "
            "count against the calculator.")] = False,
        convention: ConventionOpt = None,
        model_name: ModelOpt = None,
        class_name: ClassNameOpt = "Net",
        sets: SetOpt = None,
    ) -> None:
        """Turn a spec into a PyTorch model: export its source or check it against summary."""
        resolved = resolve(spec, preset, input, convention, model_name, sets=sets,
                           several=True, command="cnncalc build", inputs=True)
        if export is None and not check:
            raise UsageError("nothing to do", "pass --export py, --export keras and/or --check")
        if export not in (None, "py", "python", "keras"):
            raise UsageError(f"unknown export format '{export}'",
                             "use --export py or --export keras")
        if export in ("py", "python"):
            check_name(class_name)
        if check:
            need_torch()  # before any output: --check must not fail after the export
        summary = summarize_resolved(resolved)
        # Both writers work from the summary alone: exporting needs no torch, and a huge
        # spec allocates nothing.
        if export == "keras":
            from ..export.keras import to_keras

            write(to_keras(summary))
        elif export in ("py", "python"):
            from ..export.pytorch import to_python

            write(to_python(summary, class_name))
        if check:
            from ..train.model import build as build_model
            from ..train.prep import available_memory

            need = summary.total_params * 4 + summary.activation_bytes
            have = available_memory()
            if have is not None and need > have:
                raise ResourceError(f"--check would allocate about {need / 2**30:.1f} GiB but "
                                    f"{have / 2**30:.1f} GiB is available",
                                    "use --export py alone, or a smaller spec")
            model = build_model(summary)
            from ..train.buildcheck import check_model

            rows, ok = check_model(summary, model)
            from rich.table import Table

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
                f"ok: {len(summary.leaves())} layers, {summary.trainable_params:,} trainable "
                "parameters, every shape and count agrees", markup=False)

    @app.command()
    @guarded
    def evaluate(
        checkpoints: Annotated[list[Path], typer.Argument(
            help="One checkpoint, or several to evaluate as an ensemble.")],
        data_dir: DataDirOpt = None,
        dataset: DatasetOpt = None,
        device: DeviceOpt = "auto",
        format: TableOrJson = TableJson.table,
        spec: PlainSpecOpt = None,
        input: InputOpt = None,
        preset: PresetOpt = None,
    ) -> None:
        """Test accuracy, loss, per-class accuracy and confusion matrix; several = ensemble.

        A plain state dict (from 'cnncalc export' or Net().state_dict()) needs --spec or
        --preset to say which model it is.
        """
        need_torch()
        from ..train.evaluate import dataset_of, read_checkpoints
        from ..train.evaluate import evaluate as run_eval

        plain = plain_spec(spec, preset, input)
        for p in checkpoints:
            if not p.exists():
                raise UsageError(f"{p}: no such checkpoint")
        names = [str(p) for p in checkpoints]
        # Read (and verified) once: here when the dataset comes from them, else in run_eval.
        loaded = {} if plain or dataset else read_checkpoints(names)
        data = load_data(data_dir, format is TableJson.json,
                         dataset or ("mnist" if plain else dataset_of(loaded)))
        result = run_eval(names, data, device, plain=plain, loaded=loaded)
        if format is TableJson.json:
            write(json.dumps(result, indent=2))
            return
        from ..render.evaluation import evaluation_view

        console().print(evaluation_view(result))

    @app.command()
    @guarded
    def predict(
        checkpoint: Annotated[Path, typer.Argument(help="A checkpoint from 'cnncalc train'.")],
        image: Annotated[Path | None, typer.Argument(
            help="A digit image: PNG, JPEG, BMP, GIF or .npy (recognised by content); any "
                 "size is resized to 28x28.",
            show_default=False)] = None,
        index: Annotated[int | None, typer.Option(
            "--index", help="Predict test-set image N instead of a file.", show_default=False)
                         ] = None,
        top: Annotated[int, typer.Option(help="How many classes to show.", min=1, max=10)] = 3,
        data_dir: DataDirOpt = None,
        dataset: DatasetOpt = None,
        device: DeviceOpt = "auto",
        format: TableOrJson = TableJson.table,
        spec: PlainSpecOpt = None,
        input: InputOpt = None,
        preset: PresetOpt = None,
    ) -> None:
        """Top classes with probabilities for one image file or test-set index."""
        need_torch()
        from ..train.evaluate import dataset_of, read_checkpoints
        from ..train.evaluate import predict as run_predict
        from ..train.images import read_image

        plain = plain_spec(spec, preset, input)
        if (image is None) == (index is None):
            raise UsageError("give an IMAGE file or --index N (one of them)")
        label = None
        # Read (and verified) once: here when the dataset comes from it, else in run_predict.
        loaded = {} if plain or dataset or index is None else read_checkpoints([str(checkpoint)])
        if index is not None:
            data = load_data(data_dir, True,
                             dataset or ("mnist" if plain else dataset_of(loaded)))
            if not 0 <= index < len(data.test_images):
                raise UsageError(f"--index {index} is outside the test set "
                                 f"(0-{len(data.test_images) - 1})")
            pixels, label = data.test_images[index], int(data.test_labels[index])
        else:
            assert image is not None
            pixels = read_image(image)
        ranked = run_predict(str(checkpoint), pixels, top, device, plain,
                             loaded.get(str(checkpoint)))
        if format is TableJson.json:
            write(json.dumps({"top": [{"class": c, "probability": p} for c, p in ranked],
                              **({"label": label} if label is not None else {})}, indent=2))
            return
        from rich.table import Table

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
    def export(
        checkpoint: Annotated[Path, typer.Argument(help="A checkpoint from 'cnncalc train'.")],
        out: Annotated[Path, typer.Option(
            "--out", "-o", help="The Python file to write; the weights go beside it, same "
            "name with .pt.", show_default=False)],
        class_name: ClassNameOpt = "Net",
        force: Annotated[bool, typer.Option(
            "--force", help="Replace model.py and model.pt even when they are not this "
            "export's own earlier output (a run's checkpoint, your own file).")] = False,
    ) -> None:
        """Write a trained model as plain PyTorch: its class (.py) and its state dict (.pt).

        Refuses to replace any file that an earlier 'cnncalc export' did not write, unless
        --force; the generated code is checked by parsing it, never run.
        """
        from ..train.export_files import pair_for

        check_name(class_name)
        pair_for(out)  # a .py name in a folder that exists: checked before anything else
        need_torch()
        from ..train.export import write_plain

        weights = write_plain(checkpoint, out, class_name, force)
        console().print(f"wrote {out} (class {class_name}) and {weights} (its state dict)",
                        markup=False)

    @app.command()
    @guarded
    def plot(
        runs: Annotated[list[Path], typer.Argument(
            help="Run folders (or their metrics.jsonl); several are overlaid.")],
        out: Annotated[Path | None, typer.Option(
            "--out", "-o", help="PNG path (default RUN/curves.png for one run, curves.png "
            "for several).", show_default=False)] = None,
        terminal: Annotated[bool, typer.Option(
            "--terminal", help="Draw in the terminal even if matplotlib is installed.")] = False,
    ) -> None:
        """Learning curves: train and validation on one figure, test accuracy marked."""
        from ..train.curves import terminal_chart
        from ..train.metrics import read
        from .draw_cmds import write_atomic

        if len(runs) > 8:
            raise UsageError(f"{len(runs)} runs is too many to overlay", "give at most 8")
        if out is not None and out.suffix.lower() != ".png":
            raise UsageError(f"--out {out}: plot writes PNG", "name the file .png")
        loaded = [read(r) for r in runs]
        err = console(stderr=True)
        for m in loaded:
            for note in m.notes:
                err.print(f"note: {m.path}: {note}", markup=False)
        if not terminal:
            try:
                from ..train.plotting import curves_png
            except ImportError:
                err.print("matplotlib is not installed (pip install 'cnncalc[plot]'); "
                          "drawing in the terminal", markup=False)
            else:
                first = runs[0] if runs[0].is_dir() else runs[0].parent
                target = out or (first / "curves.png" if len(runs) == 1 else Path("curves.png"))
                write_atomic(target, curves_png(loaded))
                console().print(f"wrote {target}", markup=False)
                return
        console().print("\n\n".join(terminal_chart(m) for m in loaded), markup=False)
