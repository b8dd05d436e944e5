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
