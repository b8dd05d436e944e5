"""Rank agreement between an estimator's scores and the ground truth.

An estimator is only as good as the order it puts architectures in, so NAS papers report rank
correlations: Kendall's tau (Kendall 1938; the tau-b variant, which corrects for ties, as
``scipy.stats.kendalltau`` computes it), Spearman's rho (Pearson correlation of the ranks), and
the precision of the top k (the share of the truly best k that the estimator also puts in its top
k; Abdelfattah et al., ICLR 2021, report it as "top-10% / top-10%"). Correlations measured on a
few hundred archs are noisy, so ``bootstrap_ci`` gives a percentile bootstrap interval (Efron &
Tibshirani 1993) by resampling (score, truth) pairs.

Every helper drops the pairs in which either value is NaN (an estimator that failed on an arch)
before computing anything; infinite values are kept and ranked at the ends.
"""
from __future__ import annotations

import warnings
from typing import Callable

import numpy as np
from scipy import stats

from .._checks import check_seed

__all__ = ["kendall_tau", "spearman_rho", "top_k_precision", "bootstrap_ci", "paired"]


def paired(a, b) -> tuple[np.ndarray, np.ndarray]:
    """``a`` and ``b`` as float arrays of equal length with every NaN pair dropped."""
    a, b = np.asarray(a, dtype=float).ravel(), np.asarray(b, dtype=float).ravel()
    if len(a) != len(b):
        raise ValueError(f"need one score per ground-truth value, got {len(a)} and {len(b)}")
    keep = ~(np.isnan(a) | np.isnan(b))
    return a[keep], b[keep]


def kendall_tau(a, b) -> float:
    """Kendall's tau-b between ``a`` and ``b`` (NaN pairs dropped; NaN if under 2 pairs remain)."""
    a, b = paired(a, b)
    if len(a) < 2:
        return float("nan")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a constant input gives NaN, which is the answer
        return float(stats.kendalltau(a, b)[0])


def spearman_rho(a, b) -> float:
    """Spearman's rho between ``a`` and ``b`` (NaN pairs dropped; NaN if under 2 pairs remain)."""
    a, b = paired(a, b)
    if len(a) < 2:
        return float("nan")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return float(stats.spearmanr(a, b)[0])


def _top(x: np.ndarray, k: int) -> set[int]:
    # stable sort of -x: among equal scores the earlier arch wins, so ties never depend on luck
    return set(np.argsort(-x, kind="stable")[:k].tolist())


def top_k_precision(pred, truth, k: int) -> float:
    """Share of the ``k`` best archs by ``truth`` that are also among the ``k`` best by ``pred``.

    NaN pairs are dropped first; ties are broken in favour of the earlier position.
    """
    pred, truth = paired(pred, truth)
    if not isinstance(k, (int, np.integer)) or not 1 <= k <= len(pred):
        raise ValueError(f"k must be an int in 1..{len(pred)} (the number of valid pairs), "
                         f"got {k!r}")
    return len(_top(pred, int(k)) & _top(truth, int(k))) / int(k)


def bootstrap_ci(fn: Callable[[np.ndarray, np.ndarray], float], a, b, n_boot: int = 1000,
                 level: float = 0.95, seed: int = 0) -> tuple[float, float]:
    """Percentile bootstrap interval ``(low, high)`` of ``fn(a, b)`` over resampled pairs.

    NaN pairs are dropped first; resamples on which ``fn`` is NaN (all values tied) are skipped.
    """
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), e.g. 0.95, got {level!r}")
    if not isinstance(n_boot, (int, np.integer)) or n_boot < 1:
        raise ValueError(f"n_boot must be a positive int, got {n_boot!r}")
    a, b = paired(a, b)
    if len(a) < 2:
        return float("nan"), float("nan")
    rng = np.random.default_rng(check_seed(seed))
    idx = rng.integers(len(a), size=(int(n_boot), len(a)))
    values = np.array([fn(a[i], b[i]) for i in idx], dtype=float)
    values = values[~np.isnan(values)]
    if not len(values):
        return float("nan"), float("nan")
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(values, [tail, 100 - tail])
    return float(low), float(high)
