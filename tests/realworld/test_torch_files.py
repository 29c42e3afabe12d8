"""Real PyTorch model files of tests/fixtures/realworld (pytorch/examples, torchvision
0.29.1, kuangliu, Pytorch-UNet, PyTorch-GAN, d2l; each with its source, commit and licence in
its header) read by cnncalc, beside those of tests/dialects/test_realworld_torch.py.

Oracle: torch. The file runs here (in the test only; cnncalc never runs it), builds the
model as the file builds it, and runs it on zeros: output shape, trainable parameters and
batch-norm running statistics must equal cnncalc's reading. A model cnncalc cannot read
exactly must be refused with a one-line error naming its line and the construct; these are
listed with the construct, and counted in test_suite_counts.py.
"""

from __future__ import annotations

import pytest
import torch

from cnncalc.calc.summary import summarize
from cnncalc.dialects.read import CodeError
from cnncalc.dialects.resolve import resolve
from cnncalc.errors import CnnCalcError

from ..dialects.realworld import fixture
from ..oracle import assert_reads_as_torch
from .oracle import run_statements

# (file, --model, input, the expression that builds it once the file has run)
EXACT = [
    ("examples_mnist.py", "Net", "1x28x28", "Net()"),
    ("tutorials_cifar10.py", "Net", "3x32x32", "Net()"),
]

# What the oracle runs of a file, where not all of it: (the last line, statements left out).
# torchvision is not installed here: examples_mnist.py uses its datasets only in main();
# tutorials_cifar10.py loads CIFAR-10 and shows images before `net = Net()` (line 144).
ORACLE: dict[str, tuple[int | None, tuple[str, ...]]] = {
    "examples_mnist.py": (None, ("from torchvision import",)),
    "tutorials_cifar10.py": (144, ("torchvision", "transforms", "trainset", "testset",
                                   "loader", "dataiter", "imshow(", "matplotlib", "labels")),
}

