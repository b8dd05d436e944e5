"""Settings read from the environment: fast mode, the data folder and projector fonts.

``NASKIT_FAST`` shrinks every budget (epochs, samples, search time) so that the lessons run in
seconds in CI; ``NASKIT_DATA`` names the folder where naskit looks for data it does not embed,
such as NAS-Bench-201 tables (Dong & Yang, ICLR 2020) or downloaded datasets. Nothing here creates
folders or touches the disk: callers decide when to. ``NASKIT_PROJECTOR`` (set by ``make demo``)
enlarges the fonts of the widgets' figures for a lecture room: widgets pass their matplotlib
settings through ``figure_rc``.
"""
from __future__ import annotations

import os
from pathlib import Path

__all__ = ["fast_mode", "data_dir", "projector_mode", "figure_rc"]

_TRUE = ("1", "true", "yes")
_FALSE = ("", "0", "false", "no")


def _flag(name: str, what: str) -> bool:
    value = os.environ.get(name, "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"{name}={os.environ[name]!r} is not understood; "
                     f"use one of {list(_TRUE)} to turn {what} on or {list(_FALSE[1:])} to turn it off")


def fast_mode() -> bool:
    """Whether ``NASKIT_FAST`` asks for small budgets (``1``, ``true`` or ``yes``)."""
    return _flag("NASKIT_FAST", "fast mode")


def projector_mode() -> bool:
    """Whether ``NASKIT_PROJECTOR`` asks for figures readable on a projector (``1``, ``true``, ``yes``)."""
    return _flag("NASKIT_PROJECTOR", "projector fonts")


# How much larger a projector's fonts are than a screen's: the back row sees the figure smaller.
PROJECTOR_SCALE = 1.4
_FONT_KEYS = ("font.size", "axes.titlesize", "axes.labelsize", "xtick.labelsize", "ytick.labelsize",
              "legend.fontsize", "figure.titlesize")


def figure_rc(rc: dict | None = None) -> dict:
    """``rc`` (matplotlib settings) as given, or with every numeric font size scaled for a projector.

    Read when a figure is drawn, so ``NASKIT_PROJECTOR`` applies from the next redraw. In projector
    mode a ``font.size`` is always set (10, matplotlib's default, when ``rc`` has none).
    """
    rc = dict(rc or {})
    if not projector_mode():
        return rc
    rc.setdefault("font.size", 10)
    for key in _FONT_KEYS:
        if isinstance(rc.get(key), (int, float)) and not isinstance(rc[key], bool):
            rc[key] = round(rc[key] * PROJECTOR_SCALE, 1)
    return rc


def data_dir() -> Path:
    """The data folder: ``$NASKIT_DATA`` if set, else ``naskit`` in the user cache folder."""
    folder = os.environ.get("NASKIT_DATA", "")
    if folder:
        return Path(folder).expanduser()
    cache = os.environ.get("XDG_CACHE_HOME", "")
    # The XDG spec says to ignore a relative XDG_CACHE_HOME.
    base = Path(cache) if cache and Path(cache).is_absolute() else Path.home() / ".cache"
    return base / "naskit"
