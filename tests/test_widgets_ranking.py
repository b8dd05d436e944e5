"""RankingComparer driven headlessly: press Compute, change focus and selection, read what it shows."""
import numpy as np
import pytest

import naskit as nk
from naskit.bench import Benchmark
from naskit.estimators import (FLOPs, NASWOT, TSE, EarlyStopping, Params, compare,
                               noise_ceiling, sample_archs)
from naskit import estimators as E
from naskit.widgets import RankingComparer

from test_estimators_compare import curve_bench

PNG = b"\x89PNG\r\n\x1a\n"
CHOSEN = ["naswot", "params", "tse", "early_stopping"]
SCORED = CHOSEN + ["flops"]  # the FLOP baseline is always scored



@pytest.fixture(scope="module")
def bench():
    return curve_bench()


@pytest.fixture(scope="module")
def data():
    return nk.datasets.load().subset(n_train=64, n_val=16, seed=0)


@pytest.fixture(scope="module")
def computed(bench, data):
    w = RankingComparer(bench, data, estimators=CHOSEN, n_archs=12, channels=4, batch_size=16,
                        n_boot=30, seed=1)
    w.epochs.value = 2
    w.compute_button.click()
    return w


def test_offers_what_bench_and_data_allow(bench, data):
    w = RankingComparer(bench, data)
    assert {"naswot", "synflow", "jacob_cov", "params", "flops"} <= set(w.available)
    assert {"tse", "tse_e", "tse_ema", "early_stopping", "curve_extrapolation"} <= set(w.available)
    assert set(w.estimator_picker.value) <= set(w.available)
    # the widget is a view of the registry: it offers what the estimators say they support
    assert w.available == E.supported(bench, data) and w.unavailable == E.unsupported(bench, data)
    assert list(w.estimator_picker.options) == w.available and w.not_offered.value == ""
    without_data = RankingComparer(bench)
    assert "naswot" not in without_data.available and "tse" in without_data.available
    bare = Benchmark("bare", bench.space, {12: bench.valid_acc[1], 200: bench.valid_acc[4]})
    w = RankingComparer(bare, data)
    assert "tse" not in w.available and "curve_extrapolation" not in w.available
    assert "early_stopping" in w.available and w.epochs.value == 12  # a fidelity below the truth


def test_nothing_computed_until_the_button(bench, data):
    w = RankingComparer(bench, data, estimators=CHOSEN, n_archs=12, channels=4, batch_size=16)
    w.epochs.value, w.n_archs.value = 3, 20
    assert w.comparison_ is None and w.scatter_png == b"" and w.cost_png == b""


def test_compute_fills_comparison_images_and_table(computed, bench, data):
    w = computed
    c = w.comparison_
    assert c.names == SCORED and len(c.archs) == 12
    assert w.scatter_png.startswith(PNG) and w.rank_png.startswith(PNG)
    assert w.cost_png.startswith(PNG)
    assert all(f"<b>{n}</b>" in w.table.value for n in SCORED)
    assert "Scored 12 archs with 5 estimators" in w.progress.value
    # the same computation done with the library alone gives the same numbers
    archs = sample_archs(bench.space, 12, seed=1)
    assert list(c.archs) == archs
    ref = compare([NASWOT(data, channels=4, batch_size=16, seed=1), Params(data, channels=4, seed=1),
                   TSE(bench, epochs=2), EarlyStopping(bench, epochs=2),
                   FLOPs(data, channels=4, seed=1)], bench, archs,
                  n_boot=30, seed=1)
    for name in SCORED:
        assert np.allclose(c[name].scores, ref[name].scores)
        assert c[name].tau == pytest.approx(ref[name].tau)
        assert c[name].tau_ci == pytest.approx(ref[name].tau_ci)


def test_focus_changes_the_scatter(computed):
    w = computed
    assert w.focus.options == tuple(SCORED)
    before, rank_before = w.scatter_png, w.rank_png
    w.focus.value = "tse"
    assert w.scatter_png.startswith(PNG) and w.scatter_png != before and w.rank_png != rank_before
    w.focus.value = CHOSEN[0]
    assert w.scatter_png == before  # drawing is deterministic


def test_deselecting_removes_an_estimator_without_recomputing(bench, data):
    w = RankingComparer(bench, data, estimators=["params", "tse", "early_stopping"], n_archs=10,
                        channels=4, n_boot=20)
    w.compute()
    full, cost = w.comparison_, w.cost_png
    w.estimator_picker.value = ("params", "early_stopping")
    assert w.comparison_.names == ["params", "early_stopping", "flops"]
    assert "<b>tse</b>" not in w.table.value and "<b>params</b>" in w.table.value
    assert w.cost_png != cost and w.comparison_["params"] is full["params"]
    w.estimator_picker.value = ("params", "early_stopping", "naswot")
    assert "Compute</b> to score with naswot" in w.progress.value
    assert "naswot" not in w.comparison_.names
    w.n_archs.value = 11
    assert "Settings changed" in w.progress.value


def test_bad_input_is_reported(bench, data):
    with pytest.raises(ValueError, match="unknown or unavailable estimators \\['nope'\\]"):
        RankingComparer(bench, data, estimators=["nope"])
    with pytest.raises(ValueError, match="unavailable"):
        RankingComparer(bench, None, estimators=["naswot"])
    with pytest.raises(TypeError, match="Benchmark"):
        RankingComparer("mini", data)
    w = RankingComparer(bench, data, estimators=["tse"])
    w.estimator_picker.value = ()
    assert w.compute() is None and "at least one estimator" in w.progress.value
    assert "RankingComparer(bench='toy'" in repr(w)


