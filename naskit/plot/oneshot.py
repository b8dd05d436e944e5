"""Drawings of one-shot search: the architecture weights and the collapse signal, step by step.

DARTS (Liu et al., ICLR 2019) relaxes each edge's choice of op to ``softmax(alpha)``; watching those
weights is watching the search. ``alpha_heatmap`` shows them now (edges x ops, values written in,
on a fixed colour scale, a clearly strongest op outlined), ``alpha_trace`` how each edge's weights
moved over the steps, and ``collapse_trace`` the share of parameter-free ops in the derived cell
(the failure mode of Zela et al., ICLR 2020) beside its ground-truth accuracy; ``share_timeline``
is the same for a replayed run, with its epochs and a cursor. ``update_alpha_heatmap`` and
``move_cursor`` change a drawn figure in place, for animation. ``edge_names`` labels the rows.
Every drawing function takes ``ax=None`` and returns the Axes.
"""
from __future__ import annotations

import math
import weakref
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator

from ..oneshot import parameter_free_share
from ..space import CellSpace, DartsSpace
from ..space.darts import state_name
from ..supernet.base import darts_edges
from .cells import HIGHLIGHT_COLOR, OP_COLORS

__all__ = ["alpha_heatmap", "update_alpha_heatmap", "alpha_trace", "collapse_trace",
           "share_timeline", "move_cursor", "changing_artists", "edge_names"]

_OTHER = "#444444"
_SHARE_COLOR, _ACC_COLOR = "#D55E00", "#0072B2"


def edge_names(space) -> list[str]:
    """Row labels of alpha for ``space``: 'src→dst' (cell space) or 'input→node' (DARTS space)."""
    if isinstance(space, DartsSpace):
        return [f"{state_name(j)}→{i}" for i, j in darts_edges(space.n_intermediate)]
    if isinstance(space, CellSpace):
        return [f"{src}→{dst}" for dst in range(1, space.n_nodes) for src in range(dst)]
    raise TypeError(f"edge_names needs a CellSpace or a DartsSpace, got {type(space).__name__}")


def _check_weights(weights, op_names) -> np.ndarray:
    if isinstance(weights, dict):
        raise TypeError(f"weights is a dict by cell type {sorted(weights)}; draw one cell at a "
                        f"time, e.g. weights[{next(iter(weights), 'cell')!r}]")
    w = np.asarray(weights, float)
    if w.ndim != 2 or w.shape[1] != len(op_names):
        raise ValueError(f"weights must be edges x ops = (n, {len(op_names)}) for ops "
                         f"{list(op_names)}, got shape {w.shape}")
    return w


def _check_edges(edges, n) -> list[str]:
    edges = [f"edge {e}" for e in range(n)] if edges is None else [str(e) for e in edges]
    if len(edges) != n:
        raise ValueError(f"{len(edges)} edge labels for {n} edges")
    return edges


@dataclass
class _Heatmap:
    """The artists of one ``alpha_heatmap``, kept so that ``update_alpha_heatmap`` changes them in place."""

    image: object
    texts: list
    outlines: list
    uniform: float
    spread: float
    margin: float


# what a drawing keeps to be changed in place later, by its Axes
_HEATMAPS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()  # Axes -> _Heatmap
_CURSORS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()   # Axes -> Line2D


