"""Hostile arguments and failing callbacks against the widgets: refused clearly, or shown calmly.

Constructor and method arguments are refused with a ValueError naming the argument (never silently
clamped: a comparer asked for 2 archs must not score 3). A callback whose computation fails (a
slider value a latency table cannot price, a predictor that raises while the evolution steps)
must not raise out of the widget and must not leave the view showing the previous state: clear
is a calm message in the widget with the view matching its controls; deep is an exception
escaping; silent is a view that kept showing what was there before.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

import naskit as nk
from naskit.hardware import Latency
from naskit.ofa import LatencyTable, OFAEvolution, OFASpace, OFASuperNet
from naskit.oneshot import DARTS
from naskit.search import RegularizedEvolution
from naskit.supernet import SuperNet
from naskit.widgets import (AlphaWatcher, EvolutionStepper, LatencyExplorer, OFAEvolutionStepper,
                            RankingComparer, SubnetPicker)

from _hostile import REJECT, Case, Judged, outcome, tally as _tally
from test_bad_inputs import _Lazy as _BatteryLazy

NAN = math.nan


class _Lazy(_BatteryLazy):
    """The battery's lazily made objects (bench, data), with an OFA supernet as ``supernet``."""

    def _make_supernet(self):
        return OFASuperNet(OFASpace(), channels=(4, 8, 8), head_channels=16, seed=0).eval()

    def _make_table(self):
        keys = LatencyTable.keys(self.supernet.space)
        return LatencyTable(self.supernet.space, {k: 0.01 * (i + 1) for i, k in enumerate(keys)})

    def _make_watcher(self):
        net = SuperNet(nk.NB201Space(), channels=2, cells_per_stage=1, num_classes=10, in_channels=1)
        return AlphaWatcher(DARTS(net, self.data, epochs=1, seed=0))


L = _Lazy()


def _accuracy(arch):
    return sum(k * e for _, _, k, e in arch.blocks()) / 1000


def _latencies(n=3):
    space = nk.NB201Space()
    return {space[i]: Latency(median_ms=1.0 + i, iqr_ms=0.1, mean_ms=1.0 + i, n_runs=5,
                              device="cpu", batch_size=1, threads=1) for i in range(n)}


class _PartialTable:
    """A latency table that cannot price a kernel of 3 (a table measured for other kernels)."""

    def __call__(self, arch):
        if any(k == 3 for _, _, k, _ in arch.blocks()):
            raise KeyError("no entry for kernel 3")
        return 1.0


def _picker_unpriced():
    p = SubnetPicker(L.supernet, _accuracy, latency=_PartialTable(), measure=False)
    before = p.info.value
    try:
        p.kernel_sliders[0].value = 3
    except Exception as e:  # noqa: BLE001
        return "deep", f"the callback raised {type(e).__name__}: {e}"
    shown = p.info.value
    if shown == before or "k3" not in shown:
        return "silent", "the view still shows the previous subnet"
    if "Traceback" in shown or getattr(p, "error_", None) is None:
        return "deep", f"no calm message: {shown[:200]}"
    return "clear", shown[:200]


def _stepper_failing_predictor():
    calls = {"n": 0}

    def accuracy(arch):
        calls["n"] += 1
        if calls["n"] > 40:
            raise RuntimeError("the predictor's model file is gone")
        return _accuracy(arch)
    search = OFAEvolution(L.supernet.space, accuracy, L.table, constraint=3.0, population_size=12,
                          seed=0)
    s = OFAEvolutionStepper(search)
    before = s.summary.value
    try:
        s.step_button.click()
        s.step_button.click()
        s.step_button.click()
    except Exception as e:  # noqa: BLE001
        return "deep", f"the button raised {type(e).__name__}: {e}"
    if "gone" not in s.summary.value or s.summary.value == before:
        return "silent", "no message in the widget"
    if s.generation != len(search.generations_) - 1:
        return "deep", "the slider does not show the last generation"
    return "clear", s.summary.value[-200:]


def _advance(value):
    return Case("AlphaWatcher.advance", "n", value, REJECT, lambda v: L.watcher.advance(v))


def _comparer(arg, value, expect=REJECT):
    return Case("RankingComparer", arg, value, expect,
                lambda v: RankingComparer(L.bench, L.data, **{arg: v}))


def _stepper(value):
    return Case("EvolutionStepper", "interval_ms", value, REJECT, lambda v: EvolutionStepper(
        RegularizedEvolution(nk.NB201Space(), population_size=4, sample_size=2, seed=0), L.bench,
        max_trials=6, interval_ms=v))


CASES = [
    *(_advance(v) for v in (1.5, True, -1, "3", NAN)),
    _comparer("n_archs", 2), _comparer("n_archs", 1.5), _comparer("n_archs", 10 ** 6),
    _comparer("batch_size", 1000), _comparer("batch_size", 0), _comparer("epochs", 99),
    _comparer("epochs", 0), _comparer("n_boot", 0), _comparer("seed", -1),
    _comparer("channels", 0), _comparer("cells_per_stage", -1), _comparer("truth", "bogus"),
    *(_stepper(v) for v in (-5, 0, NAN, True, "600")),
    Case("LatencyExplorer", "accuracy", [NAN, 50.0, 60.0], REJECT,
         lambda v: LatencyExplorer(_latencies(), accuracy=v)),
    Case("LatencyExplorer", "accuracy", [np.inf, 50.0, 60.0], REJECT,
         lambda v: LatencyExplorer(_latencies(), accuracy=v)),
    Case("SubnetPicker", "min_run_time", -1.0, REJECT,
         lambda v: SubnetPicker(L.supernet, _accuracy, measure=True, min_run_time=v)),
    Case("SubnetPicker", "reference", ([0.1, 0.2], [NAN, 0.5]), REJECT,
         lambda v: SubnetPicker(L.supernet, _accuracy, measure=False, reference=v)),
    Case("SubnetPicker", "reference", ([0.1, 0.2], [0.5]), REJECT,
         lambda v: SubnetPicker(L.supernet, _accuracy, measure=False, reference=v)),
    Case("SubnetPicker", "accuracy", None, REJECT,
         lambda v: SubnetPicker(L.supernet, v, measure=False)),
    Case("OFAEvolutionStepper", "generations", -1, REJECT, lambda v: OFAEvolutionStepper(
        OFAEvolution(L.supernet.space, _accuracy, L.table, constraint=3.0, population_size=12,
                     seed=0), generations=v)),
    Case("OFAEvolutionStepper", "generations", 1.5, REJECT, lambda v: OFAEvolutionStepper(
        OFAEvolution(L.supernet.space, _accuracy, L.table, constraint=3.0, population_size=12,
                     seed=0), generations=v)),
    Judged("SubnetPicker-slider-the-table-cannot-price", _picker_unpriced),
    Judged("OFAEvolutionStepper-button-predictor-error", _stepper_failing_predictor),
]


def tally() -> dict:
    return _tally(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_widget(case):
    kind, detail = outcome(case)
    assert kind in ("clear", "harmless"), f"{kind}: {detail}"
