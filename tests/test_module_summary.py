"""Summaries of torch modules: parity with torchinfo figure by figure, measured leaves, errors."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

import cnncalc  # noqa: E402
from cnncalc.calc import summarize_spec  # noqa: E402
from cnncalc.errors import LayerError, UsageError  # noqa: E402
from cnncalc.ops.shape import parse_shape  # noqa: E402
from cnncalc.presets import get  # noqa: E402
from cnncalc.train.model import build  # noqa: E402

# The PyTorch-examples MNIST net and LeNet-5 stand in for the examples nets.
PARITY = ["resnet18", "resnet34", "vgg16", "pytorch-mnist", "lenet5"]


def _meta_model(name: str) -> tuple[nn.Module, tuple[int, ...]]:
    p = get(name)
    s = summarize_spec(p.spec, parse_shape(p.input))
    with torch.device("meta"):  # no weights allocated: VGG-16 alone is 550 MB
        model = build(s)
    return model, (1, *s.input_shape)


@pytest.mark.parametrize("name", PARITY)
def test_parity_with_torchinfo(name: str) -> None:
    torchinfo = pytest.importorskip("torchinfo")
    model, size = _meta_model(name)
    theirs = torchinfo.summary(model, input_size=size, device="meta", verbose=0)
    ours = cnncalc.summary(model, input_size=size)
    leaves = [x for x in theirs.summary_list if x.is_leaf_layer]
    rows = ours.leaves()
    assert len(rows) == len(leaves)
    for row, leaf in zip(rows, leaves):
        assert [1, *row.output_shape] == list(leaf.output_size), row.spec
        assert row.trainable_params == leaf.trainable_params, row.spec
        # torchinfo's Mult-Adds: a conv's parameters (bias included) times the output's H·W,
        # any other layer's parameters once.
        spatial = row.output_shape[1] * row.output_shape[2] if row.kind == "conv" else 1
        assert row.trainable_params * spatial == leaf.macs, row.spec
    assert ours.trainable_params == theirs.trainable_params
    total = sum(r.trainable_params * (r.output_shape[1] * r.output_shape[2]
                                      if r.kind == "conv" else 1) for r in rows)
    assert total == theirs.total_mult_adds


class ExamplesNet(nn.Module):
    """The net of PyTorch's examples/mnist/main.py, written the way that file writes it:
    activations and pooling are functional calls, so they are not rows (nor in torchinfo)."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, 1)
        self.conv2 = nn.Conv2d(32, 64, 3, 1)
        self.dropout1 = nn.Dropout(0.25)
        self.dropout2 = nn.Dropout(0.5)
        self.fc1 = nn.Linear(9216, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = torch.relu(self.conv1(x))
        x = torch.nn.functional.max_pool2d(torch.relu(self.conv2(x)), 2)
        x = torch.flatten(self.dropout1(x), 1)
        x = self.dropout2(torch.relu(self.fc1(x)))
        return torch.log_softmax(self.fc2(x), dim=1)


def test_examples_net_parity_with_torchinfo() -> None:
    torchinfo = pytest.importorskip("torchinfo")
    with torch.device("meta"):
        model = ExamplesNet()
    theirs = torchinfo.summary(model, input_size=(1, 1, 28, 28), device="meta", verbose=0)
    ours = cnncalc.summary(model, input_size=(1, 1, 28, 28))
    leaves = [x for x in theirs.summary_list if x.is_leaf_layer]
    assert [[1, *r.output_shape] for r in ours.layers] == [x.output_size for x in leaves]
    assert [r.trainable_params for r in ours.layers] == [x.trainable_params for x in leaves]
    # 1,199,882 trainable parameters, as the examples' net is published
    assert ours.trainable_params == theirs.trainable_params == 1_199_882
    assert not any(r.measured for r in ours.layers)


@pytest.mark.parametrize("name", ["resnet18", "pytorch-mnist"])
def test_module_matches_the_calculator(name: str) -> None:
    """The same network as a spec and as a module: every derived figure agrees."""
    p = get(name)
    spec = summarize_spec(p.spec, parse_shape(p.input))
    model, size = _meta_model(name)
    ours = cnncalc.summary(model, input_size=size)
    derived = [r for r in ours.leaves() if not r.measured]
    expected = [r for r in spec.leaves()]
    assert [(r.output_shape, r.params, r.macs) for r in derived] == \
        [(r.output_shape, r.params, r.macs) for r in expected]
    assert ours.total_macs == spec.total_macs
    assert all(r.kind == "Identity" for r in ours.leaves() if r.measured)


def test_chain_receptive_field_and_formulas() -> None:
    # conv3 → maxpool2 → conv3: r = 3, then 3 + 1·1 = 4, then 4 + 2·2 = 8; jump 1, 2, 2.
    model = nn.Sequential(nn.Conv2d(1, 4, 3), nn.MaxPool2d(2), nn.Conv2d(4, 8, 3))
    s = cnncalc.summary(model, input_size=(2, 1, 16, 16))
    assert [r.rf.describe()[:2] for r in s.layers] == [("3", "1"), ("4", "2"), ("8", "2")]
    assert s.layers[0].formula == "(16 - 3)/1 + 1 = 14"
    assert s.batch == 2 and s.output_shape == (8, 5, 5)
    # MACs per sample: 4·14·14·9 + 8·5·5·4·9 = 7,056 + 7,200
    assert s.total_macs == 7_056 + 7_200
    assert s.to_dict()["total_macs"] == 2 * (7_056 + 7_200)


class Scale(nn.Module):
    def __init__(self, c: int) -> None:
        super().__init__()
        self.gamma = nn.Parameter(torch.ones(c, 1, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.gamma


class Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.scale = Scale(8)
        self.head = nn.Linear(8, 10)
        self.unused = nn.Linear(2, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.scale(self.conv(x))
        return self.head(torch.flatten(x.mean((2, 3)), 1))


def test_unknown_leaves_are_measured_and_marked() -> None:
    model = Net()
    before = model.conv.weight.detach().clone()
    s = cnncalc.summary(model, input_size=(1, 3, 8, 8))
    scale = s.layers[1]
    assert scale.measured and scale.formula == "measured" and scale.params == 8
    assert scale.notes and "measured" in scale.notes[0]
    assert scale.rf.describe() == ("?", "?", "?")  # a tensor from outside a module: no RF
    assert not s.layers[0].measured and s.layers[0].formula
    # 3·9·8 + 8, 8, 8·10 + 10, and 2·2 + 2 never used: 224 + 8 + 90 + 6
    assert s.total_params == sum(p.numel() for p in model.parameters()) == 328
    assert s.layers[-1].kind == "unused" and "unused" in s.layers[-1].spec
    assert s.to_dict()["layers"][1]["measured"] is True
    # The module itself is untouched: same device, same weights.
    assert model.conv.weight.device.type == "cpu"
    assert torch.equal(model.conv.weight, before)


def test_wrong_input_names_the_layer_and_keeps_the_partial_summary() -> None:
    model = nn.Sequential(nn.Conv2d(1, 4, 3), nn.Flatten(), nn.Linear(100, 10))
    with pytest.raises(LayerError) as info:
        cnncalc.summary(model, input_size=(1, 1, 28, 28))
    err = info.value
    assert str(err).startswith("layer 3 (2: Linear) failed on input 1x1x28x28: RuntimeError")
    assert "\n" not in str(err)
    assert err.layer == "3" and [r.kind for r in err.partial.layers] == ["conv", "flatten"]


def test_input_size_without_the_batch_is_refused() -> None:
    model = nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU())
    with pytest.raises(UsageError, match="without a batch"):
        cnncalc.summary(model, input_size=(3, 32, 32))


@pytest.mark.parametrize("size", [(1,), "1xfoo", (0, 3, 8, 8), (1.5, 3), "x"])
def test_bad_input_size(size: object) -> None:
    with pytest.raises(UsageError):
        cnncalc.summary(nn.Conv2d(3, 3, 1), input_size=size)  # type: ignore[arg-type]


class Recurrent(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.lstm = nn.LSTM(16, 32, batch_first=True)
        self.head = nn.Linear(32, 4)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out, _ = self.lstm(x)
        return self.head(out[:, -1])


def test_a_leaf_returning_a_tuple_is_measured() -> None:
    s = cnncalc.summary(Recurrent(), input_size=(2, 10, 16))
    lstm, head = s.layers
    # LSTM: 4 gates · (16·32 + 32·32 + 32 + 32) = 4 · 1,600 = 6,400
    assert lstm.measured and lstm.params == 6_400 and lstm.output_shape == (10, 32)
    assert "first tensor" in lstm.notes[-1]
    assert not head.measured and head.params == 32 * 4 + 4


class _AfterCode(nn.Module):
    """A tensor made by code outside any module (x * 2), then a conv, flatten and fc."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3)
        self.flat = nn.Flatten()
        self.fc = nn.Linear(4 * 6 * 6, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(self.flat(self.conv(x * 2)))


def test_a_field_after_code_outside_a_module_is_unknown_until_a_layer_sees_everything() -> None:
    """The conv's input came from x * 2: its field is unknown, and so written. After
    flatten, every output sees the whole input, whatever came before it."""
    s = cnncalc.summary(_AfterCode(), input_size=(1, 3, 8, 8))
    conv, flat, fc = s.layers[:3]
    assert conv.rf.describe() == ("?", "?", "?")
    assert conv.rf_formula == "unknown (its input came from code outside a module)"
    for row in (flat, fc):
        assert row.rf.whole and row.rf_formula == "every output sees the whole input"
    # the rows are the calculator's: 6x6 outputs of 3·3·3 taps for 4 channels; 144 · 10
    assert conv.macs == 4 * 6 * 6 * 27 and conv.output_shape == (4, 6, 6)
    assert fc.macs == 144 * 10 and fc.params == 144 * 10 + 10
