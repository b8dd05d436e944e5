"""Every widget callback shows a failure inside the widget instead of raising into the kernel."""
import numpy as np
import pytest

import naskit as nk
from naskit.widgets import BilevelExplorer, ControllerInspector, EvolutionStepper, LatencyExplorer
from naskit.widgets._calm import calm, error_html


class Boom(RuntimeError):
    pass


def _boom(*args, **kwargs):
    raise Boom("a drawing failed")


@pytest.fixture(scope="module")
def bench():
    return nk.bench.load("mini")


def test_calm_keeps_the_error_and_shows_one_line():
    class View:
        class summary:
            value = ""

        @calm("summary")
        def callback(self):
            raise Boom("<b>x</b>")

    v = View()
    assert v.callback() is None and isinstance(v.error_, Boom)
    assert v.summary.value == error_html(v.error_) and "&lt;b&gt;x&lt;/b&gt;" in v.summary.value
    assert "Traceback" not in v.summary.value and ".py" not in v.summary.value


def test_controller_buttons_show_a_failing_step(bench, monkeypatch):
    w = ControllerInspector(nk.search.Reinforce(bench.space, seed=0), bench, budget=10_000)
    monkeypatch.setattr(w.searcher, "step", _boom)
    w.step_button.click()  # would raise Boom inside the front end's callback
    assert isinstance(w.error_, Boom) and "a drawing failed" in w.summary.value
    monkeypatch.undo()
    w.step_button.click()
    assert w.error_ is None and w.steps_ == 1 and "a drawing failed" not in w.summary.value


@pytest.mark.slow
def test_bilevel_evolution_and_latency_views_show_a_failing_redraw(bench, monkeypatch):
    archs = [bench.space.sample(seed=i) for i in range(4)]
    b = BilevelExplorer(bench, archs)
    monkeypatch.setattr(nk.plot, "bilevel", _boom)
    b.objective = "training loss"
    assert isinstance(b.error_, Boom) and "a drawing failed" in b.summary.value

    e = EvolutionStepper(nk.search.RegularizedEvolution(bench.space, population_size=5, seed=0),
                         bench, max_trials=15)
    monkeypatch.setattr(nk.plot, "population", _boom)
    e.step = 3
    assert isinstance(e.error_, Boom) and "a drawing failed" in e.summary.value

    lat = {a: nk.hardware.Latency(median_ms=1.0 + i, iqr_ms=0.1, mean_ms=1.0 + i, n_runs=5,
                                  device="cpu", batch_size=1, threads=1,
                                  times_ms=tuple(1.0 + i + 0.01 * np.arange(30)))
           for i, a in enumerate(archs[:3])}
    explorer = LatencyExplorer(lat, accuracy=bench)
    monkeypatch.setattr(nk.plot, "latency_distribution", _boom)
    explorer.value = 2
    assert isinstance(explorer.error_, Boom) and "a drawing failed" in explorer.summary.value
