"""TensorFlow 1 graph code as a model: where the graph is built, and which tensor is the model.

The file is read by tf1_run (never run): the module body, then each function the file never
calls (`main`) and each class it never builds (an ensemble's `Model`, built in a loop), each
in a scope of its own. A scope that builds a graph holds a model; its output is the tensor a
cost is computed from, else the tensor the code names as its output (`logits`, `hypothesis`,
`y_conv`, ...); `--model` picks a scope or any named tensor.
"""

from __future__ import annotations

import ast

from ..errors import cut
from ..records import record
from ..spec import parse_model
from .code import Model, parse_source
from .tf1_run import Runner, Scope, Stop
from .tf1_sniff import is_tf1 as is_tf1
from .tf1_tensors import DROPOUT_FED
from .tf1_values import Function, Instance, Klass, Opaque, Tensor, numel
from .values import CodeError

TF1 = "tf1"
OUTPUT_NAMES = ("logits", "hypothesis", "y_conv", "y_pred", "y_hat", "output", "outputs",
                "out", "prediction", "predictions", "pred", "model", "net", "scores")


@record
class TfModel(Model):
    """A model read from TensorFlow 1 code, with what the table's title should say."""

    notes: tuple[str, ...] = ()


def read_model(source: str, name: str | None = None) -> TfModel | None:
    """The model the TF1 code builds (or the one `name` picks); None when the code builds
    no TensorFlow 1 graph, so that the PyTorch and Keras reader can read it."""
    tree = parse_source(source)
    runner = Runner(tree)
    try:
        scopes = _scopes(runner, tree)
    except RecursionError:  # a safety net under the nesting limits
        raise CodeError("the code nests calls and expressions too deeply to read",
                        "write the model in simpler steps") from None
    except Stop as s:
        if not runner.graphs:  # not TensorFlow 1 code after all: the other reader's turn
            return None
        raise s.error from None
    graphs = [s for s in scopes if s.graph]
    if not graphs:
        return None
    if name is not None:
        return _picked(runner, tree, graphs, name)
    if len(graphs) > 1:
        listing = ", ".join(f"{s.label} (line {s.graph})" for s in graphs)
        raise CodeError(f"the code builds {len(graphs)} TensorFlow graphs: {cut(listing, 300)}",
                        "pick one with --model NAME")
    scope = graphs[0]
    tensor, label, why = _output(scope)
    return _model(runner, tree, scope, tensor, label, why)


def _scopes(runner: Runner, tree: ast.Module) -> list[Scope]:
    """The module, then each function the file never calls and each class it never
    builds, each read in a scope of its own."""
    env = runner.globals
    module = runner.scope
    runner.body(tree.body, env)
    out = [module]
    called = {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and
              isinstance(n.func, ast.Name)}
    for s in tree.body:
        value = env.get(getattr(s, "name", ""))
        if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef)) and s.name not in called:
            if isinstance(value, Function) and value.node is s:
                out.append(_read_entry(runner, f"{s.name}()", value, None))
        elif isinstance(s, ast.ClassDef) and isinstance(value, Klass) and value.node is s \
                and id(value) not in runner.built:
            out.append(_read_entry(runner, s.name, None, value))
    return out


def _read_entry(runner: Runner, label: str, f: Function | None, k: Klass | None) -> Scope:
    """A function the file never calls, with unknown arguments, or one instance of a class
    the file never builds, in a scope of its own."""
    scope = Scope(label)
    runner.scope = scope
    try:
        if f is not None:
            runner.invoke(f, None, [], _unknown_args(f.node, False), f.node)
        elif k is not None:
            init = k.methods.get("__init__")
            kwargs = _unknown_args(init.node, True) if init is not None else {}
            inst = runner.instantiate(k, [], kwargs, k.node)
            if isinstance(inst, Instance):
                scope.instance = inst
    except CodeError as e:
        scope.failure = Opaque.of(e)
    return scope


def _unknown_args(f: ast.FunctionDef | ast.AsyncFunctionDef, method: bool
                  ) -> dict[str, object]:
    a = f.args
    names = [p.arg for p in (*a.posonlyargs, *a.args)][1 if method else 0:]
    names += [p.arg for p in a.kwonlyargs]
    return {n: Opaque(f.lineno, f"{n} is an argument of {f.name}, only known when it is "
                      "called") for n in names}


def _output(scope: Scope) -> tuple[Tensor, str, str]:
    """The model's output tensor, its name, and why it was taken."""
    if scope.costs:
        c = scope.costs[-1]
        if isinstance(c.tensor, Opaque):
            raise c.tensor.error()
        return c.tensor, c.name, f"the cost on line {c.line} is computed from it"
    keys = [k for want in OUTPUT_NAMES for k in (want, f"self.{want}")]
    for key in keys:
        v = scope.named.get(key)
        if isinstance(v, Tensor):
            return v, key, "named as the model's output"
    for key in keys:  # a named output that could not be read: why
        v = scope.named.get(key)
        if isinstance(v, Opaque):
            raise v.error()
    if scope.failure is not None:
        raise scope.failure.error()
    if scope.problems:  # no model came out: the first op that could not be read is why
        raise scope.problems[0].error()
    names = ", ".join([k for k, v in scope.named.items() if isinstance(v, Tensor)][-12:])
    raise CodeError(f"cannot tell which tensor of {scope.label} is the model's output: no cost "
                    "is computed and no tensor is named logits, hypothesis, y_conv, ...",
                    f"pick one with --model NAME ({cut(names, 200)})" if names else None)


