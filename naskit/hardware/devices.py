"""Devices you don't own: how latency, and the best arch under a latency budget, move between devices.

HW-NAS-Bench (Li et al., ICLR 2021) and HELP (Lee et al., NeurIPS 2021) measured every NAS-Bench-201
cell on many devices and found that the latency ranking of one device says little about another's
(an edge ASIC and a server GPU disagree most), so the accuracy-latency Pareto front, and the best
arch under a budget, belong to a device. These helpers take plain arrays over the archs (e.g. the
columns of ``nk.bench.load("nb201-latency")``), so they work as well for live measurements.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from .._pareto import pareto_front

__all__ = ["device_kind", "DeviceCorrelation", "rank_correlation", "DeviceOverlap",
           "pareto_overlap", "best_under", "pareto_front"]

# device-name prefix -> kind, for HELP's / HW-NAS-Bench's device names
_KINDS = (("1080ti", "GPU"), ("2080ti", "GPU"), ("titan", "GPU"), ("gold", "CPU"),
          ("silver", "CPU"), ("pixel", "phone"), ("samsung", "phone"), ("essential", "phone"),
          ("raspi", "Raspberry Pi"), ("eyeriss", "ASIC"), ("fpga", "FPGA"))


def device_kind(name: str) -> str:
    """'GPU', 'CPU', 'phone', 'Raspberry Pi', 'ASIC', 'FPGA' or 'other', from a device's name."""
    for prefix, kind in _KINDS:
        if str(name).lower().startswith(prefix):
            return kind
    return "other"


def _columns(latencies) -> tuple[list[str], np.ndarray]:
    if not isinstance(latencies, dict) or len(latencies) < 1:
        raise ValueError("latencies must be a non-empty dict: device name -> latency per arch")
    names = list(latencies)
    cols = [np.asarray(latencies[n], float).ravel() for n in names]
    if len({len(c) for c in cols}) != 1:
        raise ValueError(f"every device needs one latency per arch; lengths "
                         f"{ {n: len(c) for n, c in zip(names, cols)} }")
    return names, np.column_stack(cols)


@dataclass(frozen=True)
class DeviceCorrelation:
    """Spearman rank correlation of latency between every pair of devices, over the same archs."""

    names: tuple[str, ...]
    rho: np.ndarray  # (devices, devices)

    def __getitem__(self, pair) -> float:
        a, b = pair
        return float(self.rho[self.names.index(a), self.names.index(b)])

    def pairs(self) -> list[tuple[float, str, str]]:
        """Every pair of distinct devices as (rho, a, b), least correlated first."""
        k = len(self.names)
        out = [(float(self.rho[i, j]), self.names[i], self.names[j])
               for i in range(k) for j in range(i + 1, k)]
        return sorted(out)

    def __repr__(self):
        pairs = self.pairs()
        if not pairs:
            return f"DeviceCorrelation({self.names})"
        lo, hi = pairs[0], pairs[-1]
        med = float(np.median([p[0] for p in pairs]))
        return (f"DeviceCorrelation({len(self.names)} devices: Spearman rho from {lo[0]:.2f} "
                f"({lo[1]} vs {lo[2]}) to {hi[0]:.2f} ({hi[1]} vs {hi[2]}), median {med:.2f})")


def rank_correlation(latencies: dict) -> DeviceCorrelation:
    """Spearman's rho of latency between each pair of devices (``latencies``: name -> per-arch array)."""
    names, x = _columns(latencies)
    if len(names) < 2:
        rho = np.ones((1, 1))
    else:
        rho = np.atleast_2d(stats.spearmanr(x)[0])
    return DeviceCorrelation(tuple(names), rho)


@dataclass(frozen=True)
class DeviceOverlap:
    """Each device's accuracy-latency Pareto front and how much the fronts share (Jaccard)."""

    names: tuple[str, ...]
    fronts: dict             # device -> arch indices on its front, fastest first
    jaccard: np.ndarray      # |A & B| / |A | B| of the fronts' arch sets

    def shared(self, a: str, b: str) -> np.ndarray:
        """Archs on the fronts of both ``a`` and ``b``."""
        return np.intersect1d(self.fronts[a], self.fronts[b])

    def __repr__(self):
        k = len(self.names)
        off = self.jaccard[~np.eye(k, dtype=bool)]
        sizes = [len(f) for f in self.fronts.values()]
        mean = f", mean overlap {off.mean():.2f} (min {off.min():.2f}, max {off.max():.2f})" \
            if k > 1 else ""
        return (f"DeviceOverlap({k} devices, fronts of {min(sizes)}-{max(sizes)} archs"
                f"{mean})")


def pareto_overlap(accuracy, latencies: dict) -> DeviceOverlap:
    """The Pareto front (lowest latency, highest ``accuracy``) per device and their pairwise overlap."""
    names, x = _columns(latencies)
    acc = np.asarray(accuracy, float).ravel()
    if len(acc) != x.shape[0]:
        raise ValueError(f"accuracy has {len(acc)} values, the latencies {x.shape[0]} per device")
    fronts = {n: pareto_front(x[:, i], acc) for i, n in enumerate(names)}
    sets = [set(fronts[n].tolist()) for n in names]
    jac = np.array([[len(a & b) / len(a | b) if a | b else 1.0 for b in sets] for a in sets])
    return DeviceOverlap(tuple(names), fronts, jac)


def best_under(accuracy, latency, budget_ms: float) -> int:
    """Index of the most accurate arch whose ``latency`` is within ``budget_ms`` (ties: lowest index)."""
    acc, lat = np.asarray(accuracy, float).ravel(), np.asarray(latency, float).ravel()
    if len(acc) != len(lat):
        raise ValueError(f"accuracy and latency must have the same length, got {len(acc)} and {len(lat)}")
    ok = np.flatnonzero((lat <= budget_ms) & ~np.isnan(acc))
    if not len(ok):
        raise ValueError(f"no arch is within budget_ms={budget_ms!r}; the fastest takes "
                         f"{np.nanmin(lat):.4g} ms")
    return int(ok[np.argmax(acc[ok])])
