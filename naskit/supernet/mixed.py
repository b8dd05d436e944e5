"""The continuous relaxation of DARTS (Liu et al., ICLR 2019, Eq. 1): an edge as a mixture of ops."""
from __future__ import annotations

from typing import Sequence

import torch
from torch import nn

from ..ops import make_op

__all__ = ["MixedOp"]


class MixedOp(nn.Module):
    """Every candidate op of one edge; ``forward`` mixes them, or runs one of them.

    ``forward(x, weights)`` is DARTS' ``sum_o w_o * o(x)``; ``forward(x, index=i)`` runs op ``i``
    alone (a single path); ``forward(x, weights, index=i)`` runs op ``i`` alone scaled by
    ``weights[i]`` and adds the other weights (zero in value for a hard one-hot sample), so that
    every weight still gets a gradient: GDAS' way of computing one op (Dong & Yang, CVPR 2019).
    """

    def __init__(self, C_in: int, C_out: int, stride: int, ops: Sequence[str], op_set: str = "nb201",
                 affine: bool = True, track_running_stats: bool = True):
        super().__init__()
        self.names = tuple(ops)
        if not self.names:
            raise ValueError("a MixedOp needs at least one candidate op")
        self.ops = nn.ModuleList(make_op(name, C_in, C_out, stride, op_set, affine,
                                         track_running_stats) for name in self.names)

    def forward(self, x: torch.Tensor, weights: torch.Tensor | None = None,
                index: int | None = None) -> torch.Tensor:
        if index is not None:
            out = self.ops[index](x)
            if weights is None:
                return out
            # the other weights add 0 in the forward pass but carry their gradient (GDAS)
            rest = weights.sum() - weights[index]
            return out * weights[index] + rest
        if weights is None:
            raise ValueError("MixedOp.forward needs weights (one per op) or an op index")
        if weights.shape != (len(self.ops),):
            raise ValueError(f"weights must have shape ({len(self.ops)},), one per op "
                             f"{list(self.names)}; got {tuple(weights.shape)}")
        return sum(w * op(x) for w, op in zip(weights, self.ops))

    def extra_repr(self) -> str:
        return f"ops={list(self.names)}"
