"""The widgets whose construction differs between ipywidgets 7 and 8 build on both, with their
tab titles and tooltips in place. CI runs this file in a second environment with ipywidgets 7.7
(the version Google Colab ships) and naskit's oldest dependencies; it needs only an installed naskit,
no checkout, so it runs from any folder."""
import os
import warnings

os.environ.setdefault("MPLBACKEND", "Agg")

import ipywidgets  # noqa: E402
import pytest  # noqa: E402

import naskit as nk  # noqa: E402
from naskit.hardware import MeasuredLatency  # noqa: E402
from naskit.search import RegularizedEvolution  # noqa: E402
from naskit.widgets import EvolutionStepper, LatencyExplorer, RankingComparer  # noqa: E402
from naskit.widgets._compat import IPYWIDGETS_8, tab_titles  # noqa: E402


@pytest.fixture(autouse=True)
def unknown_arguments_fail():
    """ipywidgets 7 takes an argument only 8 knows with a DeprecationWarning, and then ignores it."""
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message="Passing unrecognized arguments")
        yield


def test_the_installed_version_is_the_one_the_shim_names():
    assert IPYWIDGETS_8 == (int(ipywidgets.__version__.split(".")[0]) >= 8)


@pytest.mark.slow
def test_evolution_stepper_tabs_have_titles():
    bench = nk.bench.load("mini")
    w = EvolutionStepper(RegularizedEvolution(bench.space, population_size=4, sample_size=2, seed=0),
                         bench, max_trials=6, epoch=bench.final_epoch)
    assert tab_titles(w.tabs) == ("population", "parent and child", "best so far")
    w.step = len(w.frames_) - 1
    assert bytes(w.best_image.value).startswith(b"\x89PNG")


@pytest.mark.slow
def test_latency_explorer_tabs_have_titles():
    live = MeasuredLatency(channels=2, cells_per_stage=1, input_shape=(1, 1, 8, 8),
                           min_run_time=0.005, min_blocks=5, clock="cpu", warn=False)
    space = nk.NB201Space()
    for i in range(2):
        live(space.sample(seed=i))
    w = LatencyExplorer(live, accuracy=nk.bench.load("mini"))
    assert tab_titles(w.tabs) == ("timed blocks", "accuracy against latency")


def test_ranking_comparer_epochs_box_has_its_tooltip():
    w = RankingComparer(nk.bench.load("mini"), estimators=["tse"], n_archs=5, n_boot=5)
    tip = w.epochs.tooltip if IPYWIDGETS_8 else w.epochs.description_tooltip
    assert tip == "epochs seen by training-based estimators"