def _picked(runner: Runner, tree: ast.Module, graphs: list[Scope], name: str) -> TfModel:
    built = {v.node.name for v in runner.globals.values()
             if isinstance(v, Klass) and id(v) in runner.built}
    for scope in graphs:
        if name in (scope.label, scope.label.rstrip("()")) or \
                (scope.label == "module" and name in built):
            tensor, label, why = _output(scope)
            return _model(runner, tree, scope, tensor, label, why)
    for scope in graphs:
        for key in (name, f"self.{name}"):
            v = scope.named.get(key)
            if isinstance(v, Opaque):
                raise v.error()
            if isinstance(v, Tensor):
                return _model(runner, tree, scope, v, key, "picked with --model")
    known = [s.label for s in graphs] + [k for s in graphs for k, v in s.named.items()
                                          if isinstance(v, Tensor)]
    raise CodeError(f"no model or tensor named '{cut(name)}' in the code; it has "
                    f"{cut(', '.join(known), 300)}")


def _model(runner: Runner, tree: ast.Module, scope: Scope, tensor: Tensor, label: str,
           why: str) -> TfModel:
    chain = tensor.chain()
    root = chain[0]
    layers = chain[1:]
    if not layers:
        raise CodeError(f"the tensor {label} is the model's input itself (line {root.line})",
                        "pick a layer's output with --model NAME")
    spec = "-".join(t.spec() for t in layers)
    nodes = parse_model(spec).nodes
    where = f" of class {scope.label}" if scope.instance is not None else \
        (f" in {scope.label}" if scope.label != "module" else "")
    notes = [f"the model is the tensor {label}, made on line {tensor.line}{where}: {why}",
             f"the input is {root.input_note}"]
    notes += _instances(runner, tree, scope)
    fed: dict[str, list[int]] = {}
    for t in layers:
        for n in t.notes:
            if n.startswith(DROPOUT_FED):
                fed.setdefault(n[len(DROPOUT_FED):], []).append(t.line)
            else:
                notes.append(n)
    held = {id(v) for t in layers for v in t.weights}
    left = [v for v in scope.made if id(v) not in held]
    if left:
        count = sum(numel(v.shape) for v in left)
        names = ", ".join(f"{v.name or 'a variable'} {list(v.shape)} (line {v.line})"
                          for v in left[:4]) + (", ..." if len(left) > 4 else "")
        notes.append(f"{len(left)} variable{'s' * (len(left) > 1)} the code creates "
                     f"{'are' if len(left) > 1 else 'is'} not in this model and not counted "
                     f"({count:,} values; TensorFlow's trainable count includes them): {names}")
    for what, lines in fed.items():
        at = ", ".join(map(str, lines))
        notes.append(f"the dropout {what} on line{'s' * (len(lines) > 1)} {at} is fed when the "
                     "code runs (rate 0.5 is shown); it changes no shape or count")
    return TfModel(label, TF1, tuple(nodes), root.shape, tensor.line, (), tuple(notes))


def _instances(runner: Runner, tree: ast.Module, scope: Scope) -> list[str]:
    """An ensemble builds its class several times, or in a loop: one instance is counted."""
    classes = [n for n in tree.body if isinstance(n, ast.ClassDef)]
    out: list[str] = []
    loops = _in_loops(tree)
    for c in classes:
        value = runner.globals.get(c.name)
        if not isinstance(value, Klass):
            continue
        own = scope.instance is not None and scope.instance.klass is value
        if not own and id(value) not in runner.built:
            continue
        calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and
                 isinstance(n.func, ast.Name) and n.func.id == c.name]
        looped = [n for n in calls if id(n) in loops]
        lines = ", ".join(str(n.lineno) for n in calls[:6])
        if looped:
            out.append(f"class {c.name} is built in a loop (line {looped[0].lineno}): one "
                       "instance is counted")
        elif len(calls) > 1:
            out.append(f"class {c.name} is built {len(calls)} times (lines {lines}): one "
                       "instance is counted")
        elif calls:
            out.append(f"one instance of class {c.name} (line {calls[0].lineno})")
    return out


def _in_loops(tree: ast.Module) -> set[int]:
    """ids of the nodes inside a loop or a comprehension."""
    inside: set[int] = set()
    for n in ast.walk(tree):
        if isinstance(n, (ast.For, ast.AsyncFor, ast.While, ast.ListComp, ast.SetComp,
                          ast.DictComp, ast.GeneratorExp)):
            for m in ast.walk(n):
                if m is not n:
                    inside.add(id(m))
    return inside
