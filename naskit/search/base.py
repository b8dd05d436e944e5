"""The ask/tell protocol of search strategies and the one loop that runs them on a simulated clock.

A strategy proposes an arch (``propose()``), is told the result (``observe(arch, result)``) and
proposes again; it never trains anything itself. ``Searcher.step()`` pays for each proposal with
the training time a tabular benchmark records (NAS-Bench-201's protocol, Dong & Yang, ICLR 2020:
12-epoch validation accuracy as the signal, 12 epochs of training as the cost, a budget of 12,000
simulated seconds, the 200-epoch validation accuracy of the incumbent reported), so strategies are
compared at equal training cost while a whole search takes milliseconds; ``run`` loops over it.

Budget rule (NB201's code for random search, REA and REINFORCE): a query is counted only if the
cumulative cost stays within the budget; the first query that would exceed it is neither charged
nor shown to the strategy, and the search stops there.

Multi-fidelity strategies (Hyperband, BOHB) choose the training epochs per query: ``propose()``
returns a ``Proposal(arch, epoch=..., info=...)`` instead of a plain ``Arch``. ``info`` (plain
data) is copied into the trial, so a strategy can note e.g. which population member was the parent.

One word for one idea: ``epoch`` is the training epoch at which a result is read, whether ``run``
and ``Searcher`` take it (``epoch=``, for plain-Arch proposals), a ``Proposal`` carries it or the
benchmark is queried at it (``bench.query(arch, epoch)``); BOHB's ``min_epoch``/``max_epoch`` bound
it, and ``bench.fidelities`` lists the epochs a benchmark has results for.
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

from .._checks import check_int, check_positive, check_seed
from ..bench import Benchmark, Record
from ..history import History, Trial
from ..space import Arch, CellSpace

__all__ = ["Proposal", "Strategy", "Searcher", "run"]


@dataclass(frozen=True)
class Proposal:
    """An arch to evaluate, optionally at a chosen ``epoch`` and with notes for the history."""

    arch: Arch
    epoch: int | None = None
    info: dict = field(default_factory=dict, hash=False)


class Strategy:
    """Base of naskit's strategies; any object with ``propose()`` and ``observe(arch, result)`` works.

    ``propose()`` returns an ``Arch`` or a ``Proposal``; ``observe`` gets the benchmark's
    ``Record`` (``result.valid_acc`` is the fitness at ``result.epoch``). State learned during a
    search ends in ``_``; ``reset()`` rebuilds it, including the generator ``rng_`` made from
    ``seed``, so the same seed gives the same search. ``run`` calls ``reset()`` first.
    """

    def __init__(self, space: CellSpace, seed: int | None = 0):
        if not isinstance(space, CellSpace):
            raise TypeError(f"space must be a CellSpace such as NB201Space(), got {type(space).__name__}")
        self.space, self.seed = space, check_seed(seed, allow_none=True)
        self.rng_: random.Random | None = None
        self.n_observed_ = 0

    def reset(self) -> None:
        """Forget everything learned; the next proposal starts the search from scratch."""
        self.rng_ = random.Random(self.seed)
        self.n_observed_ = 0
        self._reset()

    def propose(self) -> Arch | Proposal:
        """The next arch to evaluate."""
        if self.rng_ is None:  # propose() before any reset(): start lazily
            self.reset()
        return self._propose()

    def observe(self, arch: Arch, result: Record) -> None:
        """Learn from the result of evaluating ``arch``; it becomes observation ``n_observed_``."""
        if self.rng_ is None:
            self.reset()
        self.space.check(arch)
        fitness = float(result.valid_acc)
        if not math.isfinite(fitness):
            raise ValueError(f"{type(self).__name__} was told fitness {fitness!r} for arch {arch}; "
                             "a strategy only learns from finite results (a gap in the table?)")
        self._observe(arch, fitness, result, self.n_observed_)
        self.n_observed_ += 1

    def _reset(self) -> None:
        """Strategy-specific state."""

    def _propose(self) -> Arch | Proposal:
        raise NotImplementedError

    def _observe(self, arch: Arch, fitness: float, result: Record, step: int) -> None:
        raise NotImplementedError

    def _hyper(self) -> dict:
        return {}

    def __repr__(self):
        args = [f"{k}={v!r}" for k, v in self._hyper().items()] + [f"seed={self.seed!r}"]
        return f"{type(self).__name__}({', '.join(args)})"


def _name(strategy) -> str:
    return type(strategy).__name__


def _check_epoch(bench: Benchmark, epoch, what: str) -> int:
    try:
        return bench.check_epoch(epoch)
    except ValueError as e:
        raise ValueError(f"{what}={epoch!r}: {e}") from None


class Searcher:
    """Runs a strategy one paid query at a time on a simulated clock; ``run`` is a loop over it.

    ``step()`` asks the strategy for a proposal, charges its training time, records the ``Trial``
    in ``history_`` and tells the strategy the result. Under a ``budget`` the first query that would
    overrun it is neither charged nor shown (NB201's rule): ``step()`` then returns None and
    ``done_`` is True. ``epoch``, ``report_epoch`` and ``report`` as in ``run``; ``reset()``
    starts over.
    """

    def __init__(self, strategy, bench: Benchmark, budget: float | None = None,
                 epoch: int | None = None, report_epoch: int | None = None,
                 report: str = "valid"):
        if not all(callable(getattr(strategy, m, None)) for m in ("propose", "observe")):
            raise TypeError(f"{_name(strategy)} is not a strategy: it needs propose() and "
                            "observe(arch, result) methods")
        if budget is not None:
            check_positive(budget, "budget (simulated seconds)")
        self.epoch = _check_epoch(bench, epoch, "epoch")
        self.report_epoch = _check_epoch(bench, report_epoch, "report_epoch")
        if report not in ("valid", "test"):
            raise ValueError(f"report must be 'valid' or 'test', got {report!r}")
        table = bench.valid_acc if report == "valid" else bench.test_acc
        if self.report_epoch not in table:
            have = (f"after {sorted(table)} epochs only" if table else "for no epoch")
            raise ValueError(f"{bench.name} has test accuracy {have}, not after "
                             f"report_epoch={self.report_epoch}")
        self.report, self._reported = report, table[self.report_epoch]
        space = getattr(strategy, "space", None)
        if space is not None and space != bench.space:
            raise ValueError(f"{_name(strategy)} searches {space!r} but the benchmark covers "
                             f"{bench.space!r}")
        self.strategy, self.bench, self.budget = strategy, bench, budget
        self.history_: History | None = None
        self.done_ = False

    def reset(self) -> None:
        """Reset the strategy and start an empty history at simulated time 0."""
        if callable(getattr(self.strategy, "reset", None)):
            self.strategy.reset()
        self.history_ = History(strategy=repr(self.strategy), seed=getattr(self.strategy, "seed", None),
                                budget=self.budget, bench=self.bench.name,
                                report_epoch=self.report_epoch, report=self.report)
        self.done_ = False

    @property
    def clock_(self) -> float:
        """Simulated seconds spent so far."""
        return 0.0 if self.history_ is None else self.history_.total_time

    def _query(self):
        strategy, bench = self.strategy, self.bench
        proposal = strategy.propose()
        if isinstance(proposal, Proposal):
            arch, epoch, info = proposal.arch, proposal.epoch, dict(proposal.info)
            if epoch is None:
                epoch = self.epoch
            elif epoch not in bench.valid_acc:
                raise ValueError(f"{_name(strategy)} proposed {epoch!r} epochs of training, but "
                                 f"{bench.name} has results after {list(bench.fidelities)} epochs "
                                 "only (tell the strategy, e.g. BOHB(..., fidelities=bench.fidelities))")
        else:
            arch, epoch, info = proposal, self.epoch, {}
        if not isinstance(arch, Arch):
            raise TypeError(f"{_name(strategy)}.propose() returned {type(arch).__name__}; "
                            "expected an Arch or a Proposal")
        try:
            bench.space.check(arch)
        except ValueError as e:
            raise ValueError(f"{_name(strategy)} proposed an invalid arch {arch}: {e}") from None
        return arch, info, bench.query(arch, epoch)

    def step(self) -> Trial | None:
        """Pay for one proposal and return its trial, or None once the budget is spent."""
        if self.history_ is None:
            self.reset()
        if self.done_:
            return None
        arch, info, result = self._query()
        reported = float(self._reported[result.index])
        for what, value in (("fitness", result.valid_acc), ("cost", result.cost),
                            (f"{self.report} accuracy after {self.report_epoch} epochs", reported)):
            if not math.isfinite(value) or (what == "cost" and value < 0):
                raise ValueError(
                    f"{self.bench.name} gives {what} {float(value)!r} for arch {arch} (index "
                    f"{result.index}, {result.epoch} epochs); a search is never told or charged a "
                    "non-finite result: fill the table's gap or search a space without that arch")
        clock = self.clock_
        if self.budget is not None and clock + result.cost > self.budget:
            self.done_ = True  # NB201: the query that would overrun the budget is not counted
            return None
        trial = Trial(arch, result.valid_acc, reported, result.cost, clock + result.cost,
                      result.epoch, len(self.history_), info)
        self.history_.append(trial)
        self.strategy.observe(arch, result)
        return trial

    def __repr__(self):
        n = 0 if self.history_ is None else len(self.history_)
        budget = "" if self.budget is None else f" of {self.budget:,.0f}"
        return (f"Searcher({self.strategy!r}, {self.bench.name}, {n} trials, "
                f"{self.clock_:,.0f}{budget} s{', done' if self.done_ else ''})")


def run(strategy, bench: Benchmark, budget: float | None = None,
        epoch: int | None = None, report_epoch: int | None = None,
        max_trials: int | None = None, report: str = "valid") -> History:
    """Search ``bench`` with ``strategy`` until ``budget`` simulated seconds (or ``max_trials``).

    ``epoch``: epochs a plain-Arch proposal is trained for, i.e. the training epoch whose result the
    strategy is told (default: ``bench.final_epoch``; NB201's protocol is ``epoch=12``). ``report_epoch``: the epoch whose accuracy is reported
    (default: ``bench.final_epoch``); ``report``: 'valid' (NB201's search table) or 'test'
    accuracy. The strategy is reset first.
    """
    searcher = Searcher(strategy, bench, budget, epoch, report_epoch, report)
    if budget is None and max_trials is None:
        raise ValueError("give a budget (simulated seconds) or max_trials, or both")
    if max_trials is not None:
        max_trials = check_int(max_trials, "max_trials")
    searcher.reset()
    while max_trials is None or len(searcher.history_) < max_trials:
        if searcher.step() is None:
            break
    return searcher.history_