def alpha_heatmap(weights, op_names, ax=None, edges=None, title=None, spread=None,
                  margin: float = 0.01, colorbar: bool = True):
    """softmax(alpha) of one cell as a heat map: rows edges, columns ``op_names``, values written in.

    The colour scale is fixed, not fitted to the weights: uniform (``1 / len(op_names)``) is white,
    red above and blue below, out to ``uniform ± spread`` (default ``spread = uniform``: weight 0 is
    the deepest blue), so that a step-0 difference of 0.001 stays white and frames of a search
    compare. An edge's strongest op is outlined only when it leads the next by at least ``margin``.
    ``edges``: row labels (default 'edge 0', ...; see ``edge_names``); ``colorbar``: draw the scale.
    Returns the Axes; ``update_alpha_heatmap`` redraws it with other weights.
    """
    op_names = list(op_names)
    w = _check_weights(weights, op_names)
    n, k = w.shape
    edges = _check_edges(edges, n)
    uniform = 1 / k
    spread = uniform if spread is None else float(spread)
    if not 0 < spread <= 1 or not 0 <= margin < 1:
        raise ValueError(f"spread must be in (0, 1] and margin in [0, 1), got {spread!r}, {margin!r}")
    if ax is None:
        _, ax = plt.subplots(figsize=(1.2 * k + 2.6, 0.42 * n + 1.8), layout="constrained")
    image = ax.imshow(w, cmap="RdBu_r", vmin=uniform - spread, vmax=uniform + spread,
                      aspect="auto")
    size = 11 if n <= 8 and k <= 6 else 9
    texts = [[ax.text(o, e, "", ha="center", va="center", fontsize=size) for o in range(k)]
             for e in range(n)]
    outlines = [ax.add_patch(plt.Rectangle((-0.47, e - 0.47), 0.94, 0.94, fill=False,
                                           edgecolor=HIGHLIGHT_COLOR, linewidth=2.2))
                for e in range(n)]
    ax.set_xticks(range(k), op_names, rotation=25, ha="right", fontsize=size)
    ax.set_yticks(range(n), edges, fontsize=size)
    ax.tick_params(length=0)
    ax.set_xlabel(f"outlined: leads its edge by ≥ {margin:g}", fontsize=size)
    if colorbar:
        lo, hi = uniform - spread, uniform + spread
        bar = ax.figure.colorbar(image, ax=ax, fraction=0.06, pad=0.02,
                                 extend="neither" if lo <= 0 and hi >= 1 else
                                 "both" if lo > 0 and hi < 1 else "max" if hi < 1 else "min")
        bar.set_label(f"softmax(alpha), fixed scale\nwhite: uniform {uniform:.3g}", fontsize=size)
        bar.ax.tick_params(labelsize=size - 1)
    _HEATMAPS[ax] = _Heatmap(image, texts, outlines, uniform, spread, margin)
    update_alpha_heatmap(ax, w, title=title)
    return ax


def update_alpha_heatmap(ax, weights, title=None):
    """Show other ``weights`` (same shape) on a heat map ``alpha_heatmap`` drew: colours, values,
    outlines and the title change in place, the scale stays (fast enough to animate)."""
    h = _HEATMAPS.get(ax)
    if h is None:
        raise ValueError("ax holds no alpha_heatmap; draw one first with plot.alpha_heatmap")
    w = np.asarray(weights, float)
    if w.shape != h.image.get_array().shape:
        raise ValueError(f"weights must have the heat map's shape {h.image.get_array().shape}, "
                         f"got {w.shape}")
    h.image.set_data(w)
    for e, row in enumerate(h.texts):
        for o, text in enumerate(row):
            text.set_text(f"{w[e, o]:.3f}".lstrip("0") if w[e, o] < 1 else f"{w[e, o]:.2f}")
            text.set_color("white" if abs(w[e, o] - h.uniform) > 0.6 * h.spread else "black")
    for e, outline in enumerate(h.outlines):
        o = int(np.argmax(w[e]))
        lead = w[e, o] - np.max(np.delete(w[e], o)) if w.shape[1] > 1 else 1.0
        outline.set_x(o - 0.47)
        outline.set_visible(bool(lead >= h.margin))
    if title is not None:
        ax.set_title(title)
    return ax


def _series(trace, which):
    """Steps and stacked weights (steps x edges x ops) of cell type ``which`` over ``trace``."""
    rows = [s for s in trace if s.weights]
    if not rows:
        return None, np.arange(0), None
    kinds = list(rows[0].weights)
    which = kinds[0] if which is None else which
    if which not in rows[0].weights:
        raise ValueError(f"unknown cell type {which!r}; this trace has {kinds}")
    return which, np.array([s.step for s in rows]), np.stack([np.asarray(s.weights[which], float)
                                                              for s in rows])


def _lines(ax, steps, w, op_names):
    marker = "o" if len(steps) < 20 else None  # a line of one or two steps is hard to see
    for o, op in enumerate(op_names):
        ax.plot(steps, w[:, o], lw=2, marker=marker, ms=4, color=OP_COLORS.get(op, _OTHER),
                label=op)
    ax.axhline(1 / len(op_names), color="black", lw=0.8, ls=":", label="_uniform")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(alpha=0.3)


