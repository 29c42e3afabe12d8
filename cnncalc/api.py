"""The Python API: summary, explain and solve for notebooks and scripts, nothing printed."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from typing import TYPE_CHECKING, Any, ParamSpec, Union

from .calc import summary as calc_summary
from .errors import LayerError, UsageError
from .records import record

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderResult
    from torch.nn import Module

    from .calc.explain import Explained
    from .calc.solve import InputSolution, LayerSolution
    from .dialects.resolve import Resolved

InputSize = Union[str, Sequence[int]]
SpecOrModel = Union[str, "Module"]
P = ParamSpec("P")


@dataclass(frozen=True, repr=False)
class Summary(calc_summary.Summary):
    """The calculator's summary with its outputs: the terminal and notebook tables, and the
    JSON, Markdown and CSV of the command line's `--format`."""

    @classmethod
    def of(cls, s: calc_summary.Summary) -> Summary:
        if isinstance(s, cls):
            return s
        return cls(**{f.name: getattr(s, f.name) for f in fields(s)})

    def __repr__(self) -> str:
        from .ops.shape import format_shape
        from .render.units import short

        return (f"Summary({len(self.leaves()):,} layers, input "
                f"{format_shape(self.input_shape, self.convention)}, output "
                f"{format_shape(self.output_shape, self.convention)}, "
                f"{self.total_params:,} params, {'' if self.macs_exact else '≥'}"
                f"{short(self.total_macs * self.batch)} MACs"
                + (f", batch {self.batch}" if self.batch > 1 else "")
                + (", incomplete" if self.error is not None else "") + ")")

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        from .render.table import summary_table

        yield summary_table(self, shows_more="a wider console or .to_markdown() shows them")

    def _repr_html_(self) -> str:
        from .render.html import summary_html

        return summary_html(self)

    def to_json(self) -> str:
        from .render.records import to_json

        return to_json(self)

    def to_markdown(self) -> str:
        from .render.records import to_markdown

        return to_markdown(self)

    def to_csv(self) -> str:
        from .render.records import to_csv

        return to_csv(self)


def _public(fn: Callable[P, calc_summary.Summary]) -> Callable[P, Summary]:
    """The API's Summary, also for the partial summary a LayerError carries."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> Summary:
        try:
            return Summary.of(fn(*args, **kwargs))
        except LayerError as e:
            if isinstance(e.partial, calc_summary.Summary):
                e.partial = Summary.of(e.partial)
            raise

    return wrapper


def _show(value: object) -> str:
    """A short, safe rendering of an argument for an error message: never the caller's own
    __repr__, never a 4,300-digit int or a megabyte string in full."""
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, int):
        return repr(value) if abs(value) < 10**30 else f"an int of {value.bit_length():,} bits"
    if isinstance(value, (float, str, bytes, bytearray)):
        text = repr(value)
        return text if len(text) <= 60 else text[:57] + "..."
    if isinstance(value, (tuple, list)) and len(value) <= 8:
        inner = ", ".join(_show(v) for v in value)
        text = f"({inner}{',' if len(value) == 1 else ''})" if isinstance(value, tuple) \
            else f"[{inner}]"
        return text if len(text) <= 80 else f"a {type(value).__name__} of {len(value)} items"
    return f"a {type(value).__name__}"


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _whole(name: str, value: object, least: int) -> int:
    """`value` as an int from `least` to MAX_SIDE, or a UsageError naming the argument."""
    from .ops.shape import MAX_SIDE

    if not _is_int(value) or not least <= value <= MAX_SIDE:  # type: ignore[operator]
        raise UsageError(f"{name} must be a whole number from {least} to {MAX_SIDE:,}, "
                         f"got {_show(value)}")
    return value  # type: ignore[return-value]


def _optional_whole(name: str, value: object, least: int) -> int | None:
    return None if value is None else _whole(name, value, least)


def _text(name: str, value: object, what: str) -> str:
    if not isinstance(value, str):
        raise UsageError(f"{name} must be {what}, got {_show(value)}")
    return value


def _convention(convention: object) -> str | None:
    from .ops.shape import CONVENTIONS

    if convention is None:
        return None
    if not isinstance(convention, str) or convention.lower() not in CONVENTIONS:
        raise UsageError(f"convention must be 'pytorch' or 'keras', got {_show(convention)}")
    return convention


def _shape_text(input_size: InputSize) -> str:
    if isinstance(input_size, str):
        return input_size
    if isinstance(input_size, (tuple, list)) and input_size and all(
            _is_int(d) for d in input_size):
        return "x".join(str(d) for d in input_size)
    raise UsageError(f"input_size must be a tuple of ints such as (1, 28, 28) or a string "
                     f"such as '1x28x28', got {_show(input_size)}")


def _shape_texts(input_size: InputSize | Mapping[str, InputSize]) -> str | list[str]:
    """One shape, or a model's several inputs by name as --input takes them (NAME=SHAPE)."""
    if not isinstance(input_size, Mapping):
        return _shape_text(input_size)
    if not input_size:
        raise UsageError("input_size names no input", "e.g. {'x': (1, 28, 28), 'y': "
                         "'flat:10'}")
    out = []
    for name, size in input_size.items():
        if not isinstance(name, str) or not name.isidentifier():
            raise UsageError(f"input_size's keys must name the model's inputs, got "
                             f"{_show(name)}")
        out.append(f"{name}={_shape_text(size)}")
    return out


