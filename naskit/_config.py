"""Settings read from the environment, and the two places naskit finds data.

``NASKIT_FAST`` shrinks every budget (epochs, samples, search time) so that the lessons run in
seconds in CI.

naskit reads data from two folders that mean different things:

- ``shipped_data_dir()``: the files that come with naskit (the embedded data set
  ``cluttered-mnist.npz``, the mini benchmark ``nb201-mini.npz``, the one-shot runs and the OFA
  supernet). A wheel or ``pip install .`` puts them in ``naskit/data``; a source checkout keeps
  them in ``data/`` beside the package. Loaders ask ``shipped_file(name)``, which fails with a
  message saying how to get a missing file.
- ``user_data_dir()``: the learner's own folder, ``$NASKIT_DATA`` or ``naskit`` in the user cache
  folder, for what naskit does not ship, such as a larger NAS-Bench-201 table of the learner's own.

``NASKIT_PROJECTOR`` (set by ``make demo``) enlarges the fonts of the widgets' figures for a
lecture room (``figure_rc``).

Nothing here creates folders or writes to the disk: callers decide when to.
"""
from __future__ import annotations

import os
from pathlib import Path

__all__ = ["DISTRIBUTION", "fast_mode", "user_data_dir", "shipped_data_dir", "shipped_file",
           "shipped_lessons_dir", "find_lesson", "projector_mode", "figure_rc"]

# The name to `pip install` (the import name is naskit; "naskit" on PyPI is an unrelated library).
DISTRIBUTION = "naskit-edu"

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


def user_data_dir() -> Path:
    """The learner's data folder: ``$NASKIT_DATA`` if set, else ``naskit`` in the user cache folder."""
    folder = os.environ.get("NASKIT_DATA", "")
    if folder:
        return Path(folder).expanduser()
    cache = os.environ.get("XDG_CACHE_HOME", "")
    # The XDG spec says to ignore a relative XDG_CACHE_HOME.
    base = Path(cache) if cache and Path(cache).is_absolute() else Path.home() / ".cache"
    return base / "naskit"



_PACKAGE = Path(__file__).resolve().parent
_INSTALLED = _PACKAGE / "data"        # wheel, pip install .: package data
_CHECKOUT = _PACKAGE.parent / "data"  # source checkout (and editable installs): data/ beside naskit/


def shipped_data_dir() -> Path:
    """The folder of the files naskit ships: ``naskit/data`` when installed, else the checkout's ``data/``."""
    return _INSTALLED if _INSTALLED.is_dir() or not _CHECKOUT.is_dir() else _CHECKOUT


def shipped_file(name: str, how: str = "") -> Path:
    """The path of the shipped file ``name``; a FileNotFoundError saying how to get it if it is missing.

    ``how``: a hint for rebuilding the file, added to the message.
    """
    path = shipped_data_dir() / name
    if not path.is_file():
        rebuild = f", or {how}" if how else ""
        raise FileNotFoundError(
            f"naskit's shipped file {name} is missing (looked in {path.parent}); it comes inside "
            f"the naskit wheel (naskit/data) and in data/ of a source checkout: reinstall naskit "
            f"(`pip install --force-reinstall {DISTRIBUTION}`, or `pip install .` in a checkout){rebuild}")
    return path


def shipped_lessons_dir() -> Path:
    """The folder of the lessons: ``naskit/lessons`` when installed, else the checkout's ``lessons/``."""
    installed, checkout = _PACKAGE / "lessons", _PACKAGE.parent / "lessons"
    return installed if installed.is_dir() or not checkout.is_dir() else checkout


def find_lesson(name: str, files) -> Path:
    """The lesson among ``files`` (paths) named ``name``: its number (``06``) or file name."""
    lessons = [p for p in files if p.suffix == ".ipynb"]
    chosen = [p for p in lessons if name in (p.name, p.name.split("_")[0])]
    if len(chosen) != 1:
        raise ValueError(f"no lesson {name!r}; name one by number or file name: "
                         f"{[p.name for p in lessons]}")
    return chosen[0]
