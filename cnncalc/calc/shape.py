"""Shapes and conventions (moved to cnncalc.ops.shape)."""

from ..ops.shape import *  # noqa: F403
from ..ops.shape import (
    describe_input,  # noqa: F401
    )
