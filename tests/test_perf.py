"""Cost that grows with the spec: linear everywhere (counted, not timed), solve's search bound."""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Callable
from types import FrameType
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from cnncalc.calc import solve, summarize_spec
from cnncalc.calc.explain import explain
from cnncalc.calc.solve import _AxisWalker, search_inputs, stride_for
from cnncalc.cli import app
from cnncalc.errors import LayerError
from cnncalc.render.records import COMPACT_ABOVE, to_csv, to_json, to_markdown
from cnncalc.spec import Layer, Node, Repeat, Residual, parse
from tests.strategies import spatial


def lines_run(fn: Callable[[], Any]) -> int:
    """Python lines executed by fn(): a machine-independent measure of its work."""
    count = 0

    def local(frame: FrameType, event: str, arg: Any) -> Any:
        nonlocal count
        if event == "line":
            count += 1
        return local

    def global_(frame: FrameType, event: str, arg: Any) -> Any:
        return local

    sys.settrace(global_)
    try:
        fn()
    finally:
        sys.settrace(None)
    return count


def flat(n: int) -> str:
    return "-".join(["conv(4,3,padding=1)", "relu"] * (n // 2))


def nested(n: int) -> str:
    return f"[[conv(4,3,padding=1)-relu]*{n // 20}]*10"


def test_every_step_is_linear_in_the_layers() -> None:
    """A quadratic step costs 16x the lines at 4x the layers; a linear one about 4x."""
    from rich.console import Console

    from cnncalc.render.table import summary_table

    def table(s: Any) -> None:
        Console(width=120, file=io.StringIO()).print(summary_table(s))

    steps: dict[str, Callable[[Any], object]] = {
        "explain": explain, "json": to_json, "csv": to_csv, "markdown": to_markdown,
        "table": table}
    for make in (flat, nested):
        small, large = (summarize_spec(make(n), (4, 8, 8)) for n in (400, 1600))
        for name, step in steps.items():
            a = lines_run(lambda s=small, f=step: f(s))  # type: ignore[misc]
            b = lines_run(lambda s=large, f=step: f(s))  # type: ignore[misc]
            assert b < 6 * a, (make.__name__, name, a, b)
        a = lines_run(lambda m=make: summarize_spec(m(400), (4, 8, 8)))  # type: ignore[misc]
        b = lines_run(lambda m=make: summarize_spec(m(1600), (4, 8, 8)))  # type: ignore[misc]
        assert b < 6 * a, (make.__name__, "summarize", a, b)


def test_solve_work_is_linear_and_repeats_cost_one_step() -> None:
    a = _AxisWalker(0)
    a.walk(parse(flat(1000)), 28)
    b = _AxisWalker(0)
    b.walk(parse(flat(4000)), 28)
    assert b.work < 6 * a.work
    # A repeat whose body keeps the size stops after one repetition, whatever N is.
    for times in (10, 100_000):
        w = _AxisWalker(0)
        assert w.walk(parse(f"[conv(8,3,padding=1)]*{times}"), 28) == (28, True)
        assert w.work < 10


def test_solve_long_repeat_answers_whole() -> None:
    found = search_inputs("[conv(8,3,padding=1)]*20000", (28, 28))
    assert not found.narrowed and found.searched == 512
    assert [h.size for h in found.heights] == [28]


class CannotFollow(Exception):
    pass


def plain_walk(nodes: tuple[Node, ...], n: int) -> tuple[int, bool] | None:
    """The search's rule written out naively, every repetition walked: the oracle."""
    from cnncalc.ops import window

    exact = True
    for node in nodes:
        if isinstance(node, Repeat):
            for _ in range(node.times):
                r = plain_walk(node.body, n)
                if r is None:
                    return None
                n, exact = r[0], exact and r[1]
            continue
        if isinstance(node, Residual):
            r = plain_walk(node.body, n)
            if r is None or (r[0] != n and stride_for(n, r[0]) is None):
                return None
            n, exact = r[0], exact and r[1]
            continue
        assert isinstance(node, Layer)
        a = node.args
        if node.kind in ("flatten", "fc"):
            break
        if node.kind in ("gap", "gmp"):
            n = window.pair(a["output_size"])[0]
            continue
        if node.kind == "zeropad":
            n += int(str(a["top"])) + int(str(a["bottom"]))
            if n < 1:
                return None
            continue
        if node.kind not in ("conv", "convt", "maxpool", "avgpool"):
            continue
        k, s = window.pair(a["kernel_size"])[0], window.pair(a["stride"])[0]
        ke = window.pair(a.get("dilation", 1))[0] * (k - 1) + 1
        pad = a["padding"]
        if pad == "same":
            if node.kind != "conv" or s != 1:
                raise CannotFollow  # no size rule: solve must say so, not answer "none"
            continue
        p = 0 if pad == "valid" else window.pair(pad)[0]
        if node.kind == "convt":
            n = (n - 1) * s - 2 * p + ke + window.pair(a["output_padding"])[0]
            if n < 1:
                return None
            continue
        try:
            ax = window.axis_floor(n, ke, s, p, p, bool(a.get("ceil_mode", False)))
        except window.Refusal:
            return None
        n, exact = ax.out, exact and ax.dropped == 0 and ax.gaps == 0 and not ax.partial
    return n, exact


block = st.builds(lambda body, times, res: (f"res[{'-'.join(body)}]" if res else
                                            f"[{'-'.join(body)}]*{times}"),
                  st.lists(spatial, min_size=1, max_size=3), st.integers(1, 40), st.booleans())
walk_specs = st.lists(st.one_of(spatial, block, block.map(lambda b: f"[{b}-relu]*7")),
                      min_size=1, max_size=5).map("-".join)


@settings(max_examples=150, deadline=None)
@given(walk_specs, st.integers(1, 64))
def test_memoised_walk_matches_the_plain_walk(spec: str, n: int) -> None:
    from cnncalc.calc.solve import _CannotFollow

    nodes = parse(spec)
    walker = _AxisWalker(0)
    for size in (n, n + 1):  # the second reuses memo entries
        try:
            expected = plain_walk(nodes, size)
        except CannotFollow:
            with pytest.raises(_CannotFollow):
                walker.walk(nodes, size)
            continue
        assert walker.walk(nodes, size) == expected


def test_walk_agrees_with_the_calculator() -> None:
    spec = "[conv(4,3,stride=2,padding=1)-relu]*3-res[conv(4,3,padding=1)-bn]-maxpool(2,ceil=true)"
    for n in range(1, 80):
        r = _AxisWalker(0).walk(parse(spec), n)
        try:
            out = summarize_spec(spec, (1, n, n)).output_shape[1]
        except LayerError:
            assert r is None
            continue
        assert r is not None and r[0] == out


def test_search_stops_at_its_limit_and_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    spec = flat(2000)
    found = search_inputs(spec, (28, 28), hi=512, limit=50_000)
    assert found.narrowed and 1 <= found.searched < 512
    assert [h.size for h in found.heights] == ([28] if found.searched >= 28 else [])
    runner = CliRunner()
    monkeypatch.setattr(solve, "WORK_LIMIT", 20_000)
    long_spec = "[conv(8,1,padding=1)]*1000"  # sizes grow without a cycle: no shortcut
    r = runner.invoke(app, ["solve", long_spec, "-o", "2001x2001", "-f", "json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert 1 <= data["searched_up_to"] < 512 and data["heights"] == [1]
    r = runner.invoke(app, ["solve", long_spec, "-o", "2001x2001"])
    assert r.exit_code == 0 and "searched input sizes 1 to " in r.stdout
    r = runner.invoke(app, ["solve", "conv(8,3)", "-o", "1x1", "-f", "json"])
    assert "searched_up_to" not in r.stdout  # a whole search reads as before


def test_max_input_has_a_cap() -> None:
    r = CliRunner().invoke(app, ["solve", "conv(8,3)", "-o", "1x1", "--max-input", "100001"])
    assert r.exit_code == 2 and "--max-input 100,001 is too large" in r.stderr
    r = CliRunner().invoke(app, ["solve", "relu", "-o", "5x5", "--max-input", "100000"])
    assert r.exit_code == 0 and "H and W: 5" in r.stdout


def test_compact_json_counts_nested_rows() -> None:
    # One top-level block holding 2·(COMPACT_ABOVE) layers: compact, like a flat spec.
    big = summarize_spec(f"[conv(4,3,padding=1)-relu]*{COMPACT_ABOVE}", (4, 8, 8))
    assert len(big.layers) == 1 and "\n" not in to_json(big)
    small = summarize_spec("[conv(4,3,padding=1)-relu]*10", (4, 8, 8))
    text = to_json(small)
    assert text.startswith('{\n  "spec"') and json.loads(text)["layers"][0]["type"] == "repeat"
