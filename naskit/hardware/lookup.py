"""Latency lookup tables, the additive predictor built from one, and latency measured per arch.

ProxylessNAS (Cai et al., ICLR 2019) and FBNet (Wu et al., CVPR 2019) predict the latency of a
network as the sum of the latencies of its operations, each measured once on the device at the
shape it has in the network and stored in a lookup table: a search then costs no measurement at
all. nn-Meter (Zhang et al., MobiSys 2021) showed what such a sum misses (ops fused into one
kernel, data staying in cache from one op to the next, the glue between ops) and predicts fused
kernels instead, 99.0% of models within +-10% on a mobile CPU. Here the table is built on the
learner's machine for the NAS-Bench-201 network (Dong & Yang, ICLR 2020): every candidate op at
every stage, the additions that sum a node's inputs, and the fixed stem, reductions and head.
"""
from __future__ import annotations

import math
import time
import warnings
from collections import Counter
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from scipy import stats
from torch import nn

from .._checks import check_seed
from .._progress import progress_bar
from ..model import build
from ..model.nb201 import ResidualReduction
from ..ops import NB201_OPS, make_op
from ..space import Arch
from ._util import check_shape, check_threads
from .measure import Latency, MachineBusyWarning, measure_latency

__all__ = ["LatencyTable", "build_latency_table", "AdditivePredictor", "Part", "MeasuredLatency",
           "PredictionError", "prediction_error"]

_FIXED = ("stem", "reduction", "head")


class _Add(nn.Module):
    """The addition that sums an edge into its node (``total + edge(x)`` in the cell)."""

    def forward(self, x):
        return x + x


class _Head(nn.Sequential):
    """BN-ReLU, global pooling and the classifier, as NB201Net.forward runs them."""

    def __init__(self, net):
        super().__init__(net.lastact, net.pool, nn.Flatten(), net.classifier)


def _check_config(channels, cells_per_stage, input_shape, num_classes):
    for name, value, low in (("channels", channels, 1), ("cells_per_stage", cells_per_stage, 0),
                             ("num_classes", num_classes, 1)):
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise ValueError(f"{name} must be an int >= {low}, got {value!r}")
    shape = check_shape(input_shape)
    if len(shape) != 4 or min(shape[2:]) < 4:
        raise ValueError(f"input_shape must be (batch, channels, height, width) with images of at "
                         f"least 4x4, got {input_shape!r}")
    return shape


