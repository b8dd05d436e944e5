"""A race of search strategies: many seeded runs of each on one benchmark, and what they returned.

One run of a stochastic search says little; NAS-Bench-201 (Dong & Yang, ICLR 2020, Table 5) ran
every strategy 500 times and reported the mean and standard deviation of the final incumbent's
accuracy, and Lindauer & Hutter (JMLR 2020, best practices for NAS) ask for many seeds, intervals
and the same budget for all. ``race(strategies, bench, runs, budget)`` runs seeds ``0..runs-1`` of
every strategy through ``run`` and returns a ``Race``: the histories, each run's final reported
accuracy, mean, std and standard error, the regret against the benchmark's best arch, a table.
``NB201_SEARCH_TABLE`` is the published table the NB201 protocol is checked against.
"""
from __future__ import annotations

import html
import math
import time
from dataclasses import dataclass

import numpy as np
from .._progress import in_voila, tqdm

from ..bench import Benchmark
from ..history import History
from .base import run

__all__ = ["race", "Race", "PublishedTable", "NB201_SEARCH_TABLE"]


@dataclass(frozen=True)
class PublishedTable:
    """A published search table: row -> (mean, std) of the reported accuracy over ``runs`` runs."""

    rows: dict
    runs: int
    source: str

    def __getitem__(self, row: str) -> tuple[float, float]:
        if row not in self.rows:
            raise KeyError(f"{row!r} is not a row of the table; its rows: {list(self.rows)}")
        return self.rows[row]

    def __contains__(self, row) -> bool:
        return row in self.rows

    def __iter__(self):
        return iter(self.rows)

    def items(self):
        """``(row, (mean, std))`` pairs."""
        return self.rows.items()


NB201_SEARCH_TABLE = PublishedTable(
    rows={"RS": (90.93, 0.36), "REA": (91.19, 0.31), "REINFORCE": (91.09, 0.37),
          "BOHB": (90.82, 0.53)},
    runs=500,
    source="Dong & Yang, NAS-Bench-201, ICLR 2020, Table 5: CIFAR-10 validation accuracy after 200 "
           "epochs of the incumbent, 12-epoch validation accuracy as fitness, a 12,000 s budget; "
           "mean and std over 500 runs")


def _std(v: np.ndarray, ddof: int) -> float:
    return float(v.std(ddof=ddof)) if len(v) > ddof else math.nan


class Race:
    """The runs of a ``race``: ``histories[name]`` is one History per seed (``seeds``, in order).

    ``final[name]``: each run's final incumbent's reported accuracy; ``mean``, ``std`` (over runs,
    numpy's default ddof=0, as NAS-Bench-201 reports the spread) and ``se`` (standard error of the
    mean, ``std(ddof=1) / sqrt(runs)``); ``regret[name]``: ``optimum - final`` per run, where
    ``optimum`` is the best reported accuracy of any arch of the benchmark; ``seconds[name]``: wall
    seconds per run. In a notebook the race shows as a table.
    """

    def __init__(self, histories: dict, seeds, optimum: float, bench: str = "",
                 seconds: dict | None = None):
        if not isinstance(histories, dict) or not histories:
            raise ValueError("a Race needs a non-empty dict: strategy name -> list of Histories")
        for name, runs in histories.items():
            if isinstance(runs, History) or not len(runs) \
                    or not all(isinstance(h, History) for h in runs):
                raise ValueError(f"histories[{name!r}] must be a non-empty list of Histories")
            if len(runs) != len(seeds):
                raise ValueError(f"histories[{name!r}] has {len(runs)} runs for {len(seeds)} seeds")
        self.histories = {name: list(runs) for name, runs in histories.items()}
        self.seeds, self.optimum, self.bench = tuple(seeds), float(optimum), bench
        self.seconds = dict(seconds or {})
        self.final = {name: np.array([h.best().reported for h in runs], float)
                      for name, runs in self.histories.items()}

    # -- a dict of histories, as the plots take it -----------------------------------------------
    def __getitem__(self, name: str) -> list[History]:
        if name not in self.histories:
            raise KeyError(f"no strategy {name!r} in the race; it has {list(self.histories)}")
        return self.histories[name]

    def __iter__(self):
        return iter(self.histories)

    def __len__(self) -> int:
        return len(self.histories)

    def items(self):
        """``(name, [History, ...])`` pairs, in the order raced."""
        return self.histories.items()

    # -- summaries -------------------------------------------------------------------------------
    @property
    def runs(self) -> int:
        """Runs (seeds) per strategy."""
        return len(self.seeds)

    @property
    def mean(self) -> dict[str, float]:
        """Mean final reported accuracy per strategy."""
        return {name: float(v.mean()) for name, v in self.final.items()}

    @property
    def std(self) -> dict[str, float]:
        """Standard deviation of the final reported accuracy over runs (ddof=0)."""
        return {name: _std(v, 0) for name, v in self.final.items()}

    @property
    def se(self) -> dict[str, float]:
        """Standard error of the mean: ``std(ddof=1) / sqrt(runs)`` (NaN for a single run)."""
        return {name: _std(v, 1) / math.sqrt(len(v)) for name, v in self.final.items()}

    @property
    def regret(self) -> dict[str, np.ndarray]:
        """Per run, how far the returned arch is below the benchmark's best (``optimum - final``)."""
        return {name: self.optimum - v for name, v in self.final.items()}

    @property
    def trials(self) -> dict[str, float]:
        """Mean number of trials per run."""
        return {name: float(np.mean([len(h) for h in runs])) for name, runs in self.histories.items()}

    def against(self, table: PublishedTable, rows: dict | None = None) -> dict:
        """``name -> (our mean, published mean, z)`` for the strategies with a row in ``table``.

        ``rows``: race name -> table row (default: the names that are rows). ``z`` is the difference
        of the two means in standard errors of that difference, ``hypot(std / sqrt(runs),
        published std / sqrt(table.runs))`` with both stds over runs (ddof=0).
        """
        rows = {n: n for n in self if n in table} if rows is None else dict(rows)
        out = {}
        for name, row in rows.items():
            self[name]  # a KeyError naming the strategies raced
            v, (m, sd) = self.final[name], table[row]
            se = math.hypot(v.std() / math.sqrt(len(v)), sd / math.sqrt(table.runs))
            out[name] = (float(v.mean()), m, (float(v.mean()) - m) / se)
        return out

    # -- the table -------------------------------------------------------------------------------
    def _rows(self):
        mean, std, se, trials = self.mean, self.std, self.se, self.trials
        for name in self:
            regret = float(self.regret[name].mean())
            ms = 1000 * self.seconds[name] if name in self.seconds else math.nan
            yield name, mean[name], std[name], se[name], regret, trials[name], ms

    def _title(self) -> str:
        h = next(iter(self.histories.values()))[0]
        budget = "" if h.budget is None else f", budget {h.budget:,.0f} s"
        seeds = f"seed {self.seeds[0]}" if self.runs == 1 else f"seeds {self.seeds[0]}..{self.seeds[-1]}"
        return (f"Race on {self.bench or h.bench}: {self.runs} runs per strategy ({seeds}{budget}); "
                f"reported: {h.report} accuracy after {h.report_epoch} epochs, best arch "
                f"{self.optimum:.2f}")

    def __repr__(self):
        head = (f"{'strategy':<15} {'mean ± std':>15} {'se':>5} {'regret':>6} {'trials':>7} "
                f"{'ms/run':>7}")
        lines = [self._title(), head]
        for name, m, sd, se, regret, trials, ms in self._rows():
            lines.append(f"{name:<15} {m:7.2f} ± {sd:5.2f} {se:5.2f} {regret:6.2f} {trials:7.1f} "
                         f"{ms:7.1f}")
        return "\n".join(lines)

    def _repr_html_(self):
        cells = "".join(
            f"<tr><td style='text-align:left'>{html.escape(name)}</td><td>{m:.2f} ± {sd:.2f}</td>"
            f"<td>{se:.2f}</td><td>{regret:.2f}</td><td>{trials:.1f}</td><td>{ms:.1f}</td></tr>"
            for name, m, sd, se, regret, trials, ms in self._rows())
        return (f"<p>{html.escape(self._title())}</p><table><tr><th>strategy</th>"
                "<th>mean ± std</th><th>se</th><th>regret</th><th>trials</th><th>ms/run</th></tr>"
                f"{cells}</table>")


