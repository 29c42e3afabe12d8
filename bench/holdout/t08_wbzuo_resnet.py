# Source: https://github.com/wbzuo/knowledge-base/blob/64ef5e4cd04f95adebd1587ecfaf6b55ad2a1a05/pytorch/pytorch/experiments/image_classification/resnet.py
# Repository: wbzuo/knowledge-base  path: pytorch/pytorch/experiments/image_classification/resnet.py  commit: 64ef5e4cd04f95adebd1587ecfaf6b55ad2a1a05
# Licence: not stated in the repository
# ruff: noqa  (kept byte for byte below these five lines, for the held-out reading
#   benchmark bench/realworld_share.py; cnncalc reads it and never runs it)
import torch
import torch.nn as nn

class BasicBlock(nn.Module):
    
    def __init__(self, in_channel, out_channel, stride=1):
        super(BasicBlock, self).__init__()
        self.left = nn.Sequential(
            nn.Conv2d(in_channel, out_channel, kernel_size=3, padding = 1, bias = False),
            nn.BatchNorm2d(out_channel),
            nn.ReLU(inplace=True),
            nn.Conv2d(in_channel, out_channel, kernel_size=3, padding = 1, bias = False),
            nn.BatchNorm2d(out_channel),
        )
        self.shortcut = nn.Sequential()
        if stride != 1 or in_channel != out_channel:
            self.shortcut = nn.Sequential(
                nn.Conv2d(in_channel, out_channel, kernel_size=1, stride=stride, bias=False),
                nn.BatchNorm2d(out_channel)
            )
        
    def forward(self, x):
        
        return output
        

x = torch.randn(256, 3, 224,224)