"""Compare estimators against a benchmark's ground truth: rank agreement and what it costs.

An estimator is judged by how well it orders architectures it has not trained, and by what that
order costs. Following the evaluations of cheap estimators in NAS (Abdelfattah et al., "Zero-Cost
Proxies for Lightweight NAS", ICLR 2021; White et al., "How Powerful are Performance Predictors in
Neural Architecture Search?", NeurIPS 2021), ``compare`` scores one sample of archs with every
estimator and reports, per estimator, Kendall's tau and Spearman's rho with the benchmark's
accuracy (with bootstrap intervals), the precision of its top k, and its cost in seconds per
arch. The result is plain data: plots and widgets draw it, nothing recomputes it.
"""
from __future__ import annotations

import random
import time
from dataclasses import dataclass
from typing import Callable, Mapping

import numpy as np

from .._checks import check_seed
from .._format import seconds as seconds_text
from .._progress import progress_bar
from ..bench import Benchmark
from ..space import Arch
from .rank import paired, rank_agreement, top_k_precision

__all__ = ["EstimatorResult", "Comparison", "compare", "sample_archs"]


def sample_archs(space, n: int, seed=0) -> list[Arch]:
    """``n`` distinct archs drawn uniformly without replacement from ``space``."""
    size = len(space)
    if not isinstance(n, (int, np.integer)) or not 2 <= n <= size:
        raise ValueError(f"n must be an int in 2..{size:,} (the archs in the space), got {n!r}")
    rng = seed if isinstance(seed, random.Random) else random.Random(check_seed(seed))
    return [space[i] for i in rng.sample(range(size), int(n))]


@dataclass(frozen=True)
class EstimatorResult:
    """One estimator's scores on the compared archs and how well they rank them."""

    name: str
    scores: np.ndarray
    tau: float
    tau_ci: tuple[float, float]
    rho: float
    rho_ci: tuple[float, float]
    top_k: float
    seconds_per_arch: float
    simulated: bool

    @property
    def failures(self) -> int:
        """Archs the estimator gave no score (NaN); they are left out of every statistic."""
        return int(np.isnan(self.scores).sum())

    def __repr__(self):
        return (f"EstimatorResult({self.name!r}, tau={self.tau:.3f} "
                f"[{self.tau_ci[0]:.2f}, {self.tau_ci[1]:.2f}], rho={self.rho:.3f}, "
                f"top_k={self.top_k:.2f}, {seconds_text(self.seconds_per_arch)} per arch)")


@dataclass(frozen=True)
class Comparison:
    """The results of ``compare``: the archs, their ground truth, one EstimatorResult per name."""

    archs: tuple[Arch, ...]
    truth: np.ndarray
    truth_name: str
    epoch: int | None
    truth_seconds: float
    results: dict[str, EstimatorResult]
    k: int
    level: float
    n_boot: int
    seed: int

    @property
    def names(self) -> list[str]:
        return list(self.results)

    def __getitem__(self, name: str) -> EstimatorResult:
        if name not in self.results:
            raise KeyError(f"no estimator {name!r} in this comparison; choose from {self.names}")
        return self.results[name]

    def __len__(self) -> int:
        return len(self.results)

    def __iter__(self):
        return iter(self.results.values())

    def select(self, names) -> "Comparison":
        """The same comparison restricted to ``names`` (in that order)."""
        missing = [n for n in names if n not in self.results]
        if missing:
            raise ValueError(f"unknown estimators {missing}; choose from {self.names}")
        return Comparison(self.archs, self.truth, self.truth_name, self.epoch, self.truth_seconds,
                          {n: self.results[n] for n in names}, self.k, self.level, self.n_boot,
                          self.seed)

    @property
    def truth_label(self) -> str:
        """'valid_acc after 200 epochs' or the column name."""
        return self.truth_name if self.epoch is None else \
            f"{self.truth_name} after {self.epoch} epochs"

    def rows(self) -> list[dict]:
        """One dict per estimator: name, tau (and tau_low, tau_high), rho (...), top_k, cost."""
        return [dict(name=r.name, tau=r.tau, tau_low=r.tau_ci[0], tau_high=r.tau_ci[1], rho=r.rho,
                     rho_low=r.rho_ci[0], rho_high=r.rho_ci[1], top_k=r.top_k,
                     seconds_per_arch=r.seconds_per_arch, simulated=r.simulated,
                     failures=r.failures) for r in self]

    def __repr__(self):
        pct = f"{self.level:.0%}"
        head = (f"Comparison of {len(self)} estimator{'s' * (len(self) != 1)} on "
                f"{len(self.archs)} archs; truth: {self.truth_label}; {pct} bootstrap CIs "
                f"({self.n_boot} resamples); top-k with k={self.k}")
        width = max([9, *map(len, self.names)])
        lines = [head, f"{'estimator':<{width}}   tau  [{pct} CI]        rho  [{pct} CI]        "
                       f"top-k  s/arch"]
        for r in self:
            note = " (simulated)" if r.simulated else ""
            note += f" ({r.failures} failed)" if r.failures else ""
            tau, rho = f"[{r.tau_ci[0]:5.2f}, {r.tau_ci[1]:5.2f}]", \
                f"[{r.rho_ci[0]:5.2f}, {r.rho_ci[1]:5.2f}]"
            lines.append(f"{r.name:<{width}} {r.tau:6.3f} {tau}  {r.rho:6.3f} {rho}  {r.top_k:5.2f}  "
                         f"{seconds_text(r.seconds_per_arch)}{note}")
        return "\n".join(lines)