def _stage_shapes(channels, shape):
    """(width, height, width in pixels) of each of the three stages."""
    h, w = shape[2:]
    out = []
    for s in range(3):
        out.append((channels * 2 ** s, h, w))
        h, w = -(-h // 2), -(-w // 2)  # stride-2 reductions round up (ceil_mode in the shortcut)
    return out


class Part(NamedTuple):
    """One line of a prediction: ``count`` times the table entry ``(part, stage)``."""

    part: str
    stage: int
    count: int
    each_ms: float

    @property
    def total_ms(self) -> float:
        return self.count * self.each_ms


class LatencyTable:
    """Latency in ms of every part of an NB201 network on one device, keyed ``(part, stage)``.

    Parts: each op of ``NB201_OPS`` and ``'add'`` at stages 0-2, ``'stem'`` (stage 0),
    ``'reduction'`` (stages 1, 2) and ``'head'`` (stage 2). ``measurements`` keeps the Latency
    behind each entry when the table was measured (``build_latency_table``).
    """

    def __init__(self, entries: dict, channels: int = 16, cells_per_stage: int = 5,
                 input_shape=(1, 3, 32, 32), num_classes: int = 10, device: str = "cpu",
                 threads: int = 1, measurements: dict | None = None, environment=None):
        self.input_shape = _check_config(channels, cells_per_stage, input_shape, num_classes)
        self.channels, self.cells_per_stage, self.num_classes = channels, cells_per_stage, num_classes
        self.device, self.threads, self.environment = str(device), threads, environment
        need = set(self.keys_needed())
        missing = sorted(need - set(entries))
        if missing:
            raise ValueError(f"entries lack {missing}; a table needs every one of {sorted(need)}")
        bad = {k: v for k, v in entries.items() if not (isinstance(v, (int, float)) and v >= 0
                                                        and math.isfinite(v))}
        if bad:
            raise ValueError(f"entries must be latencies in ms (finite, >= 0), got {bad}")
        self.entries = {k: float(v) for k, v in entries.items()}
        self.measurements = dict(measurements or {})

    @staticmethod
    def keys_needed() -> list[tuple[str, int]]:
        """Every ``(part, stage)`` a table of the NB201 network holds."""
        keys = [("stem", 0), ("reduction", 1), ("reduction", 2), ("head", 2)]
        return keys + [(op, s) for s in range(3) for op in (*NB201_OPS, "add")]

    def __getitem__(self, key) -> float:
        if key not in self.entries:
            raise KeyError(f"no entry {key!r}; the table has {sorted(self.entries)}")
        return self.entries[key]

    def __len__(self) -> int:
        return len(self.entries)

    def __repr__(self):
        env = "" if self.environment is None else f", cpu={self.environment.cpu!r}"
        conv = self.entries.get(("nor_conv_3x3", 0))
        first = "" if conv is None else f"; nor_conv_3x3 at stage 0: {conv:.3g} ms"
        return (f"LatencyTable({len(self)} entries, C={self.channels}, {self.cells_per_stage} "
                f"cell(s) per stage, input {self.input_shape}, {self.device} x{self.threads} "
                f"thread(s){env}{first})")


def build_latency_table(channels: int = 16, cells_per_stage: int = 5, input_shape=(1, 3, 32, 32),
                        num_classes: int = 10, device="cpu", threads: int = 1,
                        min_run_time: float = 0.1, max_run_time: float = 2.0, min_blocks: int = 30,
                        clock: str = "wall", seed: int = 0, progress: bool = False) -> LatencyTable:
    """Measure every part of the NB201 network (``LatencyTable.keys_needed()``) on ``device``.

    Each op is timed on its own, on the input shape it has in the network; one
    ``MachineBusyWarning`` says how many entries looked busy. ``clock`` as in ``measure_latency``;
    ``progress``: a tqdm bar.
    """
    shape = _check_config(channels, cells_per_stage, input_shape, num_classes)
    threads = check_threads(threads)
    batch = shape[0]
    stages = _stage_shapes(channels, shape)
    net = build(Arch.from_string("|skip_connect~0|+|skip_connect~0|skip_connect~1|+|skip_connect~0|"
                                 "skip_connect~1|skip_connect~2|"),
                channels=channels, cells_per_stage=cells_per_stage, num_classes=num_classes,
                in_channels=shape[1], seed=seed)
    reductions = [m for m in net.cells if isinstance(m, ResidualReduction)]
    jobs = [(("stem", 0), net.stem, shape)]
    for s, (width, h, w) in enumerate(stages):
        if s:
            prev = stages[s - 1]
            jobs.append((("reduction", s), reductions[s - 1], (batch, prev[0], prev[1], prev[2])))
        for op in NB201_OPS:
            jobs.append(((op, s), make_op(op, width, width, 1), (batch, width, h, w)))
        jobs.append((("add", s), _Add(), (batch, width, h, w)))
    jobs.append((("head", 2), _Head(net), (batch, 4 * channels, stages[2][1], stages[2][2])))

    bar = progress_bar(progress, total=len(jobs), desc="latency table", unit="op", leave=True)
    measured = {}
    try:
        for key, module, part_shape in jobs:
            measured[key] = measure_latency(module, part_shape, device=device, threads=threads,
                                            min_run_time=min_run_time, max_run_time=max_run_time,
                                            min_blocks=min_blocks, clock=clock, warn=False)
            if bar is not None:
                bar.update()
    finally:
        if bar is not None:
            bar.close()
    busy = [k for k, m in measured.items() if m.busy]
    if busy:
        warnings.warn(MachineBusyWarning(
            f"{len(busy)} of {len(measured)} table entries were measured on a busy machine "
            f"(e.g. {busy[0]}: {measured[busy[0]]!r}); rebuild the table when the machine is quiet"),
            stacklevel=2)
    first = next(iter(measured.values()))
    return LatencyTable({k: m.median_ms for k, m in measured.items()}, channels, cells_per_stage,
                        shape, num_classes, first.device, threads, measured, first.environment)


class AdditivePredictor:
    """Predicted latency of an arch: the sum of its parts' table entries (ProxylessNAS, FBNet).

    ``scale`` and ``offset_ms`` (default 1 and 0: the plain sum) map the sum to a prediction;
    ``calibrated`` fits them to measured archs, which absorbs what the sum misses systematically.
    """

    def __init__(self, table: LatencyTable, scale: float = 1.0, offset_ms: float = 0.0):
        if not isinstance(table, LatencyTable):
            raise TypeError(f"AdditivePredictor needs a LatencyTable (build_latency_table()), got "
                            f"{type(table).__name__}")
        if not (math.isfinite(scale) and scale > 0 and math.isfinite(offset_ms)):
            raise ValueError(f"scale must be positive and offset_ms finite, got {scale!r}, "
                             f"{offset_ms!r}")
        self.table, self.scale, self.offset_ms = table, float(scale), float(offset_ms)

    def breakdown(self, arch: Arch | str) -> list[Part]:
        """The parts the sum adds up: fixed parts once, each op and addition per cell."""
        if isinstance(arch, str):
            arch = Arch.from_string(arch)
        if not isinstance(arch, Arch):
            raise TypeError(f"expected an Arch or an NB201 cell string, got {type(arch).__name__}")
        unknown = sorted({op for op in arch.ops if op not in NB201_OPS})
        if unknown:
            raise ValueError(f"unknown op(s) {unknown}; the table has {sorted(NB201_OPS)}")
        t, n = self.table, self.table.cells_per_stage
        ops = Counter(op for _, _, op in arch.edges)
        parts = [Part("stem", 0, 1, t["stem", 0])]
        for s in range(3):
            if s:
                parts.append(Part("reduction", s, 1, t["reduction", s]))
            if n:
                parts += [Part(op, s, n * c, t[op, s]) for op, c in sorted(ops.items())]
                parts.append(Part("add", s, n * len(arch.edges), t["add", s]))
        parts.append(Part("head", 2, 1, t["head", 2]))
        return parts

    def __call__(self, arch: Arch | str) -> float:
        """Predicted latency of ``arch`` in ms."""
        return self.scale * float(sum(p.total_ms for p in self.breakdown(arch))) + self.offset_ms

    def calibrated(self, archs, measured_ms) -> "AdditivePredictor":
        """A predictor whose scale and offset fit ``measured_ms`` of ``archs`` (least squares)."""
        archs = list(archs)
        m = np.asarray(measured_ms, float).ravel()
        if len(archs) != len(m) or len(m) < 2:
            raise ValueError(f"need at least two archs with one measurement each, got {len(archs)} "
                             f"archs and {len(m)} measurements")
        raw = np.array([AdditivePredictor(self.table)(a) for a in archs])
        if np.ptp(raw) == 0:
            return AdditivePredictor(self.table, 1.0, float(np.mean(m - raw)))
        scale, offset = np.polyfit(raw, m, 1)
        if scale <= 0:
            raise ValueError("the measurements fall as the table's sum grows; measure again on a "
                             "quieter machine before calibrating")
        return AdditivePredictor(self.table, float(scale), float(offset))

    def __repr__(self):
        fit = "" if (self.scale, self.offset_ms) == (1.0, 0.0) else \
            f", scale={self.scale:.3g}, offset_ms={self.offset_ms:.3g}"
        return f"AdditivePredictor({self.table!r}{fit})"


class MeasuredLatency:
    """Latency of an arch's NB201 network measured live: a callable ``arch -> median ms``.

    Every arch is measured once (``measured_`` keeps its ``Latency``); ``cost_`` is the seconds the
    last call took, ``total_cost_`` those of all calls; the other arguments as in
    ``measure_latency``, except that ``warn`` warns once, at the first busy measurement.
    Hardware-aware search can use it as the latency of a candidate, like a lookup table but paid
    for in measuring time.
    """

    def __init__(self, channels: int = 16, cells_per_stage: int = 5, input_shape=(1, 3, 32, 32),
                 num_classes: int = 10, device="cpu", threads: int = 1, min_run_time: float = 0.2,
                 max_run_time: float = 5.0, min_blocks: int = 30, clock: str = "wall",
                 seed: int = 0, warn: bool = True):
        self.input_shape = _check_config(channels, cells_per_stage, input_shape, num_classes)
        self.channels, self.cells_per_stage, self.num_classes = channels, cells_per_stage, num_classes
        self.device, self.threads = device, check_threads(threads)
        self.min_run_time, self.max_run_time, self.min_blocks = min_run_time, max_run_time, min_blocks
        self.clock, self.seed, self.warn = clock, check_seed(seed), warn
        self.measured_: dict[Arch, Latency] = {}
        self.cost_ = self.total_cost_ = 0.0
        self._warned = False

    def latency(self, arch: Arch | str) -> Latency:
        """The ``Latency`` of ``arch``, measured now unless it was before."""
        if isinstance(arch, str):
            arch = Arch.from_string(arch)
        start = time.perf_counter()
        if arch not in self.measured_:
            net = build(arch, channels=self.channels, cells_per_stage=self.cells_per_stage,
                        num_classes=self.num_classes, in_channels=self.input_shape[1],
                        seed=self.seed)
            lat = measure_latency(net, self.input_shape, device=self.device, threads=self.threads,
                                  min_run_time=self.min_run_time, max_run_time=self.max_run_time,
                                  min_blocks=self.min_blocks, clock=self.clock, warn=False)
            self.measured_[arch] = lat
            if self.warn and lat.busy and not self._warned:
                self._warned = True  # once per instance: a busy machine stays busy for a while
                warnings.warn(MachineBusyWarning(
                    f"the timings say the machine was busy while measuring {arch}: {lat!r}; "
                    "Latency.busy marks every such arch in measured_"), stacklevel=2)
        self.cost_ = time.perf_counter() - start
        self.total_cost_ += self.cost_
        return self.measured_[arch]

    def __call__(self, arch: Arch | str) -> float:
        """Median latency of ``arch``'s network in ms."""
        return self.latency(arch).median_ms

    def __repr__(self):
        return (f"MeasuredLatency(C={self.channels}, {self.cells_per_stage} cell(s) per stage, "
                f"input {self.input_shape}, {self.device} x{self.threads} thread(s); "
                f"{len(self.measured_)} archs measured in {self.total_cost_:.1f} s)")


@dataclass(frozen=True)
class PredictionError:
    """How far predicted latencies are from measured ones."""

    n: int
    tolerance: float
    within: float          # share of archs predicted within +-tolerance of the measurement
    mean_abs_error: float  # mean of |predicted - measured| / measured
    median_ratio: float    # median of predicted / measured: below 1, the sum underestimates
    rho: float             # Spearman rank correlation of predicted and measured

    def __repr__(self):
        return (f"PredictionError({self.n} archs: {self.within:.0%} within +-{self.tolerance:.0%}, "
                f"mean |error| {self.mean_abs_error:.1%}, predicted/measured median "
                f"{self.median_ratio:.2f}, Spearman rho {self.rho:.2f})")


def prediction_error(predicted, measured, tolerance: float = 0.1) -> PredictionError:
    """Compare predicted with measured latencies (same order, same unit)."""
    p, m = np.asarray(predicted, float).ravel(), np.asarray(measured, float).ravel()
    if len(p) != len(m) or len(p) < 2:
        raise ValueError(f"need at least two predicted and as many measured latencies, got "
                         f"{len(p)} and {len(m)}")
    if not (np.all(m > 0) and np.all(np.isfinite(p))):
        raise ValueError("measured latencies must be positive and predictions finite")
    if not 0 < tolerance < 1:
        raise ValueError(f"tolerance must be a fraction between 0 and 1, e.g. 0.1, got {tolerance!r}")
    rel = (p - m) / m
    return PredictionError(n=len(p), tolerance=tolerance,
                           within=float(np.mean(np.abs(rel) <= tolerance)),
                           mean_abs_error=float(np.mean(np.abs(rel))),
                           median_ratio=float(np.median(p / m)),
                           rho=float(stats.spearmanr(p, m)[0]))
