"""A module summary leaves the model as it found it: its own tensors, tied weights and modes.

The summary writes meta stand-ins straight into each module's _parameters and _buffers for
the run and sets modes without torch's recursive eval() where no module overrides train();
the oracle here is the model itself before the summary (the very same tensor objects, the
same modes) and torch's own parameter counts.
"""

from __future__ import annotations

import pytest
import torch
from torch import nn

import cnncalc
from cnncalc.errors import LayerError


def _state(model: nn.Module) -> list[tuple[str, str, int]]:
    """Every entry of every module's tables, by the identity of the tensor it holds."""
    return [(f"{name}.{kind}", key, id(t)) for name, m in model.named_modules()
            for kind, table in (("p", m._parameters), ("b", m._buffers))
            for key, t in table.items()]


class Tied(nn.Module):
    """Two Linear layers sharing one weight (as a language model ties its embeddings)."""

    def __init__(self) -> None:
        super().__init__()
        self.a = nn.Linear(8, 8)
        self.b = nn.Linear(8, 8)
        self.b.weight = self.a.weight
        self.bn = nn.BatchNorm1d(8)
        self.seen: list[tuple[bool, str, str]] = []

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # during the run: one stand-in for the tied weight, and every tensor on meta
        stats = self.bn.running_mean
        self.seen.append((self.a.weight is self.b.weight, self.a.weight.device.type,
                          "none" if stats is None else stats.device.type))
        out: torch.Tensor = self.b(self.bn(self.a(x)))
        return out


def test_tied_weights_share_one_stand_in_and_every_tensor_is_put_back() -> None:
    model = Tied()
    before = _state(model)
    s = cnncalc.summary(model, input_size=(2, 8))
    assert model.seen == [(True, "meta", "meta")]
    assert _state(model) == before
    assert model.a.weight is model.b.weight
    assert all(t.device.type == "cpu" for t in model.state_dict().values())
    # each Linear's shapes as torch has them: 8 -> 8, 8·8 = 64 MACs a sample
    assert [r.output_shape for r in s.layers[:3]] == [(8,), (8,), (8,)]
    assert s.layers[0].macs == s.layers[2].macs == 64


class Fails(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3)
        self.fc = nn.Linear(5, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # 4x6x6 into a Linear of 5 inputs: torch refuses it
        out: torch.Tensor = self.fc(self.conv(x))
        return out


def test_weights_and_modes_are_put_back_when_forward_fails() -> None:
    model = Fails()
    model.fc.eval()
    before = _state(model)
    with pytest.raises(LayerError, match=r"layer 2 \(fc: Linear\) failed"):
        cnncalc.summary(model, input_size=(1, 3, 8, 8))
    assert _state(model) == before
    assert model.training and model.conv.training and not model.fc.training


class KeepsTraining(nn.Module):
    """A module whose train() is its own (as frozen batch-norm wrappers have): the summary
    must go through it, as model.eval() does."""

    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(4, 4)
        self.calls: list[bool] = []

    def train(self, mode: bool = True) -> KeepsTraining:
        self.calls.append(mode)
        return super().train(mode)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        assert not self.training  # the summary runs in eval mode
        out: torch.Tensor = self.fc(x)
        return out


def test_a_module_with_its_own_train_is_set_through_it() -> None:
    model = nn.Sequential(KeepsTraining(), nn.ReLU())
    inner = model[0]
    assert isinstance(inner, KeepsTraining)
    s = cnncalc.summary(model, input_size=(1, 4))
    assert inner.calls == [False]  # model.eval() reached it
    assert model.training and inner.training and inner.fc.training  # and it was restored
    assert s.total_macs == 16  # 4 · 4


class ModeProperty(nn.Module):
    """`training` as a property over a field of its own: only Module.__setattr__ (which
    model.eval() goes through) reaches its setter."""

    def __init__(self) -> None:
        self.mode = True
        super().__init__()
        self.fc = nn.Linear(4, 2)

    @property
    def training(self) -> bool:
        return self.mode

    @training.setter
    def training(self, value: bool) -> None:
        self.mode = value

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out: torch.Tensor = self.fc(x)
        return out if not self.training else torch.cat([out, out], dim=1)


def test_a_training_property_is_set_through_its_setter() -> None:
    model = ModeProperty()
    s = cnncalc.summary(model, input_size=(1, 4))
    assert s.output_shape == (2,)  # eval mode: 2 outputs; in training it would be 4
    assert model.training and model.mode


class TiedWithNorm(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.a = nn.Linear(8, 8, bias=False)
        self.b = nn.Linear(8, 8, bias=False)
        self.b.weight = self.a.weight
        self.bn = nn.BatchNorm1d(8)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.bn(self.b(self.a(x)))


def test_tied_weights_are_counted_once_as_torch_counts_them() -> None:
    """torch: the shared 8·8 = 64 weight once, plus batch norm's 8 + 8 = 16 parameters: 80
    trainable; the 8 + 8 running statistics are non-trainable. Counting the weight at both
    Linear rows gave 144."""
    model = TiedWithNorm()
    assert sum(p.numel() for p in model.parameters()) == 80
    s = cnncalc.summary(model, input_size=(1, 8))
    assert s.trainable_params == 80 and s.non_trainable_params == 16
    rows = {r.spec.split(":")[0]: r for r in s.layers}
    assert rows["a"].params == 64 and rows["b"].params == 0
    assert any("tied weights" in n and "a holds too" in n for n in rows["b"].notes)
