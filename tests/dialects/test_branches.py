"""Branches in pasted PyTorch forward() code, read by cnncalc, against torch running the same
code (the test runs it; cnncalc never does).

Oracle: for every model in branch_models.py, torch builds the module from the code and runs
a batch of one. Every leaf module with weights or running statistics (conv, transposed conv,
linear, batch/group/layer norm) is recorded with its output shape, its parameters, its
running statistics and its MACs (tests/graph/reference.py counts them from the module and
the tensors it produced); cnncalc's rows with weights must be the same multiset (branches
may run in another order than the table lists them), and the totals and the output shape
must be torch's.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
import torch
from torch import nn

from cnncalc.calc.summary import Summary, summarize
from cnncalc.dialects.resolve import resolve
from cnncalc.dialects.values import CodeError
from cnncalc.errors import LayerError

from ..graph.reference import run_leaves
from .branch_models import HEAD, MODELS, _net
from .keras_branch_models import HEAD as KERAS_HEAD
from .keras_branch_models import MODELS as KERAS_MODELS

torch.set_num_threads(1)

Row = tuple[str, tuple[int, ...], int, int, int | None]


def torch_net(code: str) -> nn.Module:
    namespace: dict[str, Any] = {}
    exec(code, namespace)  # the oracle side builds the real module
    return namespace["Net"]()  # type: ignore[no-any-return]


def read(code: str, shape: str) -> Summary:
    r = resolve(code, None, shape)
    return summarize(r.nodes, r.shape, r.convention, 1, r.spec)


def check(code: str, shape: str) -> Summary:
    s = read(code, shape)
    net = torch_net(code)
    leaves, out_shape = run_leaves(net, s.input_shape, "cpu")
    theirs: list[Row] = [(leaf.kind, leaf.shape, leaf.trainable, leaf.stats, leaf.macs)
                         for leaf in leaves if leaf.trainable or leaf.stats]
    mine: list[Row] = [("conv" if r.kind == "dwconv" else r.kind, r.output_shape,
                        r.trainable_params, r.non_trainable_params,
                        r.macs if r.kind in ("conv", "dwconv", "convt", "fc") else None)
                       for r in s.leaves() if r.trainable_params or r.non_trainable_params]
    assert Counter(mine) == Counter(theirs)
    trainable = sum(p.numel() for p in net.parameters())
    stats = sum(b.numel() for n, b in net.named_buffers()
                if n.endswith(("running_mean", "running_var")))
    assert (s.trainable_params, s.non_trainable_params) == (trainable, stats)
    assert s.output_shape == out_shape
    return s


@pytest.mark.parametrize(("name", "code", "shape"), MODELS, ids=[m[0] for m in MODELS])
def test_branched_forward_matches_torch(name: str, code: str, shape: str) -> None:
    check(code, shape)


def test_there_are_twenty_five_or_more() -> None:
    assert len(MODELS) >= 25


def test_published_fire_and_inception_counts() -> None:
    """GoogLeNet's inception (3a): 163,696 weights and biases, by hand:
    192·64+64 + 192·96+96 + 96·128·9+128 + 192·16+16 + 16·32·25+32 + 192·32+32
    = 12,352 + 18,528 + 110,720 + 3,088 + 12,832 + 6,176 = 163,696; 256 channels out.
    SqueezeNet's fire2: 96·16+16 + 16·64+64 + 16·64·9+64 = 1,552 + 1,088 + 9,280 = 11,920."""
    by_name = {m[0]: m for m in MODELS}
    s = check(by_name["inception-v1"][1], "192x28x28")
    assert (s.trainable_params, s.output_shape) == (163_696, (256, 28, 28))
    s = check(by_name["fire"][1], "96x55x55")
    assert (s.trainable_params, s.output_shape) == (11_920, (128, 55, 55))


def test_joins_land_where_the_branches_start() -> None:
    """The tree a DenseNet block and an implicit inner cat read as, written in the spec."""
    by_name = {m[0]: m for m in MODELS}
    r = resolve(by_name["densenet-block-list"][1], None, "16x8x8")
    assert r.spec.count("cat[|") == 3 and "|bn" in r.spec
    r = resolve(by_name["inception-e-implicit"][1], None, "64x17x17")
    assert r.spec.startswith("cat[conv(32,1)|conv(48,1)-cat[conv(48,1x3,padding=0x1)|conv(48,3x1,")


def _code(forward: str, init: str = "") -> str:
    return _net(init or """
self.f = nn.Conv2d(3, 8, 3, padding=1)
self.g = nn.Conv2d(3, 8, 1)
self.h = nn.Conv2d(8, 8, 1)
""", forward)


