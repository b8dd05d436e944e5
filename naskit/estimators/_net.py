"""Helpers shared by the network-level scores: leave the caller's net as it was found."""
from __future__ import annotations

import contextlib

import torch
from torch import nn

from .._checks import MAX_CELLS, MAX_CHANNELS, check_int, check_seed


def weight_layers(net: nn.Module) -> list[nn.Module]:
    """The convolutions and linear layers, whose weights the zero-cost proxies sum over."""
    return [m for m in net.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]



@contextlib.contextmanager
def preserved(net: nn.Module, train: bool = True):
    """Run the body with ``net`` in train (or eval) mode; restore its mode and buffers after.

    The proxies run a training-mode forward pass (BatchNorm uses batch statistics, as in the
    papers' code), which would otherwise update BatchNorm's running statistics.
    """
    modes = {m: m.training for m in net.modules()}
    saved = [(b, b.detach().clone()) for b in net.buffers()]
    net.train(train)
    try:
        yield net
    finally:
        with torch.no_grad():
            for b, old in saved:
                b.copy_(old)
        for m, mode in modes.items():
            m.training = mode


def check_batch(x, name: str = "x") -> torch.Tensor:
    """``x`` as a float tensor with a batch dimension, or a helpful error."""
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor batch (N, C, H, W), got {type(x).__name__}")
    if x.dim() < 2 or len(x) < 2:
        raise ValueError(f"{name} must be a batch of at least 2 inputs, got shape {tuple(x.shape)}")
    return x


def check_labels(x: torch.Tensor, y) -> torch.Tensor:
    if not isinstance(y, torch.Tensor) or y.dim() != 1 or len(y) != len(x):
        raise ValueError(f"y must be a 1-D tensor of {len(x)} class labels, one per input, got "
                         f"{getattr(y, 'shape', type(y).__name__)}")
    return y


def check_net_args(channels, cells_per_stage, seed) -> None:
    """An estimator's network settings, checked when it is made rather than at its first score."""
    check_int(channels, "channels", maximum=MAX_CHANNELS)
    check_int(cells_per_stage, "cells_per_stage", maximum=MAX_CELLS)
    check_seed(seed)
