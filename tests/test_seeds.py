"""Every public entry point that takes a seed checks it the same way (``naskit._checks.check_seed``).

The same bad seed gets the same exception everywhere; a numpy integer is an int and gives the same
result as the equal Python int; ``None`` is accepted exactly where the signature says so.
"""
import inspect
import random

import numpy as np
import pytest
import torch

import naskit as nk
from naskit import estimators as E
from naskit import ofa, oneshot, search
from naskit.hardware import MeasuredLatency
from naskit.space import DartsSpace, NB201Space
from naskit.space.macro import CombinedSpace, GlobalSpace
from naskit.supernet import NB201SuperNet, SuperNet

SPACE = NB201Space()
ARCH = SPACE.sample(seed=0)
OFA_SPACE = ofa.OFASpace()


@pytest.fixture(scope="module")
def data():
    return nk.datasets.load().subset(n_train=16, n_val=16)


def _supernet():
    return SuperNet(SPACE, channels=4, cells_per_stage=1, in_channels=1)


# name -> (function whose seed parameter is checked, call(seed, data))
ENTRY_POINTS = {
    "NB201Space.sample": (NB201Space.sample, lambda s, d: SPACE.sample(seed=s)),
    "NB201Space.mutate": (NB201Space.mutate, lambda s, d: SPACE.mutate(ARCH, seed=s)),
    "DartsSpace.sample": (DartsSpace.sample, lambda s, d: DartsSpace().sample(seed=s)),
    "GlobalSpace.sample": (GlobalSpace.sample,
                           lambda s, d: GlobalSpace(3, ("conv3x3", "conv5x5")).sample(seed=s)),
    "CombinedSpace.sample": (CombinedSpace.sample, lambda s, d: CombinedSpace(SPACE).sample(seed=s)),
    "OFASpace.sample": (ofa.OFASpace.sample, lambda s, d: OFA_SPACE.sample(seed=s)),
    "OFASpace.crossover": (ofa.OFASpace.crossover,
                           lambda s, d: OFA_SPACE.crossover(OFA_SPACE.sample(seed=0),
                                                            OFA_SPACE.sample(seed=1), seed=s)),
    "build": (nk.build, lambda s, d: nk.build(ARCH, channels=4, cells_per_stage=1, seed=s)),
    "build_darts": (nk.model.build_darts,
                    lambda s, d: nk.model.build_darts(DartsSpace().sample(seed=0), channels=4,
                                                      layers=2, seed=s)),
    "SuperNet": (NB201SuperNet, lambda s, d: SuperNet(SPACE, channels=4, cells_per_stage=1, seed=s)),
    "OFASuperNet": (ofa.OFASuperNet, lambda s, d: ofa.OFASuperNet(seed=s)),
    "RandomSearch": (search.RandomSearch, lambda s, d: search.RandomSearch(SPACE, seed=s)),
    "RegularizedEvolution": (search.RegularizedEvolution,
                             lambda s, d: search.RegularizedEvolution(SPACE, seed=s)),
    "GeneticEvolution": (search.GeneticEvolution, lambda s, d: search.GeneticEvolution(SPACE, seed=s)),
    "LocalSearch": (search.LocalSearch, lambda s, d: search.LocalSearch(SPACE, seed=s)),
    "Reinforce": (search.Reinforce, lambda s, d: search.Reinforce(SPACE, seed=s)),
    "BOHB": (search.BOHB, lambda s, d: search.BOHB(SPACE, seed=s)),
    "train": (nk.train, lambda s, d: nk.train(nk.build(ARCH, channels=4, cells_per_stage=1,
                                                       in_channels=1), d, epochs=1, seed=s,
                                              batch_size=16, evaluate_test=False)),
    "datasets.load": (nk.datasets.load, lambda s, d: nk.datasets.load(seed=s)),
    "Dataset.subset": (nk.datasets.Dataset.subset, lambda s, d: d.subset(n_train=4, seed=s)),
    "make_cluttered": (nk.datasets.make_cluttered,
                       lambda s, d: nk.datasets.make_cluttered(np.zeros((4, 12, 12)), np.arange(4),
                                                               2, seed=s)),
    "DARTS": (oneshot.DARTS, lambda s, d: oneshot.DARTS(_supernet(), d, seed=s)),
    "GDAS": (oneshot.GDAS, lambda s, d: oneshot.GDAS(_supernet(), d, seed=s)),
    "SETN": (oneshot.SETN, lambda s, d: oneshot.SETN(_supernet(), d, seed=s)),
    "RSPS": (oneshot.RSPS, lambda s, d: oneshot.RSPS(_supernet(), d, seed=s)),
    "ENAS": (oneshot.ENAS, lambda s, d: oneshot.ENAS(_supernet(), d, seed=s)),
    "AccuracyPredictor": (ofa.AccuracyPredictor, lambda s, d: ofa.AccuracyPredictor(OFA_SPACE, seed=s)),
    "OFAEvolution": (ofa.OFAEvolution,
                     lambda s, d: ofa.OFAEvolution(OFA_SPACE, lambda a: 0.0, lambda a: 1.0, 10.0, seed=s)),
    "NASWOT": (E.NASWOT, lambda s, d: E.NASWOT(d, batch_size=8, seed=s)),
    "SubsetTraining": (E.SubsetTraining, lambda s, d: E.SubsetTraining(d, seed=s)),
    "sample_archs": (E.sample_archs, lambda s, d: E.sample_archs(SPACE, 3, seed=s)),
    "bootstrap_ci": (E.rank.bootstrap_ci,
                     lambda s, d: E.rank.bootstrap_ci(E.kendall_tau, [1, 2, 3, 4], [1, 3, 2, 4],
                                                      n_boot=20, seed=s)),
    "MeasuredLatency": (MeasuredLatency, lambda s, d: MeasuredLatency(seed=s)),
}

