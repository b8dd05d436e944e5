"""Drawings of NAS results, one module per kind: cells, searches, evolution and controllers,
estimator rankings. Plot functions draw results they are given, take ``ax=None``, return the Axes
and never call show().
"""
from .cells import HIGHLIGHT_COLOR, OP_COLORS, cell, cell_dot, figure_png
from .evolution import controller_trace, policy, population
from .ofa import ofa_generation, shrinking, tradeoff
from .ranking import cost_quality, rank_rank, score_scatter, seed_scatter
from .search import history, race, race_outcomes

__all__ = ["OP_COLORS", "HIGHLIGHT_COLOR", "cell_dot", "cell", "figure_png", "history",
           "population", "policy", "controller_trace", "score_scatter", "rank_rank", "cost_quality",
           "seed_scatter", "race", "race_outcomes", "shrinking", "ofa_generation", "tradeoff"]
