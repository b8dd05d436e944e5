"""Drawings of latency: a measurement's distribution, latency against accuracy with the Pareto
front, predicted against measured latency, a prediction's per-op breakdown, and how devices agree
(HW-NAS-Bench, Li et al., ICLR 2021). Every function takes ``ax=None`` and returns the Axes.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from .._pareto import pareto_front
from ..hardware import DeviceCorrelation, Latency, Part, device_kind

__all__ = ["latency_distribution", "latency_accuracy", "predicted_measured", "latency_breakdown",
           "device_correlation", "device_fronts"]

_KIND_COLORS = {"GPU": "tab:green", "CPU": "tab:blue", "phone": "tab:orange",
                "Raspberry Pi": "tab:red", "ASIC": "tab:purple", "FPGA": "tab:brown",
                "other": "tab:gray"}


def _axes(ax, figsize):
    if ax is None:
        _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def latency_distribution(latency: Latency, ax=None, title: str | None = None):
    """Histogram of a measurement's block times with its median, confidence interval and IQR."""
    if not isinstance(latency, Latency) or not latency.times_ms:
        raise ValueError("latency must be a Latency from measure_latency (with its block times)")
    ax = _axes(ax, (6, 3.4))
    t = np.asarray(latency.times_ms)
    ax.hist(t, bins=min(40, max(8, len(t) // 3)), color="tab:blue", alpha=0.7)
    lo, hi = latency.ci_ms
    ax.axvspan(lo, hi, color="tab:orange", alpha=0.3, label=f"{latency.confidence:.0%} CI of the median")
    ax.axvline(latency.median_ms, color="tab:orange", lw=2,
               label=f"median {latency.median_ms:.3g} ms (IQR {latency.iqr_ms:.2g})")
    ax.set_xlabel(f"ms per call ({latency.clock} clock, blocks of {latency.number_per_block})")
    ax.set_ylabel("blocks")
    busy = ", BUSY" if latency.busy else ""
    ax.set_title(title or f"{latency.device} x{latency.threads} thread(s), batch "
                 f"{latency.batch_size}{busy}")
    ax.legend(fontsize=9)
    return ax


def latency_accuracy(latency_ms, accuracy, ax=None, front: bool = True, label: str = "candidates",
                     highlight: int | None = None, budget_ms: float | None = None,
                     xlabel: str = "latency (ms)", ylabel: str = "accuracy (%)"):
    """Accuracy against latency, one point per arch, with the Pareto front as a step line.

    ``highlight``: an index to ring; ``budget_ms``: a latency budget to draw as a dashed line.
    """
    lat, acc = np.asarray(latency_ms, float), np.asarray(accuracy, float)
    if lat.shape != acc.shape or lat.ndim != 1 or not len(lat):
        raise ValueError(f"need one latency per accuracy, got shapes {lat.shape} and {acc.shape}")
    ax = _axes(ax, (6, 4))
    points = ax.scatter(lat, acc, s=18, alpha=0.6, label=label)
    if front:
        f = pareto_front(lat, acc)
        ax.step(lat[f], acc[f], where="post", color=points.get_facecolor()[0], alpha=1, lw=1.5)
        ax.scatter(lat[f], acc[f], s=36, facecolors="none", edgecolors="black", lw=1,
                   label=f"Pareto front ({len(f)})")
    if highlight is not None:
        ax.scatter([lat[highlight]], [acc[highlight]], s=160, facecolors="none",
                   edgecolors="tab:red", lw=2, label="selected")
    if budget_ms is not None:
        ax.axvline(budget_ms, color="gray", ls="--", lw=1, label=f"budget {budget_ms:.3g} ms")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=9, loc="lower right")
    return ax


def predicted_measured(predicted, measured, ax=None, tolerance: float = 0.1,
                       highlight: int | None = None, label: str = "archs"):
    """Predicted against measured latency with the line of equality and a +-``tolerance`` band."""
    p, m = np.asarray(predicted, float), np.asarray(measured, float)
    if p.shape != m.shape or p.ndim != 1 or not len(p):
        raise ValueError(f"need one prediction per measurement, got shapes {p.shape} and {m.shape}")
    ax = _axes(ax, (4.6, 4.2))
    lo, hi = min(p.min(), m.min()) * 0.9, max(p.max(), m.max()) * 1.1
    x = np.array([lo, hi])
    ax.plot(x, x, color="black", lw=1, label="predicted = measured")
    ax.fill_between(x, x * (1 - tolerance), x * (1 + tolerance), color="tab:green", alpha=0.15,
                    label=f"within +-{tolerance:.0%}")
    ax.scatter(m, p, s=18, alpha=0.7, label=label)
    if highlight is not None:
        ax.scatter([m[highlight]], [p[highlight]], s=160, facecolors="none", edgecolors="tab:red",
                   lw=2, label="selected")
    ax.set_xlim(lo, hi)
    ax.set_ylim(lo, hi)
    ax.set_xlabel("measured latency (ms)")
    ax.set_ylabel("predicted latency (ms)")
    ax.legend(fontsize=9, loc="upper left")
    return ax


def latency_breakdown(parts, ax=None, measured_ms: float | None = None):
    """The parts an additive prediction sums, one bar each (``AdditivePredictor.breakdown``)."""
    parts = list(parts)
    if not parts or not all(isinstance(p, Part) for p in parts):
        raise ValueError("parts must be a non-empty list of Part (AdditivePredictor.breakdown(arch))")
    ax = _axes(ax, (6, 0.8 + 0.26 * len(parts)))
    labels = [f"stage {p.stage}: {p.part}" + (f" x{p.count}" if p.count > 1 else "") for p in parts]
    totals = [p.total_ms for p in parts]
    y = np.arange(len(parts))[::-1]
    ax.barh(y, totals, color=["tab:gray" if p.part in ("stem", "reduction", "head") else
                              "tab:blue" for p in parts])
    ax.set_yticks(y, labels, fontsize=8)
    ax.set_xlabel("ms")
    total = sum(totals)
    title = f"predicted {total:.3g} ms"
    if measured_ms is not None:
        title += f", measured {measured_ms:.3g} ms ({total / measured_ms - 1:+.0%})"
    ax.set_title(title)
    return ax


def device_correlation(corr: DeviceCorrelation, ax=None):
    """Heat map of the latency rank correlation between devices."""
    if not isinstance(corr, DeviceCorrelation):
        raise TypeError(f"expected a DeviceCorrelation (nk.hardware.rank_correlation), got "
                        f"{type(corr).__name__}")
    k = len(corr.names)
    ax = _axes(ax, (0.6 + 0.28 * k, 0.3 + 0.28 * k))
    im = ax.imshow(corr.rho, vmin=min(0.0, float(np.nanmin(corr.rho))), vmax=1, cmap="viridis")
    ax.set_xticks(range(k), corr.names, rotation=90, fontsize=7)
    ax.set_yticks(range(k), corr.names, fontsize=7)
    for tick, name in zip([*ax.get_xticklabels(), *ax.get_yticklabels()], [*corr.names] * 2):
        tick.set_color(_KIND_COLORS[device_kind(name)])
    ax.figure.colorbar(im, ax=ax, label="Spearman rho of latency", shrink=0.8)
    ax.set_title("do devices agree on which archs are fast?")
    return ax


def device_fronts(accuracy, latencies: dict, ax=None, min_accuracy: float | None = None):
    """Each device's Pareto front, latency scaled by that device's median (so units compare).

    ``min_accuracy``: the lower end of the accuracy axis (the fronts' slow, accurate end is where
    devices differ; the fast end holds cells that barely learn).
    """
    if not isinstance(latencies, dict) or not latencies:
        raise ValueError("latencies must be a non-empty dict: device name -> latency per arch")
    acc = np.asarray(accuracy, float)
    ax = _axes(ax, (6.5, 4.2))
    for name, lat in latencies.items():
        lat = np.asarray(lat, float)
        f = pareto_front(lat, acc)
        ax.step(lat[f] / np.median(lat), acc[f], where="post", marker="o", ms=3, label=name,
                color=_KIND_COLORS[device_kind(name)] if len(latencies) <= 3 else None)
    if min_accuracy is not None:
        ax.set_ylim(bottom=min_accuracy)
    ax.set_xlabel("latency / that device's median latency")
    ax.set_ylabel("accuracy (%)")
    ax.set_title("Pareto fronts per device")
    ax.legend(fontsize=8, loc="lower right", ncol=2)
    return ax
