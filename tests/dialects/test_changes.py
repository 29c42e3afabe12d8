"""Module code that changes a model after it is built, or the library its layers come
from, is refused naming its line: the reading would otherwise be silently wrong. Oracle:
torch itself, running the same code, shows each change alters the counts cnncalc reports
(or what a layer means); code that only reads the model is accepted, counted by hand."""

from __future__ import annotations

import pytest
import torch

from cnncalc.calc.summary import summarize
from cnncalc.dialects.read import CodeError, read_model
from cnncalc.dialects.resolve import resolve

from .torch_models import SEQ

NET = SEQ + """
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 3)

    def forward(self, x):
        return self.fc(x)

"""
TAIL_LINE = len(NET.splitlines()) + 1  # the first line of each tail below

FREEZES = {
    "loop-over-parameters": ("net = Net()\nfor p in net.parameters():\n"
                             "    p.requires_grad = False\n",
                             "the for loop over net.parameters() reaches into the model"),
    "requires-grad-method": ("net = Net()\nnet.requires_grad_(False)\n",
                             "net.requires_grad_(False) changes the model after it is built"),
    "loop-over-named": ("net = Net()\nfor name, p in net.named_parameters():\n"
                        "    p.requires_grad = False\n",
                        "the for loop over net.named_parameters() reaches into the model"),
}


@pytest.mark.parametrize("name", list(FREEZES))
def test_freezing_weights_after_the_model_is_built_is_refused(name: str) -> None:
    tail, needle = FREEZES[name]
    code = NET + tail
    scope: dict[str, object] = {}
    exec(compile(code, "<net>", "exec"), scope)  # the oracle: torch runs the same code
    net = scope["net"]
    assert isinstance(net, torch.nn.Module)
    assert sum(p.numel() for p in net.parameters() if p.requires_grad) == 0  # not 15
    with pytest.raises(CodeError) as info:
        read_model(code, "Net")
    assert str(info.value).startswith(f"line {TAIL_LINE + 1}: {needle}"), str(info.value)


@pytest.mark.parametrize(("tail", "needle"), [
    ("Net.forward = lambda self, x: x\n",
     "Net.forward = ... changes the file's class Net after it is defined"),
    ("nn.Linear = nn.Bilinear\n", "nn.Linear = ... changes the library torch.nn"),
    ("torch.nn.Module.__call__ = None\n",
     "torch.nn.Module.__call__ = ... changes the library torch.nn.Module"),
])
def test_changing_a_class_or_the_library_of_layers_is_refused(tail: str, needle: str) -> None:
    with pytest.raises(CodeError) as info:
        read_model(NET + tail, "Net")
    assert str(info.value).startswith(f"line {TAIL_LINE}: {needle}"), str(info.value)


def test_a_library_change_refuses_a_model_built_before_it_too() -> None:
    code = SEQ + "model = nn.Sequential(nn.Linear(4, 3))\nnn.Linear = nn.Bilinear\n"
    with pytest.raises(CodeError, match=r"changes the library torch\.nn"):
        read_model(code)


def test_code_that_only_reads_the_model_is_accepted() -> None:
    code = NET + ("torch.backends.cudnn.benchmark = True\ntorch.manual_seed(0)\n"
                  "net = Net().to('cpu')\n"
                  "optimizer = torch.optim.SGD(net.parameters(), lr=0.1)\n"
                  "torch.save(net.state_dict(), 'net.pt')\nprint(net)\n")
    r = resolve(code, None, "flat:4", model="Net")
    s = summarize(r.nodes, r.shape, r.convention)
    assert (s.trainable_params, s.non_trainable_params) == (4 * 3 + 3, 0)  # Linear(4, 3)


INIT_CHANGES = {
    # torch: fc.weight frozen, 12 of 15 parameters non-trainable
    "self.fc.weight.requires_grad = False":
        "self.fc.weight.requires_grad = ... changes self.fc.weight after it is made",
    # torch: the bias is gone, 12 parameters
    "self.fc.bias = None": "self.fc.bias = ... changes self.fc after it is made",
    # torch: every weight of fc frozen; print runs the call
    "print(self.fc.requires_grad_(False))": "cannot be read without running the code",
    # torch: forward would call None
    "self.fc = None": "self.fc = None replaces the layer self.fc with a value that is not",
}


@pytest.mark.parametrize("line", list(INIT_CHANGES))
def test_changing_a_layer_in_init_after_it_is_made_is_refused(line: str) -> None:
    code = NET.replace("        self.fc = nn.Linear(4, 3)\n",
                       f"        self.fc = nn.Linear(4, 3)\n        {line}\n")
    init_line = code.splitlines().index(f"        {line}") + 1
    scope: dict[str, object] = {}
    exec(compile(code, "<net>", "exec"), scope)  # the oracle: what torch builds
    net = scope["Net"]()  # type: ignore[operator]
    assert isinstance(net, torch.nn.Module)
    if line != "self.fc = None":
        counts = (sum(p.numel() for p in net.parameters() if p.requires_grad),
                  sum(p.numel() for p in net.parameters()))
        assert counts != (15, 15), counts  # not the figures of the layers as made
    with pytest.raises(CodeError) as info:
        read_model(code, "Net")
    assert str(info.value).startswith(f"line {init_line}: "), str(info.value)
    assert INIT_CHANGES[line] in str(info.value)


def test_printing_values_in_init_is_accepted() -> None:
    code = NET.replace("        self.fc = nn.Linear(4, 3)\n",
                       "        self.fc = nn.Linear(4, 3)\n        print('fc', self.fc, 3 * 4)\n")
    r = resolve(code, None, "flat:4", model="Net")
    assert summarize(r.nodes, r.shape, r.convention).trainable_params == 4 * 3 + 3


def test_a_print_in_forward_that_makes_a_call_is_refused() -> None:
    code = NET.replace("        return self.fc(x)\n",
                       "        print(self.fc.requires_grad_(False))\n        return self.fc(x)\n")
    with pytest.raises(CodeError, match="in forward"):
        read_model(code, "Net")
    plain = NET.replace("        return self.fc(x)\n",
                        "        print(x)\n        return self.fc(x)\n")
    assert len(read_model(plain, "Net").nodes) == 1
