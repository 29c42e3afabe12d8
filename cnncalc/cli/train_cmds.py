"""The `train` command: options, run folders, Ctrl-C handling and the progress display."""

from __future__ import annotations

import json
import signal
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from .. import presets as preset_mod
from ..dialects.resolved import Resolved
from ..errors import CheckpointError, RunDirError, UsageError
from ..records import record
from .calc_cmds import InputOpt, PresetOpt, SetOpt, SpecArg, TableJson, resolve
from .common import console, guarded, write
from .data_cmds import DataDirOpt, DatasetOpt, load_data, need_torch

if TYPE_CHECKING:
    from ..train.options import TrainOptions

RESUMABLE_OVERRIDES = ("epochs", "device", "data_dir", "patience", "compile")


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


def _quiet_native_logs() -> None:
    """Under torchrun, torch's C++ side logs each failed connection attempt with a stack
    trace; the failure itself becomes one line here, so only fatal native logs are shown
    (unless the user set TORCH_CPP_LOG_LEVEL). Must run before torch is imported."""
    import os

    if os.environ.get("WORLD_SIZE", "1").strip() not in ("", "1"):
        os.environ.setdefault("TORCH_CPP_LOG_LEVEL", "FATAL")


def _no_shared_layers(resolved: Resolved) -> None:
    """A checkpoint rebuilds its model from spec text, which cannot say that two layers
    share weights: such a model is refused, never trained as independent layers."""
    from ..ir.tree import has_ties

    if has_ties(resolved.nodes):
        raise UsageError("this model applies a layer more than once, sharing its weights, "
                         "which cnncalc cannot train yet (a checkpoint's spec cannot say it)",
                         "summary, explain and draw read it; train it from its own code")


def _declared_sizes_fit(resolved: Resolved) -> None:
    """What train builds is the model summary reads: sizes the code declares
    (`Conv2d(3, ...)`, `Linear(400, ...)`) must fit the input it trains on, or it is an
    error; never a model with other sizes than the code's. Where another input would fit
    every declared size, the error names it: "this model takes 3x32x32 images"."""
    from ..calc.fit import fitting_input
    from ..calc.summary import summarize
    from ..errors import LayerError
    from ..ir.graph import lower
    from ..ops.shape import format_shape

    try:
        summarize(resolved.nodes, resolved.shape, resolved.convention, suggest=False)
    except LayerError as e:
        if not resolved.dialect:  # a spec: the summary's own message and hint say it all
            raise LayerError(e.message, e.hint) from None
        graph = lower(resolved.nodes)

        def notes(shape: tuple[int, ...]) -> tuple[str, ...]:
            s = summarize(graph, shape, resolved.convention, suggest=False)
            return tuple(n for r in s.leaves() for n in r.notes)

        found = fitting_input(graph, resolved.shape, notes)
        takes = (f"this model takes {format_shape(found, resolved.convention)} images; "
                 if found is not None and found != resolved.shape else "")
        raise LayerError(f"{e.message}; {takes}MNIST is 1x28x28, and train builds the model "
                         "the code declares",
                         e.hint or "train a model whose first layer takes 1 channel and whose "
                         "sizes fit 28x28 ('cnncalc summary' shows where they do not)"
                         ) from None


def _note(text: str) -> None:
    """A notice on stderr while a command waits (for other training processes, say)."""
    console(stderr=True).print(f"note: {text}", markup=False)


def _identity(path: Path) -> tuple[int, ...] | None:
    """What changes when a file is replaced or rewritten (cnncalc replaces by rename)."""
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


