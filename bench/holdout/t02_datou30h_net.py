# Source: https://github.com/datou30h/Stochastic-Cubic-GDA/blob/8575ecef7bac83a16e1dd71d469b3696bc4429c1/net.py
# Repository: datou30h/Stochastic-Cubic-GDA  path: net.py  commit: 8575ecef7bac83a16e1dd71d469b3696bc4429c1
# Licence: not stated in the repository
# ruff: noqa  (kept byte for byte below these five lines, for the held-out reading
#   benchmark bench/realworld_share.py; cnncalc reads it and never runs it)
import torch.nn as nn
import torch

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.network = nn.Sequential(
            nn.Conv2d(1, 10, kernel_size=5 ),
            nn.ReLU(),
            nn.MaxPool2d(2, 2), # output: 64 x 16 x 16

            nn.Conv2d(10, 20, kernel_size=5 ),
            nn.ReLU(),
            nn.MaxPool2d(2, 2), # output: 128 x 8 x 8

            nn.Flatten(),
            nn.Linear(320, 50),
            nn.ReLU(),
            nn.Linear(50, 10))

    def forward(self, xb):
        return self.network(xb)