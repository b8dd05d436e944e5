"""Random search: sample archs uniformly, keep the best.

The baseline every NAS method has to beat (Li & Talwalkar, UAI 2019; Yang et al., ICLR 2020). On
NAS-Bench-201 it samples with replacement, as NB201's own implementation does.
"""
from __future__ import annotations

from ..space import Arch
from .base import Strategy

__all__ = ["RandomSearch"]


class RandomSearch(Strategy):
    """Propose a uniformly random arch every time; learn nothing."""

    def _propose(self) -> Arch:
        return self.space.sample(seed=self.rng_)

    def _observe(self, arch, fitness, result, step) -> None:
        pass
