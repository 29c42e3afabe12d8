"""Read an nn.Module class: its layers from __init__, their order from forward().

The class body, __init__ and forward() each dispatch their statements through a table
(CLASS_BODY, INIT, FORWARD) with no fall-through: a statement is read, skipped on purpose,
or an error naming its line.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import replace

from ..errors import cut
from ..ir.tree import holds_weights, output_names, prefixed, tied
from ..library.binding import PYTORCH, Bound, ClassError, Made, Raw
from ..spec import Layer, Node
from . import hooks
from .code import Init, Model, Reader, check_dialect, finish
from .functional import FUNCTIONAL_PREFIXES, functional_call
from .given import arguments, parameters
from .init_run import Mod, Run, bind, first_places
from .inits import applied_function, init_call, modules_loop, tensor_of
from .kinds import Owner
from .modules import bind_arguments, call_site_arguments
from .stack import READ as STACK_READ
from .stack import Fold, StackCall, fold, folded, stack_call, unbind_call, unbound
from .tensor_ops import (
    MEANS,
    REFUSED,
    is_pieces,
    is_size_call,
    mean_dims,
    pieces,
    size_index,
    size_value,
)
from .tensors import (
    Source,
    Tensor,
    check_uses,
    join,
    model_input,
    name_tensor,
    outputs,
    piece,
    start,
)
from .values import MISSING, CodeError, Unknown, Values, View, budget, dotted, err, iterate, text

_WITH_WEIGHTS = ("conv", "convt", "dwconv", "fc", "bn")
_TORCH_ACTS = ("relu", "sigmoid", "tanh", "softmax", "log_softmax")
_HELPER = "helper methods are not read yet"
# torch functions that join tensors, and the join each is.
_CATS = ("torch.cat", "torch.concat", "torch.concatenate")
_JOIN_FUNCTIONS = {**{c: "cat" for c in _CATS}, "torch.add": "add", "torch.mul": "mul",
                   "torch.multiply": "mul"}
_JOIN_OPS: dict[type[ast.operator], str] = {ast.Add: "add", ast.Mult: "mul"}


def _flattens(start_dim: object) -> str:
    """What a flatten from another start_dim than 1 does that cnncalc does not read."""
    if start_dim in (0, -4):
        return "flattens the batch too"
    if isinstance(start_dim, int) and not isinstance(start_dim, bool):
        return (f"flattens from dim {start_dim} on; cnncalc reads a flatten from dim 1 "
                "(each sample to one vector)")
    return "flattens from a dim cnncalc does not know while it reads"


def class_model(cls: ast.ClassDef, owner: Owner, tree: ast.AST, end: View,
                given: dict[str, object] | None = None) -> Model:
    """The model an nn.Module class builds, with the module's names as they stood when the
    code first builds it (or at the end of the code); `given`: the arguments of one call
    (a builder function's), else those the code's calls of the class pass."""
    return _ModuleReader(cls, Values(base=owner.first_call or end), tree, given).read()


def file_layers(call: ast.Call, values: Values) -> list[Node]:
    """A call of a function or an nn.Module class of the file where a layer is expected
    (`nn.Sequential(nin_block(1, 96, 11, 4, 0), ...)`): the layers it returns."""
    shell = ast.ClassDef(name=dotted(call.func) or "", bases=[], keywords=[], body=[],
                         decorator_list=[])
    ast.copy_location(shell, call)
    reader = _ModuleReader(shell, values, ast.Module(body=[], type_ignores=[]), {})
    ret = ast.copy_location(ast.Return(call), call)
    got = Run(reader, function=True).run([ret], {})
    if not isinstance(got, Mod):
        raise err(call, f"{text(call)} does not give a layer")
    first, placed = first_places({"": got})
    nodes = got.named_nodes("", first)
    return tied(nodes, _under(placed)) if placed else nodes


def builder_model(fn: ast.FunctionDef, tree: ast.AST, end: View) -> Model:
    """A function of the file that returns one of its nn.Module classes built with its
    arguments (`def ResNet18(): return ResNet(BasicBlock, [2, 2, 2, 2])`): that model,
    under the function's name."""
    shell = ast.ClassDef(name=fn.name, bases=[], keywords=[], body=[], decorator_list=[])
    ast.copy_location(shell, fn)
    reader = _ModuleReader(shell, Values(base=end), tree, {})
    call = ast.copy_location(ast.Call(ast.Name(fn.name, ast.Load()), [], []), fn)
    given = arguments(parameters(fn, False))  # --set replaces the defaults
    got = Run(reader, function=True).run(fn.body, bind(fn, call, [], given, False))
    if not isinstance(got, Mod) or got.model is None:
        raise err(fn, f"{fn.name}() does not return a model of the file")
    return replace(got.model, name=fn.name)


def block_model(cls: ast.ClassDef, outer: _ModuleReader, given: dict[str, object]) -> Model:
    """A block class of the file built inside a model, with the arguments of that call: its
    layers from __init__, in the order its forward() uses them (a residual among them)."""
    model = _ModuleReader(cls, outer.outer_values, outer.tree, given).read()
    if model.inputs:
        raise err(cls, f"{cls.name}.forward() takes {len(model.inputs)} inputs; cnncalc "
                  "reads a block used as a layer only when it takes one",
                  "join the inputs in the model's forward(), then call the block")
    several = output_names(model.nodes)
    if several:
        raise err(cls, f"{cls.name}.forward() returns {len(several)} tensors; cnncalc "
                  "reads a block used as a layer only when it returns one",
                  "return one tensor from the block, and the others from the model")
    return model


def _is_docstring(s: ast.stmt) -> bool:
    return isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant)


