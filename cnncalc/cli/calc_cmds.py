"""Calculator commands: summary, presets, layers. None of these import torch."""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, Annotated

import typer

from .. import presets as preset_mod
from ..calc import summarize_spec
from ..dialects.resolve import Resolved
from ..dialects.resolve import resolve as resolve_model
from ..errors import LayerError, UsageError
from ..layers import LAYERS
from ..layers import REQUIRED as LAYERS_REQUIRED
from ..ops.shape import parse_shape
from ..render.records import to_csv, to_json, to_markdown
from .common import console, fail, guarded, note, write
from .fast import input_note, take

if TYPE_CHECKING:
    from ..calc.summary import Summary


class Format(str, Enum):
    """summary's formats: a table, or the whole record as JSON, Markdown or CSV."""

    table = "table"
    json = "json"
    markdown = "markdown"
    csv = "csv"


class TableJson(str, Enum):
    """The formats of commands whose answer is not a layer summary (presets, check, solve,
    evaluate, predict, train): a table for people, or JSON for programs."""

    table = "table"
    json = "json"


class ExplainFormat(str, Enum):
    """explain's formats: text for the terminal, Markdown for a report, or JSON."""

    table = "table"
    markdown = "markdown"
    json = "json"


SpecArg = Annotated[str | None, typer.Argument(
    help="Layer spec, e.g. 'conv(32,3,padding=1)-relu-maxpool(2)-flatten-fc(10)'; PyTorch or "
    "Keras class names; a .py file or pasted code (nn.Sequential, an nn.Module class, Keras "
    "Sequential); '-' reads code from standard input.", show_default=False)]
InputOpt = Annotated[list[str] | None, typer.Option(
    "--input", "-i", help="Input shape: 1x28x28, (1, 28, 28) or 1,28,28 (C x H x W; H x W x C "
    "under Keras), flat:N for a vector. Default: the code's or preset's, else 1x28x28. A "
    "model with several inputs takes one per input by name: -i x=1x28x28 -i y=flat:10.",
    show_default=False)]


def one_input_text(input: list[str] | None, what: str) -> str | None:
    """--input where `what` takes one plain shape: given once, naming no input."""
    if not input:
        return None
    if len(input) > 1 or "=" in input[0]:
        raise UsageError(f"{what} takes one input: give --input once, as a shape alone",
                         "e.g. --input 1x28x28")
    return input[0]
def complete_preset(incomplete: str) -> list[tuple[str, str]]:
    """Shell completion for --preset: the preset names, each with its description."""
    return [(p.name, p.description) for p in preset_mod.PRESETS.values()
            if p.name.startswith(incomplete)]


def complete_convention(incomplete: str) -> list[str]:
    return [c for c in ("pytorch", "keras", "tf") if c.startswith(incomplete)]


PresetOpt = Annotated[str | None, typer.Option(
    "--preset", "-p", help="A named architecture instead of SPEC (see 'cnncalc presets').",
    show_default=False, autocompletion=complete_preset)]
FormatOpt = Annotated[Format, typer.Option(
    "--format", "-f", help="table for the terminal; json, markdown or csv for the whole "
    "record.")]
TableJsonOpt = Annotated[TableJson, typer.Option("--format", "-f",
                                                 help="table, or json for programs.")]
BatchOpt = Annotated[int, typer.Option("--batch", "-b", min=1,
                                       help="Batch size; scales MACs and activation memory.")]
ConventionOpt = Annotated[str | None, typer.Option(
    "--convention", help="Shape rules: pytorch, or keras (alias tf) for Keras' padding and "
    "(None, H, W, C) shapes. Default: keras for a model written with Keras classes, else "
    "pytorch.", show_default=False, autocompletion=complete_convention)]
ModelOpt = Annotated[str | None, typer.Option(
    "--model", "-m", help="Which model, when the code defines several.", show_default=False)]
SetOpt = Annotated[list[str] | None, typer.Option(
    "--set", help="A value the code knows only when it runs, as NAME=VALUE with VALUE a "
    "Python literal: a module-level name, an argument of the model's constructor, or an "
    "attribute such as args.num_classes (e.g. --set num_classes=10). Repeatable.",
    show_default=False)]