# (file, --model, the line named, the construct named): a one-line refusal.
# None as the line: the message names no line (see the report of the suite).
REFUSED = [
    # kuangliu: Tree/Root blocks built recursively, forward() cats a list it builds
    ("kuangliu_dla.py", "DLA", 52, "xs is not a list of tensors forward() computed"),
    ("kuangliu_dla_simple.py", "SimpleDLA", 57, "xs is not a list of tensors"),
    # out_planes/4 is a float in Python 3: torch itself fails on this file's ShuffleNetG2
    ("kuangliu_shufflenet.py", "ShuffleNetG2", 33,
     "Conv2d out_channels must be an integer, got 44.0"),
    ("kuangliu_shufflenet.py", "ShuffleNet", 96, "the value cfg is not known"),
    # pytorch/examples
    ("examples_super_resolution.py", "Net", 11,
     "upscale_factor is an argument of __init__, only known when it is called"),
    ("examples_vae.py", "VAE", 74,
     "'(mu, logvar) = self.encode(x.view(-1, 784))' in forward() cannot be read"),
    ("examples_dcgan.py", "Generator", 20, "argparse.ArgumentParser() is only known"),
    ("examples_dcgan.py", "Discriminator", 20, "argparse.ArgumentParser() is only known"),
    ("examples_transformer_net.py", "TransformerNet", 52,
     "unknown layer class torch.nn.ReflectionPad2d"),
    ("examples_mnist_hogwild.py", "Net", 109, "test(args, model, device, dataset2, kwargs)"),
    ("examples_siamese.py", "SiameseNetwork", 34, "torchvision.models.resnet18(weights=None)"),
    # pytorch/tutorials: forward() flattens with the model's own helper method
    ("tutorials_neural_networks.py", "Net", 69, "self.num_flat_features(x) is not known"),
    # torchvision 0.29.1: the builders verify weights with torchvision's WeightsEnum; the
    # classes take **kwargs from the builders
    ("torchvision_alexnet.py", "alexnet", 113, "AlexNet_Weights has no attribute verify"),
    ("torchvision_alexnet.py", "AlexNet", 118, "**kwargs is only known when the code runs"),
    ("torchvision_vgg.py", "vgg16", 435, "VGG16_Weights has no attribute verify"),
    ("torchvision_vgg.py", "VGG", 107, "**kwargs is only known when the code runs"),
    ("torchvision_squeezenet.py", "squeezenet1_1", 227, "has no attribute verify"),
    ("torchvision_squeezenet.py", "SqueezeNet", 114, "**kwargs is only known"),
    ("torchvision_mobilenetv2.py", "mobilenet_v2", 255, "has no attribute verify"),
    ("torchvision_mobilenetv2.py", "MobileNetV2", 260, "**kwargs is only known"),
    ("torchvision_densenet.py", "densenet121", 373, "has no attribute verify"),
    ("torchvision_densenet.py", "DenseNet", 256, "**kwargs is only known"),
    ("torchvision_googlenet.py", "googlenet", 327, "has no attribute verify"),
    # GoogLeNet builds its blocks from this list: Inception's arguments are known there
    ("torchvision_googlenet.py", "Inception", 50, "Inception is handed on as a value"),
    ("torchvision_shufflenetv2.py", "shufflenet_v2_x1_0", 349, "has no attribute verify"),
    ("torchvision_shufflenetv2.py", "ShuffleNetV2", 183, "*args is only known"),
    ("torchvision_mnasnet.py", "mnasnet1_0", 409, "has no attribute verify"),
    ("torchvision_mnasnet.py", "_InvertedResidual", 81,
     "_InvertedResidual is built with different arguments"),
    ("torchvision_inception.py", "inception_v3", 465, "has no attribute verify"),
    ("torchvision_inception.py", "BasicConv2d", 46, "BasicConv2d is handed on as a value"),
    ("torchvision_mobilenetv3.py", "mobilenet_v3_small", 426, "has no attribute verify"),
    ("torchvision_mobilenetv3.py", "InvertedResidual", 157,
     "InvertedResidual is handed on as a value"),
    # milesial/Pytorch-UNet
    ("unet_model.py", "UNet", 10, "n_channels is an argument of __init__"),
    ("unet_parts.py", "Up", 48, "in_channels is an argument of __init__"),
    ("unet_parts.py", "DoubleConv", 54, "DoubleConv is built with different arguments"),
    # eriklindernoren/PyTorch-GAN
    ("gan_dcgan.py", "Generator", 23, "argparse.ArgumentParser() is only known"),
    ("gan_dcgan.py", "Discriminator", 81, "a function in __init__ cannot be read"),
    ("gan_gan.py", "Generator", 46, "a function in __init__ cannot be read"),
    ("gan_gan.py", "Discriminator", 73, "np.prod(img_shape) in __init__ is not read"),
    ("gan_acgan.py", "Discriminator", 85, "a function in __init__ cannot be read"),
    ("gan_pix2pix_models.py", "GeneratorUNet", 39, "UNetUp.forward() takes 2 inputs"),
    ("gan_pix2pix_models.py", "Discriminator", 117, "a function in __init__ cannot be read"),
    ("gan_cyclegan_models.py", "GeneratorResNet", 45, "input_shape is an argument of __init__"),
    ("gan_cyclegan_models.py", "ResidualBlock", 31, "unknown layer class torch.nn.ReflectionPad2d"),
    ("gan_cyclegan_models.py", "Discriminator", 103, "channels, height, width = input_shape"),
    ("gan_context_encoder_models.py", "Generator", 14, "a function in __init__ cannot be read"),
    ("gan_srgan_models.py", "GeneratorResNet", 42, "unknown layer class torch.nn.PReLU"),
    ("gan_srgan_models.py", "FeatureExtractor", 15, "vgg19(pretrained=True) in __init__"),
    ("gan_esrgan_models.py", "GeneratorRRDB", 65, "channels is an argument of __init__"),
    ("gan_esrgan_models.py", "DenseResidualBlock", 31, "a function in __init__ cannot be read"),
    # d2l-ai/d2l-en: models are d2l.Classifier subclasses, with tab.selected(...) branches
    ("d2l_lenet.py", None, None, "no model found in the code"),
    ("d2l_alexnet.py", None, None, "no model found in the code"),
    ("d2l_vgg.py", None, None, "no model found in the code"),
    ("d2l_nin_book.py", None, None, "no model found in the code"),
    ("d2l_googlenet.py", "Inception", 85, "Inception is built with different arguments"),
    ("d2l_batch_norm.py", "model", 110, "d2l.Trainer(max_epochs=10, num_gpus=1) is not read"),
    ("d2l_resnet_book.py", "ResNeXtBlock", 151, "blk.initialize() is not known"),
    ("d2l_resnet_book.py", "b1@50", 49, "the if builds net; such blocks are not read yet"),
    ("d2l_densenet.py", "DenseBlock", 33, "blk.initialize() is not known"),
]


def _torch(name: str, build: str) -> torch.nn.Module:
    scope = run_statements(name, *ORACLE.get(name, (None, ())))
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
        name: str, model: str | None, line: int | None, needle: str) -> None:
    with pytest.raises(CnnCalcError) as info:
        r = resolve(fixture(name), None, None, model=model)
        summarize(r.nodes, r.shape, r.convention)
    message = str(info.value)
    assert "\n" not in message and needle in message, message
    if line is not None:
        assert isinstance(info.value, CodeError) and info.value.line == line, message
        assert message.startswith(f"line {line}: "), message
