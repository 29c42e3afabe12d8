"""Read PyTorch and Keras model code with `ast`: never imported, never run."""

from __future__ import annotations

import ast
import re
import warnings

from ..errors import cut
from ..ir.tree import named, tied_to
from ..ir.tree import prefixed as put_under
from ..library.binding import (
    KERAS,
    MAX_SOURCE,
    PYTORCH,
    Bound,
    ClassDef,
    ClassError,
    Raw,
    SignatureError,
    dialect_of,
)
from ..library.classes import (
    TABLE,
    bind_call,
    class_hint,
    dialect_for,
    is_class,
    library_name,
    split_name,
)
from ..records import record
from ..spec import Node, make_layer
from . import hooks
from .aliases import canonical_imports
from .inherit import model_subclasses
from .kinds import LayerObj
from .plane import check_plane
from .values import BrokenCode, CodeError, Unknown, Values, at_line, dotted, err, text

__all__ = ["CodeError", "Init", "Model", "Reader", "check_dialect", "dotted", "finish",
           "parse_source", "sequential_dialect"]

MAX_AST_NODES = 200_000
MAX_DEPTH = 60  # nesting of calls and expressions a model may use
MAX_LAYERS = 100_000

SEQUENTIAL = ("Sequential",)
_ACTIVATION_MODULES = ("tf.nn.", "keras.activations.", "tf.keras.activations.",
                       "activations.")
_ORDERED = ("OrderedDict", "collections.OrderedDict")
_ALWAYS_SHOWN = frozenset({"input_shape", "batch_input_shape"})  # the input: kept, and shown
# Arguments whose value changes no shape or count, so it is not read (a class must also list
# them as ignored): where a tensor lives, its number type, names, initialisation.
_NOT_READ = frozenset({"device", "dtype", "name", "seed"})
_NOT_READ_ENDINGS = ("_initializer", "_regularizer", "_constraint")
_NUL = re.compile("\x00")
_SURROGATE = re.compile("[\ud800-\udfff]")  # undecodable bytes, as Python escapes them


@record
class Init:
    """A weight initialisation the code gives a layer. It changes no shape and no count;
    it is recorded so that training can keep it."""

    layer: str  # the attribute ('fc'), or '*' for every module the condition `when` picks
    tensor: str  # 'weight' or 'bias'
    function: str  # 'xavier_uniform_', 'normal_', 'fill_', 'zero_', ...
    args: tuple[str, ...]  # the other arguments, as written
    when: str  # '' or the condition it is under, as written
    line: int


@record
class Model:
    """One model found in the code."""

    name: str
    dialect: str
    nodes: tuple[Node, ...]
    input_shape: tuple[int, ...] | None  # (C, H, W) or (N,) when the code declares it
    line: int
    inits: tuple[Init, ...] = ()
    notes: tuple[str, ...] = ()  # title lines: what the reader assumed, said
    # A model with several inputs: each one's name and the shape the code declares (None
    # where it declares none), in the order the model takes them. Empty for one input.
    inputs: tuple[tuple[str, tuple[int, ...] | None], ...] = ()


def finish(name: str, dialect: str | None, nodes: list[Node],
           shape: tuple[int, ...] | None, where: ast.AST,
           inits: tuple[Init, ...] = (), plane: int | None = None) -> Model:
    """The model read; `plane`: the line of a Keras input given as (H, W), read as one
    channel only where the model flattens it before any layer looks at its axes."""
    if not nodes:  # no line: a problem anywhere in the model's code comes first
        raise CodeError(f"the model {cut(name)} (line {getattr(where, 'lineno', '?')}) has no "
                        "layers that change a shape or hold weights")
    if len(nodes) > MAX_LAYERS:
        raise err(where, f"the model has more than {MAX_LAYERS:,} layers")
    if plane is not None:
        check_plane(nodes, plane, shape)
    return Model(name, dialect or PYTORCH, tuple(nodes), shape, getattr(where, "lineno", 0),
                 inits)


