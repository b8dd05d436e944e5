"""Reading naskit's own .npz files: every required array present, or an error that says which.

The embedded benchmark and the precomputed score files are plain NumPy archives written by naskit;
a missing, truncated or foreign file must fail with the file's name and what to do, not with a
KeyError deep inside a lesson.
"""
from __future__ import annotations

import pathlib
import zipfile
import zlib

import numpy as np

__all__ = ["read_npz"]


def read_npz(path, keys, what: str, how_to_make: str) -> dict[str, np.ndarray]:
    """The arrays ``keys`` of the naskit ``what`` file at ``path`` (``how_to_make``: a hint)."""
    path = pathlib.Path(path)
    if not path.exists():
        raise FileNotFoundError(f"the {what} file {path} is missing; {how_to_make}")
    try:
        with np.load(path, allow_pickle=False) as f:
            arrays = {k: f[k] for k in keys if k in f.files}
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, AttributeError,
            KeyError, NotImplementedError) as e:  # truncated, bit-flipped or foreign
        raise ValueError(f"{path}: not a naskit {what} file ({e})") from None
    missing = [k for k in keys if k not in arrays]
    if missing:
        raise ValueError(f"{path}: not a naskit {what} file: missing {missing}")
    return arrays
