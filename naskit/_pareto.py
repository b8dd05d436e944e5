"""The Pareto front of points that trade a cost (to minimise) against a value (to maximise).

A point is on the front when no other point is at least as cheap and at least as good with one of
the two strictly better (multi-objective NAS, e.g. Elsken et al., ICLR 2019, LEMONADE; Cai et al.,
ICLR 2020, OFA's accuracy-latency curves). Shared by the hardware analyses and ``History.pareto``.
"""
from __future__ import annotations

import numpy as np

__all__ = ["pareto_front"]


def pareto_front(cost, value) -> np.ndarray:
    """Indices of the non-dominated points, cheapest first (NaN points are never on the front).

    Identical points do not dominate each other, so all copies of a front point are kept.
    """
    cost, value = np.asarray(cost, dtype=float).ravel(), np.asarray(value, dtype=float).ravel()
    if len(cost) != len(value):
        raise ValueError(f"cost and value must have the same length, got {len(cost)} and {len(value)}")
    ok = np.flatnonzero(~(np.isnan(cost) | np.isnan(value)))
    order = ok[np.lexsort((-value[ok], cost[ok]))]  # by cost, then the best value first
    front, best, at = [], -np.inf, None
    for i in order:
        if value[i] > best or (value[i] == best and cost[i] == at):
            front.append(i)
            if value[i] > best:
                best, at = value[i], cost[i]
    return np.asarray(front, dtype=np.int64)
