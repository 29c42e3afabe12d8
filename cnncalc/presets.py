"""Named architectures: spec text, input shape, published figures and training defaults."""

from __future__ import annotations

from dataclasses import field

from .errors import UsageError
from .records import record


@record
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


def _cbr(out: int, kernel: str = "1", extra: str = "", eps: str = "") -> str:
    """torchvision's BasicConv2d (GoogLeNet, Inception-v3): conv without bias, bn, relu."""
    return f"conv({out},{kernel}{extra},bias=false)-bn{eps}-relu"


def _cat(*branches: str) -> str:
    return f"cat[{'|'.join(branches)}]"


_G_EPS = "(eps=0.001)"  # GoogLeNet and Inception-v3 batch norms use eps=0.001


def _googlenet() -> str:
    """torchvision's GoogLeNet without aux heads. Its max pools round up (ceil_mode=True), and
    the branch named "5x5" holds a 3x3 conv (a known slip kept for the weights)."""
    def c(out: int, kernel: str = "1", extra: str = "") -> str:
        return _cbr(out, kernel, extra, _G_EPS)

    def inception(c1: int, c3r: int, c3: int, c5r: int, c5: int, pool: int) -> str:
        return _cat(c(c1), f"{c(c3r)}-{c(c3, '3', ',padding=1')}",
                    f"{c(c5r)}-{c(c5, '3', ',padding=1')}",
                    f"maxpool(3,stride=1,padding=1,ceil_mode=true)-{c(pool)}")

    pool = "maxpool(3,stride=2,ceil_mode=true)"
    return "-".join([
        c(64, "7", ",stride=2,padding=3"), pool, c(64), c(192, "3", ",padding=1"), pool,
        inception(64, 96, 128, 16, 32, 32), inception(128, 128, 192, 32, 96, 64), pool,
        inception(192, 96, 208, 16, 48, 64), inception(160, 112, 224, 24, 64, 64),
        inception(128, 128, 256, 24, 64, 64), inception(112, 144, 288, 32, 64, 64),
        inception(256, 160, 320, 32, 128, 128), "maxpool(2,stride=2,ceil_mode=true)",
        inception(256, 160, 320, 32, 128, 128), inception(384, 192, 384, 48, 128, 128),
        "gap-flatten-dropout(0.2)-fc(1000)"])


def _inception_v3() -> str:
    """torchvision's Inception-v3 without the aux head: Mixed_5b .. Mixed_7c as
    InceptionA/B/C/D/E, factorised 1x7 and 7x1 convs, bn eps=0.001."""
    def c(out: int, kernel: str = "1", extra: str = "") -> str:
        return _cbr(out, kernel, extra, _G_EPS)

    avg = "avgpool(3,stride=1,padding=1)"

    def row(n: int) -> str:
        return c(n, "1x7", ",padding=0x3")

    def col(n: int) -> str:
        return c(n, "7x1", ",padding=3x0")

    def a(pool: int) -> str:
        return _cat(c(64), f"{c(48)}-{c(64, '5', ',padding=2')}",
                    f"{c(64)}-{c(96, '3', ',padding=1')}-{c(96, '3', ',padding=1')}",
                    f"{avg}-{c(pool)}")

    def b() -> str:
        return _cat(c(384, "3", ",stride=2"),
                    f"{c(64)}-{c(96, '3', ',padding=1')}-{c(96, '3', ',stride=2')}",
                    "maxpool(3,stride=2)")

    def cc(c7: int) -> str:
        return _cat(c(192), f"{c(c7)}-{row(c7)}-{col(192)}",
                    f"{c(c7)}-{col(c7)}-{row(c7)}-{col(c7)}-{row(192)}", f"{avg}-{c(192)}")

    def d() -> str:
        return _cat(f"{c(192)}-{c(320, '3', ',stride=2')}",
                    f"{c(192)}-{row(192)}-{col(192)}-{c(192, '3', ',stride=2')}",
                    "maxpool(3,stride=2)")

    def e() -> str:
        split = _cat(c(384, "1x3", ",padding=0x1"), c(384, "3x1", ",padding=1x0"))
        return _cat(c(320), f"{c(384)}-{split}", f"{c(448)}-{c(384, '3', ',padding=1')}-{split}",
                    f"{avg}-{c(192)}")

    return "-".join([
        c(32, "3", ",stride=2"), c(32, "3"), c(64, "3", ",padding=1"), "maxpool(3,stride=2)",
        c(80), c(192, "3"), "maxpool(3,stride=2)", a(32), a(64), a(64), b(), cc(128),
        cc(160), cc(160), cc(192), d(), e(), e(), "gap-dropout(0.5)-flatten-fc(1000)"])


