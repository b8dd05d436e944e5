"""Precomputed scores: a file round trip, class members get their representative's score, and the
shipped NASWOT file equals NASWOT scored again now."""
import os

import numpy as np
import pytest
import torch

import naskit as nk
from naskit.estimators import NASWOT, Precomputed, read_scores, save_scores
from naskit.space import NB201Space

SPACE = NB201Space()
SHIPPED = nk.datasets.shipped_data_dir() / "nb201-mini-naswot.npz"


@pytest.fixture(scope="module")
def classes():
    return SPACE.isomorphism_classes(convention="function")


def _file(tmp_path, classes, missing=()):
    index = sorted(min(SPACE.index(a) for a in c) for c in classes)
    rep = np.empty(len(SPACE), np.int64)
    for c in classes:
        rows = [SPACE.index(a) for a in c]
        rep[rows] = min(rows)
    score = np.arange(len(index), dtype=float) * 0.5  # class k scores k/2
    score[list(missing)] = np.nan
    path = save_scores(tmp_path / "s.npz", index, score, np.full(len(index), 0.25), rep,
                       dict(estimator="toy"))
    return path, index


def test_round_trip_and_members_share_scores(tmp_path, classes):
    path, index = _file(tmp_path, classes)
    assert os.listdir(tmp_path) == ["s.npz"]  # no half-written file left behind
    f = read_scores(path)
    assert f["meta"] == {"estimator": "toy"} and list(f["index"]) == index
    est = Precomputed.load(path)
    assert est.name == "toy" and est.complete
    for c in classes[:200:7]:
        k = index.index(min(SPACE.index(a) for a in c))
        for arch in c:
            assert est(arch) == k * 0.5 and est.cost_ == 0.25
    assert not est.simulated and "15,625 of 15,625 scored" in repr(est)


def test_incomplete_file_and_bad_input(tmp_path, classes):
    path, index = _file(tmp_path, classes, missing=[3])
    est = Precomputed.load(path)
    assert not est.complete
    with pytest.raises(ValueError, match="score file is incomplete"):
        est(SPACE[index[3]])
    with pytest.raises(ValueError, match="one score per arch"):
        Precomputed(np.zeros(10), 0.0)
    with pytest.raises(ValueError, match="one score and one cost per class"):
        save_scores(tmp_path / "x.npz", [0, 1], [0.0], [0.0, 0.0], [0, 1], {})
    with pytest.raises(ValueError, match="not classes"):
        save_scores(tmp_path / "x.npz", [0], [0.0], [0.0], [0, 5], {})
    with pytest.raises(FileNotFoundError, match="precompute_naswot"):
        read_scores(tmp_path / "nothing.npz")
    (tmp_path / "junk.npz").write_bytes(b"not a zip")
    with pytest.raises(ValueError, match="not a naskit score file"):
        read_scores(tmp_path / "junk.npz")


def test_shipped_naswot_scores_equal_scoring_again():
    f = read_scores(SHIPPED)
    meta = f["meta"]
    assert meta["estimator"] == "naswot" and np.isfinite(f["score"]).all()
    assert len(f["index"]) == len(SPACE.isomorphism_classes(convention="function"))
    torch.set_num_threads(1)
    live = NASWOT(nk.datasets.load(meta["dataset"]), channels=meta["channels"],
                  cells_per_stage=meta["cells_per_stage"], batch_size=meta["batch_size"],
                  seed=meta["seed"])
    rng = np.random.default_rng(0)
    for j in rng.choice(len(f["index"]), 4, replace=False):
        assert live(SPACE[int(f["index"][j])]) == pytest.approx(f["score"][j], rel=1e-6)
