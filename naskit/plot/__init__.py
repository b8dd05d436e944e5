"""Drawings of NAS results, one module per kind: cells, searches, evolution, REINFORCE controllers,
estimator rankings, one-shot search, latency and devices. Plot functions draw results they are
given, take ``ax=None``, return the Axes and never call show().
"""
from .cells import HIGHLIGHT_COLOR, OP_COLORS, cell, cell_dot, figure_png
from .evolution import population
from .hardware import (device_correlation, device_fronts, latency_accuracy, latency_breakdown,
                       latency_distribution, predicted_measured)
from .ofa import ofa_generation, shrinking, tradeoff
from .oneshot import (alpha_heatmap, alpha_trace, collapse_trace, edge_names, move_cursor,
                      share_timeline, update_alpha_heatmap)
from .ranking import cost_quality, rank_rank, score_scatter, seed_scatter
from .reinforce import controller_trace, policy
from .search import bilevel, history, race, race_outcomes

__all__ = ["OP_COLORS", "HIGHLIGHT_COLOR", "cell_dot", "cell", "figure_png", "history",
           "population", "policy", "controller_trace", "score_scatter", "rank_rank", "cost_quality",
           "seed_scatter", "race", "race_outcomes", "alpha_heatmap", "alpha_trace", "collapse_trace",
           "update_alpha_heatmap", "share_timeline", "move_cursor",
           "edge_names", "latency_distribution", "latency_accuracy", "predicted_measured",
           "latency_breakdown", "device_correlation", "device_fronts", "shrinking", "ofa_generation",
           "tradeoff", "bilevel"]