BAD_TYPE = [True, False, 1.0, 2.5, "3", np.float64(3), np.bool_(True)]
BAD_RANGE = [-1, 2 ** 63, 2 ** 70, np.int64(-5)]


def _allows_none(fn) -> bool:
    """What the signature promises: a default of None or an ``int | None`` annotation."""
    p = inspect.signature(fn).parameters["seed"]
    return p.default is None or "None" in str(p.annotation)


@pytest.mark.parametrize("name", sorted(ENTRY_POINTS))
def test_same_bad_seed_same_error(name, data):
    _, call = ENTRY_POINTS[name]
    for seed in BAD_TYPE:
        with pytest.raises(TypeError, match="seed must be an int"):
            call(seed, data)
    for seed in BAD_RANGE:
        with pytest.raises(ValueError, match=r"seed must be in 0\.\.2\*\*63-1"):
            call(seed, data)


@pytest.mark.parametrize("name", sorted(ENTRY_POINTS))
def test_none_accepted_where_the_signature_says(name, data):
    fn, call = ENTRY_POINTS[name]
    if _allows_none(fn):
        call(None, data)
    else:
        with pytest.raises(TypeError, match="seed must be an int"):
            call(None, data)


@pytest.mark.parametrize("name", sorted(ENTRY_POINTS))
def test_numpy_integers_and_the_largest_seed_are_seeds(name, data):
    _, call = ENTRY_POINTS[name]
    for seed in (0, np.int64(3), np.uint8(3), np.int32(7), 2 ** 63 - 1):
        call(seed, data)


def _same(a, b) -> bool:
    if isinstance(a, torch.nn.Module):
        return all(torch.equal(x, y) for x, y in zip(a.state_dict().values(), b.state_dict().values()))
    return a == b


@pytest.mark.parametrize("name", ["NB201Space.sample", "NB201Space.mutate", "DartsSpace.sample",
                                  "OFASpace.sample", "build", "SuperNet", "sample_archs",
                                  "bootstrap_ci", "make_cluttered"])
def test_numpy_seed_gives_the_same_result_as_the_int(name, data):
    _, call = ENTRY_POINTS[name]
    a, b = call(3, data), call(np.int64(3), data)
    if name == "make_cluttered":
        assert all(np.array_equal(x, y) for x, y in zip(a, b))
    else:
        assert _same(a, b)
    # and a different seed gives a different result somewhere: the seed is really used
    if name in ("NB201Space.sample", "build", "sample_archs"):
        assert not _same(a, call(4, data))


def test_random_generator_is_a_seed_for_spaces():
    rng_a, rng_b = random.Random(5), random.Random(5)
    assert SPACE.sample(seed=rng_a) == SPACE.sample(seed=rng_b)
    with pytest.raises(TypeError, match="random.Random"):
        SPACE.sample(seed=np.random.default_rng(0))
