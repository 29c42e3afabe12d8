"""Walk a parsed spec over an input shape: one LayerInfo per layer and block, and the totals."""

from __future__ import annotations

from dataclasses import MISSING, fields, replace
from typing import TYPE_CHECKING, Any

from .. import ops
from ..errors import LayerError
from ..ir.graph import GIVEN, IDENTITY, Block, GNode, Graph, Item, lower, output_of, sequence_output
from ..ir.tree import OUTPUTS
from ..ops.base import NO_ARGS, OpArgs
from ..ops.shape import PYTORCH, Shape, format_shape, numel
from ..ops.signature import Layer
from ..ops.window import Refusal
from ..records import record
from ..spec import Node, parse
from .declared import DeclaredSizeError, check_declared
from .receptive import INPUT, UNKNOWN, RField, join_rf, update, update_text

if TYPE_CHECKING:
    pass

BYTES_PER_VALUE = 4  # float32
BLOCK_KINDS = frozenset({"repeat", "residual", "cat", "add", "mul", "mean", "max", OUTPUTS})


@record
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
    args: OpArgs = NO_ARGS  # the typed record the torch side builds the layer from
    complete: bool = True
    label: str = ""  # compact outline of a block, for tables
    measured: bool = False  # shapes and params read off a running module, not derived
    branches: tuple[tuple[LayerInfo, ...], ...] = ()  # a join's rows, branch by branch
    # Paths of the rows whose outputs this row reads ("input" for the model's input): a
    # layer's one input, a repeat's input, and for a join or residual the values it joins.
    inputs: tuple[str, ...] = ()
    # False where the row ran something whose MACs cnncalc does not derive: `macs` is then a
    # lower bound. `mult_adds` is torchinfo's figure for a module's row (calc.costs).
    macs_exact: bool = True
    mult_adds: int | None = None
    # The module the code names this layer by: 'layer1.0.conv2' (torch's named_modules()),
    # a Keras layer's name=; '' where it has none (a spec, F.relu, a block row).
    module: str = ""
    # The row whose weights this layer uses ('3'): a module applied more than once has its
    # parameters counted at its first row only, as torch's parameters() counts them.
    shares: str = ""
    # An outputs block: each branch's place among the model's outputs (-1 for a branch that
    # ends in a further outputs block).
    places: tuple[int, ...] = ()
    # A block where a model's several inputs meet: each branch's input, as its place among
    # the model's inputs (-1: the block's input, where a further such block starts).
    starts: tuple[int, ...] = ()

    def __repr__(self) -> str:
        shape = "x".join(map(str, self.output_shape))
        bound = "" if self.macs_exact else "≥"
        return (f"LayerInfo({self.path} {self.spec}: output {shape}, {self.params:,} params, "
                f"{bound}{self.macs:,} MACs)")

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
        from .record import layer_record

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
        return self.kind in BLOCK_KINDS

    def inner(self) -> tuple[LayerInfo, ...]:
        """The rows inside a block, in display order: body, shortcut, then each branch."""
        if not self.branches:
            return self.children + self.shortcut
        return self.children + self.shortcut + tuple(r for b in self.branches for r in b)


_ROW_FIELDS = fields(LayerInfo)
# A row made or copied through its __dict__: the generated __init__ sets 30 fields one
# object.__setattr__ at a time (about 3 µs a row, and dataclasses.replace about 5), a
# noticeable share of a small net's summary. Where every field is an __init__ argument and
# the class checks nothing after __init__, the fields are all there is to a row, so both
# give the very row __init__ would (tests/test_module_rows.py compares them).
_PLAIN_ROWS = all(f.init for f in _ROW_FIELDS) and not hasattr(LayerInfo, "__post_init__") \
    and not hasattr(LayerInfo, "__slots__")
_ROW_NAMES = frozenset(f.name for f in _ROW_FIELDS)
_ROW_DEFAULTS = {f.name: f.default for f in _ROW_FIELDS if f.default is not MISSING}
_ROW_REQUIRED = frozenset(f.name for f in _ROW_FIELDS if f.default is MISSING)


def new_row(**values: Any) -> LayerInfo:
    """LayerInfo(**values), by filling its fields (see above)."""
    if not _PLAIN_ROWS or not _ROW_NAMES.issuperset(values) or \
            not _ROW_REQUIRED.issubset(values):
        return LayerInfo(**values)
    row: LayerInfo = object.__new__(LayerInfo)
    fields_of = row.__dict__
    fields_of.update(_ROW_DEFAULTS)
    fields_of.update(values)
    return row


