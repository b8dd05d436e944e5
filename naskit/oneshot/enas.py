"""ENAS: efficient neural architecture search via parameter sharing (Pham et al., ICML 2018).

A controller samples architectures; the shared weights are trained on the paths it samples, and
the controller is trained by REINFORCE (Williams 1992) with the inherited-weight validation
accuracy of its samples as the reward. At the end the controller proposes candidates, ranked by
inherited-weight validation accuracy (NAS-Bench-201's code: 100 samples). The controller here is
``nk.search.Reinforce``: one independent softmax per edge, Adam on the logits, a moving-average
baseline, an entropy bonus. ENAS and NB201 used an LSTM controller instead, which chooses each
edge's op conditioned on the choices before it; a factorized policy cannot express such
correlations, but on NB201's six edges it has 30 logits instead of an LSTM's thousands of weights.
"""
from __future__ import annotations

import copy

import numpy as np
import torch

from ..bench import Record
from ..datasets import Dataset
from ..search import Reinforce
from ..space import Arch
from ..supernet import SuperNet
from .._checks import check_int
from .base import OneShotSearch, check_positive
from .candidates import CandidateRanking, sample_archs

__all__ = ["ENAS"]


class ENAS(CandidateRanking, OneShotSearch):
    """ENAS over an NB201 ``supernet``; ``controller_`` is an ``nk.search.Reinforce`` policy.

    Each step trains the shared weights on one path the controller samples (a training batch),
    then makes ``controller_steps`` REINFORCE updates, each rewarding a fresh sample with its
    accuracy (in percent) on the next validation batch. ``controller_lr``, ``baseline_decay``
    and ``entropy_weight`` go to ``Reinforce``; the defaults are NB201's ENAS settings (Adam
    lr 0.001, baseline decay 0.99, entropy weight 1e-4 on a reward in [0, 1], i.e. 0.01 here).
    Learned state: ``controller_``, ``trace_`` (the policy as ``weights``, rewards in ``info``),
    ``candidates_``, ``seconds_``.
    """

    def __init__(self, supernet: SuperNet, data: Dataset, epochs: float = 1,
                 n_candidates: int = 100, eval_batches: int | None = 4,
                 controller_steps: int = 1, controller_lr: float = 0.001,
                 baseline_decay: float = 0.99, entropy_weight: float = 0.01, batch_size: int = 64,
                 lr: float = 0.025, lr_min: float = 0.001, momentum: float = 0.9,
                 weight_decay: float = 3e-4, grad_clip: float | None = 5.0, seed: int = 0,
                 device="cpu", nesterov: bool = False, lr_period: float | None = None,
                 augment_pad: int = 0, val_replacement: bool = False):
        super().__init__(supernet, data, epochs, batch_size, lr, lr_min, momentum, weight_decay,
                         grad_clip, seed, device, nesterov=nesterov, lr_period=lr_period,
                         augment_pad=augment_pad, val_replacement=val_replacement)
        self._check_candidates(n_candidates, eval_batches)
        self.controller_steps = check_int(controller_steps, "controller_steps", 0)
        self.controller_lr = check_positive(controller_lr, "controller_lr")
        self.baseline_decay = check_positive(baseline_decay, "baseline_decay", allow_zero=True)
        if self.baseline_decay >= 1:
            raise ValueError(f"baseline_decay must be in [0, 1), got {baseline_decay!r}")
        self.entropy_weight = check_positive(entropy_weight, "entropy_weight", allow_zero=True)

    def _hyper(self) -> str:
        return (f"{self._candidate_hyper()}controller_steps={self.controller_steps}, "
                f"controller_lr={self.controller_lr:g}, ")

    def _reset(self):
        self.controller_ = Reinforce(self.supernet.space, lr=self.controller_lr,
                                     baseline_decay=self.baseline_decay,
                                     entropy_weight=self.entropy_weight, seed=self.seed)
        self.controller_.reset()

    def _extra_state(self) -> dict:
        return {"controller": copy.deepcopy(self.controller_)}  # plain numpy: it pickles

    def _load_extra_state(self, state: dict) -> None:
        self.controller_ = copy.deepcopy(state["controller"])

    def _weights(self) -> dict:
        return {"cell": self.controller_.probabilities()}

    @torch.no_grad()
    def reward(self, arch: Arch, xb, yb) -> float:
        """Accuracy (percent) of ``arch``'s inherited weights on one batch (batch statistics)."""
        self.supernet.train()
        out = self.supernet(xb, arch=arch)
        return 100.0 * (out.argmax(1) == yb).float().mean().item()

    def _step(self) -> dict:
        arch = self.controller_.propose()
        xt, yt = self.batch("train")
        train_loss = self.weight_step(xt, yt, arch=arch)
        rewards, samples = [], []
        for _ in range(self.controller_steps):
            sample = self.controller_.propose()
            samples.append(sample)
            # NB201 rewards on its plain validation loader: no shifted crops, no replacement
            rewards.append(self.reward(sample, *self.batch("val", augment=False)))
            space = self.supernet.space
            index = space.index(sample) if hasattr(space, "index") else -1
            # Reinforce reads the reward as a benchmark's valid_acc: a Record of no cost
            self.controller_.observe(sample, Record(sample, index, 0, rewards[-1], None, 0.0))
        return {"train_loss": train_loss, "arch": arch, "rewards": rewards, "samples": samples}

    def _propose_candidates(self, rng: np.random.Generator) -> list[Arch]:
        return sample_archs(self.controller_.probabilities(), self.n_candidates,
                            self.supernet.space, rng)
