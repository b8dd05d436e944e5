"""Drawings of evolutionary and policy-gradient search, step by step.

``population`` is the view of regularized evolution that Real et al. (AAAI 2019) argue from: each
member's fitness against its age, the tournament drawn from it, the parent, the child that joins
and the oldest member that leaves. ``policy`` and ``controller_trace`` show a REINFORCE controller
(Williams 1992; Zoph & Le, ICLR 2017): its per-edge op probabilities, and the reward, baseline,
advantage and entropy of each update. Every function takes ``ax=None`` and returns the Axes.
"""
from __future__ import annotations

from collections import Counter

import matplotlib.pyplot as plt
import numpy as np

from ..history import Trial
from .cells import HIGHLIGHT_COLOR

__all__ = ["population", "policy", "controller_trace"]

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


def policy(probs, ops, ax=None, edges=None, actions=None, title: str | None = "policy"):
    """Heat map of per-edge op probabilities (rows: edges, columns: ``ops``), values written in.

    ``edges``: row labels (default 'edge 0', ...); ``actions``: one op index per edge to outline,
    e.g. the arch just sampled.
    """
    probs = np.asarray(probs, float)
    ops = list(ops)
    if probs.ndim != 2 or probs.shape[1] != len(ops):
        raise ValueError(f"probs must be edges x ops = (n, {len(ops)}), got shape {probs.shape}")
    n = len(probs)
    edges = [f"edge {e}" for e in range(n)] if edges is None else list(edges)
    if len(edges) != n:
        raise ValueError(f"{len(edges)} edge labels for {n} rows of probabilities")
    if ax is None:
        _, ax = plt.subplots(figsize=(1.3 * len(ops) + 1.8, 0.55 * n + 1.6), layout="constrained")
    ax.imshow(probs, cmap="Blues", vmin=0, vmax=1, aspect="auto")
    for e in range(n):
        for o in range(len(ops)):
            ax.text(o, e, f"{probs[e, o]:.2f}", ha="center", va="center", fontsize=11,
                    color="white" if probs[e, o] > 0.6 else "black")
    if actions is not None:
        if len(actions) != n:
            raise ValueError(f"{len(actions)} actions for {n} edges")
        for e, o in enumerate(actions):
            ax.add_patch(plt.Rectangle((o - 0.48, e - 0.48), 0.96, 0.96, fill=False,
                                       edgecolor=HIGHLIGHT_COLOR, linewidth=2.5))
    ax.set_xticks(range(len(ops)), ops, rotation=20, ha="right", fontsize=11)
    ax.set_yticks(range(n), edges, fontsize=11)
    ax.tick_params(length=0)
    if title:
        ax.set_title(title)
    return ax


def controller_trace(rewards, baselines, advantages, entropies, ax=None):
    """Reward and baseline, advantage, and policy entropy per update, on three stacked Axes.

    ``ax``: None or a sequence of three Axes; returns the array of the three Axes.
    """
    series = [np.asarray(x, float) for x in (rewards, baselines, advantages, entropies)]
    if len({len(x) for x in series}) > 1:
        raise ValueError(f"rewards, baselines, advantages, entropies differ in length: "
                         f"{[len(x) for x in series]}")
    rewards, baselines, advantages, entropies = series
    if ax is None:
        _, ax = plt.subplots(3, 1, figsize=(6.4, 5.6), sharex=True, layout="constrained")
    axes = np.asarray(ax, dtype=object).ravel()
    if len(axes) != 3:
        raise ValueError(f"ax must be None or three Axes, got {len(axes)}")
    step = np.arange(len(rewards))
    top, mid, low = axes
    top.plot(step, rewards, "o", ms=4, color="#1F77B4", alpha=0.7, label="reward")
    top.plot(step, baselines, "-", lw=2, color="#FF7F0E", label="baseline")
    top.set_ylabel("fitness (%)")
    top.legend(loc="lower right", fontsize=10)
    colors = np.where(advantages >= 0, "#2CA02C", HIGHLIGHT_COLOR)
    mid.bar(step, advantages, width=0.9, color=colors)
    mid.axhline(0, color="black", lw=0.8)
    mid.set_ylabel("advantage")
    low.plot(step, entropies, "-", lw=2, color="#9467BD")
    low.set_ylabel("entropy (nats)")
    low.set_ylim(bottom=0)
    low.set_xlabel("update")
    for a in axes:
        a.grid(alpha=0.3)
    return axes
