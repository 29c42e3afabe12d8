# Source: https://github.com/AdamNiem/SriLankaSARWebApp/blob/16cd56747d633c53d22826c5fb72ef19cb286feb/services/training/model.py
# Repository: AdamNiem/SriLankaSARWebApp  path: services/training/model.py  commit: 16cd56747d633c53d22826c5fb72ef19cb286feb
# Licence: not stated in the repository
# ruff: noqa  (kept byte for byte below these five lines, for the held-out reading
#   benchmark bench/realworld_share.py; cnncalc reads it and never runs it)
import torch
import torch.nn as nn


class DoubleConv(nn.Module):
    def __init__(self, in_ch, out_ch):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(in_ch, out_ch, 3, padding=1),
            nn.BatchNorm2d(out_ch),
            nn.ReLU(inplace=True),
            nn.Conv2d(out_ch, out_ch, 3, padding=1),
            nn.BatchNorm2d(out_ch),
            nn.ReLU(inplace=True),
        )

    def forward(self, x):
        return self.net(x)


class UNet(nn.Module):
    def __init__(self, in_channels=2, out_channels=1, features=[32, 64, 128]):
        super().__init__()
        self.downs = nn.ModuleList()
        self.ups = nn.ModuleList()
        self.pool = nn.MaxPool2d(2)

        # Down
        prev_ch = in_channels
        for feat in features:
            self.downs.append(DoubleConv(prev_ch, feat))
            prev_ch = feat

        # Up
        for feat in reversed(features[:-1]):
            self.ups.append(nn.ConvTranspose2d(prev_ch, feat, kernel_size=2, stride=2))
            self.ups.append(DoubleConv(prev_ch, feat))
            prev_ch = feat

        self.bottleneck = DoubleConv(prev_ch, features[-1])
        self.final = nn.Conv2d(features[0], out_channels, kernel_size=1)

    def forward(self, x):
        skip_connections = []
        for down in self.downs:
            x = down(x)
            skip_connections.append(x)
            x = self.pool(x)

        x = self.bottleneck(x)
        skip_connections = skip_connections[::-1]

        for idx in range(0, len(self.ups), 2):
            upconv = self.ups[idx]
            double = self.ups[idx + 1]
            x = upconv(x)
            skip = skip_connections[idx // 2]
            if x.shape != skip.shape:
                x = nn.functional.interpolate(x, size=skip.shape[2:])
            x = torch.cat((skip, x), dim=1)
            x = double(x)

        return torch.sigmoid(self.final(x))
*** End Patch