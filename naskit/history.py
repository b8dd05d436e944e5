"""The record of a search: every trial a strategy paid for, on a simulated clock.

A search on a tabular benchmark is judged the way NAS-Bench-201 (Dong & Yang, ICLR 2020) judges it:
the strategy only sees the *fitness* of what it queries (e.g. validation accuracy after 12 epochs),
each query is charged its training time, and what is *reported* is the final-fidelity accuracy
(e.g. 200 epochs) of the arch the strategy would return, its incumbent. Comparing strategies means
comparing best-so-far curves over simulated time (Lindauer & Hutter 2020, best practices for NAS).
A ``History`` is plain data: a list of ``Trial`` plus what produced it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator

import numpy as np

from ._pareto import pareto_front
from .space import Arch

__all__ = ["Trial", "History"]

_BY = ("reported", "fitness")


@dataclass(frozen=True)
class Trial:
    """One paid query: what the strategy saw (``fitness``) and what is reported for the arch."""

    arch: Arch
    fitness: float       # validation accuracy at ``epoch``: the only signal the strategy gets
    reported: float      # accuracy at the report epoch (validation unless History.report says
                         # test): used to compare strategies
    cost: float          # simulated seconds this query was charged
    time: float          # cumulative simulated seconds when it finished
    epoch: int           # the training epoch whose result the strategy saw (the fidelity)
    step: int            # its position in the history, from 0
    info: dict = field(default_factory=dict, hash=False)  # the strategy's notes, e.g. the parent

    def __repr__(self):
        notes = f", info={self.info}" if self.info else ""
        return (f"Trial(step={self.step}, {self.arch!r}, fitness={self.fitness:.2f} at "
                f"{self.epoch} epochs, reported={self.reported:.2f}, t={self.time:,.0f} s{notes})")


class History:
    """The trials of one search run, in the order they were paid for.

    The incumbent (``best()``) is the trial a strategy would return if stopped: among the trials at
    the highest fidelity seen so far, the one with the highest fitness (the first on ties), as in
    NAS-Bench-201 and Hyperband; for a single-fidelity search that is simply the highest fitness.
    A trial whose ``info`` has a ``"budget"`` (the nominal epochs of a Hyperband rung, which a
    strategy such as ``HpBandSterBOHB`` may train for fewer epochs) is ranked by that budget
    instead of its ``epoch``, as HpBandSter chooses its incumbent among the top budget's runs.
    """

    def __init__(self, trials=(), strategy: str = "", seed=None, budget: float | None = None,
                 bench: str = "", report_epoch: int | None = None, report: str = "valid"):
        self.trials: list[Trial] = []
        for trial in trials:
            self.append(trial)
        self.strategy, self.seed, self.budget = strategy, seed, budget
        self.bench, self.report_epoch, self.report = bench, report_epoch, report

    def append(self, trial: Trial) -> None:
        """Add the next trial (its ``step`` must be ``len(self)``)."""
        if not isinstance(trial, Trial):
            raise TypeError(f"a History holds Trials, got {type(trial).__name__}")
        for what in ("fitness", "reported", "cost", "time"):
            value = getattr(trial, what)
            if not isinstance(value, (int, float, np.number)) or not np.isfinite(value):
                raise ValueError(f"trial {trial.step} (arch {trial.arch}) has {what} {value!r}; "
                                 "a history holds finite results only, so one NaN cannot become "
                                 "the incumbent forever")
        if trial.step != len(self.trials):
            raise ValueError(f"trial step {trial.step} does not follow the history's "
                             f"{len(self.trials)} trials; expected step {len(self.trials)}")
        self.trials.append(trial)

    def __len__(self) -> int:
        return len(self.trials)

    def __iter__(self) -> Iterator[Trial]:
        return iter(self.trials)

    def __getitem__(self, i):
        return self.trials[i]

    @property
    def total_time(self) -> float:
        """Simulated seconds spent by all trials."""
        return self.trials[-1].time if self.trials else 0.0

    def __repr__(self):
        who = self.strategy or "History"
        seed = "" if self.seed is None else f", seed={self.seed}"
        budget = "" if self.budget is None else f" of {self.budget:,.0f}"
        head = f"History({who}{seed}, {len(self)} trials, {self.total_time:,.0f}{budget} s"
        if not self.trials:
            return head + ")"
        b = self.best()
        return (f"{head}; best: reported {b.reported:.2f} (fitness {b.fitness:.2f} at {b.epoch} "
                f"epochs, step {b.step}))")

    # -- the incumbent -------------------------------------------------------------------------
    def incumbents(self) -> np.ndarray:
        """For every step, the step of the incumbent after it (see the class docstring)."""
        out = np.empty(len(self), np.int64)
        best, key = -1, None
        for t in self.trials:
            k = (t.info.get("budget", t.epoch), t.fitness)
            if key is None or k > key:  # strictly better: earlier trials win ties
                best, key = t.step, k
            out[t.step] = best
        return out

    def best(self) -> Trial:
        """The incumbent at the end: the trial the search returns."""
        if not self.trials:
            raise ValueError("the history is empty: no trial fitted in the budget")
        return self.trials[int(self.incumbents()[-1])]

    def best_so_far(self, by: str = "reported") -> tuple[np.ndarray, np.ndarray]:
        """``(time, value)``: the incumbent's ``by`` ('reported' or 'fitness') after each trial."""
        if by not in _BY:
            raise ValueError(f"unknown by={by!r}; choose from {list(_BY)}")
        time = np.array([t.time for t in self.trials], float)
        values = np.array([getattr(t, by) for t in self.trials], float)
        return time, values[self.incumbents()] if len(self) else values

    def best_at(self, times, by: str = "reported") -> np.ndarray:
        """The incumbent's ``by`` at each simulated time in ``times`` (NaN before the first trial)."""
        t, v = self.best_so_far(by)
        times = np.asarray(times, float)
        k = np.searchsorted(t, times, side="right") - 1
        return np.where(k >= 0, v[np.maximum(k, 0)] if len(v) else np.nan, np.nan)

    # -- costs: the Pareto front and the best under a budget -------------------------------------
    def _costs(self, cost: str) -> np.ndarray:
        missing = [t.step for t in self.trials if cost not in t.info]
        if missing:
            raise ValueError(f"trials {missing[:5]} have no {cost!r} in their info; a search with "
                             f"nk.search.HardwareAware notes 'latency_ms' in every trial")
        return np.array([float(t.info[cost]) for t in self.trials])

    def pareto(self, cost: str = "latency_ms", by: str = "fitness") -> list[Trial]:
        """The trials no other trial beats on both ``info[cost]`` (lower) and ``by`` (higher), cheapest first.

        Compare trials of one fidelity: a multi-fidelity search mixes accuracies after different epochs.
        """
        if by not in _BY:
            raise ValueError(f"unknown by={by!r}; choose from {list(_BY)}")
        if not self.trials:
            return []
        values = [getattr(t, by) for t in self.trials]
        return [self.trials[i] for i in pareto_front(self._costs(cost), values)]

    def best_under(self, limit: float, cost: str = "latency_ms", by: str = "fitness") -> Trial:
        """The trial with the highest ``by`` among those with ``info[cost] <= limit`` (ties: the first)."""
        costs = self._costs(cost) if self.trials else np.array([])
        ok = [t for t, c in zip(self.trials, costs) if c <= limit]
        if not ok:
            low = f"; the cheapest trial has {costs.min():.4g}" if len(costs) else ""
            raise ValueError(f"no trial has {cost} <= {limit!r}{low}")
        return max(ok, key=lambda t: getattr(t, by))  # max keeps the first of equals

    # -- export --------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, np.ndarray]:
        """Columns as arrays: step, arch (cell string), epoch, fitness, reported, cost, time, and
        one column per ``info`` key (None where a trial lacks it)."""
        cols = {
            "step": np.array([t.step for t in self.trials], np.int64),
            "arch": np.array([str(t.arch) for t in self.trials], object),
            "epoch": np.array([t.epoch for t in self.trials], np.int64),
            "fitness": np.array([t.fitness for t in self.trials], float),
            "reported": np.array([t.reported for t in self.trials], float),
            "cost": np.array([t.cost for t in self.trials], float),
            "time": np.array([t.time for t in self.trials], float),
        }
        keys = dict.fromkeys(k for t in self.trials for k in t.info)
        for k in keys:
            if k in cols:
                raise ValueError(f"info key {k!r} clashes with a column name")
            col = np.empty(len(self.trials), object)  # element-wise: tuples stay whole
            col[:] = [t.info.get(k) for t in self.trials]
            cols[k] = col
        return cols

    def to_frame(self):
        """``to_dict()`` as a pandas DataFrame; pandas is optional, so without it this raises.

        naskit does not depend on pandas: ``to_dict()`` gives the same columns as numpy arrays.
        """
        try:
            import pandas
        except ImportError:
            raise ImportError("History.to_frame() needs pandas (pip install pandas); "
                              "History.to_dict() gives the same columns without it") from None
        return pandas.DataFrame(self.to_dict())
