"""The explicit allow-list: calls and uses the reader skips on purpose, because they change
no model. Whatever a call returns is a value known only when the code runs, so an allowed
call can never feed a figure; the list only decides which calls are not errors."""

from __future__ import annotations

import builtins
from typing import Final

# Conventional short names, used when the code does not import them itself.
ALIASES: Final = {
    "np": "numpy", "plt": "matplotlib.pyplot", "pd": "pandas", "tf": "tensorflow",
    "F": "torch.nn.functional", "K": "keras.backend", "optim": "torch.optim",
    "transforms": "torchvision.transforms", "dsets": "torchvision.datasets",
    "datasets": "torchvision.datasets", "sns": "seaborn", "torchvision": "torchvision",
    "torch": "torch", "keras": "keras", "nn": "torch.nn", "layers": "keras.layers",
    "models": "keras.models",
}

# Libraries whose functions change no model that is not handed to them.
_HARMLESS_MODULES: Final = (
    "numpy", "math", "cmath", "random", "os", "sys", "time", "datetime", "json", "csv",
    "pickle", "glob", "shutil", "pathlib", "zipfile", "tarfile", "gzip", "urllib", "io",
    "itertools", "functools", "collections", "typing", "warnings", "logging", "argparse",
    "copy", "string", "re", "statistics", "pprint", "platform", "subprocess", "matplotlib",
    "seaborn", "pandas", "PIL", "cv2", "sklearn", "scipy", "tqdm", "IPython",
    "google.colab", "kagglehub", "torchvision.datasets", "torchvision.transforms",
    "torchvision.utils", "torchvision.io", "torch.utils", "torch.optim", "torch.cuda",
    "torch.backends", "torch.distributed", "torch.multiprocessing", "torch.amp",
    "torch.nn.functional", "torch.nn.init", "torch.nn.utils", "torch.linalg", "torch.fft",
    "torch.testing", "torch.random", "torch.hub", "tensorflow.random", "tensorflow.data",
    "tensorflow.config", "tensorflow.image", "tensorflow.io", "tensorflow.math",
    "tensorflow.strings", "tensorflow.summary", "tensorflow.debugging",
    "tensorflow.distribute", "tensorflow.compat", "tensorflow.train",
    "tensorflow.saved_model", "tensorflow.lite", "tensorflow.experimental",
    "tensorboard", "wandb", "mlflow",
)
_KERAS_HARMLESS: Final = ("datasets", "utils", "callbacks", "optimizers", "losses", "metrics",
                          "backend", "preprocessing", "regularizers", "initializers",
                          "constraints", "random", "mixed_precision", "saving", "config")

# Functions that may be handed a model: they read it, or change its weights' values only.
MODEL_READERS: Final = frozenset({
    "print", "len", "str", "repr", "type", "isinstance", "id", "hash", "dir", "format",
    "torchinfo.summary", "torchsummary.summary", "summary", "plot_model",
    "keras.utils.plot_model", "tensorflow.keras.utils.plot_model", "torch.save",
    "torch.onnx.export", "torch.compile", "torch.jit.script", "torch.jit.trace",
    "copy.deepcopy", "pprint.pprint",
})
READER_PREFIXES: Final = ("torch.nn.init.", "torch.optim.")

# A model's methods that leave its layers as they are (Keras and torch).
READ_ONLY_METHODS: Final = frozenset({
    "summary", "compile", "fit", "fit_generator", "evaluate", "evaluate_generator",
    "predict", "predict_generator", "predict_on_batch", "train_on_batch", "test_on_batch",
    "save", "save_weights", "load_weights", "count_params", "get_config", "to_json",
    "to_yaml", "get_weights", "set_weights", "reset_states", "reset_metrics", "export",
    "load_state_dict", "zero_grad", "forward", "register_forward_hook",
    "register_forward_pre_hook", "register_full_backward_hook", "extra_repr", "__repr__",
})
# ... and those that return the model itself.
SELF_METHODS: Final = frozenset({
    "to", "cuda", "cpu", "eval", "train", "float", "double", "half", "bfloat16",
    "share_memory",
})
# ... and those that return handles on its tensors, through which the code may change the
# model (`p.requires_grad = False` freezes a weight, `p.data = ...` may resize it): the
# handles stand for the model, so they may be handed to a reader such as an optimizer, and
# anything else done with them (a loop over them, a list of them) spoils the model.
PART_METHODS: Final = frozenset({
    "parameters", "named_parameters", "buffers", "named_buffers", "state_dict",
})
# Attributes of a model that are plain facts about it.
READ_ONLY_ATTRIBUTES: Final = frozenset({
    "name", "input_shape", "output_shape", "training", "trainable_weights", "weights",
    "non_trainable_weights", "optimizer", "history", "metrics_names", "inputs", "outputs",
    "input", "output", "built",
})