def resolve(spec: str | None, preset: str | None, input_shape: list[str] | str | None,
            convention: str | None = None, model: str | None = None,
            default_preset: str | None = None, sets: list[str] | None = None,
            several: bool = False, command: str = "this command",
            inputs: bool = False) -> Resolved:
    """SPEC_OR_FILE (+ --preset, --input, --convention, --model, --set) to what summary
    needs: the one entry point every command that takes a model uses. A model with several
    outputs is refused, naming `command`, unless the command reads them (`several`); so is
    one with several inputs, unless the command reads them (`inputs`)."""
    from ..dialects.given import parse_sets

    values = parse_sets(sets or [])  # before anything is read
    plain = [input_shape] if isinstance(input_shape, str) else (input_shape or [])
    # The fast path's reading of these same arguments, where it read them and left the call.
    r = None if values or default_preset or len(plain) > 1 else \
        take(spec, preset, plain[0] if plain else None, convention, model)
    if r is None:
        r = resolve_model(spec, preset, input_shape, convention, model, default_preset, values,
                          one_input_for=None if inputs else command)
    if not inputs:
        from ..dialects.resolve import one_input

        one_input(r, command)
    if not several:
        from ..dialects.resolve import one_output

        one_output(r, command)
    said = input_note(plain[0], r) if len(plain) == 1 and not r.inputs else None
    if said is not None:
        note(said)
    return r


def summarize_resolved(r: Resolved, batch: int = 1) -> Summary:
    from ..calc.summary import summarize

    return summarize(r.nodes, r.shape, r.convention, batch, r.spec, inputs=r.inputs)


ColumnsOpt = Annotated[str | None, typer.Option(
    "--columns", help="Table columns to show, e.g. 'layer,output,params,RF' (default: as many "
    "as fit the width, most important first).", show_default=False)]
WideOpt = Annotated[bool, typer.Option("--wide", help="Show every table column, however wide.")]
ModuleOpt = Annotated[str | None, typer.Option(
    "--module", help="Summarise a torch nn.Module instead of a spec: FILE.py:NAME. This "
    "IMPORTS AND RUNS the code in FILE.py, then NAME(*args) on the meta device; --input is "
    "CxHxW, --batch the batch. Needs the [train] extra.", show_default=False)]
MacsOpt = Annotated[str, typer.Option(
    "--macs", help="What the MACs column counts: cnncalc (MACs), flops (2 × MACs) or "
    "torchinfo (its Mult-Adds). JSON and CSV carry all three.")]
ModuleArgsOpt = Annotated[str | None, typer.Option(
    "--module-args", help="Arguments for NAME as JSON: an object (keywords) or a list.",
    show_default=False)]


def render_summary(summary: object, fmt: Format, title: str, columns: str | None = None,
                   wide: bool = False, macs: str = "cnncalc") -> None:
    from ..calc.costs import parse_figure
    from ..calc.summary import Summary
    from ..render.table import parse_columns

    assert isinstance(summary, Summary)
    picked = parse_columns(columns)
    figure = parse_figure(macs)
    if picked is not None and fmt is not Format.table:
        raise UsageError("--columns chooses table columns", "drop it, or use --format table")
    if fmt is Format.json:
        write(to_json(summary))
    elif fmt is Format.csv:
        write(to_csv(summary), "text")
    elif fmt is Format.markdown:
        write(to_markdown(summary, figure), "text")
    else:
        from ..render.table import summary_table

        console(wide=wide).print(summary_table(summary, title or None, picked, wide, figure))