def alpha_trace(trace, op_names, ax=None, edge=None, which=None, edges=None):
    """softmax(alpha) over the steps of ``trace`` (a list of ``Step``): one line per op.

    ``edge=None``: small multiples, one Axes per edge (``ax``: None or at least that many Axes;
    returns the array of Axes used); ``edge=e``: that edge alone on one Axes (returns it).
    ``which``: the cell type ('normal', 'reduce'; default the first); ``edges``: edge labels
    (default 'edge 0', ...; see ``edge_names``). The dotted line is uniform.
    """
    op_names = list(op_names)
    which, steps, w = _series(trace, which)
    if w is not None and w.shape[2] != len(op_names):
        raise ValueError(f"the trace has {w.shape[2]} ops per edge, op_names {len(op_names)}")
    n_edges = None if w is None else w.shape[1]
    names = None if w is None else _check_edges(edges, n_edges)
    cell = "" if which in (None, "cell") else f" ({which} cell)"
    if edge is not None:
        if n_edges is not None and not 0 <= edge < n_edges:
            raise ValueError(f"edge must be in 0..{n_edges - 1}, got {edge}")
        if ax is None:
            _, ax = plt.subplots(figsize=(6.4, 4.0), layout="constrained")
        if w is None:
            ax.text(0.5, 0.5, "no steps yet", ha="center", va="center", transform=ax.transAxes)
        else:
            _lines(ax, steps, w[:, edge], op_names)
            ax.legend(loc="best", fontsize=10)
        ax.set_xlabel("step")
        ax.set_ylabel("softmax(alpha)")
        ax.set_title(f"{f'edge {edge}' if names is None else names[edge]}{cell}")
        return ax
    if ax is None:
        n = n_edges or 1
        cols = min(n, 3 if n <= 6 else 5)
        rows = math.ceil(n / cols)
        _, ax = plt.subplots(rows, cols, figsize=(3.6 * cols, 2.4 * rows + 0.6), sharex=True,
                             sharey=True, layout="constrained", squeeze=False)
    axes = np.asarray(ax, dtype=object).ravel()
    if w is None:
        for a in axes:
            a.text(0.5, 0.5, "no steps yet", ha="center", va="center", transform=a.transAxes)
            a.set_xticks([])
            a.set_yticks([])
        return axes
    if len(axes) < n_edges:
        raise ValueError(f"{len(axes)} Axes for {n_edges} edges; give None or at least {n_edges}")
    for e, a in enumerate(axes[:n_edges]):
        _lines(a, steps, w[:, e], op_names)
        a.set_title(names[e], fontsize=11)
        spec = a.get_subplotspec()
        if spec is None or spec.is_last_row() or e + spec.get_gridspec().ncols >= n_edges:
            a.set_xlabel("step")
    for a in axes[n_edges:]:
        a.set_visible(False)
    handles, labels = axes[0].get_legend_handles_labels()
    fig = axes[0].figure
    # "outside" places the legend below the grid; only a constrained layout can make room for it
    constrained = type(fig.get_layout_engine()).__name__ == "ConstrainedLayoutEngine"
    fig.legend(handles, labels, loc="outside lower center" if constrained else "lower center",
               ncols=min(len(op_names), 5), fontsize=10, frameon=False)
    return axes[:n_edges]


def collapse_trace(trace, ax=None, accuracy=None, baseline=None):
    """Share of parameter-free ops in the cell derived after each step, and its true accuracy.

    ``trace``: a list of ``Step``; steps whose ``arch`` is None are skipped. ``accuracy``: one
    ground-truth accuracy (%) per step of ``trace`` (None or NaN where unknown), drawn on a second
    y-axis (reach it through ``ax.figure.axes``). ``baseline``: the share of a uniformly drawn
    cell (``nk.oneshot.random_share(space)``, 0.6 in NB201), drawn dotted: DARTS' collapse is the
    share rising past it towards 1.
    """
    trace = list(trace)
    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 4.0), layout="constrained")
    known = [s for s in trace if s.arch is not None]
    ax.set_xlabel("step")
    ax.set_ylabel("parameter-free share", color=_SHARE_COLOR)
    ax.set_ylim(-0.05, 1.05)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(alpha=0.3)
    if not known:
        ax.text(0.5, 0.5, "no derived cell recorded yet", ha="center", va="center",
                transform=ax.transAxes)
    else:
        ax.plot([s.step for s in known], [parameter_free_share(s.arch) for s in known], lw=2.5,
                color=_SHARE_COLOR, drawstyle="steps-post", label="parameter-free share")
    if accuracy is not None:
        acc = np.array([np.nan if a is None else float(a) for a in accuracy])
        if len(acc) != len(trace):
            raise ValueError(f"{len(acc)} accuracies for {len(trace)} steps of the trace")
        twin = ax.twinx()
        twin.set_ylabel("ground-truth accuracy (%)", color=_ACC_COLOR)
        if np.isfinite(acc).any():
            twin.plot([s.step for s in trace], acc, lw=2, color=_ACC_COLOR,
                      drawstyle="steps-post", label="ground-truth accuracy")
            lo, hi = np.nanmin(acc), np.nanmax(acc)
            pad = max(1.0, 0.1 * (hi - lo))
            twin.set_ylim(lo - pad, hi + pad)
    if baseline is not None:
        _baseline(ax, baseline)
    ax.set_title("the derived cell over the search")
    return ax


