"""Drawings of evolutionary search, step by step.

``population`` is the view of regularized evolution that Real et al. (AAAI 2019) argue from: each
member's fitness against its age, the tournament drawn from it, the parent, the child that joins
and the oldest member that leaves (``nk.search.EvolutionFrame`` holds one such cycle). The
controller of policy-gradient search is drawn in ``reinforce.py``. Every function takes ``ax=None``
and returns the Axes.
"""
from __future__ import annotations

from collections import Counter

import matplotlib.pyplot as plt

from ..history import Trial
from .cells import HIGHLIGHT_COLOR

__all__ = ["population"]

_MEMBER, _SAMPLE, _CHILD, _REMOVED = "#9AA5B1", "#FF9F1C", "#2CA02C", "#222222"


def population(members, ax=None, step: int | None = None, sample=(), parents=(), removed=(),
               child: Trial | None = None, title: str | None = None):
    """Fitness against age of ``members`` (Trials); rings the tournament ``sample``, marks ``parents``,
    ``removed`` (history steps) and the ``child``.

    Age is ``step`` minus a member's step (default ``step``: the child's, else one past the youngest);
    a member drawn more than once into the tournament is labelled with its count.
    """
    members = list(members)
    for m in [*members, *([child] if child is not None else [])]:
        if not isinstance(m, Trial):
            raise TypeError(f"members and child must be Trial objects, got {type(m).__name__}")
    if step is None:
        step = child.step if child is not None else max((m.step for m in members), default=-1) + 1
    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 4.2), layout="constrained")
    by_step = {m.step: m for m in members}
    for what, steps in (("sample", sample), ("parents", parents), ("removed", removed)):
        missing = sorted(set(steps) - set(by_step))
        if missing:
            raise ValueError(f"{what} names steps {missing} that are not among the members "
                             f"(steps {sorted(by_step)})")
    age = {s: step - s for s in by_step}
    if members:
        ax.scatter([age[m.step] for m in members], [m.fitness for m in members], s=70,
                   color=_MEMBER, edgecolor="white", zorder=2, label="member")
    draws = Counter(sample)
    if draws:
        ax.scatter([age[s] for s in draws], [by_step[s].fitness for s in draws], s=260,
                   facecolor="none", edgecolor=_SAMPLE, linewidth=2.5, zorder=3,
                   label="tournament sample")
        for s, n in draws.items():
            if n > 1:
                ax.annotate(f"×{n}", (age[s], by_step[s].fitness), xytext=(9, 7),
                            textcoords="offset points", color=_SAMPLE, fontsize=11, weight="bold")
    if parents:
        ax.scatter([age[s] for s in parents], [by_step[s].fitness for s in parents], s=110,
                   color=HIGHLIGHT_COLOR, edgecolor="white", zorder=4,
                   label="parent" if len(set(parents)) == 1 else "parents")
    if removed:
        ax.scatter([age[s] for s in removed], [by_step[s].fitness for s in removed], s=120,
                   marker="X", color=_REMOVED, zorder=5, label="removed")
    if child is not None:
        ax.scatter([0], [child.fitness], s=320, marker="*", color=_CHILD, edgecolor="white",
                   zorder=6, label="child")
        for s in dict.fromkeys(parents):
            ax.annotate("", xy=(0, child.fitness), xytext=(age[s], by_step[s].fitness),
                        arrowprops=dict(arrowstyle="->", color=HIGHLIGHT_COLOR, lw=1.5,
                                        shrinkA=7, shrinkB=10), zorder=1)
    ax.set_xlabel("age (trials since birth)")
    ax.set_ylabel("fitness (%)")
    ax.set_title(title if title is not None else f"population at step {step}")
    ax.grid(alpha=0.3)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="best", fontsize=10, framealpha=0.85)
    return ax
