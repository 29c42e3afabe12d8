# Source: https://github.com/Kbigstar/Python_Study/blob/47b2d6b7deb3472ec1da064633e6f69004486b60/ANN/CNN_MNIST.py
# Repository: Kbigstar/Python_Study  path: ANN/CNN_MNIST.py  commit: 47b2d6b7deb3472ec1da064633e6f69004486b60
# Licence: not stated in the repository
# ruff: noqa  (kept byte for byte below these five lines, for the held-out reading
#   benchmark bench/realworld_share.py; cnncalc reads it and never runs it)
from keras.datasets import mnist
import numpy as np
from keras.models import Sequential
from keras.layers import Dense, Flatten, Conv2D, MaxPooling2D

model = Sequential()
model.add(Conv2D(32, kernel_size=(3, 3)
                 , input_shape=(28, 28, 1), activation='relu'))
model.add(Conv2D(64, (3, 3), activation='relu'))
model.add(MaxPooling2D(pool_size=2))
model.add(Dense(128, activation='relu'))
model.add(Dense(10, activation='softmax'))
model.summary()