"""Whether code may build a TensorFlow 1 graph: a test on the text, run before any reader loads.

The TF1 reader (tf1.py and its tf1_* modules) takes longer to import than a 500-line file
takes to read, so code without these markers never loads it.
"""

from __future__ import annotations

import re

_MARKERS = re.compile(r"\b(?:placeholder|get_variable|Variable)\s*\(|\bnn\.(?:conv2d|max_pool)"
                      r"|\btf\.(?:layers|matmul)\b|\bcontrib\.layers\.|\bcompat\.v1\b")


def is_tf1(source: str) -> bool:
    """Whether the code may build a TensorFlow 1 graph (then tf1 reads it first)."""
    return bool(_MARKERS.search(source))
