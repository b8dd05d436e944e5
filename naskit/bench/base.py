"""Benchmarks: ground truth for every architecture of a space, queried on a simulated clock.

A tabular benchmark (Ying et al. 2019, NAS-Bench-101; Dong & Yang 2020, NAS-Bench-201) stores
the result of training each architecture, so a search can be run in seconds by looking results
up instead of training. Each query is charged the training time it would have cost (NB201's
``simulate_train_eval``: epochs x seconds per epoch + one evaluation), which is how searches are
compared at equal budget. Accuracies are in percent.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

import numpy as np

from .._checks import is_int
from ..space import Arch, NB201Space

__all__ = ["Record", "Benchmark"]


@dataclass(frozen=True)
class Record:
    """The ground truth of one arch at one fidelity (epochs of training)."""

    arch: Arch
    index: int
    epoch: int
    valid_acc: float
    test_acc: float | None
    cost: float

    def __repr__(self):
        test = "" if self.test_acc is None else f", test {self.test_acc:.2f}%"
        return (f"Record(index={self.index}, epoch={self.epoch}, valid {self.valid_acc:.2f}%{test}, "
                f"cost {self.cost:.1f} s)")


class Benchmark:
    """Per-arch results over a whole space; ``valid_acc[f]`` and ``test_acc[f]`` per fidelity ``f``.

    ``valid_acc`` / ``test_acc`` map an epoch count to an array over the space's index;
    ``seconds_per_epoch`` and ``eval_seconds`` price a query; ``columns`` holds anything else
    (params, FLOPs, latencies, curves) as arrays over the index.
    """

    def __init__(self, name: str, space: NB201Space, valid_acc: dict[int, np.ndarray],
                 test_acc: dict[int, np.ndarray] | None = None,
                 seconds_per_epoch: np.ndarray | None = None, eval_seconds: np.ndarray | None = None,
                 columns: dict[str, np.ndarray] | None = None, source: str = ""):
        self.name, self.space, self.source = name, space, source
        self.valid_acc = {int(k): np.asarray(v, float) for k, v in valid_acc.items()}
        self.test_acc = {int(k): np.asarray(v, float) for k, v in (test_acc or {}).items()}
        n = len(space)
        self.seconds_per_epoch = (np.zeros(n) if seconds_per_epoch is None
                                  else np.asarray(seconds_per_epoch, float))
        self.eval_seconds = np.zeros(n) if eval_seconds is None else np.asarray(eval_seconds, float)
        self.columns = {k: np.asarray(v) for k, v in (columns or {}).items()}
        for key, arr in [*(("valid_acc", a) for a in self.valid_acc.values()),
                         *(("test_acc", a) for a in self.test_acc.values()),
                         ("seconds_per_epoch", self.seconds_per_epoch),
                         ("eval_seconds", self.eval_seconds), *self.columns.items()]:
            if len(arr) != n:
                raise ValueError(f"{name}: {key} has {len(arr)} rows, the space has {n}")

    @property
    def fidelities(self) -> tuple[int, ...]:
        """Epoch counts at which validation accuracy is known, ascending."""
        return tuple(sorted(self.valid_acc))

    @property
    def final_epoch(self) -> int:
        """The highest fidelity: the 'true' result of an arch."""
        return self.fidelities[-1] if self.fidelities else 0

    def __len__(self) -> int:
        return len(self.space)

    def __repr__(self):
        fid = ", ".join(map(str, self.fidelities)) or "none"
        extra = f", columns={sorted(self.columns)}" if self.columns else ""
        return f"Benchmark({self.name!r}, {len(self):,} archs, epochs=[{fid}]{extra})"

    def check_epoch(self, epoch: int | None) -> int:
        """The fidelity ``epoch`` stands for (None: the final one), or a ValueError saying which exist."""
        if not self.valid_acc:
            raise ValueError(f"{self.name} has no accuracies to query; its columns are "
                             f"{sorted(self.columns)}")
        if epoch is None:
            return self.final_epoch
        if not is_int(epoch) or epoch not in self.valid_acc:
            raise ValueError(f"{self.name} has no results after {epoch!r} epochs; choose from "
                             f"{list(self.fidelities)}")
        return int(epoch)

    def index(self, arch: Arch | str | int) -> int:
        """The row of ``arch`` (an Arch, a cell string or an index)."""
        if isinstance(arch, (bool, np.bool_)):
            raise TypeError(f"index must be an int (or an Arch or cell string), got {arch!r}")
        if isinstance(arch, (int, np.integer)):
            if not 0 <= arch < len(self):
                raise IndexError(f"index must be in 0..{len(self) - 1}, got {arch}")
            return int(arch)
        if isinstance(arch, str):
            arch = Arch.from_string(arch, space=self.space)
        return self.space.index(arch)

    def cost(self, arch: Arch | str | int, epoch: int | None = None,
             evaluations: int = 1) -> float:
        """Simulated seconds of ``epoch`` epochs of training ``arch`` and ``evaluations`` evaluations.

        ``epoch`` None is the final fidelity; any other count of epochs may be priced (the clock is
        per epoch), also one the bench has no accuracies for. Every simulated cost in naskit, a
        query's or an estimator's, is this one formula.
        """
        i = self.index(arch)
        e = self.check_epoch(None) if epoch is None else _count(epoch, "epoch")
        return float(e * self.seconds_per_epoch[i]
                     + _count(evaluations, "evaluations") * self.eval_seconds[i])

    def query(self, arch: Arch | str | int, epoch: int | None = None) -> Record:
        """The result of training ``arch`` for ``epoch`` epochs (default: the final fidelity)."""
        i, e = self.index(arch), self.check_epoch(epoch)
        test = self.test_acc.get(e)
        return Record(self.space[i], i, e, float(self.valid_acc[e][i]),
                      None if test is None else float(test[i]), self.cost(i, e))

    def values(self, archs: Iterable[Arch | str | int], epoch: int | None = None,
               metric: str = "valid_acc") -> np.ndarray:
        """``metric`` ('valid_acc', 'test_acc' or a column name) for many archs at once."""
        idx = np.fromiter((self.index(a) for a in archs), dtype=np.int64)
        return self.column(metric, epoch)[idx]

    def column(self, metric: str = "valid_acc", epoch: int | None = None) -> np.ndarray:
        """A whole column over the space's index."""
        if metric in ("valid_acc", "test_acc"):
            table = self.valid_acc if metric == "valid_acc" else self.test_acc
            e = self.check_epoch(epoch)
            if e not in table:
                raise ValueError(f"{self.name} has no {metric} after {e} epochs")
            return table[e]
        if metric not in self.columns:
            raise ValueError(f"unknown metric {metric!r}; choose from "
                             f"{sorted(['valid_acc', 'test_acc', *self.columns])}")
        return self.columns[metric]

    def best(self, metric: str = "valid_acc", epoch: int | None = None) -> Record:
        """The record of the arch with the highest ``metric`` (ties: the lowest index)."""
        return self.query(int(np.nanargmax(self.column(metric, epoch))), epoch)


def _count(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
        raise ValueError(f"{name} must be a non-negative int, got {value!r}")
    return int(value)
