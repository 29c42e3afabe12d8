# Source: https://github.com/zihsyuan1214/RMDA/blob/626bc7fe7b95a7bcd6e8c1c5e2804f2eaa5e9328/Experiments/Models/lenet5_small.py
# Repository: zihsyuan1214/RMDA  path: Experiments/Models/lenet5_small.py  commit: 626bc7fe7b95a7bcd6e8c1c5e2804f2eaa5e9328
# Licence: not stated in the repository
# ruff: noqa  (kept byte for byte below these five lines, for the held-out reading
#   benchmark bench/realworld_share.py; cnncalc reads it and never runs it)
import torch

class LeNet5(torch.nn.Module):
    def __init__(self):
        super(LeNet5, self).__init__()
        self.conv1 = torch.nn.Conv2d(in_channels=1, out_channels=6, kernel_size=5, padding=2)
        self.conv2 = torch.nn.Conv2d(in_channels=6, out_channels=16, kernel_size=5)
        self.fc1 = torch.nn.Linear(in_features=16*5*5, out_features=120)
        self.fc2 = torch.nn.Linear(in_features=120, out_features=84)
        self.fc3 = torch.nn.Linear(in_features=84, out_features=10)
        self.pool = torch.nn.MaxPool2d(kernel_size=2)
        self.relu = torch.nn.ReLU(inplace=True)
        self.log_softmax = torch.nn.LogSoftmax(dim=1)

    def forward(self, x):
        x = self.pool(self.relu(self.conv1(x)))
        x = self.pool(self.relu(self.conv2(x)))
        x = x.view(x.size(0), -1)
        x = self.relu(self.fc1(x))
        x = self.relu(self.fc2(x))
        x = self.fc3(x)
        return self.log_softmax(x)
