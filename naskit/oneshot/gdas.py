"""GDAS: searching for a robust neural architecture in four GPU hours (Dong & Yang, CVPR 2019).

Instead of DARTS' mixture of every op, GDAS samples one op per edge from a Gumbel-softmax over
alpha and computes only that op. The sample is hard in the forward pass (the one-hot of
``argmax(alpha + g)``, g Gumbel noise: the Gumbel-max trick, an exact sample of softmax(alpha))
and soft in the backward pass (the gradient of ``softmax((alpha + g) / tau)``: a straight-through
estimator, Jang et al. and Maddison et al., ICLR 2017). The temperature tau falls linearly from 10
to 0.1 over the search, as in NAS-Bench-201's runs; the shared weights are trained on training
batches and alpha (Adam, as DARTS) on validation batches, each through its own sampled path.
``derive()`` is the argmax of alpha per edge, as for DARTS.
"""
from __future__ import annotations

import torch

from ..datasets import Dataset
from ..supernet import NB201SuperNet, SuperNet
from .alpha import AlphaSearch
from .._checks import check_positive
from .base import extends

__all__ = ["GDAS", "gumbel_noise", "gumbel_hard"]


def gumbel_noise(shape, generator: torch.Generator, dtype=torch.float32) -> torch.Tensor:
    """Standard Gumbel noise ``-log(E)``, E ~ Exp(1), drawn from ``generator`` only."""
    e = torch.empty(shape, dtype=dtype).exponential_(generator=generator)
    # E = 0 would give an infinite sample (GDAS' code redraws when that happens)
    return -e.clamp_min(torch.finfo(dtype).tiny).log()


def gumbel_hard(logits: torch.Tensor, tau: float, generator: torch.Generator) -> torch.Tensor:
    """A straight-through Gumbel-softmax sample per row of ``logits``.

    In value exactly the one-hot of ``argmax(logits + g)``; its gradient is that of the soft
    sample ``softmax((logits + g) / tau)`` with the same noise g.
    """
    tau = check_positive(tau, "tau")
    g = gumbel_noise(logits.shape, generator, logits.dtype).to(logits.device)
    soft = torch.softmax((logits + g) / tau, dim=-1)
    hard = torch.zeros_like(soft).scatter_(-1, soft.detach().argmax(-1, keepdim=True), 1.0)
    # soft - soft.detach() is exactly 0 in value, so the forward pass sees the one-hot itself
    return hard + (soft - soft.detach())


class GDAS(AlphaSearch):
    """GDAS over ``supernet`` (NB201 or DARTS cell) on ``data``; tau from ``tau_max`` to ``tau_min``.

    The other arguments are ``AlphaSearch``'s (alpha's Adam, the weights' SGD, ``seed``, ``device``).
    Learned state: ``alphas_``, ``trace_`` (softmax(alpha), losses, the derived cell, and in
    ``info`` the temperature and the sampled path of each step), ``seconds_``.
    """

    @extends(AlphaSearch.__init__)
    def __init__(self, supernet: SuperNet, data: Dataset, epochs: float = 1,
                 tau_max: float = 10.0, tau_min: float = 0.1, **search):
        super().__init__(supernet, data, epochs, **search)
        self.tau_max = check_positive(tau_max, "tau_max")
        self.tau_min = check_positive(tau_min, "tau_min")
        if self.tau_max < self.tau_min:
            raise ValueError(f"tau_max must be >= tau_min (the temperature falls), got "
                             f"tau_max={tau_max!r} < tau_min={tau_min!r}")

    def _hyper(self) -> str:
        return f"tau_max={self.tau_max:g}, tau_min={self.tau_min:g}, arch_lr={self.arch_lr:g}, "

    def _reset(self):
        super()._reset()
        # an odd offset keeps the sampler's stream apart from the minibatch streams (2 seed, 2 seed + 1)
        self.gumbel_generator_ = torch.Generator().manual_seed(self.seed * 2 + 7919)

    def _generators(self) -> dict:
        return {**super()._generators(), "gumbel": self.gumbel_generator_}

    def temperature(self, step: int) -> float:
        """tau at ``step`` (0-based): ``tau_max`` at the first step, ``tau_min`` at the last."""
        span = max(1, self.total_steps - 1)
        return self.tau_max - (self.tau_max - self.tau_min) * min(step, span) / span

    @property
    def tau_(self) -> float:
        """The temperature of the next step."""
        return self.temperature(self.step_)

    def sample(self, tau: float, grad: bool = True):
        """A hard Gumbel sample per cell type: ``(weights, index)`` for the supernet's forward."""
        weights, index = {}, {}
        for kind, a in self.supernet.alphas().items():
            hard = gumbel_hard(a if grad else a.detach(), tau, self.gumbel_generator_)
            weights[kind], index[kind] = hard, hard.detach().argmax(-1).tolist()
        if isinstance(self.supernet, NB201SuperNet):
            return weights["cell"], index["cell"]
        return weights, index

    def _step(self) -> dict:
        tau = self.tau_
        xt, yt = self.batch("train")
        xv, yv = self.batch("val")
        self.supernet.train()
        # the weights' path: alpha gets no gradient from the training loss
        weights, index = self.sample(tau, grad=False)
        train_loss = self.weight_step(xt, yt, weights=weights, index=index)
        # only the sampled op of each edge runs; the rest of the one-hot carries alpha's gradient
        weights, val_index = self.sample(tau)
        val_loss, grads = self.first_order_grad(xv, yv, weights=weights, index=val_index)
        self.alpha_step(grads)
        return {"train_loss": train_loss, "val_loss": val_loss, "tau": tau, "index": index,
                "val_index": val_index}
