"""REINFORCE: a policy over the op of every edge, trained by the policy gradient.

The NASNet-style controller (Zoph & Le, ICLR 2017; Zoph et al., CVPR 2018) reduced to what
NAS-Bench-201 (Dong & Yang, ICLR 2020) ran: one independent softmax over the ops of each edge,
logits theta[e, o]. An arch a is sampled edge by edge, its fitness R is the reward, and
Williams' (1992) REINFORCE moves theta along (R - b) * grad log p(a), with b an exponential moving
average of the rewards (the baseline) that cuts the variance; grad log p(a)[e] = onehot(a_e) - p_e.
An optional entropy bonus (weight ``entropy_weight``) keeps the policy from collapsing early.
As in NB201's ``exps/algos/reinforce.py`` the reward is the accuracy in percent, one sampled arch
makes one update, the step is Adam (Kingma & Ba 2015) and the baseline a bias-corrected average
with decay 0.9 that already includes the current reward; NB201 started the logits at 1e-3-scale
noise, here they start at zero (a uniform policy). Plain numpy, no torch.

The learning rate is where NB201's sources disagree: its ``REINFORCE.sh`` usage line says 0.001,
its documentation's command 0.5, its grid script ``hps/GRID-RL.sh`` tries 0.01, 0.02, 0.1, 0.2 and
0.5, NATS-Bench's scripts use 0.01. The default 0.02 is the grid's value that reproduces the
paper's row on NB201's table (``benchmarks/reinforce_lr_nb201.py``); at 0.001 the policy hardly
moves within a 12,000 s budget and REINFORCE is random search.
"""
from __future__ import annotations


import numpy as np

from .._checks import check_positive, check_range
from ..space import Arch
from .base import Strategy

__all__ = ["Reinforce"]

_OPTIMIZERS = ("adam", "sgd")


class Reinforce(Strategy):
    """Policy-gradient search over per-edge op distributions.

    After each observation the logs ``probs_`` (the policy that sampled the arch, edges x ops),
    ``actions_``, ``rewards_``, ``baselines_``, ``advantages_`` and ``entropies_`` grow by one;
    ``probabilities()`` is the current policy and ``logits_`` its parameters.
    """

    def __init__(self, space, lr: float = 0.02, baseline_decay: float = 0.9,
                 entropy_weight: float = 0.0, optimizer: str = "adam", seed: int | None = 0):
        super().__init__(space, seed)
        lr = check_positive(lr, "lr")  # lr=inf made every logit NaN
        check_range(baseline_decay, "baseline_decay", 0, 1, high_open=True)
        check_positive(entropy_weight, "entropy_weight", allow_zero=True)
        if optimizer not in _OPTIMIZERS:
            raise ValueError(f"unknown optimizer {optimizer!r}; choose from {list(_OPTIMIZERS)}")
        self.lr, self.baseline_decay = float(lr), float(baseline_decay)
        self.entropy_weight, self.optimizer = float(entropy_weight), optimizer

    def _hyper(self):
        return dict(lr=self.lr, baseline_decay=self.baseline_decay,
                    entropy_weight=self.entropy_weight, optimizer=self.optimizer)

    def _reset(self):
        shape = (self.space.n_edges, len(self.space.ops))
        self.np_rng_ = np.random.default_rng(self.seed)
        self.logits_ = np.zeros(shape)
        self._m, self._v, self._t = np.zeros(shape), np.zeros(shape), 0  # Adam moments
        self._ema_num = self._ema_den = 0.0
        self._op_index = {op: k for k, op in enumerate(self.space.ops)}
        self.probs_: list[np.ndarray] = []
        self.actions_: list[tuple[int, ...]] = []
        self.rewards_: list[float] = []
        self.baselines_: list[float] = []
        self.advantages_: list[float] = []
        self.entropies_: list[float] = []

    def probabilities(self) -> np.ndarray:
        """The current policy: one row per edge (string order), one column per op of the space."""
        if self.rng_ is None:
            self.reset()
        z = np.exp(self.logits_ - self.logits_.max(axis=1, keepdims=True))
        return z / z.sum(axis=1, keepdims=True)

    def best_arch(self) -> Arch:
        """The most probable arch under the current policy."""
        ops = self.space.ops
        return Arch.from_ops([ops[k] for k in self.probabilities().argmax(axis=1)], self.space.n_nodes)

    def _propose(self) -> Arch:
        cdf = np.cumsum(self.probabilities(), axis=1)
        u = self.np_rng_.random((len(cdf), 1)) * cdf[:, -1:]
        choice = (u >= cdf).sum(axis=1)  # inverse-CDF sampling, one op per edge
        return Arch.from_ops([self.space.ops[k] for k in choice], self.space.n_nodes)

    def gradient(self, actions, advantage: float) -> np.ndarray:
        """Gradient of the loss -(advantage * log p(actions) + entropy_weight * H) wrt the logits."""
        p = self.probabilities()
        onehot = np.zeros_like(p)
        onehot[np.arange(len(p)), list(actions)] = 1.0
        logp = np.log(np.clip(p, 1e-300, None))
        entropy = -(p * logp).sum(axis=1, keepdims=True)
        # d(-H)/d theta = p * (log p + H) for a softmax, per edge
        return -advantage * (onehot - p) + self.entropy_weight * p * (logp + entropy)

    def _observe(self, arch, fitness, result, step):
        actions = tuple(self._op_index[op] for op in arch.ops)
        p = self.probabilities()
        d = self.baseline_decay
        self._ema_num = d * self._ema_num + (1 - d) * fitness
        self._ema_den = d * self._ema_den + (1 - d)
        baseline = self._ema_num / self._ema_den  # includes this reward, as in NB201's code
        advantage = fitness - baseline
        grad = self.gradient(actions, advantage)
        if self.optimizer == "sgd":
            self.logits_ = self.logits_ - self.lr * grad
        else:
            b1, b2, eps = 0.9, 0.999, 1e-8  # torch.optim.Adam's defaults
            self._t += 1
            self._m = b1 * self._m + (1 - b1) * grad
            self._v = b2 * self._v + (1 - b2) * grad ** 2
            m_hat, v_hat = self._m / (1 - b1 ** self._t), self._v / (1 - b2 ** self._t)
            self.logits_ = self.logits_ - self.lr * m_hat / (np.sqrt(v_hat) + eps)
        self.probs_.append(p)
        self.actions_.append(actions)
        self.rewards_.append(fitness)
        self.baselines_.append(baseline)
        self.advantages_.append(advantage)
        self.entropies_.append(float(-(p * np.log(np.clip(p, 1e-300, None))).sum()))
