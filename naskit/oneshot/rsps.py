"""RSPS: random search with parameter sharing (Li & Talwalkar, UAI 2019).

The simplest single-path one-shot method and a strong baseline: every step trains the shared
weights on one path drawn uniformly from the space (one op per edge), so that every candidate is
trained about equally often; at the end ``n_candidates`` cells drawn uniformly are ranked by the
validation accuracy of their inherited weights and the best is returned. NAS-Bench-201 (Dong &
Yang, ICLR 2020, Sec. 5) ran it as "RSPS" with 100 candidates. Nothing about the architecture is
learned during training: all the search is in the final ranking.
"""
from __future__ import annotations

import numpy as np

from ..datasets import Dataset
from ..space import Arch
from ..supernet import SuperNet
from .base import OneShotSearch
from .candidates import CandidateRanking, sample_archs

__all__ = ["RSPS"]


class RSPS(CandidateRanking, OneShotSearch):
    """Uniform single-path training, then the best of ``n_candidates`` uniform cells.

    ``eval_batches``: each candidate is scored on the first ``eval_batches * batch_size``
    validation images (None: all). Learned state: the supernet's weights, ``trace_`` (the path
    trained at each step in ``info['arch']``), ``candidates_``, ``seconds_``.
    """

    def __init__(self, supernet: SuperNet, data: Dataset, epochs: float = 1,
                 n_candidates: int = 100, eval_batches: int | None = 4, batch_size: int = 64,
                 lr: float = 0.025, lr_min: float = 0.001, momentum: float = 0.9,
                 weight_decay: float = 3e-4, grad_clip: float | None = 5.0, seed: int = 0,
                 device="cpu", nesterov: bool = False, lr_period: float | None = None,
                 augment_pad: int = 0, val_replacement: bool = False):
        super().__init__(supernet, data, epochs, batch_size, lr, lr_min, momentum, weight_decay,
                         grad_clip, seed, device, nesterov=nesterov, lr_period=lr_period,
                         augment_pad=augment_pad, val_replacement=val_replacement)
        self._check_candidates(n_candidates, eval_batches)

    def _hyper(self) -> str:
        return self._candidate_hyper()

    def _weights(self) -> dict:
        return {}  # RSPS learns no distribution over ops

    def _step(self) -> dict:
        arch = self.supernet.space.sample(seed=self.rng_)
        xt, yt = self.batch("train")
        return {"train_loss": self.weight_step(xt, yt, arch=arch), "arch": arch}

    def _propose_candidates(self, rng: np.random.Generator) -> list[Arch]:
        space = self.supernet.space
        uniform = np.full((space.n_edges, len(space.ops)), 1.0 / len(space.ops))
        return sample_archs(uniform, self.n_candidates, space, rng)
