# Source: https://github.com/fabacha/FLAME_Cifar-10/blob/4cba238e7b214e4d7bf64040dfb5aff3247e805d/base/base_model.py
# Repository: fabacha/FLAME_Cifar-10  path: base/base_model.py  commit: 4cba238e7b214e4d7bf64040dfb5aff3247e805d
# Licence: not stated in the repository
# ruff: noqa  (kept byte for byte below these five lines, for the held-out reading
#   benchmark bench/realworld_share.py; cnncalc reads it and never runs it)
import torch
import torch.nn as nn
import torch.nn.functional as F


class CNN(nn.Module):
    def __init__(self, num_classes=10):
        super(CNN, self).__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 16, kernel_size=3, stride=1, padding=1),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=2, stride=2),
            nn.Conv2d(16, 32, kernel_size=3, stride=1, padding=1),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=2, stride=2),
        )

        self.classifier = nn.Linear(32 * 8 * 8, num_classes)

    def forward(self, x):
        x = self.features(x)
        x = x.view(x.size(0), -1)
        x = self.classifier(x)
        return x

if __name__ == "__main__":
    net = CNN(num_classes=10)
    net.eval()
    torch.manual_seed(1)
    x = torch.randn(10, 3, 32, 32)
    out = net(x)
    print("out.shape:", out.shape)
