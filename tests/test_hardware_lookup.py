"""Lookup tables, the additive predictor and device comparisons, against hand sums and brute force."""
import warnings
from collections import Counter

import numpy as np
import pytest
from scipy import stats

import naskit as nk
from naskit.hardware import (AdditivePredictor, LatencyTable, MachineBusyWarning, MeasuredLatency,
                             best_under, build_latency_table, device_kind, pareto_front,
                             pareto_overlap, prediction_error, rank_correlation)
from naskit.model.nb201 import Cell, ResidualReduction
from naskit.space import Arch, NB201Space

SPACE = NB201Space()
ARCH = Arch.from_string("|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|"
                        "nor_conv_1x1~1|none~2|")


def hand_table(cells_per_stage=2):
    """A table with distinct, made-up entries: every one a different power of two (in us)."""
    keys = LatencyTable.keys_needed()
    entries = {k: 2.0 ** i / 1000 for i, k in enumerate(keys)}
    return LatencyTable(entries, channels=4, cells_per_stage=cells_per_stage,
                        input_shape=(1, 3, 16, 16))


@pytest.mark.parametrize("n", [0, 1, 3])
def test_the_additive_prediction_is_the_sum_of_its_table_entries(n):
    table = hand_table(n)
    e = table.entries
    ops = [op for _, _, op in ARCH.edges]
    by_hand = e["stem", 0] + e["reduction", 1] + e["reduction", 2] + e["head", 2]
    for s in range(3):
        by_hand += n * sum(e[op, s] for op in ops) + n * 6 * e["add", s]
    predictor = AdditivePredictor(table)
    assert predictor(ARCH) == pytest.approx(by_hand, rel=1e-12)
    assert predictor(str(ARCH)) == predictor(ARCH)
    assert sum(p.total_ms for p in predictor.breakdown(ARCH)) == pytest.approx(by_hand, rel=1e-12)


def test_the_breakdown_counts_the_modules_of_the_built_network():
    n = 2
    net = nk.build(ARCH, channels=4, cells_per_stage=n)
    built = Counter()
    for m in net.cells:
        if isinstance(m, Cell):
            built.update(f"{type(e).__name__}" for e in m.edges)
    parts = AdditivePredictor(hand_table(n)).breakdown(ARCH)
    counted = Counter()
    for p in parts:
        counted[p.part] += p.count
    # ReLUConvBN is nor_conv_1x1 and nor_conv_3x3, Pool avg_pool, Identity skip, Zero none
    assert built["ReLUConvBN"] == counted["nor_conv_3x3"] + counted["nor_conv_1x1"]
    assert built["Pool"] == counted["avg_pool_3x3"] and built["Zero"] == counted["none"]
    assert built["Identity"] == counted["skip_connect"]
    assert counted["add"] == 3 * n * 6 and counted["reduction"] == sum(
        isinstance(m, ResidualReduction) for m in net.cells)


def test_a_calibrated_predictor_recovers_a_known_scale_and_offset():
    base = AdditivePredictor(hand_table())
    archs = [SPACE.sample(seed=i) for i in range(12)]
    measured = [1.3 * base(a) + 0.02 for a in archs]
    fit = base.calibrated(archs, measured)
    assert fit.scale == pytest.approx(1.3) and fit.offset_ms == pytest.approx(0.02)
    assert fit(ARCH) == pytest.approx(1.3 * base(ARCH) + 0.02)
    assert "scale=1.3" in repr(fit) and "scale" not in repr(base)


def test_table_and_predictor_reject_bad_input():
    entries = hand_table().entries
    with pytest.raises(ValueError, match="lack"):
        LatencyTable({k: v for k, v in entries.items() if k != ("head", 2)})
    with pytest.raises(ValueError, match="finite"):
        LatencyTable({**entries, ("stem", 0): -1.0})
    with pytest.raises(ValueError, match="cells_per_stage"):
        LatencyTable(entries, cells_per_stage=-1)
    with pytest.raises(ValueError, match="unknown op"):
        AdditivePredictor(hand_table())(Arch.from_ops(["sep_conv_3x3"] * 6))
    with pytest.raises(TypeError, match="LatencyTable"):
        AdditivePredictor(entries)
    with pytest.raises(KeyError, match="no entry"):
        hand_table()["conv_7x7", 0]


def test_prediction_error_against_hand_computed_numbers():
    measured = np.array([1.0, 2.0, 4.0, 8.0])
    predicted = np.array([1.05, 1.6, 4.0, 9.0])  # +5%, -20%, 0%, +12.5%
    e = prediction_error(predicted, measured, tolerance=0.1)
    assert e.n == 4 and e.within == 0.5
    assert e.mean_abs_error == pytest.approx((0.05 + 0.2 + 0 + 0.125) / 4)
    assert e.median_ratio == pytest.approx(np.median([1.05, 0.8, 1.0, 1.125]))
    assert e.rho == pytest.approx(1.0)
    assert "50% within +-10%" in repr(e)
    with pytest.raises(ValueError):
        prediction_error([1.0], [1.0])
    with pytest.raises(ValueError, match="tolerance"):
        prediction_error(predicted, measured, tolerance=10)


