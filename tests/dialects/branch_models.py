"""Branched PyTorch models as people write them in forward(): (name, code, --input).

Each class is named Net and takes no arguments, so the test can build it with torch.
"""

from __future__ import annotations

HEAD = "import torch\nfrom torch import nn\nimport torch.nn.functional as F\n\n"


def _net(init: str, forward: str) -> str:
    def indent(body: str) -> str:
        return "\n".join("        " + line if line else "" for line in body.strip().split("\n"))

    return (HEAD + "class Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
            + indent(init) + "\n\n    def forward(self, x):\n" + indent(forward) + "\n")


MODELS: list[tuple[str, str, str]] = [
    # GoogLeNet's inception (3a), four branches from the same input.
    ("inception-v1", _net("""
self.b1 = nn.Conv2d(192, 64, 1)
self.b2a = nn.Conv2d(192, 96, 1)
self.b2b = nn.Conv2d(96, 128, 3, padding=1)
self.b3a = nn.Conv2d(192, 16, 1)
self.b3b = nn.Conv2d(16, 32, 5, padding=2)
self.pool = nn.MaxPool2d(3, stride=1, padding=1)
self.b4 = nn.Conv2d(192, 32, 1)
""", """
b1 = F.relu(self.b1(x))
b2 = F.relu(self.b2b(F.relu(self.b2a(x))))
b3 = F.relu(self.b3b(F.relu(self.b3a(x))))
b4 = F.relu(self.b4(self.pool(x)))
return torch.cat([b1, b2, b3, b4], 1)
"""), "192x28x28"),
    # Inception-v3's module E: an inner cat written out, then the outer one.
    ("inception-e-explicit", _net("""
self.b1 = nn.Conv2d(64, 32, 1)
self.b3 = nn.Conv2d(64, 48, 1)
self.b3a = nn.Conv2d(48, 48, (1, 3), padding=(0, 1))
self.b3b = nn.Conv2d(48, 48, (3, 1), padding=(1, 0))
self.bp = nn.Conv2d(64, 16, 1)
""", """
b1 = self.b1(x)
b3 = self.b3(x)
b3 = torch.cat([self.b3a(b3), self.b3b(b3)], 1)
bp = self.bp(F.avg_pool2d(x, kernel_size=3, stride=1, padding=1))
return torch.cat((b1, b3, bp), dim=1)
"""), "64x17x17"),
    # The same module with the inner branches listed in the outer cat.
    ("inception-e-implicit", _net("""
self.b1 = nn.Conv2d(64, 32, 1)
self.b3 = nn.Conv2d(64, 48, 1)
self.b3a = nn.Conv2d(48, 48, (1, 3), padding=(0, 1))
self.b3b = nn.Conv2d(48, 48, (3, 1), padding=(1, 0))
self.bp = nn.Conv2d(64, 16, 1)
""", """
b1 = self.b1(x)
y = self.b3(x)
bp = self.bp(F.avg_pool2d(x, 3, 1, 1))
return torch.cat([b1, self.b3a(y), self.b3b(y), bp], dim=1)
"""), "64x17x17"),
    # DenseNet's layer: the input and the new features, concatenated.
    ("densenet-layer", _net("""
self.norm1 = nn.BatchNorm2d(64)
self.conv1 = nn.Conv2d(64, 128, 1, bias=False)
self.norm2 = nn.BatchNorm2d(128)
self.conv2 = nn.Conv2d(128, 32, 3, padding=1, bias=False)
""", """
out = self.conv1(F.relu(self.norm1(x)))
out = self.conv2(F.relu(self.norm2(out)))
return torch.cat([x, out], 1)
"""), "64x16x16"),
    # A dense block with its features list, as torchvision writes it (unrolled).
    ("densenet-block-list", _net("""
self.l1 = nn.Sequential(nn.BatchNorm2d(16), nn.ReLU(), nn.Conv2d(16, 8, 3, padding=1))
self.l2 = nn.Sequential(nn.BatchNorm2d(24), nn.ReLU(), nn.Conv2d(24, 8, 3, padding=1))
self.l3 = nn.Sequential(nn.BatchNorm2d(32), nn.ReLU(), nn.Conv2d(32, 8, 3, padding=1))
""", """
features = [x]
new = self.l1(torch.cat(features, 1))
features.append(new)
new = self.l2(torch.cat(features, 1))
features.append(new)
new = self.l3(torch.cat(features, 1))
features.append(new)
return torch.cat(features, 1)
"""), "16x8x8"),
    # The same block with every concatenation written out.
    ("densenet-block-written", _net("""
self.l1 = nn.Sequential(nn.BatchNorm2d(16), nn.ReLU(), nn.Conv2d(16, 8, 3, padding=1))
self.l2 = nn.Sequential(nn.BatchNorm2d(24), nn.ReLU(), nn.Conv2d(24, 8, 3, padding=1))
self.l3 = nn.Sequential(nn.BatchNorm2d(32), nn.ReLU(), nn.Conv2d(32, 8, 3, padding=1))
""", """
a = self.l1(x)
b = self.l2(torch.cat([x, a], 1))
c = self.l3(torch.cat([x, a, b], 1))
return torch.cat([x, a, b, c], 1)
"""), "16x8x8"),
    # Dense block, then a transition (bn-relu-conv1x1-avgpool) and a classifier.
    ("densenet-transition", _net("""
self.l1 = nn.Sequential(nn.BatchNorm2d(8), nn.ReLU(), nn.Conv2d(8, 4, 3, padding=1))
self.l2 = nn.Sequential(nn.BatchNorm2d(12), nn.ReLU(), nn.Conv2d(12, 4, 3, padding=1))
self.trans = nn.Sequential(nn.BatchNorm2d(16), nn.ReLU(), nn.Conv2d(16, 8, 1),
                           nn.AvgPool2d(2))
self.fc = nn.Linear(8, 10)
""", """
x = torch.cat([x, self.l1(x)], 1)
x = torch.cat([x, self.l2(x)], 1)
x = self.trans(x)
x = F.adaptive_avg_pool2d(x, (1, 1))
x = torch.flatten(x, 1)
return self.fc(x)
"""), "8x16x16"),
    # A two-level U-Net: encoder outputs kept in variables, concatenated in the decoder.
    ("unet-convt", _net("""
self.inc = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU())
self.down1 = nn.Sequential(nn.MaxPool2d(2), nn.Conv2d(8, 16, 3, padding=1), nn.ReLU())
self.down2 = nn.Sequential(nn.MaxPool2d(2), nn.Conv2d(16, 32, 3, padding=1), nn.ReLU())
self.up1 = nn.ConvTranspose2d(32, 16, 2, stride=2)
self.conv1 = nn.Sequential(nn.Conv2d(32, 16, 3, padding=1), nn.ReLU())
self.up2 = nn.ConvTranspose2d(16, 8, 2, stride=2)
self.conv2 = nn.Sequential(nn.Conv2d(16, 8, 3, padding=1), nn.ReLU())
self.outc = nn.Conv2d(8, 2, 1)
""", """
x1 = self.inc(x)
x2 = self.down1(x1)
x3 = self.down2(x2)
y = self.up1(x3)
y = self.conv1(torch.cat([x2, y], dim=1))
y = self.up2(y)
y = self.conv2(torch.cat([x1, y], dim=1))
return self.outc(y)
"""), "1x32x32"),
    # U-Net decoder with F.interpolate, the upsampled map first in the cat.
    ("unet-interpolate", _net("""
self.e1 = nn.Conv2d(3, 8, 3, padding=1)
self.e2 = nn.Conv2d(8, 16, 3, padding=1)
self.e3 = nn.Conv2d(16, 32, 3, padding=1)
self.d2 = nn.Conv2d(48, 16, 3, padding=1)
self.d1 = nn.Conv2d(24, 8, 3, padding=1)
self.head = nn.Conv2d(8, 1, 1)
""", """
s1 = F.relu(self.e1(x))
s2 = F.relu(self.e2(F.max_pool2d(s1, 2)))
b = F.relu(self.e3(F.max_pool2d(s2, 2)))
u = F.interpolate(b, scale_factor=2, mode="bilinear", align_corners=False)
u = F.relu(self.d2(torch.cat([u, s2], 1)))
u = F.interpolate(u, scale_factor=2)
u = F.relu(self.d1(torch.cat([u, s1], 1)))
return torch.sigmoid(self.head(u))
"""), "3x32x32"),
    # U-Net with nn.Upsample modules and a bottleneck residual.
    ("unet-upsample", _net("""
self.enc = nn.Conv2d(3, 8, 3, padding=1)
self.pool = nn.MaxPool2d(2)
self.mid = nn.Conv2d(8, 8, 3, padding=1)
self.up = nn.Upsample(scale_factor=2, mode="nearest")
self.dec = nn.Conv2d(16, 4, 3, padding=1)
""", """
e = F.relu(self.enc(x))
m = self.pool(e)
m = m + F.relu(self.mid(m))
return self.dec(torch.cat([e, self.up(m)], 1))
"""), "3x16x16"),
    # Squeeze-and-excitation with 1x1 convolutions as the gate (torchvision's form).
    ("se-conv", _net("""
self.conv = nn.Conv2d(3, 32, 3, padding=1)
self.pool = nn.AdaptiveAvgPool2d(1)
self.fc1 = nn.Conv2d(32, 8, 1)
self.fc2 = nn.Conv2d(8, 32, 1)
""", """
x = F.relu(self.conv(x))
s = self.pool(x)
s = torch.sigmoid(self.fc2(F.relu(self.fc1(s))))
return x * s
"""), "3x16x16"),
    # SE with linear layers, the gate reshaped with view, and the product written gate first.
    ("se-linear-view", _net("""
self.conv = nn.Conv2d(3, 16, 3, padding=1)
self.fc = nn.Sequential(nn.Linear(16, 4, bias=False), nn.ReLU(), nn.Linear(4, 16, bias=False),
                        nn.Sigmoid())
""", """
x = self.conv(x)
y = F.adaptive_avg_pool2d(x, 1).view(x.size(0), -1)
y = self.fc(y).view(-1, 16, 1, 1)
return y * x
"""), "3x12x12"),
    # An SE residual block: torch.mul for the gate, then the identity added.
    ("se-residual", _net("""
self.c1 = nn.Conv2d(16, 16, 3, padding=1, bias=False)
self.b1 = nn.BatchNorm2d(16)
self.gate = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Conv2d(16, 4, 1), nn.ReLU(),
                          nn.Conv2d(4, 16, 1), nn.Hardsigmoid())
""", """
out = self.b1(self.c1(x))
out = torch.mul(out, self.gate(out))
out += x
return F.relu(out)
"""), "16x8x8"),
    # SqueezeNet's Fire module.
    ("fire", _net("""
self.squeeze = nn.Conv2d(96, 16, 1)
self.expand1x1 = nn.Conv2d(16, 64, 1)
self.expand3x3 = nn.Conv2d(16, 64, 3, padding=1)
self.act = nn.ReLU(inplace=True)
""", """
x = self.act(self.squeeze(x))
return torch.cat([self.act(self.expand1x1(x)), self.act(self.expand3x3(x))], 1)
"""), "96x55x55"),
    # ResNet's basic block, identity shortcut (kuangliu's style).
    ("resnet-basic", _net("""
self.conv1 = nn.Conv2d(16, 16, 3, padding=1, bias=False)
self.bn1 = nn.BatchNorm2d(16)
self.conv2 = nn.Conv2d(16, 16, 3, padding=1, bias=False)
self.bn2 = nn.BatchNorm2d(16)
""", """
out = F.relu(self.bn1(self.conv1(x)))
out = self.bn2(self.conv2(out))
out += x
out = F.relu(out)
return out
"""), "16x8x8"),
    # ResNet's basic block with a projection shortcut.
    ("resnet-basic-projection", _net("""
self.conv1 = nn.Conv2d(16, 32, 3, stride=2, padding=1, bias=False)
self.bn1 = nn.BatchNorm2d(32)
self.conv2 = nn.Conv2d(32, 32, 3, padding=1, bias=False)
self.bn2 = nn.BatchNorm2d(32)
self.shortcut = nn.Sequential(nn.Conv2d(16, 32, 1, stride=2, bias=False),
                              nn.BatchNorm2d(32))
""", """
out = F.relu(self.bn1(self.conv1(x)))
out = self.bn2(self.conv2(out))
out = out + self.shortcut(x)
return F.relu(out)
"""), "16x16x16"),
    # torchvision's bottleneck: the downsampled identity computed first.
    ("resnet-bottleneck", _net("""
self.conv1 = nn.Conv2d(64, 32, 1, bias=False)
self.bn1 = nn.BatchNorm2d(32)
self.conv2 = nn.Conv2d(32, 32, 3, stride=2, padding=1, bias=False)
self.bn2 = nn.BatchNorm2d(32)
self.conv3 = nn.Conv2d(32, 128, 1, bias=False)
self.bn3 = nn.BatchNorm2d(128)
self.relu = nn.ReLU(inplace=True)
self.downsample = nn.Sequential(nn.Conv2d(64, 128, 1, stride=2, bias=False),
                                nn.BatchNorm2d(128))
""", """
identity = self.downsample(x)
out = self.relu(self.bn1(self.conv1(x)))
out = self.relu(self.bn2(self.conv2(out)))
out = self.bn3(self.conv3(out))
out += identity
return self.relu(out)
"""), "64x16x16"),
    # MobileNetV2's inverted residual: expand, depthwise, project, and x added.
    ("mobilenetv2-residual", _net("""
self.conv = nn.Sequential(
    nn.Conv2d(24, 144, 1, bias=False), nn.BatchNorm2d(144), nn.ReLU6(inplace=True),
    nn.Conv2d(144, 144, 3, padding=1, groups=144, bias=False), nn.BatchNorm2d(144),
    nn.ReLU6(inplace=True),
    nn.Conv2d(144, 24, 1, bias=False), nn.BatchNorm2d(24))
""", """
return x + self.conv(x)
"""), "24x14x14"),
    # A MobileNetV3-style block: hardswish, an SE gate with hardsigmoid, a residual.
    ("mobilenetv3-block", _net("""
self.expand = nn.Conv2d(16, 64, 1, bias=False)
self.bn1 = nn.BatchNorm2d(64)
self.dw = nn.Conv2d(64, 64, 5, padding=2, groups=64, bias=False)
self.bn2 = nn.BatchNorm2d(64)
self.se1 = nn.Conv2d(64, 16, 1)
self.se2 = nn.Conv2d(16, 64, 1)
self.project = nn.Conv2d(64, 16, 1, bias=False)
self.bn3 = nn.BatchNorm2d(16)
""", """
y = F.hardswish(self.bn1(self.expand(x)))
y = F.hardswish(self.bn2(self.dw(y)))
s = F.hardsigmoid(self.se2(F.relu(self.se1(F.adaptive_avg_pool2d(y, 1)))))
y = self.bn3(self.project(y * s))
return y + x
"""), "16x10x10"),
    # ShuffleNet's unit with stride 2: group convs, channel shuffle, cat with a pooled x.
    ("shufflenet-unit", _net("""
self.gconv1 = nn.Conv2d(24, 24, 1, groups=3, bias=False)
self.bn1 = nn.BatchNorm2d(24)
self.dw = nn.Conv2d(24, 24, 3, stride=2, padding=1, groups=24, bias=False)
self.bn2 = nn.BatchNorm2d(24)
self.gconv2 = nn.Conv2d(24, 216, 1, groups=3, bias=False)
self.bn3 = nn.BatchNorm2d(216)
""", """
out = F.relu(self.bn1(self.gconv1(x)))
out = F.channel_shuffle(out, 3)
out = self.bn2(self.dw(out))
out = self.bn3(self.gconv2(out))
short = F.avg_pool2d(x, 3, stride=2, padding=1)
return F.relu(torch.cat([short, out], 1))
"""), "24x16x16"),
    # ShuffleNetV2's downsampling unit: two branches, cat, nn.ChannelShuffle.
    ("shufflenetv2-down", _net("""
self.branch1 = nn.Sequential(
    nn.Conv2d(24, 24, 3, 2, 1, groups=24, bias=False), nn.BatchNorm2d(24),
    nn.Conv2d(24, 24, 1, bias=False), nn.BatchNorm2d(24), nn.ReLU(inplace=True))
self.branch2 = nn.Sequential(
    nn.Conv2d(24, 24, 1, bias=False), nn.BatchNorm2d(24), nn.ReLU(inplace=True),
    nn.Conv2d(24, 24, 3, 2, 1, groups=24, bias=False), nn.BatchNorm2d(24),
    nn.Conv2d(24, 24, 1, bias=False), nn.BatchNorm2d(24), nn.ReLU(inplace=True))
self.shuffle = nn.ChannelShuffle(2)
""", """
out = torch.cat((self.branch1(x), self.branch2(x)), dim=1)
return self.shuffle(out)
"""), "24x28x28"),
    # A super-resolution decoder: interpolate and pixel shuffle.
    ("decoder-pixelshuffle", _net("""
self.c1 = nn.Conv2d(8, 16, 3, padding=1)
self.c2 = nn.Conv2d(16, 12, 3, padding=1)
self.c3 = nn.Conv2d(3, 3, 3, padding=1)
""", """
y = F.relu(self.c1(x))
y = F.interpolate(y, scale_factor=2, mode="nearest")
y = F.pixel_shuffle(self.c2(y), 2)
return torch.tanh(self.c3(y))
"""), "8x6x6"),
    # view, reshape and flatten in their common spellings.
    ("view-variants", _net("""
self.conv = nn.Conv2d(1, 8, 3)
self.fc1 = nn.Linear(8 * 13 * 13, 32)
self.fc2 = nn.Linear(32, 128)
self.deconv = nn.ConvTranspose2d(8, 1, 2, stride=2)
""", """
x = F.max_pool2d(F.relu(self.conv(x)), 2)
x = x.view(x.size(0), -1)
x = F.relu(self.fc1(x))
x = self.fc2(x)
x = x.view(-1, 8, 4, 4)
x = self.deconv(x)
return x.reshape(x.shape[0], -1)
"""), "1x28x28"),
    ("flatten-variants", _net("""
self.conv = nn.Conv2d(3, 4, 3, padding=1)
self.fc1 = nn.Linear(256, 16)
self.fc2 = nn.Linear(16, 64)
self.fc3 = nn.Linear(64, 10)
""", """
x = F.max_pool2d(self.conv(x), 2)
x = self.fc1(torch.flatten(x, 1))
x = self.fc2(x).reshape(-1, 4, 4, 4)
x = self.fc3(x.flatten(1))
return x
"""), "3x16x16"),
    # permute to channels-last, a LayerNorm over the channels, and back (ConvNeXt style).
    ("convnext-permute", _net("""
self.dw = nn.Conv2d(16, 16, 7, padding=3, groups=16)
self.norm = nn.LayerNorm(16, eps=1e-6)
self.pw = nn.Conv2d(16, 16, 1)
""", """
y = self.dw(x)
y = y.permute(0, 2, 3, 1)
y = self.norm(y)
y = y.permute(0, 3, 1, 2)
return x + self.pw(y)
"""), "16x8x8"),
    # Three branches summed at once, and a residual around a concatenation.
    ("three-way-sum", _net("""
self.a = nn.Conv2d(8, 8, 1)
self.b = nn.Conv2d(8, 8, 3, padding=1)
self.c = nn.Conv2d(8, 8, 5, padding=2)
self.d = nn.Conv2d(8, 4, 1)
self.e = nn.Conv2d(8, 4, 3, padding=1)
""", """
y = self.a(x) + self.b(x) + self.c(x)
return y + torch.cat([self.d(y), self.e(y)], 1)
"""), "8x8x8"),
    # torch.add, x.add and x.mul spellings, and a GroupNorm residual.
    ("add-mul-methods", _net("""
self.c1 = nn.Conv2d(8, 8, 3, padding=1)
self.gn = nn.GroupNorm(4, 8)
self.c2 = nn.Conv2d(8, 8, 1)
self.g = nn.Conv2d(8, 8, 1)
""", """
y = torch.add(x, self.gn(self.c1(x)))
y = y.add(self.c2(y))
z = F.group_norm(y, 2)
return z.mul(torch.sigmoid(self.g(z)))
"""), "8x8x8"),
    # Joins of joins: two inception-style modules in sequence, each with a nested branch.
    ("nested-joins", _net("""
self.a1 = nn.Conv2d(8, 4, 1)
self.a2 = nn.Conv2d(8, 4, 1)
self.a2x = nn.Conv2d(4, 4, 3, padding=1)
self.a2y = nn.Conv2d(4, 4, 3, padding=1)
self.b1 = nn.Conv2d(12, 6, 1)
self.b2 = nn.Conv2d(12, 6, 3, padding=1)
self.pool = nn.MaxPool2d(2)
""", """
t = self.a2(x)
m = torch.cat([self.a1(x), torch.cat([self.a2x(t), t + self.a2y(t)], 1)], 1)
m = self.pool(F.relu(m))
return torch.cat([self.b1(m), self.b2(m), m], 1)
"""), "8x16x16"),
    # A weight-free module used in several branches is counted as torch counts it.
    ("shared-free-modules", _net("""
self.relu = nn.ReLU()
self.pool = nn.MaxPool2d(2)
self.c1 = nn.Conv2d(3, 8, 3, padding=1)
self.c2 = nn.Conv2d(3, 8, 1)
""", """
a = self.pool(self.relu(self.c1(x)))
b = self.pool(self.relu(self.c2(x)))
return self.relu(a + b)
"""), "3x16x16"),
]
