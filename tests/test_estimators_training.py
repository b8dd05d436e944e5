"""Training-based estimators: TSE by hand, curve fits recover known curves, bench estimators."""

import numpy as np
import pytest

import naskit as nk
from naskit.bench import Benchmark
from naskit.estimators import (TSE, TSEE, TSEEMA, CurveExtrapolation, EarlyStopping, curves,
                               epoch_losses, fit_curve, tse, tse_e, tse_ema)
from naskit.space import NB201Space
from naskit.train import TrainLog

ARCH = ("|nor_conv_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+"
        "|avg_pool_3x3~0|nor_conv_3x3~1|skip_connect~2|")



def synthetic_log():
    # 3 epochs x 4 minibatches; epoch_train_loss is weighted by batch size, so it may differ
    steps = [2.0, 1.8, 1.6, 1.4, 1.3, 1.1, 1.0, 0.8, 0.7, 0.7, 0.6, 0.4]
    return TrainLog(step_loss=steps, epoch_train_loss=[1.7, 1.05, 0.6], epoch_val_acc=[.3, .5, .6])


def test_tse_variants_equal_hand_sums():
    log = synthetic_log()
    L = [(2.0 + 1.8 + 1.6 + 1.4) / 4, (1.3 + 1.1 + 1.0 + 0.8) / 4, (0.7 + 0.7 + 0.6 + 0.4) / 4]
    assert np.allclose(epoch_losses(log), L)
    assert tse(log) == pytest.approx(-(L[0] + L[1] + L[2]))
    assert tse(log, epochs=2) == pytest.approx(-(L[0] + L[1]))
    assert tse_e(log) == pytest.approx(-L[2])
    assert tse_e(log, last=2) == pytest.approx(-(L[1] + L[2]))
    assert tse_e(log, epochs=2, last=1) == pytest.approx(-L[1])
    assert tse_ema(log, gamma=0.5) == pytest.approx(-(0.25 * L[0] + 0.5 * L[1] + L[2]))
    assert tse_ema(log, gamma=1.0) == pytest.approx(tse(log))
    assert tse(L) == tse(log)  # per-epoch losses work as well as a TrainLog


@pytest.mark.slow
def test_tse_of_a_real_run_uses_the_minibatch_losses():
    # with equal-sized minibatches the mean over minibatches equals train()'s epoch loss
    data = nk.datasets.load().subset(n_train=64, n_val=32, seed=0)
    net = nk.build(ARCH, channels=4, cells_per_stage=1, in_channels=1, seed=0)
    log = nk.train(net, data, epochs=2, batch_size=32, evaluate_test=False)
    assert np.allclose(epoch_losses(log), log.epoch_train_loss, rtol=1e-6)
    assert tse(log) == pytest.approx(-sum(log.epoch_train_loss), rel=1e-6)


def test_tse_rejects_bad_windows():
    log = synthetic_log()
    with pytest.raises(ValueError, match="epochs must be"):
        tse(log, epochs=4)
    with pytest.raises(ValueError, match="last must be"):
        tse_e(log, epochs=2, last=3)
    with pytest.raises(ValueError, match="gamma"):
        tse_ema(log, gamma=0)
    with pytest.raises(ValueError, match="whole number of steps"):
        epoch_losses(TrainLog(step_loss=[1.0, 2.0, 3.0], epoch_train_loss=[1.0, 2.0]))


# -- learning curves ------------------------------------------------------------------------
@pytest.mark.parametrize("model, params", [("pow3", (92.0, 60.0, 0.7)),
                                           ("exp3", (85.0, 70.0, 0.25)),
                                           ("log_power", (90.0, 0.5, -1.2))])
def test_curve_fits_recover_the_parameters_of_a_known_curve(model, params):
    fn = curves.CURVES[model][0]
    x = np.arange(1, 16, dtype=float)
    fit = fit_curve(fn(x, *params), at=200, model=model)
    assert fit.ok and fit.model == model
    assert np.allclose(fit.params, params, rtol=1e-3)
    assert fit.value == pytest.approx(fn(200.0, *params), rel=1e-4)
    assert np.allclose(fit(x), fn(x, *params), rtol=1e-5)