# forward()'s body starts on line 13 of _code's module.
@pytest.mark.parametrize(("forward", "line", "needle"), [
    # The brief's case: f would be copied into both branches of the cat.
    ("a = self.f(x)\nc = a + self.g(x)\nd = torch.cat([a, c], 1)\nreturn d", 15,
     "cnncalc reads branches that nest; a is used in two of them"),
    # a and h(a) are not neighbours in the cat, so they cannot be joined first.
    ("a = self.f(x)\nb = self.h(a)\nreturn torch.cat([a, self.g(x), b], 1)", 15,
     "a is used in two of them"),
    ("a = self.f(x)\nc = a + self.g(x)\nreturn a", 14,
     "c is computed in forward() but never reaches its output"),
    ("y = self.f(x)\nreturn torch.cat([y, self.g(x)], 2)", 14, "concatenates on dim 2"),
    ("y = self.f(x)\nreturn torch.cat([y, self.g(x)])", 14, "concatenates on dim 0"),
    ("y = self.f(x)\nreturn torch.cat([y, self.g(x)], -1)", 14, "concatenates on dim -1"),
    ("y = self.h(self.f(x)) + self.g(x)\nreturn y.view(y.size(0), y.size(1), -1)", 14,
     "y.size(1) is a size cnncalc does not know"),
    ("y = self.h(self.f(x)) + self.g(x)\nreturn F.interpolate(y, size=(16, 16))", 14,
     "F.interpolate(size=...)"),
    ("y = self.h(self.f(x)) + self.g(x)\nreturn F.layer_norm(y, (8, 8, 8), self.w)", 14,
     "self.w is not known without running the code"),
    ("y = self.h(self.f(x)) + self.g(x)\nreturn y.permute(2, 0, 1)", 14,
     "does not keep the batch first"),
    ("y = self.h(self.f(x)) + self.g(x)\nreturn torch.cat([y, y], 1)", 14,
     "joins a tensor with itself only"),
    ("y = self.h(self.f(x))\nys = [y, self.g(x)]\nreturn ys", 15,
     "ys is a list of tensors, not a tensor"),
])
def test_branches_that_cannot_be_read_are_refused(forward: str, line: int,
                                                  needle: str) -> None:
    code = _code(forward)
    with pytest.raises(CodeError) as info:
        read(code, "3x8x8")
    assert info.value.line == line
    assert needle in info.value.message
    assert "\n" not in info.value.message


@pytest.mark.parametrize("forward", [
    "return torch.cat([self.h(self.f(x)), self.h(self.g(x))], 1)",
    "y = self.h(self.f(x))\nreturn y + self.h(self.g(x))"])
def test_weight_sharing_is_never_counted_twice(forward: str) -> None:
    """A conv applied in two branches: torch counts its weights once, and so does cnncalc;
    its second row shares the first one's weights."""
    code = _code(forward)
    s = read(code, "3x8x8")
    net = torch_net(code)
    assert s.total_params == sum(p.numel() for p in net.parameters())
    with torch.no_grad():
        assert s.output_shape == tuple(net.eval()(torch.zeros(1, 3, 8, 8)).shape[1:])
    assert [r.module for r in s.leaves() if r.shares] == ["h"]


def test_mismatched_maps_fail_in_cnncalc_as_in_torch() -> None:
    code = _code("return torch.cat([self.f(x), F.max_pool2d(self.g(x), 2)], 1)",
                 "self.f = nn.Conv2d(3, 8, 3, padding=1)\nself.g = nn.Conv2d(3, 8, 1)")
    with pytest.raises(RuntimeError):
        torch_net(code)(torch.zeros(1, 3, 8, 8))
    with pytest.raises(LayerError) as info:
        read(code, "3x8x8")
    assert "8x8x8" in info.value.message and "8x4x4" in info.value.message


def test_cli_names_the_shared_tensor_in_one_line(tmp_path: Any) -> None:
    from typer.testing import CliRunner

    from cnncalc.cli import app

    path = tmp_path / "net.py"
    path.write_text(_code("a = self.f(x)\nc = a + self.g(x)\nreturn torch.cat([a, c], 1)"))
    result = CliRunner().invoke(app, ["summary", str(path), "--input", "3x8x8"])
    assert result.exit_code == 1
    assert result.output.startswith("error: net.py: line 15: cnncalc reads branches that "
                                    "nest; a is used in two of them")
    assert "Traceback" not in result.output


def test_head_is_the_models_prelude() -> None:
    assert all(code.startswith(HEAD) for _, code, _ in MODELS)


# --- Keras functional ------------------------------------------------------------------


def _chw(keras_shape: tuple[int, ...]) -> tuple[int, ...]:
    return (keras_shape[2], keras_shape[0], keras_shape[1]) if len(keras_shape) == 3 \
        else keras_shape


@pytest.mark.parametrize(("name", "code", "params", "shape"), KERAS_MODELS,
                         ids=[m[0] for m in KERAS_MODELS])
def test_keras_branches_match_hand_derived_counts(name: str, code: str, params: int,
                                                  shape: tuple[int, ...]) -> None:
    r = resolve(code, None, None)
    s = summarize(r.nodes, r.shape, r.convention, 1, r.spec)
    assert s.trainable_params == params
    assert s.output_shape == _chw(shape)


@pytest.mark.parametrize(("body", "line", "needle"), [
    ("b = layers.Conv2D(4, 1)(x)\ny = layers.subtract([x, b])", 6,
     "subtract of tensors is not a join the calculator has"),
    ("b = layers.Conv2D(4, 1)(x)\ny = layers.Minimum()([x, b])", 6,
     "Minimum of tensors is not a join"),
    ("b = layers.Conv2D(4, 1)(x)\ny = layers.Concatenate(axis=1)([x, b])", 6,
     "Concatenate(axis=1): cnncalc joins on the channels, axis=-1"),
    ("b = layers.Conv2D(4, 1)(x)\ny = layers.concatenate([x, b], axis=2)", 6,
     "concatenate(axis=2)"),
    # a model of several inputs lists them all (tests/dialects/test_multi_input.py)
    ("z = keras.Input(shape=(8, 8, 4))\ny = layers.concatenate([x, z])", 7,
     "the outputs use the input made on line 5, which is not among the model's inputs"),
    ("a = layers.Conv2D(4, 1)(x)\nc = a + layers.Conv2D(4, 1)(x)\n"
     "y = layers.concatenate([a, c])", 7, "a is used in two of them"),
])
def test_keras_joins_that_cannot_be_read_are_refused(body: str, line: int,
                                                     needle: str) -> None:
    code = KERAS_HEAD + "x = keras.Input(shape=(8, 8, 4))\n" + body + \
        "\nmodel = keras.Model(x, y)\n"
    with pytest.raises(CodeError) as info:
        resolve(code, None, None)
    assert info.value.line == line
    assert needle in info.value.message
