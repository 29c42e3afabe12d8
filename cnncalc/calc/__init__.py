"""The pure calculator: shapes, parameters, MACs and receptive fields, standard library only."""

from .summary import LayerInfo, Summary, summarize, summarize_spec

__all__ = ["LayerInfo", "Summary", "summarize", "summarize_spec"]
