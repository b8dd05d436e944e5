"""The elastic supernet of Once-for-All: MobileNetV3 blocks whose kernel, width and depth shrink.

Each block is an inverted residual (Sandler et al., CVPR 2018; Howard et al., ICCV 2019): a 1x1
convolution expands the channels by the expansion ratio, a depthwise kxk convolution filters them,
a 1x1 convolution projects back (a residual adds the input when the shapes agree). Once-for-All
(Cai et al., ICLR 2020) shares the weights of every subnet in one network:

* **elastic kernel** (Sec. 3.3, Fig. 3): the 5x5 kernel is the centre of the 7x7 one, the 3x3 the
  centre of the 5x5, each passed through a learned kernel transformation matrix (one per layer and
  size, shared by the channels) that starts as the identity;
* **elastic width**: a block with expansion e uses the first ``in * e`` middle channels; before the
  width phase the channels are sorted by importance (L1 norm of their projection weights), so the
  first ones are the important ones;
* **elastic depth**: a stage of depth d runs its first d blocks.

BatchNorm statistics are sliced the same way; a subnet's statistics must be recomputed before it
is evaluated (``recalibrate_bn``, OFA's ``set_running_statistics``). Squeeze-and-excitation is left
out: on 4x4 to 16x16 feature maps it adds parameters and latency for little gain here.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from .._checks import check_int
from ..model._seed import seeded
from .space import OFAArch, OFASpace

__all__ = ["OFASuperNet", "ElasticDepthwise", "ElasticBlock", "recalibrate_bn"]


class _ElasticBN(nn.BatchNorm2d):
    """BatchNorm whose first ``n`` features serve a narrower subnet (statistics sliced in place)."""

    def forward(self, x, n: int | None = None):
        n = self.num_features if n is None else n
        factor = self.momentum
        if self.training and self.momentum is None:  # cumulative average, as nn.BatchNorm2d
            self.num_batches_tracked.add_(1)
            factor = 1.0 / float(self.num_batches_tracked)
        # slices of the buffers are views: training updates the shared running statistics in place
        return F.batch_norm(x, self.running_mean[:n], self.running_var[:n], self.weight[:n],
                            self.bias[:n], self.training, factor, self.eps)


class ElasticDepthwise(nn.Module):
    """A depthwise convolution of kernel size in ``kernels`` sharing the largest kernel's weights."""

    def __init__(self, channels: int, kernels=(3, 5, 7), stride: int = 1):
        super().__init__()
        self.channels, self.kernels, self.stride = channels, tuple(sorted(kernels)), stride
        k = self.kernels[-1]
        self.weight = nn.Parameter(torch.empty(channels, 1, k, k))
        nn.init.kaiming_normal_(self.weight, mode="fan_out")
        # OFA's kernel transformation matrices, one per smaller size: identity = plain centre crop
        self.transforms = nn.ParameterDict({
            f"{big}to{small}": nn.Parameter(torch.eye(small * small))
            for big, small in zip(self.kernels[:0:-1], self.kernels[-2::-1])})

    def kernel(self, k: int, channels: int | None = None) -> torch.Tensor:
        """The (channels, 1, k, k) weights of kernel size ``k``: centre crops, each transformed."""
        if k not in self.kernels:
            raise ValueError(f"kernel {k} is not elastic here; choose from {list(self.kernels)}")
        w = self.weight[:channels]
        for big, small in zip(self.kernels[:0:-1], self.kernels[-2::-1]):
            if big == k:
                break
            lo = (big - small) // 2
            crop = w[:, :, lo:lo + small, lo:lo + small].reshape(-1, small * small)
            w = F.linear(crop, self.transforms[f"{big}to{small}"]).reshape(-1, 1, small, small)
        return w

    def forward(self, x, k: int | None = None):
        k = self.kernels[-1] if k is None else k
        w = self.kernel(k, x.shape[1])
        return F.conv2d(x, w, None, self.stride, k // 2, 1, x.shape[1])


def _act(name: str) -> nn.Module:
    return nn.ReLU(inplace=True) if name == "relu" else nn.Hardswish(inplace=True)


class ElasticBlock(nn.Module):
    """An inverted residual block with elastic kernel size and expansion ratio."""

    def __init__(self, in_channels: int, out_channels: int, stride: int, kernels, expands,
                 act: str = "relu"):
        super().__init__()
        self.in_channels, self.out_channels, self.stride = in_channels, out_channels, stride
        self.act_name = act
        mid = in_channels * max(expands)
        self.expand = nn.Conv2d(in_channels, mid, 1, bias=False)
        self.expand_bn = _ElasticBN(mid)
        self.depthwise = ElasticDepthwise(mid, kernels, stride)
        self.depthwise_bn = _ElasticBN(mid)
        self.project = nn.Conv2d(mid, out_channels, 1, bias=False)
        self.project_bn = nn.BatchNorm2d(out_channels)
        self.act = _act(act)
        self.residual = stride == 1 and in_channels == out_channels

    def forward(self, x, kernel: int, expand: int):
        mid = self.in_channels * expand
        h = self.act(self.expand_bn(F.conv2d(x, self.expand.weight[:mid]), mid))
        h = self.act(self.depthwise_bn(self.depthwise(h, kernel), mid))
        h = self.project_bn(F.conv2d(h, self.project.weight[:, :mid]))
        return x + h if self.residual else h

    @torch.no_grad()
    def sort_channels(self) -> torch.Tensor:
        """Reorder the middle channels by importance (L1 norm of their projection weights), largest first.

        The full block computes the same function afterwards; returns the permutation used.
        """
        order = self.project.weight.abs().sum(dim=(0, 2, 3)).argsort(descending=True)
        self.project.weight.copy_(self.project.weight[:, order])
        self.expand.weight.copy_(self.expand.weight[order])
        self.depthwise.weight.copy_(self.depthwise.weight[order])
        for bn in (self.expand_bn, self.depthwise_bn):
            for t in (bn.weight, bn.bias, bn.running_mean, bn.running_var):
                t.copy_(t[order])
        return order

    @torch.no_grad()
    def extract(self, kernel: int, expand: int) -> "InvertedResidual":
        """A standalone block of plain layers carrying this block's weights at ``kernel``, ``expand``."""
        mid = self.in_channels * expand
        out = InvertedResidual(self.in_channels, self.out_channels, self.stride, kernel, expand,
                               self.act_name)
        # in this block's dtype and on its device before the copy: a float64 supernet's subnet runs
        out.to(self.expand.weight.device, self.expand.weight.dtype)
        out.expand.weight.copy_(self.expand.weight[:mid])
        out.depthwise.weight.copy_(self.depthwise.kernel(kernel, mid))
        out.project.weight.copy_(self.project.weight[:, :mid])
        for dst, src, n in ((out.expand_bn, self.expand_bn, mid), (out.depthwise_bn, self.depthwise_bn, mid),
                            (out.project_bn, self.project_bn, self.out_channels)):
            for name in ("weight", "bias", "running_mean", "running_var"):
                getattr(dst, name).copy_(getattr(src, name)[:n])
        return out


class InvertedResidual(nn.Module):
    """A fixed inverted residual block (what a subnet is made of)."""

    def __init__(self, in_channels: int, out_channels: int, stride: int, kernel: int, expand: int,
                 act: str = "relu"):
        super().__init__()
        mid = in_channels * expand
        self.kernel, self.expand_ratio = kernel, expand
        self.expand = nn.Conv2d(in_channels, mid, 1, bias=False)
        self.expand_bn = nn.BatchNorm2d(mid)
        self.depthwise = nn.Conv2d(mid, mid, kernel, stride, kernel // 2, groups=mid, bias=False)
        self.depthwise_bn = nn.BatchNorm2d(mid)
        self.project = nn.Conv2d(mid, out_channels, 1, bias=False)
        self.project_bn = nn.BatchNorm2d(out_channels)
        self.act = _act(act)
        self.residual = stride == 1 and in_channels == out_channels

    def forward(self, x):
        h = self.act(self.expand_bn(self.expand(x)))
        h = self.act(self.depthwise_bn(self.depthwise(h)))
        h = self.project_bn(self.project(h))
        return x + h if self.residual else h


def _stem(in_channels, channels) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(in_channels, channels, 3, 1, 1, bias=False),
                         nn.BatchNorm2d(channels), nn.ReLU(inplace=True))


def _head(in_channels, channels, num_classes) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(in_channels, channels, 1, bias=False), nn.BatchNorm2d(channels),
                         nn.Hardswish(inplace=True), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                         nn.Linear(channels, num_classes))


