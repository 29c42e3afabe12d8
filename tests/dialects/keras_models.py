"""Keras models as people write them: (name, code, --input or None for the code's own)."""

from __future__ import annotations

HEADER = "import keras\nfrom keras import layers, models\nfrom keras.layers import *\n" \
         "from keras.models import Sequential\nimport tensorflow as tf\n\n"

MODELS: list[tuple[str, str, str | None]] = [
    # keras.io "Simple MNIST convnet": published summary, 34,826 parameters.
    ("keras-io-mnist", """
num_classes = 10
input_shape = (28, 28, 1)
model = keras.Sequential(
    [
        keras.Input(shape=input_shape),
        layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Flatten(),
        layers.Dropout(0.5),
        layers.Dense(num_classes, activation="softmax"),
    ]
)
""", None),
    # TensorFlow's CNN tutorial (CIFAR-10): published summary, 122,570 parameters.
    ("tf-cnn-tutorial", """
model = models.Sequential()
model.add(layers.Conv2D(32, (3, 3), activation='relu', input_shape=(32, 32, 3)))
model.add(layers.MaxPooling2D((2, 2)))
model.add(layers.Conv2D(64, (3, 3), activation='relu'))
model.add(layers.MaxPooling2D((2, 2)))
model.add(layers.Conv2D(64, (3, 3), activation='relu'))
model.add(layers.Flatten())
model.add(layers.Dense(64, activation='relu'))
model.add(layers.Dense(10))
""", None),
    ("dense-only", """
model = Sequential([
    Flatten(input_shape=(28, 28)),
    Dense(128, activation='relu'),
    Dropout(0.2),
    Dense(10)
])
""", None),
    ("same-stride2", "Sequential([Input(shape=(28, 28, 1)), Conv2D(16, 3, strides=2, "
                     "padding='same'), MaxPooling2D(padding='same'), Conv2D(8, 5, 2, 'same')])",
     None),
    ("same-even", "Sequential([Input((31, 17, 3)), Conv2D(4, 4, strides=3, padding='same'),"
                  " AveragePooling2D(3, 2, 'same'), Conv2D(4, (2, 3), padding='same')])", None),
    ("valid-rect", "Sequential([Input(shape=(40, 30, 2)), Conv2D(6, (5, 3), strides=(2, 1)),"
                   " MaxPool2D((3, 2)), AvgPool2D(pool_size=2, strides=1)])", None),
    ("dilated-groups", "Sequential([Input(shape=(32, 32, 4)), Conv2D(8, 3, dilation_rate=2,"
                       " groups=2, use_bias=False), Conv2D(8, 3, dilation_rate=(1, 3),"
                       " padding='same')])", None),
    ("batchnorm", """
model = keras.Sequential([
    layers.Conv2D(32, 3, use_bias=False, input_shape=(28, 28, 1)),
    layers.BatchNormalization(),
    layers.Activation('relu'),
    layers.Conv2D(64, 3, strides=2, use_bias=False),
    layers.BatchNormalization(center=False, scale=False),
    layers.ReLU(),
    layers.GlobalAveragePooling2D(),
    layers.Dense(10, activation='softmax'),
])
""", None),
    ("bn-dense", "keras.Sequential([keras.Input(shape=(20,)), layers.Dense(64),"
                 " layers.BatchNormalization(momentum=0.9, epsilon=1e-5), layers.ReLU(),"
                 " layers.Dense(1, activation='sigmoid')])", None),
    ("depthwise", "Sequential([Input(shape=(32, 32, 3)), DepthwiseConv2D(3, padding='same'),"
                  " DepthwiseConv2D((3, 3), strides=2, depth_multiplier=2, use_bias=False),"
                  " Conv2D(16, 1)])", None),
    ("separable", "Sequential([Input(shape=(28, 28, 8)), SeparableConv2D(16, 3,"
                  " activation='relu'), SeparableConv2D(32, 5, strides=2, padding='same',"
                  " depth_multiplier=2, use_bias=False)])", None),
    ("transpose", "Sequential([Input(shape=(7, 7, 32)), Conv2DTranspose(16, 3, strides=2,"
                  " padding='same', activation='relu'), Conv2DTranspose(1, 3, strides=2,"
                  " padding='same', activation='sigmoid')])", None),
    ("transpose-valid", "Sequential([Input(shape=(5, 6, 4)), Conv2DTranspose(8, 3, strides=2),"
                        " Conv2DTranspose(2, 1, strides=3), Conv2DTranspose(2, 2, strides=2,"
                        " padding='valid')])", None),
    ("transpose-op", "Sequential([Input(shape=(8, 8, 3)), Conv2DTranspose(4, 3, strides=2,"
                     " output_padding=1), Conv2DTranspose(4, 4, strides=3, padding='same',"
                     " output_padding=(2, 1)), Conv2DTranspose(2, 3, strides=2,"
                     " output_padding=0)])", None),
    ("zero-padding", "Sequential([Input(shape=(28, 28, 1)), ZeroPadding2D(2), Conv2D(6, 5),"
                     " ZeroPadding2D(((0, 1), (0, 1))), Conv2D(6, 3, strides=2),"
                     " ZeroPadding2D((1, 2)), Cropping2D(((1, 0), (2, 1)))])", None),
    ("global-max", "Sequential([Input(shape=(24, 24, 3)), Conv2D(12, 3), GlobalMaxPooling2D(),"
                   " Dense(4)])", None),
    ("global-keepdims", "Sequential([Input(shape=(24, 24, 3)), Conv2D(12, 3),"
                        " GlobalAveragePooling2D(keepdims=True), Flatten(), Dense(4)])", None),
    ("activations", "Sequential([Input(shape=(16, 16, 2)), Conv2D(4, 3, activation='tanh'),"
                    " Conv2D(4, 3, activation='sigmoid'), Conv2D(4, 3, activation='elu'),"
                    " Conv2D(4, 3, activation='gelu'), Activation('swish'),"
                    " LeakyReLU(negative_slope=0.1), ELU(), Softmax()])", None),
    ("input-layer", "Sequential([InputLayer(shape=(10, 10, 1)), Conv2D(2, 3), Flatten(),"
                    " Dense(3, use_bias=False)])", None),
    ("tf-keras-prefix", """
model = tf.keras.models.Sequential([
  tf.keras.layers.Conv2D(16, (3,3), activation='relu', input_shape=(150, 150, 3)),
  tf.keras.layers.MaxPooling2D(2, 2),
  tf.keras.layers.Conv2D(32, (3,3), activation='relu'),
  tf.keras.layers.MaxPooling2D(2,2),
  tf.keras.layers.Conv2D(64, (3,3), activation='relu'),
  tf.keras.layers.MaxPooling2D(2,2),
  tf.keras.layers.Flatten(),
  tf.keras.layers.Dense(512, activation='relu'),
  tf.keras.layers.Dense(1, activation='sigmoid')
])
""", None),
    ("keras-layers-prefix", "keras.Sequential([keras.layers.Input(shape=(28, 28, 1)),"
                            " keras.layers.Conv2D(8, 3), keras.layers.MaxPooling2D(),"
                            " keras.layers.Flatten(), keras.layers.Dense(10)])", None),
    ("vgg-ish", """
model = Sequential()
model.add(Conv2D(64, (3, 3), activation='relu', padding='same', input_shape=(32, 32, 3)))
model.add(Conv2D(64, (3, 3), activation='relu', padding='same'))
model.add(MaxPooling2D((2, 2)))
model.add(Dropout(0.25))
model.add(Conv2D(128, (3, 3), activation='relu', padding='same'))
model.add(Conv2D(128, (3, 3), activation='relu', padding='same'))
model.add(MaxPooling2D((2, 2)))
model.add(Dropout(0.25))
model.add(Flatten())
model.add(Dense(256, activation='relu'))
model.add(Dropout(0.5))
model.add(Dense(10, activation='softmax'))
""", None),
    ("lenet-keras", """
model = keras.Sequential([
    layers.Conv2D(6, kernel_size=5, activation='tanh', padding='same', input_shape=(28, 28, 1)),
    layers.AveragePooling2D(pool_size=2, strides=2),
    layers.Conv2D(16, kernel_size=5, activation='tanh'),
    layers.AveragePooling2D(pool_size=2, strides=2),
    layers.Flatten(),
    layers.Dense(120, activation='tanh'),
    layers.Dense(84, activation='tanh'),
    layers.Dense(10, activation='softmax'),
])
""", None),
    ("alexnet-keras", """
model = keras.Sequential([
    keras.Input(shape=(227, 227, 3)),
    layers.Conv2D(96, 11, strides=4, activation='relu'),
    layers.BatchNormalization(),
    layers.MaxPooling2D(pool_size=3, strides=2),
    layers.Conv2D(256, 5, padding='same', activation='relu'),
    layers.BatchNormalization(),
    layers.MaxPooling2D(pool_size=3, strides=2),
    layers.Conv2D(384, 3, padding='same', activation='relu'),
    layers.Conv2D(384, 3, padding='same', activation='relu'),
    layers.Conv2D(256, 3, padding='same', activation='relu'),
    layers.MaxPooling2D(pool_size=3, strides=2),
    layers.Flatten(),
    layers.Dense(4096, activation='relu'),
    layers.Dropout(0.5),
    layers.Dense(4096, activation='relu'),
    layers.Dropout(0.5),
    layers.Dense(1000, activation='softmax'),
])
""", None),
    ("built", """
model = keras.Sequential()
model.add(layers.Conv2D(8, 3))
model.add(layers.Flatten())
model.add(layers.Dense(5))
model.build((None, 12, 12, 3))
""", None),
    ("in-function", """
def make_model(num_classes=10):
    model = keras.Sequential()
    model.add(keras.Input(shape=(32, 32, 3)))
    model.add(layers.Conv2D(32, 3, padding='same', activation='relu'))
    model.add(layers.MaxPooling2D())
    model.add(layers.Conv2D(64, 3, padding='same', activation='relu'))
    model.add(layers.GlobalAveragePooling2D())
    model.add(layers.Dense(num_classes))
    return model
""", None),
    ("flat-input", "Sequential([Input(shape=(784,)), Dense(512, activation='relu'),"
                   " Dropout(0.2), Dense(512, activation='relu'), Dense(10, activation="
                   "'softmax')])", None),
    ("given-input", "Sequential([Conv2D(8, 3, padding='same'), MaxPooling2D(), Conv2D(4, 3),"
                    " Flatten(), Dense(2)])", "(64, 48, 3)"),
    ("relu6-spatial-dropout", "Sequential([Input(shape=(20, 20, 3)), Conv2D(8, 3),"
                              " ReLU(max_value=6), SpatialDropout2D(0.2), Conv2D(8, 3,"
                              " activation='relu6'), Activation('softmax')])", None),
    ("strides-tuple-pool", "Sequential([Input(shape=(33, 21, 5)), MaxPooling2D(pool_size=(3, 2),"
                           " strides=(2, 3), padding='same'), Conv2D(10, (1, 7), strides=(1, 2),"
                           " padding='same')])", None),
    ("kwargs-ignored", "Sequential([Input(shape=(16, 16, 1)), Conv2D(4, 3, name='c1',"
                       " kernel_initializer='he_normal', kernel_regularizer=None), Flatten(),"
                       " Dense(3, bias_initializer='zeros')])", None),
    ("mobilenet-block", """
model = keras.Sequential([
    keras.Input(shape=(96, 96, 3)),
    layers.ZeroPadding2D(padding=((0, 1), (0, 1))),
    layers.Conv2D(32, 3, strides=2, use_bias=False),
    layers.BatchNormalization(),
    layers.ReLU(6.0),
    layers.DepthwiseConv2D(3, padding='same', use_bias=False),
    layers.BatchNormalization(),
    layers.ReLU(6.0),
    layers.Conv2D(64, 1, padding='same', use_bias=False),
    layers.BatchNormalization(),
    layers.ReLU(6.0),
    layers.GlobalAveragePooling2D(),
    layers.Dropout(1e-3),
    layers.Dense(1000, activation='softmax'),
])
""", None),
    # Dense on a channels-last map: Keras applies it to the last axis (the channels) at each
    # position. Hand-derived figures in test_keras.py.
    ("dense-on-map", """
model = keras.Sequential([
    keras.Input(shape=(12, 10, 3)),
    layers.Conv2D(8, 3),
    layers.Dense(16, activation='relu'),
    layers.Dense(4, use_bias=False),
    layers.MaxPooling2D(),
    layers.Flatten(),
    layers.Dense(5),
])
""", None),
]
