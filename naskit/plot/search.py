"""Drawings of searches: best-so-far curves over simulated time, the comparison NAS-Bench-201
(Dong & Yang, ICLR 2020) made standard. Every function takes ``ax=None`` and returns the Axes.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ..history import History

__all__ = ["history"]


def history(histories, ax=None, by: str = "reported", label: str | None = None, band: bool = True):
    """Best-so-far ``by`` ('reported' or 'fitness') over simulated time: one History, or the mean of a list.

    A list is averaged from the time every run has its first result on, with a band of 1.96
    standard errors (a 95% confidence interval of the mean) when ``band``.
    """
    many = not isinstance(histories, History)
    runs = list(histories) if many else [histories]
    if not runs:
        raise ValueError("no histories to draw; pass a History or a non-empty list of them")
    for h in runs:
        if not isinstance(h, History):
            raise TypeError(f"expected History objects, got {type(h).__name__}")
        if not len(h):
            raise ValueError(f"{h!r} is empty: nothing fitted in its budget")
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.6), layout="constrained")
    name = runs[0].strategy.split("(")[0] or "search"
    if not many:
        t, v = runs[0].best_so_far(by)
        ax.step(t, v, where="post", label=label or name)
    else:
        grid = np.unique(np.concatenate([h.best_so_far(by)[0] for h in runs]))
        values = np.array([h.best_at(grid, by) for h in runs])
        grid, values = grid[~np.isnan(values).any(0)], values[:, ~np.isnan(values).any(0)]
        mean = values.mean(0)
        (line,) = ax.plot(grid, mean, drawstyle="steps-post",
                          label=label or f"{name} (mean of {len(runs)})")
        if band and len(runs) > 1:
            half = 1.96 * values.std(0, ddof=1) / np.sqrt(len(runs))
            ax.fill_between(grid, mean - half, mean + half, step="post", alpha=0.25,
                            color=line.get_color(), linewidth=0)
    ax.set_xlabel("simulated time (s)")
    ax.set_ylabel(f"best so far: {by} (%)")
    ax.legend(loc="lower right")
    return ax
