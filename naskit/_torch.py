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
