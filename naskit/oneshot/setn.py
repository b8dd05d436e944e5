"""SETN: one-shot NAS via a self-evaluated template network (Dong & Yang, ICCV 2019).

SETN splits single-path search into a generator and an evaluator. The evaluator is the supernet,
its shared weights trained on paths drawn uniformly (every candidate trained fairly). The
generator is a template, a distribution over the op of each edge, ``softmax(alpha)``; as in
NAS-Bench-201's code it is trained like first-order DARTS, on validation batches through the
softmax mixture (Adam, lr 3e-4). At the end the template proposes candidates, which are likely
to be good, and the evaluator ranks them by inherited-weight validation accuracy; the best is
returned. NAS-Bench-201 selected 100 candidates.
"""
from __future__ import annotations

import itertools

import numpy as np

from ..datasets import Dataset
from ..space import Arch
from ..supernet import SuperNet
from .alpha import AlphaSearch
from .base import extends
from .candidates import CandidateRanking, sample_archs

__all__ = ["SETN"]

_PROPOSALS = ("sample", "top")


class SETN(CandidateRanking, AlphaSearch):
    """SETN over an NB201 ``supernet``: uniform single-path weights, a learned template alpha.

    ``proposal``: 'sample' draws ``n_candidates`` distinct cells from the template (the paper);
    'top' takes the ``n_candidates`` cells of highest template probability (NAS-Bench-201's code).
    ``eval_batches`` as in ``RSPS``; the other arguments are ``AlphaSearch``'s. Learned state: ``alphas_`` (the template), ``trace_``,
    ``candidates_``, ``seconds_``.
    """

    @extends(AlphaSearch.__init__)
    def __init__(self, supernet: SuperNet, data: Dataset, epochs: float = 1,
                 n_candidates: int = 100, eval_batches: int | None = 4, proposal: str = "sample",
                 **search):
        super().__init__(supernet, data, epochs, **search)
        self._check_candidates(n_candidates, eval_batches)
        if proposal not in _PROPOSALS:
            raise ValueError(f"unknown proposal {proposal!r}; choose from {list(_PROPOSALS)}")
        self.proposal = proposal

    def _hyper(self) -> str:
        return f"{self._candidate_hyper()}proposal={self.proposal!r}, arch_lr={self.arch_lr:g}, "

    def _step(self) -> dict:
        arch = self.supernet.space.sample(seed=self.rng_)
        xt, yt = self.batch("train")
        xv, yv = self.batch("val")
        train_loss = self.weight_step(xt, yt, arch=arch)
        # the template: the softmax mixture on validation images, as first-order DARTS
        val_loss, grads = self.first_order_grad(xv, yv)
        self.alpha_step(grads)
        return {"train_loss": train_loss, "val_loss": val_loss, "arch": arch}

    def template(self) -> np.ndarray:
        """The template's distribution over ops, one row per edge: softmax(alpha)."""
        return self.supernet.edge_weights()["cell"].double().cpu().numpy()

    def _propose_candidates(self, rng: np.random.Generator) -> list[Arch]:
        space = self.supernet.space
        probs = self.template()
        if self.proposal == "sample":
            return sample_archs(probs, self.n_candidates, space, rng)
        # log-probability of every cell under the template; the space is small enough to list
        index = np.array(list(itertools.product(range(len(space.ops)), repeat=space.n_edges)))
        logp = np.log(probs)[np.arange(space.n_edges), index].sum(axis=1)
        top = np.argsort(-logp, kind="stable")[:self.n_candidates]
        return [Arch.from_ops([space.ops[k] for k in index[i]], space.n_nodes) for i in top]
