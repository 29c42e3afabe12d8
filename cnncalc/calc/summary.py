"""Walk a parsed spec over an input shape: one LayerInfo per layer and block, and the totals."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from ..errors import LayerError
from ..spec import Layer, Node, Repeat, Residual, parse, short_text
from . import ops
from .receptive import INPUT, RField, larger, update, update_text
from .shape import PYTORCH, Shape, format_shape, numel
from .window import Refusal

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderResult

BYTES_PER_VALUE = 4  # float32


@dataclass(frozen=True)
class LayerInfo:
    """One row of a summary: a layer, or a block (repeat/residual) with its children."""

    path: str  # "3", or "3.2" inside block 3, or "3.s1" for a residual shortcut layer
    kind: str  # layer kind, or "repeat" / "residual"
    spec: str
    input_shape: Shape
    output_shape: Shape
    trainable_params: int
    non_trainable_params: int
    macs: int
    activations: int  # values this row writes per sample (for activation memory)
    rf: RField
    formula: str = ""
    param_formula: str = ""
    mac_formula: str = ""
    rf_formula: str = ""
    notes: tuple[str, ...] = ()
    children: tuple[LayerInfo, ...] = ()
    shortcut: tuple[LayerInfo, ...] = ()
    torch_args: dict[str, Any] = field(default_factory=dict)
    complete: bool = True
    label: str = ""  # compact outline of a block, for tables
    measured: bool = False  # shapes and params read off a running module, not derived

    def __repr__(self) -> str:
        shape = "x".join(map(str, self.output_shape))
        return (f"LayerInfo({self.path} {self.spec}: output {shape}, {self.params:,} params, "
                f"{self.macs:,} MACs)")

    @property
    def type(self) -> str:
        """The layer kind, named as in the JSON output."""
        return self.kind

    @property
    def receptive_field(self) -> dict[str, str]:
        size, jump, start = self.rf.describe()
        return {"size": size, "jump": jump, "start": start}

    @property
    def activation_bytes(self) -> int:
        return self.activations * BYTES_PER_VALUE

    def to_dict(self, batch: int = 1) -> dict[str, Any]:
        """The layer's JSON record (MACs and memory scaled by `batch`)."""
        from ..render.records import layer_record  # render depends on calc, not the reverse

        record = layer_record(self, batch)
        if self.measured:
            record["measured"] = True
        return record

    @property
    def params(self) -> int:
        return self.trainable_params + self.non_trainable_params

    @property
    def index(self) -> int:
        return int(self.path.rsplit(".", 1)[-1].lstrip("s"))

    @property
    def is_block(self) -> bool:
        return self.kind in ("repeat", "residual")


@dataclass(frozen=True)
class Summary:
    """Everything the calculator knows about a spec on one input."""

    spec: str
    input_shape: Shape
    convention: str
    batch: int
    layers: tuple[LayerInfo, ...]
    error: LayerError | None = None

    def __repr__(self) -> str:
        from ..render.units import short

        return (f"Summary({len(self.leaves()):,} layers, input "
                f"{format_shape(self.input_shape, self.convention)}, output "
                f"{format_shape(self.output_shape, self.convention)}, "
                f"{self.total_params:,} params, {short(self.total_macs * self.batch)} MACs"
                + (f", batch {self.batch}" if self.batch > 1 else "")
                + (", incomplete" if self.error is not None else "") + ")")

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        from ..render.table import summary_table

        yield summary_table(self)

    def _repr_html_(self) -> str:
        from ..render.html import summary_html

        return summary_html(self)

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract as Python data (what `--format json` prints)."""
        from ..render.records import summary_record

        record = summary_record(self)
        for rec, row in zip(record["layers"], self.layers):
            if row.measured:
                rec["measured"] = True
        return record

    def to_json(self) -> str:
        from ..render.records import to_json

        return to_json(self)

    def to_markdown(self) -> str:
        from ..render.records import to_markdown

        return to_markdown(self)

    def to_csv(self) -> str:
        from ..render.records import to_csv

        return to_csv(self)

    @property
    def output_shape(self) -> Shape:
        return self.layers[-1].output_shape if self.layers else self.input_shape

    @property
    def trainable_params(self) -> int:
        return sum(x.trainable_params for x in self.layers)

    @property
    def non_trainable_params(self) -> int:
        return sum(x.non_trainable_params for x in self.layers)

    @property
    def total_params(self) -> int:
        return self.trainable_params + self.non_trainable_params

    @property
    def total_macs(self) -> int:
        return sum(x.macs for x in self.layers)

    @property
    def param_bytes(self) -> int:
        return self.total_params * BYTES_PER_VALUE

    @property
    def activation_bytes(self) -> int:
        return sum(x.activations for x in self.layers) * BYTES_PER_VALUE * self.batch

    @property
    def input_bytes(self) -> int:
        return numel(self.input_shape) * BYTES_PER_VALUE * self.batch

    def leaves(self) -> list[LayerInfo]:
        """Every layer (not block) in order, shortcut layers after their block's body."""
        out: list[LayerInfo] = []

        def walk(rows: tuple[LayerInfo, ...]) -> None:
            for r in rows:
                if r.is_block:
                    walk(r.children)
                    walk(r.shortcut)
                else:
                    out.append(r)

        walk(self.layers)
        return out


