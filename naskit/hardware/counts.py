"""Parameters and FLOPs: the cheap hardware proxies computed from the network alone.

``count_params`` counts as NAS-Bench-201 does (Dong & Yang, ICLR 2020); ``count_flops`` uses
PyTorch's ``FlopCounterMode``. Both are what HW-NAS-Bench (Li et al., ICLR 2021) shows to rank
latency only loosely on real devices, which is why latency is also measured (``measure``).
"""
from __future__ import annotations

import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from .._torch import device_of
from ._util import check_shape, forward

__all__ = ["count_params", "count_flops", "count_layer_flops"]


def count_params(net: nn.Module) -> int:
    """Number of parameters (NAS-Bench-201's "params": every tensor in ``named_parameters``)."""
    return sum(p.numel() for _, p in net.named_parameters())


def count_flops(net: nn.Module, input_shape=(1, 3, 32, 32)) -> int:
    """FLOPs of one forward pass: 2 per multiply-add of every convolution and matrix product.

    Only convolutions and linear layers (matrix products) are counted; biases, BatchNorm,
    activations, pooling and additions are not. Many papers, NAS-Bench-201 among them, report
    multiply-adds ("FLOPs (M)" there), so their numbers are about half of ours; the
    zero-cost table of NAS-Bench-Suite-Zero also adds BatchNorm, ReLU and pooling (see the tests).
    The net runs once in eval mode under ``torch.no_grad`` and gets its training mode back.
    """
    shape = check_shape(input_shape)
    device = device_of(net)
    was_training = net.training
    net.eval()
    try:
        with FlopCounterMode(display=False) as counter, torch.no_grad():
            forward(net, torch.zeros(shape, device=device), shape)
    finally:
        net.train(was_training)
    return int(counter.get_total_flops())


def count_layer_flops(net: nn.Module, input_shape=(1, 3, 32, 32)) -> int:
    """``count_flops`` of a net whose matrix products all sit in ``nn.Conv*`` / ``nn.Linear`` modules.

    Read from forward hooks on those modules, so it skips the start-up of ``FlopCounterMode``
    (seconds on first use: it imports torch's compiler), which is what an interactive widget
    needs. It equals ``count_flops`` on ``nk.build`` and ``nk.build_darts`` nets (the tests check
    both); it misses convolutions called as functions, such as OFA's elastic kernels, where
    ``count_flops`` is the one to use.
    """
    shape = check_shape(input_shape)
    total = 0

    def conv(module, inputs, out):
        nonlocal total
        total += 2 * out.numel() * module.weight[0].numel()  # in_channels/groups x kernel per output

    def linear(module, inputs, out):
        nonlocal total
        total += 2 * (out.numel() // module.out_features) * module.weight.numel()

    hooks = [m.register_forward_hook(conv if isinstance(m, nn.modules.conv._ConvNd) else linear)
             for m in net.modules() if isinstance(m, (nn.modules.conv._ConvNd, nn.Linear))]
    was_training = net.training
    net.eval()
    try:
        with torch.no_grad():
            forward(net, torch.zeros(shape, device=device_of(net)), shape)
    finally:
        net.train(was_training)
        for hook in hooks:
            hook.remove()
    return total
