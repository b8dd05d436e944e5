"""Hardware-aware search: any strategy, with a fitness that weighs accuracy against latency.

MnasNet (Tan et al., CVPR 2019) searched for ``accuracy x (latency / target) ** w``: with
``w = -0.07`` on both sides of the target a soft trade-off, with ``w = 0`` below and ``-1`` above it
close to a hard limit. A hard constraint keeps only the archs within a latency budget (OFA's
evolution, Cai et al., ICLR 2020). ``HardwareAware`` wraps any ask/tell strategy: it looks the
latency of each proposal up before it is trained (a table, a predictor or a live measurement),
notes it in the trial's ``info["latency_ms"]`` and tells the strategy the combined fitness instead
of the accuracy. The history keeps the accuracy as ``fitness``; ``History.pareto`` and
``History.best_under`` read the latency from the trials.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from ..space import Arch
from .base import Proposal

__all__ = ["LatencyConstraint", "LatencyWeighted", "HardwareAware"]


def _positive(name, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0 \
            or not math.isfinite(value):
        raise ValueError(f"{name} must be a positive number of milliseconds, got {value!r}")
    return float(value)


@dataclass(frozen=True)
class LatencyConstraint:
    """A hard latency budget: the accuracy within ``max_ms``; beyond it below every feasible arch.

    An arch over the budget scores ``-latency / max_ms`` (accuracies are >= 0), so the search never
    prefers it to a feasible one but still prefers a smaller violation to a larger one.
    """

    max_ms: float

    def __post_init__(self):
        object.__setattr__(self, "max_ms", _positive("max_ms", self.max_ms))

    def __call__(self, accuracy: float, latency_ms: float) -> float:
        return float(accuracy) if latency_ms <= self.max_ms else -float(latency_ms) / self.max_ms


@dataclass(frozen=True)
class LatencyWeighted:
    """MnasNet's weighted objective: ``accuracy * (latency / target_ms) ** w``.

    ``w = alpha`` at or below the target, ``beta`` above it; MnasNet's soft setting is
    ``alpha = beta = -0.07`` (a 2x slower arch must be about 5% more accurate to score the same).
    """

    target_ms: float
    alpha: float = -0.07
    beta: float = -0.07

    def __post_init__(self):
        object.__setattr__(self, "target_ms", _positive("target_ms", self.target_ms))
        for name in ("alpha", "beta"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value > 0:
                raise ValueError(f"{name} must be a number <= 0 (slower must not score more), "
                                 f"got {value!r}")

    def __call__(self, accuracy: float, latency_ms: float) -> float:
        w = self.alpha if latency_ms <= self.target_ms else self.beta
        return float(accuracy) * (float(latency_ms) / self.target_ms) ** w


class HardwareAware:
    """Wrap ``strategy`` so that it searches ``objective(accuracy, latency)`` instead of accuracy.

    ``latency``: a callable ``arch -> ms`` (``nk.hardware.AdditivePredictor``,
    ``nk.hardware.MeasuredLatency``) or an array of ms over the space's index (a column of
    ``nk.bench.load("nb201-latency")``). ``objective``: ``LatencyConstraint`` or
    ``LatencyWeighted``, or any callable ``(accuracy, latency_ms) -> fitness``.
    """

    def __init__(self, strategy, latency, objective):
        if not all(callable(getattr(strategy, m, None)) for m in ("propose", "observe")):
            raise TypeError(f"{type(strategy).__name__} is not a strategy: it needs propose() and "
                            "observe(arch, result) methods")
        self.space = getattr(strategy, "space", None)
        if not callable(latency):
            table = np.asarray(latency, dtype=float)
            if table.ndim != 1 or self.space is None or len(table) != len(self.space):
                n = "?" if self.space is None else len(self.space)
                raise ValueError(f"latency must be a callable arch -> ms or an array with one value "
                                 f"per arch of the space ({n}), got shape {table.shape}")
        if not callable(objective):
            raise TypeError(f"objective must be callable (accuracy, latency_ms) -> fitness, such as "
                            f"LatencyConstraint(max_ms=...), got {type(objective).__name__}")
        self.strategy, self.latency, self.objective = strategy, latency, objective
        self.seed = getattr(strategy, "seed", None)
        self.latencies_: dict[Arch, float] = {}

    def reset(self) -> None:
        """Reset the wrapped strategy and forget the latencies looked up."""
        if callable(getattr(self.strategy, "reset", None)):
            self.strategy.reset()
        self.latencies_ = {}

    def latency_of(self, arch: Arch) -> float:
        """Latency of ``arch`` in ms (looked up once per arch)."""
        if arch not in self.latencies_:
            if callable(self.latency):
                value = float(self.latency(arch))
            else:
                value = float(self.latency[self.space.index(arch)])
            self.latencies_[arch] = value
        return self.latencies_[arch]

    def propose(self) -> Proposal:
        """The wrapped strategy's proposal, with its latency in ``info['latency_ms']``."""
        p = self.strategy.propose()
        arch, epoch, info = (p.arch, p.epoch, dict(p.info)) if isinstance(p, Proposal) \
            else (p, None, {})
        info["latency_ms"] = self.latency_of(arch)
        return Proposal(arch, epoch, info)

    def observe(self, arch: Arch, result) -> None:
        """Tell the wrapped strategy the hardware-aware fitness in place of the accuracy."""
        score = self.objective(float(result.valid_acc), self.latency_of(arch))
        self.strategy.observe(arch, replace(result, valid_acc=float(score)))

    def __repr__(self):
        return f"HardwareAware({self.strategy!r}, {self.objective!r})"
