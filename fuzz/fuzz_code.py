"""Coverage-guided fuzzing of the code reader (pasted PyTorch and Keras) with atheris.

Every input must end in a summary or a CnnCalcError; anything else is a crash that libFuzzer
reports (with the input saved as crash-*).

Run: python fuzz/fuzz_code.py -runs=200000 [corpus_dir]
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports():
    from cnncalc.calc.summary import summarize
    from cnncalc.dialects.resolve import resolve
    from cnncalc.errors import CnnCalcError
    from cnncalc.render.records import to_json

SEEDS = (
    "nn.Sequential(nn.Conv2d(1, 8, 3), nn.ReLU(), nn.Flatten(), nn.Linear(5408, 10))",
    "model = Sequential()\nmodel.add(Conv2D(8, 3, input_shape=(28, 28, 1)))\n",
    "class N(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
    "        self.c = nn.Conv2d(1, 4, 3)\n    def forward(self, x):\n"
    "        return F.relu(self.c(x)) + x\n",
)


def one_input(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    seed = SEEDS[fdp.ConsumeIntInRange(0, len(SEEDS) - 1)]
    cut = fdp.ConsumeIntInRange(0, len(seed))
    text = seed[:cut] + fdp.ConsumeUnicodeNoSurrogates(300) + seed[cut:]
    try:
        r = resolve(text, None, None)
        summary = summarize(r.nodes, r.shape, r.convention)
    except CnnCalcError as e:
        if "\n" in e.message:
            raise AssertionError(f"multi-line error: {e.message!r}") from None
        return
    to_json(summary)


def main() -> None:
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