def seeds_bench(bench, seed=0):
    """``bench`` with a second training seed on every third class: truth plus seed noise."""
    rng = np.random.default_rng(seed)
    acc = np.stack([bench.valid_acc[e] for e in bench.fidelities], axis=1)  # (archs, epochs)
    second = acc + rng.normal(0, 8, acc.shape)
    second[rng.random(len(acc)) > 1 / 3] = np.nan
    columns = dict(bench.columns, valid_acc_seeds=np.stack([acc, second], axis=1))
    return Benchmark("toy-seeds", bench.space, bench.valid_acc, bench.test_acc,
                     seconds_per_epoch=bench.seconds_per_epoch, eval_seconds=bench.eval_seconds,
                     columns=columns)


def test_baselines_always_scored_and_ceiling_drawn(bench, data):
    two = seeds_bench(bench)
    w = RankingComparer(two, data, estimators=["tse"], n_archs=10, channels=4, n_boot=20)
    w.compute()
    assert w.comparison_.names == ["tse", "params", "flops"]
    ref = noise_ceiling(two, per="arch", n_boot=20, seed=0)
    assert w.ceiling_.tau == pytest.approx(ref.tau) and w.ceiling_.n == ref.n
    assert "Noise ceiling" in w.table.value and f"{ref.tau:.2f}" in w.table.value
    assert f"{ref.truth_tau:.2f}" in w.table.value and "noise-free truth" in w.table.value
    without = RankingComparer(bench, data, estimators=["tse"], n_archs=10, channels=4, n_boot=20)
    without.compute()
    assert without.ceiling_ is None and "Noise ceiling" not in without.table.value
    assert w.cost_png.startswith(PNG) and w.cost_png != without.cost_png


def test_an_error_while_scoring_is_shown_in_the_widget(bench, data, monkeypatch):
    import naskit.widgets.ranking as ranking

    def broken(*args, **kwargs):
        raise RuntimeError("estimator exploded")
    monkeypatch.setattr(ranking, "compare", broken)
    w = RankingComparer(bench, data, estimators=["params"], n_archs=12)
    w.compute_button.click()  # used to raise out of the button's callback
    assert "Could not score the archs: RuntimeError: estimator exploded" in w.progress.value
    assert w.comparison_ is None and w.compute() is None


def test_curve_extrapolation_is_not_offered_where_curves_are_too_short(data):
    mini = nk.bench.load("mini")
    w = RankingComparer(mini, data)
    assert "curve_extrapolation" not in w.available
    assert "curve_extrapolation" not in w.estimator_picker.options
    recorded = mini.columns["valid_acc_curve"].shape[1]
    # shown with its reason instead
    assert "<b>curve_extrapolation</b>" in w.not_offered.value
    assert f"at least 3 epochs" in w.not_offered.value and f"mini records {recorded}" in \
        w.not_offered.value
    with pytest.raises(ValueError, match="curve_extrapolation needs at least 3 epochs"):
        RankingComparer(mini, data, estimators=["curve_extrapolation"])
    bare = RankingComparer(mini)  # no data: the zero-cost ones are out, for one reason
    assert "<b>naswot, synflow," in bare.not_offered.value and "needs a data set" in \
        bare.not_offered.value


def test_too_few_epochs_for_curve_extrapolation_is_said_not_raised(bench, data):
    w = RankingComparer(bench, data, estimators=["curve_extrapolation"], n_archs=10, n_boot=20)
    assert w.epochs.max == bench.columns["valid_acc_curve"].shape[1]
    w.epochs.value = 2
    w.compute_button.click()
    assert w.comparison_ is None
    assert "epochs must be an int in 3..4, got 2" in w.progress.value
    assert "needs at least 3 epochs" in w.progress.value
    w.epochs.value = 3
    w.compute_button.click()
    assert w.comparison_.names == ["curve_extrapolation", "params", "flops"]
    ref = E.CurveExtrapolation(bench, epochs=3)
    assert np.allclose(w.comparison_["curve_extrapolation"].scores,
                       [ref(a) for a in w.comparison_.archs])


def _png_size(png: bytes) -> tuple[int, int]:
    assert png.startswith(PNG)
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def test_fits_a_laptop_window(computed):
    """1280x720: controls, tab bar and the tallest tab under ~650 px, every row under 1250 px."""
    w = computed
    scatter, rank, cost = (_png_size(p) for p in (w.scatter_png, w.rank_png, w.cost_png))
    assert [c.__class__.__name__ for c in w.children] == ["HBox", "Tab"]
    assert w.tabs.children[0] is w.table and w.tabs.children[2] is w.cost_image
    # the scatter and the rank plot share a row; the cost plot has its tab
    assert scatter[0] + rank[0] <= 1250 and cost[0] <= 1250
    # controls: the estimator list (at most 7 rows of ~20 px) and four 32 px controls
    controls = max(w.estimator_picker.rows * 20 + 10, 4 * 34)
    tab_bar, focus = 40, 34
    tallest = max(focus + max(scatter[1], rank[1]), cost[1], 400)  # the table scrolls past 400
    assert controls + tab_bar + tallest <= 650, (controls, scatter, rank, cost)
    assert w.table.layout.max_height == "400px" and w.table.layout.overflow == "auto"
