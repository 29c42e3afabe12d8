# Source: https://github.com/FIIT-MSc-projects/2023-Komora-Modelling-Framework-for-Simplified-Split-Learning/blob/07b400dc78d7de500ed032c2d3f0a9426b11381e/src/models/client_model_1.py
# Repository: FIIT-MSc-projects/2023-Komora-Modelling-Framework-for-Simplified-Split-Learning  path: src/models/client_model_1.py  commit: 07b400dc78d7de500ed032c2d3f0a9426b11381e
# Licence: not stated in the repository
# ruff: noqa  (kept byte for byte below these five lines, for the held-out reading
#   benchmark bench/realworld_share.py; cnncalc reads it and never runs it)
import torch.nn as nn
import torch.nn.functional as F

class model1(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1,32, 3)
        self.pool = nn.MaxPool2d(2, 2)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        return x