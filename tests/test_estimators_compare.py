"""compare(): rank statistics equal scipy on the same scores, an oracle is perfect, noise is not."""
import random

import numpy as np
import pytest
from scipy import stats

import naskit as nk
from naskit.bench import Benchmark
from naskit.estimators import (TSE, Comparison, EarlyStopping, NASWOT, Params, Synflow, compare,
                               sample_archs)
from naskit.space import NB201Space



def curve_bench(epochs=4, seed=0):
    """A synthetic benchmark over NB201 with per-epoch train_loss and valid_acc_curve columns."""
    space = NB201Space()
    n = len(space)
    rng = np.random.default_rng(seed)
    final = rng.uniform(40, 90, n)
    t = np.arange(1, epochs + 1, dtype=float)
    acc = final[:, None] - rng.uniform(5, 30, (n, 1)) / t + rng.normal(0, 2, (n, epochs))
    loss = 2.3 * np.exp(-0.4 * t)[None, :] * rng.uniform(0.5, 1.5, (n, 1))
    return Benchmark("toy", space, {e: acc[:, e - 1] for e in range(1, epochs + 1)},
                     test_acc={epochs: acc[:, -1] - 1}, seconds_per_epoch=rng.uniform(5, 10, n),
                     eval_seconds=np.full(n, 2.0),
                     columns=dict(train_loss=loss, valid_acc_curve=acc))


@pytest.fixture(scope="module")
def bench():
    return curve_bench()


class Oracle:
    """Scores an arch by the ground truth itself."""

    name = "oracle"

    def __init__(self, bench):
        self.bench, self.cost_ = bench, 0.0

    def __call__(self, arch):
        self.cost_ = 1.0
        return self.bench.query(arch).valid_acc


class Noise:
    """Scores unrelated to anything."""

    name = "noise"

    def __init__(self, seed):
        self.rng, self.cost_ = random.Random(seed), 0.0

    def __call__(self, arch):
        self.cost_ = 1e-3
        return self.rng.random()


def test_sample_archs_are_distinct_members_and_reproducible():
    space = NB201Space()
    archs = sample_archs(space, 200, seed=3)
    assert len(set(archs)) == 200 and all(space[space.index(a)] == a for a in archs)
    assert archs == sample_archs(space, 200, seed=3)
    assert archs != sample_archs(space, 200, seed=4)
    with pytest.raises(ValueError, match="n must be an int in 2..15,625"):
        sample_archs(space, 1)
    with pytest.raises(ValueError, match="n must be"):
        sample_archs(space, 20_000)


def test_statistics_equal_scipy_on_independently_computed_scores(bench):
    archs = sample_archs(bench.space, 60, seed=0)
    c = compare([TSE(bench, epochs=2), EarlyStopping(bench, epochs=1)], bench, archs, n_boot=50)
    idx = [bench.space.index(a) for a in archs]
    truth = bench.valid_acc[4][idx]
    assert np.allclose(c.truth, truth) and c.epoch == 4
    expected = {"tse": -bench.columns["train_loss"][idx, :2].sum(1),
                "early_stopping": bench.valid_acc[1][idx]}
    for name, scores in expected.items():
        r = c[name]
        assert np.allclose(r.scores, scores)
        assert r.tau == pytest.approx(stats.kendalltau(scores, truth)[0])
        assert r.rho == pytest.approx(stats.spearmanr(scores, truth)[0])
        assert r.tau_ci[0] <= r.tau <= r.tau_ci[1]
        k = c.k
        by_truth = set(np.argsort(-truth)[:k])
        by_score = set(np.argsort(-scores)[:k])
        assert r.top_k == pytest.approx(len(by_truth & by_score) / k)
    assert c.k == 6  # 10% of 60
    # bench-based estimators are charged the bench clock: epochs x seconds per epoch (+ eval)
    spe = bench.seconds_per_epoch[idx]
    assert c["tse"].simulated and c["tse"].seconds_per_arch == pytest.approx(np.mean(2 * spe))
    assert c["early_stopping"].seconds_per_arch == pytest.approx(np.mean(spe + 2.0))
    assert c.truth_seconds == pytest.approx(np.mean(4 * spe + 2.0))


