"""What every supernet shares: architecture weights apart from network weights, and ``derive``."""
from __future__ import annotations

import torch
from torch import nn

from .._checks import MAX_CHANNELS, check_int
from ..model._seed import seeded
from ..space import Arch, CellSpace, DartsSpace, Genotype
from ..space.darts import DARTS_OP_NAMES

__all__ = ["SuperNet", "derive"]


class SuperNet(nn.Module):
    """The supernet of ``space``: ``SuperNet(NB201Space(), ...)`` or ``SuperNet(DartsSpace(), ...)``.

    Calling ``SuperNet`` builds an ``NB201SuperNet`` for a cell space and a ``DartsSuperNet`` for
    a DARTS space; both share this interface. ``alpha`` holds the architecture weights (one
    parameter per cell type), ``forward(x)`` mixes every op by ``softmax(alpha)``,
    ``forward(x, arch=a)`` runs the single path of ``a`` (one op per edge), ``forward(x,
    weights=w)`` mixes by given per-edge weights and ``forward(x, weights=w, index=i)`` runs only
    op ``i[e]`` on edge ``e`` scaled by ``w[e, i[e]]`` (GDAS). ``derive()`` reads the architecture
    off alpha.
    """

    cell_types: tuple[str, ...] = ()

    def __new__(cls, *args, **kwargs):
        if cls is SuperNet:
            space = args[0] if args else kwargs.get("space")
            from .darts import DartsSuperNet
            from .nb201 import NB201SuperNet
            if isinstance(space, DartsSpace):
                cls = DartsSuperNet
            elif isinstance(space, CellSpace):
                cls = NB201SuperNet
            else:
                raise TypeError(f"SuperNet needs a CellSpace (e.g. NB201Space()) or a DartsSpace, "
                                f"got {type(space).__name__}")
        return super().__new__(cls)

    def _set_options(self, channels, num_classes, in_channels, affine, track_running_stats, seed):
        """Check and store the options every supernet has, then build it under ``seed``."""
        self.channels = check_int(channels, "channels", maximum=MAX_CHANNELS)
        self.num_classes = check_int(num_classes, "num_classes", maximum=MAX_CHANNELS)
        self.in_channels = check_int(in_channels, "in_channels", maximum=MAX_CHANNELS)
        self.affine, self.track_running_stats = bool(affine), bool(track_running_stats)
        self.seed = seed
        seeded(seed, self._make)

    def _path(self, x, arch, weights, index):
        """Check the input and say which path to run: ``(weights, index)``, the mixture by default."""
        if x.dim() != 4 or x.shape[1] != self.in_channels:
            raise ValueError(f"expected input of shape (batch, {self.in_channels}, H, W), got "
                             f"{tuple(x.shape)}")
        if arch is not None:
            if weights is not None or index is not None:
                raise ValueError("give either arch (a single path) or weights/index, not both")
            return None, self.arch_index(arch)
        if weights is None and index is None:
            mixture = {k: torch.softmax(a, dim=-1) for k, a in self.alphas().items()}
            weights = mixture["cell"] if self.cell_types == ("cell",) else mixture
        return weights, index

    # -- parameters --------------------------------------------------------------------------------
    def alphas(self) -> dict[str, nn.Parameter]:
        """The architecture weights by cell type: {'cell': (edges, ops)} or {'normal', 'reduce'}."""
        raise NotImplementedError

    def arch_parameters(self) -> list[nn.Parameter]:
        """The architecture weights alpha, for the outer (validation) optimizer."""
        return list(self.alphas().values())

    def weight_parameters(self) -> list[nn.Parameter]:
        """Every parameter but alpha, for the inner (training) optimizer."""
        ids = {id(p) for p in self.arch_parameters()}
        return [p for p in self.parameters() if id(p) not in ids]

    def edge_weights(self) -> dict[str, torch.Tensor]:
        """softmax(alpha) per edge, detached, by cell type."""
        return {k: torch.softmax(a.detach(), dim=-1) for k, a in self.alphas().items()}

    @property
    def n_edges(self) -> int:
        """Edges of one cell (rows of alpha)."""
        return next(iter(self.alphas().values())).shape[0]

    def derive(self):
        """The architecture alpha stands for (see ``naskit.supernet.derive``)."""
        return derive({k: a.detach() for k, a in self.alphas().items()}, self.space, self.op_names)

    def __repr__(self) -> str:
        # a summary: the module tree of every op on every edge runs to thousands of lines
        shapes = ", ".join(f"{k} {tuple(a.shape)}" for k, a in self.alphas().items())
        n = sum(p.numel() for p in self.weight_parameters())
        size = (f"cells_per_stage={self.cells_per_stage}" if hasattr(self, "cells_per_stage")
                else f"layers={self.layers}")
        return (f"{type(self).__name__}(channels={self.channels}, {size}, "
                f"num_classes={self.num_classes}, in_channels={self.in_channels}, "
                f"affine={self.affine}, track_running_stats={self.track_running_stats}) "
                f"# alpha {shapes}, {n:,} shared weights, ops {list(self.op_names)}")


