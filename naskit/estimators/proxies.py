"""Arch-level zero-cost estimators: build the untrained net of an arch, score one minibatch.

Each estimator stores a data set and a network recipe; a call builds
``build(arch, channels, cells_per_stage, in_channels, num_classes, seed)`` (weights from the
estimator's ``seed``), takes ``batch_size`` training images drawn with the same seed, and applies
one network-level score (``naswot``: Mellor et al., ICML 2021; the proxies of Abdelfattah et al.,
ICLR 2021). Parameter and FLOP counts are the baselines that the zero-cost literature found as
good as several proxies (Abdelfattah et al. 2021; Ning et al., "Evaluating Efficient Performance
Estimators of Neural Architectures", NeurIPS 2021), so a lab always shows them. The cost of a
call is its measured wall-clock time, building the net included.
"""
from __future__ import annotations

import torch

from .._checks import check_int, check_seed
from ..datasets import Dataset
from ..hardware import count_flops, count_params
from ..model import build
from ..space import Arch
from ._net import check_net_args
from .base import Estimator
from .naswot import naswot
from .zero_cost import fisher, grad_norm, grasp, jacob_cov, snip, synflow

__all__ = ["NASWOT", "Synflow", "SNIP", "GradNorm", "GraSP", "Fisher", "JacobCov", "Params",
           "FLOPs", "ZERO_COST"]


class _NetEstimator(Estimator):
    """A score computed on the freshly built, untrained net of an arch."""

    uses_batch = True
    needs = ("data",)

    @classmethod
    def why_unsupported(cls, bench=None, data=None):
        reason = super().why_unsupported(bench, data)
        if reason is None and cls.uses_batch and len(data.y_train) < 2:
            reason = (f"scores a minibatch of at least 2 images; {data.name!r} has "
                      f"{len(data.y_train)}")
        return reason

    @classmethod
    def make(cls, bench=None, data=None, *, epochs=None, batch_size=64, channels=8,
             cells_per_stage=1, seed=0, device="cpu"):
        cls._require(bench, data)
        if not cls.uses_batch:
            return cls(data, channels=channels, cells_per_stage=cells_per_stage, seed=seed,
                       device=device)
        return cls(data, channels=channels, cells_per_stage=cells_per_stage,
                   batch_size=batch_size, seed=seed, device=device)

    def __init__(self, data: Dataset, channels: int = 8, cells_per_stage: int = 1,
                 batch_size: int = 128, seed: int = 0, device="cpu"):
        super().__init__()
        if not isinstance(data, Dataset):
            raise TypeError(f"{type(self).__name__} needs a naskit Dataset (nk.datasets.load()), "
                            f"got {type(data).__name__}")
        if self.uses_batch:
            check_int(batch_size, "batch_size", 2, len(data.y_train))  # at most the training set
        check_net_args(channels, cells_per_stage, seed)
        self.data, self.channels, self.cells_per_stage = data, channels, cells_per_stage
        self.batch_size, self.seed, self.device = batch_size, check_seed(seed), device

    def net(self, arch: Arch | str) -> torch.nn.Module:
        """The untrained network this estimator scores for ``arch``."""
        return build(arch, channels=self.channels, cells_per_stage=self.cells_per_stage,
                     num_classes=self.data.num_classes, in_channels=self.data.input_shape[0],
                     seed=self.seed).to(self.device)

    def batch(self) -> tuple[torch.Tensor, torch.Tensor]:
        """The minibatch ``(x, y)`` that every arch is scored on."""
        gen = torch.Generator().manual_seed(self.seed)
        idx = torch.randperm(len(self.data.y_train), generator=gen)[:self.batch_size]
        return (self.data.x_train[idx].to(self.device), self.data.y_train[idx].to(self.device))

    def _score(self, arch):
        net = self.net(arch)
        x, y = self.batch() if self.uses_batch else (None, None)
        return self._net_score(net, x, y), None

    def _net_score(self, net, x, y) -> float:
        raise NotImplementedError

    def _settings(self):
        s = dict(data=self.data.name, channels=self.channels, cells_per_stage=self.cells_per_stage)
        if self.uses_batch:
            s["batch_size"] = self.batch_size
        s["seed"] = self.seed
        if str(self.device) != "cpu":
            s["device"] = str(self.device)
        return s


class NASWOT(_NetEstimator):
    """log|det K_H| of the ReLU codes of one minibatch (Mellor et al. 2021)."""

    name = "naswot"

    def _net_score(self, net, x, y):
        return naswot(net, x)


class SNIP(_NetEstimator):
    """Sum of |dL/dw * w| at initialisation (Lee et al. 2019)."""

    name = "snip"

    def _net_score(self, net, x, y):
        return snip(net, x, y)


class GradNorm(_NetEstimator):
    """Sum over layers of the norm of dL/dw at initialisation."""

    name = "grad_norm"

    def _net_score(self, net, x, y):
        return grad_norm(net, x, y)


class GraSP(_NetEstimator):
    """Sum of -w * (H g) at initialisation (Wang et al. 2020)."""

    name = "grasp"

    def _net_score(self, net, x, y):
        return grasp(net, x, y)


class Fisher(_NetEstimator):
    """Summed Fisher channel saliency at initialisation (Theis et al. 2018)."""

    name = "fisher"

    def _net_score(self, net, x, y):
        return fisher(net, x, y)


class JacobCov(_NetEstimator):
    """Correlation of input Jacobians over one minibatch (Mellor et al. 2020, v1)."""

    name = "jacob_cov"

    def _net_score(self, net, x, y):
        return jacob_cov(net, x)


class _NoBatch(_NetEstimator):
    uses_batch = False

    def __init__(self, data: Dataset, channels: int = 8, cells_per_stage: int = 1, seed: int = 0,
                 device="cpu"):
        super().__init__(data, channels=channels, cells_per_stage=cells_per_stage,
                         batch_size=None, seed=seed, device=device)


class Synflow(_NoBatch):
    """Synaptic flow of the absolute-valued net on an all-ones input (Tanaka et al. 2020)."""

    name = "synflow"

    def _net_score(self, net, x, y):
        return synflow(net, self.data.input_shape)


class Params(_NoBatch):
    """Baseline: the number of parameters (more = predicted better)."""

    name = "params"

    def _net_score(self, net, x, y):
        return float(count_params(net))


class FLOPs(_NoBatch):
    """Baseline: FLOPs of one forward pass of one image (more = predicted better)."""

    name = "flops"

    def _net_score(self, net, x, y):
        return float(count_flops(net, (1, *self.data.input_shape)))


# name -> class, in the order a lab lists them (baselines last)
ZERO_COST = {c.name: c for c in (NASWOT, Synflow, JacobCov, SNIP, GradNorm, Fisher, GraSP,
                                 Params, FLOPs)}
