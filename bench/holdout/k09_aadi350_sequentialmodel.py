# Source: https://github.com/aadi350/player-cricket-detect/blob/33318e33e7ffcbd7e48a98171faf048a8762e0af/models/nativesequential/sequentialmodel.py
# Repository: aadi350/player-cricket-detect  path: models/nativesequential/sequentialmodel.py  commit: 33318e33e7ffcbd7e48a98171faf048a8762e0af
# Licence: not stated in the repository
# ruff: noqa  (kept byte for byte below these five lines, for the held-out reading
#   benchmark bench/realworld_share.py; cnncalc reads it and never runs it)
from tensorflow.keras.layers import Dense, Dropout, Conv2D, MaxPooling2D, Flatten
from tensorflow.keras.models import Sequential

IMAGE_SIZE = (224, 224, 3)

model = Sequential([
    Conv2D(128, 3, padding='same', input_shape=IMAGE_SIZE, activation='relu'),
    MaxPooling2D(),
    Conv2D(64, 3, padding='same', activation='relu'),
    MaxPooling2D(),
    Conv2D(32, 3, padding='same', activation='relu'),
    MaxPooling2D(),
    Flatten(),
    Dense(64, activation='relu'),
    Dense(32, activation='relu'),
    Dense(2, activation='softmax')
])

model.compile(
    optimizer='sgd',
    loss='categorical_crossentropy',
    metrics=['accuracy']
)

