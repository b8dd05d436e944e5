"""Drawings of estimator comparisons: score against truth, rank against rank, cost against quality.

The three views that evaluations of cheap performance estimators use (Abdelfattah et al., ICLR
2021; White et al., NeurIPS 2021): a scatter of one estimator's scores against the ground truth,
the same as ranks (where the top-k box shows the top-k precision), and one point per estimator
placing its Kendall tau against its seconds per arch, with the ground truth's own training cost
for scale, the ceiling (the noise-free truth against one run, the line no estimator independent of
the run's noise is expected to cross) and, below it, how well a second training seed agrees;
``seed_scatter`` draws the two seeds. Every function draws a finished result, takes ``ax=None``
and returns the Axes.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from scipy import stats

from ..estimators import Comparison, NoiseCeiling

__all__ = ["score_scatter", "rank_rank", "cost_quality", "seed_scatter"]

_POINT = "#0072B2"
_TOP = "#D55E00"
_SIMULATED = "#009E73"
_GREY = "#777777"
_CEILING = "#CC79A7"


def _check(comparison, name=None):
    if not isinstance(comparison, Comparison):
        raise TypeError(f"expected a Comparison (naskit.estimators.compare), got "
                        f"{type(comparison).__name__}")
    if name is not None:
        return comparison[name]


def _axes(ax, size=(6.4, 4.8)):
    if ax is None:
        _, ax = plt.subplots(figsize=size, layout="constrained")
    return ax


def _ci(low, high) -> str:
    return f"[{low:.2f}, {high:.2f}]"


def _truth_axis(comparison) -> str:
    label = comparison.truth_label.replace("valid_acc", "validation accuracy") \
        .replace("test_acc", "test accuracy")
    return label + (" (%)" if comparison.epoch is not None else "")


def score_scatter(comparison: Comparison, name: str, ax=None):
    """Each arch's score by estimator ``name`` against its ground truth; tau and rho with CIs."""
    r = _check(comparison, name)
    ax = _axes(ax)
    truth, scores = comparison.truth, r.scores
    finite = np.isfinite(scores) & np.isfinite(truth)
    top = np.zeros(len(truth), bool)
    top[np.argsort(-truth, kind="stable")[:comparison.k]] = True
    # A few far outliers (NB201's 10% archs that never learn) would squash the rest into a
    # corner: draw them as arrows at the edge instead.
    x_lo, y_lo = _low_limit(truth[finite]), _low_limit(scores[finite])
    x = np.maximum(truth, x_lo) if x_lo is not None else truth
    y = np.maximum(scores, y_lo) if y_lo is not None else scores
    clipped = finite & (x != truth) | finite & (y != scores)
    edge = "<" if x_lo is not None else "v"
    for pick, kw in [(finite & ~top & ~clipped, dict(s=36, color=_POINT, alpha=0.7,
                                                        label="archs")),
                     (finite & top, dict(s=60, color=_TOP, marker="D",
                                         label=f"truly best {comparison.k}")),
                     (clipped & ~top, dict(s=60, color=_GREY, marker=edge,
                                           label=f"{int((clipped & ~top).sum())} outliers "
                                                 "(at the edge)"))]:
        if pick.any():
            ax.scatter(x[pick], y[pick], edgecolors="white", linewidths=0.5, **kw)
    pct = f"{comparison.level:.0%}"
    left_out = int((~finite).sum())
    note = f", {left_out} without a finite score not drawn" if left_out else ""
    ax.set_title(f"{r.name} on {len(truth)} archs{note}\n"
                 f"τ = {r.tau:.2f} {_ci(*r.tau_ci)}   ρ = {r.rho:.2f} {_ci(*r.rho_ci)}   "
                 f"({pct} CI)")
    ax.set_xlabel(_truth_axis(comparison))
    ax.set_ylabel(f"{r.name} score")
    ax.legend(loc="lower right")
    return ax


def _low_limit(values: np.ndarray) -> float | None:
    """Where to cut off far low outliers (Tukey's far-out fence, q1 - 3 IQR), or None if none."""
    if len(values) < 10:
        return None
    q1, q3 = np.percentile(values, [25, 75])
    fence = q1 - 3 * (q3 - q1)
    if q3 <= q1 or values.min() >= fence:
        return None
    inside = values[values >= fence]
    return float(inside.min() - 0.08 * (inside.max() - inside.min()))


def _ranks(x: np.ndarray) -> np.ndarray:
    # rank 1 = best (largest); NaN last, ties share their mean rank
    filled = np.where(np.isnan(x), -np.inf, x)
    return stats.rankdata(-filled, method="average")


