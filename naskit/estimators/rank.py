"""Rank agreement between an estimator's scores and the ground truth.

An estimator is only as good as the order it puts architectures in, so NAS papers report rank
correlations: Kendall's tau (Kendall 1938; the tau-b variant, which corrects for ties, as
``scipy.stats.kendalltau`` computes it), Spearman's rho (Pearson correlation of the ranks), and
the precision of the top k (the share of the truly best k that the estimator also puts in its top
k; Abdelfattah et al., ICLR 2021, report it as "top-10% / top-10%"). Correlations measured on a
few hundred archs are noisy, so ``bootstrap_ci`` gives a percentile bootstrap interval (Efron &
Tibshirani 1993) by resampling (score, truth) pairs, and ``rank_agreement`` gives tau and rho with
their intervals at once: the one computation that comparisons and noise ceilings share.

Every helper drops the pairs in which either value is NaN (an estimator that failed on an arch)
before computing anything; infinite values are kept and ranked at the ends.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Callable

import numpy as np
from scipy import stats

from .._checks import check_int, check_range, check_seed

MAX_BOOT = 1_000_000  # bootstrap resamples: past this the interval takes minutes and gains nothing

__all__ = ["kendall_tau", "spearman_rho", "top_k_precision", "bootstrap_ci", "paired",
           "RankAgreement", "rank_agreement"]


def paired(a, b) -> tuple[np.ndarray, np.ndarray]:
    """``a`` and ``b`` as float arrays of equal length with every NaN pair dropped."""
    try:
        a, b = np.asarray(a, dtype=float).ravel(), np.asarray(b, dtype=float).ravel()
    except (TypeError, ValueError):
        raise ValueError("scores and ground truth must be sequences of numbers") from None
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


def _check_boot(n_boot, level) -> None:
    check_range(level, "level (e.g. 0.95)", 0, 1, low_open=True, high_open=True)
    check_int(n_boot, "n_boot", maximum=MAX_BOOT)


# Up to this many pairs, Kendall's tau of all resamples at once (pairwise signs, n^2 per resample)
# is faster than one scipy call per resample; above it scipy's n log n wins.
_PAIRWISE_MAX = 120


def _tau_resamples(a, b, idx) -> np.ndarray:
    """Kendall's tau-b of every resample ``idx`` at once, with scipy's exact arithmetic.

    tau-b = S / sqrt(n_x) / sqrt(n_y): S the concordant minus the discordant pairs, n_x and n_y
    the pairs not tied in a or in b; all three are integers counted from the pairwise signs of
    dense ranks (exact, infinite values included), then divided as ``scipy.stats.kendalltau``
    does, so every value equals that of ``kendall_tau`` on the resample.
    """
    ra = np.unique(a, return_inverse=True)[1].reshape(-1).astype(np.int32)
    rb = np.unique(b, return_inverse=True)[1].reshape(-1).astype(np.int32)
    n = idx.shape[1]
    out = np.empty(len(idx))
    step = max(1, 4_000_000 // (n * n))
    for start in range(0, len(idx), step):
        rows = idx[start:start + step]
        x, y = ra[rows], rb[rows]
        sx = np.sign(x[:, :, None] - x[:, None, :]).astype(np.int8)
        sy = np.sign(y[:, :, None] - y[:, None, :]).astype(np.int8)
        con_minus_dis = (sx * sy).sum(axis=(1, 2), dtype=np.int64) // 2
        nx = np.count_nonzero(sx, axis=(1, 2)) // 2
        ny = np.count_nonzero(sy, axis=(1, 2)) // 2
        with np.errstate(divide="ignore", invalid="ignore"):
            tau = con_minus_dis / np.sqrt(nx) / np.sqrt(ny)
        out[start:start + step] = np.where((nx == 0) | (ny == 0), np.nan,
                                           np.clip(tau, -1.0, 1.0))
    return out


def _interval(fn, a, b, idx, level) -> tuple[float, float]:
    """Percentile interval of ``fn`` over the resamples ``idx`` (rows of pair indices)."""
    if fn is kendall_tau and idx.shape[1] <= _PAIRWISE_MAX:
        values = _tau_resamples(a, b, idx)
    else:
        values = np.array([fn(a[i], b[i]) for i in idx], dtype=float)
    values = values[~np.isnan(values)]
    if not len(values):
        return float("nan"), float("nan")
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(values, [tail, 100 - tail])
    return float(low), float(high)


def bootstrap_ci(fn: Callable[[np.ndarray, np.ndarray], float], a, b, n_boot: int = 1000,
                 level: float = 0.95, seed: int = 0) -> tuple[float, float]:
    """Percentile bootstrap interval ``(low, high)`` of ``fn(a, b)`` over resampled pairs.

    NaN pairs are dropped first; resamples on which ``fn`` is NaN (all values tied) are skipped.
    """
    _check_boot(n_boot, level)
    a, b = paired(a, b)
    if len(a) < 2:
        return float("nan"), float("nan")
    idx = np.random.default_rng(check_seed(seed)).integers(len(a), size=(int(n_boot), len(a)))
    return _interval(fn, a, b, idx, level)


@dataclass(frozen=True)
class RankAgreement:
    """Kendall's tau and Spearman's rho of two score lists, each with its bootstrap interval."""

    tau: float
    tau_ci: tuple[float, float]
    rho: float
    rho_ci: tuple[float, float]
    n: int
    level: float

    def __repr__(self):
        return (f"RankAgreement(tau={self.tau:.3f} [{self.tau_ci[0]:.2f}, {self.tau_ci[1]:.2f}], "
                f"rho={self.rho:.3f} [{self.rho_ci[0]:.2f}, {self.rho_ci[1]:.2f}], {self.n} pairs, "
                f"{self.level:.0%} CI)")


def rank_agreement(a, b, n_boot: int = 1000, level: float = 0.95,
                   seed: int = 0) -> RankAgreement:
    """Kendall's tau and Spearman's rho between ``a`` and ``b`` with percentile bootstrap intervals.

    Both intervals come from the same resamples, the ones ``bootstrap_ci`` draws with ``seed``, so
    each equals ``bootstrap_ci(kendall_tau or spearman_rho, a, b, n_boot, level, seed)``.
    """
    _check_boot(n_boot, level)
    a, b = paired(a, b)
    nan = (float("nan"), float("nan"))
    if len(a) < 2:
        return RankAgreement(float("nan"), nan, float("nan"), nan, len(a), level)
    idx = np.random.default_rng(check_seed(seed)).integers(len(a), size=(int(n_boot), len(a)))
    return RankAgreement(kendall_tau(a, b), _interval(kendall_tau, a, b, idx, level),
                         spearman_rho(a, b), _interval(spearman_rho, a, b, idx, level),
                         len(a), level)
