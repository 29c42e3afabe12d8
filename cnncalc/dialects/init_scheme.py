"""What a model's own weight initialisation means for `cnncalc train`: one of the trainer's
--init schemes exactly, or a sentence saying that it is not kept."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol


class InitRecord(Protocol):
    """What the reader records of one initialisation call (dialects/code.py's Init)."""

    @property
    def layer(self) -> str: ...  # an attribute ('fc'), or '*' for every module picked
    @property
    def tensor(self) -> str: ...  # 'weight' or 'bias'
    @property
    def function(self) -> str: ...
    @property
    def args(self) -> tuple[str, ...]: ...
    @property
    def when(self) -> str: ...


# The trainer's schemes (train/prep.py init_weights): the weight call of each, with biases
# set to zero.
_WEIGHTS = {
    ("xavier_uniform_", ()): "xavier",
    ("kaiming_normal_", ("nonlinearity='relu'",)): "kaiming",
    ("normal_", ("0.0", "0.01")): "normal", ("normal_", ("0", "0.01")): "normal",
    ("uniform_", ("-0.05", "0.05")): "uniform",
}
_ZERO = {("zeros_", ()), ("zero_", ()), ("constant_", ("0",)), ("constant_", ("0.0",)),
         ("fill_", ("0",)), ("fill_", ("0.0",))}


def describe(inits: Sequence[InitRecord]) -> str:
    return ", ".join(f"{i.layer}.{i.tensor}: {i.function}({', '.join(i.args)})"
                     for i in inits)


def _covers_conv_and_linear(when: str) -> bool:
    return not when or ("Conv" in when and "Linear" in when)


def scheme(inits: Sequence[InitRecord]) -> str | None:
    """The trainer's scheme the code's initialisation is, exactly, or None: every conv and
    linear weight by the scheme's call and every bias zeroed, applied to all of them."""
    weights = {(i.function, i.args) for i in inits if i.tensor == "weight"}
    biases = {(i.function, i.args) for i in inits if i.tensor == "bias"}
    if len(weights) != 1 or not biases or not biases <= _ZERO:
        return None
    if not all(i.layer == "*" and _covers_conv_and_linear(i.when) for i in inits):
        return None
    return _WEIGHTS.get(next(iter(weights)))
