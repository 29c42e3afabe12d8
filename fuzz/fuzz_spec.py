"""Coverage-guided fuzzing of the spec parser, calculator and renderers with atheris.

Every input must end in a result or a CnnCalcError; anything else is a crash that
libFuzzer reports (with the input saved as crash-*). libFuzzer's closing line
"Done N runs in S second(s)" gives the number of inputs tried.

Run: python fuzz/fuzz_spec.py -runs=1000000 -dict=fuzz/spec.dict [corpus_dir]
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports():
    from cnncalc import spec
    from cnncalc.calc import summarize_spec
    from cnncalc.calc.explain import explain
    from cnncalc.errors import CnnCalcError
    from cnncalc.ops.shape import parse_shape
    from cnncalc.render.records import to_csv, to_json

# Instrumented code runs ~20x slower; a lower layer limit keeps the fuzzer exploring instead
# of spending a minute on each `[gap]*99999`. The limit check itself is still exercised.
spec.MAX_LAYERS = 5_000


def one_input(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    convention = "keras" if fdp.ConsumeBool() else "pytorch"
    shape = (fdp.ConsumeIntInRange(1, 64), fdp.ConsumeIntInRange(1, 300),
             fdp.ConsumeIntInRange(1, 300))
    text = fdp.ConsumeUnicodeNoSurrogates(400)
    try:
        parse_shape(text[:12])
    except CnnCalcError:
        pass
    try:
        summary = summarize_spec(text, shape, convention)
    except CnnCalcError as e:
        if "\n" in e.message:
            raise AssertionError(f"multi-line error: {e.message!r}") from None
        return
    to_json(summary)
    to_csv(summary)
    explain(summary)


def main() -> None:
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
