"""Searches that learn the supernet's alpha on validation batches: DARTS, GDAS, SETN.

DARTS (Liu et al., ICLR 2019), GDAS (Dong & Yang, CVPR 2019) and SETN (Dong & Yang, ICCV 2019)
all train the architecture weights alpha by gradient descent on the validation loss, with the
optimizer of DARTS' code that NAS-Bench-201 kept for all three: Adam, learning rate 3e-4, betas
(0.5, 0.999), weight decay 1e-3. They differ in how the validation loss depends on alpha (the
softmax mixture, a Gumbel hard sample, the mixture again for SETN's template).
"""
from __future__ import annotations

import torch
from torch import nn

from ..datasets import Dataset
from ..supernet import SuperNet
from .base import OneShotSearch, check_positive

__all__ = ["AlphaSearch"]


class AlphaSearch(OneShotSearch):
    """A one-shot search with an Adam optimizer on alpha (``a_optimizer_``) and ``alphas_``."""

    def __init__(self, supernet: SuperNet, data: Dataset, epochs: float = 1,
                 arch_lr: float = 3e-4, arch_betas: tuple[float, float] = (0.5, 0.999),
                 arch_weight_decay: float = 1e-3, batch_size: int = 64,
                 lr: float = 0.025, lr_min: float = 0.001, momentum: float = 0.9,
                 weight_decay: float = 3e-4, grad_clip: float | None = 5.0, seed: int = 0,
                 device="cpu", nesterov: bool = False, lr_period: float | None = None,
                 augment_pad: int = 0, val_replacement: bool = False):
        super().__init__(supernet, data, epochs, batch_size, lr, lr_min, momentum, weight_decay,
                         grad_clip, seed, device, nesterov=nesterov, lr_period=lr_period,
                         augment_pad=augment_pad, val_replacement=val_replacement)
        self.arch_lr = check_positive(arch_lr, "arch_lr")
        if (not isinstance(arch_betas, (tuple, list)) or len(arch_betas) != 2
                or not all(0 <= check_positive(b, "arch_betas", True) < 1 for b in arch_betas)):
            raise ValueError(f"arch_betas must be two numbers in [0, 1), got {arch_betas!r}")
        self.arch_betas = tuple(float(b) for b in arch_betas)
        self.arch_weight_decay = check_positive(arch_weight_decay, "arch_weight_decay", True)

    def _reset(self):
        self.a_optimizer_ = torch.optim.Adam(self.supernet.arch_parameters(), lr=self.arch_lr,
                                             betas=self.arch_betas,
                                             weight_decay=self.arch_weight_decay)

    def _extra_state(self) -> dict:
        return {"a_optimizer": self.a_optimizer_.state_dict()}

    def _load_extra_state(self, state: dict) -> None:
        self.a_optimizer_.load_state_dict(state["a_optimizer"])

    @property
    def alphas_(self) -> dict:
        """alpha now, by cell type (a detached copy)."""
        return {k: a.detach().cpu().clone() for k, a in self.supernet.alphas().items()}

    def alpha_step(self, grads) -> None:
        """One Adam step of alpha along ``grads`` (one tensor per ``arch_parameters()``)."""
        for a, g in zip(self.supernet.arch_parameters(), grads):
            a.grad = g
        self.a_optimizer_.step()
        self.a_optimizer_.zero_grad(set_to_none=True)

    def first_order_grad(self, xv, yv, **forward):
        """``L_val(w, alpha)`` and its gradient in alpha at the current weights (``forward``: how)."""
        net = self.supernet
        loss = nn.functional.cross_entropy(net(xv, **forward), yv)
        return loss.item(), list(torch.autograd.grad(loss, net.arch_parameters()))