def _densenet(growth: int, blocks: tuple[int, ...], init: int, bn_size: int = 4) -> str:
    """torchvision's DenseNet: each layer is cat[|bn-relu-conv1x1-bn-relu-conv3x3] (the
    input itself, then the new features), each transition bn-relu-conv1x1-avgpool(2)."""
    layer = (f"cat[|bn-relu-conv({bn_size * growth},1,bias=false)-bn-relu-"
             f"conv({growth},3,padding=1,bias=false)]")
    parts = [f"conv({init},7,stride=2,padding=3,bias=false)-bn-relu-"
             "maxpool(3,stride=2,padding=1)"]
    channels = init
    for i, n in enumerate(blocks):
        parts.append(f"[{layer}]*{n}" if n > 1 else layer)
        channels += n * growth
        if i < len(blocks) - 1:
            channels //= 2  # torchvision: num_features // 2 after each transition
            parts.append(f"bn-relu-conv({channels},1,bias=false)-avgpool(2)")
    parts.append("bn-relu-gap-flatten-fc(1000)")
    return "-".join(parts)


def _fire(squeeze: int, e1: int, e3: int) -> str:
    return f"conv({squeeze},1)-relu-cat[conv({e1},1)-relu|conv({e3},3,padding=1)-relu]"


def _squeezenet1_0() -> str:
    """torchvision's SqueezeNet 1.0: Fire modules (squeeze 1x1, then 1x1 and 3x3 expands
    concatenated), ceil-mode max pools, and a 1x1 conv classifier."""
    pool = "maxpool(3,stride=2,ceil_mode=true)"
    return "-".join([
        "conv(96,7,stride=2)-relu", pool, _fire(16, 64, 64), _fire(16, 64, 64),
        _fire(32, 128, 128), pool, _fire(32, 128, 128), _fire(48, 192, 192),
        _fire(48, 192, 192), _fire(64, 256, 256), pool, _fire(64, 256, 256),
        "dropout(0.5)-conv(1000,1)-relu-gap-flatten"])


def _mobilenet_v2() -> str:
    """torchvision's MobileNetV2 (width 1.0): inverted residuals, a residual only where the
    stride is 1 and the channels are kept, relu6 everywhere."""
    settings = ((1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1),
                (6, 160, 3, 2), (6, 320, 1, 1))
    parts = ["conv(32,3,stride=2,padding=1,bias=false)-bn-relu6"]
    cin = 32
    for t, c, n, s in settings:
        for i in range(n):
            stride = s if i == 0 else 1
            expand = f"conv({cin * t},1,bias=false)-bn-relu6-" if t != 1 else ""
            st = f",stride={stride}" if stride != 1 else ""
            body = (f"{expand}dwconv(3{st},padding=1,bias=false)-bn-relu6-"
                    f"conv({c},1,bias=false)-bn")
            parts.append(f"res[{body}]" if stride == 1 and cin == c else body)
            cin = c
    parts.append("conv(1280,1,bias=false)-bn-relu6-gap-flatten-dropout(0.2)-fc(1000)")
    return "-".join(parts)


def _bottleneck(width: int, stride: int) -> str:
    s = f",stride={stride}" if stride != 1 else ""
    return (f"res[conv({width},1,bias=false)-bn-relu-"
            f"conv({width},3{s},padding=1,bias=false)-bn-relu-"
            f"conv({width * 4},1,bias=false)-bn]-relu")