class Subnet(nn.Module):
    """A standalone network extracted from a supernet: stem, the blocks that run, head."""

    def __init__(self, arch: OFAArch, stem: nn.Module, blocks, head: nn.Module):
        super().__init__()
        self.arch = arch
        self.stem, self.blocks, self.head = stem, nn.Sequential(*blocks), head

    def forward(self, x):
        return self.head(self.blocks(self.stem(x)))

    def __repr__(self):
        n = sum(p.numel() for p in self.parameters())
        return f"Subnet({self.arch!r}, {n:,} params)"


class OFASuperNet(nn.Module):
    """The elastic supernet of ``space`` (an ``OFASpace``), sized for small images.

    ``channels[s]`` and ``strides[s]``: output channels and stride of stage ``s`` (its first block
    strides); a 3x3 stem of ``stem_channels``; a head (1x1 convolution to ``head_channels``, global
    pooling, linear). ``forward(x, arch=None)`` runs the subnet ``arch`` (default: the largest);
    ``extract(arch)`` returns it as a standalone ``Subnet`` with the inherited weights.
    """

    def __init__(self, space: OFASpace | None = None, channels=(16, 24, 32), strides=(2, 2, 1),
                 stem_channels: int = 16, head_channels: int = 128, num_classes: int = 10,
                 in_channels: int = 1, seed: int | None = 0):
        super().__init__()
        space = OFASpace() if space is None else space
        if not isinstance(space, OFASpace):
            raise TypeError(f"space must be an OFASpace, got {type(space).__name__}")
        channels = tuple(check_int(c, "channels") for c in channels)
        strides = tuple(check_int(s, "strides") for s in strides)
        if len(channels) != space.n_stages or len(strides) != space.n_stages:
            raise ValueError(f"give one channel count and one stride per stage ({space.n_stages}), "
                             f"got channels={channels}, strides={strides}")
        if any(s not in (1, 2) for s in strides):
            raise ValueError(f"strides must be 1 or 2, got {strides}")
        self.space, self.channels, self.strides = space, channels, strides
        self.stem_channels = check_int(stem_channels, "stem_channels")
        self.head_channels = check_int(head_channels, "head_channels")
        self.num_classes = check_int(num_classes, "num_classes")
        self.in_channels, self.seed = check_int(in_channels, "in_channels"), seed
        seeded(seed, self._make)

    def _make(self):
        space = self.space
        self.stem = _stem(self.in_channels, self.stem_channels)
        stages, prev = [], self.stem_channels
        for s, (c, stride) in enumerate(zip(self.channels, self.strides)):
            act = "relu" if s == 0 else "hswish"  # MobileNetV3: h-swish in the deeper half
            stages.append(nn.ModuleList(
                ElasticBlock(prev if b == 0 else c, c, stride if b == 0 else 1, space.kernels,
                             space.expands, act) for b in range(space.max_depth)))
            prev = c
        self.stages = nn.ModuleList(stages)
        self.head = _head(prev, self.head_channels, self.num_classes)

    def __repr__(self):
        n = sum(p.numel() for p in self.parameters())
        return (f"OFASuperNet({self.space!r}, channels={self.channels}, strides={self.strides}, "
                f"{n:,} params)")

    def forward(self, x, arch: OFAArch | None = None):
        arch = self.space.largest() if arch is None else self.space.check(arch)
        h = self.stem(x)
        for s, b, k, e in arch.blocks():
            h = self.stages[s][b](h, k, e)
        return self.head(h)

    def extract(self, arch: OFAArch) -> Subnet:
        """The subnet ``arch`` as a standalone network of plain layers, weights copied from here."""
        import copy

        self.space.check(arch)
        blocks = [self.stages[s][b].extract(k, e) for s, b, k, e in arch.blocks()]
        net = Subnet(arch, copy.deepcopy(self.stem), blocks, copy.deepcopy(self.head))
        return net.to(next(self.parameters()).device).train(self.training)

    def fresh(self, arch: OFAArch, seed: int | None = 0) -> Subnet:
        """The subnet ``arch`` with new random weights (PyTorch's default init), to train from scratch."""
        self.space.check(arch)

        def make():
            blocks = []
            for s, b, k, e in arch.blocks():
                src = self.stages[s][b]
                blocks.append(InvertedResidual(src.in_channels, src.out_channels, src.stride, k, e,
                                               src.act_name))
            return Subnet(arch, _stem(self.in_channels, self.stem_channels), blocks,
                          _head(self.channels[-1], self.head_channels, self.num_classes))
        return seeded(seed, make)

    def sort_channels(self) -> None:
        """OFA's channel sorting before elastic width: every block's middle channels, most important first."""
        for stage in self.stages:
            for block in stage:
                block.sort_channels()

    def block(self, stage: int, index: int) -> ElasticBlock:
        return self.stages[stage][index]


@torch.no_grad()
def recalibrate_bn(net: nn.Module, images: torch.Tensor, batch_size: int = 250, **forward) -> nn.Module:
    """Recompute every BatchNorm's running statistics on ``images`` (OFA's set_running_statistics).

    Statistics are the exact average over the images (momentum None); the net is left in eval mode.
    ``forward`` (e.g. ``arch=``) goes to the net's forward.
    """
    bns = [m for m in net.modules() if isinstance(m, nn.BatchNorm2d)]
    saved = [(m.momentum, m.training) for m in bns]
    net.train()
    for m in bns:
        m.reset_running_stats()
        m.momentum = None  # cumulative moving average: the mean over all batches seen
    # A sliced elastic BN sees its first n features only; the rest stay reset, unused by this subnet.
    for i in range(0, len(images), batch_size):
        net(images[i:i + batch_size], **forward)
    for m, (momentum, _) in zip(bns, saved):
        m.momentum = momentum
    net.eval()
    return net
