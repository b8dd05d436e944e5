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
    def broken(*args, **kwargs):
        raise RuntimeError("Optimal parameters not found")

    monkeypatch.setattr(curves, "curve_fit", broken)
    fit = fit_curve([50.0, 60.0, 65.0, 67.0], at=100, model="exp3")
    assert not fit.ok and fit.value == 67.0 and "failed" in repr(fit)
    assert np.isnan(fit(5.0))


@pytest.mark.parametrize("model", sorted(curves.CURVES))
def test_curve_fit_refuses_fewer_points_than_parameters(model):
    # every model has three parameters: two points cannot pin one down
    assert all(curves.CURVES[m][0].__code__.co_argcount - 1 == curves.MIN_POINTS
               for m in curves.CURVES)
    with pytest.raises(ValueError, match="at least 3 points, got 2"):
        fit_curve([50.0, 60.0], at=100, model=model)
    assert fit_curve([50.0, 60.0, 65.0], at=100, model=model).value > 0


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
    assert est(ARCH) == pytest.approx(-loss[:3].sum()) and est.cost_ == pytest.approx(3 * spe)
    est = TSEE(bench, epochs=3, last=2)
    assert est(ARCH) == pytest.approx(-loss[1:3].sum())
    est = TSEEMA(bench, epochs=3, gamma=0.9)
    assert est(ARCH) == pytest.approx(-(0.81 * loss[0] + 0.9 * loss[1] + loss[2]))
    est = EarlyStopping(bench, epochs=2)
    assert est(ARCH) == acc[1] and est.cost_ == pytest.approx(2 * spe + 2.0)
    est = CurveExtrapolation(bench, epochs=5, model="pow3", at=200)
    truth = a[i] - b[i] * 200.0 ** -c[i]
    assert est(ARCH) == pytest.approx(truth, rel=1e-3) and est.last_fit_.ok
    assert est.cost_ == pytest.approx(5 * (spe + 2.0)) and est.failures_ == 0
    assert all(e.simulated for e in (est, TSE(bench)))


def test_curve_extrapolation_flags_a_failed_fit(monkeypatch):
    bench, _ = curve_bench()
    est = CurveExtrapolation(bench, epochs=4)

    def broken(*args, **kwargs):
        raise RuntimeError("Optimal parameters not found")

    monkeypatch.setattr(curves, "curve_fit", broken)
    score = est(ARCH)
    assert score == bench.columns["valid_acc_curve"][bench.index(ARCH), 3]
    assert not est.last_fit_.ok and est.failures_ == 1


def short_bench(epochs):
    """The synthetic bench cut to its first ``epochs`` epochs of curves."""
    bench, _ = curve_bench()
    columns = {k: v[:, :epochs] for k, v in bench.columns.items()}
    return Benchmark(f"short{epochs}", bench.space,
                     {e: bench.valid_acc[e] for e in range(1, epochs + 1)},
                     seconds_per_epoch=bench.seconds_per_epoch, eval_seconds=bench.eval_seconds,
                     columns=columns)


def test_curve_extrapolation_refuses_curves_too_short_to_fit():
    # fewer observed epochs than the curve has parameters: refuse, naming both numbers
    with pytest.raises(ValueError, match="epochs must be an int in 3..6, got 2 "
                                         r"\(CurveExtrapolation needs at least 3 epochs"):
        CurveExtrapolation(curve_bench()[0], epochs=2)
    for epochs in (1, 2):
        bench = short_bench(epochs)
        with pytest.raises(ValueError, match=f"needs at least 3 epochs of 'valid_acc_curve'.*"
                                             f"short{epochs} records {epochs}"):
            CurveExtrapolation(bench, epochs=epochs)
        assert not CurveExtrapolation.supports(bench) and CurveExtrapolation.epochs_for(bench) == ()
        assert TSE.supports(bench) and TSE.epochs_for(bench) == tuple(range(1, epochs + 1))
    bench = short_bench(3)
    assert CurveExtrapolation.supports(bench) and CurveExtrapolation.epochs_for(bench) == (3,)
    assert CurveExtrapolation(bench, epochs=3)(ARCH) > 0


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


def test_one_simulated_clock_prices_queries_and_estimators():
    bench, _ = curve_bench()
    i = bench.index(ARCH)
    spe, ev = bench.seconds_per_epoch[i], bench.eval_seconds[i]
    for epochs in (1, 3, 6):
        for evaluations in (0, 1, epochs):
            assert bench.cost(ARCH, epochs, evaluations=evaluations) == pytest.approx(
                epochs * spe + evaluations * ev)
        assert bench.query(ARCH, epochs).cost == bench.cost(ARCH, epochs)
    assert bench.cost(ARCH) == bench.cost(ARCH, bench.final_epoch)
    assert bench.cost(ARCH, 9) == pytest.approx(9 * spe + ev)  # priced, though never recorded
    # what the estimators are charged: training only, or one evaluation per observed epoch
    tse_est, curve_est = TSE(bench, epochs=3), CurveExtrapolation(bench, epochs=4)
    tse_est(ARCH), curve_est(ARCH)
    assert tse_est.cost_ == bench.cost(ARCH, 3, evaluations=0)
    assert curve_est.cost_ == bench.cost(ARCH, 4, evaluations=4)
    for bad in (-1, 1.5, True):
        with pytest.raises(ValueError, match="evaluations must be a non-negative int"):
            bench.cost(ARCH, 2, evaluations=bad)
    with pytest.raises(ValueError, match="epoch must be a non-negative int"):
        bench.cost(ARCH, -2)
