"""Real PyTorch model files (tests/fixtures/realworld, each with its source and commit in
its header) read by cnncalc, compared with torch running the same file.

Oracle: torch itself. The file is executed here (in the test only; cnncalc never runs it),
the model is built as the file builds it and run on zeros; its output shape, trainable
parameters and batch-norm running statistics must equal cnncalc's reading. A file, or a
model of a file, that cnncalc cannot read exactly must be a one-line error naming its line
and the construct; these are listed with the construct and counted.
"""

from __future__ import annotations

from typing import Any

import pytest
import torch

from cnncalc.dialects.read import CodeError, read_model

from ..oracle import assert_reads_as_torch
from .realworld import fixture, insertions

# (file, model, input, how the file builds it)
EXACT = [
    ("kuangliu_lenet.py", "LeNet", "3x32x32", "LeNet()"),
    ("kuangliu_vgg.py", "VGG", "3x32x32", "VGG('VGG11')"),  # its test() builds VGG('VGG11')
    ("kuangliu_resnet.py", "ResNet18", "3x32x32", "ResNet18()"),
    ("kuangliu_resnet.py", "ResNet34", "3x32x32", "ResNet34()"),
    ("kuangliu_resnet.py", "ResNet50", "3x32x32", "ResNet50()"),
    ("kuangliu_preact_resnet.py", "PreActResNet18", "3x32x32", "PreActResNet18()"),
    ("kuangliu_mobilenet.py", "MobileNet", "3x32x32", "MobileNet()"),
    ("kuangliu_mobilenetv2.py", "MobileNetV2", "3x32x32", "MobileNetV2()"),
    ("kuangliu_resnext.py", "ResNeXt29_2x64d", "3x32x32", "ResNeXt29_2x64d()"),
    ("kuangliu_resnext.py", "ResNeXt29_32x4d", "3x32x32", "ResNeXt29_32x4d()"),
    ("kuangliu_regnet.py", "RegNetX_200MF", "3x32x32", "RegNetX_200MF()"),
    ("kuangliu_regnet.py", "RegNetX_400MF", "3x32x32", "RegNetX_400MF()"),
    ("kuangliu_pnasnet.py", "PNASNetA", "3x32x32", "PNASNetA()"),
    # read since forward()'s torch.cat and x * gate became joins
    ("kuangliu_densenet.py", "DenseNet121", "3x32x32", "DenseNet121()"),
    ("kuangliu_googlenet.py", "GoogLeNet", "3x32x32", "GoogLeNet()"),
    ("kuangliu_pnasnet.py", "PNASNetB", "3x32x32", "PNASNetB()"),
    ("kuangliu_regnet.py", "RegNetY_400MF", "3x32x32", "RegNetY_400MF()"),
    ("torchvision_resnet.py", "resnet18", "3x64x64", "resnet18()"),
    ("torchvision_resnet.py", "resnet50", "3x64x64", "resnet50()"),
    ("torchvision_resnet.py", "resnext50_32x4d", "3x64x64", "resnext50_32x4d()"),
    ("d2l_nin.py", "net", "1x224x224", "net"),
]

# (file, model, the problem's line, the construct named): refused, one line each.
REFUSED = [
    ("kuangliu_senet.py", "SENet18", 72, "the value out.size(2) is not known"),
    ("kuangliu_dpn.py", "DPN26", 36, "x[:, :d, :, :] in forward() is not supported"),
    ("kuangliu_efficientnet.py", "EfficientNetB0", 40,
     "swish(self.se1(out)) is a function of the file"),
    ("kuangliu_shufflenetv2.py", "ShuffleNetV2", 20,
     "x.size()[1] is a size cnncalc does not know while it reads forward()"),
    ("d2l_resnet.py", "b2", 62, "*resnet_block(64, 64, 2, first_block=True) is only known"),
]


def _torch(name: str, build: str) -> torch.nn.Module:
    code = fixture(name).replace("from d2l import torch as d2l\n", "")
    scope: dict[str, Any] = {"__name__": "fixture"}
    exec(compile(code, name, "exec"), scope)  # the oracle: the file as Python runs it
    model = eval(build, scope)
    assert isinstance(model, torch.nn.Module)
    return model.eval()


@pytest.mark.parametrize(("name", "model", "shape", "build"), EXACT,
                         ids=[f"{e[0]}:{e[1]}" for e in EXACT])
def test_a_real_file_reads_as_torch_builds_it(name: str, model: str, shape: str,
                                              build: str) -> None:
    assert_reads_as_torch(fixture(name), model, shape, _torch(name, build))


@pytest.mark.parametrize(("name", "model", "line", "needle"), REFUSED,
                         ids=[f"{e[0]}:{e[1]}" for e in REFUSED])
def test_a_real_file_that_cannot_be_read_is_one_line_naming_the_construct(
        name: str, model: str, line: int, needle: str) -> None:
    with pytest.raises(CodeError) as info:
        read_model(fixture(name), model)
    message = str(info.value)
    assert message.startswith(f"line {line}: ") and needle in message, message
    assert "\n" not in message


def test_the_suite_counts() -> None:
    """21 models of 13 real files read exactly, 5 models refused naming the construct, 0
    wrong."""
    assert (len(EXACT), len({e[0] for e in EXACT}), len(REFUSED)) == (21, 13, 5)


def test_an_unknown_statement_in_a_block_class_or_helper_is_an_error_naming_its_line() -> None:
    """`frobnicate()` inserted at every position of kuangliu's MobileNet file: inside the
    block class, the model class and its helper method (all run to build the model), it
    is an error naming that line; after a return it is never run, and is said to be so."""
    code = "from mystery import frobnicate\n" + fixture("kuangliu_mobilenet.py")
    base = read_model(code, "MobileNet")
    checked = 0
    for edited, line, top in insertions(code, "frobnicate()"):
        if top in ("", "test"):
            continue  # module code beside the classes, and a function that only runs it
        with pytest.raises(CodeError) as info:
            read_model(edited, "MobileNet")
        assert info.value.line == line, (line, str(info.value))
        assert "frobnicate()" in str(info.value) and "\n" not in str(info.value)
        checked += 1
    assert checked > 15 and base.nodes