@pytest.mark.slow
def test_a_measured_table_has_every_entry_and_predicts_the_right_order():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MachineBusyWarning)
        table = build_latency_table(channels=4, cells_per_stage=1, input_shape=(1, 1, 16, 16),
                                    min_run_time=0.005, min_blocks=5, clock="cpu")
    assert set(table.entries) == set(LatencyTable.keys_needed())
    assert all(v > 0 for v in table.entries.values())
    assert table.measurements["nor_conv_3x3", 0].clock == "cpu"
    assert "22 entries" in repr(table) and table.environment is not None
    p = AdditivePredictor(table)
    # a 3x3 conv does ~9x the multiply-adds of skipping; the predictions must say it is slower
    assert p(Arch.from_ops(["nor_conv_3x3"] * 6)) > p(Arch.from_ops(["skip_connect"] * 6))


def test_measured_latency_measures_each_arch_once():
    live = MeasuredLatency(channels=4, cells_per_stage=1, input_shape=(1, 1, 16, 16),
                           min_run_time=0.005, min_blocks=5, clock="cpu", warn=False)
    first = live(ARCH)
    assert live.cost_ > 0 and len(live.measured_) == 1
    assert live(str(ARCH)) == first and len(live.measured_) == 1
    assert live.latency(ARCH).median_ms == first
    assert "1 archs measured" in repr(live)


# -- devices ---------------------------------------------------------------------------------------
def brute_front(cost, value):
    return sorted(i for i in range(len(cost))
                  if not any(cost[j] <= cost[i] and value[j] >= value[i]
                             and (cost[j] < cost[i] or value[j] > value[i])
                             for j in range(len(cost))))


def test_pareto_front_of_a_hand_made_set():
    #        0    1    2    3    4    5    6
    cost = [1.0, 2.0, 2.0, 3.0, 4.0, 5.0, 0.5]
    value = [50, 70, 60, 65, 80, 80, 10]
    # 2 is beaten by 1 (same cost, better), 3 by 1 (cheaper, better), 5 by 4 (cheaper, same)
    assert pareto_front(cost, value).tolist() == [6, 0, 1, 4]
    assert pareto_front([1, 1], [5, 5]).tolist() == [0, 1]  # copies do not dominate each other
    assert pareto_front([1, np.nan, 2], [1, 9, 2]).tolist() == [0, 2]
    with pytest.raises(ValueError, match="same length"):
        pareto_front([1, 2], [1])


@pytest.mark.parametrize("seed", range(40))
def test_pareto_front_equals_brute_force(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 40))
    cost, value = rng.integers(0, 8, n).astype(float), rng.integers(0, 8, n).astype(float)  # ties
    front = pareto_front(cost, value)
    assert sorted(front.tolist()) == brute_front(cost, value)
    assert np.all(np.diff(cost[front]) >= 0)  # cheapest first


def test_rank_correlation_matches_scipy_pair_by_pair():
    rng = np.random.default_rng(0)
    base = rng.random(200)
    lat = {"gpu": base + 0.05 * rng.random(200), "cpu": base ** 2, "asic": rng.random(200)}
    c = rank_correlation(lat)
    for a in lat:
        for b in lat:
            assert c[a, b] == pytest.approx(stats.spearmanr(lat[a], lat[b])[0])
    assert c.pairs()[0][0] == min(c["gpu", "asic"], c["cpu", "asic"])
    assert "3 devices" in repr(c)


def test_pareto_overlap_is_the_jaccard_index_of_the_fronts():
    acc = np.array([10, 20, 30, 40.0])
    lat = {"a": np.array([1, 2, 3, 4.0]),   # every arch on the front
           "b": np.array([4, 3, 2, 1.0])}   # arch 3 is fastest and best: only it
    o = pareto_overlap(acc, lat)
    assert o.fronts["a"].tolist() == [0, 1, 2, 3] and o.fronts["b"].tolist() == [3]
    assert o.jaccard[0, 1] == pytest.approx(1 / 4) and o.jaccard[0, 0] == 1
    assert o.shared("a", "b").tolist() == [3]
    with pytest.raises(ValueError, match="accuracy"):
        pareto_overlap(acc[:3], lat)


def test_best_under_a_budget_by_brute_force():
    rng = np.random.default_rng(1)
    acc, lat = rng.random(100), rng.random(100)
    for budget in (0.1, 0.5, 1.0):
        i = best_under(acc, lat, budget)
        assert lat[i] <= budget and acc[i] == acc[lat <= budget].max()
    with pytest.raises(ValueError, match="fastest"):
        best_under(acc, lat, -1)


def test_device_kinds_of_the_table_devices():
    assert [device_kind(d) for d in ("titan_rtx_32", "gold_6240", "pixel3", "raspi4", "eyeriss",
                                     "fpga", "toaster")] == \
        ["GPU", "CPU", "phone", "Raspberry Pi", "ASIC", "FPGA", "other"]


def test_on_the_nb201_latency_table_devices_disagree():
    lat = nk.bench.load("nb201-latency")
    acc = nk.bench.load("nb201-cifar10-valid").column("valid_acc")
    c = rank_correlation(lat.columns)
    # HW-NAS-Bench's finding: an edge ASIC and a server GPU rank latency quite differently
    assert c["eyeriss", "titan_rtx_1"] < 0.6 < c["titan_rtx_256", "2080ti_256"]
    o = pareto_overlap(acc, {d: lat.columns[d] for d in ("eyeriss", "pixel3", "titan_rtx_1")})
    assert o.jaccard[0, 1] < 1 and o.jaccard[1, 2] < 1
    for d in ("eyeriss", "pixel3"):
        i = best_under(acc, lat.columns[d], np.quantile(lat.columns[d], 0.25))
        assert i in o.fronts[d]  # the best under a budget lies on the front
