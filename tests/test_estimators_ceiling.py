"""noise_ceiling: seed-to-seed agreement of a benchmark, checked against scipy on rows picked by hand;
the ceiling (noise-free truth against one run), checked against a simulation that knows the truth."""
import numpy as np
import pytest
from scipy import stats

from naskit.bench import Benchmark
from naskit.estimators import noise_ceiling, truth_agreement
from naskit.space import NB201Space

SPACE = NB201Space()
N = len(SPACE)


@pytest.fixture(scope="module")
def bench():
    rng = np.random.default_rng(0)
    # classes of 3 consecutive archs (the last one shorter), represented by their first member
    representative = np.arange(N) // 3 * 3
    quality = rng.uniform(30, 70, N)[representative]
    acc = quality[:, None, None] + rng.normal(0, 5, (N, 2, 2))  # (archs, seeds, epochs)
    acc[:, :, 0] -= 10
    acc[:, 1] = np.where(rng.random(N)[representative][:, None] < 0.2, acc[:, 1], np.nan)
    acc[:, 1] = acc[representative, 1]  # a class shares its runs
    acc[:, 0] = acc[representative, 0]
    test = acc[:, :, 1] - 1
    return Benchmark("seeds", SPACE, {1: acc[:, 0, 0], 2: acc[:, 0, 1]}, {2: test[:, 0]},
                     columns=dict(valid_acc_seeds=acc, test_acc_seeds=test,
                                  representative=representative))


def test_per_class_matches_scipy_on_hand_picked_rows(bench):
    acc, rep = bench.columns["valid_acc_seeds"], bench.columns["representative"]
    rows = [i for i in range(N) if rep[i] == i and not np.isnan(acc[i, 1, 1])]
    c = noise_ceiling(bench, n_boot=50)
    assert c.per == "class" and c.n == len(rows) and list(c.rows) == rows
    assert c.tau == pytest.approx(stats.kendalltau(acc[rows, 0, 1], acc[rows, 1, 1])[0])
    assert c.rho == pytest.approx(stats.spearmanr(acc[rows, 0, 1], acc[rows, 1, 1])[0])
    assert c.tau_ci[0] <= c.tau <= c.tau_ci[1] and 0.3 < c.tau < 0.9  # noisy but related
    assert "1 vs" not in repr(c) and "seeds 0 vs 1" in repr(c)


def test_per_arch_epoch_and_test(bench):
    acc = bench.columns["valid_acc_seeds"]
    every = np.flatnonzero(~np.isnan(acc[:, 1, 0]))
    c = noise_ceiling(bench, per="arch", epoch=1, n_boot=20)
    assert c.n == len(every) and c.n > noise_ceiling(bench, n_boot=20).n
    assert c.tau == pytest.approx(stats.kendalltau(acc[every, 0, 0], acc[every, 1, 0])[0])
    t = noise_ceiling(bench, metric="test_acc", n_boot=20)
    test = bench.columns["test_acc_seeds"]
    assert t.tau == pytest.approx(stats.kendalltau(test[t.rows, 0], test[t.rows, 1])[0])
    assert "after 1 epoch," in repr(c)


def test_bad_input(bench):
    with pytest.raises(ValueError, match="unknown metric 'acc'"):
        noise_ceiling(bench, metric="acc")
    with pytest.raises(ValueError, match="per must be"):
        noise_ceiling(bench, per="cell")
    with pytest.raises(ValueError, match="seeds must be two different ints in 0..1"):
        noise_ceiling(bench, seeds=(0, 2))
    with pytest.raises(ValueError, match="seeds must be"):
        noise_ceiling(bench, seeds=(1, 1))
    with pytest.raises(ValueError, match="epoch must be an int in 1..2"):
        noise_ceiling(bench, epoch=3)
    with pytest.raises(ValueError, match="final values only"):
        noise_ceiling(bench, metric="test_acc", epoch=1)
    with pytest.raises(ValueError, match="no 'valid_loss_seeds' column"):
        noise_ceiling(bench, metric="valid_loss")
    with pytest.raises(TypeError, match="Benchmark"):
        noise_ceiling("mini")
    one = Benchmark("one", SPACE, bench.valid_acc,
                    columns=dict(valid_acc_seeds=bench.columns["valid_acc_seeds"]))
    with pytest.raises(ValueError, match="no 'representative' column; use per='arch'"):
        noise_ceiling(one)
    empty = np.full((N, 2, 2), np.nan)
    none = Benchmark("none", SPACE, bench.valid_acc, columns=dict(valid_acc_seeds=empty))
    with pytest.raises(ValueError, match="only 0 archs"):
        noise_ceiling(none, per="arch")


def test_the_ceiling_is_the_truths_agreement_with_one_run_in_a_simulation():
    # a truth the simulation knows, plus Gaussian run noise: measure both agreements directly
    rng = np.random.default_rng(1)
    n = 20_000
    for noise in (0.5, 1.0, 2.0):
        mu = rng.normal(0, 1, n)
        run0, run1 = mu + rng.normal(0, noise, n), mu + rng.normal(0, noise, n)
        seed_tau, seed_rho = stats.kendalltau(run0, run1)[0], stats.spearmanr(run0, run1)[0]
        se = 2 / np.sqrt(n)  # generous: Kendall's tau has se below 1/sqrt(n) here
        assert truth_agreement(seed_tau) == pytest.approx(stats.kendalltau(mu, run0)[0], abs=3 * se)
        assert truth_agreement(seed_rho, "rho") == pytest.approx(stats.spearmanr(mu, run0)[0], abs=3 * se)
        assert truth_agreement(seed_tau) > seed_tau  # a second run adds its own noise
    assert truth_agreement(1.0) == pytest.approx(1.0) and truth_agreement(-0.2) == 0.0
    assert np.allclose(truth_agreement(np.array([0.0, 1.0])), [0.0, 1.0])
    with pytest.raises(ValueError, match="stat"):
        truth_agreement(0.3, "pearson")
    with pytest.raises(ValueError, match=r"\[-1, 1\]"):
        truth_agreement(1.5)


def test_noise_ceiling_reports_the_ceiling_with_its_interval(bench):
    c = noise_ceiling(bench, n_boot=50)
    assert c.truth_tau == pytest.approx(truth_agreement(c.tau))
    lo, hi = c.truth_tau_ci
    assert lo <= c.truth_tau <= hi and c.truth_tau > c.tau
    assert (lo, hi) == pytest.approx(tuple(truth_agreement(np.array(c.tau_ci))))
    assert c.truth_rho == pytest.approx(truth_agreement(c.rho, "rho"))
    assert "ceiling (truth vs one run)" in repr(c) and "seed to seed" in repr(c)
