"""Rank agreement helpers against brute-force pair counting, hand-made ranks and scipy."""
import itertools
import math

import numpy as np
import pytest
from scipy import stats

from naskit import estimators as E
from naskit.estimators import bootstrap_ci, kendall_tau, spearman_rho, top_k_precision


def brute_tau_b(a, b):
    """Kendall's tau-b by counting every pair (Kendall 1945's tie correction)."""
    concordant = discordant = ties_a = ties_b = 0
    for i, j in itertools.combinations(range(len(a)), 2):
        da, db = np.sign(a[i] - a[j]), np.sign(b[i] - b[j])
        if da == 0 and db == 0:
            continue  # tied in both: left out of both factors of the denominator
        if da == 0:
            ties_a += 1
        elif db == 0:
            ties_b += 1
        elif da == db:
            concordant += 1
        else:
            discordant += 1
    return (concordant - discordant) / math.sqrt((concordant + discordant + ties_a)
                                                 * (concordant + discordant + ties_b))


def average_ranks(x):
    """Ranks 1..n with tied values sharing the mean of their positions, by sorting by hand."""
    order = sorted(range(len(x)), key=lambda i: x[i])
    ranks = [0.0] * len(x)
    pos = 0
    while pos < len(order):
        end = pos
        while end + 1 < len(order) and x[order[end + 1]] == x[order[pos]]:
            end += 1
        for k in range(pos, end + 1):
            ranks[order[k]] = (pos + end) / 2 + 1
        pos = end + 1
    return np.array(ranks)


def sample(n=30, seed=0, ties=True):
    rng = np.random.default_rng(seed)
    truth = rng.normal(size=n)
    pred = truth + rng.normal(scale=0.8, size=n)
    if ties:
        pred, truth = np.round(pred, 1), np.round(truth, 1)
    return pred, truth


@pytest.mark.parametrize("seed", range(4))
def test_kendall_tau_equals_brute_force_pair_counting(seed):
    pred, truth = sample(seed=seed)
    assert math.isclose(kendall_tau(pred, truth), brute_tau_b(pred, truth), rel_tol=1e-12)


@pytest.mark.parametrize("seed", range(4))
def test_spearman_rho_is_pearson_of_average_ranks(seed):
    pred, truth = sample(seed=seed)
    expected = np.corrcoef(average_ranks(pred), average_ranks(truth))[0, 1]
    assert math.isclose(spearman_rho(pred, truth), expected, rel_tol=1e-12)
    assert math.isclose(spearman_rho(pred, truth), stats.spearmanr(pred, truth)[0], rel_tol=1e-12)


def test_perfect_and_reversed_orders():
    x = np.arange(10.0)
    assert kendall_tau(x, x ** 3) == pytest.approx(1) and spearman_rho(x, -x) == pytest.approx(-1)
    assert top_k_precision(x, x ** 3, 3) == 1 and top_k_precision(-x, x, 3) == 0


def test_nan_pairs_are_dropped_and_infinities_ranked_at_the_ends():
    pred, truth = sample(ties=False)
    pred_nan, truth_nan = np.append(pred, [np.nan, 1.0]), np.append(truth, [0.5, np.nan])
    assert kendall_tau(pred_nan, truth_nan) == kendall_tau(pred, truth)
    assert spearman_rho(pred_nan, truth_nan) == spearman_rho(pred, truth)
    assert top_k_precision(pred_nan, truth_nan, 5) == top_k_precision(pred, truth, 5)
    worst = int(np.argmin(truth))
    low = pred.copy()
    low[worst] = -np.inf  # an estimator that ranks a broken net last
    lowest = pred.copy()
    lowest[worst] = pred.min() - 1
    assert kendall_tau(low, truth) == kendall_tau(lowest, truth)
    assert math.isnan(kendall_tau([1.0, np.nan], [np.nan, 2.0]))


def test_top_k_precision_equals_set_overlap_by_hand():
    pred = [0.9, 0.1, 0.5, 0.7, 0.3, 0.8]
    truth = [50, 40, 90, 80, 10, 20]
    # truth top 3: positions 2, 3, 0; pred top 3: positions 0, 5, 3 -> overlap {0, 3}
    assert top_k_precision(pred, truth, 3) == pytest.approx(2 / 3)
    # ties go to the earlier position: pred top 1 among equal scores is position 0
    assert top_k_precision([1, 1, 1], [3, 2, 1], 1) == 1
    for bad in (0, 7, 2.5):
        with pytest.raises(ValueError, match="k must be"):
            top_k_precision(pred, truth, bad)


