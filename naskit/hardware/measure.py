"""Measured latency: a distribution with its statistics and the machine it was taken on.

Hardware-aware NAS (HW-NAS-Bench, Li et al., ICLR 2021; HELP, Lee et al., NeurIPS 2021) ranks
architectures by what they cost on a device, and that cost has to be measured. A measurement is a
distribution: warm up first (caches, allocator, lazy kernel selection), time the net in blocks of
calls until the median is pinned down (the adaptive idea of ``torch.utils.benchmark``'s
``blocked_autorange``), synchronise an accelerator with CUDA events, and report the median with a
confidence interval, the interquartile range, the threads, the batch size and the environment.
When the spread, or the share of the wall time this thread actually ran, says that other programs
took the CPU, ``measure_latency`` warns (``MachineBusyWarning``).
"""
from __future__ import annotations

import copy
import functools
import math
import os
import platform
import time
import warnings
from dataclasses import dataclass, field

import numpy as np
import torch
from scipy import stats
from torch import nn

from .._checks import check_int, check_positive, check_range
from .._torch import check_device, device_of
from ._util import check_shape, check_threads, forward

MAX_BLOCKS = 100_000  # timed blocks (and warm-up calls): past this a measurement takes hours

__all__ = ["Environment", "environment", "Latency", "MachineBusyWarning", "measure_latency",
           "median_ci"]

# A quiet core runs this thread ~100% of the wall time (measured 0.995-1.001 here); with two other
# programs spinning on a 2-core machine it got 0.68. IQR above a quarter of the median: the timings
# do not describe one state of the machine (quiet runs here: 2-5%).
BUSY_CPU_SHARE = 0.9
BUSY_SPREAD = 0.25
_CLOCKS = ("wall", "cpu")


class MachineBusyWarning(UserWarning):
    """The timings say that other work shared the machine: treat the latency as approximate."""


@dataclass(frozen=True)
class Environment:
    """What a latency was measured on: library versions and the processor."""

    torch: str
    python: str
    system: str
    cpu: str
    cores: int
    gpu: str | None = None

    def __repr__(self):
        gpu = f", gpu={self.gpu!r}" if self.gpu else ""
        return (f"Environment(torch {self.torch}, python {self.python}, {self.system}, "
                f"cpu={self.cpu!r} x{self.cores} cores{gpu})")


@functools.lru_cache(maxsize=1)
def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def environment(device="cpu") -> Environment:
    """The environment record of ``device`` ('cpu', 'cuda', 'cuda:N'): versions, CPU, GPU name."""
    dev = check_device(device)
    gpu = torch.cuda.get_device_name(dev) if dev.type == "cuda" else None
    return Environment(torch=torch.__version__, python=platform.python_version(),
                       system=f"{platform.system()} {platform.machine()}", cpu=_cpu_model(),
                       cores=os.cpu_count() or 1, gpu=gpu)


