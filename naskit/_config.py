"""Settings read from the environment: fast mode and the data folder.

``NASKIT_FAST`` shrinks every budget (epochs, samples, search time) so that the lessons run in
seconds in CI; ``NASKIT_DATA`` names the folder where naskit looks for data it does not embed,
such as NAS-Bench-201 tables (Dong & Yang, ICLR 2020) or downloaded datasets. Nothing here creates
folders or touches the disk: callers decide when to.
"""
from __future__ import annotations

import os
from pathlib import Path

__all__ = ["fast_mode", "data_dir"]

_TRUE = ("1", "true", "yes")
_FALSE = ("", "0", "false", "no")


def fast_mode() -> bool:
    """Whether ``NASKIT_FAST`` asks for small budgets (``1``, ``true`` or ``yes``)."""
    value = os.environ.get("NASKIT_FAST", "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"NASKIT_FAST={os.environ['NASKIT_FAST']!r} is not understood; "
                     f"use one of {list(_TRUE)} to turn fast mode on or {list(_FALSE[1:])} to turn it off")


def data_dir() -> Path:
    """The data folder: ``$NASKIT_DATA`` if set, else ``naskit`` in the user cache folder."""
    folder = os.environ.get("NASKIT_DATA", "")
    if folder:
        return Path(folder).expanduser()
    cache = os.environ.get("XDG_CACHE_HOME", "")
    # The XDG spec says to ignore a relative XDG_CACHE_HOME.
    base = Path(cache) if cache and Path(cache).is_absolute() else Path.home() / ".cache"
    return base / "naskit"
