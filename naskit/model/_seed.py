"""Seeded construction: weights drawn from a generator of the call's own, global state untouched."""
from __future__ import annotations

from typing import Callable, TypeVar

import torch

T = TypeVar("T")


def seeded(seed: int | None, make: Callable[[], T]) -> T:
    """Run ``make()`` with torch's generator seeded by ``seed``; restore the global state after."""
    if seed is None:
        return make()
    if not isinstance(seed, int):
        raise TypeError(f"seed must be an int or None, got {type(seed).__name__}")
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return make()