def test_curve_fit_falls_back_to_the_last_value_and_says_so(monkeypatch):
    fit = fit_curve([50.0, 60.0], at=100)  # two points for three parameters
    assert not fit.ok and fit.value == 60.0 and "failed" in repr(fit)
    assert np.isnan(fit(5.0))

    def broken(*args, **kwargs):
        raise RuntimeError("Optimal parameters not found")

    monkeypatch.setattr(curves, "curve_fit", broken)
    fit = fit_curve([50.0, 60.0, 65.0, 67.0], at=100, model="exp3")
    assert not fit.ok and fit.value == 67.0


def test_curve_fit_rejects_bad_input():
    with pytest.raises(ValueError, match="unknown curve model"):
        fit_curve([1, 2, 3], at=10, model="pow4")
    with pytest.raises(ValueError, match="finite"):
        fit_curve([1, np.nan, 3], at=10)


# -- estimators over a benchmark's curves -------------------------------------------------------
def curve_bench(epochs=6, seed=0):
    """A synthetic benchmark with exact pow3 accuracy curves and decaying training losses."""
    space = NB201Space()
    n = len(space)
    rng = np.random.default_rng(seed)
    a, b, c = rng.uniform(60, 95, n), rng.uniform(20, 50, n), rng.uniform(0.3, 1.5, n)
    t = np.arange(1, epochs + 1, dtype=float)
    acc = a[:, None] - b[:, None] * t ** -c[:, None]
    loss = 2.3 * np.exp(-0.3 * t)[None, :] * rng.uniform(0.5, 1.5, (n, 1))
    columns = dict(train_loss=loss, valid_acc_curve=acc, valid_loss=loss + 0.1)
    return Benchmark("curves", space, {e: acc[:, e - 1] for e in range(1, epochs + 1)},
                     seconds_per_epoch=rng.uniform(5, 10, n), eval_seconds=np.full(n, 2.0),
                     columns=columns), (a, b, c)


def test_bench_estimators_read_the_curves_and_charge_the_bench_clock():
    bench, (a, b, c) = curve_bench()
    i = bench.index(ARCH)
    loss, acc, spe = bench.columns["train_loss"][i], bench.columns["valid_acc_curve"][i], \
        bench.seconds_per_epoch[i]
    est = TSE(bench, epochs=3)
    assert est(ARCH) == pytest.approx(-loss[:3].sum()) and est.cost == pytest.approx(3 * spe)
    est = TSEE(bench, epochs=3, last=2)
    assert est(ARCH) == pytest.approx(-loss[1:3].sum())
    est = TSEEMA(bench, epochs=3, gamma=0.9)
    assert est(ARCH) == pytest.approx(-(0.81 * loss[0] + 0.9 * loss[1] + loss[2]))
    est = EarlyStopping(bench, epochs=2)
    assert est(ARCH) == acc[1] and est.cost == pytest.approx(2 * spe + 2.0)
    est = CurveExtrapolation(bench, epochs=5, model="pow3", at=200)
    truth = a[i] - b[i] * 200.0 ** -c[i]
    assert est(ARCH) == pytest.approx(truth, rel=1e-3) and est.last_fit_.ok
    assert est.cost == pytest.approx(5 * (spe + 2.0)) and est.failures_ == 0
    assert all(e.simulated for e in (est, TSE(bench)))


def test_curve_extrapolation_flags_a_failed_fit():
    bench, _ = curve_bench()
    est = CurveExtrapolation(bench, epochs=2)
    score = est(ARCH)
    assert score == bench.columns["valid_acc_curve"][bench.index(ARCH), 1]
    assert not est.last_fit_.ok and est.failures_ == 1


def test_bench_estimators_explain_what_is_missing():
    bench, _ = curve_bench(epochs=4)
    with pytest.raises(ValueError, match="epochs must be an int in 1..4"):
        TSE(bench, epochs=5)
    with pytest.raises(ValueError, match="last must be"):
        TSEE(bench, epochs=2, last=3)
    with pytest.raises(ValueError, match="unknown curve model"):
        CurveExtrapolation(bench, model="pow4")
    bare = Benchmark("bare", bench.space, {12: bench.valid_acc[4], 200: bench.valid_acc[4]})
    with pytest.raises(ValueError, match="'train_loss' column"):
        TSE(bare)
    with pytest.raises(ValueError, match=r"choose epochs from \[12, 200\]"):
        EarlyStopping(bare, epochs=100)
    assert EarlyStopping(bare, epochs=12)(ARCH) == bench.valid_acc[4][bench.index(ARCH)]
    with pytest.raises(TypeError, match="Benchmark"):
        TSE("mini")
