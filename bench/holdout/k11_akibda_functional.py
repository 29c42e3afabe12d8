# Source: https://github.com/AkibDa/Deep-Learning/blob/0e41243ce8f2b672a54e19ccda7999f6ec6d96e7/functional.py
# Repository: AkibDa/Deep-Learning  path: functional.py  commit: 0e41243ce8f2b672a54e19ccda7999f6ec6d96e7
# Licence: not stated in the repository
# ruff: noqa  (kept byte for byte below these five lines, for the held-out reading
#   benchmark bench/realworld_share.py; cnncalc reads it and never runs it)
import tensorflow as tf
from tensorflow import  keras
import numpy as np

# model : sequential : one input, one output
model = keras.models.Sequential([
  keras.layers.Flatten(input_shape=(28, 28)),
  keras.layers.Dense(128, activation='relu'),
  keras.layers.Dense(10),
])

print(model.summary())

# functional API
inputs = keras.Input(shape=(28, 28))

flatten = keras.layers.Flatten()
dense1 = keras.layers.Dense(128, activation='relu')
dense2 = keras.layers.Dense(10)
dense2_2 = keras.layers.Dense(1)

x = flatten(inputs)
x = dense1(x)

outputs = dense2(x)
outputs2 = dense2_2(x)

model = keras.Model(inputs=inputs, outputs=[outputs, outputs2], name='functional_model')

print(model.summary())

new_model = keras.models.Sequential()
for layer in model.layers:
  new_model.add(layer)

inputs = keras.Input(shape=(28, 28))
x = new_model.layers[0](inputs)
for layer in new_model.layers[1:]:
  x = layer(x)
outputs = x