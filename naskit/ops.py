"""Candidate operations: the building blocks placed on the edges of a cell.

Two op sets are provided, each a ``name -> constructor`` registry. ``NB201_OPS`` follows
NAS-Bench-201 (Dong & Yang, ICLR 2020): ReLU-Conv-BN convolutions, average pooling, identity and
zero. ``DARTS_OPS`` follows DARTS (Liu et al., ICLR 2019): separable and dilated convolutions,
max/average pooling, identity and zero. Every constructor has the signature
``(C_in, C_out, stride, affine=True, track_running_stats=True) -> nn.Module``.
"""
from __future__ import annotations

from typing import Callable

import torch
from torch import nn

__all__ = ["ReLUConvBN", "Zero", "FactorizedReduce", "SepConv", "DilConv", "Pool",
           "NB201_OPS", "DARTS_OPS", "OP_SETS", "make_op"]


class ReLUConvBN(nn.Sequential):
    """ReLU -> Conv2d (no bias) -> BatchNorm: NB201's ``nor_conv`` ops and the cells' preprocessing."""

    def __init__(self, C_in, C_out, kernel_size, stride, padding, dilation=1, affine=True,
                 track_running_stats=True):
        super().__init__(
            nn.ReLU(inplace=False),
            nn.Conv2d(C_in, C_out, kernel_size, stride=stride, padding=padding, dilation=dilation,
                      bias=False),
            nn.BatchNorm2d(C_out, affine=affine, track_running_stats=track_running_stats),
        )


class Zero(nn.Module):
    """The ``none`` op: outputs zeros of the right shape, so the edge contributes nothing to the sum."""

    def __init__(self, C_in, C_out, stride):
        super().__init__()
        self.C_in, self.C_out, self.stride = C_in, C_out, stride

    def forward(self, x):
        if self.C_in == self.C_out:
            return x.mul(0.0) if self.stride == 1 else x[:, :, ::self.stride, ::self.stride].mul(0.0)
        shape = list(x.shape)
        shape[1] = self.C_out
        shape[2] = (shape[2] + self.stride - 1) // self.stride
        shape[3] = (shape[3] + self.stride - 1) // self.stride
        return x.new_zeros(shape)

    def extra_repr(self):
        return f"C_in={self.C_in}, C_out={self.C_out}, stride={self.stride}"


