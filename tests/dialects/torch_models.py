"""PyTorch models as people write them: (name, code, --input or None for the default)."""

from __future__ import annotations

SEQ = "import torch\nfrom torch import nn\nimport torch.nn.functional as F\n" \
      "from collections import OrderedDict\n\n"

MODELS: list[tuple[str, str, str | None]] = [
    ("issue-conv", "nn.Sequential(nn.Conv2d(3, 16, 3))", "3x32x32"),
    ("conv-pool", "nn.Sequential(nn.Conv2d(1, 5, 5), nn.MaxPool2d(2))", None),
    ("mlp", "nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Dropout(0.2),\n"
            "              nn.Linear(256, 10), nn.LogSoftmax(dim=1))", None),
    ("lenet5", """
class LeNet5(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, kernel_size=5, padding=2)
        self.conv2 = nn.Conv2d(6, 16, kernel_size=5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, num_classes)

    def forward(self, x):
        x = F.max_pool2d(torch.tanh(self.conv1(x)), 2)
        x = F.avg_pool2d(torch.tanh(self.conv2(x)), kernel_size=2, stride=2)
        x = x.view(-1, 16 * 5 * 5)
        x = torch.tanh(self.fc1(x))
        x = torch.tanh(self.fc2(x))
        return self.fc3(x)
""", None),
    ("cifar-tutorial", """
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 6, 5)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = torch.flatten(x, 1)  # flatten all dimensions except batch
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        x = self.fc3(x)
        return x
""", "3x32x32"),
    ("three-conv-seed", """
class ConvNet(nn.Module):
    def __init__(self, num_classes=10):
        super(ConvNet, self).__init__()
        self.layer1 = nn.Sequential(
            nn.Conv2d(1, 32, kernel_size=5, stride=1, padding=2),
            nn.ReLU(),
            nn.MaxPool2d(kernel_size=2, stride=2))
        self.layer2 = nn.Sequential(
            nn.Conv2d(32, 64, kernel_size=5, stride=1, padding=2),
            nn.ReLU(),
            nn.MaxPool2d(kernel_size=2, stride=2))
        self.layer3 = nn.Sequential(
            nn.Conv2d(64, 128, kernel_size=3, stride=1, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(kernel_size=2, stride=2))
        self.drop_out = nn.Dropout()
        self.fc1 = nn.Linear(3 * 3 * 128, 1000)
        self.fc2 = nn.Linear(1000, num_classes)

    def forward(self, x):
        out = self.layer1(x)
        out = self.layer2(out)
        out = self.layer3(out)
        out = out.view(out.size(0), -1)
        out = self.drop_out(out)
        out = self.fc1(out)
        out = self.fc2(out)
        return out
""", None),
    ("pytorch-mnist-example", """
class Net(nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, 1)
        self.conv2 = nn.Conv2d(32, 64, 3, 1)
        self.dropout1 = nn.Dropout(0.25)
        self.dropout2 = nn.Dropout(0.5)
        self.fc1 = nn.Linear(9216, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = self.conv1(x)
        x = F.relu(x)
        x = self.conv2(x)
        x = F.relu(x)
        x = F.max_pool2d(x, 2)
        x = self.dropout1(x)
        x = torch.flatten(x, 1)
        x = self.fc1(x)
        x = F.relu(x)
        x = self.dropout2(x)
        x = self.fc2(x)
        output = F.log_softmax(x, dim=1)
        return output
""", None),
    ("alexnet", """
alexnet = nn.Sequential(
    nn.Conv2d(3, 64, kernel_size=11, stride=4, padding=2),
    nn.ReLU(inplace=True),
    nn.MaxPool2d(kernel_size=3, stride=2),
    nn.Conv2d(64, 192, kernel_size=5, padding=2),
    nn.ReLU(inplace=True),
    nn.MaxPool2d(kernel_size=3, stride=2),
    nn.Conv2d(192, 384, kernel_size=3, padding=1),
    nn.ReLU(inplace=True),
    nn.Conv2d(384, 256, kernel_size=3, padding=1),
    nn.ReLU(inplace=True),
    nn.Conv2d(256, 256, kernel_size=3, padding=1),
    nn.ReLU(inplace=True),
    nn.MaxPool2d(kernel_size=3, stride=2),
    nn.AdaptiveAvgPool2d((6, 6)),
    nn.Flatten(),
    nn.Dropout(p=0.5),
    nn.Linear(256 * 6 * 6, 4096),
    nn.ReLU(inplace=True),
    nn.Dropout(p=0.5),
    nn.Linear(4096, 4096),
    nn.ReLU(inplace=True),
    nn.Linear(4096, 1000),
)
""", "3x224x224"),
    ("alexnet-class", """
class AlexNet(nn.Module):
    def __init__(self, num_classes: int = 1000, dropout: float = 0.5) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 64, kernel_size=11, stride=4, padding=2),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(64, 192, kernel_size=5, padding=2),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(192, 384, kernel_size=3, padding=1),
            nn.ReLU(inplace=True),
            nn.Conv2d(384, 256, kernel_size=3, padding=1),
            nn.ReLU(inplace=True),
            nn.Conv2d(256, 256, kernel_size=3, padding=1),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
        )
        self.avgpool = nn.AdaptiveAvgPool2d((6, 6))
        self.classifier = nn.Sequential(
            nn.Dropout(p=dropout),
            nn.Linear(256 * 6 * 6, 4096),
            nn.ReLU(inplace=True),
            nn.Dropout(p=dropout),
            nn.Linear(4096, 4096),
            nn.ReLU(inplace=True),
            nn.Linear(4096, num_classes),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.features(x)
        x = self.avgpool(x)
        x = torch.flatten(x, 1)
        x = self.classifier(x)
        return x
""", "3x224x224"),
    ("ordered-dict", """
model = nn.Sequential(OrderedDict([
    ('conv1', nn.Conv2d(1, 20, 5)),
    ('relu1', nn.ReLU()),
    ('conv2', nn.Conv2d(20, 64, 5)),
    ('relu2', nn.ReLU()),
]))
""", None),
    ("nested-seq", "nn.Sequential(nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU()),\n"
                   "              nn.Sequential(nn.Conv2d(8, 8, 3, padding=1), nn.ReLU()),\n"
                   "              nn.MaxPool2d(2), nn.Flatten(), nn.Linear(8 * 14 * 14, 10))",
     None),
    ("bn-net", """
net = nn.Sequential(
    nn.Conv2d(1, 32, 3, padding=1, bias=False), nn.BatchNorm2d(32), nn.ReLU(),
    nn.Conv2d(32, 64, 3, stride=2, padding=1, bias=False), nn.BatchNorm2d(64), nn.ReLU(),
    nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 32), nn.BatchNorm1d(32),
    nn.ReLU(), nn.Linear(32, 10))
""", None),
    ("vgg-block", """
vgg = nn.Sequential(
    nn.Conv2d(3, 64, kernel_size=3, padding=1), nn.ReLU(inplace=True),
    nn.Conv2d(64, 64, kernel_size=3, padding=1), nn.ReLU(inplace=True),
    nn.MaxPool2d(kernel_size=2, stride=2),
    nn.Conv2d(64, 128, kernel_size=3, padding=1), nn.ReLU(inplace=True),
    nn.Conv2d(128, 128, kernel_size=3, padding=1), nn.ReLU(inplace=True),
    nn.MaxPool2d(kernel_size=2, stride=2),
    nn.Flatten(), nn.Linear(128 * 8 * 8, 10))
""", "3x32x32"),
    ("residual", """
class ResNetish(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(1, 16, 3, padding=1)
        self.conv1 = nn.Conv2d(16, 16, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(16)
        self.conv2 = nn.Conv2d(16, 16, 3, padding=1)
        self.bn2 = nn.BatchNorm2d(16)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(16, 10)

    def forward(self, x):
        x = F.relu(self.stem(x))
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        out += x
        out = F.relu(out)
        out = self.pool(out)
        out = out.view(out.size(0), -1)
        return self.fc(out)
""", None),
    ("residual-expr", """
class Block(nn.Module):
    def __init__(self, c=8):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(c, c, 3, padding=1), nn.ReLU(),
                                  nn.Conv2d(c, c, 3, padding=1))
        self.head = nn.Conv2d(3, c, 1)

    def forward(self, x):
        x = self.head(x)
        return F.relu(self.body(x) + x)
""", "3x16x16"),
    ("strided-dilated", "nn.Sequential(nn.Conv2d(3, 8, (3, 5), stride=(2, 1), padding=(1, 2),"
                        " dilation=2), nn.ReLU6(), nn.Conv2d(8, 16, 3, groups=4),"
                        " nn.GELU(), nn.Conv2d(16, 16, 1, padding='valid'))", "3x40x30"),
    ("same-padding", "nn.Sequential(nn.Conv2d(1, 4, 4, padding='same'), nn.SiLU(),"
                     " nn.Conv2d(4, 4, 5, padding='same', padding_mode='reflect'), nn.ELU())",
     None),
    ("ceil-pools", "nn.Sequential(nn.Conv2d(3, 8, 3), nn.MaxPool2d(3, stride=2, ceil_mode=True),"
                   " nn.AvgPool2d(2, ceil_mode=True, count_include_pad=False),"
                   " nn.MaxPool2d(2, padding=1, dilation=1))", "3x29x29"),
    ("decoder", "nn.Sequential(nn.ConvTranspose2d(16, 8, 3, stride=2, padding=1,"
                " output_padding=1), nn.ReLU(), nn.ConvTranspose2d(8, 1, 4, 2, 1), nn.Sigmoid())",
     "16x7x7"),
    ("convt-dilated", "nn.Sequential(nn.ConvTranspose2d(4, 4, 3, stride=3, dilation=2,"
                      " groups=2, bias=False), nn.Tanh())", "4x5x6"),
    ("lrn-net", "nn.Sequential(nn.Conv2d(3, 96, 11, stride=4), nn.ReLU(),"
                " nn.LocalResponseNorm(5, alpha=0.0001, beta=0.75, k=2.0), nn.MaxPool2d(3, 2))",
     "3x227x227"),
    ("leaky-softmax", "nn.Sequential(nn.Flatten(), nn.Linear(3 * 8 * 8, 20),"
                      " nn.LeakyReLU(0.2), nn.Linear(20, 5), nn.Softmax(dim=1))", "3x8x8"),
    ("adaptive-max", "nn.Sequential(nn.Conv2d(3, 6, 3), nn.AdaptiveMaxPool2d((2, 3)),"
                     " nn.Flatten(), nn.Linear(36, 4))", "3x17x19"),
    ("zero-pad", "nn.Sequential(nn.ZeroPad2d((1, 2, 0, 3)), nn.Conv2d(1, 2, 3),"
                 " nn.ConstantPad2d(1, 0.5), nn.MaxPool2d(2))", None),
    ("identity-dropout2d", "nn.Sequential(nn.Conv2d(1, 4, 3), nn.Identity(), nn.Dropout2d(0.1),"
                           " nn.Flatten(1), nn.Linear(4 * 26 * 26, 3, bias=False))", None),
    ("flat-input", "nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))", None),
    ("bn-options", "nn.Sequential(nn.Conv2d(1, 8, 3), nn.BatchNorm2d(8, affine=False),"
                   " nn.Conv2d(8, 8, 3), nn.BatchNorm2d(8, track_running_stats=False),"
                   " nn.BatchNorm2d(8, 1e-3, 0.01))", None),
    ("keyword-order", "nn.Sequential(nn.Conv2d(out_channels=8, in_channels=1, kernel_size=3,"
                      " stride=2), nn.MaxPool2d(kernel_size=(2, 1), stride=(1, 2)))", None),
    ("view-minus-one", """
class Small(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 10, kernel_size=5)
        self.conv2 = nn.Conv2d(10, 20, kernel_size=5)
        self.conv2_drop = nn.Dropout2d()
        self.fc1 = nn.Linear(320, 50)
        self.fc2 = nn.Linear(50, 10)

    def forward(self, x):
        x = F.relu(F.max_pool2d(self.conv1(x), 2))
        x = F.relu(F.max_pool2d(self.conv2_drop(self.conv2(x)), 2))
        x = x.view(-1, 320)
        x = F.relu(self.fc1(x))
        x = F.dropout(x, training=self.training)
        x = self.fc2(x)
        return F.log_softmax(x, dim=1)
""", None),
    ("module-constants", """
CHANNELS = 3
HIDDEN = 64
NUM_CLASSES = 7

model = nn.Sequential(
    nn.Conv2d(CHANNELS, HIDDEN // 2, kernel_size=3, padding=1),
    nn.ReLU(),
    nn.MaxPool2d(2),
    nn.Conv2d(HIDDEN // 2, HIDDEN, kernel_size=3, padding=1),
    nn.ReLU(),
    nn.AdaptiveAvgPool2d(output_size=1),
    nn.Flatten(),
    nn.Linear(HIDDEN, NUM_CLASSES),
)
""", "3x48x48"),
    ("torch-nn-prefix", "torch.nn.Sequential(torch.nn.Conv2d(1, 6, 3, 1, 1),"
                        " torch.nn.ReLU(), torch.nn.AvgPool2d(2, 2, 0, True, False),"
                        " torch.nn.Flatten(), torch.nn.Linear(6 * 14 * 14, 10))", None),
    ("reshape-batch-var", """
class R(nn.Module):
    def __init__(self, hidden=32):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(1, hidden, 3, 2), nn.ReLU())
        self.out = nn.Linear(hidden * 13 * 13, 10)

    def forward(self, x):
        n = x.shape[0]
        x = self.features(x)
        x = x.reshape(n, -1)
        return self.out(x)
""", None),
    ("basic-block-downsample", """
class BasicBlock(nn.Module):
    def __init__(self, inplanes=16, planes=32, stride=2):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(planes, planes, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = nn.Sequential(
            nn.Conv2d(inplanes, planes, kernel_size=1, stride=stride, bias=False),
            nn.BatchNorm2d(planes),
        )

    def forward(self, x):
        identity = x
        out = self.conv1(x)
        out = self.bn1(out)
        out = self.relu(out)
        out = self.conv2(out)
        out = self.bn2(out)
        identity = self.downsample(x)
        out += identity
        out = self.relu(out)
        return out
""", "16x15x15"),
    ("functional-pools", """
class P(nn.Module):
    def __init__(self):
        super().__init__()
        self.c = nn.Conv2d(3, 4, 3)

    def forward(self, x):
        x = F.leaky_relu(self.c(x), 0.1)
        x = F.max_pool2d(x, kernel_size=3, stride=2, padding=1, ceil_mode=True)
        x = F.adaptive_avg_pool2d(x, (3, 3))
        x = F.softmax(x, dim=1)
        return x.flatten(1)
""", "3x30x30"),
]
