"""The Python API: summary/explain/solve, Summary's representations, errors, typing, lightness."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import cnncalc
from cnncalc import LayerError, SpecSyntaxError, UsageError

REPO = Path(__file__).resolve().parent.parent
SPEC = "conv(32,3,padding=1)-relu-maxpool(2)-conv(64,3,padding=1)-relu-maxpool(2)-flatten-fc(10)"


def test_summary_and_its_forms() -> None:
    s = cnncalc.summary(SPEC, input_size=(1, 28, 28))
    # 1·9·32 + 32 = 320; 32·9·64 + 64 = 18,496; 3136·10 + 10 = 31,370
    assert s.total_params == 320 + 18_496 + 31_370 == 50_186
    assert repr(s) == "Summary(8 layers, input 1x28x28, output 10, 50,186 params, 3.87M MACs)"
    assert cnncalc.summary(SPEC, input_size="1x28x28") == s
    assert cnncalc.summary(SPEC) == s  # 1x28x28 is the default
    first = s.layers[0]
    assert (first.type, first.output_shape, first.params) == ("conv", (32, 28, 28), 320)
    assert first.receptive_field == {"size": "3", "jump": "1", "start": "0"}
    assert s.to_dict() == json.loads(s.to_json())
    assert s.to_dict()["layers"][0] == first.to_dict()
    assert s.to_csv().splitlines()[1].startswith('1,0,conv,"conv(32,3,padding=1)",1x28x28')
    assert s.to_markdown().startswith("| # | layer |")
    html = s._repr_html_()
    assert html.count("<tr") == 8 + 1 + 7 and "50,186" in html and "<script" not in html


def test_batch_scales_macs_in_records_not_attributes() -> None:
    s = cnncalc.summary(SPEC, batch=4)
    assert s.to_dict()["total_macs"] == 4 * s.total_macs
    assert "batch 4" in repr(s)


def test_preset_name_and_its_input() -> None:
    s = cnncalc.summary("resnet18")
    assert s.input_shape == (3, 224, 224) and s.trainable_params == 11_689_512  # torchvision
    assert cnncalc.summary("lenet5", input_size=(1, 32, 32)).output_shape == (10,)


def test_rich_rendering_fits_the_console() -> None:
    import io

    from rich.console import Console

    buf = io.StringIO()
    Console(file=buf, width=70).print(cnncalc.summary(SPEC))
    assert max(len(line) for line in buf.getvalue().splitlines()) <= 70
    assert "31,370" in buf.getvalue()


def test_errors_are_the_package_exceptions() -> None:
    with pytest.raises(LayerError) as info:
        cnncalc.summary("conv(8,3)-maxpool(2)-conv(8,9)", input_size=(1, 12, 12))
    assert info.value.layer == "3"
    assert [r.spec for r in info.value.partial.layers] == ["conv(8,3)", "maxpool(2)"]
    with pytest.raises(SpecSyntaxError):
        cnncalc.summary("conv(8,3")
    for bad in ("1x28xx", (1, 0, 28), (1.0, 28, 28), [True, 2]):
        with pytest.raises(UsageError):
            cnncalc.summary(SPEC, input_size=bad)  # type: ignore[arg-type]
    with pytest.raises(UsageError):
        cnncalc.summary(42)  # type: ignore[arg-type]
    with pytest.raises(UsageError):
        cnncalc.summary(SPEC, batch=0)


def test_explain_and_solve() -> None:
    e = cnncalc.explain("conv(8,3,stride=2)", input_size=(1, 28, 28))
    assert repr(e).startswith("Explanation(1 layers of Summary(")
    assert "⌊(28 - 3)/2⌋ + 1 = 13" in e.to_markdown()
    assert e.to_dict()[0]["output_shape"] == "8x13x13"
    found = cnncalc.solve(input=28, output=14, kernel=3)
    assert isinstance(found, cnncalc.LayerSolutions) and len(found) > 0
    # (28 + 2·1 - 3)//2 + 1 = 14: stride 2, padding 1 is among the answers
    assert any((r["stride"], r["padding"]) == (2, 1) for r in found.rows())
    sizes = cnncalc.solve("conv(8,3)-maxpool(2)", output="7x7")
    assert isinstance(sizes, cnncalc.InputSolutions)
    # (n - 2)//2 = 7 for n = 16, 17
    assert sizes.sizes("h") == [16, 17] and "16–17" in repr(sizes)


def test_import_is_light_and_summary_never_imports_torch() -> None:
    code = ("import sys, cnncalc; assert 'rich' not in sys.modules, 'rich'; "
            "s = cnncalc.summary('resnet18'); repr(s); s._repr_html_(); "
            "print(sorted(m for m in ('torch', 'numpy', 'typer.rich_utils') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=REPO)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_public_names() -> None:
    for name in cnncalc.__all__:
        assert getattr(cnncalc, name) is not None
    assert (REPO / "cnncalc" / "py.typed").exists()


def test_mypy_strict_on_a_user_script(tmp_path: Path) -> None:
    pytest.importorskip("mypy")
    script = tmp_path / "user.py"
    script.write_text(textwrap.dedent("""
        import cnncalc
        from cnncalc import LayerError, Summary

        def params(spec: str) -> int:
            s: Summary = cnncalc.summary(spec, input_size=(1, 28, 28), convention="pytorch")
            return s.total_params + s.layers[0].params

        try:
            text: str = cnncalc.summary("conv(8,3)", input_size="1x8x8", batch=2).to_json()
        except LayerError as e:
            print(e.layer, e.partial)
        found = cnncalc.solve(input=28, output=14)
        steps = cnncalc.explain("conv(8,3)").to_markdown()
        print(params("conv(8,3)"), text, found, steps, cnncalc.__version__)
    """))
    # torch is skipped (its types become Any): checking it would take most of a minute, and
    # the script's own types come from cnncalc.
    (tmp_path / "mypy.ini").write_text("[mypy]\nstrict = True\nfollow_imports = silent\n"
                                       "[mypy-torch.*]\nfollow_imports = skip\n")
    result = subprocess.run([sys.executable, "-m", "mypy", "--no-incremental", str(script)],
                            capture_output=True,
                            text=True, cwd=tmp_path,
                            # an editable install hides the package from mypy; a wheel does not
                            env={**os.environ, "MYPYPATH": str(REPO)})
    assert result.returncode == 0, result.stdout + result.stderr