def parse_source(source: str) -> ast.Module:
    """The syntax tree, within bounds on size and depth, with import aliases of the
    libraries read as their usual names (aliases.py) and a model class that subclasses
    another of the file made a model of its own (inherit.py); never executed."""
    if len(source) > MAX_SOURCE:
        raise CodeError(f"the code is {len(source):,} characters; the limit is {MAX_SOURCE:,}")
    for pattern, what in ((_NUL, "a NUL byte"), (_SURROGATE, "bytes that are not UTF-8")):
        found = pattern.search(source)
        if found is not None:
            line = source.count("\n", 0, found.start()) + 1
            raise at_line(line, f"the code contains {what}", "save it as UTF-8 text")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarnings about the user's code: not ours
            tree = ast.parse(source)
    except SyntaxError as e:
        message = str(e.msg)
        if "Exceeds the limit" in message:
            message = "a number with more than 4,300 digits"
        raise at_line(e.lineno, f"not valid Python: {cut(message, 80)}") from None
    except (RecursionError, MemoryError):
        raise CodeError("the code is nested too deeply for Python's parser",
                        "write the expression in several steps") from None
    except (ValueError, OverflowError) as e:
        raise CodeError(f"the code cannot be parsed: {cut(str(e) or type(e).__name__, 80)}"
                        ) from None
    count = 0
    stack: list[tuple[ast.AST, int]] = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        count += 1
        if count > MAX_AST_NODES:
            raise CodeError(f"the code has more than {MAX_AST_NODES:,} syntax nodes")
        if depth > MAX_DEPTH:
            raise err(node, f"expressions nested deeper than {MAX_DEPTH} levels")
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return model_subclasses(canonical_imports(tree))


def check_dialect(node: ast.AST, want: str | None = None) -> str | None:
    """The library the layer classes under `node` come from; mixing them is an error."""
    names: list[tuple[str, str | None]] = []
    for n in ast.walk(node):
        if isinstance(n, ast.Call):
            name = dotted(n.func)
            found = library_name(name) if name is not None else None
            if found is not None:
                names.append((found[1], found[0]))
    try:
        got = dialect_of(names, TABLE)
    except ClassError as e:
        raise err(node, e.message, e.hint) from None
    if want and got and got != want:
        lib = "Keras" if got == KERAS else "PyTorch"
        raise err(node, f"{lib} layers in a {'PyTorch' if want == PYTORCH else 'Keras'} "
                  "model", "write the model in one library")
    return want or got


def _shown(d: ClassDef, param: str | None) -> bool:
    """Whether an argument is kept: one the class ignores (device=, name=, seed=) is not
    echoed anywhere."""
    return "*" not in d.ignored and (param not in d.ignored or param in _ALWAYS_SHOWN)


def _unread(d: ClassDef, k: ast.keyword) -> bool:
    """Whether a keyword argument is one the class ignores, so its value (often known only
    when the code runs: dtype=torch.float64, device=dev) need not be read. An expression
    that binds a name (:=) is still read, so that nothing it binds is lost."""
    return k.arg is not None and k.arg in d.ignored and \
        (k.arg in _NOT_READ or k.arg.endswith(_NOT_READ_ENDINGS)) and \
        not any(isinstance(n, ast.NamedExpr) for n in ast.walk(k.value))


