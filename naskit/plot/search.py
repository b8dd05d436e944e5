"""Drawings of searches: best-so-far curves over simulated time, the comparison NAS-Bench-201
(Dong & Yang, ICLR 2020) made standard, and a race of several strategies over many runs (mean
curves with confidence bands, and the spread of what each run returned; Lindauer & Hutter, JMLR
2020, best practices for NAS). Every function takes ``ax=None`` and returns the Axes.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ..history import History
from ..search.race import Race

__all__ = ["history", "race", "race_outcomes", "bilevel"]


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


def _race_runs(results) -> dict:
    if isinstance(results, Race):
        return results.histories
    if not isinstance(results, dict) or not results:
        raise ValueError("results must be a Race (nk.search.race) or a non-empty dict: "
                         "strategy name -> list of Histories")
    for name, runs in results.items():
        if isinstance(runs, History) or not len(runs):
            raise ValueError(f"results[{name!r}] must be a non-empty list of Histories (one per run)")
    return results


def race(results, ax=None, by: str = "reported", band: bool = True, optimum: float | None = None):
    """One mean best-so-far curve with a 95% band per strategy; ``results``: a ``Race`` or
    {name: [History, ...]}.

    ``optimum``: a value to draw as a dashed line, e.g. the best arch of the benchmark (default for
    a Race: its ``optimum``).
    """
    if optimum is None and isinstance(results, Race):
        optimum = results.optimum
    results = _race_runs(results)
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4.2), layout="constrained")
    for name, runs in results.items():
        history(list(runs), ax=ax, by=by, label=f"{name} ({len(runs)} runs)", band=band)
    if optimum is not None:
        ax.axhline(optimum, color="black", ls="--", lw=1, label="best in the benchmark")
    ax.legend(loc="lower right", fontsize=9)
    return ax


def race_outcomes(results, ax=None, by: str = "reported"):
    """What each run returned: the final incumbent's ``by`` per run, a box and the points per strategy
    (``results``: a ``Race`` or {name: [History, ...]})."""
    results = _race_runs(results)
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3.6), layout="constrained")
    if by not in ("reported", "fitness"):
        raise ValueError(f"unknown by={by!r}; choose from ['reported', 'fitness']")
    values = [np.array([getattr(h.best(), by) for h in runs]) for runs in results.values()]
    ax.boxplot(values, showfliers=False, widths=0.5)
    rng = np.random.default_rng(0)  # jitter only spreads the points sideways
    for k, v in enumerate(values, start=1):
        ax.plot(k + rng.uniform(-0.18, 0.18, len(v)), v, "o", ms=3, alpha=0.35, color="#1F77B4")
    ax.set_xticks(range(1, len(values) + 1), list(results), rotation=15)
    ax.set_ylabel(f"final incumbent: {by} (%)")
    ax.grid(axis="y", alpha=0.3)
    return ax


def bilevel(values, winner: int, ax=None, ylabel: str = "validation loss", labels=None):
    """Bars of the outer objective over a handful of archs, the argmin (``winner``) in red."""
    ax = ax if ax is not None else plt.gca()
    values = np.asarray(values, float)
    colors = ["tab:red" if i == winner else "tab:gray" for i in range(len(values))]
    ax.bar(range(len(values)), values, color=colors)
    ax.set_xticks(range(len(values)), labels if labels is not None else range(len(values)))
    ax.set_xlabel("arch")
    ax.set_ylabel(ylabel)
    ax.set_title(f"the outer problem: arch {winner} wins")
    return ax
