# Source: https://github.com/tangzeping-1/handwritten_recongnition/blob/2d878678fe0ca0acb9d378619950c7b4801c41ed/cnn_web/cnn_model.py
# Repository: tangzeping-1/handwritten_recongnition  path: cnn_web/cnn_model.py  commit: 2d878678fe0ca0acb9d378619950c7b4801c41ed
# Licence: not stated in the repository
# ruff: noqa  (kept byte for byte below these five lines, for the held-out reading
#   benchmark bench/realworld_share.py; cnncalc reads it and never runs it)
import torch.nn as nn
import torch.nn.functional as F

class CNN(nn.Module):
    def __init__(self):
        super(CNN, self).__init__()
        self.conv1 = nn.Conv2d(1, 16, kernel_size=3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, kernel_size=3, padding=1)
        self.pool = nn.MaxPool2d(2, 2)
        self.fc1 = nn.Linear(32 * 9 * 9, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))  # -> [16, 18, 18]
        x = self.pool(F.relu(self.conv2(x)))  # -> [32, 9, 9]
        x = x.view(x.size(0), -1)             # 展平
        x = F.relu(self.fc1(x))
        return self.fc2(x)