def register(app: typer.Typer) -> None:
    @app.command()
    @guarded
    def summary(
        spec: SpecArg = None,
        input: InputOpt = None,
        preset: PresetOpt = None,
        format: FormatOpt = Format.table,
        batch: BatchOpt = 1,
        convention: ConventionOpt = None,
        model: ModelOpt = None,
        sets: SetOpt = None,
        columns: ColumnsOpt = None,
        wide: WideOpt = False,
        module: ModuleOpt = None,
        module_args: ModuleArgsOpt = None,
        macs: MacsOpt = "cnncalc",
    ) -> None:
        """Layer-by-layer output shapes, parameters, MACs, memory and receptive fields."""
        from ..calc.costs import parse_figure

        parse_figure(macs)  # a bad --macs is a usage error before any work
        if module is not None:
            if sets:
                raise UsageError("--set gives values to pasted code; --module runs the file",
                                 "pass the model's arguments with --module-args")
            from . import fast
            from .module_input import summarize_module

            text = one_input_text(input, "--module")
            summarize_module(module, module_args, spec, preset, text, batch,
                             convention or "pytorch",
                             lambda s: render_summary(s, format, s.spec, columns, wide, macs),
                             lambda: fast.take_module(module, module_args, text, batch))
            return
        r = resolve(spec, preset, input, convention, model, sets=sets, several=True,
                    inputs=True)
        title = r.title
        if format is not Format.table:  # these formats have no title: say its notes
            from .common import note

            for text in r.notes:
                note(text)
        try:
            result = summarize_resolved(r, batch)
        except LayerError as e:
            if e.partial is not None and e.partial.layers:
                from dataclasses import replace
                render_summary(replace(e.partial, error=e), format, title, columns, wide,
                               macs)
            fail(e)
        render_summary(result, format, title, columns, wide, macs)

    @app.command()
    @guarded
    def presets(
        format: TableJsonOpt = TableJson.table,
    ) -> None:
        """List the named architectures and their parameter counts."""
        rows = []
        for p in preset_mod.PRESETS.values():
            s = summarize_spec(p.spec, parse_shape(p.input))
            rows.append((p, s))
        if format is TableJson.json:
            import json
            write(json.dumps([{"name": p.name, "input": p.input, "spec": p.spec,
                               "description": p.description,
                               "trainable_params": s.trainable_params,
                               "published_params": p.published_params,
                               "total_macs": s.total_macs} for p, s in rows], indent=2))
            return
        from ..render.fit import Column, FittedTable

        columns = [Column("name", "left"), Column("input", "left"), Column("params"),
                   Column("published"), Column("MACs"),
                   Column("description", "left", wraps=True, min_width=16)]
        cells = [[p.name + (" (default)" if p.name == preset_mod.DEFAULT else ""), p.input,
                  f"{s.trainable_params:,}",
                  f"{p.published_params:,}" if p.published_params else "-",
                  f"{s.total_macs:,}", p.description] for p, s in rows]
        console().print(FittedTable(columns, cells, ("name", "params", "description", "input",
                                                     "MACs", "published"), keep=2))

    @app.command()
    @guarded
    def layers() -> None:
        """List the layers of the spec language with their arguments."""
        from ..render.fit import Column, FittedTable

        rows = [[d.name, ", ".join(d.aliases), ", ".join(
            p.name + ("" if p.default is LAYERS_REQUIRED else f"={_fmt_default(p.default)}")
            for p in d.params), d.torch] for d in LAYERS.values()]
        rows += [["res[...]", "", "residual block: body(x) + shortcut(x)", ""],
                 ["[...]*N", "", "repeat a group N times", "nn.Sequential"]]
        table = FittedTable([Column("layer", "left"), Column("aliases", "left", wraps=True,
                                                             min_width=12),
                             Column("arguments", "left", wraps=True, min_width=20),
                             Column("PyTorch", "left")], rows,
                            ("layer", "arguments", "PyTorch", "aliases"), keep=2)
        console().print(table)


def _fmt_default(v: object) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str) and v.startswith("="):
        return v[1:]  # the value of that earlier argument
    return str(v)




