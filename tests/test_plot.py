"""`cnncalc plot`: overlaid runs, old and new metric keys, and corrupted metrics.jsonl files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from cnncalc.cli import app
from cnncalc.errors import CnnCalcError, DataError
from cnncalc.train import metrics

OLD = [{"epoch": 1, "train_loss": 0.9, "train_acc": 0.7, "test_loss": 0.3, "test_acc": 0.91,
        "seconds": 1.0},
       {"epoch": 2, "train_loss": 0.4, "train_acc": 0.9, "test_loss": 0.2, "test_acc": 0.95}]
NEW = [{"epoch": 1, "train_loss": 0.8, "train_acc": 0.75, "val_loss": 0.35, "val_acc": 0.9},
       {"epoch": 2, "train_loss": 0.3, "train_acc": 0.92, "val_loss": 0.25, "val_acc": 0.93},
       {"epoch": 3, "train_loss": 0.2, "train_acc": 0.95, "val_loss": 0.2, "val_acc": 0.94,
        "test_loss": 0.21, "test_acc": 0.9412}]


def run_dir(tmp_path: Path, name: str, rows: list[dict[str, object]] | bytes) -> Path:
    d = tmp_path / name
    d.mkdir()
    data = rows if isinstance(rows, bytes) else \
        "".join(json.dumps(r) + "\n" for r in rows).encode()
    (d / "metrics.jsonl").write_bytes(data)
    return d


def invoke(*args: str) -> object:
    return CliRunner().invoke(app, list(args))


def test_reader_keeps_old_and_new_keys(tmp_path: Path) -> None:
    old = metrics.read(run_dir(tmp_path, "a", OLD))
    new = metrics.read(run_dir(tmp_path, "b", NEW))
    assert old.series("test_acc") == ([1, 2], [0.91, 0.95]) and not old.notes
    assert new.series("val_loss") == ([1, 2, 3], [0.35, 0.25, 0.2])
    assert new.series("test_acc") == ([3], [0.9412])


def test_overlay_figure_has_each_runs_curves_and_test_star(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    from cnncalc.train.plotting import curves_figure

    runs = [metrics.read(run_dir(tmp_path, "a", OLD)), metrics.read(run_dir(tmp_path, "b", NEW))]
    fig = curves_figure(runs)
    loss, acc = fig.axes
    labels = {ln.get_label(): ln for ln in acc.get_lines()}
    assert set(labels) == {"a: train", "a: test (per epoch)", "a: test 95.00%",
                           "b: train", "b: val", "b: test 94.12%"}
    assert list(labels["b: val"].get_ydata()) == pytest.approx([90, 93, 94])
    assert list(labels["b: test 94.12%"].get_xdata()) == [3]  # marked at its epoch
    assert labels["a: train"].get_color() != labels["b: train"].get_color()
    assert {ln.get_label() for ln in loss.get_lines()} == \
        {"a: train", "a: test (per epoch)", "b: train", "b: val"}
    import matplotlib.pyplot as plt
    plt.close(fig)


def test_cli_overlays_runs(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    a, b = run_dir(tmp_path, "a", OLD), run_dir(tmp_path, "b", NEW)
    out = tmp_path / "both.png"
    r = invoke("plot", str(a), str(b / "metrics.jsonl"), "-o", str(out))
    assert r.exit_code == 0, r.output  # type: ignore[attr-defined]
    assert out.read_bytes()[:4] == b"\x89PNG"
    r = invoke("plot", str(a), str(b), "--terminal")
    assert "a: learning curves over 2" in r.stdout and "val_acc" in r.stdout  # type: ignore[attr-defined]
    r = invoke("plot", str(a), "-o", str(tmp_path / "x.svg"))
    assert r.exit_code == 2  # type: ignore[attr-defined]


NESTED = b"[" * 100_000 + b"]" * 100_000 + b"\n"


@pytest.mark.parametrize(("content", "words"), [
    (b"[1,2,3]\n", "not a JSON object"),
    (b"{}\n", "no usable epoch"),
    (b'{"epoch": "one", "train_loss": 1}\n', "no usable epoch"),
    (b'{"epoch": true, "train_loss": 1}\n', "no usable epoch"),
    (b'{"epoch": 1, "train_loss": "low", "test_acc": [1]}\n', "not a number"),
    (b'{"epoch": 1, "train_loss": NaN}\n', "train_loss is nan"),
    (b'{"epoch": 1, "train_acc": 7}\n', "outside 0-1"),
    (bytes(range(256)) * 4, "not a text file"),
    (NESTED, "characters long"),
    (b"[" * 5000 + b"\n", "nested too deeply"),
    (b'{"epoch": 1, "train_loss": 1' + b"0" * 5000 + b"}\n", "not JSON"),
    (b"", "no epoch"),
    (b"\n\n  \n", "no epoch"),
])
def test_corrupted_metrics_give_one_line(tmp_path: Path, content: bytes, words: str) -> None:
    run = run_dir(tmp_path, "r", content)
    r = invoke("plot", str(run), "--terminal")
    assert r.exit_code == 1, r.output  # type: ignore[attr-defined]
    err = r.stderr.strip()  # type: ignore[attr-defined]
    assert len(err.splitlines()) == 1 and words in err, err
    assert "internal error" not in err and "Traceback" not in err


def test_bad_lines_are_skipped_with_a_note(tmp_path: Path) -> None:
    rows = (json.dumps(OLD[0]) + "\n[1,2]\n{\"epoch\": 2, \"train_loss\": Infinity, "
            "\"train_acc\": 0.9}\n" + "x" * 10 + "\n").encode()
    m = metrics.read(run_dir(tmp_path, "r", rows))
    assert [e.epoch for e in m.epochs] == [1, 2]
    assert m.series("train_loss") == ([1], [0.9])
    assert m.notes == ("line 2 is not a JSON object; skipped",
                       "line 3: train_loss is inf; not drawn", "line 4 is not JSON; skipped")
    r = invoke("plot", str(tmp_path / "r"), "--terminal")
    assert r.exit_code == 0 and r.stderr.count("note:") == 3  # type: ignore[attr-defined]


def test_huge_and_odd_files_are_refused(tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    run = tmp_path / "big"
    run.mkdir()
    with open(run / "metrics.jsonl", "wb") as f:  # sparse: no disk space used
        f.truncate(metrics.MAX_BYTES + 1)
    with pytest.raises(DataError, match="too large"):
        metrics.read(run)
    with pytest.raises(DataError, match="no metrics file"):
        metrics.read(tmp_path)
    (tmp_path / "d" / "metrics.jsonl").mkdir(parents=True)
    with pytest.raises(DataError, match="not a regular file"):
        metrics.read(tmp_path / "d")
    monkeypatch.setattr(metrics, "MAX_EPOCHS", 1000)  # the rule, without 100,000 lines
    many = "".join(json.dumps({"epoch": i, "train_loss": 1.0}) + "\n"
                   for i in range(metrics.MAX_EPOCHS + 5)).encode()
    m = metrics.read(run_dir(tmp_path, "many", many))
    assert len(m.epochs) == metrics.MAX_EPOCHS and "the rest are not drawn" in m.notes[-1]


@settings(max_examples=250, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
@given(st.one_of(st.binary(max_size=300),
                 st.lists(st.dictionaries(st.sampled_from(["epoch", *metrics.KEYS, "x"]),
                                          st.one_of(st.integers(), st.floats(), st.text(),
                                                    st.none(), st.booleans(),
                                                    st.lists(st.integers()))),
                          max_size=5).map(lambda rows: "\n".join(json.dumps(r) for r in rows)
                                          .encode())))
def test_reader_fuzz(tmp_path_factory: pytest.TempPathFactory, raw: bytes) -> None:
    path = tmp_path_factory.mktemp("f") / "metrics.jsonl"
    path.write_bytes(raw)
    try:
        m = metrics.read(path)
    except CnnCalcError as e:
        assert "\n" not in str(e)
        return
    for e in m.epochs:
        for key, value in e.values.items():
            assert value == value and abs(value) != float("inf")
            assert key not in metrics.ACCURACIES or 0 <= value <= 1
    from cnncalc.train.curves import terminal_chart
    terminal_chart(m)


def test_coverage_guided_fuzzing_short_run(tmp_path: Path) -> None:
    """A CI-sized atheris run of the metrics reader; fuzz/fuzz_metrics.py does long runs."""
    pytest.importorskip("atheris")
    script = Path(__file__).resolve().parent.parent / "fuzz" / "fuzz_metrics.py"
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    proc = subprocess.run([sys.executable, str(script), "-runs=2000", "-seed=1",
                           f"-artifact_prefix={tmp_path}/"],
                          capture_output=True, text=True, timeout=300, env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Done 2000 runs" in proc.stderr