class Reader:
    """Turns the calls of one model into cnncalc layers."""

    def __init__(self, values: Values, dialect: str | None) -> None:
        self.values = values
        self.dialect = dialect
        # Layer objects (conv = Conv2D(...)) placed so far, each with torch's name for it.
        self.objects: dict[int, str | None] = {}
        self.count = 0
        self.input_shape: tuple[int, ...] | None = None
        self.plane: int | None = None  # the line of an (H, W) input (dialects/plane.py)
        # Where torch places the layers being read: '' the module being read itself,
        # 'features.0' inside nn.Sequential(s), None where the name is not known.
        self.module: str | None = ""

    def file_code(self, call: ast.Call, name: str) -> None:
        """A call of something the file itself defines, or of a value known only when the
        code runs: say so, rather than 'unknown layer class'."""
        from .kinds import Owner  # kinds builds on values, as this file does

        for key in (name, name.split(".")[0]):
            bound = self.values.get(key)
            if isinstance(bound, Unknown):
                raise bound.error()
            if isinstance(bound, Owner):
                what = {"function": "a function of the file: helper functions",
                        "method": "a method of the file: helper methods"}.get(
                    bound.kind, f"the file's class {cut(key)}: classes used as layers")
                raise err(call, f"{text(call)} is {what} are not read yet",
                          "write its layers in the model itself")

    def bind(self, call: ast.Call, first: bool, say: bool = True) -> Bound:
        """What one library call means, bound as the library binds it; `say`: note what
        Keras ignores in it."""
        name = dotted(call.func)
        if name is None:
            raise err(call, f"{text(call.func)} is not a layer class")
        self.file_code(call, name)
        if name.startswith("self."):
            raise err(call, f"{text(call)} is a method of the model: helper methods are not "
                      "read yet", "write its layers in the model itself")
        try:
            prefixed, cls = split_name(name)
        except ClassError as e:
            raise err(call, e.message, e.hint) from None
        if not is_class(cls):
            hint = (class_hint(cls, prefixed)
                    or "'cnncalc docs spec \"class names\"' lists the classes cnncalc reads")
            raise err(call, f"unknown layer class {cut(name)}", hint)
        d = dialect_for(cls, prefixed, self.dialect)
        positional: list[Raw] = []
        keywords: dict[str, Raw] = {}
        for a in call.args:
            if isinstance(a, ast.Starred):
                raise err(a, f"*{text(a.value)} is only known when the code runs")
            positional.append(self.values.eval(a))
        for k in call.keywords:
            if k.arg is None:
                raise err(k.value, f"**{text(k.value)} is only known when the code runs")
            name_of = dotted(k.value)
            if _unread(d, k):
                keywords[k.arg] = None  # device=, dtype=, name=...: changes nothing here
            elif k.arg == "activation" and name_of and name_of.startswith(_ACTIVATION_MODULES):
                keywords[k.arg] = name_of.rsplit(".", 1)[1]  # tf.nn.relu reads as 'relu'
            else:
                keywords[k.arg] = self.values.eval(k.value)
        if keywords.get("lora_rank") is not None and "lora_rank" in d.ignored:
            raise err(call, f"{cls}(lora_rank=...) adds LoRA weights and freezes the kernel; "
                      "cnncalc does not count them yet", "remove lora_rank")
        try:
            bound = bind_call(cls, prefixed, self.dialect, positional, keywords, first)
            if say and not first and d.dialect == KERAS:
                _ignored_input_shape(call, cls, keywords)
            if say and not bound.layers and bound.input_shape is None and \
                    cls not in ("Input", "InputLayer"):
                _no_row(call, cls)
            return bound
        except SignatureError as e:
            raise BrokenCode(f"line {call.lineno}: {e.message}", e.hint, call.lineno) from None
        except ClassError as e:
            raise err(call, e.message, e.hint) from None

    def check_signature(self, call: ast.Call) -> None:
        """Raise BrokenCode where the call's class refuses its arguments, as Python stops
        there, whatever becomes of the layer. Any other problem with the call (a value known
        only at run time, a class cnncalc does not read) is not an error of the code, and
        is met again where the layer is used, if it is."""
        try:
            self.bind(call, False, say=False)
        except BrokenCode:
            raise
        except CodeError:
            return

    def layer_call(self, call: ast.Call, first: bool) -> list[Node]:
        """A library layer call, or a Sequential (nested or of an OrderedDict)."""
        name = dotted(call.func)
        if name is not None and name.rpartition(".")[2] in SEQUENTIAL and \
                sequential_dialect(call) is not None:
            return self.sequential(call, first)
        if name is not None and "." not in name:
            Partial, written_call = hooks.up("Partial"), hooks.up("written_call")

            alias = self.values.get(name)
            if isinstance(alias, Partial):  # DefaultConv2D = partial(layers.Conv2D, ...)
                return self.layer_call(written_call(alias, call), first)
        if name is not None and self.dialect != KERAS:
            from .kinds import Owner  # kinds builds on values, as this file does

            bound = self.values.get(name.split(".")[0])
            if isinstance(bound, Owner) and bound.kind in ("function", "torch"):
                file_layers = hooks.up("file_layers")  # from torch_module (above)

                layers: list[Node] = file_layers(call, self.values)
                return put_under(layers, self.module) if self.module is not None else \
                    named(layers, None)
        bound = self.bind(call, first)
        assert name is not None
        prefixed, cls = split_name(name)
        d = dialect_for(cls, prefixed, self.dialect)
        kept: list[ast.AST] = [a for i, a in enumerate(call.args)
                               if _shown(d, d.params[i][0] if i < len(d.params) else None)]
        kept += [k for k in call.keywords if _shown(d, k.arg)]
        source = f"{cls}({', '.join(text(x) for x in kept)})"
        made = self.made(bound, cls, source, call)
        return named(made, self.keras_name(call) if d.dialect == KERAS else self.module)

    def keras_name(self, call: ast.Call) -> str | None:
        """A Keras layer's name=, where it is known before the code runs ('conv' + str(i)
        in a loop); None where it is not, so that no key can pick it."""
        for k in call.keywords:
            if k.arg == "name":
                try:
                    value = self.values.eval(k.value)
                except CodeError:
                    return None
                return value if isinstance(value, str) and value else None
        return None

    def made(self, bound: Bound, cls: str, source: str, where: ast.AST) -> list[Node]:
        if bound.input_shape is not None:
            self.input_shape = bound.input_shape
            self.plane = getattr(where, "lineno", 0) if bound.plane else None
        out: list[Node] = []
        for i, m in enumerate(bound.layers):
            try:
                out.append(make_layer(m, cls, source if i == 0 else ""))
            except ClassError as e:
                raise err(where, e.message, e.hint) from None
        self.count += len(out)
        if self.count > MAX_LAYERS:
            raise err(where, f"the model has more than {MAX_LAYERS:,} layers")
        return out

    def sequential(self, call: ast.Call, first: bool) -> list[Node]:
        items: list[ast.AST] = []
        keys: list[str | None] = []  # torch's names for them: '0', '1'... or the dict's
        for a in call.args:
            if isinstance(a, ast.Starred):
                raise err(a, f"*{text(a.value)} is only known when the code runs")
            if isinstance(a, (ast.List, ast.Tuple)):  # keras.Sequential([...])
                items.extend(a.elts)
            elif isinstance(a, ast.Call) and dotted(a.func) in _ORDERED:
                items.extend(self.ordered(a))
                keys.extend(_ordered_keys(a))
            else:
                items.append(a)
        for k in call.keywords:
            if k.arg == "layers" and isinstance(k.value, (ast.List, ast.Tuple)):
                items.extend(k.value.elts)
            elif k.arg is None:
                raise err(k.value, f"**{text(k.value)} is only known when the code runs")
            elif k.arg not in ("name", "trainable"):
                raise err(k, f"Sequential({k.arg}=...) is not supported")
        keys += [str(i) for i in range(len(keys), len(items))]
        torch = sequential_dialect(call) != KERAS and self.dialect != KERAS
        out: list[Node] = []
        outer = self.module
        for item, key in zip(items, keys):
            if torch:  # each layer is named once, where it is made, however deep it nests
                self.module = None if outer is None or key is None else \
                    f"{outer}.{key}" if outer else key
            try:
                out.extend(self.item(item, first and not out))
            finally:
                self.module = outer
        return out

    def ordered(self, call: ast.Call) -> list[ast.AST]:
        if len(call.args) != 1 or call.keywords:
            raise err(call, "OrderedDict needs one list of (name, layer) pairs")
        arg = call.args[0]
        if isinstance(arg, ast.Dict):
            return [v for v in arg.values]
        if not isinstance(arg, (ast.List, ast.Tuple)):
            raise err(arg, "OrderedDict needs a literal list of (name, layer) pairs")
        out: list[ast.AST] = []
        for pair in arg.elts:
            if not isinstance(pair, ast.Tuple) or len(pair.elts) != 2:
                raise err(pair, "each OrderedDict entry must be a (name, layer) pair")
            out.append(pair.elts[1])
        return out

    def item(self, node: ast.AST, first: bool) -> list[Node]:
        if not isinstance(node, ast.Call):
            key = dotted(node)
            bound = self.values.get(key) if key is not None else None
            if isinstance(bound, Unknown):
                raise bound.error()
            if isinstance(bound, LayerObj):  # conv = Conv2D(...); model.add(conv)
                if bound.poison is not None:
                    raise bound.poison
                # One object in several places is one set of weights, as torch and Keras
                # count it: every use is tied to it, and torch names it where it is first
                # placed (named_modules() lists it once).
                outer, module = self.values, self.module
                again = id(bound) in self.objects
                self.module = self.objects.setdefault(id(bound), module)
                self.values = Values(base=bound.view)  # its arguments where it was made
                try:
                    # an input_shape= it carries was the first use's: not a later layer's
                    made = self.layer_call(bound.call, first or again)
                finally:
                    self.values, self.module = outer, module
                return tied_to(made, f"#{bound.serial}")
            raise err(node, f"{text(node)} is not a layer", "write a layer call such as "
                      "nn.ReLU() or layers.Dense(10)")
        return self.layer_call(node, first)


