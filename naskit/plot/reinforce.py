"""Drawings of a REINFORCE controller (Williams 1992; Zoph & Le, ICLR 2017) as it learns.

``policy`` is the controller's per-edge op probabilities as a heat map (the arch just sampled
outlined); ``controller_trace`` the reward, moving-average baseline, advantage and policy entropy
of each update. Every function takes ``ax=None`` and returns the Axes.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from .cells import HIGHLIGHT_COLOR

__all__ = ["policy", "controller_trace"]


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