class _Walker:
    def __init__(self, convention: str) -> None:
        self.convention = convention
        # A layer's step depends only on the layer and its input shape: deep specs repeat both.
        self.steps: dict[tuple[str, str, Shape], ops.Step] = {}
        self.last: LayerInfo | None = None  # the row before the next layer, for size checks

    def sequence(self, nodes: tuple[Node, ...], shape: Shape, rf: RField, prefix: str,
                 start: int = 1) -> tuple[list[LayerInfo], Shape, RField]:
        rows: list[LayerInfo] = []
        for i, node in enumerate(nodes, start):
            path = f"{prefix}{i}"
            try:
                row = self.node(node, shape, rf, path)
            except LayerError as e:
                raise LayerError(e.message, e.hint, rows + list(e.partial or []),
                                 e.layer) from None
            rows.append(row)
            self.last = row
            shape, rf = row.output_shape, row.rf
        return rows, shape, rf

    def node(self, node: Node, shape: Shape, rf: RField, path: str) -> LayerInfo:
        if isinstance(node, Layer):
            return self.layer(node, shape, rf, path)
        if isinstance(node, Repeat):
            body = node.body * node.times
            try:
                rows, out, out_rf = self.sequence(body, shape, rf, path + ".")
            except LayerError as e:
                raise self.partial_block(e, "repeat", node.text, shape, path) from None
            return self.block("repeat", node.text, path, shape, out, out_rf, rows,
                              label=short_text((node,)))
        return self.residual(node, shape, rf, path)

    def partial_block(self, e: LayerError, kind: str, text: str, shape: Shape,
                      path: str) -> LayerError:
        done = tuple(e.partial or [])
        last = done[-1].output_shape if done else shape
        row = self.block(kind, text, path, shape, last, INPUT, list(done), complete=False)
        return LayerError(e.message, e.hint, [row], e.layer)

    def block(self, kind: str, text: str, path: str, shape: Shape, out: Shape, rf: RField,
              rows: list[LayerInfo], shortcut: tuple[LayerInfo, ...] = (),
              extra_activations: int = 0, complete: bool = True,
              label: str = "") -> LayerInfo:
        everything = list(rows) + list(shortcut)
        return LayerInfo(
            path, kind, text, shape, out,
            sum(r.trainable_params for r in everything),
            sum(r.non_trainable_params for r in everything),
            sum(r.macs for r in everything),
            sum(r.activations for r in everything) + extra_activations,
            rf, children=tuple(rows), shortcut=shortcut, complete=complete, label=label)

    def layer(self, layer: Layer, shape: Shape, rf: RField, path: str) -> LayerInfo:
        key = (layer.kind, layer.text, shape)
        if layer.declared:
            self.check_declared(layer, shape, path)
        try:
            step = self.steps.get(key) or ops.apply(layer, shape, self.convention)
            ops.check_size(step, self.convention)
        except Refusal as e:
            raise LayerError(
                f"layer {path} {layer.text}: {e.reason} "
                f"(input {format_shape(shape, self.convention)})", e.hint, [], path) from None
        self.steps[key] = step
        new_rf = update(rf, step)
        return LayerInfo(
            path, layer.kind, layer.text, shape, step.output_shape, step.trainable,
            step.non_trainable, step.macs, numel(step.output_shape), new_rf, step.formula,
            step.param_formula, step.mac_formula, update_text(rf, new_rf, step), step.notes,
            torch_args=step.torch_args)

    def check_declared(self, layer: Layer, shape: Shape, path: str) -> None:
        last = self.last
        if last is None:
            giver, flat = "the input", None
        else:
            giver = f"layer {last.path} {last.label or last.spec}"
            flat = last.input_shape if last.kind == "flatten" else None
        try:
            ops.check_declared(layer, shape, giver, self.convention, flat)
        except Refusal as e:
            raise LayerError(f"layer {path} {e.reason}", e.hint, []) from None

    def residual(self, node: Residual, shape: Shape, rf: RField, path: str) -> LayerInfo:
        try:
            rows, out, body_rf = self.sequence(node.body, shape, rf, path + ".")
        except LayerError as e:
            raise self.partial_block(e, "residual", node.text, shape, path) from None
        shortcut: tuple[LayerInfo, ...] = ()
        sc_rf = rf
        if node.shortcut:
            try:
                sc_rows, sc_out, sc_rf = self.sequence(node.shortcut, shape, rf, path + ".s")
            except LayerError as e:
                raise self.partial_block(e, "residual", node.text, shape, path) from None
            if sc_out != out:
                raise LayerError(
                    f"layer {path} {node.text}: the body gives "
                    f"{format_shape(out, self.convention)} but the shortcut gives "
                    f"{format_shape(sc_out, self.convention)}, so they cannot be added",
                    "make the shortcut's channels and stride match the body's",
                    [self.block("residual", node.text, path, shape, out, body_rf, rows,
                                tuple(sc_rows), complete=False)])
            return self.block("residual", node.text, path, shape, out, larger(body_rf, sc_rf),
                              rows, tuple(sc_rows), extra_activations=numel(out),
                              label=short_text((node,)))
        if out != shape and node.identity:
            raise LayerError(
                f"layer {path} {node.text}: the body turns {format_shape(shape, self.convention)}"
                f" into {format_shape(out, self.convention)}, so adding its input (an identity "
                "shortcut) fails", "keep the shape in the body, or write res[...] in a spec "
                "for a projection shortcut",
                [self.block("residual", node.text, path, shape, out, body_rf, rows,
                            complete=False)])
        if out != shape:
            stride = _projection_stride(shape, out)
            if stride is None:
                raise LayerError(
                    f"layer {path} {node.text}: the body turns "
                    f"{format_shape(shape, self.convention)} into "
                    f"{format_shape(out, self.convention)}, and no 1x1 projection can match "
                    "them for the shortcut",
                    "a residual body must keep the shape or shrink H and W by a stride",
                    [self.block("residual", node.text, path, shape, out, body_rf, rows,
                                complete=False)], path)
            proj = parse(f"conv({out[0]},1,stride={stride},bias=false)-bn")
            sc_rows, _, sc_rf = self.sequence(proj, shape, rf, path + ".s")
            # The projection is the calculator's own choice (torchvision's): no flags on it.
            shortcut = tuple(replace(r, notes=()) for r in sc_rows)
        return self.block("residual", node.text, path, shape, out, larger(body_rf, sc_rf),
                          rows, shortcut, extra_activations=numel(out),
                          label=short_text((node,)))


