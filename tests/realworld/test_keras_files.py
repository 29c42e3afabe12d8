"""Real Keras model files of tests/fixtures/realworld (keras-io, Deep Learning with Python's
notebooks, second and third editions; each with its source, commit and licence in its
header) read by cnncalc.

Two oracles:
- real Keras 3 on the torch backend (KERAS_BACKEND=torch; no TensorFlow): the file's
  model-building statements run here, `tensorflow.keras` standing for Keras 3, and the
  model's output shape, trainable and non-trainable weights must equal cnncalc's reading.
  Skipped, with the reason, where keras is not installed;
- totals that run without Keras: published in the example or the book's model.summary(), or
  derived by hand in the comment beside them.
A model cnncalc cannot read exactly must be refused with a one-line error naming its line
and the construct; these are listed with the construct, and counted in test_suite_counts.py.
"""

from __future__ import annotations

import math
import sys
import types

import pytest

from cnncalc.calc.summary import Summary, summarize
from cnncalc.dialects.read import CodeError
from cnncalc.dialects.resolve import resolve
from cnncalc.errors import CnnCalcError

from ..dialects.realworld import fixture
from .oracle import run_statements, tensorflow_is_keras

# What the keras-io MNIST example loads and trains at module level, left out by the oracle.
MNIST_DATA = ("load_data", "x_train", "x_test", "y_train", "y_test", "to_categorical")

# What the keras-io cats-vs-dogs example does with files, plots and datasets at module level.
PET_IMAGES = ("num_skipped", "image_dataset_from_directory", "plt", "train_ds", "val_ds",
              "matplotlib")

