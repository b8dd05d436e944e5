"""Drawings of NAS results, one module per kind: cells, searches, evolution and controllers.
Plot functions draw results they are given, take ``ax=None``, return the Axes and never call show().
"""
from .cells import HIGHLIGHT_COLOR, OP_COLORS, cell, cell_dot, figure_png
from .evolution import controller_trace, policy, population
from .search import history

__all__ = ["OP_COLORS", "HIGHLIGHT_COLOR", "cell_dot", "cell", "figure_png", "history",
           "population", "policy", "controller_trace"]
