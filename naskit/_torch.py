"""Small torch helpers shared by the packages that handle networks."""
from __future__ import annotations

import torch
from torch import nn


def device_of(net: nn.Module) -> torch.device:
    """The device of a network's first parameter (or buffer); CPU for a network with neither."""
    for t in net.parameters():
        return t.device
    for t in net.buffers():
        return t.device
    return torch.device("cpu")


def check_device(device) -> torch.device:
    """``device`` as a torch.device naskit can run on (cpu, cuda, cuda:N), else a ValueError saying so."""
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
