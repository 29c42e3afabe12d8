"""Shapes and conventions: parsing `CxHxW`, formatting shapes as PyTorch or Keras print them."""

from __future__ import annotations

import re

from ..errors import UsageError, cut

Shape = tuple[int, ...]
"""(C, H, W) for feature maps or (N,) for flat vectors, batch dimension excluded."""

PYTORCH = "pytorch"
KERAS = "keras"
CONVENTIONS = {"pytorch": PYTORCH, "torch": PYTORCH, "keras": KERAS, "tf": KERAS,
               "tensorflow": KERAS}


def parse_convention(text: str) -> str:
    try:
        return CONVENTIONS[text.lower()]
    except KeyError:
        raise UsageError(f"unknown convention '{text}'",
                         "choose pytorch (default) or keras (alias tf)") from None


MAX_SIDE = 10**12
MAX_VALUES = 10**15
_SEPARATORS = re.compile(r"\s*[x×*,]\s*|\s+")


def _dims(text: str) -> tuple[list[str], bool]:
    """The numbers of a shape written 1x28x28, (1, 28, 28), 1,28,28 or (None, 28, 28, 1);
    and whether it named a batch (None) first."""
    raw = text.strip().lower()
    if raw[:1] in "([" and raw[-1:] in ")]":
        raw = raw[1:-1].strip()
        if raw.endswith(","):  # a Python tuple's trailing comma: (28, 28, 1,)
            raw = raw[:-1]
    # One separator between two numbers: '1x28xx' or '1,,28' is a typo, never a 1x28 shape.
    parts = _SEPARATORS.split(raw.strip()) if raw.strip() else []
    batch = bool(parts) and parts[0] == "none"
    return (parts[1:] if batch else parts), batch


def _bad(text: str, hint: str) -> UsageError:
    return UsageError(f"bad input shape '{cut(text)}'", hint)


def parse_shape(text: str, channels_last: bool = False) -> Shape:
    """`1x28x28`, `(1, 28, 28)` or `1,28,28` (CxHxW; HxWxC when `channels_last`), `28x28`
    (one channel), `28` (1x28x28), or `flat:784` for a flat vector."""
    raw = text.strip().lower()
    if raw.startswith("flat:"):
        body = raw[5:].strip()
        if body.isdigit() and len(body) <= 13 and 0 < int(body) <= MAX_SIDE:
            return (int(body),)
        raise UsageError(f"bad flat input '{text[:40]}'", "write it as flat:784")
    for prefix, last in (("chw:", False), ("hwc:", True)):
        if raw.startswith(prefix):
            return parse_shape(text.strip()[4:], last)
    parts, batch = _dims(text)
    hint = ("write it as HxWxC (Keras channels-last), e.g. 28x28x1 or (28, 28, 1)"
            if channels_last else
            "write it as CxHxW, e.g. 1x28x28, (1, 28, 28) or 1,28,28 (HxW means one channel)")
    if not parts or len(parts) > 3 or not all(re.fullmatch(r"\d{1,13}", p) for p in parts):
        raise _bad(text, hint)
    if batch and len(parts) != 3:
        raise _bad(text, hint)
    dims = tuple(int(p) for p in parts)
    if min(dims) < 1:
        raise UsageError(f"bad input shape '{text[:40]}': every dimension must be at least 1")
    if max(dims) > MAX_SIDE or numel(dims) > MAX_VALUES:
        raise UsageError(f"input shape '{text[:40]}' is too large",
                         "at most 10^12 on a side and 10^15 values")
    if len(dims) == 1:
        return (1, dims[0], dims[0])
    if len(dims) == 2:
        return (1, dims[0], dims[1])
    if channels_last or batch:
        return (dims[2], dims[0], dims[1])
    return dims


def _three_plain(text: str) -> tuple[int, int, int] | None:
    """The three numbers of an --input written without a batch, `chw:`, `hwc:` or `flat:`
    (the forms whose order could be misread), else None."""
    if text.strip().lower().startswith(("chw:", "hwc:", "flat:")):
        return None
    parts, batch = _dims(text)
    if batch or len(parts) != 3 or not all(re.fullmatch(r"\d{1,13}", p) for p in parts):
        return None
    a, b, c = (int(p) for p in parts)
    return a, b, c


def channels_last_note(text: str, convention: str) -> str | None:
    """A note when an input given as CxHxW reads like HxWxC: a large first number and a last
    of 1 or 3 (`32x32x3` read as 32 channels of 32x3). None for any other input, for one
    written with `chw:` or `hwc:`, and under Keras' channels-last convention."""
    numbers = _three_plain(text) if convention == PYTORCH else None
    if numbers is None:
        return None
    c, h, w = numbers
    if w not in (1, 3) or c <= 4 or h <= 4:
        return None
    return (f"input {c}x{h}x{w} reads as {c} channels of {h}x{w} (C x H x W); for a {c}x{h} "
            f"image with {w} channel{'s' * (w > 1)} (channels-last), write --input "
            f"hwc:{c}x{h}x{w} or use --convention keras; chw:{c}x{h}x{w} keeps this reading")


def channels_first_note(text: str, convention: str) -> str | None:
    """Keras' mirror of channels_last_note: a note when an input given as HxWxC reads like
    CxHxW, a first number of 1 or 3 and two large ones (`1x28x28` read as a 1x28 image with
    28 channels). None for any other input, for one written with `chw:` or `hwc:`, and
    under PyTorch's convention."""
    numbers = _three_plain(text) if convention == KERAS else None
    if numbers is None:
        return None
    h, w, c = numbers
    if h not in (1, 3) or w <= 4 or c <= 4:
        return None
    return (f"input {h}x{w}x{c} reads as a {h}x{w} image with {c} channels (H x W x C, "
            f"Keras' order); for {h} channel{'s' * (h > 1)} of {w}x{c} (channels-first), "
            f"write --input chw:{h}x{w}x{c} or use --convention pytorch; hwc:{h}x{w}x{c} "
            "keeps this reading")


def bare_number_note(text: str, first_kind: str | None) -> str | None:
    """A note when a single number N (read as a 1xNxN image) feeds a model that starts with
    a dense layer, which takes a flat vector: `--input 10` for `nn.Linear(10, ...)`."""
    raw = text.strip()
    if first_kind != "fc" or not re.fullmatch(r"\d{1,13}", raw):
        return None
    return (f"input {raw} reads as a 1x{raw}x{raw} image; for a flat vector of {raw} "
            f"write --input flat:{raw}")


def describe_input(shape: Shape, convention: str) -> str:
    """How an input shape reads, for a table header: `1x28x28 (C x H x W)`."""
    if len(shape) == 1:
        return f"flat vector of {shape[0]}"
    if convention == KERAS:
        return f"{shape[1]}x{shape[2]}x{shape[0]} (H x W x C, channels-last)"
    return f"{'x'.join(map(str, shape))} (C x H x W)"


def numel(shape: Shape) -> int:
    n = 1
    for d in shape:
        n *= d
    return n


def format_shape(shape: Shape, convention: str = PYTORCH) -> str:
    if convention == KERAS:
        dims = (shape[1], shape[2], shape[0]) if len(shape) == 3 else shape
        return "(None, " + ", ".join(str(d) for d in dims) + ")"
    return "x".join(str(d) for d in shape)
