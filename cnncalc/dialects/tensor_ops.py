"""forward()'s tensor methods that cut, reduce or measure a tensor: chunk, split, mean, and
the sizes x.size() and x.shape give, read into cnncalc layers or refused by name.

forward() is read before any shape is known, so what these calls do is written as layers
the calculator checks once the shapes are known: a piece of torch.chunk or torch.split is a
`slice` layer that refuses a cut into another number of pieces than the code takes.
"""

from __future__ import annotations

import ast

from ..library.binding import Made
from ..records import record
from .stack import READ as STACK_READ
from .values import CodeError, Unknown, Values, dotted, err, text

CHUNKS = ("torch.chunk", "torch.split", "torch.tensor_split")
"""torch functions that cut a tensor into a tuple of pieces."""
_PIECE_METHODS = ("chunk", "split", "tensor_split", "unbind")
REFUSED = {
    "torch.stack": "adds a dimension; cnncalc follows CxHxW maps and flat vectors, and reads "
                   f"a stack only where the code folds it back: {STACK_READ}",
    "torch.unbind": "removes a dimension; cnncalc reads an unbind only where it undoes a "
                    "torch.stack on the same dim",
    "torch.tensor_split": "is not read; write torch.chunk or torch.split",
}
"""torch functions in forward() that are refused, and why (the message names the call)."""
MEANS = ("torch.mean",)
MAX_PIECES = 100_000  # the reader's layer limit (code.MAX_LAYERS)


@record
class Pieces:
    """A chunk or split call: the tensor it cuts (an expression of forward()), and one
    `slice` layer per piece the code takes."""

    tensor: ast.expr
    layers: tuple[Made, ...]


def is_pieces(node: ast.AST) -> bool:
    """Whether `node` is a call that cuts a tensor into pieces (read or refused here)."""
    if not isinstance(node, ast.Call):
        return False
    func = dotted(node.func)
    if func in (*CHUNKS, "torch.unbind"):
        return True
    return isinstance(node.func, ast.Attribute) and node.func.attr in _PIECE_METHODS and \
        func not in REFUSED and not (func or "").startswith(("self.", "F.", "nn."))


def pieces(node: ast.Call, values: Values, wanted: int | None) -> Pieces:
    """`torch.chunk(x, n, 1)`, `x.chunk(n, dim=1)`, `torch.split(x, s, 1)`,
    `x.split([a, b], 1)`: the tensor cut, and a slice layer per piece. `wanted`: how many
    names the code unpacks the pieces into (None: it keeps the tuple)."""
    func = dotted(node.func) or ""
    method = isinstance(node.func, ast.Attribute) and func not in CHUNKS and \
        func != "torch.unbind"
    name = node.func.attr if isinstance(node.func, ast.Attribute) else func
    if func in REFUSED or name in ("unbind", "tensor_split"):
        why = REFUSED.get(func) or REFUSED[f"torch.{name}"]
        raise err(node, f"{text(node)} {why}")
    args = list(node.args)
    if method:
        assert isinstance(node.func, ast.Attribute)
        tensor: ast.expr = node.func.value
    elif args:
        tensor = args.pop(0)
    else:
        raise err(node, f"{text(node)} needs its input tensor")
    size_name = "chunks" if name == "chunk" else "split_size_or_sections"
    given: dict[str, ast.expr] = dict(zip((size_name, "dim"), args))
    if len(args) > 2:
        raise err(node, f"{text(node)} takes a tensor, a size and a dim")
    for k in node.keywords:
        if k.arg not in (size_name, "dim", "split_size") or k.arg in given:
            raise err(node, f"{text(node)}: the argument "
                      f"{k.arg or '**' + text(k.value)} is not read")
        given["dim" if k.arg == "dim" else size_name] = k.value
    if size_name not in given:
        what = "number of chunks" if name == "chunk" else "size of the pieces"
        raise err(node, f"{text(node)} needs the {what}")
    dim = values.eval(given["dim"]) if "dim" in given else 0
    if dim != 1:
        raise err(node, f"{text(node)} cuts dim {dim!r}; cnncalc reads cuts along dim 1 (the "
                  "channels, or the features of a flat vector)", "write dim=1")
    size = values.eval(given[size_name])
    if name == "chunk":
        n = _count(node, size, "the number of chunks")
        if wanted is not None and wanted != n:
            raise err(node, f"{text(node)} gives {n} pieces, but the code unpacks "
                      f"{wanted}")
        return Pieces(tensor, tuple(_piece(i, n, 0, 0) for i in range(n)))
    if isinstance(size, (list, tuple)):
        sizes = [_count(node, s, "a split size") for s in size]
        if not sizes:
            raise err(node, f"{text(node)} lists no sizes")
        if wanted is not None and wanted != len(sizes):
            raise err(node, f"{text(node)} gives {len(sizes)} pieces, but the code unpacks "
                      f"{wanted}")
        total = sum(sizes)
        if any(s != sizes[0] for s in sizes[:-1]) or sizes[-1] > sizes[0]:
            starts = [sum(sizes[:i]) for i in range(len(sizes))]  # sizes: at most MAX_PIECES
            return Pieces(tensor, tuple(_piece(i, len(sizes), s, total, a)
                                        for i, (s, a) in enumerate(zip(sizes, starts))))
        return Pieces(tensor, tuple(_piece(i, len(sizes), sizes[0], total)
                                    for i in range(len(sizes))))
    s = _count(node, size, "the size of the pieces")
    if wanted is None:
        raise err(node, f"{text(node)}: how many pieces it gives is only known when the "
                  "code runs", "unpack them: a, b = torch.split(x, n, 1)")
    return Pieces(tensor, tuple(_piece(i, wanted, s, 0) for i in range(wanted)))