def compare(estimators, bench: Benchmark, archs, truth: str = "valid_acc",
            epoch: int | None = None, n_boot: int = 1000, level: float = 0.95,
            top_fraction: float = 0.1, seed: int = 0,
            progress: bool | Callable[[str, int, int], None] = False) -> Comparison:
    """Score ``archs`` with every estimator and measure its agreement with ``bench``'s ``truth``.

    ``estimators`` is a list (each named by its ``name``) or a dict name -> estimator; an
    estimator is any callable ``arch -> score`` whose ``cost_`` after a call is that call's
    seconds (a callable without ``cost_`` is timed). ``truth`` is 'valid_acc', 'test_acc' (at
    ``epoch``, default the final one) or a column of the bench. ``progress=True`` shows a tqdm bar
    over all (estimator, arch) calls; a callable ``progress(name, done, total)`` is called after
    every arch instead. Top-k precision uses k = ``top_fraction`` of the archs (at least 1).
    """
    named, seed = _named(estimators), check_seed(seed)
    if not isinstance(bench, Benchmark):
        raise TypeError(f"compare needs a naskit Benchmark (nk.bench.load()), got "
                        f"{type(bench).__name__}")
    archs = tuple(Arch.from_string(a, space=bench.space) if isinstance(a, str) else a
                  for a in archs)
    if len(archs) < 2:
        raise ValueError(f"need at least 2 archs to rank, got {len(archs)}")
    if not 0 < top_fraction <= 1:
        raise ValueError(f"top_fraction must be in (0, 1], e.g. 0.1, got {top_fraction!r}")
    at_epoch = truth in ("valid_acc", "test_acc")
    if at_epoch and epoch is None:
        epoch = bench.final_epoch
    values = bench.values(archs, epoch, truth).astype(float)
    truth_seconds = (float(np.mean([bench.cost(a, epoch) for a in archs])) if at_epoch
                     else float("nan"))
    k = max(1, round(top_fraction * len(archs)))

    if progress is not True and progress is not False and progress is not None and not callable(progress):
        raise TypeError(f"progress must be True, False or a callable (name, done, total), got "
                        f"{type(progress).__name__}")
    bar = progress_bar(progress is True, total=len(named) * len(archs), desc="compare", unit="arch")
    results = {}
    try:
        for name, est in named.items():
            if bar is not None:
                bar.set_description(name)
            scores, costs = np.empty(len(archs)), np.empty(len(archs))
            for j, arch in enumerate(archs):
                start = time.perf_counter()
                scores[j] = float(est(arch))
                cost = getattr(est, "cost_", None)
                costs[j] = time.perf_counter() - start if cost is None else float(cost)
                if bar is not None:
                    bar.update(1)
                elif callable(progress):
                    progress(name, j + 1, len(archs))
            results[name] = _result(name, scores, values, costs,
                                    getattr(est, "simulated", False), k=k, n_boot=n_boot,
                                    level=level, seed=seed)
    finally:
        if bar is not None:
            bar.close()
    return Comparison(archs, values, truth, epoch if at_epoch else None, truth_seconds, results,
                      k, level, int(n_boot), seed)


def _result(name, scores, truth, costs, simulated, k, n_boot, level, seed) -> EstimatorResult:
    valid = len(paired(scores, truth)[0])
    top = top_k_precision(scores, truth, min(k, valid)) if valid else float("nan")
    agree = rank_agreement(scores, truth, n_boot=n_boot, level=level, seed=seed)
    return EstimatorResult(
        name=name, scores=scores, tau=agree.tau, tau_ci=agree.tau_ci, rho=agree.rho,
        rho_ci=agree.rho_ci, top_k=top, seconds_per_arch=float(np.mean(costs)),
        simulated=bool(simulated))


def _named(estimators) -> dict:
    if isinstance(estimators, Mapping):
        named = dict(estimators)
    else:
        named = {}
        for est in estimators:
            name = getattr(est, "name", None) or getattr(est, "__name__", None) or repr(est)
            if name in named:
                raise ValueError(f"two estimators are named {name!r}; pass a dict name -> "
                                 "estimator to tell them apart")
            named[name] = est
    if not named:
        raise ValueError("no estimators to compare; pass a list or a dict name -> estimator")
    for name, est in named.items():
        if not callable(est):
            raise TypeError(f"estimator {name!r} is not callable (arch -> score): "
                            f"{type(est).__name__}")
    return named

