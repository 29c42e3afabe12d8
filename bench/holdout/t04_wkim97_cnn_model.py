# Source: https://github.com/wkim97/Adversarial_Defense/blob/9fa8ebadcb1eb2a512e39e33caaa072837f3da4a/denoising/CNN_model.py
# Repository: wkim97/Adversarial_Defense  path: denoising/CNN_model.py  commit: 9fa8ebadcb1eb2a512e39e33caaa072837f3da4a
# Licence: not stated in the repository
# ruff: noqa  (kept byte for byte below these five lines, for the held-out reading
#   benchmark bench/realworld_share.py; cnncalc reads it and never runs it)
import torch.nn as nn
import torch.nn.functional as F

class MNIST_net(nn.Module):
    def __init__(self):
        super(MNIST_net, self).__init__()
        self.conv1 = nn.Conv2d(1, 32, 5)
        self.conv2 = nn.Conv2d(32, 64, 5)
        self.fc1 = nn.Linear(64 * 4 * 4, 10)
    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = x.view(-1, 64 * 4 * 4)
        x = self.fc1(x)
        x = F.log_softmax(x, dim=1)
        return x