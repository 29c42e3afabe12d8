# Source: https://github.com/SwitzerChees/mask_police/blob/1842271e9bd101711f9cae190c706c2c2cbd8954/first_model.py
# Repository: SwitzerChees/mask_police  path: first_model.py  commit: 1842271e9bd101711f9cae190c706c2c2cbd8954
# Licence: not stated in the repository
# ruff: noqa  (kept byte for byte below these five lines, for the held-out reading
#   benchmark bench/realworld_share.py; cnncalc reads it and never runs it)
from tensorflow.keras.layers import Conv2D, MaxPooling2D, Flatten, Dropout, Dense
from tensorflow.keras.models import Sequential

model = Sequential([
    Conv2D(50, (3, 3), activation='relu', input_shape=(150, 150, 3)),
    MaxPooling2D(2, 2),

    Conv2D(50, (3, 3), activation='relu'),
    MaxPooling2D(2, 2),

    Flatten(),
    Dropout(0.3),
    Dense(50, activation='relu'),
    Dense(2, activation='softmax')
])