"""The estimator protocol: a callable ``arch -> score`` (bigger = predicted better) with a cost.

Every estimator in naskit, cheap or not, is used the same way (DESIGN.md): ``score = est(arch)``;
afterwards ``est.cost_`` holds the seconds that one call cost, which is what a lab charts per arch,
``est.total_cost_`` the seconds of all calls so far and ``est.calls_`` their number. Like every
learned state in naskit they end in ``_``: they are what the estimator has done, not settings (a
benchmark's ``cost()``, by contrast, is a method that prices a query). A cost is measured
wall-clock time for estimators that compute something (``simulated = False``) and the benchmark's
recorded training time for those that read a benchmark's curves (``simulated = True``), the
simulated clock of NAS-Bench-201 (Dong & Yang, ICLR 2020).

Each estimator class also says what it needs to run: ``needs`` names what its factory must be
given ('bench', 'data'), ``why_unsupported(bench, data)`` says why it cannot run there (None when
it can), ``supports(bench, data)`` is the same as a bool, and ``make(bench, data, ...)`` builds
one from the settings a lab shares (``naskit.estimators.registry`` lists them all).
"""
from __future__ import annotations

import time

from .._format import seconds as seconds_text
from ..bench import Benchmark
from ..datasets import Dataset
from ..space import Arch

__all__ = ["Estimator"]


class Estimator:
    """Base class: subclasses set ``name`` and implement ``_score(arch) -> (score, cost | None)``.

    A ``None`` cost means "measure it": the call's wall-clock time is charged.
    """

    name = "estimator"
    simulated = False
    #: what ``make`` must be given to build one: 'bench' (a Benchmark), 'data' (a Dataset)
    needs: tuple[str, ...] = ()

    def __init__(self):
        self.cost_ = 0.0
        self.total_cost_ = 0.0
        self.calls_ = 0

    def __call__(self, arch: Arch | str) -> float:
        """The score of ``arch`` (an Arch or an NB201 cell string); bigger = predicted better."""
        if isinstance(arch, str):
            arch = Arch.from_string(arch)
        if not isinstance(arch, Arch):
            raise TypeError(f"{type(self).__name__} scores an Arch or an NB201 cell string, got "
                            f"{type(arch).__name__}")
        start = time.perf_counter()
        score, cost = self._score(arch)
        self.cost_ = time.perf_counter() - start if cost is None else float(cost)
        self.total_cost_ += self.cost_
        self.calls_ += 1
        return float(score)

    def _score(self, arch: Arch) -> tuple[float, float | None]:
        raise NotImplementedError

    # -- what it needs -------------------------------------------------------------------------
    @classmethod
    def why_unsupported(cls, bench=None, data=None) -> str | None:
        """Why this estimator cannot score archs with ``bench`` and ``data``; None when it can."""
        for need, given, kind, how in (("bench", bench, Benchmark, "nk.bench.load()"),
                                       ("data", data, Dataset, "nk.datasets.load()")):
            if need in cls.needs and given is None:
                return f"needs a {'benchmark' if need == 'bench' else 'data set'} ({how})"
            if need in cls.needs and not isinstance(given, kind):
                return f"needs a naskit {kind.__name__} ({how}), got {type(given).__name__}"
        return None

    @classmethod
    def supports(cls, bench=None, data=None) -> bool:
        """Whether this estimator can score archs with ``bench`` and ``data``."""
        return cls.why_unsupported(bench, data) is None

    @classmethod
    def _require(cls, bench=None, data=None) -> None:
        reason = cls.why_unsupported(bench, data)
        if reason is not None:
            raise ValueError(f"{cls.__name__} {reason}")

    @classmethod
    def make(cls, bench=None, data=None, *, epochs: int | None = None, batch_size: int = 64,
             channels: int = 8, cells_per_stage: int = 1, seed: int = 0,
             device="cpu") -> "Estimator":
        """One estimator for ``bench`` and ``data``, taking those of the shared settings it uses.

        ``epochs``: what training-based estimators may see (None: the fewest they can read);
        ``batch_size``: the minibatch of the zero-cost ones; ``channels``, ``cells_per_stage``,
        ``seed``, ``device``: the networks they build. A ValueError says why it cannot run.
        """
        raise TypeError(f"{cls.__name__} is not made from a benchmark and a data set")

    def _settings(self) -> dict:
        """Keyword hyperparameters shown by ``repr``."""
        return {}

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self._settings().items())
        used = ""
        if self.calls_:
            clock = "simulated" if self.simulated else "measured"
            used = (f"  # {self.calls_} call{'s' if self.calls_ != 1 else ''}, last cost "
                    f"{seconds_text(self.cost_)} ({clock})")
        return f"{type(self).__name__}({args}){used}"
