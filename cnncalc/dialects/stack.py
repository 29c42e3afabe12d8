"""torch.stack in forward(), read where the code turns the stack back into a map or a vector.

cnncalc follows CxHxW maps and flat vectors, and a stack adds a dimension. Real code stacks
tensors of one shape to fold them at once: summed, averaged or maximised over the new dim
(selective-kernel and weighted feature fusion, `torch.sum(torch.stack(feats, 1), 1)`, an
ensemble's `torch.stack(outs).mean(0)`), flattened with the batch kept
(`torch.stack([a, b], 1).flatten(1)`), or unbound again (`a, b = s.unbind(1)`). Those forms
are exact joins the calculator has: the sum, mean and maximum are the add, mean and max
joins of the pieces, the flatten the cat of the flattened pieces (the stacked pieces lie
one after another in memory, as a cat along dim 1 puts them), and unbind gives the pieces
back. Any other use of a stack is an error naming its line.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import replace

from ..records import record
from .values import Values, dotted, err, text

STACKS = ("torch.stack",)
_UNBINDS = ("torch.unbind",)
# A reduction over the stacked dim, and the join it is: a sum, a mean (the sum scaled by
# 1/n), an elementwise maximum (torch.max over a dim gives values and indices: its [0] or
# .values is read).
_REDUCTIONS = {"sum": "add", "mean": "mean", "amax": "max", "max": "max"}
_FUNCTIONS = {f"torch.{k}": k for k in (*_REDUCTIONS, "flatten")}
_NO_JOIN = {
    "min": "is an elementwise minimum, a join cnncalc has no layer for",
    "amin": "is an elementwise minimum, a join cnncalc has no layer for",
    "prod": "is an elementwise product of every tensor, not read",
}
READ = ".sum(dim), .mean(dim), .amax(dim) or .max(dim)[0] over the stacked dim, " \
    ".flatten(1) or .view(x.size(0), -1) of a stack on dim 1, or .unbind(dim)"


@record
class StackCall:
    """`torch.stack(tensors, dim)`: the list of tensors (an expression) and the dim."""

    tensors: ast.expr
    dim: int
    line: int


@record
class Fold:
    """A call that may fold a stack: `what` the method or function ('sum', 'mean', 'max',
    'amax', 'flatten', 'view', 'reshape'), `stack` the expression it takes, `call` the call
    itself, `values` whether the code takes the values of a max ([0] or .values)."""

    what: str
    stack: ast.expr
    call: ast.Call
    values: bool = False


def stack_call(node: ast.AST, values: Values) -> StackCall | None:
    """`torch.stack(tensors, dim=0)` read; None for any other expression."""
    if not isinstance(node, ast.Call) or dotted(node.func) not in STACKS:
        return None
    given = _arguments(node, ("tensors", "dim"))
    if "tensors" not in given:
        raise err(node, f"{text(node)} needs its list of tensors")
    dim = _dim(node, values, given.get("dim"))
    return StackCall(given["tensors"], dim, node.lineno)


def fold(node: ast.AST) -> Fold | None:
    """A reduction, flatten or view whose input may be a stack (`s.sum(1)`,
    `torch.mean(s, 0)`, `s.max(1)[0]`, `s.max(dim=1).values`, `torch.flatten(s, 1)`,
    `s.view(n, -1)`): what it does and the expression it takes. None for any other
    expression. Whether that expression is a stack is the reader's to say; `folded` then
    reads the arguments."""
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) and \
            node.slice.value == 0 and not isinstance(node.slice.value, bool):
        inner = fold(node.value)
        return replace(inner, values=True) if inner is not None and inner.what == "max" \
            else None
    if isinstance(node, ast.Attribute) and node.attr == "values":
        inner = fold(node.value)
        return replace(inner, values=True) if inner is not None and inner.what == "max" \
            else None
    if not isinstance(node, ast.Call):
        return None
    func = dotted(node.func)
    if func in _FUNCTIONS:
        if not node.args:
            return None
        return Fold(_FUNCTIONS[func], node.args[0], node)
    if isinstance(node.func, ast.Attribute) and \
            node.func.attr in (*_REDUCTIONS, "flatten", "view", "reshape", *_NO_JOIN):
        return Fold(node.func.attr, node.func.value, node)
    return None


def folded(f: Fold, node: ast.AST, stack: StackCall, values: Values,
           is_batch: Callable[[ast.AST], bool]) -> str:
    """The join folding this stack gives ('add', 'mean', 'max'), or 'flat' for the cat of
    its flattened tensors; else an error naming the line."""
    what = f"{text(node)} (of the torch.stack on line {stack.line})"
    if f.what in _NO_JOIN:
        raise err(node, f"{what} {_NO_JOIN[f.what]}", f"read forms: {READ}")
    rest = f.call if isinstance(f.call.func, ast.Attribute) and \
        dotted(f.call.func) not in _FUNCTIONS else \
        ast.Call(f.call.func, f.call.args[1:], f.call.keywords)
    if f.what in _REDUCTIONS:
        given = _arguments(rest, ("dim", "keepdim"))
        if "dim" not in given:
            raise err(node, f"{what} reduces every value, the batch too",
                      f"write .{f.what}({stack.dim})")
        if _known(values, given.get("keepdim"), False) is not False:
            raise err(node, f"{what} keeps the stacked dim (keepdim)",
                      f"write .{f.what}({stack.dim})")
        dim = _dim(node, values, given["dim"])
        if dim != stack.dim:
            raise err(node, f"{what} reduces dim {dim}, not the stacked dim {stack.dim}",
                      f"write .{f.what}({stack.dim}); a reduction over another dim is not "
                      "read")
        if f.what == "max" and not f.values:
            raise err(node, f"{what} gives the maximum values and their indices",
                      f"take the values: .max({stack.dim})[0] or .amax({stack.dim})")
        return _REDUCTIONS[f.what]
    if stack.dim != 1:
        raise err(node, f"{what}: the stack is on dim {stack.dim}; cnncalc reads a stack "
                  "flattened when it is on dim 1, where its pieces lie one after another",
                  "stack on dim 1: torch.stack(tensors, 1)")
    if f.what == "flatten":
        given = _arguments(rest, ("start_dim",))
        start = _known(values, given.get("start_dim"), 0)
        if start != 1:
            raise err(node, f"{what} flattens the batch too" if start in (0, -4) else
                      f"{what} flattens from dim {start} on; cnncalc reads a stack "
                      "flattened from dim 1", "write .flatten(1)")
        return "flat"
    args = list(rest.args)
    if len(args) == 1 and isinstance(args[0], (ast.Tuple, ast.List)):
        args = list(args[0].elts)
    if rest.keywords or len(args) != 2 or not is_batch(args[0]) or \
            _known(values, args[1], None) != -1:
        raise err(node, f"{what} does not give one flat vector per sample",
                  "write .view(x.size(0), -1)")
    return "flat"


def unbind_call(node: ast.AST, values: Values) -> tuple[ast.expr, int] | None:
    """`s.unbind(dim)` or `torch.unbind(s, dim)`: the expression unbound and the dim; None
    for any other expression."""
    if not isinstance(node, ast.Call):
        return None
    func = dotted(node.func)
    if func in _UNBINDS:
        given = _arguments(node, ("input", "dim"))
        if "input" not in given:
            raise err(node, f"{text(node)} needs its input tensor")
        return given["input"], _dim(node, values, given.get("dim"))
    if isinstance(node.func, ast.Attribute) and node.func.attr == "unbind" and \
            not (func or "").startswith(("self.", "F.", "nn.")):
        given = _arguments(node, ("dim",))
        return node.func.value, _dim(node, values, given.get("dim"))
    return None


def unbound(node: ast.AST, stack: StackCall | None, dim: int) -> None:
    """An unbind gives the stacked pieces back only on the stacked dim."""
    if stack is None:
        raise err(node, f"{text(node)} removes a dimension of a tensor that is not a "
                  "torch.stack of forward(); cnncalc follows CxHxW maps and flat vectors")
    if dim != stack.dim:
        raise err(node, f"{text(node)} unbinds dim {dim}, not the dim {stack.dim} that the "
                  f"torch.stack on line {stack.line} added", f"write .unbind({stack.dim})")


def _arguments(node: ast.Call, names: tuple[str, ...]) -> dict[str, ast.expr]:
    if any(isinstance(a, ast.Starred) for a in node.args) or len(node.args) > len(names):
        raise err(node, f"{text(node)}: its arguments are not read",
                  f"write {', '.join(names)}")
    given = dict(zip(names, node.args))
    for k in node.keywords:
        key = "dim" if k.arg == "axis" else k.arg
        if key is None or key not in names or key in given:
            raise err(node, f"{text(node)}: the argument "
                      f"{k.arg or '**' + text(k.value)} is not read")
        given[key] = k.value
    return given


def _dim(node: ast.AST, values: Values, arg: ast.expr | None) -> int:
    dim = values.eval(arg) if arg is not None else 0
    if isinstance(dim, bool) or not isinstance(dim, int):
        raise err(node, f"{text(node)}: the dim {dim!r} is not a whole number")
    return dim


def _known(values: Values, arg: ast.expr | None, default: object) -> object:
    return values.eval(arg) if arg is not None else default


__all__ = ["READ", "STACKS", "Fold", "StackCall", "fold", "folded", "stack_call",
           "unbind_call", "unbound"]
