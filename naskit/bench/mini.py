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

from .._npz import read_npz
from .._config import shipped_data_dir, shipped_file
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
    a = read_npz(path, _KEYS, "benchmark", _HOW)
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
    bench.meta = json.loads(str(a["meta"]))
    return bench