def register_teaching(app: typer.Typer) -> None:
    @app.command()
    @guarded
    def explain(
        spec: SpecArg = None,
        input: InputOpt = None,
        preset: PresetOpt = None,
        format: Annotated[ExplainFormat, typer.Option(
            "--format", "-f", help="table (text for the terminal), markdown for a report, or "
            "json.")] = ExplainFormat.table,
        convention: ConventionOpt = None,
        model: ModelOpt = None,
        sets: SetOpt = None,
    ) -> None:
        """Work through each layer like a homework answer: formulas with the numbers in."""
        from ..calc.explain import explain as run_explain
        from ..render.explain import explain_markdown, explain_rich

        result = summarize_resolved(resolve(spec, preset, input, convention, model,
                                            sets=sets, several=True, inputs=True))
        items = run_explain(result)
        if format is ExplainFormat.markdown:
            write(explain_markdown(items, result), "text")
        elif format is ExplainFormat.json:
            import json
            from dataclasses import asdict

            write(json.dumps([asdict(e) for e in items], indent=2, ensure_ascii=False))
        else:
            console().print(explain_rich(items, result))

    @app.command()
    @guarded
    def solve(
        spec: SpecArg = None,
        input: Annotated[str | None, typer.Option(
            "--input", "-i", help="Input size N (a layer question), or CxHxW channels for a "
            "SPEC question.", show_default=False)] = None,
        output: Annotated[str | None, typer.Option(
            "--output", "-o", help="Wanted output size: M, or HxW with SPEC.",
            show_default=False)] = None,
        kernel: Annotated[int | None, typer.Option(help="Fix the kernel size.", min=1)
                          ] = None,
        stride: Annotated[int | None, typer.Option(help="Fix the stride.", min=1)] = None,
        padding: Annotated[int | None, typer.Option(help="Fix the padding.", min=0)] = None,
        dilation: Annotated[int | None, typer.Option(help="Fix the dilation.", min=1)
                            ] = None,
        layer: Annotated[str, typer.Option(
            help="conv, maxpool, avgpool or convt.",
            autocompletion=lambda incomplete: [k for k in ("conv", "maxpool", "avgpool", "convt")
                                               if k.startswith(incomplete)])] = "conv",
        limit: Annotated[int, typer.Option(help="Rows to show.", min=1)] = 15,
        max_input: Annotated[int, typer.Option(
            help="Largest input size tried with SPEC (at most 100,000).", min=1)] = 512,
        model: ModelOpt = None,
        sets: SetOpt = None,
        format: TableJsonOpt = TableJson.table,
    ) -> None:
        """Solve backwards: settings that give an output size, or inputs that fit a spec."""
        import json

        from ..calc.solve import ranges, search_inputs, solve_layer

        if output is None:
            raise UsageError("missing --output", "e.g. --input 28 --output 14 --kernel 3")
        if not spec and (model is not None or sets):
            raise UsageError(f"{'--model' if model is not None else '--set'} needs a SPEC "
                             "that is code (a .py file, '-' or pasted code)")
        if spec:
            wanted = parse_shape(output)  # "7" and "7x7" both mean a 7x7 map
            if len(wanted) != 3:
                raise UsageError(f"bad --output '{output}'", "write HxW, e.g. 1x1 or 7x7")
            target = (wanted[1], wanted[2])
            from ..dialects.resolve import looks_like_code

            code = None
            if spec == "-" or spec.endswith(".py") or looks_like_code(spec) or \
                    model is not None or sets:
                # code (a file, standard input or pasted): the model it builds (a spec with
                # --model or --set is refused there, as by every command), with the sizes
                # it declares
                code = resolve(spec, None, None, model=model, sets=sets,
                               command="cnncalc solve")
                spec = code.spec
            # the channels given, else those the code's first layer declares, else 1
            channels = parse_shape(input)[0] if input else \
                code.shape[0] if code is not None and len(code.shape) == 3 else 1
            search = search_inputs(spec, (target[0], target[1]), channels, 1, max_input,
                                   nodes=code.nodes if code else None,
                                   convention=code.convention if code else "pytorch")
            heights, widths = search.heights, search.widths
            # The search stops early on very long specs; say where, never imply it was whole.
            narrowed = (f"searched input sizes 1 to {search.searched:,} only: the spec is too "
                        "long to try every size up to --max-input within the work limit"
                        if search.narrowed else "")
            if format is TableJson.json:
                record: dict[str, object] = {"heights": [h.size for h in heights],
                                             "widths": [w.size for w in widths],
                                             "exact_heights": [h.size for h in heights
                                                               if h.exact],
                                             "exact_widths": [w.size for w in widths if w.exact]}
                if search.narrowed:
                    record["searched_up_to"] = search.searched
                write(json.dumps(record, indent=2))
                return
            out = console()
            if not heights or not widths:
                out.print(f"no input from 1 to {search.searched} ends at "
                          f"{target[0]}x{target[1]}", markup=False)
                if narrowed:
                    out.print(narrowed, markup=False)
                raise typer.Exit(1)
            same = heights == widths
            for label, sizes in ((("H and W" if same else "H"), heights),
                                 *([] if same else [("W", widths)])):
                exact = [x.size for x in sizes if x.exact]
                out.print(f"{label}: {ranges([x.size for x in sizes])}", markup=False)
                out.print(f"  exact (every pixel read): {ranges(exact) or 'none'}",
                          markup=False)
            if narrowed:
                out.print(narrowed, markup=False)
            return
        if input is None or not input.isdigit() or not output.isdigit():
            raise UsageError("a layer question needs --input N and --output M as integers",
                             "or pass a SPEC with --output HxW")
        n, m = int(input), int(output)
        found = solve_layer(n, m, layer, kernel, stride, padding, dilation)
        if format is TableJson.json:
            write(json.dumps([{"spec": f.spec(layer), "kernel": f.kernel, "stride": f.stride,
                               "padding": f.padding, "dilation": f.dilation,
                               "output_padding": f.output_padding, "exact": f.exact}
                              for f in found], indent=2))
            return
        if not found:
            console().print(f"no {layer} in the search ranges takes {n} to {m}", markup=False)
            raise typer.Exit(1)
        from ..render.fit import Column, FittedTable

        names = ["layer", "kernel", "stride", "padding", "dilation", "exact"]
        if layer == "convt":
            names.append("output_padding")
        cells = []
        for f in found[:limit]:
            row = [f.spec(layer), str(f.kernel), str(f.stride), str(f.padding),
                   str(f.dilation), "✓" if f.exact else "drops pixels"]
            if layer == "convt":
                row[-1] = "✓" if f.exact else "uses output_padding"
                row.append(str(f.output_padding))
            cells.append(row)
        table = FittedTable([Column(c, "left" if c == "layer" else "right") for c in names],
                            cells, [c for c in ("layer", "exact", "output_padding", "kernel",
                                                "stride", "padding", "dilation") if c in names],
                            title=f"{layer}: {n} → {m}  "
                            f"({len(found):,} solutions, {sum(f.exact for f in found):,} exact)")
        console().print(table)