def rank_rank(comparison: Comparison, name: str, ax=None):
    """Rank by estimator ``name`` against rank by ground truth (1 = best); the top-k box shaded."""
    r = _check(comparison, name)
    ax = _axes(ax, size=(5.6, 5.2))
    n, k = len(comparison.truth), comparison.k
    true_rank, est_rank = _ranks(comparison.truth), _ranks(r.scores)
    ax.fill_between([0.5, k + 0.5], 0.5, k + 0.5, color=_TOP, alpha=0.25, edgecolor=_TOP,
                    linewidth=1,
                    label=f"both top {k}: precision {r.top_k:.2f}")
    ax.plot([1, n], [1, n], color=_GREY, linestyle="--", linewidth=1.2, label="perfect ranking")
    ax.scatter(true_rank, est_rank, s=30, color=_POINT, alpha=0.75, edgecolors="white",
               linewidths=0.5)
    ax.set_xlim(0, n + 1)
    ax.set_ylim(0, n + 1)
    ax.set_aspect("equal")
    ax.set_title(f"{r.name}: τ = {r.tau:.2f}")
    ax.set_xlabel("rank by ground truth (1 = best)")
    ax.set_ylabel(f"rank by {r.name}")
    ax.legend(loc="lower right")
    return ax


def cost_quality(comparison: Comparison, ax=None, ceiling: NoiseCeiling | None = None,
                 legend: str = "below"):
    """Kendall tau (with CI bars) against seconds per arch (log scale), one labelled point each.

    ``ceiling`` (``naskit.estimators.noise_ceiling``) adds the ceiling (``truth_tau``, the
    noise-free truth against one run) as a line with its interval as a band, and the seed-to-seed
    tau (a second training against the first) as a dashed line. ``legend`` is 'below' the axes
    or 'right' of them (for a wide, low figure).
    """
    _check(comparison)
    if legend not in ("below", "right"):
        raise ValueError(f"legend must be 'below' or 'right', got {legend!r}")
    if ceiling is not None and not isinstance(ceiling, NoiseCeiling):
        raise TypeError(f"ceiling must be a NoiseCeiling (naskit.estimators.noise_ceiling) or "
                        f"None, got {type(ceiling).__name__}")
    if not len(comparison):
        raise ValueError("the comparison has no estimators to draw")
    ax = _axes(ax, size=(7.2, 4.8))
    results = list(comparison)
    # a cost of 0 s (a bench with no recorded times) cannot sit on a log axis; draw it at 1 µs
    cost = np.array([max(r.seconds_per_arch, 1e-6) for r in results])
    tau = np.array([r.tau for r in results])
    err = np.array([[t - r.tau_ci[0], r.tau_ci[1] - t] for t, r in zip(tau, results)]).T
    for simulated, color, marker, label in [(False, _POINT, "o", "measured seconds"),
                                            (True, _SIMULATED, "s", "simulated (bench clock)")]:
        pick = np.array([r.simulated == simulated for r in results])
        if pick.any():
            ax.errorbar(cost[pick], tau[pick], yerr=np.abs(err[:, pick]), fmt=marker, color=color,
                        markersize=8, capsize=4, elinewidth=1.5, label=label)
    _labels(ax, cost, tau, [r.name for r in results])
    if np.isfinite(comparison.truth_seconds) and comparison.truth_seconds > 0:
        ax.axvline(comparison.truth_seconds, color=_GREY, linestyle=":", linewidth=1.5,
                   label=f"training for the truth ({comparison.epoch} epochs)")
    if ceiling is not None and np.isfinite(ceiling.tau):
        ax.axhspan(*ceiling.truth_tau_ci, color=_CEILING, alpha=0.18, linewidth=0)
        ax.axhline(ceiling.truth_tau, color=_CEILING, linewidth=2,
                   label=f"ceiling: noise-free truth vs one run, τ = {ceiling.truth_tau:.2f} "
                         f"{_ci(*ceiling.truth_tau_ci)}")
        ax.axhline(ceiling.tau, color=_CEILING, linewidth=1.5, linestyle="--",
                   label=f"a second seed: seed {ceiling.seeds[0]} vs {ceiling.seeds[1]}, "
                         f"τ = {ceiling.tau:.2f} {_ci(*ceiling.tau_ci)}")
    ax.axhline(0, color=_GREY, linewidth=0.8)
    ax.set_xscale("log")
    span = [*cost]
    if np.isfinite(comparison.truth_seconds) and comparison.truth_seconds > 0:
        span.append(comparison.truth_seconds)
    lo, hi = min(span), max(span)
    ax.set_xlim(lo / 3, hi * 6)  # room for the labels right of the points
    lows = tau - np.abs(err[0])
    lows = lows[np.isfinite(lows)]
    if ceiling is not None and np.isfinite(ceiling.tau_ci[0]):
        lows = np.append(lows, ceiling.tau_ci[0])
    ax.set_ylim(min(-0.1, lows.min() - 0.05 if len(lows) else -0.1), 1.05)
    ax.set_title(f"Cost against quality on {len(comparison.truth)} archs")
    ax.set_xlabel("seconds per arch (log scale)")
    ax.set_ylabel("Kendall τ with the ground truth")
    # outside the axes: inside, it would hide the points and labels it explains
    if legend == "below":
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2, frameon=False)
    else:
        ax.legend(loc="center left", bbox_to_anchor=(1.02, 0.5), frameon=False)
    return ax


