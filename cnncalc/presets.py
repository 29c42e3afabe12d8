"""Named architectures: spec text, input shape, published figures and training defaults."""

from __future__ import annotations

from dataclasses import dataclass, field

from .errors import UsageError


@dataclass(frozen=True)
class Preset:
    name: str
    spec: str
    input: str
    description: str
    published_params: int | None = None  # trainable parameters as published
    source: str = ""
    train: dict[str, object] = field(default_factory=dict)  # tuned `train` defaults


def _resnet_stage(channels: int, blocks: int, first_stride: int) -> str:
    def block(stride: int) -> str:
        s = f",stride={stride}" if stride != 1 else ""
        return (f"res[conv({channels},3{s},padding=1,bias=false)-bn-relu-"
                f"conv({channels},3,padding=1,bias=false)-bn]-relu")

    first = block(first_stride)
    if blocks == 1:
        return first
    rest = block(1)
    return first + (f"-[{rest}]*{blocks - 1}" if blocks > 2 else f"-{rest}")


def _resnet(layers: tuple[int, int, int, int]) -> str:
    stem = "conv(64,7,stride=2,padding=3,bias=false)-bn-relu-maxpool(3,stride=2,padding=1)"
    stages = [_resnet_stage(c, n, 1 if i == 0 else 2)
              for i, (c, n) in enumerate(zip((64, 128, 256, 512), layers))]
    return "-".join([stem, *stages, "gap-flatten-fc(1000)"])


_VGG16 = ("[conv(64,3,padding=1)-relu]*2-maxpool(2)-[conv(128,3,padding=1)-relu]*2-maxpool(2)-"
          "[conv(256,3,padding=1)-relu]*3-maxpool(2)-[conv(512,3,padding=1)-relu]*3-maxpool(2)-"
          "[conv(512,3,padding=1)-relu]*3-maxpool(2)-gap(7)-flatten-"
          "fc(4096)-relu-dropout-fc(4096)-relu-dropout-fc(1000)")

_ALEXNET = ("conv(64,11,stride=4,padding=2)-relu-maxpool(3,stride=2)-"
            "conv(192,5,padding=2)-relu-maxpool(3,stride=2)-conv(384,3,padding=1)-relu-"
            "conv(256,3,padding=1)-relu-conv(256,3,padding=1)-relu-maxpool(3,stride=2)-gap(6)-"
            "flatten-dropout-fc(4096)-relu-dropout-fc(4096)-relu-fc(1000)")

DEFAULT = "mnist-fast"

PRESETS: dict[str, Preset] = {p.name: p for p in (
    Preset(
        "mnist-fast",
        "conv(16,5,stride=2,padding=2,bias=false)-bn-relu-"
        "conv(32,3,padding=1,bias=false)-bn-relu-maxpool(2)-"
        "conv(128,3,bias=false)-bn-relu-maxpool(2)-flatten-fc(10)",
        "1x28x28",
        "cnncalc's default: a small batch-normalised net that passes 99% on MNIST in one "
        "CPU epoch",
        # Batch 128: with 5,000 images held out for validation, twice the steps of batch 256
        # keep one epoch above 99% on test (99.09-99.19% over seeds 0-3, against 98.95-99.05%).
        train=dict(epochs=1, batch_size=128, lr=0.01, optimizer="adamw", schedule="onecycle",
                   label_smoothing=0.1),
    ),
    Preset(
        "pytorch-mnist",
        "conv(32,3)-relu-conv(64,3)-relu-maxpool(2)-dropout(0.25)-flatten-"
        "fc(128)-relu-dropout(0.5)-fc(10)",
        "1x28x28",
        "the PyTorch examples MNIST net (examples/mnist/main.py)",
        1_199_882, "pytorch/examples mnist/main.py",
        train=dict(epochs=1, batch_size=64, lr=1.0, optimizer="adadelta", schedule="step",
                   weight_decay=0.0),
    ),
    Preset(
        "keras-mnist",
        "conv(32,3)-relu-maxpool(2)-conv(64,3)-relu-maxpool(2)-flatten-dropout(0.5)-"
        "fc(10)-softmax",
        "1x28x28",
        "the Keras 'Simple MNIST convnet' example",
        34_826, "keras.io/examples/vision/mnist_convnet (model.summary: 34,826)",
        train=dict(epochs=2, batch_size=128, lr=0.001, optimizer="adam", schedule="none",
                   weight_decay=0.0),
    ),
    Preset(
        "tf-cnn",
        "conv(32,3)-relu-maxpool(2)-conv(64,3)-relu-maxpool(2)-conv(64,3)-relu-flatten-"
        "fc(64)-relu-dropout(0.5)-fc(10)",
        "1x28x28",
        "the TensorFlow CNN tutorial net (three conv + two dense, class-based), with dropout",
        93_322, "TensorFlow CNN tutorial layout on 28x28x1: 320+18,496+36,928+36,928+650",
        train=dict(epochs=2, batch_size=128, lr=0.001, optimizer="adam", schedule="none",
                   weight_decay=0.0),
    ),
    Preset(
        "lenet5",
        "conv(6,5)-tanh-avgpool(2)-conv(16,5)-tanh-avgpool(2)-conv(120,5)-tanh-flatten-"
        "fc(84)-tanh-fc(10)",
        "1x32x32",
        "LeNet-5 (LeCun et al. 1998) on 32x32 input, full C3 connections",
        61_706, "LeNet-5 with full C3 connectivity: 156+2,416+48,120+10,164+850",
        train=dict(epochs=2, batch_size=128, lr=0.001, optimizer="adam", schedule="none",
                   weight_decay=0.0),
    ),
    Preset("alexnet", _ALEXNET, "3x224x224", "AlexNet, torchvision layout",
           61_100_840, "torchvision.models.alexnet"),
    Preset("vgg16", _VGG16, "3x224x224", "VGG-16 (configuration D), torchvision layout",
           138_357_544, "torchvision.models.vgg16"),
    Preset("resnet18", _resnet((2, 2, 2, 2)), "3x224x224", "ResNet-18, torchvision layout",
           11_689_512, "torchvision.models.resnet18"),
    Preset("resnet34", _resnet((3, 4, 6, 3)), "3x224x224", "ResNet-34, torchvision layout",
           21_797_672, "torchvision.models.resnet34"),
)}


def get(name: str) -> Preset:
    try:
        return PRESETS[name.lower()]
    except KeyError:
        import difflib  # only for a misspelt name: it costs start-up time

        close = difflib.get_close_matches(name.lower(), list(PRESETS), n=1)
        hint = f"did you mean '{close[0]}'?" if close else "run 'cnncalc presets' for the list"
        raise UsageError(f"unknown preset '{name}'", hint) from None
