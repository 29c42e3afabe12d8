"""The draw command: architecture diagrams (SVG, PNG, Mermaid) from any spec; no torch."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from ..errors import CnnCalcError, LayerError, UsageError
from .calc_cmds import (
    ConventionOpt,
    InputOpt,
    ModelOpt,
    PresetOpt,
    SetOpt,
    SpecArg,
    resolve,
    summarize_resolved,
)
from .common import echo, guarded, write
from .data_cmds import DataDirOpt


class Style(str, Enum):
    layered = "layered"
    flat = "flat"


class DrawFormat(str, Enum):
    svg = "svg"
    mermaid = "mermaid"


def write_atomic(path: Path, data: bytes) -> None:
    """Write a picture with the project's atomic writer (a reader sees the old file or the
    whole new one), after the checks that make a bad -o a usage error."""
    from ..files import atomic_write

    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise UsageError(f"-o {path} is a folder", "give a file name such as net.svg")
    if not folder.is_dir():
        raise UsageError(f"-o {path}: the folder {folder} does not exist")
    atomic_write(path, lambda f: f.write(data), CnnCalcError, None)


def _target_kind(out: Path | None, fmt: DrawFormat) -> str:
    if fmt is DrawFormat.mermaid:
        if out is not None and out.suffix.lower() in (".svg", ".png"):
            raise UsageError(f"-o {out}: --format mermaid writes text",
                             "name the file .md or .mmd")
        return "mermaid"
    if out is None:
        return "svg"
    suffix = out.suffix.lower()
    if suffix in (".svg", ".png"):
        return suffix[1:]
    raise UsageError(f"-o {out}: unknown picture type '{out.suffix or '(none)'}'",
                     "name the file .svg or .png, or use --format mermaid")


def register(app: typer.Typer) -> None:
    register_visualize(app)

    @app.command()
    @guarded
    def draw(
        spec: SpecArg = None,
        input: InputOpt = None,
        preset: PresetOpt = None,
        out: Annotated[Path | None, typer.Option(
            "--out", "-o", help="Write to this file: .svg, or .png (needs the plot extra). "
            "Default: SVG on stdout.", show_default=False)] = None,
        style: Annotated[Style, typer.Option(
            "--style", help="layered: feature maps as boxes to scale; flat: one row per "
            "layer.")] = Style.layered,
        format: Annotated[DrawFormat, typer.Option(
            "--format", "-f", help="svg (or PNG by the -o name), or mermaid for Markdown."
        )] = DrawFormat.svg,
        expand: Annotated[bool, typer.Option(
            "--expand", help="Draw repeated groups in full instead of once with ×N.")] = False,
        convention: ConventionOpt = None,
        model: ModelOpt = None,
        sets: SetOpt = None,
    ) -> None:
        """Draw the architecture: feature maps to scale, kernels, skips; SVG, PNG or Mermaid."""
        from ..render.draw import diagram, mermaid

        kind = _target_kind(out, format)
        if kind == "png":
            try:
                import matplotlib  # noqa: F401
            except ImportError:
                raise UsageError("PNG output needs matplotlib",
                                 "pip install 'cnncalc[plot]', or write .svg") from None
        r = resolve(spec, preset, input, convention, model, sets=sets,
                    command="cnncalc draw")
        title = r.title
        try:
            summary = summarize_resolved(r)
        except LayerError as e:
            # Only a whole net is drawn; the partial summary is for 'summary' to show.
            raise LayerError(e.message, e.hint or "run 'cnncalc summary' to see how far it "
                             "gets") from None
        if kind == "mermaid":
            chart = mermaid(summary, title, collapse=not expand)
            if out is None:
                write(chart, "text")
                return
            write_atomic(out, chart.encode())
        else:
            picture = diagram(summary, style.value, title, collapse=not expand)
            for note in picture.notes:
                echo(f"note: {note}")
            if kind == "png":
                from ..render.draw_png import to_png

                data = to_png(picture)
            else:
                from ..render.draw_svg import to_svg

                svg = to_svg(picture)
                if out is None:
                    write(svg, "xml")
                    return
                data = svg.encode()
            assert out is not None
            write_atomic(out, data)
        echo(f"wrote {out}")  # plain: importing rich costs more than drawing


def register_visualize(app: typer.Typer) -> None:
    @app.command()
    @guarded
    def visualize(
        checkpoint: Annotated[Path, typer.Argument(help="A checkpoint from 'cnncalc train'.")],
        image: Annotated[Path | None, typer.Option(
            "--image", help="Your own digit image: PNG, JPEG, BMP, GIF or .npy (recognised by "
            "content), 28x28 after resizing.", show_default=False)] = None,
        index: Annotated[int | None, typer.Option(
            "--index", help="Test-set image N (default 0 when no --image).",
            show_default=False)] = None,
        out: Annotated[Path | None, typer.Option(
            "--out", "-o", help="PNG path (default: view.png next to the checkpoint).",
            show_default=False)] = None,
        data_dir: DataDirOpt = None,
    ) -> None:
        """What the net sees: first-layer filters and every conv stage's feature maps."""
        from .data_cmds import load_data, need_torch

        if image is not None and index is not None:
            raise UsageError("give --image FILE or --index N, not both")
        if out is not None and out.suffix.lower() != ".png":
            raise UsageError(f"--out {out}: visualize writes PNG", "name the file .png")
        need_torch()
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            raise UsageError("visualize needs matplotlib",
                             "pip install 'cnncalc[plot]'") from None
        from ..train.images import read_image
        from ..train.plotting import view_png
        from ..train.visualize import open_checkpoint, view

        opened = open_checkpoint(checkpoint)  # a bad file is refused before data is loaded
        label = None
        if image is not None:
            pixels = read_image(image)
        else:
            n = 0 if index is None else index
            data = load_data(data_dir, True)
            if not 0 <= n < len(data.test_images):
                raise UsageError(f"--index {n} is outside the test set "
                                 f"(0-{len(data.test_images) - 1})")
            pixels, label = data.test_images[n], int(data.test_labels[n])
        result = view(opened, pixels, label)
        target = out or checkpoint.parent / "view.png"
        write_atomic(target, view_png(result))
        echo(f"wrote {target}")