def stride_for(n: int, m: int) -> tuple[int, int] | None:
    """Range of strides s with a 1x1 window taking n to m: (n - 1)//s + 1 == m."""
    if m > n or m < 1:
        return None
    if m == 1:
        return (max(n, 1), 10**18)
    q = m - 1
    lo, hi = (n - 1) // (q + 1) + 1, (n - 1) // q
    return (lo, hi) if lo <= hi else None


def _projection_stride(shape: Shape, out: Shape) -> str | None:
    if len(shape) != 3 or len(out) != 3:
        return None
    h = stride_for(shape[1], out[1])
    w = stride_for(shape[2], out[2])
    if h is None or w is None:
        return None
    lo, hi = max(h[0], w[0]), min(h[1], w[1])
    if lo <= hi:
        return str(lo)
    return f"{h[0]}x{w[0]}"


def summarize(nodes: tuple[Node, ...], input_shape: Shape, convention: str = PYTORCH,
              batch: int = 1, spec: str = "") -> Summary:
    """Compute the summary. An impossible layer raises LayerError whose `partial` is the
    Summary of everything before it."""
    text = spec or "-".join(n.text for n in nodes)
    try:
        rows, _, _ = _Walker(convention).sequence(nodes, input_shape, INPUT, "")
    except LayerError as e:
        partial = Summary(text, input_shape, convention, batch, tuple(e.partial or []))
        raise LayerError(e.message, e.hint, partial, e.layer) from None
    return Summary(text, input_shape, convention, batch, tuple(rows))


def summarize_spec(spec: str, input_shape: Shape, convention: str = PYTORCH,
                   batch: int = 1) -> Summary:
    return summarize(parse(spec), input_shape, convention, batch, spec)
