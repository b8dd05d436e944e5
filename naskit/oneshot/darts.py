"""DARTS: differentiable architecture search (Liu et al., ICLR 2019).

The choice of op on an edge is relaxed to ``softmax(alpha)``-weighted mixing (``MixedOp``), which
makes the validation loss differentiable in alpha. The bilevel problem
``min_alpha L_val(w*(alpha), alpha)  s.t.  w*(alpha) = argmin_w L_train(w, alpha)`` is solved
approximately by alternating one step on alpha and one on w (Alg. 1). First order (DARTS-V1)
takes the gradient of ``L_val(w, alpha)`` at the current w. Second order (DARTS-V2, Eq. 7-8)
differentiates through one virtual SGD step ``w' = w - xi * grad_w L_train(w, alpha)`` (with the
optimizer's momentum and weight decay, as in the paper's ``architect.py``):
``grad_alpha L_val(w', alpha) - xi * H v`` with ``v = grad_w' L_val(w', alpha)`` and the
Hessian-vector product ``H v = grad^2_{alpha,w} L_train(w, alpha) v`` approximated by central
differences at ``w +- eps v``, ``eps = 0.01 / ||v||``. Alpha is trained by Adam (lr 3e-4, betas
(0.5, 0.999), weight decay 1e-3), as in the paper and in NAS-Bench-201's runs.
"""
from __future__ import annotations

import torch
from torch import nn
from torch.func import functional_call

from .._checks import is_int
from ..datasets import Dataset
from ..supernet import SuperNet
from .alpha import AlphaSearch
from .._checks import check_positive

__all__ = ["DARTS", "hessian_vector_product"]


def _loss(net, params, buffers, x, y):
    return nn.functional.cross_entropy(functional_call(net, {**params, **buffers}, (x,)), y)


def hessian_vector_product(net: SuperNet, x, y, vector: list[torch.Tensor],
                           eps: float | None = None) -> list[torch.Tensor]:
    """``d/d alpha [grad_w L_train(w, alpha) . v]`` by central differences (DARTS, Eq. 8).

    ``vector`` lists one tensor per weight parameter (``net.weight_parameters()`` order);
    ``eps`` defaults to DARTS' ``0.01 / ||v||``. Returns one gradient per alpha tensor. The
    supernet's own weights and BatchNorm statistics are left untouched.
    """
    names = {id(p): n for n, p in net.named_parameters()}
    weights = [(names[id(p)], p) for p in net.weight_parameters()]
    alphas = [(names[id(p)], p) for p in net.arch_parameters()]
    if len(vector) != len(weights):
        raise ValueError(f"vector must hold {len(weights)} tensors, one per weight parameter; "
                         f"got {len(vector)}")
    norm = torch.sqrt(sum((v.double() ** 2).sum() for v in vector))
    if eps is None:
        eps = 0.01 / max(float(norm), 1e-12)
    buffers = {n: b.clone() for n, b in net.named_buffers()}
    grads = []
    for sign in (1.0, -1.0):
        params = {n: (p + sign * eps * v).detach() for (n, p), v in zip(weights, vector)}
        params.update({n: a for n, a in alphas})
        loss = _loss(net, params, {n: b.clone() for n, b in buffers.items()}, x, y)
        grads.append(torch.autograd.grad(loss, [a for _, a in alphas]))
    return [(gp - gn) / (2 * eps) for gp, gn in zip(*grads)]