class _ModuleReader:
    """An nn.Module class: layers from __init__, their order from forward()."""

    def __init__(self, cls: ast.ClassDef, values: Values, tree: ast.AST,
                 given: dict[str, object] | None = None) -> None:
        self.cls = cls
        self.tree = tree
        self.given = given
        self.outer_values = values
        self.values = values.child()
        self.containers: dict[str, Mod] = {}  # self.X holding a ModuleList, Sequential...
        self.bound: dict[str, Mod] = {}  # forward's names for modules (for layer in ...)
        self.used_items: dict[str, set[int]] = {}  # container items forward() applies
        self.reader = Reader(self.values, PYTORCH)
        self.methods: dict[str, ast.FunctionDef] = {}
        self.attrs: dict[str, tuple[list[Node], ast.AST]] = {}
        self.used: dict[str, int] = {}
        # paths of modules forward() applies, or __init__ places, more than once
        self.shared: set[str] = set()
        self.applied: set[int] = set()  # the container items forward() has applied
        self.first: dict[int, str] = {}  # each module's torch name: where it is first placed
        self.reached: set[int] = set()  # the modules forward() applies, and all they hold
        self.batch: set[str] = set()
        self.env: dict[str, Tensor] = {}
        self.lists: dict[str, list[Tensor]] = {}  # features = [x]; features.append(y)
        self.tuples: set[str] = set()  # names of self.lists that hold a tuple (x.chunk(2, 1))
        self.stacks: dict[str, tuple[StackCall, list[Tensor]]] = {}  # s = torch.stack(...)
        self.input = ""
        self.named_inputs: dict[str, Tensor] = {}  # forward(self, x, y): x and y
        self.root = start(Source(cls.lineno))
        self.inits: list[Init] = []
        self.helpers: set[str] = set()  # helper methods entered, against recursion

    def read(self) -> Model:
        check_dialect(self.cls, PYTORCH)
        hooks.up("refuse_subclass")(self.cls)  # from modules
        for s in self.cls.body:
            _dispatch(CLASS_BODY, self, s, f"in class {self.cls.name}")
        init, forward = self.methods.get("__init__"), self.methods.get("forward")
        if init is None or forward is None:
            raise err(self.cls, f"class {self.cls.name} needs __init__ and forward")
        self.init(init)
        result = self.forward(forward)
        for attr, (nodes, where) in self.attrs.items():
            if attr not in self.used and attr not in self.used_items and \
                    self.unreached(attr, nodes):
                raise err(where, f"self.{attr} has weights but forward() never uses it; "
                          "torch still counts them", "remove it, or use it in forward")
            mod = self.containers.get(attr)
            if attr in self.used_items and mod is not None:
                for key, item in zip(mod.keys, mod.items):
                    if id(item) not in self.used_items[attr] and \
                            self.unreached("", item.nodes(), item):
                        raise err(where, f"self.{attr}[{key!r}] has weights but forward() "
                                  "never uses it; torch still counts them",
                                  "remove it, or use it in forward")
        nodes = list(result.path())
        if self.shared:  # a module applied twice uses one set of weights, as torch does
            nodes = tied(nodes, _under(self.shared))
        model = finish(self.cls.name, PYTORCH, nodes, None, self.cls, tuple(self.inits))
        return replace(model, inputs=tuple((name, None) for name in self.named_inputs))

    def unreached(self, attr: str, nodes: list[Node], mod: Mod | None = None) -> bool:
        """Whether a self.X (or an item of it) forward() never applies holds weights that
        torch still counts: a module it also places where forward() applies it is counted
        there, once."""
        mod = mod or self.containers.get(attr)
        if mod is None:
            return _weighted(nodes)
        return any(m.kind in ("layer", "block") and id(m) not in self.reached and
                   _weighted(m.own) for m in mod.inside())

    # --- the class body ----------------------------------------------------------------

    def method_def(self, s: ast.FunctionDef) -> None:
        self.methods[s.name] = s
        self.values.names[f"self.{s.name}"] = Owner(s, "method")

    def class_expression(self, s: ast.Expr) -> None:
        if not _is_docstring(s):
            raise err(s, f"'{text(s)}' in class {self.cls.name} cannot be read without "
                      "running the code", "a model's class holds its methods")

    def class_attribute(self, s: ast.Assign | ast.AnnAssign) -> None:
        targets = s.targets if isinstance(s, ast.Assign) else [s.target]
        if s.value is None:
            return
        for t in targets:
            if not isinstance(t, ast.Name):
                raise err(s, f"cannot read the assignment to {text(t)}")
            try:
                value: object = self.values.eval(s.value)
            except CodeError as e:
                value = Unknown.of(e)  # an error only where the model uses it
            self.values.names[f"self.{t.id}"] = value
            self.values.names[f"{self.cls.name}.{t.id}"] = value

    # --- __init__ ----------------------------------------------------------------------

    def init(self, fn: ast.FunctionDef) -> None:
        given = self.given if self.given is not None else {
            **call_site_arguments(self.tree, fn, self.cls.name, self.values, True),
            **arguments(parameters(fn, True))}  # the model's own: --set replaces them
        owner = Owner(fn, "method")
        for name, value in bind_arguments(fn, owner, self.values, given, True).items():
            self.values.names[name] = value
        run = Run(self)
        run.run(fn.body, {})
        run.refresh()
        self.containers = dict(run.mods)
        self.first, placed = first_places(self.containers)
        self.shared |= placed

    def init_expression(self, s: ast.Expr) -> None:
        v = s.value
        if isinstance(v, ast.Constant):
            return  # a docstring
        if not isinstance(v, ast.Call):
            raise err(s, f"'{text(s)}' in __init__ cannot be read without running the code")
        name = dotted(v.func) or ""
        if _plain_print(v):
            return
        if (isinstance(v.func, ast.Attribute) and v.func.attr == "__init__"
                               and (name.startswith("super") or isinstance(v.func.value,
                                                                           ast.Call)
                                    or name.endswith("Module.__init__"))):
            self.check_super(v.func.value)
            return  # super().__init__(), super(Net, self).__init__(), nn.Module.__init__(self)
        found = init_call(v, self.own_tensor, "")
        if found is not None:
            self.inits.append(found)
            return
        if name == "self.apply":
            self.apply(v)
            return
        if name.startswith("self.") and name.count(".") == 1 and name[5:] in self.methods:
            self.helper(v, self.methods[name[5:]])
            return
        raise err(s, f"'{text(s)}' in __init__ cannot be read without running the code",
                  "assign layers to self.name, one per line")

    def check_super(self, node: ast.expr) -> None:
        """`super(X, self)` runs only where X is this class or one of its bases: Python stops
        at any other name (NameError, or TypeError for a class self is not an instance of)."""
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id == "super" and node.args):
            return
        own = [self.cls.name] + [dotted(b) or "" for b in self.cls.bases]
        first = node.args[0]
        name = first.id if isinstance(first, ast.Name) else None
        if name is None or (name not in own and name.rsplit(".", 1)[-1] not in
                            [o.rsplit(".", 1)[-1] for o in own]):
            raise err(node, f"{text(node)} in class {self.cls.name}: {text(first)} is not "
                      f"this class or one of its bases, so Python stops here",
                      f"write super().__init__() or super({self.cls.name}, self).__init__()")
        init = self.methods.get("__init__")
        me = init.args.args[0].arg if init is not None and init.args.args else "self"
        if len(node.args) != 2 or not (isinstance(node.args[1], ast.Name)
                                       and node.args[1].id == me):
            raise err(node, f"{text(node)} in class {self.cls.name} cannot be read: "
                      f"the second argument of super() must be {me}",
                      f"write super({self.cls.name}, self).__init__()")

    def own_tensor(self, node: ast.expr) -> tuple[str, str] | None:
        """`self.fc.weight` of a layer defined above, which has that tensor."""
        found = tensor_of(node)
        key = dotted(found[0]) if found is not None else None
        if found is None or key is None or not key.startswith("self.") or key.count(".") != 1:
            return None
        attr, tensor = key[5:], found[1]
        if attr not in self.attrs:
            raise err(node, f"self.{cut(attr)} is not a layer defined above")
        nodes = self.attrs[attr][0]
        if len(nodes) != 1 or not _has(nodes[0], tensor):
            raise err(node, f"self.{cut(attr)} has no {tensor}")
        return attr, tensor

    def apply(self, call: ast.Call) -> None:
        """self.apply(fn): fn, a method or a function of the file, initialises modules."""
        if len(call.args) != 1 or call.keywords:
            raise err(call, "self.apply takes one function")
        fn_name = dotted(call.args[0]) or ""
        if fn_name.startswith("self.") and fn_name[5:] in self.methods:
            applied_function(self.methods[fn_name[5:]], True, self.inits)
            return
        owner = self.values.get(fn_name)
        if isinstance(owner, Owner) and isinstance(owner.node, ast.FunctionDef):
            applied_function(owner.node, False, self.inits)
            return
        raise err(call, f"{text(call)}: {text(call.args[0])} is not a function of the file",
                  "define it in the file, or remove the call")

    def helper(self, call: ast.Call, fn: ast.FunctionDef) -> None:
        """self._initialize_weights(): accepted when it only initialises weights."""
        if call.args or call.keywords or [a.arg for a in fn.args.args] != ["self"] or \
                fn.name in self.helpers:
            raise err(call, f"{text(call)} is a method of the file: {_HELPER}")
        self.helpers.add(fn.name)
        try:
            for s in fn.body:
                _dispatch(INIT_HELPER, self, s, f"in {fn.name}()")
        except CodeError as e:
            raise err(call, f"{text(call)} is a method of the file that does more than "
                      f"initialise weights (line {e.line}): {_HELPER}") from None

    def init_loop(self, s: ast.For) -> None:
        if not modules_loop(s, "a loop over self.modules()", self.inits):
            raise err(s, "a for loop in __init__: loops are not read yet",
                      "assign layers to self.name, one per line")

    def init_if(self, s: ast.If) -> None:
        try:
            test = self.values.eval(s.test)
        except CodeError as e:
            raise err(s, f"an if in __init__ whose condition {text(s.test)} is only known "
                      f"when the code runs ({e.message})") from None
        for inner in (s.body if test else s.orelse):
            _dispatch(INIT, self, inner, "in __init__")

    def init_assign(self, s: ast.Assign | ast.AnnAssign) -> None:
        target, value = _assignment(s)
        if target is None or value is None:
            raise err(s, f"'{text(s)}' in __init__ cannot be read without running the code",
                      "assign layers to self.name, one per line")
        key = dotted(target)
        if key is None:
            raise err(s, f"cannot read the assignment to {text(target)}")
        if "." in key and not (key.startswith("self.") and key.count(".") == 1):
            raise err(s, f"{text(target)} = ... changes {text(target).rpartition('.')[0]} "
                      "after it is made (its weights, bias or settings)",
                      "give the layer its arguments where it is made")
        if key.startswith("self.") and key.count(".") == 1 and isinstance(value, ast.Call) \
                and dotted(value.func) not in ("int", "float"):
            self.helper_call(value)
            self.attrs[key[5:]] = (self.reader.layer_call(value, False), s)
        elif key[5:] in self.attrs and key.startswith("self."):
            raise err(s, f"{text(target)} = {text(value)} replaces the layer {text(target)} "
                      "with a value that is not a layer")
        else:
            self.values.names[key] = self.values.eval(value)

    def helper_call(self, value: ast.Call) -> None:
        name = dotted(value.func) or ""
        if name.startswith("self.") and name[5:] in self.methods:
            raise err(value, f"{text(value)} is a method of the file: {_HELPER}",
                      "write its layers in __init__")

    def init_aug_assign(self, s: ast.AugAssign) -> None:
        key = dotted(s.target)
        if key is None:
            raise err(s, f"cannot read the assignment to {text(s.target)}")
        combined = ast.BinOp(left=s.target, op=s.op, right=s.value)
        self.values.names[key] = self.values.eval(ast.copy_location(combined, s))

    # --- forward -----------------------------------------------------------------------

    def forward(self, fn: ast.FunctionDef) -> Tensor:
        params = _forward_inputs(fn)
        self.root = start(Source(fn.lineno))
        if len(params) == 1:
            self.input = params[0]
        else:  # several inputs: each a tensor with no layers below the root
            self.named_inputs = {p: model_input(self.root, p, fn.lineno) for p in params}
        self.values.names["self.training"] = False  # eval mode, as torchinfo summarises
        returned: Tensor | None = None
        for s in fn.body:
            if returned is not None:
                from .script import describe  # script is the module-level reader

                raise err(s, f"{describe(s)} after return is never run", "remove it")
            if isinstance(s, ast.Return):
                if s.value is None:
                    raise err(s, "forward returns nothing")
                if isinstance(s.value, (ast.Tuple, ast.List)) and len(s.value.elts) < 2:
                    raise err(s, f"forward() returns {text(s.value)}, a "
                              f"{type(s.value).__name__.lower()} of "
                              f"{len(s.value.elts)} tensor{'s' * (not s.value.elts)}",
                              "return the tensor itself")
                if isinstance(s.value, (ast.Tuple, ast.List)):
                    returned = self.returned(s.value)
                else:
                    returned = self.path(s.value)
                check_uses(returned, s.lineno, True)
                continue
            _dispatch(FORWARD, self, s, "in forward()")
        if returned is None:
            raise err(fn, "forward() has no return")
        return returned

    def returned(self, value: ast.Tuple | ast.List) -> Tensor:
        """`return a, b` (or a list): the model's outputs, named by their places."""
        if any(isinstance(e, ast.Starred) for e in value.elts):
            raise err(value, f"forward() returns {text(value)}: a starred item is only known "
                      "when the code runs", "return the tensors one by one")
        items = [self.path(e) for e in value.elts]
        return outputs(items, [str(i) for i in range(len(items))], value)

    def forward_expression(self, s: ast.Expr) -> None:
        if isinstance(s.value, ast.Constant) or (isinstance(s.value, ast.Call) and
                                                 _plain_print(s.value)):
            return
        v = s.value
        if isinstance(v, ast.Call) and isinstance(v.func, ast.Attribute) and \
                isinstance(v.func.value, ast.Name) and v.func.value.id in self.lists and \
                v.func.attr in ("append", "extend") and len(v.args) == 1 and not v.keywords:
            self.not_tuple(v.func.value.id, s)
            items = self.lists[v.func.value.id]
            if v.func.attr == "append":
                items.append(self.path(v.args[0]))
            else:
                items.extend(self.tensors(v.args[0]))
            return
        raise err(s, f"'{text(s)}' in forward() cannot be read without running the code",
                  "write forward as a chain of assignments and one return")

    def forward_aug_assign(self, s: ast.AugAssign) -> None:
        kind = _JOIN_OPS.get(type(s.op))
        if not (isinstance(s.target, ast.Name) and kind is not None):
            raise err(s, f"'{text(s)}' in forward() cannot be read without running the code")
        if s.target.id in self.lists:
            self.not_tuple(s.target.id, s)
            self.lists[s.target.id].extend(self.tensors(s.value))
            return
        self.env[s.target.id] = join(kind, [self.name(s.target), self.path(s.value)], s)
        name_tensor(self.env[s.target.id], s.target.id)

    def forward_assign(self, s: ast.Assign | ast.AnnAssign) -> None:
        target, value = _assignment(s)
        if isinstance(target, (ast.Tuple, ast.List)) and value is not None:
            self.unpack(target, value)
            return
        if isinstance(target, ast.Name) and value is not None and \
                self.size_assign(target.id, value):
            return
        stack = stack_call(value, self.values) if value is not None else None
        if isinstance(target, ast.Name) and stack is not None:
            items = self.tensors(stack.tensors)
            self.forget(target.id)
            self.stacks[target.id] = (stack, items)
            return
        listed = isinstance(value, ast.Call) and dotted(value.func) == "list" and \
            len(value.args) == 1 and not value.keywords and is_pieces(value.args[0])
        if isinstance(target, ast.Name) and value is not None and (is_pieces(value) or listed):
            assert isinstance(value, ast.Call)
            cut_call = value.args[0] if listed else value
            assert isinstance(cut_call, ast.Call)
            pieces = self.cut(cut_call, None)
            self.forget(target.id)
            self.lists[target.id] = pieces
            if not listed:
                self.tuples.add(target.id)
            return
        if not isinstance(target, ast.Name) or value is None:
            raise err(s, f"'{text(s)}' in forward() cannot be read without running the code",
                      "write forward as a chain of assignments and one return")
        if self.is_batch(value):
            self.batch.add(target.id)
        elif self.plain_value(target.id, value):
            return
        elif isinstance(value, (ast.List, ast.Tuple)):
            items = self.tensors(value)
            self.forget(target.id)
            self.lists[target.id] = items
            if isinstance(value, ast.Tuple):
                self.tuples.add(target.id)
        else:
            self.env[target.id] = self.path(value)
            self.lists.pop(target.id, None)
            name_tensor(self.env[target.id], target.id)

    def unpack(self, target: ast.Tuple | ast.List, value: ast.expr) -> None:
        """`a, b = x.chunk(2, 1)` (the pieces), `n, c, h, w = x.size()` (the batch, and sizes
        known only when the code runs)."""
        names: list[str] = []
        for e in target.elts:
            if not isinstance(e, ast.Name):
                raise err(target, f"cannot read the assignment to {text(target)}",
                          "unpack into plain names: a, b = x.chunk(2, 1)")
            names.append(e.id)
        if is_size_call(value):
            self.unpacked(value, len(names))
            for i, name in enumerate(names):
                self.forget(name)
                if i == 0:
                    self.batch.add(name)
                else:
                    self.values.names[name] = size_value(value, i, f"{text(value)}[{i}]")
            return
        if not is_pieces(value):
            raise err(target, f"'{text(target)} = {text(value)}' in forward() cannot be read "
                      "without running the code", "unpack only x.chunk, x.split or x.size()")
        assert isinstance(value, ast.Call)
        for name, t in zip(names, self.cut(value, len(names))):
            self.forget(name)
            self.env[name] = t
            name_tensor(t, name)

    def unpacked(self, value: ast.expr, count: int) -> None:
        """`n, c, h, w = x.size()` needs x to have `count` dimensions, or Python stops with
        a ValueError: a tensor of forward() gets that check at the next layer applied to it
        (its rank is known only once the calculator has its shape)."""
        base = value.func.value if isinstance(value, ast.Call) and \
            isinstance(value.func, ast.Attribute) else \
            value.value if isinstance(value, ast.Attribute) else None
        if not isinstance(base, ast.Name):
            return
        try:
            tensor = self.name(base)
        except CodeError:
            return  # not a tensor of forward() (a size of a weight, say): nothing to check
        tensor.source.unpacked.setdefault(id(tensor), (count, value.lineno, tensor))

    def not_tuple(self, name: str, s: ast.stmt) -> None:
        if name in self.tuples:
            raise err(s, f"{name} is a tuple of tensors, which torch cannot append to or "
                      "extend", f"make it a list: {name} = list(...)")

    def forget(self, name: str) -> None:
        self.env.pop(name, None)
        self.lists.pop(name, None)
        self.tuples.discard(name)
        self.stacks.pop(name, None)
        self.batch.discard(name)
        self.values.names.pop(name, None)

    def plain_value(self, name: str, value: ast.expr) -> bool:
        """`g = self.groups` or `k = 2 * c`: a value known before the code runs, bound as
        one (an expression with no call and no tensor of forward() in it)."""
        tensors = {self.input, *self.named_inputs, *self.env, *self.lists, *self.batch}
        if any(isinstance(n, ast.Call) or (isinstance(n, ast.Name) and n.id in tensors)
               for n in ast.walk(value)):
            return False
        try:
            known = self.values.eval(value)
        except CodeError:
            return False
        self.forget(name)
        self.values.names[name] = known
        return True

    def size_assign(self, name: str, value: ast.expr) -> bool:
        """`c = x.size(1)` or `h = x.shape[2]`: a size known only when the code runs, an
        error where it is used (the batch, `x.size(0)`, is read as the batch)."""
        found = size_index(value, self.values)
        if found is None and not is_size_call(value):
            return False
        if found is not None and found[1] == 0:
            return False  # the batch: read by is_batch
        self.forget(name)
        self.values.names[name] = size_value(value, found[1] if found else "all")
        return True

    def cut(self, node: ast.Call, wanted: int | None) -> list[Tensor]:
        """The pieces of a chunk or split, each a slice of the tensor it cuts; the stacked
        tensors of an unbind that undoes a torch.stack."""
        unbind = unbind_call(node, self.values)
        if unbind is not None:
            found = self.stacked(unbind[0])
            unbound(node, found[0] if found else None, unbind[1])
            assert found is not None
            if wanted is not None and wanted != len(found[1]):
                raise err(node, f"{text(node)} gives {len(found[1])} tensors, but the code "
                          f"unpacks {wanted}")
            return list(found[1])
        got = pieces(node, self.values, wanted)
        base = self.path(got.tensor)
        return [piece(base, tuple(self.reader.made(Bound((m,)), "slice", text(node), node)),
                      node.lineno) for m in got.layers]

    def tensors(self, node: ast.AST) -> list[Tensor]:
        """A list of tensors: written out, or a list forward() built (DenseNet's features)."""
        if isinstance(node, ast.Name) and node.id in self.lists:
            return list(self.lists[node.id])
        if is_pieces(node):
            assert isinstance(node, ast.Call)
            return self.cut(node, None)
        if isinstance(node, (ast.List, ast.Tuple)):
            out: list[Tensor] = []
            for e in node.elts:
                if isinstance(e, ast.Starred):
                    out.extend(self.tensors(e.value))
                else:
                    out.append(self.path(e))
            return out
        raise err(node, f"{text(node)} is not a list of tensors forward() computed",
                  "write the tensors in a list: torch.cat([a, b], 1)")

    def name(self, node: ast.Name) -> Tensor:
        if node.id in self.env:
            return self.env[node.id]
        if node.id in self.stacks:
            raise err(node, f"{node.id} is the torch.stack of line "
                      f"{self.stacks[node.id][0].line}, which adds a dimension; cnncalc "
                      "follows CxHxW maps and flat vectors", f"read forms: {STACK_READ}")
        if node.id == self.input:
            return self.root
        if node.id in self.named_inputs:
            return self.named_inputs[node.id]
        raise err(node, f"'{cut(node.id)}' is not a tensor forward() computed")

    def path(self, node: ast.AST) -> Tensor:
        if isinstance(node, ast.Name) and node.id in self.lists:
            raise err(node, f"{node.id} is a list of tensors, not a tensor",
                      f"join them: torch.cat({node.id}, 1)")
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, ast.BinOp) and type(node.op) in _JOIN_OPS:
            kind = _JOIN_OPS[type(node.op)]
            return join(kind, [self.path(t) for t in _terms(node, type(node.op))], node)
        if isinstance(node, ast.Call):
            return self.call(node)
        folding = fold(node)  # s.max(1)[0], s.max(dim=1).values of a stack
        found = self.stacked(folding.stack) if folding is not None else None
        if folding is not None and found is not None:
            return self.fold_stack(folding, node, *found)
        if isinstance(node, ast.IfExp):
            return self.path(node.body if self.test(node.test, "an if") else node.orelse)
        if isinstance(node, ast.Subscript) and not isinstance(node.slice, ast.Slice) and \
                ((isinstance(node.value, ast.Name) and node.value.id in self.lists) or
                 is_pieces(node.value)):
            items = self.tensors(node.value)
            index = self.values.eval(node.slice)
            if isinstance(index, bool) or not isinstance(index, int) or \
                    not -len(items) <= index < len(items):
                raise err(node, f"{text(node)} is out of range ({len(items)} tensors)")
            return items[index]
        raise err(node, f"{text(node)} in forward() is not supported")

    def call(self, node: ast.Call) -> Tensor:
        folding = fold(node)
        found = self.stacked(folding.stack) if folding is not None else None
        if folding is not None and found is not None:
            return self.fold_stack(folding, node, *found)
        if isinstance(node.func, ast.Name) and node.func.id in self.bound:
            return self.apply_item(self.bound[node.func.id], node)
        if isinstance(node.func, ast.Subscript):
            return self.apply_item(self.item(node.func), node)
        func = dotted(node.func)
        if func is not None and func.startswith("self.") and func.count(".") == 1:
            if func[5:] in self.methods:
                raise err(node, f"{text(node)} is a method of the file: {_HELPER}",
                          "call the layers of __init__ in forward itself")
            return self.module(func[5:], node)
        if func is not None and func in ("torch.flatten",):
            return self.flatten(node, node.args[1:] if node.args else [], 0)
        if func is not None and func in _JOIN_FUNCTIONS:
            return self.join_call(_JOIN_FUNCTIONS[func], func, node)
        if func in REFUSED:
            raise err(node, f"{text(node)} {REFUSED[func]}")
        if is_pieces(node):
            raise err(node, f"{text(node)} gives several tensors, not one",
                      "unpack the pieces: a, b = x.chunk(2, 1)")
        if func in MEANS:
            if not node.args:
                raise err(node, f"{func} needs its input tensor")
            return self.mean(node, self.path(node.args[0]), node.args[1:])
        if func == "torch.permute":
            if not node.args:
                raise err(node, "torch.permute needs its input tensor")
            return self.permute(node, self.path(node.args[0]), node.args[1:])
        if func is not None and (func.startswith(FUNCTIONAL_PREFIXES) or func in
                                 tuple(f"torch.{a}" for a in _TORCH_ACTS)):
            short = func.rsplit(".", 1)[1]
            if not node.args:
                raise err(node, f"{func} needs its input tensor")
            base = self.path(node.args[0])
            return base.then(self.functional(short, node.args[1:], node), node.lineno)
        if isinstance(node.func, ast.Attribute):
            method = node.func.attr
            if method in ("view", "reshape"):
                return self.view(node)
            if method == "permute":
                return self.permute(node, self.path(node.func.value), node.args)
            if method in ("add", "mul") and len(node.args) == 1 and not node.keywords:
                return join(method, [self.path(node.func.value), self.path(node.args[0])],
                            node)
            if method == "flatten":
                return self.flatten(node, node.args, 1)
            if method == "mean":
                return self.mean(node, self.path(node.func.value), node.args)
            if method in _TORCH_ACTS and not node.args:
                return self.path(node.func.value).then(self.functional(method, [], node),
                                                       node.lineno)
            if method == "contiguous" and not node.args:
                return self.path(node.func.value)
        if func is not None and isinstance(self.values.get(func.split(".")[0]), Owner):
            raise err(node, f"{text(node)} is a function of the file: helper functions are "
                      "not read yet", "call the layers of __init__ in forward itself")
        raise err(node, f"{text(node)} in forward() is not supported",
                  "use self.layers, F.* functions, torch.flatten and x.view")

    def item(self, node: ast.Subscript) -> Mod:
        """`self.blocks[i]` or `self.heads['a']`: one module of a container, marked used."""
        key = dotted(node.value)
        attr = key[5:] if key is not None and key.startswith("self.") else ""
        mod = self.containers.get(attr)
        if mod is None or mod.kind not in ("list", "sequential", "dict") or \
                isinstance(node.slice, ast.Slice):
            raise err(node, f"{text(node)} in forward() is not supported",
                      "index a ModuleList, Sequential or ModuleDict of __init__")
        index = self.values.eval(node.slice)
        if mod.kind == "dict":
            if index not in mod.keys:
                raise err(node, f"{text(node)}: {index!r} is not a key of self.{attr}")
            found = mod.items[mod.keys.index(index)]
        else:
            if isinstance(index, bool) or not isinstance(index, int) or \
                    not -len(mod.items) <= index < len(mod.items):
                raise err(node, f"{text(node)} is out of range")
            found = mod.items[index]
        self.mark(attr, found)
        return found

    def mark(self, attr: str, item: Mod) -> None:
        if attr in self.used:
            raise err(self.cls, f"self.{cut(attr)} is called whole and by its parts")
        self.used_items.setdefault(attr, set())

    def apply_item(self, mod: Mod, node: ast.Call) -> Tensor:
        """A module of a container applied to one tensor; a second use shares weights."""
        if len(node.args) != 1 or node.keywords:
            raise err(node, f"{text(node.func)} must be called with one tensor")
        path = ""  # its name in the model: the container's, then its key there
        for attr, items in self.used_items.items():
            mine = self.containers.get(attr)
            key = next((k for k, m in zip(mine.keys, mine.items) if m is mod), None) \
                if mine is not None else None
            if key is not None:
                items.add(id(mod))
                path = f"{attr}.{key}"
        if id(mod) in self.applied:
            if not path and _weighted(mod.nodes()):  # no name to tie its uses by
                raise err(node, f"{text(node.func)} is applied twice, sharing its weights",
                          "apply it where it sits in its container, or define a second layer")
            if path:
                self.shared.add(self.first.get(id(mod), path))
        self.applied.add(id(mod))
        self.reached.update(id(m) for m in mod.inside())
        path = self.first.get(id(mod), path) if path else path
        return self.path(node.args[0]).then(tuple(replace(n) for n in
                                                  mod.named_nodes(path, self.first)))

    def forward_if(self, s: ast.If) -> None:
        """An if on a value known before the code runs: self.training (False: summaries
        describe eval mode), `self.X is None`, the class's own constants."""
        for inner in (s.body if self.test(s.test, "an if") else s.orelse):
            _dispatch(FORWARD, self, inner, "in forward()")

    def test(self, test: ast.expr, what: str) -> object:
        """A condition in forward(): `self.X is None` and `hasattr(self, 'X')` for the
        layers of __init__, else a value known before the code runs."""
        if isinstance(test, ast.Compare) and len(test.ops) == 1 and \
                isinstance(test.ops[0], (ast.Is, ast.IsNot)) and \
                isinstance(test.comparators[0], ast.Constant) and \
                test.comparators[0].value is None and \
                (dotted(test.left) or "")[5:] in self.attrs:
            return isinstance(test.ops[0], ast.IsNot)
        if isinstance(test, ast.Call) and dotted(test.func) == "hasattr" and \
                len(test.args) == 2 and not test.keywords and \
                dotted(test.args[0]) == "self" and isinstance(test.args[1], ast.Constant) and \
                isinstance(test.args[1].value, str):
            name = test.args[1].value
            return name in self.attrs or name in self.methods or \
                self.values.get(f"self.{name}") is not MISSING
        try:
            return self.values.eval(test)
        except CodeError as e:
            raise err(test, f"{what} in forward() whose condition {text(test)} is only known "
                      f"when the code runs ({e.message})") from None

    def forward_for(self, s: ast.For) -> None:
        """A loop over a ModuleList or Sequential of __init__, or over known values."""
        key = dotted(s.iter)
        attr = key[5:] if key is not None and key.startswith("self.") else ""
        if s.orelse or not isinstance(s.target, ast.Name):
            raise err(s, "a for loop in forward() with an else or a target that is not one "
                      "name cannot be read without running the code")
        name = s.target.id
        if attr in self.containers and self.containers[attr].kind in ("list", "sequential"):
            for item in self.containers[attr].items:
                budget().tick(s)
                self.mark(attr, item)
                self.bound[name] = item
                for inner in s.body:
                    _dispatch(FORWARD, self, inner, "in forward()")
            return
        try:
            items = iterate(s.iter, self.values.eval(s.iter))
        except CodeError as e:
            raise err(s, f"a for loop in forward() over {text(s.iter)}, only known when the "
                      f"code runs ({e.message})") from None
        for value in items:
            budget().tick(s)
            self.values.names[name] = value
            for inner in s.body:
                _dispatch(FORWARD, self, inner, "in forward()")

    def module(self, attr: str, node: ast.Call) -> Tensor:
        if attr not in self.attrs:
            raise err(node, f"self.{cut(attr)} is not a layer defined in __init__")
        if len(node.args) != 1 or node.keywords:
            raise err(node, f"self.{cut(attr)} must be called with one tensor")
        nodes, _ = self.attrs[attr]
        if attr in self.used_items:
            raise err(node, f"self.{cut(attr)} is called whole and by its parts")
        mod = self.containers.get(attr)
        path = attr if mod is None else self.first.get(id(mod), attr)
        if self.used.get(attr):
            self.shared.add(path)
        self.used[attr] = self.used.get(attr, 0) + 1
        if mod is not None:
            self.reached.update(id(m) for m in mod.inside())
        named = mod.named_nodes(path, self.first) if mod is not None else \
            prefixed(nodes, attr)
        return self.path(node.args[0]).then(tuple(named), node.lineno)

    def functional(self, short: str, args: list[ast.expr], node: ast.Call) -> list[Node]:
        positional = [self.values.eval(a) for a in args]
        keywords: dict[str, Raw] = {}
        for k in node.keywords:
            if k.arg is None:
                raise err(node, f"**{text(k.value)} is only known when the code runs")
            if k.arg == "training":
                continue
            keywords[k.arg] = self.values.eval(k.value)
        try:
            bound = functional_call(short, positional, keywords)
        except ClassError as e:
            raise err(node, e.message, e.hint) from None
        return self.reader.made(bound, f"F.{short}", f"F.{short}(...)", node)

    def flatten(self, node: ast.Call, rest: list[ast.expr], base_arg: int) -> Tensor:
        if base_arg and isinstance(node.func, ast.Attribute):
            base = self.path(node.func.value)
        elif node.args:
            base = self.path(node.args[0])
        else:
            raise err(node, "torch.flatten needs its input tensor")
        start_dim = self.values.eval(rest[0]) if rest else 0
        for k in node.keywords:
            if k.arg == "start_dim":
                start_dim = self.values.eval(k.value)
            else:
                raise err(node, f"flatten({k.arg}=...) is not supported")
        if start_dim != 1:
            raise err(node, f"{text(node)} {_flattens(start_dim)}", "write torch.flatten(x, 1)")
        return base.then(self.reader.made(Bound((Made("flatten", {}),)), "flatten", "", node),
                         node.lineno)

    def stacked(self, node: ast.expr) -> tuple[StackCall, list[Tensor]] | None:
        """A torch.stack: its call and its tensors (a name bound to one, or the call)."""
        if isinstance(node, ast.Name) and node.id in self.stacks:
            return self.stacks[node.id]
        stack = stack_call(node, self.values)
        return None if stack is None else (stack, self.tensors(stack.tensors))

    def fold_stack(self, f: Fold, node: ast.AST, stack: StackCall,
                   items: list[Tensor]) -> Tensor:
        """A stack summed, averaged or maximised over its dim: the add, mean or max join of
        its tensors. A stack on dim 1 flattened: the cat of its flattened tensors, which lie
        one after another."""
        kind = folded(f, node, stack, self.values, self.is_batch)
        if kind != "flat":
            return join(kind, items, node)
        return join("cat", [t.then(tuple(self.reader.made(
            Bound((Made("flatten", {}),)), "flatten", "", node)), getattr(node, "lineno", 0))
            for t in items], node)

    def join_call(self, kind: str, func: str, node: ast.Call) -> Tensor:
        """torch.cat(tensors, dim=1), torch.add(a, b), torch.mul(a, b)."""
        if kind != "cat":
            if len(node.args) != 2 or node.keywords:
                raise err(node, f"{func} takes two tensors here", f"write {func}(a, b)")
            return join(kind, [self.path(a) for a in node.args], node)
        dim_node: ast.expr | None = node.args[1] if len(node.args) > 1 else None
        for k in node.keywords:
            if k.arg in ("dim", "axis") and dim_node is None:
                dim_node = k.value
            else:
                raise err(node, f"{func}({k.arg}=...) is not supported" if k.arg else
                          f"**{text(k.value)} is only known when the code runs")
        if not node.args or len(node.args) > 2:
            raise err(node, f"{func} takes a list of tensors and a dim")
        dim = self.values.eval(dim_node) if dim_node is not None else 0
        if dim != 1:
            raise err(node, f"{text(node)} concatenates on dim {dim!r}; cnncalc joins on dim 1 "
                      "(the channels, or the features of a flat vector)",
                      "torch.cat(..., dim=1) is the join cnncalc reads")
        return join("cat", self.tensors(node.args[0]), node)

    def mean(self, node: ast.Call, base: Tensor, args: list[ast.expr]) -> Tensor:
        """The mean over H and W: a global average pool (then a flatten, without keepdim),
        as F.adaptive_avg_pool2d(x, 1) and torch.flatten(x, 1) read."""
        keep = mean_dims(node, self.values, node.keywords, args)
        made = (Made("gap", {"output_size": 1}),) if keep else \
            (Made("gap", {"output_size": 1}), Made("flatten", {}))
        return base.then(self.reader.made(Bound(made), "mean", text(node), node), node.lineno)

    def permute(self, node: ast.Call, base: Tensor, args: list[ast.expr]) -> Tensor:
        """x.permute(0, 2, 3, 1): the batch stays first; the rest reorder C, H, W."""
        if len(args) == 1 and isinstance(args[0], (ast.Tuple, ast.List)):
            args = list(args[0].elts)
        if node.keywords:
            raise err(node, f"{text(node)}: write the dims as numbers")
        dims = [self.values.eval(a) for a in args]
        if not all(isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in dims) \
                or not dims or dims[0] != 0:
            raise err(node, f"{text(node)} does not keep the batch first with the other dims "
                      "as numbers from 1", "write x.permute(0, 2, 3, 1)")
        order = tuple(int(str(d)) - 1 for d in dims[1:])
        made = Made("permute", {"dims": order})
        return base.then(self.reader.made(Bound((made,)), "permute", text(node), node),
                         node.lineno)

    def view(self, node: ast.Call) -> Tensor:
        assert isinstance(node.func, ast.Attribute)
        base = self.path(node.func.value)
        args = node.args
        if len(args) == 1 and isinstance(args[0], (ast.Tuple, ast.List)):
            args = list(args[0].elts)
        for a in args[1:]:
            self.known_size(a)
        if len(args) > 2 and not node.keywords and (self.is_batch(args[0]) or
                                                     self.is_minus_one(args[0])):
            sizes = [self.values.eval(a) for a in args[1:]]
            if not all(isinstance(d, int) and not isinstance(d, bool) and (d >= 1 or d == -1)
                       for d in sizes):
                raise err(node, f"{text(node)}: the sizes are not whole numbers")
            shape = tuple(int(str(d)) for d in sizes)
            made = Made("reshape", {"shape": shape})
            return base.then(self.reader.made(Bound((made,)), "view", text(node), node),
                             node.lineno)
        if len(args) != 2 or node.keywords:
            raise err(node, f"{text(node)} does not give one flat vector per sample",
                      "write x.view(x.size(0), -1)")
        first, second = args
        if self.is_batch(first) and self.is_minus_one(second):
            features = None
        elif self.is_minus_one(first) or self.is_batch(first):
            value = self.values.eval(second)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise err(node, f"{text(second)} is not a feature count")
            features = value
        else:
            raise err(node, f"{text(node)} does not give one flat vector per sample",
                      "write x.view(x.size(0), -1)")
        declared = (("features", features),) if features is not None else ()
        made = Made("flatten", {}, declared)
        return base.then(self.reader.made(Bound((made,)), "view", f"{text(node)}", node),
                         node.lineno)

    def known_size(self, node: ast.AST) -> None:
        """x.size(1) or x.shape[2] in a size: forward() is read before any shape is known."""
        for n in ast.walk(node):
            index: ast.AST | None = None
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and \
                    n.func.attr == "size":
                index = n.args[0] if n.args else None
            elif isinstance(n, ast.Subscript) and isinstance(n.value, ast.Attribute) and \
                    n.value.attr == "shape":
                index = n.slice
            else:
                continue
            if not (isinstance(index, ast.Constant) and index.value == 0):
                raise err(n, f"{text(n)} is a size cnncalc does not know while it reads "
                          "forward()", "write the number itself")

    def is_minus_one(self, node: ast.AST) -> bool:
        """Whether `node` is provably the constant -1 (a view's 'the rest'); when it is not
        known, the caller reads it as a size, which names what is unknown."""
        try:
            return self.values.eval(node) == -1
        except CodeError:
            return False

    def is_batch(self, node: ast.AST) -> bool:
        if isinstance(node, ast.Name):
            return node.id in self.batch
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                node.func.attr == "size" and len(node.args) == 1 and \
                isinstance(node.args[0], ast.Constant) and node.args[0].value == 0:
            return True
        if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) and \
                node.slice.value == 0 and (  # x.shape[0], x.size()[0]
                    (isinstance(node.value, ast.Attribute) and node.value.attr == "shape") or
                    (isinstance(node.value, ast.Call) and is_size_call(node.value))):
            return True
        return isinstance(node, ast.Call) and dotted(node.func) == "len" and len(node.args) == 1


