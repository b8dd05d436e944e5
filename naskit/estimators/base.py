"""The estimator protocol: a callable ``arch -> score`` (bigger = predicted better) with a cost.

Every estimator in naskit, cheap or not, is used the same way (DESIGN.md): ``score = est(arch)``;
afterwards ``est.cost`` holds the seconds that one call cost, which is what a lab charts per arch,
and ``est.total_cost`` the seconds of all calls so far. A cost is measured wall-clock time for
estimators that compute something (``simulated = False``) and the benchmark's recorded training
time for those that read a benchmark's curves (``simulated = True``), the simulated clock of
NAS-Bench-201 (Dong & Yang, ICLR 2020).
"""
from __future__ import annotations

import time

from .._format import seconds as seconds_text
from ..space import Arch

__all__ = ["Estimator"]


class Estimator:
    """Base class: subclasses set ``name`` and implement ``_score(arch) -> (score, cost | None)``.

    A ``None`` cost means "measure it": the call's wall-clock time is charged.
    """

    name = "estimator"
    simulated = False

    def __init__(self):
        self.cost = 0.0
        self.total_cost = 0.0
        self.calls = 0

    def __call__(self, arch: Arch | str) -> float:
        """The score of ``arch`` (an Arch or an NB201 cell string); bigger = predicted better."""
        if isinstance(arch, str):
            arch = Arch.from_string(arch)
        if not isinstance(arch, Arch):
            raise TypeError(f"{type(self).__name__} scores an Arch or an NB201 cell string, got "
                            f"{type(arch).__name__}")
        start = time.perf_counter()
        score, cost = self._score(arch)
        self.cost = time.perf_counter() - start if cost is None else float(cost)
        self.total_cost += self.cost
        self.calls += 1
        return float(score)

    def _score(self, arch: Arch) -> tuple[float, float | None]:
        raise NotImplementedError

    def _settings(self) -> dict:
        """Keyword hyperparameters shown by ``repr``."""
        return {}

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self._settings().items())
        used = ""
        if self.calls:
            clock = "simulated" if self.simulated else "measured"
            used = (f"  # {self.calls} call{'s' if self.calls != 1 else ''}, last cost "
                    f"{seconds_text(self.cost)} ({clock})")
        return f"{type(self).__name__}({args}){used}"

