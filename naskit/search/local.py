"""Local search: hill climbing over one-edge neighbours, restarting at local optima.

White et al. (UAI 2021, "Local search is state of the art for NAS benchmarks") found this simple
method competitive on NAS-Bench-201. From a random arch, neighbours (one edge's op changed) are
tried in random order; the first that beats the current arch becomes the current arch (first
improvement). When every neighbour has been tried without improvement the current arch is a local
optimum and the search restarts from a random arch it has not evaluated. An arch evaluated before
is not paid for again: its known fitness is reused.
"""
from __future__ import annotations

from ..space import Arch
from .base import Proposal, Strategy

__all__ = ["LocalSearch"]


class LocalSearch(Strategy):
    """First-improvement hill climbing with random restarts.

    ``current_`` is ``(arch, fitness, step)``; ``seen_`` maps every evaluated arch to its fitness;
    ``optima_`` lists the local optima found. Notes ``info={"from": step}`` (the current arch whose
    neighbour this is) or ``{"from": None}`` for a random (re)start.
    """

    def _reset(self):
        self.current_: tuple | None = None
        self.seen_: dict[Arch, tuple[float, int]] = {}
        self.optima_: list[tuple] = []
        self._queue: list[Arch] = []

    def _move(self, arch: Arch, fitness: float, step: int) -> None:
        self.current_ = (arch, fitness, step)
        self._queue = self.space.neighbours(arch)
        self.rng_.shuffle(self._queue)

    def _propose(self) -> Proposal:
        while self.current_ is not None and self._queue:
            arch = self._queue.pop()
            if arch not in self.seen_:
                return Proposal(arch, info={"from": self.current_[2]})
            fitness, step = self.seen_[arch]
            if fitness > self.current_[1]:  # a known better neighbour: move without paying
                self._move(arch, fitness, step)
        if self.current_ is not None:
            self.optima_.append(self.current_)
            self.current_ = None
        for _ in range(1000):
            arch = self.space.sample(seed=self.rng_)
            if arch not in self.seen_:
                break
        return Proposal(arch, info={"from": None})

    def _observe(self, arch, fitness, result, step):
        self.seen_.setdefault(arch, (fitness, step))
        if self.current_ is None or fitness > self.current_[1]:
            self._move(arch, fitness, step)