def _ignored_input_shape(call: ast.Call, cls: str, keywords: dict[str, Raw]) -> None:
    """Keras reads input_shape= on a Sequential's first layer only, and ignores it anywhere
    else (a later layer, the functional API): so does the reader, and it says so."""
    for key in ("input_shape", "batch_input_shape"):
        if keywords.get(key) is not None:
            _say(f"line {call.lineno}: {key}= on {cls} is ignored, as Keras ignores it on "
                 "any layer but a Sequential's first")


def _no_row(call: ast.Call, cls: str) -> None:
    """A layer that changes no shape and holds no weights (Rescaling, an augmentation,
    nn.Identity) has no row: the reading says so, rather than leave it out in silence."""
    _say(f"line {call.lineno}: {cls} changes no shape and holds no weights: it has no row")


def _say(note: str) -> None:
    """A note for the reading under way (none outside one)."""
    from .given import active  # the reading under way (given builds on this file)

    given = active()
    if given is not None:
        given.notes.append(note)


def _ordered_keys(call: ast.Call) -> list[str | None]:
    """The names an OrderedDict gives its modules, where written as strings."""
    arg = call.args[0]
    written = arg.keys if isinstance(arg, ast.Dict) else \
        [p.elts[0] for p in arg.elts if isinstance(p, ast.Tuple)] \
        if isinstance(arg, (ast.List, ast.Tuple)) else []
    return [k.value if isinstance(k, ast.Constant) and isinstance(k.value, str) else None
            for k in written]


_SEQ_PREFIXES = {"nn.": PYTORCH, "torch.nn.": PYTORCH, "keras.": KERAS, "tf.keras.": KERAS,
                 "keras.models.": KERAS, "tf.keras.models.": KERAS, "models.": KERAS,
                 "tensorflow.keras.": KERAS, "tensorflow.keras.models.": KERAS, "": ""}


def sequential_dialect(call: ast.AST) -> str | None:
    """'pytorch' / 'keras' / '' (unprefixed) when `call` is a Sequential(...) call, else None."""
    if not isinstance(call, ast.Call):
        return None
    name = dotted(call.func)
    if name is None or not (name == "Sequential" or name.endswith(".Sequential")):
        return None
    return _SEQ_PREFIXES.get(name[:-len("Sequential")])
