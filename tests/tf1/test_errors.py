"""TF1 code that cannot be right, or cannot be read: one line, naming the line and both
numbers. Each case changes one line of the notes' flat lab (labs/flat.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from cnncalc.calc.summary import summarize
from cnncalc.cli import app
from cnncalc.dialects import tf1
from cnncalc.dialects.resolve import resolve
from cnncalc.dialects.values import CodeError

LAB = (Path(__file__).parent / "labs" / "flat.py").read_text(encoding="utf-8")


def _line(code: str, needle: str) -> int:
    return next(i for i, line in enumerate(code.splitlines(), 1) if needle in line)


def _error(code: str, tmp_path: Path, *args: str) -> str:
    path = tmp_path / "lab.py"
    path.write_text(code, encoding="utf-8")
    out = CliRunner().invoke(app, ["summary", str(path), *args])
    lines = [x for x in out.output.splitlines() if x.strip()]
    assert out.exit_code == 1, out.output
    assert lines[-1].startswith("error: lab.py: line "), out.output
    assert "Traceback" not in out.output and "internal error" not in out.output
    return lines[-1]


def _changed(old: str, new: str) -> str:
    assert LAB.count(old) == 1, old
    return LAB.replace(old, new)


def test_filter_made_for_other_channels(tmp_path: Path) -> None:
    # L1 has 32 channels (W1 makes 32); a W2 made for 16 cannot convolve it.
    code = _changed("[3, 3, 32, 64]", "[3, 3, 16, 64]")
    line = _error(code, tmp_path)
    n = _line(code, "L2 = tf.nn.conv2d")
    assert line.startswith(f"error: lab.py: line {n}: ")
    assert "W2 [3, 3, 16, 64] is made for 16 input channels, but its input has 32 " \
        "(14x14x32)" in line


def test_matmul_inner_size_mismatch(tmp_path: Path) -> None:
    # L3_flat has 4·4·128 = 2048 features; W4 made for 7·7·64 = 3136 inputs.
    code = _changed("shape=[128 * 4 * 4, 625]", "shape=[7 * 7 * 64, 625]")
    line = _error(code, tmp_path)
    assert line.startswith(f"error: lab.py: line {_line(code, 'L4 = tf.nn.relu')}: ")
    assert "W4 [3136, 625] is made for 3136 inputs, but its input has 2048" in line


def test_reshape_to_the_wrong_size(tmp_path: Path) -> None:
    # The 4x4x128 map holds 2048 values; the note's earlier net flattened 7·7·64 = 3136.
    code = _changed("tf.reshape(L3, [-1, 128 * 4 * 4])", "tf.reshape(L3, [-1, 7 * 7 * 64])")
    line = _error(code, tmp_path)
    assert line.startswith(f"error: lab.py: line {_line(code, 'L3_flat = ')}: ")
    assert "needs 3,136 values per example, but its input holds 2,048 (4x4x128)" in line


def test_input_reshape_to_the_wrong_size(tmp_path: Path) -> None:
    code = _changed("tf.reshape(X, [-1, 28, 28, 1])", "tf.reshape(X, [-1, 28, 28, 3])")
    line = _error(code, tmp_path)
    assert "the placeholder X holds 784 values per example, but [-1, 28, 28, 3] needs " \
        "2,352" in line


def test_unknown_tf_call_names_its_line(tmp_path: Path) -> None:
    code = _changed("L1 = tf.nn.relu(L1)", "L1 = tf.image.resize_images(L1, [28, 28])")
    line = _error(code, tmp_path)
    assert line.startswith(f"error: lab.py: line {_line(code, 'resize_images')}: "
                           "tf.image.resize_images(...) is not a TensorFlow call cnncalc reads")


def test_misspelt_tf_call_gets_did_you_mean(tmp_path: Path) -> None:
    code = _changed("L2 = tf.nn.relu(L2)", "L2 = tf.nn.rleu(L2)")
    assert "did you mean tf.nn.relu?" in _error(code, tmp_path)


def test_misspelt_name_gets_did_you_mean(tmp_path: Path) -> None:
    code = _changed("L4 = tf.nn.relu(tf.matmul(L3_flat, W4) + b4)",
                    "L4 = tf.nn.relu(tf.matmul(L3_flt, W4) + b4)")
    line = _error(code, tmp_path)
    assert "L3_flt is not defined; did you mean 'L3_flat'?" in line


def test_bias_of_the_wrong_length(tmp_path: Path) -> None:
    code = _changed("b5 = tf.Variable(tf.random_normal([10]))",
                    "b5 = tf.Variable(tf.random_normal([625]))")
    line = _error(code, tmp_path)
    assert "the bias b5 is [625], but the layer it is added to has 10 outputs" in line


def test_a_layer_built_in_a_loop_is_refused(tmp_path: Path) -> None:
    code = _changed("L2 = tf.nn.relu(L2)\n", "for _ in range(2):\n    L2 = tf.nn.relu(L2)\n")
    line = _error(code, tmp_path)
    assert f"line {_line(code, 'for _ in range(2)')}: the for loop" in line
    assert "loops are not read yet" in line


def test_shared_weights_are_refused(tmp_path: Path) -> None:
    code = _changed("W5 = tf.get_variable(\"W5\", shape=[625, 10],",
                    "W6 = tf.get_variable(\"W6\", shape=[625, 625])\n"
                    "L4 = tf.matmul(L4, W6)\nL4 = tf.matmul(L4, W6)\n"
                    "W5 = tf.get_variable(\"W5\", shape=[625, 10],")
    assert "the variable W6 is used again" in _error(code, tmp_path)


def test_model_names_what_it_has(tmp_path: Path) -> None:
    path = tmp_path / "lab.py"
    path.write_text(LAB, encoding="utf-8")
    out = CliRunner().invoke(app, ["summary", str(path), "--model", "L9"])
    assert out.exit_code == 1
    assert "no model or tensor named 'L9' in the code; it has module, " in out.output


def test_a_keras_model_with_a_compat_v1_line_is_still_keras() -> None:
    code = ("import tensorflow as tf\ntf.compat.v1.disable_eager_execution()\n"
            "model = tf.keras.Sequential([tf.keras.Input(shape=(28, 28, 1)),\n"
            "    tf.keras.layers.Flatten(), tf.keras.layers.Dense(10)])\n")
    r = resolve(code, None, None)
    assert summarize(r.nodes, r.shape, r.convention).total_params == 7850  # 784·10 + 10


@pytest.mark.parametrize("spelling", ["import tensorflow.compat.v1 as tf",
                                      "import tensorflow as tf0\ntf = tf0.compat.v1"])
def test_compat_v1_spellings(spelling: str) -> None:
    code = LAB.replace("import tensorflow as tf", spelling, 1)
    r = resolve(code, None, None)
    assert summarize(r.nodes, r.shape, r.convention).total_params == 1_379_333


def test_pytorch_code_with_an_old_variable_call_is_left_to_the_pytorch_reader() -> None:
    code = ("import torch\nimport torch.nn as nn\nfrom torch.autograd import Variable\n"
            "x = Variable(torch.randn(1, 784))\n"
            "model = nn.Sequential(nn.Linear(784, 10))\n")
    assert tf1.is_tf1(code)  # the text looks like it could be
    assert tf1.read_model(code) is None  # but it builds no TensorFlow graph


def test_lrn_is_read_with_pytorchs_alpha() -> None:
    # TensorFlow's cifar10 example: tf.nn.lrn(x, 4, bias=1.0, alpha=0.001 / 9.0, beta=0.75)
    # normalises over 2·4 + 1 = 9 channels; PyTorch's alpha is divided by the size, so the
    # same function is lrn(size=9, alpha=0.001·9/9 = 0.001, beta=0.75, k=1). No parameters.
    code = _changed("L1 = tf.nn.relu(L1)", "L1 = tf.nn.lrn(tf.nn.relu(L1), 4, bias=1.0, "
                    "alpha=0.001 / 9.0, beta=0.75)")
    r = resolve(code, None, None)
    s = summarize(r.nodes, r.shape, r.convention)
    assert s.layers[2].spec == "lrn(size=9,alpha=0.001)"  # beta 0.75 and k 1: the defaults
    assert s.total_params == 1_379_333


def test_deep_nesting_in_process_is_an_error_not_a_crash() -> None:
    code = ("import tensorflow as tf\nX = tf.placeholder(tf.float32, [None, 784])\n"
            "def f(x):\n    return " + "(" * 55 + "f(x)" + " + 1)" * 55 + "\nlogits = f(X)\n")
    with pytest.raises(CodeError, match="nest"):
        resolve(code, None, None)
