"""NASWOT: score an untrained network by how differently its ReLUs see the inputs of one batch.

Mellor et al., "Neural Architecture Search without Training" (ICML 2021): pass a minibatch
through the network at initialisation and record, for every input i, the binary code c_i of which
ReLU units are active (their input is positive). Two inputs with similar codes are hard for the
net to tell apart. The kernel K_H[i, j] = N_A - d_H(c_i, c_j), with N_A the number of ReLU units
and d_H the Hamming distance, equals the sum over ReLU layers of c c^T + (1 - c)(1 - c)^T; the
score is log|det K_H|. The net runs in training mode (BatchNorm on batch statistics), as in the
authors' code, and its BatchNorm buffers are restored afterwards.
"""
from __future__ import annotations

import weakref

import torch
from torch import nn

from .._torch import device_of
from ._net import check_batch, preserved

__all__ = ["naswot", "naswot_kernel"]


@torch.no_grad()
def naswot_kernel(net: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """The (batch, batch) float64 kernel K_H = sum over ReLUs of c c^T + (1-c)(1-c)^T."""
    x = check_batch(x)
    n = len(x)
    gram = torch.zeros(n, n, dtype=torch.float64, device=device_of(net))
    ones = torch.zeros(n, dtype=torch.float64, device=gram.device)  # active units per input
    units = 0

    # In a cell, one node's output feeds several ReLU-Conv-BN edges: the same tensor reaches
    # several ReLUs. Each ReLU counts in K, but its codes' products are computed once.
    done: dict[int, tuple] = {}

    def hook(module, inputs, output):
        nonlocal units
        t = inputs[0]
        seen = done.get(id(t))
        if seen is None or seen[0]() is not t or seen[1] != t._version:
            c = (t > 0).reshape(n, -1).float()
            # 0/1 products summed in float32 are exact below 2**24 units per layer
            seen = (weakref.ref(t), t._version, (c @ c.T).double(), c.sum(1).double(), c.shape[1])
            done[id(t)] = seen
        gram.add_(seen[2])
        ones.add_(seen[3])
        units += seen[4]

    relus = [m for m in net.modules() if isinstance(m, nn.ReLU)]
    if not relus:
        raise ValueError(f"{type(net).__name__} has no nn.ReLU modules; NASWOT reads ReLU inputs")
    handles = [m.register_forward_hook(hook) for m in relus]
    try:
        with preserved(net, train=True):
            net(x.to(gram.device))
    finally:
        for h in handles:
            h.remove()
    # (1-c)(1-c)^T = N_A - s_i - s_j + c c^T with s the row sums: one product per layer, not two
    return 2 * gram + units - ones[:, None] - ones[None, :]


def naswot(net: nn.Module, x: torch.Tensor) -> float:
    """log|det K_H| of ``net`` on the batch ``x`` (bigger = predicted better; -inf if singular)."""
    return float(torch.linalg.slogdet(naswot_kernel(net, x)).logabsdet)
