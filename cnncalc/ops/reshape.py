"""Layers that move values without weights: flatten, zeropad, upsample, pixelshuffle,
channelshuffle, reshape, permute, slice."""

from __future__ import annotations

from fractions import Fraction

from .base import (
    OpDef,
    PadArgs,
    ReshapeArgs,
    Rule,
    SliceArgs,
    Step,
    UpsampleArgs,
    Window,
    fixed_rule,
    keep,
    never,
    stop,
)
from .shape import KERAS, Shape, format_shape, numel
from .signature import BOOL, CHOICE, DIMS, INT, MAX_PAD, PAIR, Layer, LayerDef, Param
from .window import Refusal, as_int, need_map, pair

MODES = ("nearest", "bilinear", "bicubic", "nearest-exact")
_TAPS = {"nearest": 1, "nearest-exact": 1, "bilinear": 2, "bicubic": 4}


def flatten(layer: Layer, shape: Shape, convention: str) -> Step:
    n = numel(shape)
    notes = ("input is already flat",) if len(shape) == 1 else ()
    formula = "·".join(str(d) for d in shape) + f" = {n}"
    if convention == KERAS and len(shape) == 3:
        notes = ("Keras flattens in H,W,C order, PyTorch in C,H,W: weights of the next fc "
                 "differ in order, not in count",)
    return Step((n,), 0, 0, 0, formula, "no parameters", "0", notes, None, len(shape) == 3,
                ReshapeArgs((n,)))


def zeropad(layer: Layer, shape: Shape, convention: str) -> Step:
    c, h, w = need_map(shape, "zeropad")
    t, b, lft, r = (as_int(layer[k]) for k in ("top", "bottom", "left", "right"))
    out = (c, h + t + b, w + lft + r)
    if min(out) < 1:
        raise Refusal(f"cropping leaves {out[1]}x{out[2]}, below 1x1")
    return Step(out, 0, 0, 0, f"H: {h} + {t}+{b} = {out[1]}; W: {w} + {lft}+{r} = {out[2]}",
                "no parameters", "0", (), (Window(1, 1, t), Window(1, 1, lft)),
                args=PadArgs((lft, r, t, b)))


def _zeropad_solve(layer: Layer, axis: int) -> Rule:
    keys = ("top", "bottom") if axis == 0 else ("left", "right")
    return ("grow", as_int(layer[keys[0]]) + as_int(layer[keys[1]]))


def _scale_window(s: int, taps: int) -> Window:
    """An output of an s-fold upsampling reads `taps` neighbouring inputs, 1/s apart, its
    centre at input coordinate (i + 1/2)/s - 1/2 (half-pixel centres, as PyTorch's
    align_corners=False and nearest modes place them)."""
    k = taps * s
    return Window(k, Fraction(1, s), Fraction(k - s, 2), True)


def upsample(layer: Layer, shape: Shape, convention: str) -> Step:
    c, h, w = need_map(shape, "upsample")
    sh, sw = pair(layer["scale_factor"])
    mode = str(layer["mode"])
    if layer["align_corners"] and mode not in ("bilinear", "bicubic"):
        raise Refusal(f"align_corners applies only to the bilinear and bicubic modes, not "
                      f"{mode}", "remove align_corners")
    out = (c, h * sh, w * sw)
    formula = (f"{h}·{sh} = {out[1]}" if (h, sh) == (w, sw) else
               f"H: {h}·{sh} = {out[1]}; W: {w}·{sw} = {out[2]}")
    taps = _TAPS[mode]
    notes: tuple[str, ...] = ()
    if layer["align_corners"]:
        notes = ("align_corners=true samples at other positions: the start column is "
                 "approximate",)
    return Step(out, 0, 0, 0, f"{formula} ({mode})", "no parameters",
                "0 (interpolation has no weights)", notes,
                (_scale_window(sh, taps), _scale_window(sw, taps)),
                args=UpsampleArgs((sh, sw), mode, bool(layer["align_corners"]) if
                                  mode in ("bilinear", "bicubic") else None))


def _upsample_solve(layer: Layer, axis: int) -> Rule:
    return ("scale", pair(layer["scale_factor"])[axis])


