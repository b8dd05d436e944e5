"""plot.history draws exactly the best-so-far curves it is given."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.collections import PolyCollection  # noqa: E402

from naskit import plot  # noqa: E402
from naskit.history import History, Trial  # noqa: E402
from naskit.space import NB201Space  # noqa: E402

SPACE = NB201Space()


def make_history(seed, n=30) -> History:
    rng = np.random.default_rng(seed)
    h = History(strategy="RandomSearch(seed=0)", seed=seed)
    t = np.cumsum(rng.uniform(50, 150, n))
    for k in range(n):
        h.append(Trial(SPACE[k], float(rng.uniform(60, 85)), float(rng.uniform(85, 92)), 0.0,
                       float(t[k]), 12, k))
    return h


def test_one_history_is_its_best_so_far_step_curve():
    h = make_history(0)
    ax = plot.history(h, by="fitness", label="RS")
    (line,) = ax.get_lines()
    t, v = h.best_so_far("fitness")
    x, y = line.get_data()
    assert np.allclose(x, t) and np.allclose(y, v) and line.get_drawstyle() == "steps-post"
    assert ax.get_legend().get_texts()[0].get_text() == "RS"
    assert "simulated time" in ax.get_xlabel()
    plt.close("all")


def test_many_histories_draw_the_mean_with_a_confidence_band():
    runs = [make_history(s) for s in range(8)]
    fig, ax = plt.subplots()
    assert plot.history(runs, ax=ax) is ax
    (line,) = ax.get_lines()
    x, y = line.get_data()
    start = max(h[0].time for h in runs)
    assert x[0] == start  # from when every run has a result
    for k in (0, len(x) // 2, len(x) - 1):
        values = [h.best_so_far("reported")[1][np.searchsorted(h.best_so_far()[0], x[k], "right") - 1]
                  for h in runs]
        assert y[k] == pytest.approx(np.mean(values))
    assert any(isinstance(c, PolyCollection) for c in ax.collections)
    assert "mean of 8" in ax.get_legend().get_texts()[0].get_text()
    _, ax2 = plt.subplots()
    plot.history(runs, ax=ax2, band=False)
    assert not ax2.collections
    plt.close("all")


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="no histories"):
        plot.history([])
    with pytest.raises(ValueError, match="empty"):
        plot.history(History())
    with pytest.raises(TypeError, match="History"):
        plot.history([make_history(0), "x"])
    with pytest.raises(ValueError, match="by="):
        plot.history(make_history(0), by="test")
    plt.close("all")


def test_race_draws_each_strategy_as_its_own_mean_curve_and_the_optimum():
    results = {"A": [make_history(s) for s in range(5)], "B": [make_history(s) for s in range(5, 12)]}
    fig, ax = plt.subplots()
    assert plot.race(results, ax=ax, optimum=95.0) is ax
    curves = [line for line in ax.get_lines() if line.get_drawstyle() == "steps-post"]
    assert len(curves) == 2
    for line, runs in zip(curves, results.values()):
        x, y = line.get_data()
        for k in (0, len(x) // 2, len(x) - 1):  # the mean, recomputed from the trials by hand:
            # each run's incumbent is its fittest trial so far (the first on ties)
            best = [max((t for t in h if t.time <= x[k]), key=lambda t: (t.fitness, -t.step))
                    for h in runs]
            assert y[k] == pytest.approx(np.mean([t.reported for t in best]))
    assert sum(isinstance(c, PolyCollection) for c in ax.collections) == 2
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert texts == ["A (5 runs)", "B (7 runs)", "best in the benchmark"]
    assert any(np.allclose(line.get_ydata(), 95.0) for line in ax.get_lines())
    plt.close("all")


def test_race_outcomes_box_each_strategy_at_its_runs_final_values():
    results = {"A": [make_history(s) for s in range(6)], "B": [make_history(s, n=5) for s in range(9)]}
    ax = plot.race_outcomes(results)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["A", "B"]
    points = [line for line in ax.get_lines() if line.get_marker() == "o"]
    for line, runs in zip(points, results.values()):
        incumbents = [max(h, key=lambda t: (t.fitness, -t.step)).reported for h in runs]
        assert sorted(line.get_ydata()) == pytest.approx(sorted(incumbents))
    medians = [line for line in ax.get_lines() if line.get_marker() != "o"
               and len(line.get_ydata()) == 2 and line.get_ydata()[0] == line.get_ydata()[1]]
    for runs in results.values():
        assert any(line.get_ydata()[0] == pytest.approx(np.median([h.best().reported for h in runs]))
                   for line in medians)
    plt.close("all")


def test_race_refuses_what_is_not_a_dict_of_run_lists():
    for bad in ({}, [make_history(0)], {"A": make_history(0)}, {"A": []}):
        with pytest.raises(ValueError, match="non-empty"):
            plot.race(bad)
        with pytest.raises(ValueError, match="non-empty"):
            plot.race_outcomes(bad)
    with pytest.raises(ValueError, match="by="):
        plot.race_outcomes({"A": [make_history(0)]}, by="test")
    plt.close("all")
