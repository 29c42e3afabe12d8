"""`summary --module file.py:Net`: import the user's file, build the model, summarise it."""

from __future__ import annotations

import importlib.util
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import CnnCalcError, UsageError, cut


def _need_train() -> None:
    try:
        import torch  # noqa: F401
    except ImportError:
        raise UsageError("--module needs PyTorch",
                         "install it with: pip install 'cnncalc[train]'") from None


def _arguments(text: str | None) -> tuple[list[Any], dict[str, Any]]:
    if text is None:
        return [], {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError as e:
        raise UsageError(f"--module-args is not valid JSON ({e.msg} at character {e.pos})",
                         'e.g. --module-args \'{"num_classes": 10}\'') from None
    except ValueError:  # Python refuses to read an int of more than 4,300 digits
        raise UsageError("--module-args holds a number of more than 4,300 digits",
                         "give the model numbers it can use") from None
    except RecursionError:
        raise UsageError("--module-args nests lists or objects too deeply",
                         'e.g. --module-args \'{"num_classes": 10}\'') from None
    if isinstance(value, dict):
        return [], value
    if isinstance(value, list):
        return value, {}
    raise UsageError("--module-args must be a JSON object (keyword arguments) or a list "
                     "(positional arguments)")


def _code(e: SystemExit) -> str:
    code = e.code
    if code is None:
        return ""
    if isinstance(code, int) and not isinstance(code, bool) and abs(code) < 10**9:
        return str(code)
    return "..."  # a message object, or an int too long to print: the user's, not ours


def load_model(ref: str, module_args: str | None = None) -> Any:
    """The nn.Module that `path/to/file.py:Name` builds (a class or a function)."""
    path_text, sep, name = ref.rpartition(":")
    if not sep or not path_text or not name.isidentifier():
        raise UsageError(f"bad --module '{ref}'", "write it as path/to/file.py:ClassName")
    path = Path(path_text)
    if not path.exists():
        raise UsageError(f"--module file '{cut(path_text, 80)}' does not exist",
                         "give the path to a .py file, e.g. models/net.py:Net")
    if path.suffix != ".py" or not path.is_file():
        raise UsageError(f"--module file '{cut(path_text, 80)}' is not a Python file",
                         "give the path to a .py file, e.g. models/net.py:Net")
    args, kwargs = _arguments(module_args)
    _need_train()
    spec = importlib.util.spec_from_file_location(f"_cnncalc_user_{path.stem}", path)
    if spec is None or spec.loader is None:
        raise UsageError(f"cannot import '{path_text}'")
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(path.resolve().parent))  # so the file can import its neighbours
    try:
        spec.loader.exec_module(module)
        factory = getattr(module, name, None)
        if factory is None:
            raise UsageError(f"'{path_text}' has no '{name}'",
                             "name a class or function defined in that file")
        import torch
        from torch import nn

        try:  # build on the meta device: no memory for weights
            with torch.device("meta"):
                model = factory(*args, **kwargs)
        except (CnnCalcError, KeyboardInterrupt):
            raise
        except Exception:
            model = factory(*args, **kwargs)
    except (CnnCalcError, KeyboardInterrupt):
        raise
    except SystemExit as e:  # exit(0) too: the summary was not made, so it is a failure
        raise CnnCalcError(f"importing or building {ref} called exit({_code(e)})",
                           "the file must define the model without exiting (put a script's "
                           "code under: if __name__ == '__main__':)") from None
    except BaseException as e:  # GeneratorExit, RecursionError ... raised by the user's code
        from ..train.module_summary import describe

        raise CnnCalcError(f"building {ref} failed: {describe(e)}",
                           "the error is in that file, or in --module-args") from None
    finally:
        sys.path.remove(str(path.resolve().parent))
    if not isinstance(model, nn.Module):
        raise UsageError(f"{ref} gave a {type(model).__name__}, not a torch nn.Module")
    return model


def module_shape(spec: str | None, preset: str | None, input_text: str | None,
                 convention: str) -> tuple[int, ...]:
    """The checks of a `summary --module` call that run no code: its input without the
    batch, or a UsageError."""
    from ..ops.shape import parse_convention, parse_shape

    if spec or preset:
        raise UsageError("give either SPEC/--preset or --module, not both")
    if input_text is None:
        raise UsageError("--module needs --input", "the model's input without the batch, "
                         "e.g. --input 1x28x28 (the batch is --batch)")
    if parse_convention(convention) != "pytorch":
        raise UsageError("--module summarises a torch model: --convention must be pytorch")
    return parse_shape(input_text)


def module_result(ref: str, module_args: str | None, shape: tuple[int, ...],
                  batch: int) -> Any:
    """Build the model (running the user's file) and summarise it: the Summary, or a
    CnnCalcError (a LayerError carries the summary of the layers before it)."""
    model = load_model(ref, module_args)
    from ..train.module_summary import describe, module_summary

    try:
        return module_summary(model, (batch, *shape))
    except (CnnCalcError, KeyboardInterrupt):
        raise
    except BaseException as e:  # the model's own methods (named_modules, ...) misbehaving
        raise CnnCalcError(f"summarising {ref} failed: {describe(e)}",
                           "the error is in that file's model") from None


def summarize_module(ref: str, module_args: str | None, spec: str | None, preset: str | None,
                     input_text: str | None, batch: int, convention: str,
                     render: Callable[[Any], None],
                     taken: Callable[[], Any] = lambda: None) -> None:
    """The `summary --module` command: checks, build, summary, then `render` (also for the
    partial summary when the forward pass fails). `taken` gives what the fast path made of
    this same call, where it built and summarised the model already (the summary, or it
    raises that error): the user's code then runs once."""
    from dataclasses import replace

    from ..errors import LayerError
    from .common import fail

    shape = module_shape(spec, preset, input_text, convention)
    try:
        result = taken()
        if result is None:
            result = module_result(ref, module_args, shape, batch)
    except LayerError as e:
        if e.partial is not None and e.partial.layers:
            render(replace(e.partial, error=e))
        fail(e)
    render(result)