def _resnet_bottleneck(layers: tuple[int, int, int, int]) -> str:
    """torchvision's Bottleneck ResNet (v1.5: the stride sits on the 3x3 conv). res[...]
    adds the 1x1 conv + bn projection torchvision uses where the block changes the shape."""
    stem = "conv(64,7,stride=2,padding=3,bias=false)-bn-relu-maxpool(3,stride=2,padding=1)"
    stages = []
    for i, (width, n) in enumerate(zip((64, 128, 256, 512), layers)):
        first, rest = _bottleneck(width, 1 if i == 0 else 2), _bottleneck(width, 1)
        stages.append(first + (f"-[{rest}]*{n - 1}" if n > 2 else f"-{rest}" if n == 2 else ""))
    return "-".join([stem, *stages, "gap-flatten-fc(1000)"])


def _unet(n_classes: int = 2, base: int = 64, depth: int = 4) -> str:
    """milesial/Pytorch-UNet with bilinear=False: double 3x3 convs (no bias, bn, relu); each
    level goes down by a max pool and comes back by a 2x2 transposed conv, and its skip is
    concatenated first (torch.cat([x2, x1])), so a level is cat[|maxpool-...-convt]."""
    def double(c: int) -> str:
        return "-".join([f"conv({c},3,padding=1,bias=false)-bn-relu"] * 2)

    def level(d: int) -> str:
        c = base * 2 ** d
        if d == depth:
            return f"maxpool(2)-{double(c)}-convt({c // 2},2,stride=2)"
        inner = f"maxpool(2)-{double(c)}-cat[|{level(d + 1)}]-{double(c)}"
        return inner + f"-convt({c // 2},2,stride=2)"

    return f"{double(base)}-cat[|{level(1)}]-{double(base)}-conv({n_classes},1)"


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
    Preset("resnet50", _resnet_bottleneck((3, 4, 6, 3)), "3x224x224",
           "ResNet-50 (bottleneck blocks, stride on the 3x3 conv), torchvision layout",
           25_557_032, "torchvision.models.resnet50 (ResNet50_Weights num_params 25557032)"),
    Preset("googlenet", _googlenet(), "3x224x224",
           "GoogLeNet (Inception v1) without the aux heads, torchvision layout",
           6_624_904, "torchvision.models.googlenet (GoogLeNet_Weights num_params 6624904)"),
    Preset("inception_v3", _inception_v3(), "3x299x299",
           "Inception-v3 without the aux head, torchvision layout",
           23_834_568, "torchvision.models.inception_v3: Inception_V3_Weights num_params "
           "27161264 with the aux head, less its 3,326,696"),
    Preset("densenet121", _densenet(32, (6, 12, 24, 16), 64), "3x224x224",
           "DenseNet-121, torchvision layout",
           7_978_856, "torchvision.models.densenet121 (DenseNet121_Weights num_params 7978856)"),
    Preset("squeezenet1_0", _squeezenet1_0(), "3x224x224",
           "SqueezeNet 1.0, torchvision layout",
           1_248_424, "torchvision.models.squeezenet1_0 (SqueezeNet1_0_Weights num_params "
           "1248424)"),
    Preset("mobilenet_v2", _mobilenet_v2(), "3x224x224",
           "MobileNetV2 (width 1.0), torchvision layout",
           3_504_872, "torchvision.models.mobilenet_v2 (MobileNet_V2_Weights num_params "
           "3504872)"),
    Preset("unet", _unet(), "3x256x256",
           "U-Net, milesial/Pytorch-UNet layout (bilinear=False, n_channels=3, "
           "n_classes=2); H and W must be multiples of 16",
           None, "milesial/Pytorch-UNet unet/unet_model.py and unet_parts.py "
           "(no count published)"),
)}


def get(name: str) -> Preset:
    try:
        return PRESETS[name.lower()]
    except KeyError:
        import difflib  # only for a misspelt name: it costs start-up time

        close = difflib.get_close_matches(name.lower(), list(PRESETS), n=1)
        hint = f"did you mean '{close[0]}'?" if close else "run 'cnncalc presets' for the list"
        raise UsageError(f"unknown preset '{name}'", hint) from None