def row_with(base: LayerInfo, **changes: Any) -> LayerInfo:
    """dataclasses.replace(base, **changes), by copying the fields (see above)."""
    if not _PLAIN_ROWS or not _ROW_NAMES.issuperset(changes):
        return replace(base, **changes)
    row: LayerInfo = object.__new__(LayerInfo)
    fields_of = row.__dict__
    fields_of.update(base.__dict__)
    fields_of.update(changes)
    return row


@record
class Summary:
    """Everything the calculator knows about a spec on one input."""

    spec: str
    input_shape: Shape
    convention: str
    batch: int
    layers: tuple[LayerInfo, ...]
    error: LayerError | None = None
    # A module summary: the mode the module ran in ("eval"), and what its forward returned,
    # each tensor named by where it sits ("" for a lone tensor, "0", "aux", "out.1", ...).
    mode: str = ""
    outputs: tuple[tuple[str, Shape], ...] = ()
    # A model with several inputs: each one's name and shape, in the order the model takes
    # them (`input_shape` is then the first's). Empty for a model with one input.
    inputs: tuple[tuple[str, Shape], ...] = ()

    def __repr__(self) -> str:
        bound = "" if self.macs_exact else "≥"
        return (f"Summary({len(self.leaves()):,} layers, input "
                f"{format_shape(self.input_shape, self.convention)}, output "
                f"{format_shape(self.output_shape, self.convention)}, "
                f"{self.total_params:,} params, {bound}{self.total_macs * self.batch:,} MACs"
                + (f", batch {self.batch}" if self.batch > 1 else "")
                + (", incomplete" if self.error is not None else "") + ")")

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract as Python data (what `--format json` prints)."""
        from .record import summary_record

        return summary_record(self)

    @property
    def output_shape(self) -> Shape:
        """The output (a module's: what forward returned, its first tensor if several)."""
        if self.outputs:
            return self.outputs[0][1]
        return self.layers[-1].output_shape if self.layers else self.input_shape

    @property
    def macs_exact(self) -> bool:
        """False when some row's MACs are not derived: total_macs is then a lower bound."""
        return all(r.macs_exact for r in self.leaves())

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
        if self.inputs:
            return sum(numel(shape) for _, shape in self.inputs) * BYTES_PER_VALUE * \
                self.batch
        return numel(self.input_shape) * BYTES_PER_VALUE * self.batch

    def leaves(self) -> list[LayerInfo]:
        """Every layer (not block) in order, shortcut layers after their block's body."""
        out: list[LayerInfo] = []

        def walk(rows: tuple[LayerInfo, ...]) -> None:
            for r in rows:
                if r.is_block:
                    walk(r.inner())
                else:
                    out.append(r)

        walk(self.layers)
        return out


class _Pass:
    """One pass over a graph's items in display order (a topological order): each node's
    step from its inputs' shapes, each block's row from its items' rows."""

    def __init__(self, graph: Graph, convention: str) -> None:
        self.graph = graph
        self.nodes: list[GNode] = list(graph.nodes)  # grows by the projections it adds
        self.convention = convention
        # A layer's step depends only on the layer and its input shape: deep specs repeat both.
        self.steps: dict[tuple[str, str, Shape], ops.Step] = {}
        # Each computed node's output, and the outermost finished row that yields it.
        self.out: list[tuple[Shape, RField] | None] = [None] * len(graph.nodes)
        self.row_of: list[LayerInfo | None] = [None] * len(graph.nodes)
        self.declared_failed = False  # a size the code declares did not match
        self.owners: dict[str, LayerInfo] = {}  # each tie's first row: the one that counts
        # A model with several inputs: each input's node -> how rows name it
        self.input_names = {node: f"input:{name}" for name, node in graph.inputs}
        self.input_places = {name: i for i, (name, _) in enumerate(graph.inputs)}

    def sequence(self, items: tuple[Item, ...], prefix: str,
                 start: int = 1) -> list[LayerInfo]:
        rows: list[LayerInfo] = []
        for i, item in enumerate(items, start):
            path = f"{prefix}{i}"
            try:
                row = self.item(item, path)
            except LayerError as e:
                raise LayerError(e.message, e.hint, rows + list(e.partial or []),
                                 e.layer) from None
            rows.append(row)
        return rows

    def item(self, item: Item, path: str) -> LayerInfo:
        if not isinstance(item, Block):
            return self.layer(item, path)
        if item.kind == "repeat":
            row = self.repeat(item, path)
        elif item.kind == "residual":
            row = self.residual(item, path)
        elif item.kind == OUTPUTS:
            row = self.heads(item, path)
        else:
            row = self.join(item, path)
        self.row_of[output_of(item, self.graph)] = row
        return row

    def path_of(self, node: int) -> str:
        """The row that yields a node's value: the outermost finished one, or the input."""
        row = self.row_of[node]
        if row is None:
            return self.input_names.get(node, "input")
        return row.path

    def shape_of(self, node: int) -> Shape:
        return self.result(node)[0]

    def result(self, node: int) -> tuple[Shape, RField]:
        out = self.out[node]
        assert out is not None, "items come in topological order"
        return out

    def tail(self, items: tuple[Item, ...], start: int) -> int:
        return sequence_output(items, start, self.graph)

    def repeat(self, block: Block, path: str) -> LayerInfo:
        shape = self.shape_of(block.input)
        try:
            rows = self.sequence(block.parts[0], path + ".")
        except LayerError as e:
            raise self.partial_block(e, block, shape, path) from None
        out, rf = self.result(self.tail(block.parts[0], block.input))
        return self.block(block, path, shape, out, rf, rows,
                          inputs=(self.path_of(block.input),))

    def partial_block(self, e: LayerError, block: Block, shape: Shape,
                      path: str) -> LayerError:
        done = tuple(e.partial or [])
        last = done[-1].output_shape if done else shape
        row = self.block(block, path, shape, last, INPUT, list(done), complete=False)
        return LayerError(e.message, e.hint, [row], e.layer)

    def block(self, block: Block, path: str, shape: Shape, out: Shape, rf: RField,
              rows: list[LayerInfo], shortcut: tuple[LayerInfo, ...] = (),
              extra_activations: int = 0, complete: bool = True, formula: str = "",
              branches: tuple[tuple[LayerInfo, ...], ...] = (),
              inputs: tuple[str, ...] = ()) -> LayerInfo:
        everything = list(rows) + list(shortcut) + [r for b in branches for r in b]
        return LayerInfo(
            path, block.kind, block.text, shape, out,
            sum(r.trainable_params for r in everything),
            sum(r.non_trainable_params for r in everything),
            sum(r.macs for r in everything),
            sum(r.activations for r in everything) + extra_activations,
            rf, formula, children=tuple(rows), shortcut=shortcut, complete=complete,
            label=block.label if complete else "", branches=branches, inputs=inputs)

    def layer(self, index: int, path: str) -> LayerInfo:
        node = self.nodes[index]
        layer = node.layer
        assert layer is not None and len(node.inputs) == 1
        source = node.inputs[0]
        shape, rf = self.result(source)
        key = (layer.kind, layer.text, shape)
        if layer.declared:
            self.check_declared(layer, shape, source, path)
        inputs = (self.path_of(source),)
        row, step = _layer_row(layer, shape, rf, path, inputs, self.convention,
                               self.steps.get(key))
        self.steps[key] = step
        self.out[index] = (step.output_shape, row.rf)
        if layer.tie:
            row = self.tied(row, layer)
        self.row_of[index] = row
        return row

    def tied(self, row: LayerInfo, layer: Layer) -> LayerInfo:
        """A layer that shares its weights: the first use counts them, later uses count
        none. Weights fit one input size only, so a use whose input would need a different
        count is an error, as it is in torch and Keras."""
        owner = self.owners.get(layer.tie)
        if owner is None:
            self.owners[layer.tie] = row
            return row
        if owner.params == row.params == 0:  # nothing to share (a ReLU module reused)
            return row
        if (row.trainable_params, row.non_trainable_params) != \
                (owner.trainable_params, owner.non_trainable_params):
            raise LayerError(
                f"layer {row.path} {layer.text}: it shares the weights of layer {owner.path}, "
                f"but its input {format_shape(row.input_shape, self.convention)} needs "
                f"{row.params:,} parameters where layer {owner.path}'s "
                f"{format_shape(owner.input_shape, self.convention)} needs {owner.params:,}",
                "apply a shared layer only to inputs of the same size", [], row.path)
        note = f"shares the weights of row {owner.path}"
        return replace(row, trainable_params=0, non_trainable_params=0, shares=owner.path,
                       notes=(*row.notes, note), param_formula=f"0 ({note})")

    def check_declared(self, layer: Layer, shape: Shape, source: int, path: str) -> None:
        last = self.row_of[source]
        if last is None:
            giver, flat = "the input", None
        else:
            giver = f"layer {last.path} {last.label or last.spec}"
            flat = last.input_shape if last.kind == "flatten" else None
        try:
            check_declared(layer, shape, giver, self.convention, flat)
        except Refusal as e:
            # A Linear on a map whose W is not its in_features is a missing flatten: an
            # input whose W happens to fit (1x784x784 for Linear(784, 10)) is no answer.
            self.declared_failed = not (layer.kind == "fc" and len(shape) != 1)
            raise LayerError(f"layer {path} {e.reason}", e.hint, []) from None

    def residual(self, block: Block, path: str) -> LayerInfo:
        shape = self.shape_of(block.input)
        body_items, short_items = block.parts
        try:
            rows = self.sequence(body_items, path + ".")
        except LayerError as e:
            raise self.partial_block(e, block, shape, path) from None
        out, body_rf = self.result(self.tail(body_items, block.input))
        shortcut: tuple[LayerInfo, ...] = ()
        sc_rf = self.result(block.input)[1]
        sc_source = block.input
        if block.shortcut == GIVEN:
            try:
                sc_rows = self.sequence(short_items, path + ".s")
            except LayerError as e:
                raise self.partial_block(e, block, shape, path) from None
            sc_out, sc_rf = self.result(self.tail(short_items, block.input))
            if sc_out != out:
                raise LayerError(
                    f"layer {path} {block.text}: the body gives "
                    f"{format_shape(out, self.convention)} but the shortcut gives "
                    f"{format_shape(sc_out, self.convention)}, so they cannot be added",
                    "make the shortcut's channels and stride match the body's",
                    [self.block(block, path, shape, out, body_rf, rows, tuple(sc_rows),
                                complete=False)])
            return self.joined(block, path, shape, out, _both(body_rf, sc_rf, out), rows,
                               tuple(sc_rows),
                               inputs=(self.path_of(self.tail(body_items, block.input)),
                                       self.path_of(self.tail(short_items, block.input))))
        if out != shape and block.shortcut == IDENTITY:
            raise LayerError(
                f"layer {path} {block.text}: the body turns {format_shape(shape, self.convention)}"
                f" into {format_shape(out, self.convention)}, so adding its input (an identity "
                "shortcut) fails", "keep the shape in the body, or write res[...] in a spec "
                "for a projection shortcut",
                [self.block(block, path, shape, out, body_rf, rows, complete=False)])
        if out != shape:
            stride = _projection_stride(shape, out)
            if stride is None:
                raise LayerError(
                    f"layer {path} {block.text}: the body turns "
                    f"{format_shape(shape, self.convention)} into "
                    f"{format_shape(out, self.convention)}, and no 1x1 projection can match "
                    "them for the shortcut",
                    "a residual body must keep the shape or shrink H and W by a stride",
                    [self.block(block, path, shape, out, body_rf, rows, complete=False)],
                    path)
            projection = self.add_chain(parse(f"conv({out[0]},1,stride={stride},bias=false)"
                                              "-bn"), block.input)
            sc_rows = self.sequence(projection, path + ".s")
            sc_source = self.tail(projection, block.input)
            sc_rf = self.result(sc_source)[1]
            # The projection is the calculator's own choice (torchvision's): no flags on it.
            shortcut = tuple(replace(r, notes=()) for r in sc_rows)
        return self.joined(block, path, shape, out, _both(body_rf, sc_rf, out), rows, shortcut,
                           inputs=(self.path_of(self.tail(body_items, block.input)),
                                   self.path_of(sc_source)))

    def joined(self, block: Block, path: str, shape: Shape, out: Shape, rf: RField,
               rows: list[LayerInfo], shortcut: tuple[LayerInfo, ...] = (), formula: str = "",
               branches: tuple[tuple[LayerInfo, ...], ...] = (),
               inputs: tuple[str, ...] = ()) -> LayerInfo:
        """The finished row of a block whose parts meet in its join node."""
        self.out[block.join] = (out, rf)
        return self.block(block, path, shape, out, rf, rows, shortcut,
                          extra_activations=numel(out), formula=formula, branches=branches,
                          inputs=inputs)

    def add_chain(self, nodes: tuple[Node, ...], start: int) -> tuple[Item, ...]:
        """Layers the calculator adds itself (a projection shortcut), as new nodes."""
        items: list[Item] = []
        for n in nodes:
            assert isinstance(n, Layer)
            self.nodes.append(GNode(n, (start,)))
            self.out.append(None)
            self.row_of.append(None)
            start = len(self.nodes) - 1
            items.append(start)
        return tuple(items)

    def heads(self, block: Block, path: str) -> LayerInfo:
        """The block of a model's several outputs: its branches, and no join. Its row's
        output is the first output's; the summary lists every one."""
        shape = self.shape_of(block.input)
        branches = self.branches(block, path, shape)
        out, rf = self.result(output_of(block, self.graph))
        starts = block.starts or (block.input,)
        row = self.block(block, path, shape, out, rf, [], branches=branches,
                         inputs=tuple(dict.fromkeys(self.path_of(s) for s in starts)))
        return replace(row, places=block.places, starts=self.starts(block))

    def starts(self, block: Block) -> tuple[int, ...]:
        """Each part's place among the model's inputs, -1 for the block's input."""
        return tuple(self.input_places[name] if name else -1 for name in block.start_names)

    def branches(self, block: Block, path: str, shape: Shape
                 ) -> tuple[tuple[LayerInfo, ...], ...]:
        branches: list[tuple[LayerInfo, ...]] = []
        for b, part in enumerate(block.parts, 1):
            try:
                rows = self.sequence(part, f"{path}.b{b}.")
            except LayerError as e:
                done = tuple(e.partial or [])
                last = done[-1].output_shape if done else self.shape_of(block.start(b - 1))
                row = self.block(block, path, shape, last,
                                 INPUT, [], complete=False,
                                 branches=(*branches, done))
                raise LayerError(e.message, e.hint, [row], e.layer) from None
            branches.append(tuple(rows))
        return tuple(branches)

    def join(self, block: Block, path: str) -> LayerInfo:
        shape = self.shape_of(block.input)
        branches = self.branches(block, path, shape)
        node = self.nodes[block.join]
        assert node.layer is not None
        ins = [self.result(i) for i in node.inputs]
        try:
            step = ops.join(node.layer, tuple(s for s, _ in ins), self.convention)
            ops.check_size(step, self.convention)
        except Refusal as e:
            row = self.block(block, path, shape, shape, INPUT, [], complete=False,
                             branches=tuple(branches))
            raise LayerError(f"layer {path} {block.text}: {e.reason}", e.hint, [row],
                             path) from None
        rf = join_rf([r for _, r in ins], [s for s, _ in ins], step.output_shape)
        if block.starts and not rf.whole:  # fields in the pixels of different inputs
            rf = UNKNOWN
        row = self.joined(block, path, shape, step.output_shape, rf, [],
                          formula=step.formula, branches=tuple(branches),
                          inputs=tuple(self.path_of(i) for i in node.inputs))
        return replace(row, starts=self.starts(block)) if block.starts else row


def _layer_row(layer: Layer, shape: Shape, rf: RField, path: str, inputs: tuple[str, ...],
               convention: str, step: ops.Step | None = None,
               field: bool = True) -> tuple[LayerInfo, ops.Step]:
    """One layer's row on its input (`step`: its step there, where already known), and the
    step; LayerError names the rule it breaks. Declared sizes and ties are the caller's.
    `field` False: the row keeps `rf` and no working for it (its caller works it out)."""
    try:
        step = step or ops.apply(layer, shape, convention)
        ops.check_size(step, convention)
    except Refusal as e:
        raise LayerError(
            f"layer {path} {layer.text}: {e.reason} "
            f"(input {format_shape(shape, convention)})", e.hint, [], path) from None
    new_rf = update(rf, step) if field else rf
    text = layer.text
    if layer.kind == "fc" and len(shape) == 1 and layer.args.get("over") not in (None, "flat"):
        # nn.Linear / Dense read from code, on a flat vector: the plain fc it is there
        text = replace(layer, args={**layer.args, "over": "flat"}).text
    row = new_row(
        path=path, kind=layer.kind, spec=text, input_shape=shape,
        output_shape=step.output_shape, trainable_params=step.trainable,
        non_trainable_params=step.non_trainable, macs=step.macs,
        activations=numel(step.output_shape), rf=new_rf, formula=step.formula,
        param_formula=step.param_formula, mac_formula=step.mac_formula,
        rf_formula=update_text(rf, new_rf, step) if field else "", notes=step.notes,
        args=step.args,
        inputs=inputs, module=layer.name or "")
    return row, step


def summarize_layer(layer: Layer, input_shape: Shape, convention: str = PYTORCH, *,
                    field: bool = True) -> tuple[LayerInfo, ops.Step]:
    """The row `summarize` gives the spec of this one layer, and the layer's step (what it
    does to its input, for the receptive field after it), from one computation of each;
    LayerError where the calculator refuses the layer on this input. `field` False: the
    row's receptive field may be left as its input's, with no working (for a caller that
    works out the field after the layer from the step, as a module summary does)."""
    if layer.declared or layer.tie:  # checked against what comes before: the whole pass
        graph = lower((layer,))
        run = _Pass(graph, convention)
        run.out[0] = (input_shape, INPUT)
        (row,) = run.sequence(graph.body, "")
        return row, run.steps[(layer.kind, layer.text, input_shape)]
    return _layer_row(layer, input_shape, INPUT, "1", ("input",), convention, field=field)


def output_places(row: LayerInfo) -> tuple[tuple[int, ...], ...]:
    """The output places of each branch of an outputs block's row: its own, or a nested
    block's, ascending (the order in which that block returns them)."""
    out: list[tuple[int, ...]] = []
    for place, branch in zip(row.places, row.branches):
        if place >= 0:
            out.append((place,))
        else:
            out.append(tuple(sorted(p for ps in output_places(branch[-1]) for p in ps)))
    return tuple(out)


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


def summarize(nodes: tuple[Node, ...] | Graph, input_shape: Shape, convention: str = PYTORCH,
              batch: int = 1, spec: str = "", *, suggest: bool = True,
              inputs: tuple[tuple[str, Shape], ...] = ()) -> Summary:
    """Compute the summary of a parsed spec or a graph. An impossible layer raises LayerError
    whose `partial` is the Summary of everything before it. Where a size the code declares
    does not match and `suggest` is set, its hint names an input on which every one fits.
    `inputs`: a model with several inputs, each one's name and shape in the order the
    model takes them (`input_shape` is then the first's)."""
    if isinstance(nodes, Graph):
        graph = nodes
        text = spec
    else:
        graph = lower(nodes, tuple(name for name, _ in inputs))
        text = spec or "-".join(n.text for n in nodes)
    if len(inputs) == 1 or [name for name, _ in inputs] != [name for name, _ in graph.inputs]:
        raise ValueError("the inputs given are not the graph's")
    if inputs:
        input_shape = inputs[0][1]
    run = _Pass(graph, convention)
    run.out[0] = (input_shape, INPUT)
    for (_, shape), (_, node) in zip(inputs, graph.inputs):
        run.out[node] = (shape, INPUT)
    try:
        rows = run.sequence(graph.body, "")
    except LayerError as e:
        partial = Summary(text, input_shape, convention, batch, tuple(e.partial or []),
                          inputs=inputs)
        if inputs:
            suggest = False  # the search below varies one input
        if not run.declared_failed:
            raise LayerError(e.message, e.hint, partial, e.layer) from None
        hint = e.hint
        if suggest:
            from .fit import fitting_input

            def notes(shape: Shape) -> tuple[str, ...]:
                s = summarize(graph, shape, convention, suggest=False)
                return tuple(n for r in s.leaves() for n in r.notes)

            found = fitting_input(graph, input_shape, notes)
            if found is not None:
                fits = (f"an input of {format_shape(found, convention)} makes every declared "
                        f"size fit (--input {_input_text(found, convention)})")
                hint = f"{hint}; {fits}" if hint else fits
        raise DeclaredSizeError(e.message, hint, partial, e.layer) from None
    outputs = tuple((name, run.shape_of(i)) for name, i in graph.outputs)
    return Summary(text, input_shape, convention, batch, tuple(rows), outputs=outputs,
                   inputs=inputs)


def _input_text(shape: Shape, convention: str) -> str:
    """How --input writes a shape under a convention."""
    if len(shape) == 1:
        return f"flat:{shape[0]}"
    if convention != PYTORCH:
        return f"{shape[1]}x{shape[2]}x{shape[0]}"
    return "x".join(map(str, shape))


def summarize_spec(spec: str, input_shape: Shape, convention: str = PYTORCH,
                   batch: int = 1) -> Summary:
    return summarize(parse(spec), input_shape, convention, batch, spec)


def _both(body: RField, shortcut: RField, out: Shape) -> RField:
    """A residual's field: what the body and the shortcut see together."""
    return join_rf([body, shortcut], [out, out], out)
