"""Hyperband's synchronous schedule, shared by ``BOHB`` and ``HpBandSterBOHB``.

Hyperband (Li et al., JMLR 2018) cycles through brackets; a bracket starts ``n`` new draws at its
first rung and promotes the best ``1/eta`` of each rung's results to the next, waiting for all of
a rung's results before promoting. The subclasses give the schedule (``bracket_sizes`` and the
number of rungs) and the draws; this class keeps the queue, the pending results and the promotions.
"""
from __future__ import annotations

from collections import deque

import numpy as np

from ..space import Arch
from .base import Strategy


class Brackets(Strategy):
    """The bookkeeping of Hyperband's brackets: ``bracket_``, ``rung_`` and what is pending.

    Subclasses define ``bracket_sizes(s) -> [(n, level), ...]``, ``_n_rungs()`` and set
    ``_promote_in_drawn_order`` (HpBandSter runs promoted configurations in the order they were
    drawn; naskit's BOHB best first).
    """

    _promote_in_drawn_order = False

    def _n_rungs(self) -> int:
        raise NotImplementedError

    def _reset_brackets(self) -> None:
        self.bracket_, self.rung_ = 0, 0
        self._to_draw, self._queue, self._pending, self._results = 0, deque(), 0, []
        self._start_bracket()

    def _schedule(self) -> list:
        k = self._n_rungs()
        return self.bracket_sizes(k - 1 - self.bracket_ % k)

    def _start_bracket(self) -> None:
        self.rung_, self._results = 0, []
        self._to_draw = self._schedule()[0][0]

    def _advance(self) -> None:
        schedule = self._schedule()
        if self.rung_ + 1 < len(schedule):
            keep = schedule[self.rung_ + 1][0]
            best = np.argsort([-f for _, f in self._results], kind="stable")[:keep]  # ties: earlier
            if self._promote_in_drawn_order:
                best = sorted(best)
            self._queue.extend(self._results[i][0] for i in best)
            self.rung_, self._results = self.rung_ + 1, []
        else:
            self.bracket_ += 1
            self._start_bracket()

    def _next(self) -> tuple:
        """``(promoted item or None, level)`` of the next query; None: the subclass draws one."""
        while not (self._to_draw or self._queue):
            if self._pending:
                raise RuntimeError(f"{type(self).__name__} waits for {self._pending} result(s) of "
                                   f"rung {self.rung_} before it can promote; call observe() first")
            self._advance()
        level = self._schedule()[self.rung_][1]
        self._pending += 1
        if self._queue:
            return self._queue.popleft(), level
        self._to_draw -= 1
        return None, level

    def _arch(self, code) -> Arch:
        """The arch whose edges carry the ops with indices ``code``."""
        return Arch.from_ops([self.space.ops[k] for k in code], self.space.n_nodes)

    def _record(self, item, fitness: float) -> None:
        """A result of the current rung (once per pending query)."""
        if self._pending:
            self._pending -= 1
            self._results.append((item, fitness))
