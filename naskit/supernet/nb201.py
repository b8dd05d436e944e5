"""The supernet of an NB201-style cell space: every op on every edge, in the ``nk.build`` topology.

As in NAS-Bench-201's weight-sharing baselines (Dong & Yang, ICLR 2020, Sec. 5): the stem, the
residual reduction blocks and the head of ``nk.build``; each cell edge is a ``MixedOp`` over the
space's ops, and alpha has one row per edge (6 x 5 for NB201). NB201 reports that the BatchNorm
settings of the searched ops (``affine``, ``track_running_stats``) change what the methods find,
so both are options; the defaults (both off) are those of NB201's search cells.
"""
from __future__ import annotations

import torch
from torch import nn

from ..model import build
from ..model.nb201 import ResidualReduction
from ..space import Arch, CellSpace
from .._checks import MAX_CELLS
from .base import SuperNet, check_int
from .fused import mixed_cell, unbind_weights
from .mixed import MixedOp

__all__ = ["SearchCell", "NB201SuperNet"]


class SearchCell(nn.Module):
    """A cell with a ``MixedOp`` on each of its edges (string order: node by node, by source)."""

    def __init__(self, space: CellSpace, C: int, affine: bool, track_running_stats: bool):
        super().__init__()
        self.n_nodes = space.n_nodes
        self.edges = nn.ModuleList(MixedOp(C, C, 1, space.ops, "nb201", affine, track_running_stats)
                                   for _ in range(space.n_edges))

    def forward(self, x, weights=None, index=None, fused=False):
        if fused and index is None and weights is not None:
            return mixed_cell(self, x, weights)  # the same numbers, node by node
        nodes = [x]
        e = 0
        for dst in range(1, self.n_nodes):
            total = 0
            for src in range(dst):
                w = None if weights is None else weights[e]
                i = None if index is None else index[e]
                total = total + self.edges[e](nodes[src], w, i)
                e += 1
            nodes.append(total)
        return nodes[-1]


class NB201SuperNet(SuperNet):
    """Weight-sharing supernet of ``space`` (default NB201); same options as ``nk.build``.

    ``fused`` (default): the mixture is computed node by node (``fused.py``), the same numbers as
    ``fused=False``, the plain edge-by-edge sum that tests hold it to; single paths run plainly.
    """

    cell_types = ("cell",)

    def __init__(self, space: CellSpace, channels: int = 16, cells_per_stage: int = 5,
                 num_classes: int = 10, in_channels: int = 3, affine: bool = False,
                 track_running_stats: bool = False, seed: int | None = 0, fused: bool = True):
        super().__init__()
        if not isinstance(space, CellSpace):
            raise TypeError(f"NB201SuperNet needs a CellSpace, got {type(space).__name__}")
        unknown = [op for op in space.ops if op not in ("none", "skip_connect", "nor_conv_1x1",
                                                        "nor_conv_3x3", "avg_pool_3x3")]
        if unknown:
            raise ValueError(f"ops {unknown} are not NB201 ops; a cell-space supernet uses "
                             "naskit.ops.NB201_OPS")
        self.space, self.op_names = space, tuple(space.ops)
        self.cells_per_stage = check_int(cells_per_stage, "cells_per_stage", 0, MAX_CELLS)
        if not isinstance(fused, bool):
            raise ValueError(f"fused must be True or False, got {fused!r}")
        self.fused = fused
        self._set_options(channels, num_classes, in_channels, affine, track_running_stats, seed)

    def _make(self):
        C = self.channels
        self.stem = nn.Sequential(nn.Conv2d(self.in_channels, C, 3, padding=1, bias=False),
                                  nn.BatchNorm2d(C))
        layers = []
        for stage, width in enumerate((C, 2 * C, 4 * C)):
            if stage:
                layers.append(ResidualReduction(width // 2, width))
            layers.extend(SearchCell(self.space, width, self.affine, self.track_running_stats)
                          for _ in range(self.cells_per_stage))
        self.cells = nn.ModuleList(layers)
        self.lastact = nn.Sequential(nn.BatchNorm2d(4 * C), nn.ReLU())
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(4 * C, self.num_classes)
        # DARTS and NB201 start alpha near zero: every op equally likely
        self.alpha = nn.Parameter(1e-3 * torch.randn(self.space.n_edges, len(self.op_names)))

    def alphas(self):
        return {"cell": self.alpha}

    def arch_index(self, arch: Arch | str) -> list[int]:
        """The op index of every edge of ``arch`` (string order)."""
        if isinstance(arch, str):
            arch = Arch.from_string(arch, space=self.space)
        self.space.check(arch)
        ops = {(src, dst): op for src, dst, op in arch.edges}
        edges = [(src, dst) for dst in range(1, self.space.n_nodes) for src in range(dst)]
        return [self.op_names.index(ops[e]) for e in edges]

    def forward(self, x, arch: Arch | str | None = None, weights=None, index=None):
        weights, index = self._path(x, arch, weights, index)
        if weights is not None and tuple(weights.shape) != tuple(self.alpha.shape):
            raise ValueError(f"weights must have alpha's shape {tuple(self.alpha.shape)}, got "
                             f"{tuple(weights.shape)}")
        if index is not None:
            index = [int(i) for i in index]
            if len(index) != self.n_edges or not all(0 <= i < len(self.op_names) for i in index):
                raise ValueError(f"index must give one op index in 0..{len(self.op_names) - 1} per "
                                 f"edge ({self.n_edges} edges), got {index}")
        # fused: the mixture node by node (fused.py); a cell of `none` alone stays plain, so that
        # alpha's gradient is zeros, not absent
        fused = self.fused and index is None and any(op != "none" for op in self.op_names)
        if fused:
            weights = unbind_weights(weights)  # once for all cells
        x = self.stem(x)
        for layer in self.cells:
            x = layer(x, weights, index, fused) if isinstance(layer, SearchCell) else layer(x)
        x = self.lastact(x)
        return self.classifier(self.pool(x).flatten(1))

    def extract(self, arch: Arch | str) -> nn.Module:
        """``nk.build(arch)`` at this supernet's size, dtype and device, with the weights it inherits.

        BatchNorm of a searched op without ``affine`` gets the identity affine map; without
        ``track_running_stats`` it has no running statistics, so evaluate the copy in train mode
        (batch statistics, as the supernet itself does) or recompute them first.
        """
        if isinstance(arch, str):
            arch = Arch.from_string(arch, space=self.space)
        index = self.arch_index(arch)
        net = build(arch, self.channels, self.cells_per_stage, self.num_classes, self.in_channels,
                    seed=None)
        # built in this supernet's dtype and on its device before the copy, so no digit is lost
        net.to(self.alpha.device, self.alpha.dtype)
        net.stem.load_state_dict(self.stem.state_dict())
        net.lastact.load_state_dict(self.lastact.state_dict())
        net.classifier.load_state_dict(self.classifier.state_dict())
        edges = [(src, dst) for dst in range(1, self.space.n_nodes) for src in range(dst)]
        for mine, theirs in zip(self.cells, net.cells):
            if not isinstance(mine, SearchCell):
                theirs.load_state_dict(mine.state_dict())
                continue
            # nk.build's Cell holds its edges in the order the arch lists them
            order = [(src, k) for k, node in enumerate(arch.nodes, 1) for _, src in node]
            for pos, edge in enumerate(order):
                e = edges.index(edge)
                theirs.edges[pos].load_state_dict(mine.edges[e].ops[index[e]].state_dict(),
                                                  strict=False)
        return net