def _resolve(spec: str, input_size: InputSize | Mapping[str, InputSize] | None,
             convention: str | None,
             values: Mapping[str, object] | None = None) -> Resolved:
    """The model through the command line's own resolver, so the API accepts exactly what
    `cnncalc summary` accepts: specs, presets, and PyTorch or Keras code."""
    from . import presets
    from .dialects.resolve import resolve

    shape = None if input_size is None else _shape_texts(input_size)
    given = None if values is None else _values(values)
    if spec.strip().lower() in presets.PRESETS:
        return resolve(None, spec.strip(), shape, convention, values=given)
    return resolve(spec, None, shape, convention, values=given)


def _values(values: object) -> dict[str, object]:
    from .dialects.given import checked_values

    return dict(checked_values(values))


def _batch(batch: int) -> int:
    return _whole("batch", batch, 1)


@_public
def summary(spec_or_code: SpecOrModel,
            input_size: InputSize | Mapping[str, InputSize] | None = None,
            convention: str | None = None, batch: int = 1,
            values: Mapping[str, object] | None = None) -> calc_summary.Summary:
    """Layer-by-layer shapes, parameters, MACs, memory and receptive fields.

    `spec_or_code` is a spec string, a preset name ("resnet18") or a torch `nn.Module`.
    For a spec, `input_size` is CxHxW without the batch, as a tuple or "1x28x28" (default:
    the preset's input, else 1x28x28). For a module it includes the batch dimension, as in
    torchinfo: (1, 3, 224, 224). `convention` is "pytorch" or "keras" (default: keras for
    Keras code, else pytorch). Raises a `CnnCalcError`; a `LayerError` carries `.layer`
    and `.partial` (the summary of the layers before the error). `values` gives pasted code
    what it knows only when it runs, as the command line's --set does:
    `values={"num_classes": 10, "args.hidden": 64}` (numbers, strings, booleans, None, and
    tuples or lists of them). A model with several inputs (`forward(self, x, y)`) takes
    one size per input by name: `input_size={"x": (1, 28, 28), "y": "flat:10"}`.
    """
    convention = _convention(convention)
    batch = _batch(batch)
    if values is not None:
        _values(values)  # its type and contents, before anything is read
    if input_size is not None:
        _shape_texts(input_size)  # its type, before anything is read or built
    if not isinstance(spec_or_code, str):
        if not hasattr(type(spec_or_code), "named_modules"):
            raise UsageError("spec_or_code must be a spec string, a preset name or a torch "
                             f"nn.Module, got {_show(spec_or_code)}")
        from .train.module_summary import module_summary

        if input_size is None:
            raise UsageError("input_size is required for a module",
                             "e.g. input_size=(1, 3, 224, 224), batch included")
        if isinstance(input_size, Mapping):
            raise UsageError("input_size by name is for pasted code with several inputs; "
                             "a module takes one input_size",
                             "e.g. input_size=(1, 3, 224, 224), batch included")
        if values is not None:
            raise UsageError("values gives pasted code its run-time values; a module is "
                             "already built")
        return module_summary(spec_or_code, input_size, convention or "pytorch")
    from .calc.summary import summarize

    r = _resolve(spec_or_code, input_size, convention, values)
    return summarize(r.nodes, r.shape, r.convention, batch, r.spec, inputs=r.inputs)