def median_ci(n: int, confidence: float = 0.95) -> tuple[int, int, float]:
    """0-based ranks ``(lo, hi)`` of the sorted sample that bracket the median, and their coverage.

    Distribution-free (the count of samples below the median is Binomial(n, 1/2)): the widest
    symmetric pair of order statistics whose coverage is at least ``confidence``; with too few
    samples for that, the minimum and maximum (coverage below ``confidence``).
    """
    if n < 1:
        raise ValueError(f"need at least one sample, got n={n}")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence!r}")
    # coverage of [x_(l), x_(n+1-l)] (1-based) is 1 - 2 P(B <= l - 1); it falls as l grows
    ls = np.arange(1, (n + 1) // 2 + 1)
    ok = np.flatnonzero(1 - 2 * stats.binom.cdf(ls - 1, n, 0.5) >= confidence)
    l = int(ls[ok[-1]]) if len(ok) else 1
    coverage = 1 - 2 * stats.binom.cdf(l - 1, n, 0.5)
    return l - 1, n - l, float(coverage)


@dataclass(frozen=True)
class Latency:
    """A latency measurement: median and spread of the time of one forward pass.

    ``times_ms`` holds one value per timed block (the block's time divided by its
    ``number_per_block`` calls); the statistics are over those values. ``cpu_share`` is the
    thread's CPU time over the wall time (one thread on a CPU only; None otherwise).
    """

    median_ms: float
    iqr_ms: float
    mean_ms: float
    n_runs: int
    device: str
    batch_size: int
    threads: int
    ci_ms: tuple[float, float] = (math.nan, math.nan)
    confidence: float = math.nan
    times_ms: tuple[float, ...] = field(default=(), repr=False)
    number_per_block: int = 1
    cpu_share: float | None = None
    clock: str = "wall"
    environment: Environment | None = field(default=None, repr=False)

    @property
    def spread(self) -> float:
        """IQR relative to the median."""
        return self.iqr_ms / self.median_ms if self.median_ms > 0 else math.nan

    @property
    def busy(self) -> bool:
        """Whether the timings say other work shared the machine (see ``MachineBusyWarning``)."""
        low_share = self.cpu_share is not None and self.cpu_share < BUSY_CPU_SHARE
        return bool(low_share or self.spread > BUSY_SPREAD)

    def __repr__(self) -> str:
        threads = f"x{self.threads} thread{'s' if self.threads != 1 else ''}"
        ci = "" if math.isnan(self.ci_ms[0]) else \
            f" [{self.ci_ms[0]:.3g}, {self.ci_ms[1]:.3g}] {self.confidence:.0%} CI"
        blocks = f" in {len(self.times_ms)} blocks" if self.times_ms else ""
        busy = ""
        if self.busy:
            share = "" if self.cpu_share is None else f", cpu share {self.cpu_share:.2f}"
            busy = f", BUSY (IQR {self.spread:.0%} of the median{share})"
        clock = "" if self.clock == "wall" else ", cpu clock"
        return (f"Latency({self.median_ms:.3g} ms median{ci}, IQR {self.iqr_ms:.2g} ms, "
                f"{self.n_runs} runs{blocks}, {self.device} {threads}, batch "
                f"{self.batch_size}{clock}{busy})")


def measure_latency(net: nn.Module, input_shape=(1, 3, 32, 32), device="cpu", threads=None,
                    min_run_time: float = 0.2, warmup: int = 3, min_blocks: int = 30,
                    max_run_time: float = 5.0, rel_ci: float = 0.05, block_time: float = 0.005,
                    confidence: float = 0.95, clock: str = "wall", warn: bool = True) -> Latency:
    """Time the forward pass of ``net`` on ``device`` (inference: eval mode, no gradients).

    After ``warmup`` untimed calls the net runs in blocks of calls (as many as fill ``block_time``
    seconds), block after block until there are ``min_blocks`` blocks, ``min_run_time`` seconds
    have passed and the ``confidence`` interval of the median is within ``rel_ci`` of it, or until
    ``max_run_time``. On CUDA each block is timed with CUDA events (the GPU runs asynchronously, so
    a host clock would time the launches). ``threads`` (default: torch's current setting) is the
    number of CPU threads, set for the measurement and restored after. A net that has to move to
    ``device`` is copied first, so the caller's net stays where it is. ``clock``: 'wall' (the
    latency a user waits) or 'cpu' (the thread's CPU time, one thread on a CPU only: what the wall
    time would be if no other program took the core; steadier on a shared machine, blind to the
    waiting). ``warn``: warn with a ``MachineBusyWarning`` when the result says the machine was busy.
    """
    shape = check_shape(input_shape)
    dev = check_device(device)
    threads = check_threads(threads)
    for name, value in (("min_run_time", min_run_time), ("max_run_time", max_run_time),
                        ("block_time", block_time)):
        check_positive(value, f"{name} (seconds)")
    check_int(warmup, "warmup", 0, MAX_BLOCKS)
    check_int(min_blocks, "min_blocks", 2, MAX_BLOCKS)
    check_positive(rel_ci, "rel_ci (a fraction of the median, e.g. 0.05)")
    check_range(confidence, "confidence", 0, 1, low_open=True, high_open=True)
    if clock not in _CLOCKS:
        raise ValueError(f"unknown clock {clock!r}; choose from {list(_CLOCKS)}")
    if clock == "cpu" and (dev.type != "cpu" or threads != 1):
        raise ValueError(f"clock='cpu' times one thread on a CPU; got device={str(dev)!r}, "
                         f"threads={threads} (use clock='wall')")
    max_run_time = max(max_run_time, min_run_time)

    model = net if device_of(net) == dev else copy.deepcopy(net).to(dev)
    was_training = model.training
    before = torch.get_num_threads()
    model.eval()
    x = torch.zeros(shape, device=dev)
    try:
        torch.set_num_threads(threads)
        with torch.no_grad():
            forward(model, x, shape)  # fails here, with a clear message, on a wrong shape
            times, cpu, number = _time_blocks(model, x, dev, threads, warmup, min_blocks,
                                              min_run_time, max_run_time, rel_ci, block_time,
                                              confidence, clock)
    finally:
        torch.set_num_threads(before)
        model.train(was_training)
    t = np.sort(np.asarray(times)) * 1e3
    lo, hi, coverage = median_ci(len(t), confidence)
    q1, med, q3 = np.percentile(t, [25, 50, 75])
    lat = Latency(median_ms=float(med), iqr_ms=float(q3 - q1), mean_ms=float(t.mean()),
                  n_runs=len(times) * number, device=str(dev), batch_size=shape[0],
                  threads=threads, ci_ms=(float(t[lo]), float(t[hi])), confidence=coverage,
                  times_ms=tuple(float(v) * 1e3 for v in times), number_per_block=number,
                  cpu_share=cpu, clock=clock, environment=environment(dev))
    if warn and lat.busy:
        warnings.warn(MachineBusyWarning(
            f"the timings say the machine was busy: {lat!r}. Other programs took the CPU; close "
            "them and measure again, or read this latency as approximate"), stacklevel=2)
    return lat


def _time_blocks(model, x, dev, threads, warmup, min_blocks, min_run_time, max_run_time, rel_ci,
                 block_time, confidence, clock):
    """Per-call seconds of each block, the thread's CPU share (one thread on CPU), calls per block."""
    cuda = dev.type == "cuda"
    for _ in range(warmup):
        model(x)
    if cuda:
        torch.cuda.synchronize(dev)
    # calibrate: calls per block so that a block lasts about block_time
    t0 = time.perf_counter()
    model(x)
    if cuda:
        torch.cuda.synchronize(dev)
    one = max(time.perf_counter() - t0, 1e-7)
    number = max(1, min(10_000, int(block_time / one)))

    times: list[float] = []
    wall = cpu = 0.0
    start = time.perf_counter()
    while True:
        if cuda:
            begin, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            begin.record()
            for _ in range(number):
                model(x)
            end.record()
            end.synchronize()
            times.append(begin.elapsed_time(end) / 1e3 / number)
        else:
            c0, w0 = time.thread_time(), time.perf_counter()
            for _ in range(number):
                model(x)
            w1, c1 = time.perf_counter(), time.thread_time()
            times.append(((w1 - w0) if clock == "wall" else (c1 - c0)) / number)
            wall, cpu = wall + (w1 - w0), cpu + (c1 - c0)
        elapsed = time.perf_counter() - start
        if elapsed >= max_run_time:
            break
        if len(times) >= min_blocks and elapsed >= min_run_time:
            t = np.sort(times)
            lo, hi, _ = median_ci(len(t), confidence)
            med = float(np.median(t))
            if max(med - t[lo], t[hi] - med) <= rel_ci * med:
                break
    # thread_time counts this thread only, which is all the work when torch runs on one thread
    share = cpu / wall if (not cuda and threads == 1 and wall > 0) else None
    return times, share, number
