"""Reading naskit's files and checking them: nothing naskit reads may hand a learner a wrong number.

Every file naskit ships or reads goes through here. A shipped file (one in the shipped data folder)
must have the SHA-256 digest ``MANIFEST.sha256`` records for it, so that an edited or damaged copy
is refused as differing from the shipped one (hashed once per process per file, keyed by its size
and modification time). Every file, shipped or the learner's own, is checked by schema: the keys,
dtypes and shapes of its arrays, ranges and finiteness of its numbers, unique keys, and indices
that agree with each other. A damaged file gives a ValueError that names the file, the field or
line, and how to get a good copy back; never a numpy, torch, json or OS exception, and never
torch's advice to load with ``weights_only=False`` (which would run any code a file holds).
"""
from __future__ import annotations

import csv
import functools
import hashlib
import io
import json
import math
import pathlib
import pickle
import zipfile
import zlib

import numpy as np

__all__ = ["write_atomic", "MANIFEST", "file_digest", "read_manifest", "check_shipped", "restore_hint", "damaged",
           "read_npz", "check_array", "read_text", "read_json", "read_csv", "read_torch",
           "check_unique"]

MANIFEST = "MANIFEST.sha256"
_CHUNK = 1 << 20


def write_atomic(path, write, mode: str = "wb") -> pathlib.Path:
    """Write ``path`` through ``write(file)`` into a temporary file, then rename it over ``path``.

    A reader sees the old file or the whole new one, never a torn write; the new file gets the
    permissions of any file made under the umask (``mkstemp``'s 0600 would hide it from others).
    """
    import os
    import tempfile

    path = pathlib.Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, mode) as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        pathlib.Path(tmp).unlink(missing_ok=True)
        raise
    return path