@record
class Explanation:
    """Worked answers, one per layer, for a spec on one input."""

    summary: Summary
    steps: tuple[Explained, ...]

    def __repr__(self) -> str:
        return f"Explanation({len(self.steps):,} layers of {self.summary!r})"

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        from .render.explain import explain_rich

        yield explain_rich(list(self.steps), self.summary)

    def _repr_html_(self) -> str:
        from .render.explain import explain_html

        return explain_html(list(self.steps), self.summary)

    def to_markdown(self) -> str:
        from .render.explain import explain_markdown

        return explain_markdown(list(self.steps), self.summary)

    def to_dict(self) -> list[dict[str, Any]]:
        return [asdict(e) for e in self.steps]

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)


def explain(spec: str, input_size: InputSize | Mapping[str, InputSize] | None = None,
            convention: str | None = None,
            values: Mapping[str, object] | None = None) -> Explanation:
    """Each layer's formulas with the numbers substituted, like a worked homework answer."""
    from .calc.explain import explain as run_explain

    _text("spec", spec, "a spec string or a preset name")
    s = summary(spec, input_size, convention, values=values)
    return Explanation(s, tuple(run_explain(s)))


@record
class LayerSolutions:
    """Layer settings that take an input size to an output size, simplest first."""

    kind: str
    input: int
    output: int
    solutions: tuple[LayerSolution, ...]

    def __repr__(self) -> str:
        exact = sum(s.exact for s in self.solutions)
        first = f", first {self.solutions[0].spec(self.kind)}" if self.solutions else ""
        return (f"LayerSolutions({self.kind}: {self.input} → {self.output}, "
                f"{len(self.solutions):,} solutions, {exact:,} exact{first})")

    def __len__(self) -> int:
        return len(self.solutions)

    def rows(self) -> list[dict[str, Any]]:
        return [{"spec": f.spec(self.kind), "kernel": f.kernel, "stride": f.stride,
                 "padding": f.padding, "dilation": f.dilation,
                 "output_padding": f.output_padding, "exact": f.exact}
                for f in self.solutions]

    def to_dict(self) -> dict[str, Any]:
        return {"layer": self.kind, "input": self.input, "output": self.output,
                "solutions": self.rows()}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    def to_markdown(self, limit: int = 15) -> str:
        head = ["layer", "kernel", "stride", "padding", "dilation", "output_padding", "exact"]
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        for r in self.rows()[:limit]:
            lines.append("| " + " | ".join(f"`{r['spec']}`" if k == "layer" else
                                           ("✓" if r[k] is True else str(r[k]) if r[k]
                                            is not False else "")
                                           for k in ["spec", *head[1:]]) + " |")
        return "\n".join(lines) + "\n"

    def _repr_html_(self) -> str:
        from html import escape

        head = ["layer", "kernel", "stride", "padding", "dilation", "output_padding", "exact"]
        rows = "".join(
            "<tr>" + "".join(f"<td><code>{escape(r['spec'])}</code></td>" if k == "layer" else
                             f"<td>{'✓' if r[k] is True else '' if r[k] is False else r[k]}"
                             "</td>" for k in head) + "</tr>"
            for r in ({**x, "layer": x["spec"]} for x in self.rows()[:15]))
        more = (f"<p>the first 15 of {len(self.solutions):,}: .rows() has them all</p>"
                if len(self.solutions) > 15 else "")
        return (f"<div class=\"cnncalc-solutions\"><p>{escape(repr(self))}</p><table>"
                "<thead><tr>" + "".join(f"<th>{h}</th>" for h in head) + "</tr></thead>"
                f"<tbody>{rows}</tbody></table>{more}</div>")

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        from rich.table import Table

        table = Table(header_style="bold", title=repr(self), title_justify="left")
        for col in ("layer", "kernel", "stride", "padding", "dilation", "exact"):
            table.add_column(col, justify="left" if col == "layer" else "right",
                             no_wrap=True, overflow="fold")
        for r in self.rows()[:15]:
            table.add_row(r["spec"], *(str(r[k]) for k in ("kernel", "stride", "padding",
                                                           "dilation")),
                          "✓" if r["exact"] else "-")
        yield table