# (file, --model, the oracle runs the top-level statements up to this line (None: all),
#  the variable that holds the model, statements left out, total parameters, its source)
EXACT = [
    ("kerasio_mnist_convnet.py", None, 52, "model", MNIST_DATA, 34_826,
     "published: the example's model.summary() on keras.io"),
    # 320 + 3 · 9,248 (3x3 convs 1→32, 32→32) + 289 (32→1)
    ("kerasio_autoencoder.py", None, 127, "autoencoder", ("mnist", "_dataset", "display(",
                                                         "matplotlib"), 28_353, "hand"),
    # 320 + 18,496 + 73,856 (3x3 convs 1→32→64→128) + (3·3·128 + 1)·10 = 11,530
    ("dlwp2_ch08_mnist_convnets.py", "model", 16, "model", (), 104_202,
     "published: the book's model.summary() (listing 8.2)"),
    # the same convs, then (22·22·128 + 1)·10 = 619,530
    ("dlwp2_ch08_mnist_convnets.py", "model_no_max_pool", 24, "model_no_max_pool", (), 712_202,
     "hand: 320 + 18,496 + 73,856 + 619,530"),
    # 896 + 18,496 + 73,856 + 295,168 + 590,080 (3x3 convs 3→32→64→128→256→256) + 7·7·256 + 1
    ("dlwp2_ch08_dogs_vs_cats_augmented.py", "model@23", 23, "model", (), 991_041,
     "published: the book's model.summary() (listing 8.7)"),
    # 640 + 73,856 + 295,168 (3x3 convs 1→64→128→256) + (256 + 1)·10 = 2,570
    ("dlwp3_ch08_mnist_convnets.py", "model", 17, "model", (), 372_234, "hand"),
    # no pooling changes no weight: the same sum
    ("dlwp3_ch08_mnist_convnets.py", "model_no_max_pool", 25, "model_no_max_pool", (), 372_234,
     "hand"),
    # 896 + 18,496 + 73,856 + 295,168 + 1,180,160 (3x3 convs 3→32→…→512) + 513
    ("dlwp3_ch08_dogs_vs_cats.py", None, None, "model", (), 1_569_089, "hand"),
    ("dlwp3_ch08_dogs_vs_cats_rebuilt.py", "model@23", 23, "model", (), 1_569_089, "hand"),
    # the rebuilt model adds a Dropout, which has no weight: the same sum
    ("dlwp3_ch08_dogs_vs_cats_rebuilt.py", "model@39", None, "model", (), 1_569_089, "hand"),
    ("dlwp3_ch09_residual_cells.py", None, None, "model", (), 297_697,
     "published: the book's model.summary()"),
    # three inputs concatenated: 10,000 + 10,000 + 100 = 20,100 features; Dense(64):
    # 20,100·64 + 64 = 1,286,464; two heads, Dense(1): 65 and Dense(4): 260
    ("dlwp2_ch07_multi_io.py", "model@30", None, "model", (), 1_286_789, "hand"),
    # (64 + 1)·1
    ("dlwp2_ch07_subclassed_model.py", "binary_classifier", 17, "binary_classifier", (), 65,
     "hand"),
    ("dlwp2_residual_blocks.py", None, None, "model", (), 297_697,
     "published: the book's model.summary()"),
    ("dlwp3_mini_xception.py", None, None, "model", (), 721_857,
     "published: the book gives 721,857"),
    # 3,200 (7x7 conv 1→64) + 73,856 + 147,584 + 295,168 + 590,080 (3x3 convs 64→128→128→
    # 256→256) + 295,040 (3·3·256 → 128) + 8,256 + 650
    ("homl3_ch14_partial_cnn_cell.py", None, None, "model", ("set_seed",), 1_413_834, "hand"),
    ("homl3_ch14_resnet34_cells.py", "model@12", 12, "model", ("set_seed",), 1_413_834, "hand"),
    # 896 + 128 (conv 3→32, its batch norm) + 18,496 + 256 (conv 32→64, batch norm); for each
    # size s of [128, 256, 512, 728] after c channels: two separable convs (9c + cs + s,
    # 9s + s² + s), two batch norms (4s each), the 1x1 residual (cs + s); then the separable
    # conv 728→1024 (9·728 + 728·1024 + 1024), its batch norm (4,096) and Dense 1024→1 (1,025)
    ("kerasio_image_classification_from_scratch.py", "model", 279, "model", PET_IMAGES,
     2_782_649, "hand"),
    # 4·4 convs 3→64, 64→128, 128→128 (3,136 + 131,200 + 262,272) + (8·8·128 + 1)·1
    ("dlwp2_ch12_gan.py", "discriminator", 17, "discriminator",
     ("image_dataset_from_directory",), 404_801, "hand"),
    # Dense 128→8·8·128 (1,056,768), Reshape to 8x8x128, 4·4 transposed convs 128→128→256→512
    # (262,272 + 524,544 + 2,097,664), 5·5 conv 512→3 (38,403)
    ("dlwp2_ch12_gan.py", "generator", 39, "generator",
     ("image_dataset_from_directory",), 3_979_651, "hand"),
    # (784 + 1)·300 + (300 + 1)·100 + (100 + 1)·10 = 235,500 + 30,100 + 1,010; the first
    # model's InputLayer(input_shape=[28, 28]) is one channel, flattened at once
    ("homl3_ch10_mlp_cells.py", "model@9", 14, "model", ("set_seed",), 266_610, "hand"),
    ("homl3_ch10_mlp_cells.py", "model@20", 20, "model", ("set_seed",), 266_610, "hand"),
    # VAE encoders with two outputs, z_mean and z_log_var: 3x3 convs 1→32→64 (320 + 18,496),
    # The same convs and Dense after an augmentation Sequential (RandomFlip, RandomRotation,
    # RandomZoom: no shape, no weights), Rescaling and Dropout: 991,041, as listing 8.7
    ("dlwp2_ch08_dogs_vs_cats_augmented.py", "model@48", 48, "model", (), 991_041,
     "published: the book's listing 8.7 (the same layers with weights)"),
    # Mini Xception after the same augmentation: conv 5x5 3→32 (2,400), five blocks of
    # BN, ReLU, SeparableConv2D ×2, max pooling and a 1x1 strided residual conv, GAP,
    # Dropout, Dense 512→1; real Keras gives the count (721,857, 3,008 of them BN's
    # moving statistics)
    ("dlwp2_mini_xception.py", "model", 47, "model", (), 721_857, "real Keras"),
    # Dense 3136→16 (50,192), then each head Dense 16→2 (34 + 34)
    ("dlwp2_ch12_vae.py", "encoder", 19, "encoder", (), 69_076, "hand"),
    ("dlwp3_ch17_vae.py", "encoder", 21, "encoder", (), 69_076, "hand"),
    # decoders: Dense 2→7·7·64 (9,408), Reshape to 7x7x64, 3x3 transposed convs 64→64→32
    # (36,928 + 18,464), 3x3 conv 32→1 (289)
    ("dlwp2_ch12_vae.py", "decoder", 27, "decoder", (), 65_089, "hand"),
    ("dlwp3_ch17_vae.py", "decoder", 33, "decoder", (), 65_089, "hand"),
]

# Cells pasted alone use `tf`, which an earlier cell of their notebook imports.
NEEDS_TF = {"homl3_ch14_partial_cnn_cell.py", "homl3_ch14_resnet34_cells.py",
            "homl3_ch10_mlp_cells.py"}

