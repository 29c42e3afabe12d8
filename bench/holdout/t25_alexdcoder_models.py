# Source: https://github.com/AlexDcoder/Monsters_ygo/blob/7542fb460ce2de1a64caac7bbdffb1bc7726b55f/utils/models.py
# Repository: AlexDcoder/Monsters_ygo  path: utils/models.py  commit: 7542fb460ce2de1a64caac7bbdffb1bc7726b55f
# Licence: not stated in the repository
# ruff: noqa  (kept byte for byte below these five lines, for the held-out reading
#   benchmark bench/realworld_share.py; cnncalc reads it and never runs it)
import torch
import torch.nn as nn
import torch.optim as optim
from torch.utils.data import DataLoader

class SimpleCNN(nn.Module):
    def __init__(self, num_classes):
        super(SimpleCNN, self).__init__()
        self.net = nn.Sequential(
            nn.Conv2d(3, 16, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),

            nn.Conv2d(16, 32, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),

            nn.Conv2d(32, 64, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.AdaptiveAvgPool2d((1, 1))
        )
        self.classifier = nn.Linear(64, num_classes)

    def forward(self, x):
        x = self.net(x)
        x = x.view(x.size(0), -1)  # flatten
        return self.classifier(x)