def file_digest(path) -> str:
    """The SHA-256 hex digest of the file at ``path``."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(_CHUNK), b""):
            h.update(block)
    return h.hexdigest()


@functools.lru_cache(maxsize=128)
def _cached_digest(path: str, size: int, mtime_ns: int) -> str:
    return file_digest(path)  # size and mtime in the key: an edited file is hashed again


def _digest(path: pathlib.Path) -> str:
    st = path.stat()
    return _cached_digest(str(path), st.st_size, st.st_mtime_ns)


def read_manifest(root) -> dict[str, str]:
    """``{relative path: sha256}`` of the manifest in the folder ``root`` (empty if it has none)."""
    path = pathlib.Path(root) / MANIFEST
    if not path.is_file():
        return {}
    st = path.stat()
    return dict(_cached_manifest(str(path), st.st_size, st.st_mtime_ns))


@functools.lru_cache(maxsize=8)
def _cached_manifest(path: str, size: int, mtime_ns: int) -> tuple:
    out = []
    for n, line in enumerate(pathlib.Path(path).read_text().splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        digest, _, name = line.partition("  ")  # the format of sha256sum: `sha256sum -c` reads it
        if len(digest) != 64 or not name:
            raise ValueError(f"{path}, line {n}: not '<sha256>  <file>'; restore it with "
                             f"`git checkout data/{MANIFEST}` or `python benchmarks/data_manifest.py`")
        out.append((name, digest))
    return tuple(out)


def restore_hint(name: str) -> str:
    """How to get a good copy of the shipped file ``name`` (a path relative to the data folder)."""
    return (f"restore it with `git checkout data/{name}` in a source checkout, or reinstall naskit "
            "(`pip install --force-reinstall naskit-edu`)")


def check_shipped(path, root) -> None:
    """A ValueError if ``path`` lies in the shipped folder ``root`` and differs from the shipped copy.

    Files outside ``root`` (a learner's own) and files the manifest does not list are not checked
    here; their schema is.
    """
    path, root = pathlib.Path(path).resolve(), pathlib.Path(root).resolve()
    try:
        name = path.relative_to(root).as_posix()
    except ValueError:
        return
    want = read_manifest(root).get(name)
    if want is None or not path.is_file():
        return
    got = _digest(path)
    if got != want:
        raise ValueError(f"{path} differs from the shipped copy (SHA-256 {got[:12]}..., shipped "
                         f"{want[:12]}...): it was edited or damaged; {restore_hint(name)}")


def damaged(path, where: str, what: str, how: str) -> ValueError:
    """The error for a damaged file: ``path``, the field or line ``where``, ``what`` is wrong, ``how`` to fix."""
    place = f"{path}, {where}" if where else f"{path}"
    return ValueError(f"{place}: {what}; {how}")


# -- numpy archives ------------------------------------------------------------------------------
def read_npz(path, keys, what: str, how_to_make: str) -> dict[str, np.ndarray]:
    """The arrays ``keys`` of the naskit ``what`` file at ``path`` (``how_to_make``: a hint).

    Every member's CRC is checked first: numpy reads a stored array without it, so a flipped bit
    would load as a wrong number.
    """
    path = pathlib.Path(path)
    if not path.exists():
        raise FileNotFoundError(f"the {what} file {path} is missing; {how_to_make}")
    try:
        with zipfile.ZipFile(path) as z:
            bad = z.testzip()
        if bad is not None:
            raise ValueError(f"member {bad} fails its CRC check")
        with np.load(path, allow_pickle=False) as f:
            arrays = {k: f[k] for k in keys if k in f.files}
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, AttributeError,
            KeyError, NotImplementedError) as e:  # truncated, bit-flipped or foreign
        raise ValueError(f"{path}: not a naskit {what} file ({e}); {how_to_make}") from None
    missing = [k for k in keys if k not in arrays]
    if missing:
        raise ValueError(f"{path}: not a naskit {what} file: missing {missing}; {how_to_make}")
    return arrays


def check_array(path, name: str, a: np.ndarray, how: str, kind: str = "f", shape=None,
                low: float = -math.inf, high: float = math.inf, finite: bool = True,
                rows=None) -> np.ndarray:
    """``a`` (the array ``name`` of file ``path``) if its dtype kind is in ``kind`` ('f' float, 'i'
    int, 'u' unsigned), its shape is ``shape`` (None entries: any size) and every value (of
    ``rows``, an index into its first axis, if given) is finite (``finite``) and in [low, high]."""
    if a.dtype.kind not in kind:
        raise damaged(path, name, f"must be {'numbers' if 'f' in kind else 'integers'}, got dtype "
                      f"{a.dtype}", how)
    if shape is not None and (a.ndim != len(shape) or
                              any(s is not None and s != t for s, t in zip(shape, a.shape))):
        want = "(" + ", ".join("any" if s is None else str(s) for s in shape) + ")"
        raise damaged(path, name, f"must have shape {want}, got {a.shape}", how)
    v = a if rows is None else a[rows]
    if a.dtype.kind == "f":
        v = v.astype(np.float64)
        if finite and not np.isfinite(v).all():
            at = np.argwhere(~np.isfinite(v))[0]
            raise damaged(path, name, f"holds {v[tuple(at)]} at {tuple(int(i) for i in at)}; "
                          "every value must be finite", how)
        v = v[np.isfinite(v)]  # not-yet-computed entries (NaN) where they are allowed
    if v.size and (v.min() < low or v.max() > high):
        x = v.min() if v.min() < low else v.max()
        raise damaged(path, name, f"holds {x:g}; values must be in [{low:g}, {high:g}]", how)
    return a


def check_unique(path, name: str, values, how: str) -> None:
    """A damaged-file error if ``values`` (the keys ``name`` of ``path``) repeat one."""
    seen = set()
    for v in values:
        if v in seen:
            raise damaged(path, name, f"{v!r} appears twice; every entry must be unique", how)
        seen.add(v)


# -- text, JSON and CSV ----------------------------------------------------------------------------
def read_text(path, how: str) -> str:
    """The text of ``path`` (UTF-8), or a damaged-file error (missing: FileNotFoundError)."""
    path = pathlib.Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing; {how}")
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as e:
        raise damaged(path, f"byte {e.start}", "not UTF-8 text", how) from None


def read_json(path, how: str, keys=()) -> dict:
    """A JSON object from ``path`` that has at least ``keys``."""
    text = read_text(path, how)
    try:
        value = json.loads(text)
    except json.JSONDecodeError as e:
        raise damaged(path, f"line {e.lineno}", f"not JSON ({e.msg})", how) from None
    if not isinstance(value, dict):
        raise damaged(path, "", f"must hold a JSON object, got {type(value).__name__}", how)
    missing = [k for k in keys if k not in value]
    if missing:
        raise damaged(path, "", f"missing the keys {missing}", how)
    return value


def write_notebook(path, notebook: dict) -> pathlib.Path:
    """Write ``notebook`` (nbformat's JSON) to ``path`` atomically, as Jupyter writes it."""
    text = json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"
    return write_atomic(path, lambda f: f.write(text.encode("utf-8")))


def read_csv(path, header, how: str) -> list[list[str]]:
    """The rows of the CSV file ``path`` whose first line is exactly ``header``.

    Every row has as many fields as the header (a stray field would shift every value after it),
    and the file ends with a line end (a torn last line would read as a shorter number).
    """
    text = read_text(path, how)
    if not text:
        raise damaged(path, "", "empty", how)
    if not text.endswith("\n"):
        raise damaged(path, f"line {text.count(chr(10)) + 1}", "cut off (no line end): the file "
                      "was not written to the end", how)
    rows = list(csv.reader(io.StringIO(text, newline="")))
    names = rows[0] if rows else []
    for name in names:
        if names.count(name) > 1:
            raise damaged(path, "line 1", f"the column {name!r} appears {names.count(name)} times",
                          how)
    if names != list(header):
        raise damaged(path, "line 1", f"the header must be {list(header)}, got {names}", how)
    for n, row in enumerate(rows[1:], 2):
        if len(row) != len(names):
            raise damaged(path, f"line {n}", f"{len(row)} field(s), the header has {len(names)}",
                          how)
    if len(rows) < 2:
        raise damaged(path, "", "no rows", how)
    return rows[1:]


# -- torch files -----------------------------------------------------------------------------------
def read_torch(path, how: str, map_location="cpu"):
    """What ``torch.save`` wrote to ``path``, loaded with ``weights_only=True`` after every member's CRC
    has been checked (torch reads without it, so a flipped bit inside a tensor would load)."""
    import torch

    path = pathlib.Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing; {how}")
    try:
        with zipfile.ZipFile(path) as z:
            bad = z.testzip()
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError) as e:
        raise damaged(path, "", f"not a torch file, or cut off ({type(e).__name__})", how) from None
    if bad is not None:
        raise damaged(path, bad, "fails its CRC check: the file is damaged", how)
    try:
        return torch.load(path, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError:
        # torch's message advises weights_only=False, which would run the file's code: never say it
        raise damaged(path, "", "holds objects other than tensors and plain data, which naskit "
                      "never loads (loading them could run code)", how) from None
    except (RuntimeError, OSError, EOFError, ValueError, KeyError, AttributeError) as e:
        first = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise damaged(path, "", f"not a readable torch file ({first[:160]})", how) from None
