# Source: https://github.com/eungyukm/Miravelle-FastAPI/blob/7eb18090a7c9acddb471be51bcfe0b2a46290208/miravelle_agent/src/models/common.py
# Repository: eungyukm/Miravelle-FastAPI  path: miravelle_agent/src/models/common.py  commit: 7eb18090a7c9acddb471be51bcfe0b2a46290208
# Licence: not stated in the repository
# ruff: noqa  (kept byte for byte below these five lines, for the held-out reading
#   benchmark bench/realworld_share.py; cnncalc reads it and never runs it)
import torch.nn as nn

class SimpleCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(3, 16, 3, stride=2, padding=1),
            nn.ReLU(),
            nn.AdaptiveAvgPool2d(1),
            nn.Flatten(),
            nn.Linear(16, 2)
        )

    def forward(self, x):
        return self.net(x)