class DARTS(AlphaSearch):
    """DARTS over ``supernet`` on ``data``: ``order=1`` (DARTS-V1) or ``order=2`` (DARTS-V2).

    ``xi``: the step of the virtual weight update in second order (default: the weight optimizer's
    current learning rate, as in the paper); ``order=1`` is ``xi = 0``. ``eps_scale``: the
    finite-difference step is ``eps_scale / ||v||`` (the paper's 0.01). ``weights_first``: step
    the weights before alpha in each iteration (NB201's DARTS-V1) instead of after (Alg. 1 and
    DARTS' code). Learned state:
    ``alphas_`` (alpha now, by cell type), ``trace_`` (softmax(alpha), losses and the derived cell
    after every step), ``seconds_``.
    """

    def __init__(self, supernet: SuperNet, data: Dataset, order: int = 1, epochs: float = 1,
                 arch_lr: float = 3e-4, arch_betas: tuple[float, float] = (0.5, 0.999),
                 arch_weight_decay: float = 1e-3, xi: float | None = None, eps_scale: float = 0.01,
                 batch_size: int = 64,
                 lr: float = 0.025, lr_min: float = 0.001, momentum: float = 0.9,
                 weight_decay: float = 3e-4, grad_clip: float | None = 5.0, seed: int = 0,
                 device="cpu", nesterov: bool = False, lr_period: float | None = None,
                 augment_pad: int = 0, val_replacement: bool = False, weights_first: bool = False):
        super().__init__(supernet, data, epochs, arch_lr, arch_betas, arch_weight_decay,
                         batch_size, lr, lr_min, momentum, weight_decay, grad_clip, seed, device,
                         nesterov=nesterov, lr_period=lr_period, augment_pad=augment_pad,
                         val_replacement=val_replacement)
        if not is_int(order) or order not in (1, 2):
            raise ValueError(f"order must be 1 (first order, DARTS-V1) or 2 (second order, "
                             f"DARTS-V2), got {order!r}")
        self.order = order
        self.xi = None if xi is None else check_positive(xi, "xi", allow_zero=True)
        self.eps_scale = check_positive(eps_scale, "eps_scale")
        if not isinstance(weights_first, bool):
            raise ValueError(f"weights_first must be True or False, got {weights_first!r}")
        self.weights_first = weights_first

    def _hyper(self) -> str:
        return f"order={self.order}, arch_lr={self.arch_lr:g}, "

    def _step(self) -> dict:
        xt, yt = self.batch("train")
        xv, yv = self.batch("val")
        net = self.supernet
        net.train()
        train_loss = self.weight_step(xt, yt) if self.weights_first else None
        xi = self.w_optimizer_.param_groups[0]["lr"] if self.xi is None else self.xi
        if self.order == 1 or xi == 0.0:
            val_loss, grads = self.first_order_grad(xv, yv)
        else:
            val_loss, grads = self.second_order_grad(xt, yt, xv, yv, xi)
        self.alpha_step(grads)
        if not self.weights_first:
            train_loss = self.weight_step(xt, yt)
        return {"train_loss": train_loss, "val_loss": val_loss}

    def unrolled_weights(self, xt, yt, xi: float) -> list[torch.Tensor]:
        """``w' = w - xi * (momentum * buffer + grad_w L_train + weight_decay * w)`` (DARTS' code)."""
        net = self.supernet
        weights = net.weight_parameters()
        # a virtual step: a forward pass of the net itself would fold this batch into the real
        # BatchNorm running statistics, so run it on copies of the buffers
        params = dict(net.named_parameters())
        buffers = {n: b.clone() for n, b in net.named_buffers()}
        loss = _loss(net, params, buffers, xt, yt)
        grads = torch.autograd.grad(loss, weights, allow_unused=True)
        out = []
        for w, g in zip(weights, grads):
            g = torch.zeros_like(w) if g is None else g
            buf = self.w_optimizer_.state.get(w, {}).get("momentum_buffer")
            moment = torch.zeros_like(w) if buf is None else self.momentum * buf
            out.append((w - xi * (moment + g + self.weight_decay * w)).detach())
        return out

    def second_order_grad(self, xt, yt, xv, yv, xi: float):
        """``L_val(w', alpha)`` and DARTS' second-order gradient in alpha (Eq. 7-8)."""
        net = self.supernet
        names = {id(p): n for n, p in net.named_parameters()}
        weights = net.weight_parameters()
        alphas = net.arch_parameters()
        unrolled = [w.requires_grad_() for w in self.unrolled_weights(xt, yt, xi)]
        params = {names[id(p)]: u for p, u in zip(weights, unrolled)}
        params.update({names[id(a)]: a for a in alphas})
        # the virtual step must not move the real network's BatchNorm statistics
        buffers = {n: b.clone() for n, b in net.named_buffers()}
        loss = _loss(net, params, buffers, xv, yv)
        grads = torch.autograd.grad(loss, [*alphas, *unrolled], allow_unused=True)
        d_alpha, vector = grads[:len(alphas)], grads[len(alphas):]
        vector = [torch.zeros_like(u) if v is None else v for u, v in zip(unrolled, vector)]
        norm = float(torch.sqrt(sum((v.double() ** 2).sum() for v in vector)))
        implicit = hessian_vector_product(net, xt, yt, vector, self.eps_scale / max(norm, 1e-12))
        return loss.item(), [g - xi * h for g, h in zip(d_alpha, implicit)]
