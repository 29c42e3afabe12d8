# Source: https://github.com/zengchen233/PyTorch-Tutorials/blob/c017f375a469393532ed7d4b18c7725febbae151/模型训练/CIFAR10.py
# Repository: zengchen233/PyTorch-Tutorials  path: 模型训练/CIFAR10.py  commit: c017f375a469393532ed7d4b18c7725febbae151
# Licence: not stated in the repository
# ruff: noqa  (kept byte for byte below these five lines, for the held-out reading
#   benchmark bench/realworld_share.py; cnncalc reads it and never runs it)
import torch
from torch import nn


class CIFAR10(nn.Module):
    def __init__(self):
        super(CIFAR10, self).__init__()
        self.cifar10 = nn.Sequential(
            nn.Conv2d(3, 32, 5, 1, 2),
            nn.MaxPool2d(2),
            nn.Conv2d(32, 32, 5, 1, 2),
            nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 5, 1, 2),
            nn.MaxPool2d(2),
            nn.Flatten(),
            nn.Linear(64 * 4 * 4, 64),
            nn.Linear(64, 10)
        )

    def forward(self, x):
        return self.cifar10(x)


if __name__ == '__main__':
    net = CIFAR10()
    input = torch.ones((64, 3, 32, 32))
    output = net(input)
    print(output.shape)
