"""Argument checks and the guarded forward pass shared by the hardware modules."""
from __future__ import annotations

import torch
from torch import nn

from .._checks import check_int, is_int

#: Bounds of what a user may ask for: past these a request is a typo, not a measurement.
MAX_SIZE, MAX_THREADS = 2 ** 20, 1024


def check_shape(input_shape) -> tuple[int, ...]:
    """``input_shape`` as a tuple of positive ints (numpy integers too; 16.5 or "16" are not)."""
    if isinstance(input_shape, (str, bytes)) or not hasattr(input_shape, "__iter__"):
        raise ValueError(f"input_shape must be a tuple of ints like (1, 3, 32, 32), "
                         f"got {input_shape!r}")
    shape = tuple(input_shape)
    if not all(is_int(s) for s in shape):
        raise ValueError(f"input_shape must be a tuple of ints like (1, 3, 32, 32), "
                         f"got {input_shape!r}")
    if len(shape) < 2 or any(s < 1 for s in shape) or any(s > MAX_SIZE for s in shape):
        raise ValueError(f"input_shape must be (batch, channels, ...) with positive sizes up to {MAX_SIZE}, "
                         f"got {input_shape!r}")
    return tuple(int(s) for s in shape)


def check_threads(threads) -> int:
    if threads is None:
        return torch.get_num_threads()
    return check_int(threads, "threads (or None: torch's current count)", maximum=MAX_THREADS)


def _expected_channels(net: nn.Module) -> int | None:
    for m in net.modules():
        if isinstance(m, (nn.Conv1d, nn.Conv2d, nn.Conv3d)):
            return m.in_channels
        if isinstance(m, nn.Linear):
            return m.in_features
    return None


def forward(net: nn.Module, x: torch.Tensor, shape: tuple[int, ...]):
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
