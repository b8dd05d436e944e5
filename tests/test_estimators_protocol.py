"""Every estimator follows the protocol: a finite float per arch, cost > 0, same seed same value."""
import math
import random

import numpy as np
import pytest
import torch

import naskit as nk
from naskit import estimators as E
from naskit.space import Arch

from test_estimators_training import curve_bench

ARCH = Arch.from_string("|nor_conv_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+"
                        "|avg_pool_3x3~0|nor_conv_3x3~1|skip_connect~2|")
OTHER = "|nor_conv_1x1~0|+|none~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_1x1~1|nor_conv_3x3~2|"



@pytest.fixture(scope="module")
def data():
    return nk.datasets.load().subset(n_train=64, n_val=32, seed=0)


@pytest.fixture(scope="module")
def bench():
    return curve_bench()[0]


def make_all(data, bench):
    """One instance of every estimator naskit has, configured small."""
    net = dict(channels=4, cells_per_stage=1, seed=0)
    made = [cls(data, batch_size=16, **net) if cls.uses_batch else cls(data, **net)
            for cls in E.ZERO_COST.values()]
    made += [E.TSE(bench, epochs=2), E.TSEE(bench, epochs=3, last=1),
             E.TSEEMA(bench, epochs=3, gamma=0.9), E.EarlyStopping(bench, epochs=2),
             E.CurveExtrapolation(bench, epochs=4),
             E.SubsetTraining(data, fraction=0.5, epochs=1, batch_size=32, **net)]
    n = len(bench.space)
    made.append(E.Precomputed(np.random.default_rng(0).normal(size=n), np.full(n, 0.01)))
    return made


def test_every_estimator_class_is_covered(data, bench):
    classes = {type(e) for e in make_all(data, bench)}
    public = {getattr(E, name) for name in E.__all__
              if isinstance(getattr(E, name), type) and issubclass(getattr(E, name), E.Estimator)
              and getattr(E, name) is not E.Estimator}
    assert public == classes


@pytest.mark.slow
def test_protocol(data, bench):
    rng = (torch.get_rng_state(), np.random.get_state()[1].copy(), random.getstate())
    names = set()
    for est, twin in zip(make_all(data, bench), make_all(data, bench)):
        assert est.cost_ == 0 and est.calls_ == 0
        score = est(ARCH)
        assert isinstance(score, float) and math.isfinite(score), (est, score)
        assert est.cost_ > 0 and est.total_cost_ == est.cost_ and est.calls_ == 1
        assert twin(str(ARCH)) == score, est  # same settings and seed: same score, str or Arch
        first = est.cost_
        est(OTHER)
        assert est.calls_ == 2 and est.total_cost_ == pytest.approx(first + est.cost_)
        assert isinstance(est.name, str) and est.name not in names
        names.add(est.name)
        text = repr(est)
        assert text.startswith(type(est).__name__ + "(") and "2 calls" in text
        with pytest.raises(TypeError, match="Arch"):
            est(3.5)
    assert torch.equal(rng[0], torch.get_rng_state())
    assert np.array_equal(rng[1], np.random.get_state()[1]) and rng[2] == random.getstate()


def test_zero_cost_estimators_score_the_net_they_show(data):
    est = E.NASWOT(data, channels=4, cells_per_stage=1, batch_size=16, seed=3)
    x, _ = est.batch()
    assert est(ARCH) == E.naswot(est.net(ARCH), x)
    other = E.NASWOT(data, channels=4, cells_per_stage=1, batch_size=16, seed=4)
    assert other(ARCH) != est(ARCH)


def test_zero_cost_estimators_check_their_settings(data):
    with pytest.raises(ValueError, match="batch_size must be an int in 2..64"):
        E.NASWOT(data, batch_size=65)
    with pytest.raises(TypeError, match="Dataset"):
        E.SNIP("cluttered-mnist")
    with pytest.raises(ValueError, match="fraction"):
        E.SubsetTraining(data, fraction=0)
