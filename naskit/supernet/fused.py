"""The mixture of an NB201 search cell, computed node by node instead of edge by edge.

DARTS' relaxation (Liu et al., ICLR 2019, Eq. 2) evaluates every op of every edge, ``x_i = sum_{j<i}
sum_o w_{(j,i),o} o(x_j)``; on NB201's cell (Dong & Yang, ICLR 2020) that is many small ops. The
edges that leave node j all read x_j, so the same numbers come from a few wide ops per node:
ReLU(x_j) once; the 1x1 convolutions of every edge leaving j as one convolution, their kernels
concatenated along output channels, and the 3x3 ones likewise; one BatchNorm over each
concatenation (BatchNorm is per channel, so it equals the separate ones), with the mixture weight
folded into its affine map; avg-pool(x_j) once, as the identity, for every edge. ``none`` is zero:
its term ``w * 0`` adds nothing to x_i and its derivative in alpha, ``0 * dw/dalpha``, is 0, so
it is not computed. The parameters stay where ``MixedOp`` keeps them, so checkpoints and
``extract`` are unchanged; ``NB201SuperNet(fused=False)`` is the plain sum it is tested against.
"""
from __future__ import annotations

import torch
from torch.nn import functional as F

__all__ = ["mixed_cell", "unbind_weights"]


def _batch_norm(z, bns, scale):
    """``torch.cat([s * bn(part) for ...], 1)`` over the ``C``-channel parts of ``z``, as one call.

    ``scale`` holds one mixture weight per part; it multiplies BatchNorm's affine map
    (``w * (gamma * z_hat + beta)``), so the weighting costs no pass over the activations. The
    BatchNorms are alike, differing only in state; running statistics are read from and written
    back to each of them, as nn.BatchNorm2d does.
    """
    first = bns[0]
    C = first.num_features
    scale = scale.repeat_interleave(C)
    weight = torch.cat([bn.weight for bn in bns]) * scale if first.affine else scale
    bias = torch.cat([bn.bias for bn in bns]) * scale if first.affine else None
    tracked = first.track_running_stats and first.running_mean is not None
    factor = 0.0 if first.momentum is None else first.momentum
    if first.training and tracked:
        for bn in bns:
            bn.num_batches_tracked.add_(1)
        if first.momentum is None:  # a cumulative average, as nn.BatchNorm2d
            factor = 1.0 / float(first.num_batches_tracked)
    mean = torch.cat([bn.running_mean for bn in bns]) if tracked else None
    var = torch.cat([bn.running_var for bn in bns]) if tracked else None
    out = F.batch_norm(z, mean, var, weight, bias, first.training or not tracked, factor, first.eps)
    if first.training and tracked:
        with torch.no_grad():  # F.batch_norm updated the concatenated copies in place
            for bn, m, v in zip(bns, mean.split(C), var.split(C)):
                bn.running_mean.copy_(m)
                bn.running_var.copy_(v)
    return out.split(C, 1)


def unbind_weights(weights):
    """Each weight of ``weights`` (edges x ops) as a 0-d tensor: one autograd node for all uses."""
    return [row.unbind(0) for row in weights.unbind(0)]


def mixed_cell(cell, x, weights):
    """The cell's output for the mixture ``weights`` (edges x ops): ``SearchCell.forward`` fused.

    ``weights`` is a tensor, or ``unbind_weights(weights)`` computed once for every cell.
    """
    if isinstance(weights, torch.Tensor):
        weights = unbind_weights(weights)
    names = cell.edges[0].names
    skip = names.index("skip_connect") if "skip_connect" in names else None
    pool = names.index("avg_pool_3x3") if "avg_pool_3x3" in names else None
    convs = [k for k, name in enumerate(names) if name.startswith("nor_conv")]
    n = cell.n_nodes
    pairs = [(src, dst) for dst in range(1, n) for src in range(dst)]  # alpha's row order
    nodes = [x] + [None] * (n - 1)  # node i: the running sum of its incoming terms

    def add(dst, term):
        nodes[dst] = term if nodes[dst] is None else nodes[dst] + term

    for src in range(n - 1):
        # a node that nothing but `none` reaches is zero, as in the plain sum
        h = torch.zeros_like(x) if nodes[src] is None else nodes[src]
        out = [(e, dst) for e, (s, dst) in enumerate(pairs) if s == src]
        if skip is not None:
            for e, dst in out:
                add(dst, weights[e][skip] * h)
        if pool is not None:
            p = cell.edges[out[0][0]].ops[pool](h)  # one avg-pool serves every edge leaving src
            for e, dst in out:
                add(dst, weights[e][pool] * p)
        if convs:
            r = F.relu(h)  # ReLU-Conv-BN: the ReLU of x_src is shared too
            for k in convs:
                ops = [cell.edges[e].ops[k] for e, _ in out]
                kernel = torch.cat([op[1].weight for op in ops])  # edges along output channels
                z = F.conv2d(r, kernel, None, 1, ops[0][1].padding)
                scale = torch.stack([weights[e][k] for e, _ in out])
                for (e, dst), part in zip(out, _batch_norm(z, [op[2] for op in ops], scale)):
                    add(dst, part)
    return torch.zeros_like(x) if nodes[-1] is None else nodes[-1]