# `with` blocks that run their body once, as written.
CONTEXTS: Final = frozenset({
    "torch.no_grad", "torch.enable_grad", "torch.inference_mode", "torch.set_grad_enabled",
    "torch.autocast", "torch.cuda.amp.autocast", "torch.amp.autocast", "torch.cuda.device",
    "torch.device", "tensorflow.device", "tensorflow.name_scope", "tensorflow.GradientTape",
    "warnings.catch_warnings", "open",
})

# Builtins that can change what any name means, or stop to read the terminal.
REFUSED_BUILTINS: Final = frozenset({
    "exec", "eval", "compile", "setattr", "delattr", "globals", "locals", "vars",
    "__import__", "breakpoint", "input", "exit", "quit", "help", "memoryview",
})
BUILTINS: Final = frozenset(n for n in dir(builtins) if not n.startswith("_")) - \
    REFUSED_BUILTINS


# Libraries that define layers and models: code that assigns into them (`nn.Linear = ...`,
# `nn.Module.__call__ = ...`) changes what every layer means.
_MODEL_LIBRARIES: Final = ("torch.nn", "keras", "tensorflow.keras")


def model_library(name: str) -> bool:
    """Whether `name` is torch, tensorflow, or in a library that defines layers and models."""
    return name in ("torch", "tensorflow") or any(
        name == lib or name.startswith(lib + ".") for lib in _MODEL_LIBRARIES)


def harmless(name: str) -> bool:
    """Whether a call of `name` (its canonical dotted name) changes no model it is not
    handed: a data, plotting, file or training-utility function."""
    if name in BUILTINS or name in CONTEXTS:
        return True
    for module in _HARMLESS_MODULES:
        if name == module or name.startswith(module + "."):
            return True
    parts = name.split(".")
    if parts[0] == "tensorflow" and len(parts) > 2 and parts[1] == "keras":
        parts = ["keras", *parts[2:]]
    if parts[0] == "keras" and len(parts) > 2 and parts[1] in _KERAS_HARMLESS:
        return True
    if parts[0] == "torch" and len(parts) == 2 and parts[1][:1].islower():
        return True  # torch.manual_seed, torch.randn, torch.device ...
    if parts[0] == "torch" and len(parts) == 3 and parts[1] == "nn" and parts[2].endswith("Loss"):
        return True  # nn.CrossEntropyLoss(): a loss, not a layer of the model
    return parts[0] == "tensorflow" and len(parts) == 2 and parts[1][:1].islower()


def reads_models(name: str) -> bool:
    """Whether a call of `name` may be handed a model without changing its layers."""
    return name in MODEL_READERS or name.startswith(READER_PREFIXES)


# `from MODULE import *` of a library module: the names it binds that the reader knows.
_STAR_EXTRA: Final = {
    "torch.nn": ("Module", "Sequential", "ModuleList", "ModuleDict", "Parameter",
                 "functional", "init"),
    "keras.layers": (), "tensorflow.keras.layers": (), "tf.keras.layers": (),
    "keras.models": ("Sequential", "Model"), "tensorflow.keras.models": ("Sequential", "Model"),
    "tf.keras.models": ("Sequential", "Model"),
}


def star_names(module: str) -> tuple[str, ...] | None:
    """The names `from module import *` binds that cnncalc reads (the library's layer
    classes it knows and its containers), or None for a module that is not a library's."""
    if module not in _STAR_EXTRA:
        return None
    from ..library.binding import KERAS, PYTORCH
    from ..library.classes import TABLE

    if module.endswith(".models"):
        return _STAR_EXTRA[module]
    dialect = PYTORCH if module == "torch.nn" else KERAS
    own = tuple(n for n, defs in sorted(TABLE.items()) if any(d.dialect == dialect
                                                               for d in defs))
    return own + _STAR_EXTRA[module]


# Keras' image layout, asked of the backend (`if K.image_data_format() == 'channels_first'`):
# read as Keras' default, and the reading says so (read.py, keras_layout_asked).
IMAGE_DATA_FORMAT: Final = frozenset({
    f"{k}.{m}.image_data_format" for k in ("keras", "tensorflow.keras", "tf.keras")
    for m in ("backend", "config")
})