def test_length_mismatch_is_an_error():
    with pytest.raises(ValueError, match="one score per"):
        kendall_tau([1, 2, 3], [1, 2])


def test_bootstrap_ci_contains_the_estimate_and_narrows_with_more_archs():
    widths = []
    for n in (40, 400):
        pred, truth = sample(n=n, seed=1, ties=False)
        low, high = bootstrap_ci(kendall_tau, pred, truth, n_boot=300, seed=0)
        assert low <= kendall_tau(pred, truth) <= high
        widths.append(high - low)
    assert widths[1] < widths[0] / 2  # roughly 1/sqrt(n): 10x the archs, ~3x narrower
    pred, truth = sample(n=40, seed=1)
    a = bootstrap_ci(spearman_rho, pred, truth, n_boot=200, seed=3)
    assert a == bootstrap_ci(spearman_rho, pred, truth, n_boot=200, seed=3)
    assert a != bootstrap_ci(spearman_rho, pred, truth, n_boot=200, seed=4)
    narrow = bootstrap_ci(spearman_rho, pred, truth, n_boot=200, level=0.5, seed=3)
    assert a[0] <= narrow[0] <= narrow[1] <= a[1]


def test_bootstrap_ci_rejects_bad_settings():
    with pytest.raises(ValueError, match="level"):
        bootstrap_ci(kendall_tau, [1, 2, 3], [1, 2, 3], level=95)
    with pytest.raises(ValueError, match="n_boot"):
        bootstrap_ci(kendall_tau, [1, 2, 3], [1, 2, 3], n_boot=0)


def test_rank_agreement_is_tau_and_rho_with_their_bootstrap_intervals():
    rng = np.random.default_rng(3)
    a = rng.normal(size=40)
    b = a + rng.normal(size=40)
    a[[3, 7]] = np.nan  # dropped, as every helper drops them
    got = E.rank_agreement(a, b, n_boot=200, level=0.9, seed=5)
    keep = ~np.isnan(a)
    assert got.n == keep.sum() and got.level == 0.9
    assert got.tau == pytest.approx(stats.kendalltau(a[keep], b[keep])[0])
    assert got.rho == pytest.approx(stats.spearmanr(a[keep], b[keep])[0])
    assert got.tau_ci == E.bootstrap_ci(E.kendall_tau, a, b, n_boot=200, level=0.9, seed=5)
    assert got.rho_ci == E.bootstrap_ci(E.spearman_rho, a, b, n_boot=200, level=0.9, seed=5)
    # by hand: the same resamples, the 5th and 95th percentiles
    x, y = a[keep], b[keep]
    idx = np.random.default_rng(5).integers(len(x), size=(200, len(x)))
    taus = [stats.kendalltau(x[i], y[i])[0] for i in idx]
    assert got.tau_ci == pytest.approx(tuple(np.percentile(taus, [5, 95])))
    assert "tau=" in repr(got) and "90% CI" in repr(got)
    empty = E.rank_agreement([1.0], [2.0])
    assert np.isnan(empty.tau) and np.isnan(empty.rho_ci[1]) and empty.n == 1
    with pytest.raises(ValueError, match="level"):
        E.rank_agreement(a, b, level=95)
    with pytest.raises(ValueError, match="n_boot"):
        E.rank_agreement(a, b, n_boot=0)


@pytest.mark.parametrize("n", [2, 5, 40, 119, 121])
def test_bootstrap_of_tau_equals_scipy_on_every_resample(n):
    rng = np.random.default_rng(n)
    a, b = rng.normal(size=n), rng.normal(size=n)
    a[: n // 3] = np.round(a[: n // 3])  # ties
    b[0], a[-1] = np.inf, -np.inf        # ranked at the ends
    idx = np.random.default_rng(0).integers(n, size=(300, n))
    scipy_taus = np.array([stats.kendalltau(a[i], b[i])[0] if len(set(a[i])) > 1
                           and len(set(b[i])) > 1 else np.nan for i in idx])
    from naskit.estimators.rank import _tau_resamples
    assert np.array_equal(_tau_resamples(a, b, idx), scipy_taus, equal_nan=True)
    kept = scipy_taus[~np.isnan(scipy_taus)]
    tail = (1 - 0.95) / 2 * 100  # the float bootstrap_ci computes, a hair above 2.5
    assert bootstrap_ci(kendall_tau, a, b, n_boot=300, seed=0) == \
        tuple(np.percentile(kept, [tail, 100 - tail]))
