"""DARTS-cell networks: the CIFAR evaluation network of DARTS (Liu et al., ICLR 2019, Sec. 3.2).

A 3x3 conv stem (3C channels) feeds ``layers`` cells; the cells at ``layers // 3`` and
``2 * layers // 3`` are reduction cells (stride 2 on the edges from the two cell inputs) that
double the width. Each cell first maps its two inputs to C channels (a factorized reduce when the
previous cell halved the resolution, else ReLU-conv1x1-BN), computes its intermediate nodes from a
``Genotype`` with ``naskit.ops.DARTS_OPS``, and concatenates them. Global average pooling and a
linear layer make the head; the auxiliary head of the paper's training recipe is left out.
Transferring a cell found on a small proxy means stacking more of it: the paper trains 20 cells
at C=36 on CIFAR-10 (3.3M parameters for the second-order cell).
"""
from __future__ import annotations

import torch
from torch import nn

from .._checks import MAX_CELLS, MAX_CHANNELS, check_int, check_range
from ..ops import DARTS_OPS, FactorizedReduce, ReLUConvBN
from ..space.darts import DARTS_OP_NAMES, DartsSpace, Genotype
from ._seed import seeded

__all__ = ["DartsCell", "DartsNetwork", "build_darts", "drop_path"]


def drop_path(x: torch.Tensor, p: float) -> torch.Tensor:
    """Zero whole samples of ``x`` with probability ``p`` and rescale the rest (DARTS' drop path)."""
    if p <= 0.0:
        return x
    keep = 1.0 - p
    # Like nn.Dropout, the mask comes from torch's generator: seed it in the training loop.
    mask = torch.empty(x.shape[0], 1, 1, 1, device=x.device, dtype=x.dtype).bernoulli_(keep)
    return x / keep * mask


class DartsCell(nn.Module):
    """One cell of a genotype: preprocess both inputs, sum two ops per node, concatenate."""

    def __init__(self, pairs, concat, C_prev_prev: int, C_prev: int, C: int, reduction: bool,
                 reduction_prev: bool):
        super().__init__()
        self.reduction = reduction
        self.preprocess0 = (FactorizedReduce(C_prev_prev, C) if reduction_prev
                            else ReLUConvBN(C_prev_prev, C, 1, 1, 0))
        self.preprocess1 = ReLUConvBN(C_prev, C, 1, 1, 0)
        # In a reduction cell only the edges leaving the two cell inputs have stride 2.
        self.ops = nn.ModuleList(DARTS_OPS[op](C, C, 2 if reduction and src < 2 else 1)
                                 for op, src in pairs)
        self.inputs = tuple(src for _, src in pairs)
        self.concat = tuple(concat)
        self.out_channels = C * len(self.concat)

    def forward(self, s0: torch.Tensor, s1: torch.Tensor, drop_prob: float = 0.0) -> torch.Tensor:
        states = [self.preprocess0(s0), self.preprocess1(s1)]
        for k in range(0, len(self.ops), 2):
            node = 0
            for op, src in zip(self.ops[k:k + 2], self.inputs[k:k + 2]):
                h = op(states[src])
                if self.training and drop_prob > 0.0 and not isinstance(op, nn.Identity):
                    h = drop_path(h, drop_prob)
                node = node + h
            states.append(node)
        return torch.cat([states[i] for i in self.concat], dim=1)

    def extra_repr(self) -> str:
        return f"reduction={self.reduction}, inputs={self.inputs}, concat={self.concat}"


class DartsNetwork(nn.Module):
    """The DARTS CIFAR network for one genotype; ``drop_path`` may be changed between epochs."""

    def __init__(self, genotype: Genotype, channels: int, layers: int, num_classes: int,
                 in_channels: int, drop_path: float):
        super().__init__()
        self.genotype = genotype
        self.channels, self.layers = channels, layers
        self.num_classes, self.in_channels = num_classes, in_channels
        self.drop_path = drop_path
        C_curr = 3 * channels
        self.stem = nn.Sequential(nn.Conv2d(in_channels, C_curr, 3, padding=1, bias=False),
                                  nn.BatchNorm2d(C_curr))
        C_prev_prev, C_prev, C_curr = C_curr, C_curr, channels
        self.cells = nn.ModuleList()
        reduction_prev = False
        for i in range(layers):
            reduction = i in (layers // 3, 2 * layers // 3)
            if reduction:
                C_curr *= 2
            cell_type = "reduce" if reduction else "normal"
            cell = DartsCell(getattr(genotype, cell_type), genotype.concat(cell_type), C_prev_prev,
                             C_prev, C_curr, reduction, reduction_prev)
            self.cells.append(cell)
            reduction_prev = reduction
            C_prev_prev, C_prev = C_prev, cell.out_channels
        self.global_pooling = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(C_prev, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() != 4 or x.shape[1] != self.in_channels:
            raise ValueError(f"expected a batch of images shaped (batch, {self.in_channels}, height, "
                             f"width), got shape {tuple(x.shape)}")
        s0 = s1 = self.stem(x)
        for cell in self.cells:
            s0, s1 = s1, cell(s0, s1, self.drop_path)
        return self.classifier(self.global_pooling(s1).flatten(1))

    def __repr__(self) -> str:
        n = sum(p.numel() for p in self.parameters())
        return (f"DartsNetwork(channels={self.channels}, layers={self.layers}, "
                f"num_classes={self.num_classes}, in_channels={self.in_channels}, "
                f"drop_path={self.drop_path}) # {n / 1e6:.2f}M params, reduction cells at "
                f"{[i for i, c in enumerate(self.cells) if c.reduction]}\n  genotype={self.genotype}")


def build_darts(genotype: Genotype | str, channels: int = 16, layers: int = 8, num_classes: int = 10,
                in_channels: int = 3, drop_path: float = 0.0, seed: int | None = 0) -> DartsNetwork:
    """The DARTS CIFAR evaluation network of ``genotype`` (no auxiliary head).

    ``seed`` fixes the initial weights (``None``: draw them from torch's global generator).
    """
    if isinstance(genotype, str):
        genotype = Genotype.from_string(genotype)
    if not isinstance(genotype, Genotype):
        raise TypeError(f"genotype must be a Genotype or its DARTS text, got {type(genotype).__name__}")
    pairs = len(genotype.normal)
    if pairs == 0 or pairs % 2:
        raise ValueError(f"a DARTS cell lists 2 (op, input) pairs per intermediate node; the normal "
                         f"cell has {pairs}")
    DartsSpace(n_intermediate=pairs // 2, ops=DARTS_OP_NAMES, inputs_per_node=2).check(genotype)
    for name, value in (("channels", channels), ("layers", layers), ("num_classes", num_classes),
                        ("in_channels", in_channels)):
        check_int(value, name, maximum=MAX_CELLS if name == "layers" else MAX_CHANNELS)
    check_range(drop_path, "drop_path (a probability)", 0, 1, high_open=True)
    return seeded(seed, lambda: DartsNetwork(genotype, channels, layers, num_classes, in_channels,
                                             float(drop_path)))
