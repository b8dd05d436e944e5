"""Hardware cost of a network: parameters, FLOPs and measured latency.

Hardware-aware NAS (HW-NAS-Bench, Li et al., ICLR 2021; HELP, Lee et al., NeurIPS 2021) ranks
architectures by what they cost on a device, not only by accuracy. Parameters and FLOPs are cheap
proxies computed from the network alone; latency has to be measured, and a measurement is a
distribution: warm up first, synchronise the accelerator, time many runs and report the median and
spread, with the device, threads and batch size it was taken on. ``count_params`` counts as
NAS-Bench-201 does (Dong & Yang, ICLR 2020); ``count_flops`` uses PyTorch's ``FlopCounterMode``;
``measure_latency`` uses ``torch.utils.benchmark.Timer``.
"""
from __future__ import annotations

import copy
import logging
from dataclasses import dataclass

import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode


def _benchmark():
    """torch.utils.benchmark, imported on first use without its CUDA-toolkit warning."""
    # A CUDA build of torch on a machine without the toolkit logs a warning on this import;
    # it is irrelevant to timing and would clutter every lesson that measures latency.
    log = logging.getLogger("torch.utils.cpp_extension")
    level = log.level
    log.setLevel(logging.ERROR)
    try:
        from torch.utils import benchmark
    finally:
        log.setLevel(level)
    return benchmark

__all__ = ["count_params", "count_flops", "measure_latency", "Latency"]


def count_params(net: nn.Module) -> int:
    """Number of parameters (NAS-Bench-201's "params": every tensor in ``named_parameters``)."""
    return sum(p.numel() for _, p in net.named_parameters())


def count_flops(net: nn.Module, input_shape=(1, 3, 32, 32)) -> int:
    """FLOPs of one forward pass: 2 per multiply-add of every convolution and matrix product.

    Only convolutions and linear layers (matrix products) are counted; biases, BatchNorm,
    activations, pooling and additions are not. Many papers, NAS-Bench-201 among them, report
    multiply-adds ("FLOPs (M)" there), so their numbers are about half of ours; the
    zero-cost table of NAS-Bench-Suite-Zero also adds BatchNorm, ReLU and pooling (see the tests).
    The net runs once in eval mode under ``torch.no_grad`` and gets its training mode back.
    """
    shape = _check_shape(input_shape)
    device = _device_of(net)
    was_training = net.training
    net.eval()
    try:
        with FlopCounterMode(display=False) as counter, torch.no_grad():
            _forward(net, torch.zeros(shape, device=device), shape)
    finally:
        net.train(was_training)
    return int(counter.get_total_flops())


@dataclass(frozen=True)
class Latency:
    """A latency measurement: median and spread of the time of one forward pass."""

    median_ms: float
    iqr_ms: float
    mean_ms: float
    n_runs: int
    device: str
    batch_size: int
    threads: int

    def __repr__(self) -> str:
        threads = f"x{self.threads} thread{'s' if self.threads != 1 else ''}"
        return (f"Latency({self.median_ms:.3g} ms median, IQR {self.iqr_ms:.2g} ms, "
                f"{self.n_runs} runs, {self.device} {threads}, batch {self.batch_size})")


def measure_latency(net: nn.Module, input_shape=(1, 3, 32, 32), device="cpu", threads=None,
                    min_run_time: float = 0.2, warmup: int = 3) -> Latency:
    """Time the forward pass of ``net`` on ``device`` (inference: eval mode, no gradients).

    ``torch.utils.benchmark.Timer.blocked_autorange`` runs the net in blocks of several calls for at
    least ``min_run_time`` seconds and synchronises CUDA; median, IQR and mean are over the blocks'
    per-call times and ``n_runs`` counts every timed call. ``threads`` (default: torch's current
    setting) is the number of CPU threads used. A net that has to move to ``device`` is copied
    first, so the caller's net stays where it is; one already there is used as is.
    """
    shape = _check_shape(input_shape)
    dev = _check_device(device)
    if threads is None:
        threads = torch.get_num_threads()
    if not isinstance(threads, int) or threads < 1:
        raise ValueError(f"threads must be a positive int or None, got {threads!r}")
    if min_run_time <= 0:
        raise ValueError(f"min_run_time must be positive (seconds), got {min_run_time!r}")
    if not isinstance(warmup, int) or warmup < 0:
        raise ValueError(f"warmup must be an int >= 0, got {warmup!r}")

    model = net if _device_of(net) == dev else copy.deepcopy(net).to(dev)
    was_training = model.training
    model.eval()
    x = torch.zeros(shape, device=dev)
    try:
        with torch.no_grad():
            _forward(model, x, shape)  # fails here, with a clear message, on a wrong shape
            for _ in range(warmup):
                model(x)
            timer = _benchmark().Timer("model(x)", globals={"model": model, "x": x},
                                    num_threads=threads)
            m = timer.blocked_autorange(min_run_time=min_run_time)
    finally:
        model.train(was_training)
    return Latency(median_ms=m.median * 1e3, iqr_ms=m.iqr * 1e3, mean_ms=m.mean * 1e3,
                   n_runs=len(m.times) * m.number_per_run, device=str(dev),
                   batch_size=shape[0], threads=threads)


# -- helpers ---------------------------------------------------------------------------------
def _check_shape(input_shape) -> tuple[int, ...]:
    try:
        shape = tuple(int(s) for s in input_shape)
    except (TypeError, ValueError):
        raise ValueError(f"input_shape must be a tuple of ints like (1, 3, 32, 32), "
                         f"got {input_shape!r}") from None
    if len(shape) < 2 or any(s < 1 for s in shape):
        raise ValueError(f"input_shape must be (batch, channels, ...) with positive sizes, "
                         f"got {input_shape!r}")
    return shape


def _check_device(device) -> torch.device:
    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError):
        raise ValueError(f"unknown device {device!r}; use 'cpu', 'cuda' or 'cuda:N'") from None
    if dev.type not in ("cpu", "cuda"):
        raise ValueError(f"device {device!r} is not supported; use 'cpu', 'cuda' or 'cuda:N'")
    if dev.type == "cuda":
        if not torch.cuda.is_available():
            raise ValueError(f"device {device!r} asked for, but CUDA is not available on this "
                             "machine; use device='cpu'")
        if dev.index is not None and dev.index >= torch.cuda.device_count():
            raise ValueError(f"device {device!r} does not exist; this machine has "
                             f"{torch.cuda.device_count()} CUDA device(s)")
        if dev.index is None:
            dev = torch.device("cuda", torch.cuda.current_device())
    return dev


def _device_of(net: nn.Module) -> torch.device:
    for t in net.parameters():
        return t.device
    for t in net.buffers():
        return t.device
    return torch.device("cpu")


def _expected_channels(net: nn.Module) -> int | None:
    for m in net.modules():
        if isinstance(m, (nn.Conv1d, nn.Conv2d, nn.Conv3d)):
            return m.in_channels
        if isinstance(m, nn.Linear):
            return m.in_features
    return None


def _forward(net: nn.Module, x: torch.Tensor, shape: tuple[int, ...]):
    try:
        return net(x)
    except torch.OutOfMemoryError:
        raise
    except RuntimeError as err:
        channels = _expected_channels(net)
        hint = "" if channels is None else (f"; its first layer expects {channels} input "
                                            f"channels, e.g. {(shape[0], channels, *shape[2:])}")
        raise ValueError(f"input_shape {shape} does not fit the net{hint} "
                         f"(PyTorch said: {err})") from err
