"""The noise ceiling: how well any estimator can agree with a benchmark whose truth is one noisy run.

A benchmark's accuracy is one training run, and a second seed (other initial weights, another
minibatch order) gives another number. Two quantities follow from the classes trained twice:

* the **seed-to-seed** agreement (``tau``, ``rho``): how well a second training agrees with the
  first, i.e. the score of the most expensive estimator, full training, judged against one run;
* the **ceiling** (``truth_tau``, ``truth_rho``): how well the noise-free truth, each cell's
  expected accuracy, agrees with one run. An estimator that knew that truth exactly would reach it
  and no estimator independent of the run's noise can be expected to exceed it; it is above the
  seed-to-seed value, because a second run adds its own noise to the comparison.

The ceiling follows from the seed-to-seed value under a Gaussian model (truth plus independent
run noise): the Pearson correlation of the truth with one run is the square root of that of two
runs (Spearman 1904, Brown 1910), and for Gaussian variables Kendall's tau is (2/pi) arcsin r and
Spearman's rho (6/pi) arcsin(r/2) (Kendall 1948). The percentile bootstrap interval of the
seed-to-seed value maps to one for the ceiling, the map being monotone. NAS-Bench-201 (Dong & Yang,
ICLR 2020) and NAS-Bench-101 (Ying et al., ICML 2019) trained several seeds for this reason.
``noise_ceiling`` measures both between two seeds of a benchmark's ``*_seeds`` column, either one
value per isomorphism class (each class trained once per seed) or one per arch, which weighs
classes by their size as a uniform sample of archs does.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..bench import Benchmark
from .rank import rank_agreement

__all__ = ["NoiseCeiling", "noise_ceiling", "truth_agreement"]

_METRICS = ("valid_acc", "valid_loss", "test_acc")


def truth_agreement(value, stat: str = "tau"):
    """The noise-free truth's rank agreement with one run, from the seed-to-seed ``value``.

    ``stat`` is 'tau' (Kendall) or 'rho' (Spearman); Gaussian model, see the module docstring.
    Non-positive agreement maps to 0 (the model allows no negative reliability). Arrays map
    element-wise.
    """
    if stat not in ("tau", "rho"):
        raise ValueError(f"stat must be 'tau' or 'rho', got {stat!r}")
    v = np.asarray(value, dtype=float)
    if np.any(np.abs(v[np.isfinite(v)]) > 1):
        raise ValueError(f"a rank correlation lies in [-1, 1], got {value!r}")
    with np.errstate(invalid="ignore"):
        if stat == "tau":
            r = np.sin(np.pi * v / 2)
            out = 2 / np.pi * np.arcsin(np.sqrt(np.clip(r, 0, 1)))
        else:
            r = 2 * np.sin(np.pi * v / 6)
            out = 6 / np.pi * np.arcsin(np.sqrt(np.clip(r, 0, 1)) / 2)
    out = np.where(np.isfinite(v), out, np.nan)
    return float(out) if out.ndim == 0 else out


@dataclass(frozen=True)
class NoiseCeiling:
    """Rank agreement of a benchmark metric between two seeds (``tau``, ``rho``) and, from it, of
    the noise-free truth with one run (``truth_tau``, ``truth_rho``: the ceiling); ``a`` and
    ``b`` are the two seeds' values."""

    tau: float
    tau_ci: tuple[float, float]
    rho: float
    rho_ci: tuple[float, float]
    metric: str
    epoch: int | None
    seeds: tuple[int, int]
    per: str
    rows: np.ndarray
    a: np.ndarray
    b: np.ndarray
    level: float

    @property
    def truth_tau(self) -> float:
        """Kendall tau of the noise-free truth with one run: the ceiling."""
        return truth_agreement(self.tau, "tau")

    @property
    def truth_tau_ci(self) -> tuple[float, float]:
        """The ceiling's interval, mapped from ``tau_ci``."""
        return tuple(float(x) for x in truth_agreement(np.array(self.tau_ci), "tau"))

    @property
    def truth_rho(self) -> float:
        """Spearman rho of the noise-free truth with one run."""
        return truth_agreement(self.rho, "rho")

    @property
    def truth_rho_ci(self) -> tuple[float, float]:
        """Its interval, mapped from ``rho_ci``."""
        return tuple(float(x) for x in truth_agreement(np.array(self.rho_ci), "rho"))

    @property
    def n(self) -> int:
        """How many values (classes or archs) were compared."""
        return len(self.rows)

    def __repr__(self):
        at = "" if self.epoch is None else \
            f" after {self.epoch} epoch{'s' * (self.epoch != 1)}"
        return (f"NoiseCeiling({self.metric}{at}, seeds {self.seeds[0]} vs {self.seeds[1]}, "
                f"{self.n:,} {self.per}{'es' if self.per == 'class' else 's'}: seed to seed "
                f"tau={self.tau:.3f} [{self.tau_ci[0]:.2f}, {self.tau_ci[1]:.2f}], "
                f"rho={self.rho:.3f} [{self.rho_ci[0]:.2f}, {self.rho_ci[1]:.2f}]; ceiling (truth "
                f"vs one run) tau={self.truth_tau:.3f} [{self.truth_tau_ci[0]:.2f}, "
                f"{self.truth_tau_ci[1]:.2f}])")