def _forward_inputs(fn: ast.FunctionDef) -> list[str]:
    """The names of forward()'s inputs: every parameter after self, each given when the
    model is called. Anything only known when the code runs is refused."""
    a = fn.args
    if a.vararg is not None:
        raise err(fn, f"forward(self, ..., *{a.vararg.arg}) takes any number of inputs, "
                  "known only when the code runs", "name each input: forward(self, x, y)")
    if a.kwarg is not None or a.kwonlyargs or a.posonlyargs:
        raise err(fn, "forward() takes keyword-only or positional-only inputs, which "
                  "cnncalc does not read", "name each input: forward(self, x, y)")
    params = [p.arg for p in a.args]
    if len(params) < 2:
        raise err(fn, "forward() takes no input", "write forward(self, x)")
    if a.defaults:
        first = params[len(params) - len(a.defaults)]
        raise err(fn, f"forward() gives the input {first} a default, so whether the model "
                  "takes it is only known when the code runs",
                  f"drop the default and pass {first}, or remove it")
    return params[1:]


def _terms(node: ast.expr, op: type[ast.operator]) -> list[ast.expr]:
    """a + b + c as [a, b, c]: one join of every term (Python nests it left first)."""
    out: list[ast.expr] = []
    while isinstance(node, ast.BinOp) and isinstance(node.op, op):
        out.append(node.right)
        node = node.left
    out.append(node)
    out.reverse()
    return out


