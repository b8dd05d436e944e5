"""Choosing by inherited weights: sample candidate cells, rank them by the supernet's accuracy.

Single-path one-shot methods (Bender et al. ICML 2018; Li & Talwalkar, UAI 2019; Dong & Yang,
ICCV 2019; Pham et al. ICML 2018) end the same way: draw candidate architectures (uniformly, from a
learned template or from a controller), evaluate each with the weights it inherits from the
supernet on validation images, and return the most accurate. NAS-Bench-201 (Dong & Yang, ICLR
2020) drew 100 candidates. Here every candidate is scored on the same validation images, so the
ranking compares cells rather than batches.
"""
from __future__ import annotations

import time
import zlib
from dataclasses import dataclass

import numpy as np

from ..space import Arch, CellSpace
from ..supernet import NB201SuperNet
from .._checks import check_int

MAX_CANDIDATES = 1_000_000  # candidates ranked at the end of a search: past this it takes days

__all__ = ["Candidate", "CandidateRanking", "sample_archs"]


@dataclass(frozen=True)
class Candidate:
    """A sampled cell and its inherited-weight validation accuracy (a fraction)."""

    arch: Arch
    val_acc: float

    def __repr__(self):
        return f"Candidate({str(self.arch)!r}, val_acc={self.val_acc:.4f})"


def sample_archs(probs, n: int, space: CellSpace, rng: np.random.Generator,
                 max_draws: int | None = None) -> list[Arch]:
    """Up to ``n`` distinct archs, each edge's op drawn from ``probs[edge]`` (edges x ops).

    A peaked distribution may hold fewer than ``n`` likely cells: drawing stops after
    ``max_draws`` (default ``50 * n``) draws, so fewer may come back.
    """
    probs = np.asarray(probs, dtype=float)
    if probs.shape != (space.n_edges, len(space.ops)):
        raise ValueError(f"probs must have shape ({space.n_edges}, {len(space.ops)}), got "
                         f"{probs.shape}")
    cdf = np.cumsum(probs / probs.sum(axis=1, keepdims=True), axis=1)
    seen: dict[Arch, None] = {}
    for _ in range(50 * n if max_draws is None else max_draws):
        if len(seen) == n:
            break
        u = rng.random((len(cdf), 1))
        choice = np.minimum((u >= cdf).sum(axis=1), len(space.ops) - 1)  # inverse CDF per edge
        seen.setdefault(Arch.from_ops([space.ops[k] for k in choice], space.n_nodes))
    return list(seen)


class CandidateRanking:
    """Mixin of a ``OneShotSearch``: ``derive()`` ranks ``n_candidates`` proposals, once per step.

    Subclasses give ``_propose_candidates(rng) -> list[Arch]``. ``candidates_`` holds the
    proposals with their accuracy on the first ``eval_batches * batch_size`` validation images
    (all of them if None). Deriving is costly, so the trace records no arch (``_current_arch``
    is None); the result is cached until the search makes another step or is reset, and the
    seconds it took are added to ``seconds_`` (the selection is part of the search).
    """

    def _check_candidates(self, n_candidates, eval_batches) -> None:
        if not isinstance(self.supernet, NB201SuperNet):
            raise TypeError(f"{type(self).__name__} samples cells of a cell space; it needs an "
                            f"NB201SuperNet, got {type(self.supernet).__name__}")
        self.n_candidates = check_int(n_candidates, "n_candidates", maximum=MAX_CANDIDATES)
        self.eval_batches = None if eval_batches is None else check_int(eval_batches,
                                                                        "eval_batches")
        self._selection = None

    def reset(self) -> None:
        self._selection = None
        super().reset()

    def _current_arch(self):
        return None

    def _propose_candidates(self, rng: np.random.Generator) -> list[Arch]:
        raise NotImplementedError

    def derive(self) -> Arch:
        """The candidate of highest inherited-weight validation accuracy (ties: the first drawn)."""
        if self._initial is None:
            self.reset()
        if self._selection is None or self._selection[0] != self.step_:
            start = time.perf_counter()
            # a generator of (seed, step, method): derive() never moves the search's own streams,
            # and two methods that trained the same supernet (RSPS and an untrained SETN
            # template) still draw their candidates independently
            salt = zlib.crc32(type(self).__name__.encode())
            rng = np.random.default_rng([self.seed, self.step_, salt])
            archs = self._propose_candidates(rng)
            found = tuple(Candidate(a, self.accuracy(a, n_batches=self.eval_batches)) for a in archs)
            self._selection = (self.step_, found)
            self.seconds_ += time.perf_counter() - start
        found = self._selection[1]
        return found[int(np.argmax([c.val_acc for c in found]))].arch

    @property
    def candidates_(self) -> list[Candidate]:
        """The candidates of the latest ``derive()`` (derived now if stale), in drawing order."""
        self.derive()
        return list(self._selection[1])

    def __repr__(self):
        text = super().__repr__()
        if self._selection is not None and self._selection[0] == self.step_:
            text += f", derived {self.derive()}"
        return text

    def _candidate_hyper(self) -> str:
        return f"n_candidates={self.n_candidates}, eval_batches={self.eval_batches}, "