def _check_runs(runs) -> int:
    if isinstance(runs, bool) or not isinstance(runs, (int, np.integer)) or runs < 1:
        raise ValueError(f"runs must be a positive int (seeds 0..runs-1), got {runs!r}")
    return int(runs)


def race(strategies: dict, bench: Benchmark, runs: int, budget: float | None = None,
         epoch: int | None = None, report_epoch: int | None = None,
         max_trials: int | None = None, report: str = "valid", progress: bool = True) -> Race:
    """Run seeds ``0..runs-1`` of every strategy on ``bench`` and return the ``Race``.

    ``strategies``: name -> a factory ``seed -> Strategy`` (e.g. ``lambda seed:
    RandomSearch(space, seed=seed)``); each run gets a fresh strategy. ``budget``, ``epoch``,
    ``report_epoch``, ``max_trials`` and ``report`` are passed to ``run``. ``progress``: a tqdm bar
    over all runs, shown once the race has taken more than two seconds.
    """
    if not isinstance(strategies, dict) or not strategies:
        raise ValueError("strategies must be a non-empty dict: name -> factory seed -> Strategy")
    for name, make in strategies.items():
        if not callable(make):
            raise TypeError(f"strategies[{name!r}] must be a factory seed -> Strategy, got "
                            f"{type(make).__name__}")
    runs = _check_runs(runs)
    if not isinstance(bench, Benchmark):
        raise TypeError(f"bench must be a Benchmark, got {type(bench).__name__}")
    histories, seconds = {}, {}
    # a redraw a second: a notebook bar redrawn every 0.1 s over a thousand quick runs floods the
    # kernel's output channel (nbval gives up waiting on it on a busy machine)
    with tqdm(total=len(strategies) * runs, desc="race", unit="run", delay=2.0, mininterval=1.0,
              disable=not progress or in_voila()) as bar:
        for name, make in strategies.items():
            bar.set_postfix_str(str(name), refresh=False)
            start, histories[name] = time.perf_counter(), []
            for seed in range(runs):
                strategy = make(seed)
                if not all(callable(getattr(strategy, m, None)) for m in ("propose", "observe")):
                    raise TypeError(f"strategies[{name!r}]({seed}) returned "
                                    f"{type(strategy).__name__}, not a strategy (it needs "
                                    "propose() and observe(arch, result))")
                histories[name].append(run(strategy, bench, budget=budget, epoch=epoch,
                                           report_epoch=report_epoch, max_trials=max_trials,
                                           report=report))
                bar.update()
            seconds[name] = (time.perf_counter() - start) / runs
    h = histories[next(iter(histories))][0]
    optimum = float(np.nanmax(bench.column(f"{h.report}_acc", h.report_epoch)))
    return Race(histories, range(runs), optimum, bench.name, seconds)
