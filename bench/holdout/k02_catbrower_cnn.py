# Source: https://github.com/catbrower/QuantFinance/blob/abed56ac005ec6042a08969877673773811365e4/CNN.py
# Repository: catbrower/QuantFinance  path: CNN.py  commit: abed56ac005ec6042a08969877673773811365e4
# Licence: not stated in the repository
# ruff: noqa  (kept byte for byte below these five lines, for the held-out reading
#   benchmark bench/realworld_share.py; cnncalc reads it and never runs it)
from keras.models import Sequential
from keras.layers import Dense, Conv2D, Flatten#create model

model = Sequential()#add model layers
model.add(Conv2D(64, kernel_size=3, activation='relu', input_shape=(28,28,1)))
model.add(Conv2D(32, kernel_size=3, activation='relu'))
model.add(Flatten())
model.add(Dense(10, activation='softmax'))