"""naskit's one progress bar, for every loop that can take more than a few seconds.

tqdm's notebook widget in Jupyter, text in a terminal, and none inside a Voila app: Voila shows a
cell's outputs once the cell has run, when a finished bar's widget has already been closed, so the
page would show "Error displaying widget: model not found" where each bar was.
"""
from __future__ import annotations

import os

from tqdm.auto import tqdm

__all__ = ["progress_bar", "in_voila", "tqdm"]


def in_voila() -> bool:
    """Whether this kernel runs a notebook for Voila (Voila sets these in the kernel's environment)."""
    return "VOILA_KERNEL_ID" in os.environ or "VOILA_BASE_URL" in os.environ


def progress_bar(progress, iterable=None, *, total=None, desc: str, unit: str, leave: bool = False,
                 **kwargs):
    """A tqdm bar over ``iterable`` or to ``total`` when ``progress`` is true (and not in Voila),
    else None. Remaining keywords go to tqdm."""
    if not progress or in_voila():
        return None
    return tqdm(iterable, total=total, desc=desc, unit=unit, leave=leave, **kwargs)