def _under(shared: set[str]) -> Callable[[str], bool]:
    """Whether a layer is in a shared module: its path or one above it is shared."""
    return lambda name: any(".".join(parts[:i]) in shared for parts in (name.split("."),)
                            for i in range(1, len(parts) + 1))


def _weighted(nodes: list[Node] | tuple[Node, ...]) -> bool:
    """Whether any of the rows has weights (a block's residual counts as having them)."""
    return any(not isinstance(n, Layer) or holds_weights(n) for n in nodes)


def _plain_print(call: ast.Call) -> bool:
    """print(...) of values: skipped, as it changes nothing. A call inside its arguments
    (print(self.fc.requires_grad_(False))) could change a layer, so it is not skipped."""
    return dotted(call.func) == "print" and not any(
        isinstance(n, (ast.Call, ast.NamedExpr))
        for a in [*call.args, *call.keywords] for n in ast.walk(a))


def _has(node: Node, tensor: str) -> bool:
    """Whether a layer has a weight or bias tensor, as torch builds it."""
    if not isinstance(node, Layer) or node.kind not in _WITH_WEIGHTS:
        return False
    if node.kind == "bn":
        return node.args.get("affine") is True
    return tensor == "weight" or node.args.get("bias") is True


def _assignment(stmt: ast.stmt) -> tuple[ast.expr | None, ast.expr | None]:
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
        return stmt.targets[0], stmt.value
    if isinstance(stmt, ast.AnnAssign):
        return stmt.target, stmt.value
    return None, None


