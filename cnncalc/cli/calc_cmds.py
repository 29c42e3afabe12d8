"""Calculator commands: summary, presets, layers. None of these import torch."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import typer
from rich.table import Table

from .. import presets as preset_mod
from ..calc import summarize_spec
from ..calc.shape import parse_convention, parse_shape
from ..errors import LayerError, UsageError
from ..layers import LAYERS
from ..layers import REQUIRED as LAYERS_REQUIRED
from ..render.records import to_csv, to_json, to_markdown
from ..render.table import summary_table
from .common import console, fail, guarded, write


class Format(str, Enum):
    table = "table"
    json = "json"
    markdown = "markdown"
    csv = "csv"


SpecArg = Annotated[str | None, typer.Argument(
    help="Layer spec, e.g. 'conv(32,3,padding=1)-relu-maxpool(2)-flatten-fc(10)'.",
    show_default=False)]
InputOpt = Annotated[str | None, typer.Option(
    "--input", "-i", help="Input shape CxHxW (HxW means one channel). Default: the preset's, "
    "else 1x28x28.", show_default=False)]
PresetOpt = Annotated[str | None, typer.Option(
    "--preset", "-p", help="A named architecture instead of SPEC (see 'cnncalc presets').",
    show_default=False)]
FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="Output format.")]
BatchOpt = Annotated[int, typer.Option("--batch", "-b", min=1,
                                       help="Batch size; scales MACs and activation memory.")]
ConventionOpt = Annotated[str, typer.Option(
    "--convention", help="Shape rules: pytorch, or keras (alias tf) for Keras' padding and "
    "(None, H, W, C) shapes.")]


def resolve(spec: str | None, preset: str | None, input_shape: str | None,
            default_preset: str | None = None) -> tuple[str, str, str]:
    """(spec text, input text, title) from the SPEC argument or a preset."""
    if spec and preset:
        raise UsageError("give either SPEC or --preset, not both")
    if not spec and not preset:
        if default_preset is None:
            raise UsageError("missing SPEC", "give a spec string or --preset NAME "
                             "(see 'cnncalc presets')")
        preset = default_preset
    if preset:
        p = preset_mod.get(preset)
        return p.spec, input_shape or p.input, f"{p.name}: {p.description}"
    assert spec is not None
    return spec, input_shape or "1x28x28", ""


def render_summary(summary: object, fmt: Format, title: str) -> None:
    from ..calc.summary import Summary
    assert isinstance(summary, Summary)
    if fmt is Format.json:
        write(to_json(summary))
    elif fmt is Format.csv:
        write(to_csv(summary))
    elif fmt is Format.markdown:
        write(to_markdown(summary))
    else:
        console().print(summary_table(summary, title or None))


def register(app: typer.Typer) -> None:
    @app.command()
    @guarded
    def summary(
        spec: SpecArg = None,
        input: InputOpt = None,
        preset: PresetOpt = None,
        format: FormatOpt = Format.table,
        batch: BatchOpt = 1,
        convention: ConventionOpt = "pytorch",
    ) -> None:
        """Layer-by-layer output shapes, parameters, MACs, memory and receptive fields."""
        text, shape_text, title = resolve(spec, preset, input)
        conv = parse_convention(convention)
        shape = parse_shape(shape_text)
        try:
            result = summarize_spec(text, shape, conv, batch)
        except LayerError as e:
            if e.partial is not None and e.partial.layers:
                from dataclasses import replace
                render_summary(replace(e.partial, error=e), format, title)
            fail(e)
        render_summary(result, format, title)

    @app.command()
    @guarded
    def presets(
        format: FormatOpt = Format.table,
    ) -> None:
        """List the named architectures and their parameter counts."""
        rows = []
        for p in preset_mod.PRESETS.values():
            s = summarize_spec(p.spec, parse_shape(p.input))
            rows.append((p, s))
        if format is Format.json:
            import json
            write(json.dumps([{"name": p.name, "input": p.input, "spec": p.spec,
                               "description": p.description,
                               "trainable_params": s.trainable_params,
                               "published_params": p.published_params,
                               "total_macs": s.total_macs} for p, s in rows], indent=2))
            return
        table = Table(header_style="bold")
        for col in ("name", "input", "params", "published", "MACs", "description"):
            table.add_column(col, justify="right" if col in ("params", "published", "MACs")
                             else "left")
        for p, s in rows:
            star = " (default)" if p.name == preset_mod.DEFAULT else ""
            table.add_row(p.name + star, p.input, f"{s.trainable_params:,}",
                          f"{p.published_params:,}" if p.published_params else "-",
                          f"{s.total_macs:,}", p.description)
        console().print(table)

    @app.command()
    @guarded
    def layers() -> None:
        """List the layers of the spec language with their arguments."""
        table = Table(header_style="bold")
        table.add_column("layer")
        table.add_column("aliases")
        table.add_column("arguments (positional order)")
        table.add_column("PyTorch")
        for d in LAYERS.values():
            args = ", ".join(p.name + ("" if p.default is LAYERS_REQUIRED else
                                       f"={_fmt_default(p.default)}") for p in d.params)
            table.add_row(d.name, ", ".join(d.aliases), args, d.torch)
        table.add_row("res[...]", "", "residual block: body(x) + shortcut(x)", "")
        table.add_row("[...]*N", "", "repeat a group N times", "nn.Sequential")
        console().print(table)


def _fmt_default(v: object) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


