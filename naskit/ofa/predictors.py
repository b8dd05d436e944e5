"""Predictors that make OFA's search free: accuracy from an MLP, latency from a lookup table.

Once-for-All (Cai et al., ICLR 2020, Sec. 3.4) does not evaluate candidates during its search: an
accuracy predictor (an MLP on the one-hot encoding of the subnet, trained on sampled subnets
evaluated with inherited weights; OFA used 16K of them and three layers of 400 units) and a latency
lookup table (each block's latency on the device, measured once, summed over the blocks that run)
score a subnet in microseconds. The table is additive by construction, so it misses what a whole
network costs beyond its blocks (framework overhead per call, caches, the layout between layers);
the lesson measures how far off it is.
"""
from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

from .. import hardware
from .._checks import check_int, check_seed
from .._progress import progress_bar
from ..model._seed import seeded
from .space import OFAArch, OFASpace
from .supernet import OFASuperNet

__all__ = ["AccuracyPredictor", "LatencyTable", "measure_ms", "rmse"]


def measure_ms(net: nn.Module, input_shape, min_run_time: float = 0.1) -> hardware.Latency:
    """The one place this package measures latency: ``nk.hardware.measure_latency`` on one CPU thread.

    Timed on the thread's CPU clock: the latency table, the search under a budget and the check of
    the subnet it found then agree even when other work shares the machine (a lecture laptop, CI),
    where wall-clock times of the same net vary by tens of percent (so no busy-machine warning:
    the time other processes take is not counted).
    """
    return hardware.measure_latency(net, input_shape=input_shape, device="cpu", threads=1,
                                    clock="cpu", min_run_time=min_run_time, warn=False)


class AccuracyPredictor:
    """An MLP from OFA's one-hot encoding of a subnet to its accuracy (MSE on standardised targets).

    ``hidden``: widths of the hidden layers; ``epochs`` of Adam at ``lr`` with minibatches of
    ``batch_size``; ``seed`` fixes the initial weights and the minibatch order. ``fit(archs,
    accuracies)`` learns ``net_``; ``predict(archs)`` returns an array, ``predictor(arch)`` a float.
    """

    def __init__(self, space: OFASpace, hidden=(128, 128), epochs: int = 300, lr: float = 1e-3,
                 batch_size: int = 64, weight_decay: float = 1e-4, seed: int = 0):
        if not isinstance(space, OFASpace):
            raise TypeError(f"space must be an OFASpace, got {type(space).__name__}")
        self.space, self.hidden, self.epochs, self.lr = space, tuple(hidden), check_int(epochs, "epochs"), lr
        self.batch_size, self.weight_decay, self.seed = batch_size, weight_decay, check_seed(seed)
        self.net_: nn.Module | None = None

    def __repr__(self):
        state = "fitted" if self.net_ is not None else "not fitted"
        return f"AccuracyPredictor(hidden={self.hidden}, epochs={self.epochs}, seed={self.seed}) # {state}"

    def _x(self, archs) -> torch.Tensor:
        return torch.tensor([self.space.encode(a) for a in archs], dtype=torch.float32)

    def fit(self, archs, accuracies) -> "AccuracyPredictor":
        """Train on subnets ``archs`` and their measured ``accuracies`` (any scale)."""
        archs, y = list(archs), np.asarray(accuracies, dtype=np.float64)
        if len(archs) != len(y) or len(archs) < 2:
            raise ValueError(f"need at least 2 subnets with one accuracy each, got {len(archs)} "
                             f"subnets and {len(y)} accuracies")
        x = self._x(archs)
        self.mean_, self.std_ = float(y.mean()), float(y.std()) or 1.0
        t = torch.tensor((y - self.mean_) / self.std_, dtype=torch.float32)

        def make():
            layers, width = [], self.space.encoding_size
            for h in self.hidden:
                layers += [nn.Linear(width, h), nn.ReLU()]
                width = h
            return nn.Sequential(*layers, nn.Linear(width, 1))
        net = seeded(self.seed, make)
        opt = torch.optim.Adam(net.parameters(), lr=self.lr, weight_decay=self.weight_decay)
        gen = torch.Generator().manual_seed(self.seed)
        for _ in range(self.epochs):
            perm = torch.randperm(len(t), generator=gen)
            for i in range(0, len(t), self.batch_size):
                idx = perm[i:i + self.batch_size]
                loss = nn.functional.mse_loss(net(x[idx])[:, 0], t[idx])
                opt.zero_grad()
                loss.backward()
                opt.step()
        self.net_ = net.eval()
        return self

    @torch.no_grad()
    def predict(self, archs) -> np.ndarray:
        """Predicted accuracy of every subnet in ``archs``."""
        if self.net_ is None:
            raise RuntimeError("the predictor is not fitted yet: call fit(archs, accuracies) first")
        archs = list(archs)
        if not archs:
            return np.zeros(0)
        return self.net_(self._x(archs))[:, 0].double().numpy() * self.std_ + self.mean_

    def __call__(self, arch: OFAArch) -> float:
        return float(self.predict([arch])[0])


