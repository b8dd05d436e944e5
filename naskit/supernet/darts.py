"""The DARTS search network (Liu et al., ICLR 2019, Sec. 2 and its ``model_search.py``).

``layers`` cells (default 8, at C=16 as in the paper's search), reduction cells at ``layers // 3``
and ``2 * layers // 3``; each cell preprocesses its two inputs to C channels and computes its
intermediate nodes as sums of ``MixedOp`` over every earlier state, so a cell with 4 nodes has
2 + 3 + 4 + 5 = 14 edges; alpha is 14 x 8 for the normal and for the reduction cell. As in the
paper's code, searched ops and preprocessing have no BatchNorm affine parameters and a pooling op
is followed by a BatchNorm, which puts its output on the scale of the convolutions'.
"""
from __future__ import annotations

import torch
from torch import nn

from ..ops import FactorizedReduce, ReLUConvBN
from ..space import DartsSpace, Genotype
from ..space.darts import DARTS_OP_NAMES
from .._checks import MAX_CELLS
from .base import SuperNet, check_int, darts_edges
from .mixed import MixedOp

__all__ = ["DartsSearchCell", "DartsSuperNet"]


class DartsSearchCell(nn.Module):
    """One DARTS search cell: every edge from every earlier state to every intermediate node."""

    def __init__(self, n_intermediate, op_names, C_prev_prev, C_prev, C, reduction, reduction_prev,
                 affine, track_running_stats):
        super().__init__()
        bn = dict(affine=affine, track_running_stats=track_running_stats)
        self.reduction = reduction
        self.preprocess0 = (FactorizedReduce(C_prev_prev, C, **bn) if reduction_prev
                            else ReLUConvBN(C_prev_prev, C, 1, 1, 0, **bn))
        self.preprocess1 = ReLUConvBN(C_prev, C, 1, 1, 0, **bn)
        self.edge_list = darts_edges(n_intermediate)
        self.ops = nn.ModuleList()
        for _, j in self.edge_list:
            mixed = MixedOp(C, C, 2 if reduction and j < 2 else 1, op_names, "darts", **bn)
            for k, name in enumerate(op_names):
                if "pool" in name:
                    mixed.ops[k] = nn.Sequential(mixed.ops[k], nn.BatchNorm2d(C, affine=False,
                                                 track_running_stats=track_running_stats))
            self.ops.append(mixed)
        self.n_intermediate = n_intermediate
        self.out_channels = C * n_intermediate

    def forward(self, s0, s1, weights=None, index=None):
        states = [self.preprocess0(s0), self.preprocess1(s1)]
        e = 0
        for _ in range(self.n_intermediate):
            total = 0
            for h in list(states):
                i = None if index is None else index[e]
                if i is None or i >= 0:  # -1: the edge is not on the single path
                    total = total + self.ops[e](h, None if weights is None else weights[e], i)
                e += 1
            states.append(total)
        return torch.cat(states[2:], dim=1)


class DartsSuperNet(SuperNet):
    """The DARTS search network over ``space`` (default ops: DARTS' eight, ``none`` included)."""

    cell_types = ("normal", "reduce")

    def __init__(self, space: DartsSpace, channels: int = 16, layers: int = 8, num_classes: int = 10,
                 in_channels: int = 3, affine: bool = False, track_running_stats: bool = True,
                 seed: int | None = 0):
        super().__init__()
        if not isinstance(space, DartsSpace):
            raise TypeError(f"DartsSuperNet needs a DartsSpace, got {type(space).__name__}")
        if space.inputs_per_node != 2:
            raise ValueError("the DARTS supernet derives two inputs per node; use "
                             "DartsSpace(inputs_per_node=2)")
        unknown = [op for op in space.ops if op not in DARTS_OP_NAMES]
        if unknown:
            raise ValueError(f"ops {unknown} are not DARTS ops; choose from {list(DARTS_OP_NAMES)}")
        # the relaxation always includes the zero op (DARTS' PRIMITIVES), which derive() excludes
        self.op_names = tuple(op for op in DARTS_OP_NAMES if op == "none" or op in space.ops)
        self.space = space
        self.layers = check_int(layers, "layers", 3, MAX_CELLS)
        self._set_options(channels, num_classes, in_channels, affine, track_running_stats, seed)

    def _make(self):
        C, n = self.channels, self.space.n_intermediate
        C_curr = 3 * C
        self.stem = nn.Sequential(nn.Conv2d(self.in_channels, C_curr, 3, padding=1, bias=False),
                                  nn.BatchNorm2d(C_curr))
        C_prev_prev, C_prev, C_curr = C_curr, C_curr, C
        self.cells = nn.ModuleList()
        reduction_prev = False
        for i in range(self.layers):
            reduction = i in (self.layers // 3, 2 * self.layers // 3)
            if reduction:
                C_curr *= 2
            cell = DartsSearchCell(n, self.op_names, C_prev_prev, C_prev, C_curr, reduction,
                                   reduction_prev, self.affine, self.track_running_stats)
            self.cells.append(cell)
            reduction_prev = reduction
            C_prev_prev, C_prev = C_prev, cell.out_channels
        self.global_pooling = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(C_prev, self.num_classes)
        shape = (len(darts_edges(n)), len(self.op_names))
        self.alpha_normal = nn.Parameter(1e-3 * torch.randn(shape))
        self.alpha_reduce = nn.Parameter(1e-3 * torch.randn(shape))

    def alphas(self):
        return {"normal": self.alpha_normal, "reduce": self.alpha_reduce}

    def arch_index(self, genotype: Genotype | str) -> dict[str, list[int]]:
        """Per cell type, the op index of every edge on the genotype's path (-1: edge unused)."""
        if isinstance(genotype, str):
            genotype = Genotype.from_string(genotype)
        self.space.check(genotype)
        edges = darts_edges(self.space.n_intermediate)
        out = {}
        for cell in self.cell_types:
            index = [-1] * len(edges)
            for i, node in enumerate(genotype.nodes(cell, 2)):
                for op, src in node:
                    index[edges.index((i, src))] = self.op_names.index(op)
            out[cell] = index
        return out

    def forward(self, x, arch: Genotype | str | None = None, weights=None, index=None):
        weights, index = self._path(x, arch, weights, index)
        for name, given in (("weights", weights), ("index", index)):
            if given is not None and (not isinstance(given, dict) or set(given) != set(self.cell_types)):
                raise ValueError(f"{name} must be a dict with the keys 'normal' and 'reduce'")
        s0 = s1 = self.stem(x)
        for cell in self.cells:
            kind = "reduce" if cell.reduction else "normal"
            s0, s1 = s1, cell(s0, s1, None if weights is None else weights[kind],
                              None if index is None else index[kind])
        return self.classifier(self.global_pooling(s1).flatten(1))
