"""Branched Keras functional models: (name, code, trainable parameters, output shape).

The counts are derived by hand in the comments (Keras is not installed in CI). They were
also checked once with keras 3.15.1 on the torch backend (KERAS_BACKEND=torch), whose
model.count_params() and output shapes agreed.
"""

from __future__ import annotations

HEAD = "import keras\nfrom keras import layers\n\n"

MODELS: list[tuple[str, str, int, tuple[int, ...]]] = [
    # conv 3·3·3·16+16 = 448; a 16·8+8 = 136; b 3·3·16·8+8 = 1,160; gate 32·32+32 = 1,056;
    # head 32·4+4 = 132: 2,932. concatenate([a, b]) then Concatenate([c, x]): 32 channels.
    ("se-upsample", HEAD + """
inputs = keras.Input(shape=(32, 32, 3))
x = layers.Conv2D(16, 3, padding="same", activation="relu")(inputs)
a = layers.Conv2D(8, 1)(x)
b = layers.Conv2D(8, 3, padding="same")(x)
c = layers.concatenate([a, b])
d = layers.Concatenate(axis=-1)([c, x])
g = layers.GlobalAveragePooling2D(keepdims=True)(d)
g = layers.Conv2D(32, 1, activation="sigmoid")(g)
e = layers.Multiply()([d, g])
f = e + d
u = layers.UpSampling2D(2)(f)
outputs = layers.Conv2D(4, 1)(u)
model = keras.Model(inputs, outputs)
""", 2_932, (64, 64, 4)),
    # b1 8·4+4 = 36; b2a 36; b2b 3·3·4·8+8 = 296; b3 36: 16 channels of 16x16;
    # dense 16·16·16·10+10 = 40,970: 41,374.
    ("inception", HEAD + """
inputs = keras.Input(shape=(16, 16, 8))
b1 = layers.Conv2D(4, 1, activation="relu")(inputs)
b2 = layers.Conv2D(4, 1, activation="relu")(inputs)
b2 = layers.Conv2D(8, 3, padding="same", activation="relu")(b2)
b3 = layers.MaxPooling2D(3, strides=1, padding="same")(inputs)
b3 = layers.Conv2D(4, 1, activation="relu")(b3)
x = layers.concatenate([b1, b2, b3], axis=-1)
x = layers.Flatten()(x)
outputs = layers.Dense(10)(x)
model = keras.Model(inputs=inputs, outputs=outputs)
""", 41_374, (10,)),
    # a 4·4+4 = 20; b 3·3·4·4+4 = 148; c 20; dense 4·2+2 = 10: 198.
    ("three-way-add", HEAD + """
x0 = keras.Input(shape=(8, 8, 4))
a = layers.Conv2D(4, 1)(x0)
b = layers.Conv2D(4, 3, padding="same")(x0)
s = layers.add([x0, a, b])
t = layers.Add()([s, layers.Conv2D(4, 1)(s)])
t = layers.Activation("relu")(t)
y = layers.GlobalAveragePooling2D()(t)
model = keras.Model(x0, layers.Dense(2)(y))
""", 198, (2,)),
    # c1 3·3·1·4+4 = 40; c2 3·3·4·8+8 = 296; out 12·1+1 = 13: 349.
    ("unet", HEAD + """
i = keras.Input(shape=(16, 16, 1))
c1 = layers.Conv2D(4, 3, padding="same", activation="relu")(i)
p = layers.MaxPooling2D()(c1)
c2 = layers.Conv2D(8, 3, padding="same", activation="relu")(p)
u = layers.UpSampling2D()(c2)
m = layers.Concatenate(axis=-1)([u, c1])
o = layers.Conv2D(1, 1, activation="sigmoid")(m)
model = keras.Model(i, o)
""", 349, (16, 16, 1)),
    # conv 3·3·3·8+8 = 224, bn 4·8 = 32 (16 trainable, 16 statistics); gate 8·8+8 = 72;
    # residual x * gate + x; dense 8·3+3 = 27. Trainable 224+16+72+27 = 339.
    ("se-residual-gate", HEAD + """
inputs = keras.Input(shape=(8, 8, 3))
x = layers.Conv2D(8, 3, padding="same")(inputs)
x = layers.BatchNormalization()(x)
g = layers.GlobalAveragePooling2D(keepdims=True)(x)
g = layers.Conv2D(8, 1, activation="sigmoid")(g)
x = x * g + x
x = layers.GlobalAveragePooling2D()(x)
outputs = layers.Dense(3, activation="softmax")(x)
model = keras.Model(inputs, outputs)
""", 339, (3,)),
]