def _piece(index: int, count: int, size: int, total: int, first: int = -1) -> Made:
    return Made("slice", {"index": index, "pieces": count, "size": size, "total": total,
                          "start": first})


def _count(node: ast.AST, value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise err(node, f"{text(node)}: {what} is not a whole number of at least 1")
    if value > MAX_PIECES:
        # Each piece is a layer: refused before a layer is made, as any model past its
        # layer limit is.
        raise err(node, f"{text(node)}: {what} {value:,} is more than cnncalc reads "
                  f"({MAX_PIECES:,})")
    return value


def mean_dims(node: ast.Call, values: Values, keywords: list[ast.keyword],
              args: list[ast.expr]) -> bool:
    """`x.mean([2, 3])`, `x.mean(dim=(2, 3))`, `torch.mean(x, (-2, -1), keepdim=True)`: the
    global average pool of a map; whether the code keeps the 1x1 dims (keepdim)."""
    dims_node: ast.expr | None = args[0] if args else None
    keep_node: ast.expr | None = args[1] if len(args) > 1 else None
    if len(args) > 2:
        raise err(node, f"{text(node)} takes the dims and keepdim")
    for k in keywords:
        if k.arg in ("dim", "axis") and dims_node is None:
            dims_node = k.value
        elif k.arg == "keepdim" and keep_node is None:
            keep_node = k.value
        else:
            raise err(node, f"{text(node)}: the argument "
                      f"{k.arg or '**' + text(k.value)} is not read")
    if dims_node is None:
        raise err(node, f"{text(node)} averages every value, the batch too",
                  "write x.mean((2, 3)) for a global average pool")
    dims = values.eval(dims_node)
    keep = values.eval(keep_node) if keep_node is not None else False
    if not isinstance(keep, bool):
        raise err(node, f"{text(node)}: keepdim is not True or False")
    if not isinstance(dims, (list, tuple)) or sorted(map(_plain, dims)) not in ([2, 3],
                                                                                 [-2, -1]):
        raise err(node, f"{text(node)} averages over dims {dims!r}; cnncalc reads the mean "
                  "over H and W of a map", "write x.mean((2, 3))")
    return keep


def _plain(d: object) -> int:
    return d if isinstance(d, int) and not isinstance(d, bool) else 99


def size_value(node: ast.expr, index: object, written: str = "") -> Unknown:
    """x.size(i) or x.shape[i] for i other than 0: a value known only when the code runs
    (forward() is read before any shape is known). An error only where it is used."""
    return Unknown(getattr(node, "lineno", None),
                   f"{written or text(node)} is a size cnncalc does not know while it "
                   "reads forward(); only the batch size, x.size(0), is read",
                   "write the number itself")


def is_size_call(node: ast.AST) -> bool:
    """`x.size()` or `x.shape` (every size at once) of a tensor."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
            node.func.attr == "size" and not node.args and not node.keywords:
        return True
    return isinstance(node, ast.Attribute) and node.attr == "shape"


def size_index(node: ast.AST, values: Values) -> tuple[ast.expr, object] | None:
    """`x.size(i)`, `x.size()[i]` or `x.shape[i]`: the tensor expression and i; None for
    anything else."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
            node.func.attr == "size" and len(node.args) == 1 and not node.keywords:
        return node.func.value, _index(values, node.args[0])
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Call) and \
            is_size_call(node.value) and not isinstance(node.slice, ast.Slice):
        assert isinstance(node.value.func, ast.Attribute)
        return node.value.func.value, _index(values, node.slice)
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute) and \
            node.value.attr == "shape" and not isinstance(node.slice, ast.Slice):
        return node.value.value, _index(values, node.slice)
    return None


def _index(values: Values, node: ast.expr) -> object:
    try:
        return values.eval(node)
    except CodeError:
        return text(node)


__all__ = ["CHUNKS", "MEANS", "REFUSED", "Pieces", "is_pieces", "is_size_call", "mean_dims",
           "pieces", "size_index", "size_value"]