# (file, --model, the line named, the construct named): a one-line refusal.
# None as the line: the message names no line (see the report of the suite).
REFUSED = [
    ("dlwp2_ch09_segmentation.py", None, None, "no model found in the code"),
    ("dlwp3_ch11_segmentation.py", None, None, "no model found in the code"),
    # a Sequential of Dense layers with no input shape (Keras builds it on its first call)
    ("dlwp2_ch07_multi_io.py", "model@10", None, "the input shape is not given"),
    ("dlwp2_ch07_subclassed_layer.py", "model@33", 32,
     "Classifier(num_classes=10)(features): Classifier is only known when the code runs"),
    ("dlwp2_ch07_subclassed_model.py", "MyModel", 28,
     "self.classifier(features) applies a model as a layer: nested models are not read yet"),
    ("kerasio_oxford_pets_unet.py", None, 39, "fname is not defined"),
    # a Sequential of augmentation layers only: no layer changes a shape or holds weights
    ("kerasio_image_classification_from_scratch.py", "data_augmentation", None,
     "has no layers that change a shape or hold weights"),
    # Hands-On ML: the notebooks' version checks, then a Layer subclass used as a layer
    ("homl3_ch14_partial_cnn.py", None, 10, "version.parse(sklearn.__version__) is not read"),
    ("homl3_ch14_resnet34.py", "model@70", 9, "version.parse(sklearn.__version__) is not read"),
    ("homl3_ch14_exercise_mnist.py", None, 9, "version.parse(sklearn.__version__) is not read"),
    ("homl3_ch14_resnet34_cells.py", "model@62", 71,
     "ResidualUnit(filters, strides=strides) is the file's class ResidualUnit"),
    # generative models: Reshape, a U-Net from helpers
    ("dlwp3_ch17_diffusion_unet.py", None, 9,
     "the if sets residual; its condition input_width == width is only known"),
    # its input is known only from the data it is fitted on
    ("homl3_ch17_conv_ae.py", "conv_encoder", 33, "X_train is not defined"),
    ("homl3_ch17_conv_ae.py", "conv_ae", 29, "conv_encoder is not a layer"),
    ("homl3_ch17_stacked_ae.py", "stacked_encoder", 22, "X_train is not defined"),
    ("homl3_ch17_stacked_ae.py", "stacked_ae", 19, "stacked_encoder is not a layer"),
]

IDS = [f"{e[0]}:{e[1]}" for e in EXACT]


def _read(name: str, model: str | None) -> Summary:
    r = resolve(fixture(name), None, None, model=model)
    assert r.convention == "keras"
    return summarize(r.nodes, r.shape, r.convention, inputs=r.inputs)


def _hwc(shape: tuple[int, ...]) -> tuple[int, ...]:
    return (shape[1], shape[2], shape[0]) if len(shape) == 3 else shape


@pytest.mark.parametrize(("name", "model", "upto", "var", "drop", "total", "source"), EXACT,
                         ids=IDS)
def test_a_real_keras_file_has_its_published_total(
        name: str, model: str | None, upto: int | None, var: str, drop: tuple[str, ...],
        total: int, source: str) -> None:
    s = _read(name, model)
    assert s.trainable_params + s.non_trainable_params == total, source


@pytest.mark.parametrize(("name", "model", "upto", "var", "drop", "total", "source"), EXACT,
                         ids=IDS)
def test_a_real_keras_file_reads_as_keras_builds_it(
        keras: types.ModuleType, name: str, model: str | None, upto: int | None, var: str,
        drop: tuple[str, ...], total: int, source: str) -> None:
    s = _read(name, model)
    with tensorflow_is_keras(keras):
        tf = {"tf": sys.modules["tensorflow"]} if name in NEEDS_TF else {}
        built = run_statements(name, upto, drop, tf)[var]
    assert isinstance(built, keras.Model)
    trainable = sum(math.prod(w.shape) for w in built.trainable_weights)
    frozen = sum(math.prod(w.shape) for w in built.non_trainable_weights)
    assert (_hwc(s.output_shape), s.trainable_params, s.non_trainable_params) == \
        (tuple(built.outputs[0].shape[1:]), trainable, frozen)
    if len(built.outputs) > 1:  # every output, in order, by the name Keras gives it
        assert [(name, _hwc(shape)) for name, shape in s.outputs] == \
            [(o._keras_history[0].name, tuple(o.shape[1:])) for o in built.outputs]
    else:
        assert not s.outputs


@pytest.mark.parametrize(("name", "model", "line", "needle"), REFUSED,
                         ids=[f"{e[0]}:{e[1]}" for e in REFUSED])
def test_a_real_keras_file_that_cannot_be_read_is_one_line_naming_the_construct(
        name: str, model: str | None, line: int | None, needle: str) -> None:
    with pytest.raises(CnnCalcError) as info:
        _read(name, model)
    message = str(info.value)
    assert "\n" not in message and needle in message, message
    if line is not None:
        assert isinstance(info.value, CodeError) and info.value.line == line, message
        assert message.startswith(f"line {line}: "), message