def _baseline(ax, baseline):
    ax.axhline(baseline, color=_SHARE_COLOR, lw=1, ls=":")
    ax.annotate(f"a random cell: {baseline:.2f}", (0.99, baseline), xycoords=("axes fraction", "data"),
                xytext=(0, 3), textcoords="offset points", ha="right", fontsize=9,
                color=_SHARE_COLOR)


def share_timeline(shares, accuracy=None, baseline=None, epoch_steps=None, crossing=None,
                   step=None, ax=None):
    """The parameter-free share of the cell derived at every recorded step, its true accuracy,
    the epochs, and a cursor at ``step``: the timeline of a replayed search.

    ``shares``: one per step (steps 0, 1, ...); ``accuracy``: test accuracy (%) per step (NaN
    unknown), on a second y-axis; ``baseline``: a random cell's share (dotted); ``epoch_steps``:
    the last step of each epoch (faint lines, epochs on the top axis); ``crossing``: the step from
    which the share stays above ``baseline`` (dashed). ``move_cursor`` moves the cursor.
    """
    shares = np.asarray(shares, float)
    steps = np.arange(len(shares))
    if ax is None:
        _, ax = plt.subplots(figsize=(7.0, 3.6), layout="constrained")
    ax.plot(steps, shares, lw=2, color=_SHARE_COLOR, drawstyle="steps-post")
    ax.set_ylim(-0.05, 1.05)
    ax.set_xlim(0, max(len(shares) - 1, 1))
    ax.set_xlabel("step")
    ax.set_ylabel("parameter-free share", color=_SHARE_COLOR)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if baseline is not None:
        _baseline(ax, baseline)
    if epoch_steps is not None and len(epoch_steps):
        ends = np.asarray(epoch_steps, int)
        ax.vlines(ends, 0, 1, transform=ax.get_xaxis_transform(), color="black", lw=0.6,
                  alpha=0.15)
        every = max(1, math.ceil(len(ends) / 10))
        top = ax.secondary_xaxis("top")
        top.set_xticks(ends[every - 1::every], [str(e) for e in range(every, len(ends) + 1, every)])
        top.set_xlabel("end of epoch", fontsize=10)
        top.tick_params(labelsize=9)
    if crossing is not None:
        ax.axvline(crossing, color=_SHARE_COLOR, lw=1.2, ls="--")
        ax.annotate(f"above from step {crossing}", (crossing, 0.02), xycoords=("data", "axes fraction"),
                    xytext=(3, 0), textcoords="offset points", fontsize=9, color=_SHARE_COLOR)
    if accuracy is not None:
        acc = np.asarray(accuracy, float)
        if len(acc) != len(shares):
            raise ValueError(f"{len(acc)} accuracies for {len(shares)} shares")
        twin = ax.twinx()
        twin.set_ylabel("test accuracy (%)", color=_ACC_COLOR)
        if np.isfinite(acc).any():
            twin.plot(steps, acc, lw=1.5, color=_ACC_COLOR, drawstyle="steps-post")
            lo, hi = np.nanmin(acc), np.nanmax(acc)
            pad = max(1.0, 0.1 * (hi - lo))
            twin.set_ylim(lo - pad, hi + pad)
    _CURSORS[ax] = ax.axvline(0 if step is None else step, color="black", lw=1.5,
                              visible=step is not None)
    ax.set_title("the derived cell, step by step")
    return ax


def changing_artists(ax) -> list:
    """The artists ``update_alpha_heatmap`` or ``move_cursor`` change on ``ax``: what an animation
    redraws per frame (the rest of the figure stays)."""
    out = []
    h = _HEATMAPS.get(ax)
    if h is not None:
        out += [h.image, *(t for row in h.texts for t in row), *h.outlines, ax.title]
    if ax in _CURSORS:
        out.append(_CURSORS[ax])
    return out


def move_cursor(ax, step) -> None:
    """Move the cursor of a ``share_timeline`` to ``step``."""
    cursor = _CURSORS.get(ax)
    if cursor is None:
        raise ValueError("ax holds no share_timeline; draw one first with plot.share_timeline")
    cursor.set_xdata([step, step])
    cursor.set_visible(True)
