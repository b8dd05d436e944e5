"""plot.score_scatter, rank_rank and cost_quality draw exactly the comparison they are given."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.collections import PathCollection  # noqa: E402
from scipy import stats  # noqa: E402

from naskit import plot  # noqa: E402
from naskit.estimators import Comparison, EstimatorResult  # noqa: E402
from naskit.space import NB201Space  # noqa: E402

SPACE = NB201Space()


def result(name, scores, truth, cost, simulated=False):
    tau, rho = stats.kendalltau(scores, truth)[0], stats.spearmanr(scores, truth)[0]
    return EstimatorResult(name, np.asarray(scores, float), tau, (tau - 0.1, tau + 0.1), rho,
                           (rho - 0.1, rho + 0.1), 0.5, cost, simulated)


@pytest.fixture(scope="module")
def comparison():
    rng = np.random.default_rng(0)
    truth = rng.uniform(75, 90, 30)
    truth[:2] = 10.0  # two archs that never learn, far below the rest
    results = {"good": result("good", truth + rng.normal(0, 3, 30), truth, 0.01),
               "noise": result("noise", rng.normal(size=30), truth, 0.02),
               "slow": result("slow", truth, truth, 50.0, simulated=True)}
    return Comparison(tuple(SPACE[i] for i in range(30)), truth, "valid_acc", 200, 400.0, results,
                      k=3, level=0.95, n_boot=10, seed=0)


def _points(ax):
    return np.concatenate([c.get_offsets() for c in ax.collections
                           if isinstance(c, PathCollection)])


def test_score_scatter_draws_every_arch_and_states_tau(comparison):
    fig, ax = plt.subplots()
    assert plot.score_scatter(comparison, "good", ax=ax) is ax
    pts = _points(ax)
    assert len(pts) == 30
    truth, scores = comparison.truth, comparison["good"].scores
    inside = truth > 50  # the two outliers sit at the left edge, the rest where they are
    assert {tuple(p) for p in np.c_[truth, scores][inside]} <= {tuple(p) for p in pts}
    assert (pts[:, 0] >= ax.get_xlim()[0]).all() and ax.get_xlim()[0] > 10
    assert f"τ = {comparison['good'].tau:.2f}" in ax.get_title()
    assert "95% CI" in ax.get_title()
    plt.close(fig)


def test_rank_rank_puts_the_best_arch_first(comparison):
    fig, ax = plt.subplots()
    assert plot.rank_rank(comparison, "slow", ax=ax) is ax
    pts = _points(ax)
    assert np.allclose(pts[:, 0], pts[:, 1])  # the truth ranked against itself: the diagonal
    best = int(np.argmax(comparison.truth))
    assert pts[best, 0] == 1
    plt.close(fig)


def test_cost_quality_has_one_point_per_estimator_on_a_log_axis(comparison):
    fig, ax = plt.subplots()
    assert plot.cost_quality(comparison, ax=ax) is ax
    assert ax.get_xscale() == "log"
    drawn = {(x, y) for line in ax.lines if line.get_marker() in ("o", "s")
             for x, y in zip(line.get_xdata(), line.get_ydata())}
    assert drawn == {(r.seconds_per_arch, r.tau) for r in comparison}
    assert {t.get_text() for t in ax.texts} == set(comparison.names)
    plt.close(fig)


def test_bad_input(comparison):
    with pytest.raises(TypeError, match="Comparison"):
        plot.cost_quality({"good": 1})
    with pytest.raises(KeyError, match="choose from"):
        plot.score_scatter(comparison, "naswot")
    with pytest.raises(ValueError, match="no estimators"):
        plot.cost_quality(comparison.select([]))


def _ceiling(rng, n=40):
    from naskit.estimators import NoiseCeiling
    a = rng.uniform(30, 70, n)
    b = a + rng.normal(0, 5, n)
    tau = stats.kendalltau(a, b)[0]
    rho = stats.spearmanr(a, b)[0]
    return NoiseCeiling(tau, (tau - 0.1, tau + 0.05), rho, (rho - 0.1, rho + 0.05), "valid_acc",
                        2, (0, 1), "class", np.arange(n), a, b, 0.95)


def test_cost_quality_draws_the_ceiling_and_the_seed_to_seed_tau(comparison):
    ceiling = _ceiling(np.random.default_rng(1))
    fig, ax = plt.subplots()
    plot.cost_quality(comparison, ax=ax, ceiling=ceiling)

    def flat_at(y):
        return [line for line in ax.lines if len(set(line.get_ydata())) == 1
                and line.get_ydata()[0] == pytest.approx(y)]
    top, seed = flat_at(ceiling.truth_tau), flat_at(ceiling.tau)
    assert len(top) == 1 and "ceiling: noise-free truth vs one run" in top[0].get_label()
    assert len(seed) == 1 and "second seed" in seed[0].get_label()
    assert seed[0].get_linestyle() == "--" and ceiling.truth_tau > ceiling.tau
    band = [p for p in ax.patches if p.get_extents().height > 0]
    assert ax.get_ylim()[0] <= ceiling.tau_ci[0]
    assert band or ax.collections  # the interval is shaded
    plt.close(fig)
    with pytest.raises(TypeError, match="NoiseCeiling"):
        plot.cost_quality(comparison, ceiling=0.5)


def test_seed_scatter_draws_both_seeds(comparison):
    ceiling = _ceiling(np.random.default_rng(2))
    fig, ax = plt.subplots()
    assert plot.seed_scatter(ceiling, ax=ax) is ax
    assert np.allclose(_points(ax), np.column_stack([ceiling.a, ceiling.b]))
    assert f"τ = {ceiling.tau:.2f}" in ax.get_title() and "40 classes" in ax.get_title()
    plt.close(fig)
    with pytest.raises(TypeError, match="NoiseCeiling"):
        plot.seed_scatter(comparison)


def test_cost_quality_puts_its_legend_below_or_right(comparison):
    for where in ("below", "right"):
        fig, ax = plt.subplots(figsize=(9, 4))
        plot.cost_quality(comparison, ax=ax, legend=where)
        fig.canvas.draw()
        box = ax.get_legend().get_window_extent()
        axes = ax.get_window_extent()
        if where == "below":
            assert box.y1 <= axes.y0
        else:
            assert box.x0 >= axes.x1
        plt.close(fig)
    with pytest.raises(ValueError, match="legend must be 'below' or 'right'"):
        plot.cost_quality(comparison, legend="top")