def seed_scatter(ceiling: NoiseCeiling, ax=None):
    """One point per class (or arch): the truth under one seed against another; tau with CI."""
    if not isinstance(ceiling, NoiseCeiling):
        raise TypeError(f"expected a NoiseCeiling (naskit.estimators.noise_ceiling), got "
                        f"{type(ceiling).__name__}")
    ax = _axes(ax, size=(5.6, 5.2))
    ax.scatter(ceiling.a, ceiling.b, s=14, color=_POINT, alpha=0.45, edgecolors="none")
    lo = float(np.nanmin([ceiling.a.min(), ceiling.b.min()]))
    hi = float(np.nanmax([ceiling.a.max(), ceiling.b.max()]))
    ax.plot([lo, hi], [lo, hi], color=_GREY, linestyle="--", linewidth=1.2, label="same value")
    name = {"valid_acc": "validation accuracy (%)", "valid_loss": "validation loss",
            "test_acc": "test accuracy (%)"}.get(ceiling.metric, ceiling.metric)
    at = "" if ceiling.epoch is None else f", epoch {ceiling.epoch}"
    ax.set_xlabel(f"seed {ceiling.seeds[0]}: {name}")
    ax.set_ylabel(f"seed {ceiling.seeds[1]}: {name}")
    pct = f"{ceiling.level:.0%}"
    ax.set_title(f"The truth against itself: {ceiling.n:,} {ceiling.per}"
                 f"{'es' if ceiling.per == 'class' else 's'}{at}\n"
                 f"τ = {ceiling.tau:.2f} {_ci(*ceiling.tau_ci)}   "
                 f"ρ = {ceiling.rho:.2f} {_ci(*ceiling.rho_ci)}   ({pct} CI)\n"
                 f"ceiling, noise-free truth vs one run: τ = {ceiling.truth_tau:.2f} "
                 f"{_ci(*ceiling.truth_tau_ci)}")
    ax.set_aspect("equal")
    ax.legend(loc="lower right")
    return ax


def _labels(ax, cost, tau, names, gap=0.085, reach=0.5):
    """Name each point; points close in log-cost share a column of labels spaced ``gap`` in tau."""
    order = np.argsort(np.log10(cost))
    groups, current = [], [order[0]]
    for i in order[1:]:
        if np.log10(cost[i]) - np.log10(cost[current[-1]]) < reach:
            current.append(i)
        else:
            groups.append(current)
            current = [i]
    groups.append(current)
    for group in groups:
        if len(group) == 1:
            i = group[0]
            ax.annotate(names[i], (cost[i], tau[i]), xytext=(8, 6), textcoords="offset points")
            continue
        group = sorted(group, key=lambda i: np.nan_to_num(tau[i], nan=-1.0))
        ys = [np.nan_to_num(tau[i], nan=-1.0) for i in group]
        for j in range(1, len(ys)):  # push labels up until they are ``gap`` apart
            ys[j] = max(ys[j], ys[j - 1] + gap)
        shift = max(0.0, ys[-1] - 1.0)  # keep the column inside the axes
        x_text = cost[group].max() * 10 ** (reach * 0.9)
        for i, y in zip(group, ys):
            ax.annotate(names[i], (cost[i], tau[i]), xytext=(x_text, y - shift), va="center",
                        arrowprops=dict(arrowstyle="-", color="#aaaaaa", linewidth=0.8,
                                        shrinkA=0, shrinkB=4))