@record
class _Resume:
    """What `train --resume` continues: the checkpoint, and the options it trains with."""

    last: Path
    given: dict[str, Any]
    seen: tuple[int, ...] | None  # the file's identity, taken before it was read
    state: dict[str, Any]
    options: TrainOptions
    text: str
    shape: tuple[int, ...]
    convention: str

    @classmethod
    def read(cls, last: Path, given: dict[str, Any]) -> _Resume:
        from dataclasses import fields

        from ..train import checkpoint as ckpt
        from ..train.options import TrainOptions

        seen = _identity(last)  # before reading: a replacement during the read is noticed
        state = ckpt.load(last, resume=True)
        state["path"] = str(last)
        known = {f.name for f in fields(TrainOptions)}
        try:
            stored = {k: v for k, v in dict(state["options"]).items() if k in known}
            options = TrainOptions(**{**stored, **given}).check()
        except (TypeError, ValueError, UsageError) as e:
            raise CheckpointError(f"{last}: its training options are unusable ({e})",
                                  "start a new run with --out") from None
        shape = tuple(int(d) for d in state["input_shape"])
        return cls(last, given, seen, state, options, str(state["spec"]), shape,
                   str(state["convention"]))

    def fresh(self) -> _Resume:
        """The checkpoint as it is now, read under the run's lock: this one when the file
        was not replaced since it was read, else read again (a training that held the
        folder may have ended in between, after more epochs). Refused when the new file
        trains another model or with other options than the ones checked before the lock."""
        if self.seen is not None and _identity(self.last) == self.seen:
            return self
        now = _Resume.read(self.last, self.given)
        if (now.options, now.text, now.shape, now.convention) != (
                self.options, self.text, self.shape, self.convention):
            raise RunDirError(f"{self.last} was replaced by another training, with other "
                              "settings, while this one started", "run the command again")
        return now

    def done(self) -> bool:
        return int(self.state["state"]["epoch"]) >= self.options.epochs

    def done_text(self, run_dir: Path) -> str:
        return (f"{run_dir} is already at epoch {self.state['state']['epoch']} of "
                f"{self.options.epochs}; pass --epochs N to train further")


# What a SPEC trains with when an option is not given (cnncalc.train.options.TrainOptions'
# defaults: importing it would import torch, so a test keeps the two equal). A preset, and
# no SPEC at all, bring their own recipe.
SPEC_DEFAULTS: dict[str, object] = {
    "epochs": 2, "batch_size": 128, "lr": 0.003, "optimizer": "adamw", "schedule": "onecycle",
    "init": "default", "seed": 0, "device": "auto", "precision": "auto",
    "weight_decay": 5e-4, "label_smoothing": 0.0}
# The choices completion offers (the option checks in cnncalc.train own the real lists; a
# test keeps these equal to them).
OPTIMIZERS = ("sgd", "sgd-momentum", "momentum", "adam", "adamw", "adadelta")
SCHEDULES = ("none", "step", "onecycle", "cosine")
INITS = ("default", "normal", "uniform", "xavier", "kaiming")
DEVICES = ("auto", "cpu", "cuda", "mps")
PRECISIONS = ("auto", "fp32", "bf16", "fp16")


def _default(name: str) -> str:
    if any(name in p.train for p in preset_mod.PRESETS.values()):
        return f" [default: {SPEC_DEFAULTS[name]} for a SPEC; a preset's own]"
    return f" [default: {SPEC_DEFAULTS[name]}]"


def _choices(values: tuple[str, ...]) -> Callable[[str], list[str]]:
    def complete(incomplete: str) -> list[str]:
        return [v for v in values if v.startswith(incomplete)]

    return complete


def _recipe() -> str:
    recipe = preset_mod.PRESETS[preset_mod.DEFAULT].train
    return ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in recipe.items())


TRAIN_HELP = (
    "Train a spec (or preset) on MNIST with checkpoints; Ctrl-C saves and can resume.\n\n"
    "An option not given takes the default shown for a SPEC; a preset (and no SPEC, which "
    f"trains {preset_mod.DEFAULT}) brings its own recipe: {preset_mod.DEFAULT} trains with "
    f"{_recipe()}. See 'cnncalc presets'.")