def pixelshuffle(layer: Layer, shape: Shape, convention: str) -> Step:
    c, h, w = need_map(shape, "pixelshuffle")
    r = as_int(layer["upscale_factor"])
    if c % (r * r):
        raise Refusal(f"{c} channels are not a multiple of {r}² = {r * r}",
                      "pixelshuffle(r) needs C·r² channels")
    out = (c // (r * r), h * r, w * r)
    return Step(out, 0, 0, 0, f"C: {c}/{r}² = {out[0]}; H,W: ·{r} → {out[1]}x{out[2]}",
                "no parameters", "0", (), (_scale_window(r, 1), _scale_window(r, 1)),
                args=ReshapeArgs(out, factor=r))


def _pixelshuffle_solve(layer: Layer, axis: int) -> Rule:
    return ("scale", as_int(layer["upscale_factor"]))


def channelshuffle(layer: Layer, shape: Shape, convention: str) -> Step:
    c = need_map(shape, "channelshuffle")[0]
    g = as_int(layer["groups"])
    if c % g:
        raise Refusal(f"groups={g} must divide the {c} channels")
    return Step(shape, 0, 0, 0, f"shape unchanged ({g} groups of {c // g} channels "
                "interleaved)", "no parameters", "0", args=ReshapeArgs(shape, factor=g))


def reshape(layer: Layer, shape: Shape, convention: str) -> Step:
    target = tuple(int(d) for d in layer["shape"])  # type: ignore[union-attr]
    n = numel(shape)
    if target.count(-1) > 1:
        raise Refusal("reshape takes at most one -1")
    if -1 in target:
        known = numel(tuple(d for d in target if d != -1))
        if n % known:
            raise Refusal(f"{n} values cannot be reshaped to {_dims(target)}: "
                          f"{n} is not a multiple of {known}")
        target = tuple(n // known if d == -1 else d for d in target)
    if numel(target) != n:
        raise Refusal(f"{n} values ({format_shape(shape, convention)}) cannot be reshaped to "
                      f"{_dims(target)} ({numel(target)} values)")
    if len(target) not in (1, 3):
        raise Refusal(f"reshape to {_dims(target)}: cnncalc follows flat vectors and CxHxW "
                      "maps only")
    moved = len(target) == 3 and (len(shape) != 3 or target[1:] != shape[1:])
    notes: tuple[str, ...] = ()
    if convention == KERAS and len(target) == 3:
        # The layer column shows the spec's C x H x W beside H x W x C shapes: say which
        c, h, w = target
        notes = (f"a spec's reshape target is C x H x W under either convention: "
                 f"{_dims(target)} is {format_shape(target, KERAS)} here, Keras' "
                 f"Reshape(({h}, {w}, {c}))",)
    return Step(target, 0, 0, 0,
                f"{_dims(shape, convention)} → {_dims(target, convention)}",
                "no parameters", "0", notes, None, len(target) == 1 and len(shape) == 3,
                ReshapeArgs(target), scrambles=moved)


def _dims(shape: tuple[int, ...], convention: str = "") -> str:
    """A shape as AxBxC: in the convention's order where one is given (H x W x C under
    Keras'), else as written."""
    if convention == KERAS and len(shape) == 3:
        shape = (shape[1], shape[2], shape[0])
    return "x".join(map(str, shape))


def _reshape_solve(layer: Layer, axis: int) -> Rule:
    return ("stop",) if len(layer["shape"]) == 1 else ("never",)  # type: ignore[arg-type]


def permute(layer: Layer, shape: Shape, convention: str) -> Step:
    order = tuple(int(d) for d in layer["dims"])  # type: ignore[union-attr]
    if sorted(order) != list(range(len(shape))):
        raise Refusal(f"permute({','.join(map(str, order))}) is not an order of the "
                      f"{len(shape)} dimensions of {format_shape(shape, convention)}",
                      f"list each of 0..{len(shape) - 1} once (the batch is not counted)")
    out = tuple(shape[i] for i in order)
    notes: tuple[str, ...] = ()
    if convention == KERAS and len(shape) == 3:
        # The shapes are shown H x W x C: say which axes the order's numbers name
        names = ", ".join("CHW"[i] for i in order)
        notes = (f"a spec's permute order numbers the axes of C x H x W under either "
                 f"convention (0 = C, 1 = H, 2 = W): the new C x H x W is the old "
                 f"({names})",)
    return Step(out, 0, 0, 0, f"{_dims(shape, convention)} → {_dims(out, convention)}",
                "no parameters", "0", notes, None, False, ReshapeArgs(out, order),
                scrambles=len(shape) == 3 and order != (0, 1, 2))


def slice_pieces(total: int, pieces: int, size: int) -> tuple[int, int]:
    """How torch.chunk(pieces) (size 0) or torch.split(size) cuts `total` channels: the
    size of every piece but the last (which holds what is left), and how many pieces there
    are. A chunk may give fewer pieces than asked: torch.chunk of 8 channels in 3 gives
    3, 3, 2, but of 4 channels in 3 gives 2, 2. O(1), so a cut into many pieces costs no
    more per piece."""
    step = size if size else -(-total // pieces)
    return step, -(-total // step)


def _sizes(step: int, count: int, total: int) -> str:
    last = total - (count - 1) * step
    if count <= 4:
        return "+".join([str(step)] * (count - 1) + [str(last)])
    return f"{count - 1}·{step}+{last}"


def slice_(layer: Layer, shape: Shape, convention: str) -> Step:
    total = shape[0]
    index, pieces = as_int(layer["index"]), as_int(layer["pieces"])
    size, said = as_int(layer["size"]), as_int(layer["total"])
    first = as_int(layer["start"])
    what = "features" if len(shape) == 1 else "channels"
    how = f"torch.split({size})" if size else f"torch.chunk({pieces})"
    if said and said != total:
        raise Refusal(f"the split sizes add up to {said}, but the input has {total} {what}",
                      "the sizes of torch.split must add up to the size of the dim")
    if first >= 0:  # a piece of listed sizes: where it starts is given
        if not size or not said:
            raise Refusal("slice(start=...) needs the piece's size and the total",
                          "write slice(index, pieces, size=S, total=T, start=A)")
        if index >= pieces or first + size > said:
            raise Refusal(f"piece {index} of {pieces} ({what} {first}..{first + size - 1}) "
                          f"is not within the {said} {what}")
        return Step((size, *shape[1:]), 0, 0, 0, f"{what} {first}..{first + size - 1} of "
                    f"{total} (piece {index} of {pieces}, listed sizes)", "no parameters",
                    "0", args=SliceArgs(first, first + size, total))
    step, count = slice_pieces(total, pieces, size)
    sizes = _sizes(step, count, total)
    if count != pieces:
        raise Refusal(f"{how} cuts {total} {what} into {count} pieces ({sizes}), not the "
                      f"{pieces} the code takes")
    if index >= pieces:
        raise Refusal(f"piece {index} of {pieces} does not exist (pieces count from 0)")
    start = index * step
    stop = min(start + step, total)
    out = (stop - start, *shape[1:])
    return Step(out, 0, 0, 0, f"{what} {start}..{stop - 1} of {total} (piece {index} of "
                f"{sizes})", "no parameters", "0", args=SliceArgs(start, stop, total))


OPS = [
    OpDef(LayerDef("flatten", (), (), "nn.Flatten"), "fc", fixed_rule("N = C·H·W"), "",
          stop, flatten),
    OpDef(LayerDef(
        "zeropad",
        (
            # Negative values crop, as nn.ZeroPad2d and Keras' Cropping2D do.
            Param("top", INT, minimum=-MAX_PAD),
            Param("bottom", INT, "=top", minimum=-MAX_PAD),
            Param("left", INT, "=top", minimum=-MAX_PAD),
            Param("right", INT, "=left", minimum=-MAX_PAD),
        ),
        ("pad",),
        "nn.ZeroPad2d",
    ), "other", fixed_rule("O = N + pad before + pad after (negative pads crop)"), "",
        _zeropad_solve, zeropad),
    OpDef(LayerDef("upsample", (Param("scale_factor", PAIR, short=("scale", "s"), minimum=1),
                                Param("mode", CHOICE, "nearest", choices=MODES),
                                Param("align_corners", BOOL, False, ("align",))),
                   ("upsampling",), "nn.Upsample"),
          "shape", fixed_rule("O = N·scale_factor"), "", _upsample_solve, upsample),
    OpDef(LayerDef("pixelshuffle", (Param("upscale_factor", INT, short=("r", "factor"),
                                          minimum=1),), (), "nn.PixelShuffle"),
          "shape", fixed_rule("C·r² x H x W → C x H·r x W·r"), "", _pixelshuffle_solve,
          pixelshuffle),
    OpDef(LayerDef("channelshuffle", (Param("groups", INT, short=("g",), minimum=1),), (),
                   "nn.ChannelShuffle"),
          "shape", fixed_rule("the shape is unchanged; channels are interleaved"), "", keep,
          channelshuffle),
    OpDef(LayerDef("reshape", (Param("shape", DIMS, minimum=-1),), ("view",), "Tensor.view"),
          "shape", fixed_rule("the values are kept, in a new shape of the same size"), "",
          _reshape_solve, reshape),
    OpDef(LayerDef("permute", (Param("dims", DIMS),), (), "Tensor.permute"),
          "shape", fixed_rule("the dimensions are reordered"), "", never, permute),
    OpDef(LayerDef("slice", (Param("index", INT, short=("i",)),
                             Param("pieces", INT, short=("of", "n"), minimum=1),
                             Param("size", INT, 0, ("s",)),
                             Param("total", INT, 0),
                             Param("start", INT, -1, minimum=-1)),
                   (), "torch.chunk / torch.split"),
          "shape", fixed_rule("C = the channels of one piece (H and W kept)"), "", keep,
          slice_),
]