def test_the_truth_itself_ranks_perfectly(bench):
    archs = sample_archs(bench.space, 40, seed=1)
    r = compare([Oracle(bench)], bench, archs, n_boot=100)["oracle"]
    assert r.tau == pytest.approx(1.0) and r.rho == pytest.approx(1.0) and r.top_k == 1.0
    assert r.tau_ci == pytest.approx((1.0, 1.0)) and r.rho_ci == pytest.approx((1.0, 1.0))
    assert r.seconds_per_arch == 1.0 and not r.simulated


def test_a_random_estimator_has_a_ci_that_covers_zero(bench):
    archs = sample_archs(bench.space, 150, seed=2)
    covered = 0
    for seed in range(5):
        r = compare([Noise(seed)], bench, archs, n_boot=200, seed=seed)["noise"]
        assert r.tau_ci[1] - r.tau_ci[0] < 0.25  # n = 150 narrows the interval
        covered += r.tau_ci[0] < 0 < r.tau_ci[1]
    assert covered >= 4  # a 95% interval misses 0 in about 1 run of 20


def test_zero_cost_estimators_report_positive_measured_costs(bench):
    data = nk.datasets.load().subset(n_train=64, n_val=16, seed=0)
    archs = sample_archs(bench.space, 6, seed=0)
    c = compare([NASWOT(data, channels=4, batch_size=16), Synflow(data, channels=4),
                 Params(data, channels=4)], bench, archs, n_boot=20)
    for r in c:
        assert r.seconds_per_arch > 0 and not r.simulated and len(r.scores) == 6
    # params: more parameters = bigger score, checked against a direct count
    nets = [nk.build(a, channels=4, cells_per_stage=1, in_channels=1) for a in archs]
    assert np.allclose(c["params"].scores, [nk.hardware.count_params(n) for n in nets])


def test_truths_names_select_and_repr(bench):
    archs = sample_archs(bench.space, 20, seed=0)

    def plain(arch):  # a bare callable has no cost: compare times it
        return float(bench.space.index(arch))

    c = compare({"tse 1": TSE(bench, epochs=1), "tse 3": TSE(bench, epochs=3), "index": plain},
                bench, archs, truth="test_acc", n_boot=20)
    assert c.names == ["tse 1", "tse 3", "index"]
    assert np.allclose(c.truth, bench.values(archs, 4, "test_acc"))
    assert c["index"].seconds_per_arch >= 0
    assert c.select(["index", "tse 1"]).names == ["index", "tse 1"]
    assert c.select(["index"])["index"] is c["index"]
    text = repr(c)
    assert "truth: test_acc after 4 epochs" in text
    assert all(f"{c[n].tau:6.3f}" in text for n in c.names)
    early = compare([plain], bench, archs, truth="valid_acc", epoch=2, n_boot=5)
    assert np.allclose(early.truth, bench.values(archs, 2)) and early.epoch == 2
    assert isinstance(c, Comparison) and len(c.rows()) == 3 and c.rows()[0]["name"] == "tse 1"


def test_bad_input(bench):
    archs = sample_archs(bench.space, 10, seed=0)
    tse = TSE(bench, epochs=1)
    with pytest.raises(ValueError, match="no estimators"):
        compare([], bench, archs)
    with pytest.raises(ValueError, match="two estimators are named 'tse'"):
        compare([tse, TSE(bench, epochs=2)], bench, archs)
    with pytest.raises(TypeError, match="not callable"):
        compare({"x": 3}, bench, archs)
    with pytest.raises(ValueError, match="at least 2 archs"):
        compare([tse], bench, archs[:1])
    with pytest.raises(TypeError, match="Benchmark"):
        compare([tse], "mini", archs)
    with pytest.raises(ValueError, match="no results after 7 epochs"):
        compare([tse], bench, archs, epoch=7)
    with pytest.raises(ValueError, match="unknown metric"):
        compare([tse], bench, archs, truth="accuracy")
    with pytest.raises(ValueError, match="top_fraction"):
        compare([tse], bench, archs, top_fraction=0)
    c = compare([tse], bench, archs, n_boot=5)
    with pytest.raises(KeyError, match="choose from"):
        c["naswot"]
    with pytest.raises(ValueError, match="unknown estimators"):
        c.select(["naswot"])