class LatencyTable:
    """Per-block latency on this CPU (ms, median), and a subnet's latency as the sum of its blocks.

    Keys: 'stem', 'head', and 'stage{s}.first.k{k}e{e}' / 'stage{s}.rest.k{k}e{e}' (a stage's
    first block changes channels and stride, the others share one shape). Build one with
    ``LatencyTable.build(supernet)``; ``entries`` maps keys to milliseconds.
    """

    def __init__(self, space: OFASpace, entries: dict[str, float]):
        self.space, self.entries = space, dict(entries)
        missing = [k for k in self.keys(space) if k not in self.entries]
        if missing:
            raise ValueError(f"the table lacks {len(missing)} entries, e.g. {missing[:3]}")

    def __repr__(self):
        return f"LatencyTable({len(self.entries)} entries, {self.space!r})"

    @staticmethod
    def keys(space: OFASpace) -> list[str]:
        """Every key a table of ``space`` has."""
        return ["stem", "head"] + [f"stage{s}.{where}.k{k}e{e}" for s in range(space.n_stages)
                                   for where in ("first", "rest") for k in space.kernels
                                   for e in space.expands]

    def block_keys(self, arch: OFAArch) -> list[str]:
        """The keys whose sum is ``arch``'s predicted latency, in order."""
        self.space.check(arch)
        return ["stem"] + [f"stage{s}.{'first' if b == 0 else 'rest'}.k{k}e{e}"
                           for s, b, k, e in arch.blocks()] + ["head"]

    def predict(self, arch: OFAArch) -> float:
        """Predicted latency of ``arch`` in ms: the sum of its blocks' entries."""
        return sum(self.entries[k] for k in self.block_keys(arch))

    def __call__(self, arch: OFAArch) -> float:
        return self.predict(arch)

    def calibrated(self, archs, measured_ms) -> "LatencyTable":
        """A copy with every entry scaled by one factor, fitted to measured latencies of ``archs``.

        The factor (``scale_``) is the least-squares fit of measured = factor x predicted: what a
        whole network costs beyond its blocks, spread over them.
        """
        predicted = np.array([self(a) for a in archs], float)
        measured = np.asarray(measured_ms, float)
        if predicted.shape != measured.shape or not len(predicted):
            raise ValueError(f"give one measured latency per arch, got {len(measured)} for {len(predicted)}")
        scale = float(predicted @ measured / (predicted @ predicted))
        table = LatencyTable(self.space, {k: v * scale for k, v in self.entries.items()})
        table.scale_ = scale
        return table

    @classmethod
    def build(cls, supernet: OFASuperNet, min_run_time: float = 0.1, batch_size: int = 1,
              progress: bool = False) -> "LatencyTable":
        """Measure every entry on this CPU (eval mode, ``batch_size`` images, torch's threads)."""
        if not isinstance(supernet, OFASuperNet):
            raise TypeError(f"supernet must be an OFASuperNet, got {type(supernet).__name__}")
        space = supernet.space
        size = _image_size(supernet)
        shape = (batch_size, supernet.in_channels, size, size)
        jobs = [("stem", supernet.stem, shape)]
        with torch.no_grad():
            h = supernet.eval().stem(torch.zeros(shape))
            for s, stage in enumerate(supernet.stages):
                for where, block in (("first", stage[0]), ("rest", stage[1])):
                    for k in space.kernels:
                        for e in space.expands:
                            jobs.append((f"stage{s}.{where}.k{k}e{e}", block.extract(k, e).eval(),
                                         tuple(h.shape)))
                    h = block(h, space.kernels[-1], space.expands[-1])  # the rest see its output
        jobs.append(("head", supernet.head, tuple(h.shape)))
        bar = progress_bar(progress, jobs, desc="latency table", unit="entry")
        entries = {}
        for key, net, in_shape in (bar if bar is not None else jobs):
            entries[key] = measure_ms(net, in_shape, min_run_time).median_ms
        return cls(space, entries)


def _image_size(supernet: OFASuperNet) -> int:
    """Input side the supernet was trained on: the embedded digits' 16 unless told otherwise."""
    return getattr(supernet, "image_size", 16)


def rmse(a, b) -> float:
    """Root mean squared difference."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    return math.sqrt(float(np.mean((a - b) ** 2)))
