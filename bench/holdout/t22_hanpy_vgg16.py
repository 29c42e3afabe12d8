# Source: https://github.com/han-py/study_paoge_pytorch/blob/2793945ae34129d85f7d24d5a8bb020d95cc2fcc/VGG16/model.py
# Repository: han-py/study_paoge_pytorch  path: VGG16/model.py  commit: 2793945ae34129d85f7d24d5a8bb020d95cc2fcc
# Licence: not stated in the repository
# ruff: noqa  (kept byte for byte below these five lines, for the held-out reading
#   benchmark bench/realworld_share.py; cnncalc reads it and never runs it)
import torch
from torch import nn
from torchsummary import summary


class VGG16(nn.Module):
    def __init__(self, num_classes=10):
        super(VGG16, self).__init__()
        self.conv1 = nn.Conv2d(in_channels=3, out_channels=64, kernel_size=3, stride=1, padding=1)
        self.conv2 = nn.Conv2d(in_channels=64, out_channels=64, kernel_size=3, stride=1, padding=1)
        self.pool1 = nn.MaxPool2d(kernel_size=2, stride=2)