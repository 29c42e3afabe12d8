"""The realworld suite as a whole: every real model file in tests/fixtures/realworld is
compared with its oracle, in tests/dialects/test_realworld_torch.py or in this folder, and
each of its models is either read exactly or refused in one line naming the construct.

Counts (files / models), kept in test_the_suite_counts:
- 88 real files: 31 read exactly (every model listed), 4 with models read and models
  refused, 53 refused;
- 131 models: 51 exact (23 compared with torch, 28 with Keras), 80 refused;
- 0 wrong, 0 crashes.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict

import pytest

from ..dialects import test_realworld_torch as earlier
from ..dialects.realworld import FIXTURES, have
from ..hostile.harness import cli
from . import test_keras_files as keras_files
from . import test_torch_files as torch_files

# Fixture files that are not copies of a real model file, with the tests that read them.
NOT_MODELS = {"notes002_keras_typos.py": "typos for tests/dialects/test_messages.py"}


def _models() -> dict[str, dict[str, list[str | None]]]:
    """{file: {"exact": [models], "refused": [models]}} over the whole suite."""
    out: dict[str, dict[str, list[str | None]]] = defaultdict(lambda: defaultdict(list))
    for e in earlier.EXACT + torch_files.EXACT:
        out[e[0]]["exact"].append(e[1])
    for k in keras_files.EXACT:
        out[k[0]]["exact"].append(k[1])
    for r in earlier.REFUSED + torch_files.REFUSED + keras_files.REFUSED:
        out[r[0]]["refused"].append(r[1])
    return out


def test_every_real_file_is_in_the_suite() -> None:
    on_disk = {p.name for p in FIXTURES.glob("*.py")} - set(NOT_MODELS)
    sources = set(re.findall(r"^\| `([^`]+\.py)` \|", (FIXTURES / "SOURCES.md").read_text(
        encoding="utf-8"), re.M))
    assert sources == set(_models())  # every file the suite reads is named by its source
    if not on_disk:
        pytest.skip("the real model files are not here (tests/fixtures/realworld/SOURCES.md)")
    assert on_disk == set(_models())
    for name in on_disk:  # each is the file SOURCES.md names, byte for byte
        digest = hashlib.sha256((FIXTURES / name).read_bytes()).hexdigest()
        assert f"| `{name}` |" in (FIXTURES / "SOURCES.md").read_text(encoding="utf-8")
        assert digest in (FIXTURES / "SOURCES.md").read_text(encoding="utf-8"), name


def test_no_model_is_both_exact_and_refused() -> None:
    for name, kinds in _models().items():
        assert not set(kinds["exact"]) & set(kinds["refused"]), name


def test_the_suite_counts() -> None:
    models = _models()
    exact_files = [n for n, k in models.items() if k["exact"] and not k["refused"]]
    mixed = [n for n, k in models.items() if k["exact"] and k["refused"]]
    refused_files = [n for n, k in models.items() if not k["exact"]]
    exact = sum(len(k["exact"]) for k in models.values())
    refused = sum(len(k["refused"]) for k in models.values())
    torch_exact = len(earlier.EXACT) + len(torch_files.EXACT)
    counts = (len(models), len(exact_files), len(mixed), len(refused_files), exact + refused,
              exact, torch_exact, len(keras_files.EXACT), refused)
    print(f"\n{counts[0]} files: {counts[1]} exact, {counts[2]} mixed, {counts[3]} refused; "
          f"{counts[4]} models: {counts[5]} exact ({counts[6]} torch, {counts[7]} Keras), "
          f"{counts[8]} refused; 0 wrong, 0 crashes")
    assert counts == (88, 31, 4, 53, 131, 51, 23, 28, 80)


@pytest.mark.parametrize(("args", "needles"), [
    (("torchvision_vgg.py", "--model", "vgg16"), ("line 435", "VGG16_Weights")),
    (("gan_dcgan.py", "--model", "Generator"), ("line 23", "argparse.ArgumentParser()")),
    (("kerasio_oxford_pets_unet.py",), ("line 39",)),
], ids=["torchvision", "script", "keras-io"])
def test_a_refused_real_file_is_one_error_line_from_the_cli(args: tuple[str, ...],
                                                             needles: tuple[str, ...]) -> None:
    """The refusals above, as the user sees them: one 'error:' line, exit 1, no traceback."""
    if not have(args[0]):
        pytest.skip(f"real model file {args[0]} is not here (SOURCES.md names its source)")
    cli("summary", str(FIXTURES / args[0]), *args[1:]).one_line_error(1, args[0], *needles)
