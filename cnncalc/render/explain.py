"""`explain` output: a worked answer per layer, as rich text or Markdown for a report."""

from __future__ import annotations

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.text import Text

from ..calc.explain import Explained, torchinfo_mult_adds
from ..calc.summary import Summary
from .safe import md_cell, md_code
from .screen import Screened, safe_text
from .units import count

MAC_NOTE = ("MACs count one multiply-accumulate per weight use in conv, transposed conv and fc "
            "layers; bias additions, activations, pooling, batch norm and residual additions "
            "are not counted (FLOPs = 2 × MACs). fvcore counts conv and fc the same way.")


def _torchinfo_line(s: Summary) -> str:
    return (f"torchinfo would report {count(torchinfo_mult_adds(s))} Mult-Adds: it also "
            "counts each conv bias once per output pixel and every fc or batch-norm "
            "parameter once.")


class Hanging:
    """A label, then text that wraps under itself rather than at the left margin."""

    def __init__(self, label: Text, text: Text) -> None:
        self.label = label
        self.text = text

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        indent = self.label.cell_len
        room = max(10, options.max_width - indent)
        text = safe_text(self.text, console)  # wrapped here, so made safe before wrapping
        for i, line in enumerate(text.wrap(console, room, overflow="fold")):
            line.rstrip()  # in place: no trailing spaces from wrapping
            yield Text.assemble(self.label if i == 0 else " " * indent, line)


MAX_LAYERS = 200  # worked answers past this are for --format markdown or json


def explain_rich(items: list[Explained], s: Summary) -> RenderableType:
    parts: list[RenderableType] = []
    if len(items) > MAX_LAYERS:
        parts.append(Text(f"showing the first {MAX_LAYERS} of {len(items):,} layers; "
                          "--format markdown or json has them all", style="dim"))
    for e in items[:MAX_LAYERS]:
        head = Text()
        head.append(f"layer {e.path}  ", style="bold")
        head.append(e.spec, style="bold cyan")
        head.append(f"   {e.input_shape} → {e.output_shape}")
        body: list[RenderableType] = [Hanging(Text(f"  {what:<16}", style="bold"), Text(work))
                                      for what, work in e.lines]
        body += [Hanging(Text("  ⚠ ", style="yellow"), Text(r, style="yellow"))
                 for r in e.remarks]
        parts += [head, *body, Text("")]
    parts.append(Text(f"total: {count(s.trainable_params)} trainable parameters"
                      + (f" + {count(s.non_trainable_params)} non-trainable"
                         if s.non_trainable_params else "")
                      + f", {count(s.total_macs)} MACs", style="bold"))
    parts.append(Text(MAC_NOTE + " " + _torchinfo_line(s), style="dim"))
    return Screened(Group(*parts))  # names from outside, on any console


# Notebook HTML: long formulas wrap inside the cell instead of running off its edge.
_HTML_STYLE = "white-space: normal; overflow-wrap: anywhere; max-width: 100%"


def explain_html(items: list[Explained], s: Summary) -> str:
    """The worked answers as HTML for a notebook: headings and lists, every text escaped."""
    from html import escape

    first = items[0].input_shape if items else s.input_shape
    out = [f'<div class="cnncalc-explain" style="{_HTML_STYLE}">',
           f"<h3><code>{escape(s.spec)}</code></h3>",
           f"<p>Input <code>{escape(str(first))}</code>.</p>"]
    for e in items:
        out.append(f"<h4>Layer {escape(e.path)}: <code>{escape(e.spec)}</code> "
                   f"({escape(str(e.input_shape))} → {escape(str(e.output_shape))})</h4>")
        out.append("<ul>")
        open_item = False
        for what, work in e.lines:
            if what:
                if open_item:
                    out.append("</li>")
                out.append(f"<li><b>{escape(what)}</b>: {escape(work)}")
                open_item = True
            else:  # a further line of the item above
                out.append(f"<br>{escape(work)}")
        if open_item:
            out.append("</li>")
        out += [f"<li>⚠ {escape(r)}</li>" for r in e.remarks]
        out.append("</ul>")
    out.append(f"<p><b>Total</b>: {count(s.trainable_params)} trainable parameters"
               + (f" + {count(s.non_trainable_params)} non-trainable"
                  if s.non_trainable_params else "")
               + f", {count(s.total_macs)} MACs.</p>")
    out.append(f"<p><i>{escape(MAC_NOTE + ' ' + _torchinfo_line(s))}</i></p>")
    out.append("</div>")
    return "\n".join(out)


def explain_markdown(items: list[Explained], s: Summary) -> str:
    # The spec and layer texts come from outside (spec strings, pasted code): code spans
    # where that is safe, escaped text otherwise; the worked lines are escaped where they
    # hold anything Markdown would act on (render.safe).
    first = items[0].input_shape if items else s.input_shape
    lines = [f"## {md_code(s.spec)}", "", f"Input {md_code(str(first))}.", ""]
    for e in items:
        lines.append(f"### Layer {md_cell(e.path)}: {md_code(e.spec)} "
                     f"({md_cell(str(e.input_shape))} → {md_cell(str(e.output_shape))})")
        lines.append("")
        label = ""
        for what, work in e.lines:
            label = what or label
            lines.append(f"- **{md_cell(label)}**: {md_cell(work)}" if what
                         else f"  - {md_cell(work)}")
        for r in e.remarks:
            lines.append(f"- ⚠ {md_cell(r)}")
        lines.append("")
    lines.append(f"**Total**: {count(s.trainable_params)} trainable parameters"
                 + (f" + {count(s.non_trainable_params)} non-trainable"
                    if s.non_trainable_params else "")
                 + f", {count(s.total_macs)} MACs.")
    lines += ["", f"_{MAC_NOTE} {_torchinfo_line(s)}_", ""]
    return "\n".join(lines)
