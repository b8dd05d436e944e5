"""Drawings of Once-for-All (Cai et al., ICLR 2020): progressive shrinking, and the hardware-aware search.

``shrinking`` draws the training record: the accuracy of each probe subnet after every epoch,
the phases (full, kernel, depth, expand) shaded. ``ofa_generation`` draws one generation of the
evolution as predicted accuracy against latency, with the constraint, the parents and the best;
``tradeoff`` draws any set of subnets the same way with one highlighted. Every function takes
``ax=None`` and returns the Axes.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from .cells import HIGHLIGHT_COLOR

__all__ = ["shrinking", "ofa_generation", "tradeoff"]

_PHASE_COLORS = {"full": "#F2F2F2", "kernel": "#E3F0FA", "depth": "#E8F5E3", "expand": "#FBEBDD"}


def _get(record, key):
    return record[key] if isinstance(record, dict) else getattr(record, key)


def shrinking(epochs, ax=None, probes=None, title: str | None = "progressive shrinking"):
    """Validation accuracy (%) of each probe subnet after every epoch, phases shaded and named.

    ``epochs``: the ``EpochRecord`` list of a ``ProgressiveShrinking`` (or the dicts of a shipped
    record); ``probes``: which probe names to draw (default all).
    """
    epochs = list(epochs)
    if not epochs:
        raise ValueError("the record has no epochs to draw")
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4.2), layout="constrained")
    names = list(_get(epochs[0], "probes")) if probes is None else list(probes)
    x = np.arange(1, len(epochs) + 1)
    start = 0
    for i in range(1, len(epochs) + 1):  # one shaded band per run of epochs of the same phase step
        if i == len(epochs) or _get(epochs[i], "step") != _get(epochs[start], "step"):
            phase = _get(epochs[start], "phase")
            ax.axvspan(start + 0.5, i + 0.5, color=_PHASE_COLORS.get(phase, "#EEEEEE"), zorder=0)
            ax.text((start + i + 1) / 2, 1.0, phase, transform=ax.get_xaxis_transform(), ha="center",
                    va="bottom", fontsize=10)
            start = i
    for name in names:
        ax.plot(x, [100 * _get(e, "probes")[name] for e in epochs], "o-", ms=4, label=name)
    ax.set_xlabel("epoch")
    ax.set_ylabel("validation accuracy (%)")
    ax.set_xlim(0.5, len(epochs) + 0.5)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=9, loc="lower right")
    if title:
        ax.set_title(title, pad=18)
    return ax


def ofa_generation(generation, constraint: float | None = None, ax=None, xlim=None, ylim=None,
                   title: str | None = None):
    """One ``Generation``: predicted accuracy against latency of its members, parents and best marked."""
    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 4.2), layout="constrained")
    parents = {id(c) for c in generation.parents}
    members = [c for c in generation.population if id(c) not in parents]
    colors = {"random": "#9AA5B1", "mutation": "#1F77B4", "crossover": "#9467BD", "copy": "#BBBBBB"}
    for origin, color in colors.items():
        group = [c for c in members if c.origin == origin]
        if group:
            ax.scatter([c.latency for c in group], [c.accuracy for c in group], s=28, color=color,
                       alpha=0.8, label=f"child: {origin}" if generation.index else origin)
    if generation.parents:
        ax.scatter([c.latency for c in generation.parents], [c.accuracy for c in generation.parents],
                   s=60, color=HIGHLIGHT_COLOR, edgecolor="white", label="parents (selected)", zorder=3)
    best = generation.best
    ax.scatter([best.latency], [best.accuracy], s=260, marker="*", color="#2CA02C", edgecolor="white",
               zorder=4, label="best")
    if constraint is not None:
        ax.axvline(constraint, color="black", ls="--", lw=1.2, label=f"constraint {constraint:g} ms")
    if xlim is not None:
        ax.set_xlim(*xlim)
    if ylim is not None:
        ax.set_ylim(*ylim)
    ax.set_xlabel("predicted latency (ms)")
    ax.set_ylabel("predicted accuracy")
    ax.set_title(title if title is not None else f"generation {generation.index}")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=9, loc="lower right")
    return ax


def tradeoff(latency, accuracy, ax=None, current=None, constraint: float | None = None,
             xlabel: str = "latency (ms)", ylabel: str = "accuracy", label: str = "subnets",
             title: str | None = None):
    """Accuracy against latency of many subnets; ``current`` = (latency, accuracy) starred."""
    latency, accuracy = np.asarray(latency, float), np.asarray(accuracy, float)
    if latency.shape != accuracy.shape:
        raise ValueError(f"latency and accuracy differ in length: {latency.shape} and {accuracy.shape}")
    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 4.2), layout="constrained")
    ax.scatter(latency, accuracy, s=18, color="#9AA5B1", alpha=0.7, label=label)
    if current is not None:
        ax.scatter([current[0]], [current[1]], s=300, marker="*", color=HIGHLIGHT_COLOR,
                   edgecolor="white", zorder=4, label="this subnet")
    if constraint is not None:
        ax.axvline(constraint, color="black", ls="--", lw=1.2, label=f"constraint {constraint:g} ms")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=9, loc="lower right")
    if title:
        ax.set_title(title)
    return ax
