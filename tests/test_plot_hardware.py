"""Latency drawings: each takes ax=None, returns the Axes, draws what it is given, refuses bad input."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import naskit as nk  # noqa: E402
from naskit.hardware import (AdditivePredictor, LatencyTable, measure_latency, pareto_front,  # noqa: E402
                             rank_correlation)
from naskit.space import NB201Space  # noqa: E402
from torch import nn  # noqa: E402

SPACE = NB201Space()


@pytest.fixture(scope="module")
def latency():
    return measure_latency(nn.Linear(8, 8), (1, 8), min_run_time=0.01, min_blocks=10, warn=False)


def test_distribution_draws_every_block_and_the_median(latency):
    ax = nk.plot.latency_distribution(latency)
    counts = sum(p.get_height() for p in ax.patches if hasattr(p, "get_height")
                 and p.get_width() < 1e3 and p.get_y() == 0)
    assert counts >= len(latency.times_ms)  # the bars (and the CI span) hold every block
    assert any(np.allclose(l.get_xdata(), latency.median_ms) for l in ax.lines)
    plt.close("all")
    with pytest.raises(ValueError, match="Latency"):
        nk.plot.latency_distribution(3.0)


def test_latency_accuracy_marks_the_pareto_front():
    rng = np.random.default_rng(0)
    lat, acc = rng.random(30), rng.random(30)
    fig, ax = plt.subplots()
    assert nk.plot.latency_accuracy(lat, acc, ax=ax, highlight=3, budget_ms=0.5) is ax
    front = pareto_front(lat, acc)
    step = ax.lines[0]
    assert np.allclose(step.get_xdata(), lat[front]) and np.allclose(step.get_ydata(), acc[front])
    plt.close(fig)
    with pytest.raises(ValueError, match="one latency per accuracy"):
        nk.plot.latency_accuracy(lat, acc[:5])


def test_predicted_measured_and_breakdown():
    entries = {k: 0.01 * (i + 1) for i, k in enumerate(LatencyTable.keys_needed())}
    p = AdditivePredictor(LatencyTable(entries, cells_per_stage=1))
    arch = SPACE[123]
    ax = nk.plot.latency_breakdown(p.breakdown(arch), measured_ms=2 * p(arch))
    assert len(ax.patches) == len(p.breakdown(arch)) and "-50%" in ax.get_title()
    ax = nk.plot.predicted_measured([1.0, 2.0], [1.1, 1.9], highlight=0)
    assert ax.get_xlabel().startswith("measured")
    plt.close("all")
    with pytest.raises(ValueError, match="Part"):
        nk.plot.latency_breakdown([])


def test_device_correlation_and_fronts():
    rng = np.random.default_rng(0)
    lat = {"titan_rtx_1": rng.random(50), "pixel3": rng.random(50), "eyeriss": rng.random(50)}
    ax = nk.plot.device_correlation(rank_correlation(lat))
    assert [t.get_text() for t in ax.get_xticklabels()] == list(lat)
    ax = nk.plot.device_fronts(rng.random(50), lat)
    assert len(ax.lines) == 3
    plt.close("all")
    with pytest.raises(TypeError):
        nk.plot.device_correlation(np.eye(3))
