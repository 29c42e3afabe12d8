# Source: https://github.com/Binney1/AutoEncoder/blob/144f30c473a6938a49805fe641d33cf2641cdf97/ConvAE.py
# Repository: Binney1/AutoEncoder  path: ConvAE.py  commit: 144f30c473a6938a49805fe641d33cf2641cdf97
# Licence: not stated in the repository
# ruff: noqa  (kept byte for byte below these five lines, for the held-out reading
#   benchmark bench/realworld_share.py; cnncalc reads it and never runs it)
import torch
import torch.nn as nn
import torchvision
import torchvision.transforms as transforms

class ConvAutoEncoder(nn.Module):

    def __init__(self):
        super().__init__()

        self.encoder = nn.Sequential(
            nn.Conv2d(1, 16, 3, stride=3, padding=1),
            nn.ReLU(True),
            nn.MaxPool2d(2, stride=2),
            nn.Conv2d(16, 8, 3, stride=2, padding=1),
            nn.ReLU(True),
            nn.MaxPool2d(2, stride=1)
        )