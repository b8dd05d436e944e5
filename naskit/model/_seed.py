"""Seeded construction: weights drawn from a generator of the call's own, global state untouched."""
from __future__ import annotations

from typing import Callable, TypeVar

import torch

from .._checks import check_seed

T = TypeVar("T")


def seeded(seed: int | None, make: Callable[[], T]) -> T:
    """Run ``make()`` with torch's generator seeded by ``seed``; restore the global state after."""
    seed = check_seed(seed, allow_none=True)
    if seed is None:
        return make()
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return make()