def noise_ceiling(bench: Benchmark, metric: str = "valid_acc", epoch: int | None = None,
                  per: str = "class", seeds: tuple[int, int] = (0, 1), n_boot: int = 1000,
                  level: float = 0.95, seed: int = 0) -> NoiseCeiling:
    """Kendall tau and Spearman rho between two training seeds of ``bench``'s ``metric``, and the
    ceiling they imply (``truth_tau``, ``truth_rho``).

    ``metric`` is 'valid_acc' or 'valid_loss' (at ``epoch``, default the last one) or
    'test_acc', read from the bench's ``<metric>_seeds`` column; only archs with a finite value
    for both seeds count. ``per='class'`` keeps one arch per isomorphism class (the bench's
    ``representative`` column), ``per='arch'`` every arch.
    """
    if not isinstance(bench, Benchmark):
        raise TypeError(f"noise_ceiling needs a naskit Benchmark, got {type(bench).__name__}")
    if metric not in _METRICS:
        raise ValueError(f"unknown metric {metric!r}; choose from {list(_METRICS)}")
    if per not in ("class", "arch"):
        raise ValueError(f"per must be 'class' or 'arch', got {per!r}")
    column = f"{metric}_seeds"
    if column not in bench.columns:
        raise ValueError(f"{bench.name} records one seed only (no {column!r} column; it has "
                         f"{sorted(bench.columns)}): its noise ceiling cannot be measured")
    values = np.asarray(bench.columns[column], dtype=float)
    n_seeds = values.shape[1]
    s0, s1 = seeds
    if s0 == s1 or not all(isinstance(s, (int, np.integer)) and 0 <= s < n_seeds for s in seeds):
        raise ValueError(f"seeds must be two different ints in 0..{n_seeds - 1}, got {seeds!r}")
    if values.ndim == 3:  # (archs, seeds, epochs)
        epochs = values.shape[2]
        if epoch is None:
            epoch = epochs
        if not isinstance(epoch, (int, np.integer)) or not 1 <= epoch <= epochs:
            raise ValueError(f"epoch must be an int in 1..{epochs}, got {epoch!r}")
        values = values[:, :, int(epoch) - 1]
    elif epoch is not None:
        raise ValueError(f"{column!r} holds final values only; leave epoch=None")
    keep = np.isfinite(values[:, s0]) & np.isfinite(values[:, s1])
    if per == "class":
        if "representative" not in bench.columns:
            raise ValueError(f"{bench.name} has no 'representative' column; use per='arch'")
        keep &= np.asarray(bench.columns["representative"]) == np.arange(len(values))
    rows = np.flatnonzero(keep)
    if len(rows) < 3:
        raise ValueError(f"only {len(rows)} {per}s of {bench.name} have both seeds {seeds}; "
                         "need at least 3")
    a, b = values[rows, s0], values[rows, s1]
    agree = rank_agreement(a, b, n_boot=n_boot, level=level, seed=seed)
    return NoiseCeiling(
        tau=agree.tau, tau_ci=agree.tau_ci, rho=agree.rho, rho_ci=agree.rho_ci,
        metric=metric, epoch=None if epoch is None else int(epoch), seeds=(int(s0), int(s1)),
        per=per, rows=rows, a=a, b=b, level=level)
