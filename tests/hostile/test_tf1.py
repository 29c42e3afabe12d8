"""Hostile TensorFlow 1 code: one clear line naming the line, in bounds of time and memory.

Each case is a small TF1 script; the oracle for the one reading that succeeds is derived by
hand in the test."""

from __future__ import annotations

from pathlib import Path

import pytest

from .harness import cli

HEAD = ("import tensorflow as tf\n"
        "X = tf.placeholder(tf.float32, [None, 784])\n")


def _code(tmp_path: Path, text: str) -> str:
    path = tmp_path / "lab.py"
    path.write_text(HEAD + text, encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(("body", "needle"), [
    # A helper that calls itself: bounded by the depth limit, named.
    ("def deep(x):\n    return deep(x)\nlogits = deep(X)\n", "nest deeper than 24 (deep)"),
    # Two calls at each level: 2^24 calls, stopped by the step budget.
    ("def fan(x, n):\n    fan(x, n)\n    return fan(x, n)\nlogits = fan(X, 0)\n",
     "steps to read"),
    # 24 nested calls of a 50-deep expression would pass Python's own stack.
    ("def f(x):\n    return " + "(" * 50 + "f(x)" + " + 1)" * 50 + "\nlogits = f(X)\n",
     "expressions and calls nest deeper than 150 levels"),
    # Sizes past what any figure may hold.
    ("W = tf.Variable(tf.zeros([10**12, 10**12]))\nlogits = tf.matmul(X, W)\n",
     "holds more than 10^15 values"),
    ("W = tf.Variable(tf.zeros([784, 10**13]))\nlogits = tf.matmul(X, W)\n",
     "from 1 to 10^12"),
    ("W = tf.Variable(tf.zeros([784, 2 ** 10 ** 10]))\nlogits = tf.matmul(X, W)\n",
     "too large"),
    ("W = tf.Variable(tf.zeros([784] * 10**9))\nlogits = tf.matmul(X, W)\n", "too long"),
    ("W = tf.Variable(tf.zeros([784, int(1e309)]))\nlogits = tf.matmul(X, W)\n",
     "int(1e309) is not a finite number"),
    ("W = tf.Variable(tf.zeros([784, int(0 * 1e309)]))\nlogits = tf.matmul(X, W)\n",
     "int(0 * 1e309)"),
    # A reshape that would need more values than there are.
    ("logits = tf.reshape(X, [-1, 10**6, 10**6, 1])\n", "needs 1,000,000,000,000"),
    # A name the code sets in a loop that never ends: the loop is not run, and named.
    ("W = tf.Variable(tf.zeros([784, 10]))\nwhile True:\n    W = W\n"
     "logits = tf.matmul(X, W)\n", "the while loop on line 4 sets W"),
    # A helper that changes a module-level name or list: what it holds is unknown after.
    ("L = X\ndef build():\n    global L\n    L = tf.nn.relu(L)\nbuild()\n"
     "W = tf.Variable(tf.zeros([784, 10]))\nlogits = tf.matmul(L, W)\n",
     "line 5: 'global L': names shared with another scope are not read yet"),
    ("outs = [X]\ndef step():\n    outs.append(tf.nn.relu(outs[-1]))\nstep()\n"
     "W = tf.Variable(tf.zeros([784, 10]))\nlogits = tf.matmul(outs[-1], W)\n",
     "line 5: outs.append(tf.nn.relu(outs[-1])) may change outs"),
    ("outs = [X]\ncur = outs\ncur.append(tf.nn.relu(X))\n"
     "W = tf.Variable(tf.zeros([784, 10]))\nlogits = tf.matmul(outs[-1], W)\n",
     "line 5: cur.append(tf.nn.relu(X)) may change cur"),  # an alias of the same list
    # Variables fetched again from their scope: shared weights are not counted twice.
    ("def fc(x):\n    with tf.variable_scope('fc', reuse=tf.AUTO_REUSE):\n"
     "        W = tf.get_variable('W', shape=[784, 784])\n        return tf.matmul(x, W)\n"
     "logits = fc(fc(X))\n", "reuse= shares the scope's variables"),
    ("tf.get_variable_scope().reuse_variables()\nW = tf.get_variable('W', [784, 10])\n"
     "logits = tf.matmul(X, W)\n", "shares the scope's variables"),
    # Code that changes TensorFlow itself refuses the whole file.
    ("tf.nn.relu = tf.nn.sigmoid\nW = tf.Variable(tf.zeros([784, 10]))\n"
     "logits = tf.nn.relu(tf.matmul(X, W))\n", "changes the library tensorflow.nn"),
    # Code after a raise never runs; a return outside a function is not Python.
    ("W = tf.Variable(tf.zeros([784, 10]))\nraise SystemExit\nlogits = tf.matmul(X, W)\n",
     "'raise SystemExit' stops the code here"),
    ("return X\n", "'return' outside a function"),
    ("def f(x):\n    raise ValueError\nlogits = f(X)\n", "'raise ValueError' stops"),
    # A filter whose shape is known only when the code runs.
    ("import numpy as np\nW = tf.Variable(np.load('w.npy'))\nlogits = tf.matmul(X, W)\n",
     "np.load('w.npy') is only known when the code runs"),
])
def test_hostile_tf1_code_is_one_line(tmp_path: Path, body: str, needle: str) -> None:
    out = cli("summary", _code(tmp_path, body))
    line = out.one_line_error(1, needle)
    assert line.startswith("error: lab.py: line "), line


def test_a_long_chain_reads_in_linear_time(tmp_path: Path) -> None:
    # 2,000 relu layers on a 784 input, then fc(10): 784·10 + 10 = 7,850 parameters.
    body = "h = X\n" + "h = tf.nn.relu(h)\n" * 2000 + \
        "W = tf.Variable(tf.zeros([784, 10]))\nb = tf.Variable(tf.zeros([10]))\n" \
        "logits = tf.matmul(h, W) + b\n"
    out = cli("summary", _code(tmp_path, body), "-f", "json")
    assert out.code == 0, out.stderr
    assert '"total_params": 7850' in out.stdout
    assert out.seconds < 30
