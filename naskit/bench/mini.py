"""The embedded mini benchmark: every NB201 cell trained on the embedded cluttered digits.

Built by ``naskit build-bench`` (see data/README.md for the recipe and its measured noise); one
representative per functional isomorphism class was trained and its record is shared by the
class. Per arch it holds per-epoch training loss, the loss of every minibatch, validation accuracy
and loss, the final test accuracy, params, FLOPs and training seconds per epoch, for seed 0 and, on a random subset of
classes, further seeds that measure the noise ceiling of any estimator.
"""
from __future__ import annotations

import json
import pathlib

import numpy as np

from .._config import shipped_data_dir, shipped_file
from .._files import check_array, check_shipped, damaged, read_npz, restore_hint
from ..space import NB201Space
from .base import Benchmark

__all__ = ["MINI_FILE", "load_mini"]

MINI_FILE = shipped_data_dir() / "nb201-mini.npz"
_HOW = "build it with `naskit build-bench` (see data/README.md)"
_KEYS = ("train_loss", "step_loss", "valid_acc", "valid_loss", "test_acc", "seconds_per_epoch",
         "eval_seconds", "params", "flops", "representative", "meta")


def load_mini(path=None) -> Benchmark:
    """The embedded benchmark: seed 0 serves queries; all seeds are in ``*_seeds`` columns."""
    path = pathlib.Path(path) if path else shipped_file(MINI_FILE.name, _HOW)
    check_shipped(path, shipped_data_dir())
    how = f"{restore_hint(MINI_FILE.name)}, or {_HOW}" if path.name == MINI_FILE.name else _HOW
    a = read_npz(path, _KEYS, "benchmark", how)
    meta = _check(path, a, len(NB201Space()), how)
    acc = a["valid_acc"][0]
    epochs = acc.shape[1]
    seeds = lambda x: np.moveaxis(x, 0, 1)  # (seeds, n, ...) -> (n, seeds, ...): rows are archs
    columns = dict(params=a["params"], flops=a["flops"], representative=a["representative"],
                   train_loss=a["train_loss"][0], valid_loss=a["valid_loss"][0],
                   step_loss=a["step_loss"][0].astype(np.float32),
                   valid_acc_curve=acc, valid_acc_seeds=seeds(a["valid_acc"]),
                   valid_loss_seeds=seeds(a["valid_loss"]), test_acc_seeds=seeds(a["test_acc"]))
    bench = Benchmark("mini", NB201Space(), {e: acc[:, e - 1] for e in range(1, epochs + 1)},
                      {epochs: a["test_acc"][0]}, seconds_per_epoch=a["seconds_per_epoch"],
                      eval_seconds=a["eval_seconds"], columns=columns, source=str(path))
    bench.meta = meta
    return bench


def _check(path, a: dict, n: int, how: str) -> dict:
    """Dtypes, shapes, ranges and class consistency of a benchmark file's arrays; its meta."""
    seeds, epochs = a["valid_acc"].shape[0] if a["valid_acc"].ndim == 3 else 0, None
    if not seeds or a["valid_acc"].shape[2] < 1:
        raise damaged(path, "valid_acc", f"must have shape (seeds, {n}, epochs), got "
                      f"{a['valid_acc'].shape}", how)
    epochs = a["valid_acc"].shape[2]
    # seed 0 serves every query: all of it is finite; the further seeds were run on a subset of
    # the classes, the rest is NaN
    for key, shape, high in (("valid_acc", (seeds, n, epochs), 100), ("test_acc", (seeds, n), 100),
                             ("train_loss", (seeds, n, epochs), np.inf),
                             ("valid_loss", (seeds, n, epochs), np.inf),
                             ("step_loss", (seeds, n, None), np.inf)):
        check_array(path, key, a[key], how, "f", shape, 0, high, rows=0)
        check_array(path, key, a[key], how, "f", shape, 0, high, finite=False)
        if np.isinf(a[key]).any():
            raise damaged(path, key, "holds an infinite value", how)
    for key in ("seconds_per_epoch", "eval_seconds"):
        check_array(path, key, a[key], how, "f", (n,), 0)
    for key in ("params", "flops"):
        check_array(path, key, a[key], how, "iu", (n,), 0)
    rep = check_array(path, "representative", a["representative"], how, "iu", (n,), 0, n - 1)
    if (rep[rep] != rep).any():
        i = int(np.flatnonzero(rep[rep] != rep)[0])
        raise damaged(path, "representative", f"arch {i} names {rep[i]} as its class's "
                      f"representative, which is not one itself", how)
    # the members of a class share its runs: a row that differs from its representative's has
    # been changed, or the representative index has
    for key in ("valid_acc", "test_acc"):
        seed0 = a[key][0]
        differs = np.flatnonzero((seed0 != seed0[rep]).reshape(n, -1).any(axis=1))
        if len(differs):
            i = int(differs[0])
            raise damaged(path, key, f"arch {i} differs from its class's representative "
                          f"{int(rep[i])}; the members of a class share one run", how)
    try:
        meta = json.loads(str(a["meta"]))
    except json.JSONDecodeError as e:
        raise damaged(path, "meta", f"not JSON ({e.msg})", how) from None
    if not isinstance(meta, dict):
        raise damaged(path, "meta", "must be a JSON object", how)
    return meta
