"""Scores computed once and looked up later: a zero-cost proxy over a whole space, stored on disk.

Scoring thousands of untrained nets takes minutes on a CPU (NASWOT, Mellor et al., ICML 2021,
report 306 s for N = 1,000 on a GPU), too long to repeat in every lesson run. A score file holds
one score per isomorphism class of the NB201 space (one member, the class representative, is
scored; cells of a class compute the same function, Dong & Yang, ICLR 2020) and the measured
seconds of each scoring. ``Precomputed`` answers ``arch -> score`` from such a file and charges
the recorded seconds, so searches and comparisons cost what scoring live would have cost.
``save_scores`` writes a file atomically (readers never see half a file; a build can be stopped
and rerun), ``read_scores`` reads one back.
"""
from __future__ import annotations

import json
import os
import pathlib
import tempfile

import numpy as np

from .._config import shipped_data_dir
from .._files import check_array, check_shipped, damaged, read_npz, restore_hint
from ..space import Arch, NB201Space
from .base import Estimator

__all__ = ["Precomputed", "save_scores", "read_scores"]

_KEYS = ("index", "score", "seconds", "representative", "meta")


def save_scores(path, index, score, seconds, representative, meta: dict) -> pathlib.Path:
    """Write a score file: per class ``index`` (representative), ``score``, ``seconds``.

    ``representative`` gives, for every arch of the space, the index of its class's
    representative; ``meta`` (JSON-able) says how the scores were made.
    """
    index = np.asarray(index, dtype=np.int64)
    score, seconds = np.asarray(score, dtype=float), np.asarray(seconds, dtype=float)
    representative = np.asarray(representative, dtype=np.int64)
    if not len(index) == len(score) == len(seconds):
        raise ValueError(f"need one score and one cost per class, got {len(index)} classes, "
                         f"{len(score)} scores, {len(seconds)} costs")
    order = np.argsort(index, kind="stable")  # stored in index order: a reader checks it
    index, score, seconds = index[order], score[order], seconds[order]
    if len(np.unique(index)) != len(index):
        raise ValueError("index repeats a class; give each class one score")
    unknown = np.setdiff1d(representative, index)
    if len(unknown):
        raise ValueError(f"representative names {len(unknown)} indices that are not classes, "
                         f"e.g. {unknown[:3].tolist()}")
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".part.npz")
    os.close(fd)
    os.chmod(tmp, 0o644)  # mkstemp's 0600 would hide the file from other users
    try:
        np.savez_compressed(tmp, index=index, score=score, seconds=seconds,
                            representative=representative, meta=json.dumps(meta, sort_keys=True))
        os.replace(tmp, path)  # atomic: a reader sees the old file or the new one
    finally:
        pathlib.Path(tmp).unlink(missing_ok=True)
    return path


def read_scores(path) -> dict:
    """A score file's arrays (``index``, ``score``, ``seconds``, ``representative``) and ``meta``."""
    path = pathlib.Path(path)
    check_shipped(path, shipped_data_dir())
    how = ("make it with `python benchmarks/precompute_naswot.py` (see data/README.md)"
           if not (shipped_data_dir() / path.name).is_file() else
           restore_hint(path.name) + ", or make it with `python benchmarks/precompute_naswot.py`")
    out = read_npz(path, _KEYS, "score", how)
    rep = out["representative"]
    n = check_array(path, "representative", rep, how, "iu", (None,), 0).shape[0]
    check_array(path, "representative", rep, how, "iu", (n,), 0, n - 1)
    index = check_array(path, "index", out["index"], how, "iu", (None,), 0, n - 1)
    check_array(path, "score", out["score"], how, "f", (len(index),), finite=False)
    if np.isinf(out["score"]).any():  # NaN means "not computed"; infinity is damage
        raise damaged(path, "score", "holds an infinite value", how)
    check_array(path, "seconds", out["seconds"], how, "f", (len(index),), 0)
    if len(index) > 1 and not (np.diff(index) > 0).all():
        k = int(np.flatnonzero(np.diff(index) <= 0)[0]) + 1
        raise damaged(path, "index", f"entry {k} ({index[k]}) does not follow {index[k - 1]}: the "
                      "classes are stored in increasing order, each once", how)
    if (rep[index] != index).any():
        k = int(np.flatnonzero(rep[index] != index)[0])
        raise damaged(path, "index", f"entry {k} ({index[k]}) is not a class representative, so "
                      "its score would go to another class", how)
    if len(np.setdiff1d(rep, index)):
        raise damaged(path, "representative", "names classes that have no score", how)
    try:
        out["meta"] = json.loads(str(out["meta"]))
    except json.JSONDecodeError as e:
        raise damaged(path, "meta", f"not JSON ({e.msg})", how) from None
    if not isinstance(out["meta"], dict):
        raise damaged(path, "meta", "must be a JSON object", how)
    return out


class Precomputed(Estimator):
    """Look up an arch's score in a table of per-arch ``scores``; charge its recorded ``seconds``.

    ``scores`` and ``seconds`` have one entry per arch of ``space`` (NB201 index order). A NaN
    score means "not computed": looking it up raises ValueError.
    """

    # The charged seconds were measured when the score was computed, so they are what scoring
    # live costs (on that machine), not a benchmark's training clock.
    simulated = False
    needs = ("scores",)

    @classmethod
    def why_unsupported(cls, bench=None, data=None):
        return "replays another estimator's stored scores: build it with Precomputed.load(path)"

    @classmethod
    def make(cls, bench=None, data=None, *, epochs=None, batch_size=64, channels=8,
             cells_per_stage=1, seed=0, device="cpu"):
        raise TypeError(f"Precomputed {cls.why_unsupported()}, not from a benchmark and a data set")

    def __init__(self, scores, seconds, name: str = "precomputed", space: NB201Space | None = None,
                 meta: dict | None = None):
        super().__init__()
        self.space = NB201Space() if space is None else space
        scores = np.asarray(scores, dtype=float)
        seconds = np.broadcast_to(np.asarray(seconds, dtype=float), scores.shape)
        if scores.shape != (len(self.space),):
            raise ValueError(f"need one score per arch of the space ({len(self.space):,}), got "
                             f"shape {scores.shape}")
        self.scores, self.seconds = scores, np.array(seconds)
        self.name, self.meta = name, dict(meta or {})

    @classmethod
    def load(cls, path, name: str | None = None, space: NB201Space | None = None) -> "Precomputed":
        """The estimator of a score file: every arch gets its class representative's score."""
        f = read_scores(path)
        space = NB201Space() if space is None else space
        if len(f["representative"]) != len(space):
            raise ValueError(f"{path} covers {len(f['representative']):,} archs, the space has "
                             f"{len(space):,}")
        order = np.argsort(f["index"])
        pos = order[np.searchsorted(f["index"], f["representative"], sorter=order)]
        return cls(f["score"][pos], f["seconds"][pos], name=name or f["meta"].get("estimator",
                   "precomputed"), space=space, meta=f["meta"])

    @property
    def complete(self) -> bool:
        """Whether every arch has a score."""
        return not bool(np.isnan(self.scores).any())

    def _score(self, arch: Arch):
        i = self.space.index(arch)
        if np.isnan(self.scores[i]):
            raise ValueError(f"no precomputed {self.name} score for {arch} (index {i}); the "
                             "score file is incomplete: run its script again to finish it")
        return self.scores[i], self.seconds[i]

    def _settings(self):
        done = int((~np.isnan(self.scores)).sum())
        return dict(name=self.name, archs=f"{done:,} of {len(self.scores):,} scored")
