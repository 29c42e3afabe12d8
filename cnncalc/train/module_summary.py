"""Summarise any torch nn.Module: forward hooks on the meta device, leaves mapped to the calculator.

The module runs once on meta tensors (its weights are swapped for meta stand-ins for the run
and put back after it, so nothing is copied, allocated or changed). Each leaf module it calls
becomes a row. Leaves cnncalc knows (Conv2d, Linear, BatchNorm, pooling, activations, ...) get the
calculator's record (formula, MACs, receptive field, notes), after the calculator's shape and
parameter count are checked against what the module really did. Other leaves are measured:
shape and parameters from the run, marked as such. Every aten op the run makes is charged to
the row running it (op_macs): matrix products and convolutions anywhere, attention and
functional code included, get their MACs; an op cnncalc cannot cost makes the total a lower
bound. The model runs in eval mode, as torchinfo runs it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from .. import ops
from ..calc.receptive import INPUT, RField, update, update_text
from ..calc.summary import LayerInfo, Summary, row_with, summarize, summarize_layer
from ..errors import CnnCalcError, LayerError, UsageError
from ..ops.shape import PYTORCH, Shape, parse_convention
from ..ops.signature import Layer
from ..spec import parse
from .meta_rules import META
from .module_costs import Cost, Weight, attribute, costed, linear_nd, torchinfo_mult_adds
from .module_layers import TEXT, layer_of, spec_text
from .op_macs import op_macs, op_name

_STATS = ("running_mean", "running_var")
MAX_DEPTH = 100  # modules nested deeper are refused: torch recurses ~5 frames a level
MAX_MODULES = 100_000  # distinct modules in one model


def describe(error: BaseException) -> str:
    """`Type: first line` of an exception raised by the user's code, safe against a
    `__str__` that itself raises (or returns something that is not text)."""
    name = type(error).__name__
    try:
        text = str(error)
    except KeyboardInterrupt:
        raise
    except BaseException:  # the user's __str__ failed: the type alone still says something
        return f"{name} (its message could not be read)"
    lines = [x.strip() for x in text.splitlines() if x.strip()]
    return f"{name}: {lines[0][:200].rstrip('.')}" if lines else name


def check_structure(model: nn.Module) -> None:
    """Refuse, before torch walks the model recursively, a nesting deeper than MAX_DEPTH
    (3,000 nested Sequentials gave a RecursionError) or more than MAX_MODULES modules, and
    name the first lazy module (its parameters have no size until a forward pass)."""
    from torch.nn.parameter import is_lazy

    seen = {id(model)}
    stack: list[tuple[nn.Module, str, int]] = [(model, "", 0)]
    while stack:
        m, name, depth = stack.pop()
        if not all(k in vars(m) for k in ("_modules", "_parameters", "_buffers")):
            raise UsageError(f"{name or type(model).__name__} ({type(m).__name__}) was not "
                             "set up as a torch module",
                             "its __init__ must call super().__init__() first")
        if depth > MAX_DEPTH:
            raise UsageError(f"{type(model).__name__} nests modules more than {MAX_DEPTH} "
                             "levels deep",
                             "summarise a flatter model, or a part of it")
        for t in [*m._parameters.values(), *m._buffers.values()]:
            if t is not None and is_lazy(t):
                where = name or type(model).__name__
                raise UsageError(f"layer '{where}' ({type(m).__name__}) is lazy: its "
                                 "parameters have no size until the model has run once",
                                 "give it its input size (e.g. nn.Linear(in_features, "
                                 "out_features)), or run one forward pass in the file "
                                 "before returning the model")
        for child_name, child in m._modules.items():
            if child is None or id(child) in seen:
                continue
            seen.add(id(child))
            if len(seen) > MAX_MODULES:
                raise UsageError(f"{type(model).__name__} has more than {MAX_MODULES:,} "
                                 "modules", "summarise a part of it")
            stack.append((child, f"{name}.{child_name}" if name else child_name, depth + 1))


class UnknownRF(RField):
    """A receptive field cnncalc cannot follow (the tensor came from code outside a module)."""

    def describe(self) -> tuple[str, str, str]:
        return "?", "?", "?"


UNKNOWN = UnknownRF((0, 0), (0, 0), (0, 0))


@dataclass
class _Call:
    name: str
    module: nn.Module
    input_shape: Shape
    output_shape: Shape
    rf_in: RField
    counts: tuple[int, int]


Counts = tuple[int, int]  # (trainable, non-trainable) values


def _counts(named: list[tuple[str, nn.Module]], names: dict[int, str]
            ) -> tuple[dict[int, Counts], dict[int, tuple[int, int, str]]]:
    """Each module's own (trainable, non-trainable) values as the calculator counts them:
    frozen parameters and running statistics are non-trainable, and a tensor is counted
    once per module, as parameters(recurse=False) and named_buffers(recurse=False) list it.
    Read off the modules' own tables in one pass, without their generator machinery: a small
    net's summary spends most of its time on such fixed costs.

    Also the tied weights: {id(module): (trainable, non-trainable values of tensors an
    earlier module in named_modules() order holds too, that module's name)}, which torch's
    parameters() lists once, at the first."""
    counts: dict[int, Counts] = {}
    tied: dict[int, tuple[int, int, str]] = {}
    owner: dict[int, int] = {}  # a tensor's id -> the first module holding it
    for _, m in named:
        tr = nt = t_tr = t_nt = 0
        holder = ""
        seen: set[int] = set()
        tensors: list[tuple[torch.Tensor, bool]] = [
            (p, p.requires_grad) for p in m._parameters.values() if p is not None]
        tensors += [(b, False) for k, b in m._buffers.items() if b is not None and k in _STATS]
        for t, trainable in tensors:
            if id(t) in seen:
                continue
            seen.add(id(t))
            n = t.numel()
            if trainable:
                tr += n
            else:
                nt += n
            held = owner.setdefault(id(t), id(m))
            if held != id(m):
                t_tr, t_nt = (t_tr + n, t_nt) if trainable else (t_tr, t_nt + n)
                holder = holder or names.get(held, "?")
        counts[id(m)] = (tr, nt)
        if t_tr or t_nt:
            tied[id(m)] = (t_tr, t_nt, holder)
    return counts, tied


# (layer or text, shape) -> row and step; ("rf", layer or text, shape, field before) -> the
# receptive field after it
Calculated = dict[Any, Any]
# spec text -> its nodes, or None where the parser refuses it; and a module's kind and
# values read (module_layers.layer_of) -> its bound layer, or None
Parsed = dict[Any, Any]
MAX_CALCULATED = 20_000  # layers kept for the process; all are dropped when there are more
_CALCULATED: Calculated = {}
_PARSED: Parsed = {}


def _layer_key(layer: Layer) -> tuple[str, tuple[tuple[str, Any], ...]]:
    """What a bound layer's row depends on besides its input: its kind and arguments."""
    return layer.kind, tuple(layer.args.items())


def _calculated(text: str | Layer, shape: Shape, cache: Calculated | None = None,
                parsed: Parsed | None = None) -> tuple[LayerInfo, Any] | None:
    """The calculator's row and step for one layer (a bound layer, or its spec text) on one
    input, or None where it refuses. Both are pure functions of the layer and the shape, so
    they are kept for the process (a ResNet-50 repeats a few dozen layers 170 times) in
    `cache`, and each text's nodes in `parsed` (the same `bn` or `relu` on many shapes is
    parsed once)."""
    cache = _CALCULATED if cache is None else cache
    parsed = _PARSED if parsed is None else parsed
    key = (_layer_key(text) if isinstance(text, Layer) else text, shape)
    if key in cache:
        known: tuple[LayerInfo, Any] | None = cache[key]
        return known
    if len(cache) >= MAX_CALCULATED or len(parsed) >= MAX_CALCULATED:
        cache.clear()
        parsed.clear()
    if isinstance(text, Layer):
        nodes: Any = (text,)
    else:
        if text not in parsed:
            try:
                parsed[text] = parse(text)
            except CnnCalcError:
                parsed[text] = None
        nodes = parsed[text]
    try:
        if nodes is None:
            found = None
        elif len(nodes) == 1 and isinstance(nodes[0], Layer):
            # summarize_spec(text, shape)'s one row, and the step it computed on the way
            # the field after it is _derived's, from the module's own input: not worked
            # out here from the image
            found = summarize_layer(nodes[0], shape, PYTORCH, field=False)
        else:
            spec = text if isinstance(text, str) else ""
            s = summarize(nodes, shape, PYTORCH, 1, spec)  # summarize_spec(text, shape)
            found = (s.layers[0], ops.apply(nodes[0], shape, PYTORCH))
    except CnnCalcError:  # the calculator refuses this layer on this input: it is measured
        found = None
    cache[key] = found
    return found


def _derived(call: _Call, layer: Layer | str | None, cache: Calculated | None = None,
             parsed: Parsed | None = None) -> tuple[LayerInfo, RField, str] | None:
    """The calculator's row for a known leaf (`layer`: its layer_of, or its spec_text),
    with the receptive field it gives after `call.rf_in` and that update written out, if it
    agrees with what the module did. The caller makes the summary's row from it with one
    copy."""
    if layer is None:
        return None
    found = _calculated(layer, call.input_shape, cache, parsed)
    if found is None:
        return None
    row, step = found
    tr, nt = call.counts
    if row.output_shape != call.output_shape or row.params != tr + nt:
        return None  # not the layer the calculator models (e.g. an input of another rank)
    if isinstance(call.rf_in, UnknownRF):
        alone = update(INPUT, step)  # the field after this layer alone
        if alone.whole:
            return row, alone, "every output sees the whole input"
        return row, UNKNOWN, "unknown (its input came from code outside a module)"
    # The field after the layer is a pure function of the layer, its input and the field
    # before it (a Fraction per axis, about 6 µs a row): kept beside the row, by all three.
    # The kept row has no field of its own (summarize_layer's field=False): it starts here.
    cache = _CALCULATED if cache is None else cache
    key = ("rf", _layer_key(layer) if isinstance(layer, Layer) else layer, call.input_shape,
           call.rf_in)
    after = cache.get(key)
    if after is None:
        if len(cache) >= MAX_CALCULATED:
            cache.clear()
        field = update(call.rf_in, step)
        after = cache[key] = (field, update_text(call.rf_in, field, step))
    return row, after[0], after[1]


def _measured(call: _Call, path: str) -> LayerInfo:
    tr, nt = call.counts
    cls = type(call.module).__name__
    notes = (f"{cls} is not a layer cnncalc derives: shape and parameters measured, MACs "
             "counted from the matrix products and convolutions it ran",) if tr + nt else ()
    n = 1
    for d in call.output_shape:
        n *= d
    return LayerInfo(path, cls, f"{call.name}: {cls}", call.input_shape, call.output_shape, tr,
                     nt, 0, n, UNKNOWN, formula="measured", notes=notes, measured=True)


def _batch_shape(input_size: str | Sequence[int]) -> tuple[int, ...]:
    if isinstance(input_size, str):
        parts = input_size.lower().replace("×", "x").split("x")
        if not all(p.strip().isdigit() for p in parts):
            raise UsageError(f"bad input_size '{input_size}'",
                             "write it with the batch first, e.g. 1x3x224x224")
        dims = tuple(int(p) for p in parts)
    else:
        dims = tuple(input_size)
        if not all(isinstance(d, int) and not isinstance(d, bool) for d in dims):
            raise UsageError(f"bad input_size {input_size!r}",
                             "give ints with the batch first, e.g. (1, 3, 224, 224)")
    if len(dims) < 2 or min(dims) < 1:
        raise UsageError(f"bad input_size {input_size!r}",
                         "give the batch and at least one more dimension, each at least 1, "
                         "e.g. (1, 3, 224, 224)")
    if len(dims) > 8 or max(dims) > 10**9:
        raise UsageError(f"input_size {input_size!r} is too large")
    return dims


_IMAGE_LAYERS = (nn.Conv2d, nn.ConvTranspose2d, nn.MaxPool2d, nn.AvgPool2d, nn.BatchNorm2d,
                 nn.AdaptiveAvgPool2d, nn.AdaptiveMaxPool2d)


def _first_tensor(value: Any) -> torch.Tensor | None:
    if isinstance(value, torch.Tensor):
        return value
    if isinstance(value, (tuple, list)):
        for v in value:
            found = _first_tensor(v)
            if found is not None:
                return found
    if isinstance(value, dict):
        return _first_tensor(list(value.values()))
    return None


def _key(k: Any) -> str:
    """A dict key as an output's name, without calling the user's own __str__."""
    if isinstance(k, str):
        return k[:80]
    if isinstance(k, int) and abs(k) < 10**18:
        return str(int(k))
    return f"<{type(k).__name__}>"


def _outputs(value: Any, name: str = "", depth: int = 0) -> list[tuple[str, Shape]]:
    """Every tensor in what forward returned, named by where it sits (batch dropped)."""
    if isinstance(value, torch.Tensor):
        return [(name, tuple(int(d) for d in value.shape[1:]))]
    if depth > 8:
        return []
    if isinstance(value, dict):
        items: list[tuple[str, Any]] = [(_key(k), v) for k, v in value.items()]
    elif isinstance(value, (tuple, list)):
        fields = getattr(value, "_fields", None)  # a namedtuple names its items
        items = [(str(f), v) for f, v in zip(fields, value)] if fields else \
            [(str(i), v) for i, v in enumerate(value)]
    else:
        return []
    out: list[tuple[str, Shape]] = []
    for key, v in items:
        out += _outputs(v, f"{name}.{key}" if name else key, depth + 1)
    return out


class _Recorder:
    """Forward hooks that turn each leaf call into a row, following tensors for the RF, and
    a dispatch mode (`counter`) that charges each op's MACs to the row running it."""

    def __init__(self, model: nn.Module, batch: int) -> None:
        self.batch = batch
        named = list(model.named_modules())  # the one walk every table below is built from
        self.named = named
        self.modules = [m for _, m in named]
        self.names = {id(m): n or type(model).__name__ for n, m in named}
        self.counts, self.tied = _counts(named, self.names)
        self.parents = {id(m) for m in self.modules
                        if any(c is not None for c in m._modules.values())}
        # Rows: leaves, and modules holding parameters of their own; only they get hooks.
        self.row_modules = [m for m in self.modules if id(m) not in self.parents
                            or sum(self.counts[id(m)]) > 0]
        # id -> (RF, version): a tensor changed in place outside a module loses its RF.
        self.rf_of: dict[int, tuple[RField, int]] = {}
        self.keep: list[torch.Tensor] = []  # keeps ids unique while the run lasts
        self.pending: dict[int, list[tuple[RField, Shape]]] = {}
        self.rows: list[LayerInfo] = []
        self.first: dict[int, str] = {}
        self.running: list[nn.Module] = []  # rows whose forward has started and not ended
        self.costs: list[Cost] = []  # the same rows' costs
        self.outside = Cost()  # ops run while no row was running
        self.done: list[Cost] = []
        self.weights: dict[int, Weight] = {}  # by the id of its stand-in
        # What repeats of a module share, for the run
        self.layers: dict[int, Layer | str | None] = {}  # a module's layer_of (or text)
        self.mult_adds: dict[tuple[int, Shape], int] = {}  # a module's on an output shape

    def stand_ins(self) -> list[tuple[dict[str, Any], str, torch.Tensor, torch.Tensor]]:
        """Meta stand-ins for every weight and buffer, as (table, name, original, stand-in)
        for each entry of a module's _parameters or _buffers; the counted ones are
        remembered by id so the ops that read them can be seen. A tensor held under several
        names (tied weights) gets one stand-in, named as named_parameters() names it."""
        swaps: list[tuple[dict[str, Any], str, torch.Tensor, torch.Tensor]] = []
        made: dict[tuple[str, int], torch.Tensor] = {}
        for prefix, m in self.named:
            for kind, table in (("param", m._parameters), ("buffer", m._buffers)):
                for local, t in table.items():
                    if t is None:
                        continue
                    stand_in = made.get((kind, id(t)))
                    if stand_in is None:
                        stand_in = made[kind, id(t)] = self._stand_in(t)
                        if kind == "param" or local in _STATS:
                            self.keep.append(stand_in)
                            self.weights[id(stand_in)] = Weight(
                                id(m), f"{prefix}.{local}" if prefix else local,
                                kind == "param" and t.requires_grad, t.numel())
                    swaps.append((table, local, t, stand_in))
        return swaps

    @staticmethod
    def _stand_in(t: torch.Tensor) -> torch.Tensor:
        if t.is_contiguous() or t.is_contiguous(memory_format=torch.channels_last):
            # what empty_like makes of a dense tensor, without its Python meta path
            return torch.empty_strided(t.shape, t.stride(), dtype=t.dtype, device=META)
        return torch.empty_like(t, device="meta")

    def describe(self, m: nn.Module) -> str:
        """'(name: Class)', as an error names a running row."""
        return f"({self.names.get(id(m))}: {type(m).__name__})"

    def track(self, t: torch.Tensor, rf: RField) -> None:
        self.keep.append(t)
        self.rf_of[id(t)] = (rf, t._version)

    def rf(self, t: Any) -> RField:
        if not isinstance(t, torch.Tensor):
            return UNKNOWN
        known = self.rf_of.get(id(t))
        return known[0] if known is not None and known[1] == t._version else UNKNOWN

    def charge(self, func: Any, args: Sequence[Any], kwargs: dict[str, Any], out: Any) -> None:
        """One aten op: its MACs (or its name, if they are not derived) and the weights it
        read, to the innermost running row."""
        cost = self.costs[-1] if self.costs else self.outside
        macs = op_macs(func, args, out)
        if macs is None:
            name = op_name(func)
            cost.unknown[name] = cost.unknown.get(name, 0) + 1
        else:
            cost.macs += macs
        for a in [*args, *kwargs.values()]:
            for t in (a if isinstance(a, (list, tuple)) else (a,)):
                if isinstance(t, torch.Tensor) and id(t) in self.weights and \
                        id(t) not in cost.touched:
                    cost.touched.append(id(t))

    def pre(self, m: nn.Module, args: tuple[Any, ...]) -> None:
        x = args[0] if args else None
        if isinstance(m, _IMAGE_LAYERS) and isinstance(x, torch.Tensor) and x.dim() == 3:
            # torch would read (C, H, W) as one unbatched image: every shape would be off
            raise UsageError(f"layer {len(self.rows) + 1} ({self.names.get(id(m))}: "
                             f"{type(m).__name__}) got a 3-D input "
                             f"{'x'.join(map(str, x.shape))}, an image without a batch",
                             "input_size includes the batch, e.g. (1, 3, 224, 224)")
        shape = tuple(x.shape[1:]) if isinstance(x, torch.Tensor) else ()
        self.pending.setdefault(id(m), []).append((self.rf(x), shape))
        self.running.append(m)
        self.costs.append(Cost())

    def post(self, m: nn.Module, args: tuple[Any, ...], out: Any) -> None:
        key = id(m)
        rf_in, shape = self.pending[key].pop()
        self.running.pop()
        cost = self.costs.pop()
        path = str(len(self.rows) + 1)
        tensor = out if isinstance(out, torch.Tensor) else _first_tensor(out)
        full = tuple(int(d) for d in tensor.shape) if tensor is not None else ()
        call = _Call(self.names.get(key, type(m).__name__), m, shape, full[1:], rf_in,
                     self.counts[key])
        derived = None
        if tensor is out:
            if key not in self.layers:
                if len(_PARSED) >= MAX_CALCULATED:
                    _PARSED.clear()
                layer = layer_of(m, _PARSED)
                self.layers[key] = spec_text(m) if layer == TEXT else layer
            derived = _derived(call, self.layers[key])
        if derived is not None and (cost.unknown or derived[0].macs * self.batch != cost.macs):
            derived = None  # it ran more than the layer the calculator models
        notes: list[str] = []
        if tensor is not out:  # a tuple (an LSTM's output and state, ...)
            notes.append(f"returns a {type(out).__name__}; the shape shown is its first "
                         "tensor's" if tensor is not None
                         else f"returns a {type(out).__name__}, no tensor")
        if key in self.parents:
            notes.append(f"{type(m).__name__} holds parameters of its own; its submodules' "
                         "calls are rows of their own")
        # torchinfo sizes a dict output by its last value, anything else by its first tensor
        seen_by_torchinfo = _first_tensor(list(out.values())[-1:]) if isinstance(out, dict) \
            else tensor
        seen = tuple(seen_by_torchinfo.shape) if seen_by_torchinfo is not None else ()
        if (key, seen) not in self.mult_adds:
            self.mult_adds[key, seen] = torchinfo_mult_adds(m, seen)
        tr, nt = call.counts  # a derived row's count is checked equal to them
        first = self.first.setdefault(key, path)
        shares = first if first != path and tr + nt else ""
        if shares:
            tr = nt = 0
            notes.append(f"the module of layer {first} again: its parameters are counted "
                         "there")
        elif key in self.tied:  # weights tied to an earlier module's: counted there, once
            t_tr, t_nt, holder = self.tied[key]
            tr, nt = tr - t_tr, nt - t_nt
            notes.append(f"{t_tr + t_nt:,} of its values are tensors {holder} holds too "
                         "(tied weights): counted there, once, as torch's parameters() does")
        # One copy per row: the calculator's (or the measured) row, made this call's
        if derived is not None:
            base, rf, rf_text = derived
            row = row_with(base, path=path, spec=f"{call.name}: {base.spec}", rf=rf,
                           rf_formula=rf_text, notes=(*base.notes, *notes),
                           trainable_params=tr, non_trainable_params=nt,
                           mult_adds=self.mult_adds[key, seen] // self.batch, shares=shares)
        else:
            base = linear_nd(costed(_measured(call, path), cost, self.batch), m)
            row = row_with(base, notes=(*base.notes, *notes), trainable_params=tr,
                           non_trainable_params=nt,
                           mult_adds=self.mult_adds[key, seen] // self.batch, shares=shares)
        cost.row = len(self.rows)
        self.done.append(cost)
        self.rows.append(row)
        if isinstance(out, torch.Tensor):
            self.track(out, row.rf)

    def summary(self, model: nn.Module, dims: tuple[int, ...], complete: bool = True,
                outputs: tuple[tuple[str, Shape], ...] = ()) -> Summary:
        rows = list(self.rows)
        if complete:
            rows = attribute(rows, self.done, self.outside, self.weights, self.first,
                             type(model).__name__, dims, UNKNOWN)
        return Summary(type(model).__name__, tuple(dims[1:]), PYTORCH, dims[0], tuple(rows),
                       mode="eval", outputs=outputs)


_TRAIN = nn.Module.train
_SETATTR = nn.Module.__setattr__


def _plain_modes(modules: Sequence[nn.Module]) -> bool:
    """True where no module overrides train() or __setattr__ and `training` is a plain
    instance attribute (no class makes it a property): model.eval() would then only set
    each module's flag (the modules are all of model.modules()), which is done directly;
    torch's recursive walk through both costs about 6 µs a module."""
    return all(type(m).train is _TRAIN and type(m).__setattr__ is _SETATTR and
               "training" in vars(m) and not hasattr(type(m), "training") for m in modules)


def _hooks(rec: _Recorder) -> list[Any]:
    """The recorder's hooks on its row modules, as handles to remove afterwards.

    Where no module of the model has forward hooks of its own, one pair of torch's global
    module hooks, which pass over every module but the rows, stands in for a pair on each
    row: the hooks then run in the same order (the global hooks before them, in the order
    they were registered, and ours last), and the two handles replace two for each row
    (about 3 µs a row, a few percent of a small net's summary). With hooks of the model's
    own, ours go on each row after them, as before, so that they see what those hooks pass
    on."""
    if any(m._forward_hooks or m._forward_pre_hooks for m in rec.modules):
        return [h for m in rec.row_modules for h in (m.register_forward_pre_hook(rec.pre),
                                                      m.register_forward_hook(rec.post))]
    rows = {id(m) for m in rec.row_modules}

    def pre(m: nn.Module, args: tuple[Any, ...]) -> None:
        if id(m) in rows:
            rec.pre(m, args)

    def post(m: nn.Module, args: tuple[Any, ...], out: Any) -> None:
        if id(m) in rows:
            rec.post(m, args, out)

    from torch.nn.modules.module import (
        register_module_forward_hook,
        register_module_forward_pre_hook,
    )

    return [register_module_forward_pre_hook(pre), register_module_forward_hook(post)]


def module_summary(model: nn.Module, input_size: str | Sequence[int],
                   convention: str = PYTORCH) -> Summary:
    """The summary of `model` on one input of `input_size` (batch first, as torchinfo), run
    in eval mode as torchinfo runs it (training-only branches, such as GoogLeNet's auxiliary
    heads, are left out); each module's own mode is restored afterwards."""
    if not isinstance(model, nn.Module):
        raise UsageError(f"expected a torch nn.Module, got {type(model).__name__}")
    if parse_convention(convention) != PYTORCH:
        raise UsageError("a torch module is summarised under the pytorch convention")
    dims = _batch_shape(input_size)
    check_structure(model)
    rec = _Recorder(model, dims[0])
    x = torch.empty(dims, device="meta")
    rec.track(x, INPUT)
    try:
        # Meta stand-ins for every weight and buffer: the run allocates and changes nothing.
        swaps = rec.stand_ins()
    except (ValueError, RuntimeError) as e:  # e.g. lazy modules not yet initialised
        raise UsageError(f"cannot summarise {type(model).__name__}: its weights cannot be "
                         f"stood in for ({type(e).__name__}: {str(e)[:120]})",
                         "run the model once to initialise lazy modules") from None
    handles = _hooks(rec)
    modes = [(m, m.training) for m in rec.modules]
    plain = _plain_modes(rec.modules)
    try:
        from .op_count import counter

        if plain:
            for m in rec.modules:
                m.__dict__["training"] = False
        else:
            model.eval()
        # The stand-ins go straight into each module's tables and the originals come back
        # in `finally`, as torch.func.functional_call does it, less its per-name walk.
        for table, name, _, stand_in in swaps:
            table[name] = stand_in
        with torch.no_grad(), counter(rec.charge):
            out = model(x)
    except (CnnCalcError, KeyboardInterrupt):
        raise
    except BaseException as e:  # SystemExit, GeneratorExit ... from the model's own code
        partial = rec.summary(model, dims, complete=False)
        where = (f"layer {len(rec.rows) + 1} {rec.describe(rec.running[-1])}" if rec.running else
                 f"{type(model).__name__}.forward after layer {len(rec.rows)}")
        raise LayerError(f"{where} failed on input {'x'.join(map(str, dims))}: "
                         f"{describe(e)}",
                         "check the input size against what the model expects",
                         partial, str(len(rec.rows) + 1) if rec.running else None) from None
    finally:
        for table, name, original, _ in reversed(swaps):
            table[name] = original
        for h in handles:
            h.remove()
        for m, training in modes:
            if plain:
                m.__dict__["training"] = training
            else:
                m.training = training
    return rec.summary(model, dims, outputs=tuple(_outputs(out)))
