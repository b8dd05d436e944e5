"""Zero-cost proxies: score an untrained network from one minibatch and at most one backward pass.

Abdelfattah et al., "Zero-Cost Proxies for Lightweight NAS" (ICLR 2021) turned pruning-at-init
saliencies into architecture scores by summing a per-weight saliency over the weights of every
convolution and linear layer. We follow the definitions of their released code:

- ``snip`` (Lee et al. 2019): sum |dL/dw * w|.
- ``grad_norm``: sum over layers of the L2 norm of dL/dw.
- ``grasp`` (Wang et al. 2020): sum -w * (H g), with g = dL/dw and H the Hessian of the loss.
- ``fisher`` (Theis et al. 2018; Turner et al. 2020): per output channel k of a layer with
  activation a, 0.5 * mean over the batch of (sum over positions of a * dL/da)^2. Like the
  released code, each channel's value is counted once per weight of that channel (it broadcasts
  the channel value over the channel's weights before summing).
- ``synflow`` (Tanaka et al. 2020): with every weight replaced by its absolute value, BatchNorm
  switched off and double precision, R = sum of the outputs for an all-ones input; the score is
  sum |dR/dw * w|. It needs no data and no labels.
- ``jacob_cov`` (Mellor et al. 2020, the first version of NASWOT): J is the gradient of the sum
  of the outputs with respect to each input of a batch; with the eigenvalues v of the correlation
  matrix of the rows of J, score = -sum(log(v + k) + 1 / (v + k)), k = 1e-5.

Losses are cross-entropy and BatchNorm uses batch statistics (training mode), as in the released
code. None of the functions changes the caller's net (weights, gradients, BatchNorm buffers or
mode) or touches a global random generator.
"""
from __future__ import annotations

import copy

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from .._torch import device_of
from ._net import check_batch, check_labels, preserved, weight_layers

__all__ = ["synflow", "snip", "grad_norm", "grasp", "fisher", "jacob_cov"]


def _loss_and_weights(net, x, y, create_graph=False):
    """Weights of the conv/linear layers and dL/dw (zeros where w does not reach the loss)."""
    x, y = check_batch(x), check_labels(x, y)
    device = device_of(net)
    weights = [m.weight for m in weight_layers(net)]
    if not weights:
        raise ValueError(f"{type(net).__name__} has no Conv2d or Linear layer to score")
    loss = F.cross_entropy(net(x.to(device)), y.to(device))
    grads = torch.autograd.grad(loss, weights, allow_unused=True, create_graph=create_graph)
    return weights, [torch.zeros_like(w) if g is None else g for w, g in zip(weights, grads)]


def snip(net: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    """SNIP: sum over conv/linear weights of |dL/dw * w| on the batch ``(x, y)``."""
    with preserved(net):
        weights, grads = _loss_and_weights(net, x, y)
        with torch.no_grad():
            return float(sum((g * w).abs().sum() for w, g in zip(weights, grads)))


def grad_norm(net: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    """Sum over conv/linear layers of the L2 norm of dL/dw on the batch ``(x, y)``."""
    with preserved(net):
        _, grads = _loss_and_weights(net, x, y)
        return float(sum(g.norm() for g in grads))


def grasp(net: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    """GraSP: sum over conv/linear weights of -w * (H g), g = dL/dw, on the batch ``(x, y)``."""
    with preserved(net):
        weights, grads = _loss_and_weights(net, x, y, create_graph=True)
        # H g as the gradient of g.detach() . g: one Hessian-vector product
        z = sum((g.detach() * g).sum() for g in grads if g.requires_grad)
        if not torch.is_tensor(z):  # no weight reaches the loss
            return 0.0
        hg = torch.autograd.grad(z, weights, allow_unused=True)
        with torch.no_grad():
            return float(sum((-w * h).sum() for w, h in zip(weights, hg) if h is not None))


def fisher(net: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    """Fisher channel saliency summed over conv/linear layers, on the batch ``(x, y)``."""
    x, y = check_batch(x), check_labels(x, y)
    layers = weight_layers(net)
    acts: dict[nn.Module, torch.Tensor] = {}

    def keep_output(module, inputs, output):
        acts[module] = output

    handles = [m.register_forward_hook(keep_output) for m in layers]
    try:
        with preserved(net):
            device = device_of(net)
            loss = F.cross_entropy(net(x.to(device)), y.to(device))
            used = [m for m in layers if m in acts and acts[m].requires_grad]
            grads = torch.autograd.grad(loss, [acts[m] for m in used], allow_unused=True)
    finally:
        for h in handles:
            h.remove()
    total = 0.0
    for m, g in zip(used, grads):
        if g is None:
            continue
        a = acts[m].detach()
        g_nk = (a * g).flatten(2).sum(2) if a.dim() > 2 else a * g  # (batch, channels)
        per_channel = 0.5 * g_nk.pow(2).mean(0)
        total += float(per_channel.abs().sum()) * m.weight[0].numel()
    return total


def synflow(net: nn.Module, input_shape) -> float:
    """SynFlow of ``net`` for inputs of ``input_shape`` (one example, no batch dimension)."""
    shape = tuple(int(s) for s in input_shape)
    if not shape or any(s < 1 for s in shape):
        raise ValueError(f"input_shape is the shape of one input without the batch dimension, "
                         f"e.g. (3, 32, 32); got {input_shape!r}")
    model = copy.deepcopy(net).double()  # abs weights and no BatchNorm: work on a copy
    for m in model.modules():
        if isinstance(m, nn.modules.batchnorm._BatchNorm):
            m.forward = _identity.__get__(m)
    with torch.no_grad():
        for p in model.parameters():
            p.abs_()
    layers = weight_layers(model)
    if not layers:
        raise ValueError(f"{type(net).__name__} has no Conv2d or Linear layer to score")
    model.train()
    out = model(torch.ones((1, *shape), dtype=torch.float64, device=device_of(model)))
    weights = [m.weight for m in layers]
    grads = torch.autograd.grad(out.sum(), weights, allow_unused=True)
    with torch.no_grad():
        return float(sum((w * g).abs().sum() for w, g in zip(weights, grads) if g is not None))


def _identity(self, x):
    return x


def jacob_cov(net: nn.Module, x: torch.Tensor) -> float:
    """Jacobian covariance score of ``net`` on the batch ``x`` (-inf if a row of J is constant)."""
    x = check_batch(x).detach().to(device_of(net)).requires_grad_(True)
    with preserved(net):
        out = net(x)
        (jac,) = torch.autograd.grad(out.sum(), x)
    jac = jac.reshape(len(x), -1).double().cpu().numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        corr = np.corrcoef(jac)
    if not np.isfinite(corr).all():
        # an input whose gradient is constant has no correlation with the others: the
        # released code returns NaN here; we rank such a net last instead of dropping it
        return float("-inf")
    v = np.linalg.eigvalsh(corr)
    k = 1e-5
    return float(-np.sum(np.log(v + k) + 1.0 / (v + k)))