class FactorizedReduce(nn.Module):
    """Halve the resolution without losing pixels: two stride-2 1x1 convs, the second shifted by one."""

    def __init__(self, C_in, C_out, affine=True, track_running_stats=True):
        super().__init__()
        if C_out % 2:
            raise ValueError(f"FactorizedReduce needs an even C_out, got {C_out}")
        self.relu = nn.ReLU(inplace=False)
        # A 1x1 convolution of stride 2 is a 1x1 convolution of the input's even pixels; it is
        # computed that way because torch 2.14's CPU backward of the strided 1x1 convolution on
        # channels-last inputs with few channels corrupts memory (crashes, or worse, silently).
        self.conv_1 = nn.Conv2d(C_in, C_out // 2, 1, stride=1, padding=0, bias=False)
        self.conv_2 = nn.Conv2d(C_in, C_out // 2, 1, stride=1, padding=0, bias=False)
        self.bn = nn.BatchNorm2d(C_out, affine=affine, track_running_stats=track_running_stats)

    def forward(self, x):
        x = self.relu(x)
        y = nn.functional.pad(x, (0, 1, 0, 1))[:, :, 1:, 1:]  # shifted by one pixel
        fmt = (torch.channels_last if x.dim() == 4 and not x.is_contiguous()
               and x.is_contiguous(memory_format=torch.channels_last) else torch.contiguous_format)
        even = lambda t: t[:, :, ::2, ::2].contiguous(memory_format=fmt)  # noqa: E731
        return self.bn(torch.cat([self.conv_1(even(x)), self.conv_2(even(y))], dim=1))


class SepConv(nn.Sequential):
    """DARTS' separable convolution: (ReLU, depthwise, pointwise, BN) applied twice."""

    def __init__(self, C_in, C_out, kernel_size, stride, padding, affine=True,
                 track_running_stats=True):
        bn = dict(affine=affine, track_running_stats=track_running_stats)
        super().__init__(
            nn.ReLU(inplace=False),
            nn.Conv2d(C_in, C_in, kernel_size, stride, padding, groups=C_in, bias=False),
            nn.Conv2d(C_in, C_in, 1, bias=False),
            nn.BatchNorm2d(C_in, **bn),
            nn.ReLU(inplace=False),
            nn.Conv2d(C_in, C_in, kernel_size, 1, padding, groups=C_in, bias=False),
            nn.Conv2d(C_in, C_out, 1, bias=False),
            nn.BatchNorm2d(C_out, **bn),
        )


class DilConv(nn.Sequential):
    """DARTS' dilated separable convolution: ReLU, dilated depthwise, pointwise, BN."""

    def __init__(self, C_in, C_out, kernel_size, stride, padding, dilation, affine=True,
                 track_running_stats=True):
        super().__init__(
            nn.ReLU(inplace=False),
            nn.Conv2d(C_in, C_in, kernel_size, stride, padding, dilation=dilation, groups=C_in,
                      bias=False),
            nn.Conv2d(C_in, C_out, 1, bias=False),
            nn.BatchNorm2d(C_out, affine=affine, track_running_stats=track_running_stats),
        )


class Pool(nn.Module):
    """3x3 pooling; a ReLU-Conv-BN 1x1 first when the channel count changes (as in NB201)."""

    def __init__(self, C_in, C_out, stride, mode, affine=True, track_running_stats=True):
        super().__init__()
        self.preprocess = (None if C_in == C_out else
                           ReLUConvBN(C_in, C_out, 1, 1, 0, 1, affine, track_running_stats))
        if mode == "avg":
            self.pool = nn.AvgPool2d(3, stride=stride, padding=1, count_include_pad=False)
        elif mode == "max":
            self.pool = nn.MaxPool2d(3, stride=stride, padding=1)
        else:
            raise ValueError(f"unknown pooling mode {mode!r}; choose from ['avg', 'max']")

    def forward(self, x):
        return self.pool(x if self.preprocess is None else self.preprocess(x))


def _skip(C_in, C_out, stride, affine=True, track_running_stats=True):
    if stride == 1 and C_in == C_out:
        return nn.Identity()
    return FactorizedReduce(C_in, C_out, affine, track_running_stats)


Constructor = Callable[..., nn.Module]

NB201_OPS: dict[str, Constructor] = {
    "none": lambda C_in, C_out, stride, affine=True, track_running_stats=True: Zero(C_in, C_out, stride),
    "skip_connect": _skip,
    "nor_conv_1x1": lambda C_in, C_out, stride, affine=True, track_running_stats=True:
        ReLUConvBN(C_in, C_out, 1, stride, 0, 1, affine, track_running_stats),
    "nor_conv_3x3": lambda C_in, C_out, stride, affine=True, track_running_stats=True:
        ReLUConvBN(C_in, C_out, 3, stride, 1, 1, affine, track_running_stats),
    "avg_pool_3x3": lambda C_in, C_out, stride, affine=True, track_running_stats=True:
        Pool(C_in, C_out, stride, "avg", affine, track_running_stats),
}

DARTS_OPS: dict[str, Constructor] = {
    "none": NB201_OPS["none"],
    "max_pool_3x3": lambda C_in, C_out, stride, affine=True, track_running_stats=True:
        Pool(C_in, C_out, stride, "max", affine, track_running_stats),
    "avg_pool_3x3": NB201_OPS["avg_pool_3x3"],
    "skip_connect": _skip,
    "sep_conv_3x3": lambda C_in, C_out, stride, affine=True, track_running_stats=True:
        SepConv(C_in, C_out, 3, stride, 1, affine, track_running_stats),
    "sep_conv_5x5": lambda C_in, C_out, stride, affine=True, track_running_stats=True:
        SepConv(C_in, C_out, 5, stride, 2, affine, track_running_stats),
    "dil_conv_3x3": lambda C_in, C_out, stride, affine=True, track_running_stats=True:
        DilConv(C_in, C_out, 3, stride, 2, 2, affine, track_running_stats),
    "dil_conv_5x5": lambda C_in, C_out, stride, affine=True, track_running_stats=True:
        DilConv(C_in, C_out, 5, stride, 4, 2, affine, track_running_stats),
}

OP_SETS: dict[str, dict[str, Constructor]] = {"nb201": NB201_OPS, "darts": DARTS_OPS}


def make_op(name: str, C_in: int, C_out: int, stride: int = 1, op_set: str = "nb201",
            affine: bool = True, track_running_stats: bool = True) -> nn.Module:
    """Build the op called ``name`` from ``op_set`` ('nb201' or 'darts')."""
    if op_set not in OP_SETS:
        raise ValueError(f"unknown op set {op_set!r}; choose from {sorted(OP_SETS)}")
    ops = OP_SETS[op_set]
    if name not in ops:
        raise ValueError(f"unknown op {name!r} in the {op_set} op set; choose from {sorted(ops)}")
    if stride not in (1, 2):
        raise ValueError(f"stride must be 1 or 2, got {stride!r}")
    return ops[name](C_in, C_out, stride, affine=affine, track_running_stats=track_running_stats)
