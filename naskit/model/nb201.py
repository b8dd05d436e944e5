"""Networks of the NAS-Bench-201 topology, built from a cell ``Arch``.

As in NAS-Bench-201 (Dong & Yang, ICLR 2020): a 3x3 conv + BN stem, three stages of
``cells_per_stage`` copies of the searched cell at widths C, 2C and 4C, a residual basic block with
stride 2 between stages, then BN-ReLU, global average pooling and a linear classifier. With
C=16 and 5 cells per stage the parameter counts equal the benchmark's published ones.
"""
from __future__ import annotations

from torch import nn

from .._checks import MAX_CELLS, MAX_CHANNELS, check_int
from ..ops import NB201_OPS, ReLUConvBN, make_op
from ..space import Arch
from ._seed import seeded

__all__ = ["Cell", "ResidualReduction", "NB201Net", "build"]


class Cell(nn.Module):
    """One cell: node k sums the op on each of its incoming edges applied to the source node."""

    def __init__(self, arch: Arch, C_in: int, C_out: int, stride: int = 1, affine=True,
                 track_running_stats=True):
        super().__init__()
        self.arch = arch
        self.edges = nn.ModuleList()
        self.sources: list[list[int]] = []
        for k, node in enumerate(arch.nodes, 1):
            idx = []
            for op, src in node:
                if src >= k:
                    raise ValueError(f"node {k} takes input from node {src}; inputs must be among "
                                     f"nodes 0..{k - 1}")
                # edges out of the cell input change width/resolution, as in NB201's InferCell
                first = src == 0
                self.edges.append(make_op(op, C_in if first else C_out, C_out,
                                          stride if first else 1, "nb201", affine,
                                          track_running_stats))
                idx.append(src)
            self.sources.append(idx)

    def forward(self, x):
        nodes, i = [x], 0
        for srcs in self.sources:
            total = 0
            for src in srcs:
                total = total + self.edges[i](nodes[src])
                i += 1
            nodes.append(total)
        return nodes[-1]

    def extra_repr(self):
        return f"arch='{self.arch}'"


class ResidualReduction(nn.Module):
    """NB201's residual basic block between stages: two ReLU-Conv-BN 3x3 plus a pooled 1x1 shortcut."""

    def __init__(self, C_in: int, C_out: int, stride: int = 2):
        super().__init__()
        self.conv_a = ReLUConvBN(C_in, C_out, 3, stride, 1)
        self.conv_b = ReLUConvBN(C_out, C_out, 3, 1, 1)
        # ceil_mode only matters for odd sizes, where it keeps the shortcut the same size as conv_a
        self.downsample = nn.Sequential(nn.AvgPool2d(kernel_size=2, stride=2, ceil_mode=True),
                                        nn.Conv2d(C_in, C_out, 1, bias=False))

    def forward(self, x):
        return self.downsample(x) + self.conv_b(self.conv_a(x))


class NB201Net(nn.Module):
    """The NAS-Bench-201 macro skeleton around one searched cell."""

    def __init__(self, arch: Arch, channels: int, cells_per_stage: int, num_classes: int,
                 in_channels: int):
        super().__init__()
        self.arch, self.in_channels = arch, in_channels
        C = channels
        self.stem = nn.Sequential(nn.Conv2d(in_channels, C, 3, padding=1, bias=False),
                                  nn.BatchNorm2d(C))
        layers: list[nn.Module] = []
        for stage, width in enumerate((C, 2 * C, 4 * C)):
            if stage:
                layers.append(ResidualReduction(width // 2, width))
            layers.extend(Cell(arch, width, width) for _ in range(cells_per_stage))
        self.cells = nn.Sequential(*layers)
        self.lastact = nn.Sequential(nn.BatchNorm2d(4 * C), nn.ReLU())
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(4 * C, num_classes)

    def forward(self, x):
        if x.dim() != 4 or x.shape[1] != self.in_channels:
            raise ValueError(f"expected input of shape (batch, {self.in_channels}, H, W), got "
                             f"{tuple(x.shape)}")
        if min(x.shape[2:]) < 4:
            raise ValueError(f"images must be at least 4x4 (two stride-2 reductions), got "
                             f"{tuple(x.shape[2:])}")
        x = self.lastact(self.cells(self.stem(x)))
        return self.classifier(self.pool(x).flatten(1))


def build(arch: Arch | str, channels: int = 16, cells_per_stage: int = 5, num_classes: int = 10,
          in_channels: int = 3, seed: int | None = 0) -> NB201Net:
    """Build the NB201-topology network for ``arch`` (an Arch or a cell string).

    ``seed`` fixes the initial weights (``None``: draw them from torch's global generator).
    """
    if isinstance(arch, str):
        arch = Arch.from_string(arch)
    if not isinstance(arch, Arch):
        raise TypeError(f"build() takes an Arch or an NB201 cell string, got {type(arch).__name__}"
                        " (use build_darts for a DARTS Genotype)")
    unknown = sorted({op for op in arch.ops if op not in NB201_OPS})
    if unknown:
        raise ValueError(f"unknown op(s) {unknown} for an NB201 network; choose from "
                         f"{sorted(NB201_OPS)}")
    for name, value in (("channels", channels), ("cells_per_stage", cells_per_stage),
                        ("num_classes", num_classes), ("in_channels", in_channels)):
        check_int(value, name, minimum=0 if name == "cells_per_stage" else 1,
                  maximum=MAX_CELLS if name == "cells_per_stage" else MAX_CHANNELS)
    channels, cells_per_stage, num_classes, in_channels = (
        int(v) for v in (channels, cells_per_stage, num_classes, in_channels))
    return seeded(seed, lambda: NB201Net(arch, channels, cells_per_stage, num_classes, in_channels))