@record
class InputSolutions:
    """Input heights and widths that a spec takes to a wanted output map."""

    spec: str
    output: tuple[int, int]
    heights: tuple[InputSolution, ...]
    widths: tuple[InputSolution, ...]

    def __repr__(self) -> str:
        from .errors import cut

        parts = [f"{label} {sizes}" + (f" (exact {exact})" if exact != sizes else "")
                 for label, sizes, exact in self.lines()]
        return (f"InputSolutions({cut(self.spec)!r} → {self.output[0]}x{self.output[1]}: "
                + "; ".join(parts) + ")")

    def lines(self) -> list[tuple[str, str, str]]:
        """(axis, sizes that fit, sizes whose windows read every pixel), as ranges: 'H and
        W' once where both axes agree."""
        from .calc.solve import ranges

        axes = [("H and W", "h")] if self.heights == self.widths else [("H", "h"), ("W", "w")]
        return [(label, ranges(self.sizes(a)) or "none", ranges(self.sizes(a, True)) or "none")
                for label, a in axes]

    def sizes(self, axis: str = "h", exact: bool = False) -> list[int]:
        found = self.heights if axis.lower() == "h" else self.widths
        return [x.size for x in found if x.exact or not exact]

    def to_dict(self) -> dict[str, Any]:
        return {"heights": self.sizes("h"), "widths": self.sizes("w"),
                "exact_heights": self.sizes("h", True), "exact_widths": self.sizes("w", True)}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    def _repr_html_(self) -> str:
        from html import escape

        rows = "".join(f"<tr><td>{label}</td><td>{escape(sizes)}</td><td>{escape(exact)}</td>"
                       "</tr>" for label, sizes, exact in self.lines())
        return (f"<div class=\"cnncalc-solutions\"><p>Inputs that <code>{escape(self.spec)}"
                f"</code> takes to {self.output[0]}x{self.output[1]}</p><table><thead><tr>"
                "<th>axis</th><th>input sizes</th><th>exact (every pixel read)</th></tr>"
                f"</thead><tbody>{rows}</tbody></table></div>")

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        from rich.console import Group
        from rich.table import Table
        from rich.text import Text

        from .render.screen import Screened

        table = Table(header_style="bold")
        for col in ("axis", "input sizes", "exact (every pixel read)"):
            table.add_column(col, overflow="fold")
        for label, sizes, exact in self.lines():
            table.add_row(label, sizes, exact)
        title = Text(f"inputs that {self.spec} takes to {self.output[0]}x{self.output[1]}")
        yield Screened(Group(title, table))  # Text: the spec is never read as markup


def solve(spec: str | None = None, *, input: int | None = None,
          output: int | str | tuple[int, int], kernel: int | None = None,
          stride: int | None = None, padding: int | None = None,
          dilation: int | None = None, layer: str = "conv", channels: int = 1,
          max_input: int = 512) -> LayerSolutions | InputSolutions:
    """Solve backwards.

    Without `spec`: the `layer` settings taking `input` to `output` (ints), for example
    `solve(input=28, output=14, kernel=3)`. With `spec`: the input sizes up to `max_input`
    that the spec takes to `output` (an int, "7x7" or (7, 7)).
    """
    from .calc.solve import solve_input, solve_layer
    from .ops.shape import parse_shape

    channels = _whole("channels", channels, 1)
    max_input = _whole("max_input", max_input, 1)
    if spec is not None:
        _text("spec", spec, "a spec string or None")
        for name, value in (("input", input), ("kernel", kernel), ("stride", stride),
                            ("padding", padding), ("dilation", dilation)):
            if value is not None:
                raise UsageError(f"{name} is for a layer question, not with a spec (got "
                                 f"{name}={_show(value)})",
                                 "give output (and max_input) with a spec")
        if isinstance(output, tuple):
            if len(output) != 2 or not all(_is_int(d) and d >= 1 for d in output):
                raise UsageError(f"output must be (H, W) as two whole numbers of at least "
                                 f"1, got {_show(output)}")
            target = (output[0], output[1])
        elif _is_int(output) or isinstance(output, str):
            wanted = parse_shape(str(_whole("output", output, 1)) if _is_int(output)
                                 else str(output))
            if len(wanted) != 3:
                raise UsageError(f"bad output {_show(output)}", "write HxW, e.g. 7x7")
            target = (wanted[1], wanted[2])
        else:
            raise UsageError(f"output must be an int, 'HxW' or (H, W), got {_show(output)}")
        h, w = solve_input(spec, target, channels, 1, max_input)
        return InputSolutions(spec, target, tuple(h), tuple(w))
    if input is None:
        raise UsageError("a layer question needs input and output as ints",
                         "e.g. solve(input=28, output=14), or give a spec")
    size = _whole("input", input, 1)
    wanted_size = _whole("output", output, 1)
    layer = _text("layer", layer, "'conv', 'maxpool', 'avgpool' or 'convt'")
    found = solve_layer(size, wanted_size, layer, _optional_whole("kernel", kernel, 1),
                        _optional_whole("stride", stride, 1),
                        _optional_whole("padding", padding, 0),
                        _optional_whole("dilation", dilation, 1))
    return LayerSolutions(layer, size, wanted_size, tuple(found))