def smoothing_note(smoothing: float) -> str:
    return (f"train loss includes label smoothing {smoothing:g}; val and test losses do not, "
            "so the train loss sits above them")


def register(app: typer.Typer) -> None:
    @app.command(help=TRAIN_HELP)
    @guarded
    def train(
        spec: SpecArg = None,
        preset: PresetOpt = None,
        input: InputOpt = None,
        epochs: Annotated[int | None, typer.Option(
            help="Epochs in total (with --resume: train up to this epoch)." + _default("epochs"),
            show_default=False)] = None,
        batch_size: Annotated[int | None, typer.Option(
            help="Images per step." + _default("batch_size"), show_default=False)] = None,
        lr: Annotated[float | None, typer.Option(
            help="Learning rate (peak, for onecycle)." + _default("lr"), show_default=False)
        ] = None,
        optimizer: Annotated[str | None, typer.Option(
            help="sgd, sgd-momentum (alias momentum), adam, adamw or adadelta."
            + _default("optimizer"), show_default=False,
            autocompletion=_choices(OPTIMIZERS))] = None,
        schedule: Annotated[str | None, typer.Option(
            help="Learning-rate schedule: none, step, onecycle or cosine."
            + _default("schedule"), show_default=False,
            autocompletion=_choices(SCHEDULES))] = None,
        init: Annotated[str | None, typer.Option(
            help="Weight init: default, normal, uniform, xavier or kaiming." + _default("init"),
            show_default=False, autocompletion=_choices(INITS))] = None,
        seed: Annotated[int | None, typer.Option(
            help="Random seed, 0 to 2**63-1." + _default("seed"), show_default=False)] = None,
        device: Annotated[str | None, typer.Option(
            help="auto, cpu, cuda or mps." + _default("device"), show_default=False,
            autocompletion=_choices(DEVICES))] = None,
        precision: Annotated[str | None, typer.Option(
            help="auto (bf16 where the hardware is fast at it, fp16 on GPUs without bf16), "
                 "fp32, bf16 or fp16 (CUDA, with a gradient scaler)." + _default("precision"),
            show_default=False, autocompletion=_choices(PRECISIONS))] = None,
        limit_train: Annotated[int | None, typer.Option(
            help="Train on a random subset of N images (quick runs).")] = None,
        label_smoothing: Annotated[float | None, typer.Option(
            help="Label smoothing, 0 to 1. Only the train loss includes it, so with smoothing "
                 "the train loss sits above the validation and test losses."
                 + _default("label_smoothing"), show_default=False)] = None,
        weight_decay: Annotated[float | None, typer.Option(
            help="Weight decay, 0 to 1." + _default("weight_decay"), show_default=False)
        ] = None,
        val_split: Annotated[int | None, typer.Option(
            help="Training images held out (seeded) to choose best.pt and stop early; 0 "
                 "for none (best.pt is then the last epoch). [default: 5000, or a twelfth "
                 "of a smaller training set]",
            show_default=False)] = None,
        patience: Annotated[int | None, typer.Option(
            help="Stop after N epochs without a better validation accuracy.",
            show_default=False)] = None,
        compile: Annotated[bool | None, typer.Option(
            "--compile/--no-compile",
            help="torch.compile the model (opt-in: imports torch._dynamo, seconds of "
                 "start-up, then compiles on the first steps; pays off on long GPU runs).",
            show_default=False)] = None,
        data_dir: DataDirOpt = None,
        dataset: DatasetOpt = None,
        threads: Annotated[int | None, typer.Option(
            help="CPU threads (1 to the CPUs available). Default: every CPU available.",
            show_default=False)] = None,
        out: Annotated[Path | None, typer.Option(
            "--out", "-o", help="Run folder (default runs/NAME-TIMESTAMP).",
            show_default=False)] = None,
        resume: Annotated[Path | None, typer.Option(
            help="Continue the run in this folder from its last.pt.", show_default=False)] = None,
        force: Annotated[bool, typer.Option(help="Replace a run already in --out.")] = False,
        quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars.")] = False,
        format: Annotated[TableJson, typer.Option("--format", "-f",
                                               help="table, or json for the history.")
                          ] = TableJson.table,
        sets: SetOpt = None,
    ) -> None:
        """Train a spec (or preset) on MNIST with checkpoints; Ctrl-C saves and can resume."""
        from ..train.device import check_threads, choose_threads, cpu_policy

        threads = check_threads(threads)
        cpu_policy()  # before torch loads OpenMP
        _quiet_native_logs()  # before torch loads its C++ logging
        need_torch()
        from dataclasses import asdict

        from ..train import rundir
        from ..train.loop import train as run_training
        from ..train.options import TrainOptions, check_compile, check_world
        from .progress import RichReporter, epoch_table

        given = {k: v for k, v in dict(
            epochs=epochs, batch_size=batch_size, lr=lr, optimizer=optimizer,
            schedule=schedule, init=init, seed=seed, device=device, precision=precision,
            limit_train=limit_train, label_smoothing=label_smoothing,
            weight_decay=weight_decay, val_split=val_split, patience=patience,
            compile=compile, dataset=dataset).items() if v is not None}
        TrainOptions(**given).check()  # type: ignore[arg-type]  # in range before any reading
        plan: _Resume | None = None
        if resume is not None:
            extra = [k for k in given if k not in RESUMABLE_OVERRIDES]
            if spec or preset or input or out or force or extra or sets:
                named = ", ".join("--" + k.replace("_", "-") for k in extra) or \
                    ("--set" if sets else "SPEC/--out")
                raise UsageError(f"--resume keeps the run's spec and options ({named} given)",
                                 "only --epochs, --patience, --compile, --device and "
                                 "--data-dir may change on resume")
            last = resume / rundir.LAST if resume.is_dir() else resume
            if resume.is_dir() and not last.exists():
                raise UsageError(f"{resume} holds no last.pt to resume",
                                 "start it anew with --out")
            run_dir = resume if resume.is_dir() else resume.parent
            # Checked in full before any work; read again under the run's lock if another
            # training replaced it in between (see _Resume.fresh).
            plan = _Resume.read(last, given)
            options, text, shape = plan.options, plan.text, plan.shape
            convention = plan.convention
            if plan.done():
                console().print(plan.done_text(run_dir), markup=False)
                return
        else:
            resolved = resolve(spec, preset, input, default_preset=preset_mod.DEFAULT,
                               sets=sets, command="cnncalc train")
            _declared_sizes_fit(resolved)
            _no_shared_layers(resolved)
            chosen = preset_mod.get(preset or preset_mod.DEFAULT) if (preset or not spec) \
                else None
            defaults = dict(chosen.train) if chosen else {}
            if init is None and resolved.init is not None:
                defaults["init"] = resolved.init
                _note(f"init {resolved.init}: the code's own initialisation "
                      f"({resolved.init_note})")
            elif init is None and resolved.init_note:
                _note(f"the code's initialisation ({resolved.init_note}) is not one of the "
                      "trainer's --init schemes for every layer, so training starts from "
                      "torch's default initialisation; --init picks a scheme")
            options = TrainOptions(**{**defaults, **given})  # type: ignore[arg-type]
            text, shape, convention = resolved.spec, resolved.shape, resolved.convention
            if out is None:
                import time
                name = chosen.name if chosen else "spec"
                out = Path("runs") / f"{name}-{time.strftime('%Y%m%d-%H%M%S')}"
            run_dir = out
        options = options.check()
        from contextlib import ExitStack

        from ..errors import CnnCalcError
        from ..train import distributed
        from ..train.device import resolve_device, resolve_precision
        from ..train.prep import check_memory, check_spec

        # Refuse a bad spec, an oversized model or an unusable folder before any work.
        ranks = distributed.from_env()
        check_world(options, ranks)
        check_spec(text, shape, convention)
        device_obj = resolve_device(distributed.device_name(ranks, options.device))
        check_compile(options, device_obj)
        resolve_precision(options.precision, device_obj)
        check_memory(text, shape, options.batch_size, device_obj, convention)
        distributed.init(ranks, device_obj, _note)
        with ExitStack() as held:
            refusal: CnnCalcError | None = None
            if ranks.main:  # one writer: rank 0 owns the folder, under an fcntl lock
                try:
                    held.enter_context(rundir.RunLock(run_dir))
                    if plan is None:
                        rundir.prepare(run_dir, force)
                    else:
                        rundir.clean_stale(run_dir)
                        plan = plan.fresh()  # what is there now that no one else can write
                except CnnCalcError as e:
                    refusal = e
            try:
                told = distributed.share_error(ranks, str(refusal) if refusal else None)
            except RuntimeError as e:
                raise distributed.peer_lost(ranks, e, run_dir) or e from None
            if refusal is not None:
                distributed.finish(ranks)
                raise refusal
            if told is not None:
                distributed.finish(ranks)
                raise RunDirError(f"process 0 refused the run folder: {told}")
            if plan is not None and not ranks.main:
                plan = plan.fresh()  # process 0 holds the lock now: no one else writes it
            if plan is not None and plan.done():  # a training that held it ran the epochs
                distributed.finish(ranks)
                if ranks.main:
                    console().print(plan.done_text(run_dir), markup=False)
                return
            state = None if plan is None else plan.state
            data = load_data(data_dir, quiet or not ranks.main, options.dataset)
            choose_threads(threads)
            out_console = console(stderr=format is TableJson.json)
            reporter = RichReporter(out_console, quiet or not ranks.main)
            with _StopFlag() as stop:
                done = False
                try:
                    result = run_training(text, shape, options, run_dir, data, reporter, stop,
                                          state, convention, ranks)
                    done = not result.interrupted
                finally:
                    reporter.close()
                    distributed.finish(ranks, together=done)
        if not ranks.main:
            if result.interrupted:
                raise typer.Exit(130)
            return
        best_row = result.history[result.best_epoch - 1] if result.best_epoch else None
        if format is TableJson.json:
            write(json.dumps({"run": str(run_dir), "epoch": result.epoch,
                              "best_epoch": result.best_epoch,
                              "best_val_acc": result.best_acc if result.best_acc >= 0 else None,
                              # best.pt's test accuracy (best.pt is chosen on validation)
                              "best_test_acc": best_row["test_acc"] if best_row else None,
                              "stopped_early": result.stopped_early,
                              "interrupted": result.interrupted, "world_size": ranks.world,
                              "options": asdict(options), "history": result.history}, indent=2))
        else:
            if result.history and not quiet:
                out_console.print(epoch_table(result.history))
                if options.label_smoothing:
                    out_console.print(smoothing_note(options.label_smoothing), markup=False,
                                      style="dim")
            if best_row is not None:
                picked = (f"best validation accuracy {result.best_acc:.2%} at epoch "
                          f"{result.best_epoch}" if result.best_acc >= 0 else
                          f"no validation split: best.pt is epoch {result.best_epoch}")
                early = " (stopped early: no better validation accuracy)" \
                    if result.stopped_early else ""
                out_console.print(f"{picked}{early}; its test accuracy {best_row['test_acc']:.2%}"
                                  f"; run saved in {run_dir} (last.pt, best.pt, metrics.jsonl)",
                                  markup=False)
        if result.interrupted:
            console(stderr=True).print(
                f"interrupted: progress saved in {run_dir / rundir.LAST}; resume with\n"
                f"  cnncalc train --resume {run_dir}", markup=False)
            raise typer.Exit(130)
