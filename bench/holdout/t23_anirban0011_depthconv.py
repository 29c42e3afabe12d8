# Source: https://github.com/Anirban0011/Shopee---Price-Match-Guarantee--Kaggle-/blob/0525051356a35dae961f3ff31b2d0800e6e0ab7a/main_folder/code_base/pipeline/depthconv.py
# Repository: Anirban0011/Shopee---Price-Match-Guarantee--Kaggle-  path: main_folder/code_base/pipeline/depthconv.py  commit: 0525051356a35dae961f3ff31b2d0800e6e0ab7a
# Licence: not stated in the repository
# ruff: noqa  (kept byte for byte below these five lines, for the held-out reading
#   benchmark bench/realworld_share.py; cnncalc reads it and never runs it)
import torch
import torch.nn as nn

class DepthwiseSeparableConv(nn.Module):
    def __init__(self, in_channels=3072, out_channels=1792):
        super(DepthwiseSeparableConv, self).__init__()
        self.depthwise = nn.Conv2d(in_channels, in_channels, kernel_size=3, padding=1, groups=in_channels)
        self.pointwise = nn.Conv2d(in_channels, out_channels, kernel_size=1)

    def forward(self, x):
        x = self.depthwise(x)
        x = self.pointwise(x)
        return x