def derive(alpha, space, op_names=None):
    """The architecture alpha stands for, by the rule of the space's paper.

    NB201 (Dong & Yang, ICLR 2020): on each edge the op of largest alpha, ``none`` included, gives
    an ``Arch``. DARTS (Liu et al., ICLR 2019, Sec. 2.4): for each intermediate node the two
    incoming edges whose strongest op other than ``none`` is strongest, each with that op, gives a
    ``Genotype``. ``alpha`` is a tensor (cell space) or a dict {'normal', 'reduce'} of tensors
    (DARTS space), rows = edges in the supernet's order, columns = ``op_names``.
    """
    if isinstance(space, DartsSpace):
        names = tuple(op_names) if op_names is not None else DARTS_OP_NAMES
        if not isinstance(alpha, dict) or set(alpha) != {"normal", "reduce"}:
            raise ValueError("a DARTS alpha is a dict with the keys 'normal' and 'reduce'")
        cells = {cell: _derive_darts(torch.as_tensor(alpha[cell]), space, names)
                 for cell in ("normal", "reduce")}
        return Genotype(cells["normal"], space.concat, cells["reduce"], space.concat)
    if isinstance(space, CellSpace):
        names = tuple(op_names) if op_names is not None else space.ops
        if isinstance(alpha, dict):
            alpha = alpha["cell"]
        alpha = torch.as_tensor(alpha)
        if alpha.shape != (space.n_edges, len(names)):
            raise ValueError(f"alpha must have shape ({space.n_edges}, {len(names)}) for this space "
                             f"(edges x ops {list(names)}), got {tuple(alpha.shape)}")
        return Arch.from_ops([names[i] for i in alpha.argmax(dim=1).tolist()], space.n_nodes)
    raise TypeError(f"derive needs a CellSpace or a DartsSpace, got {type(space).__name__}")


def darts_edges(n_intermediate: int) -> list[tuple[int, int]]:
    """``(node, input state)`` of every edge of a DARTS search cell, in alpha's row order."""
    return [(i, j) for i in range(n_intermediate) for j in range(i + 2)]


def _derive_darts(alpha: torch.Tensor, space: DartsSpace, names) -> list[tuple[str, int]]:
    edges = darts_edges(space.n_intermediate)
    if alpha.shape != (len(edges), len(names)):
        raise ValueError(f"alpha must have shape ({len(edges)}, {len(names)}) (edges x ops "
                         f"{list(names)}), got {tuple(alpha.shape)}")
    w = torch.softmax(alpha.double(), dim=-1)
    keep = [k for k, name in enumerate(names) if name != "none"]
    pairs = []
    for i in range(space.n_intermediate):
        rows = [r for r, (node, _) in enumerate(edges) if node == i]
        # strength of an edge: its best op other than none (DARTS' genotype())
        best = [(w[r, keep].max().item(), -edges[r][1], r) for r in rows]
        chosen = sorted(best, reverse=True)[:space.inputs_per_node]
        for _, _, r in chosen:  # strongest first, as DARTS prints them
            op = keep[int(w[r, keep].argmax())]
            pairs.append((names[op], edges[r][1]))
    return pairs