def _skip(reader: _ModuleReader, s: ast.stmt) -> None:
    """A docstring or `pass`: nothing happens."""


Handler = Callable[[_ModuleReader, ast.stmt], None]


_HINTS = {"in __init__": "assign layers to self.name, one per line",
          "in forward()": "write forward as a chain of assignments and one return"}


def _dispatch(table: dict[type[ast.stmt], Handler], reader: _ModuleReader, s: ast.stmt,
              where: str) -> None:
    """The statement's handler in `table`; a kind the table lacks is an error naming it."""
    handler = table.get(type(s))
    if handler is None:
        from .script import describe  # script is the module-level reader

        raise err(s, f"{describe(s)} {where} cannot be read without running the code",
                  _HINTS.get(where, "a model's class holds __init__, forward and the "
                             "methods they use"))
    handler(reader, s)


CLASS_BODY: dict[type[ast.stmt], Handler] = {
    ast.FunctionDef: _ModuleReader.method_def,  # type: ignore[dict-item]
    ast.Assign: _ModuleReader.class_attribute,  # type: ignore[dict-item]
    ast.AnnAssign: _ModuleReader.class_attribute,  # type: ignore[dict-item]
    ast.Expr: _ModuleReader.class_expression,  # type: ignore[dict-item]
    ast.Pass: _skip,
}
INIT: dict[type[ast.stmt], Handler] = {
    ast.Expr: _ModuleReader.init_expression,  # type: ignore[dict-item]
    ast.Assign: _ModuleReader.init_assign,  # type: ignore[dict-item]
    ast.AnnAssign: _ModuleReader.init_assign,  # type: ignore[dict-item]
    ast.AugAssign: _ModuleReader.init_aug_assign,  # type: ignore[dict-item]
    ast.For: _ModuleReader.init_loop,  # type: ignore[dict-item]
    ast.If: _ModuleReader.init_if,  # type: ignore[dict-item]
    ast.Pass: _skip,
}
# A helper method called from __init__ may only initialise weights.
INIT_HELPER: dict[type[ast.stmt], Handler] = {
    ast.Expr: _ModuleReader.init_expression,  # type: ignore[dict-item]
    ast.For: _ModuleReader.init_loop,  # type: ignore[dict-item]
    ast.Pass: _skip,
}
FORWARD: dict[type[ast.stmt], Handler] = {
    ast.If: _ModuleReader.forward_if,  # type: ignore[dict-item]
    ast.For: _ModuleReader.forward_for,  # type: ignore[dict-item]
    ast.Expr: _ModuleReader.forward_expression,  # type: ignore[dict-item]
    ast.Assign: _ModuleReader.forward_assign,  # type: ignore[dict-item]
    ast.AnnAssign: _ModuleReader.forward_assign,  # type: ignore[dict-item]
    ast.AugAssign: _ModuleReader.forward_aug_assign,  # type: ignore[dict-item]
    ast.Pass: _skip,
}


hooks.provide(
    file_layers=file_layers,
    class_model=class_model,
    builder_model=builder_model,
    block_model=block_model,
)
