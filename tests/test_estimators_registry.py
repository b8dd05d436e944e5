"""The estimator registry: it lists every estimator class, and what it says runs does run."""
import math

import numpy as np
import pytest

import naskit as nk
from naskit import estimators as E
from naskit.bench import Benchmark
from naskit.space import Arch

from test_estimators_training import curve_bench, short_bench

ARCH = Arch.from_string("|nor_conv_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+"
                        "|avg_pool_3x3~0|nor_conv_3x3~1|skip_connect~2|")
NET = dict(channels=4, cells_per_stage=1, batch_size=16, seed=0)


@pytest.fixture(scope="module")
def data():
    return nk.datasets.load().subset(n_train=64, n_val=16, seed=0)


@pytest.fixture(scope="module")
def benches():
    """The embedded mini bench, a toy bench with long curves, one with short ones, a bare one."""
    toy = curve_bench()[0]
    bare = Benchmark("bare", toy.space, {12: toy.valid_acc[2], 200: toy.valid_acc[6]})
    return {"mini": nk.bench.load("mini"), "toy": toy, "short": short_bench(2), "bare": bare}


def test_the_registry_lists_exactly_the_public_estimator_classes():
    public = {getattr(E, n) for n in E.__all__ if isinstance(getattr(E, n), type)
              and issubclass(getattr(E, n), E.Estimator) and getattr(E, n) is not E.Estimator}
    # Precomputed replays another estimator's stored scores: it is made from a file, not here
    assert set(E.ESTIMATORS.values()) == public - {E.Precomputed}
    assert all(name == cls.name for name, cls in E.ESTIMATORS.items())
    assert len(set(E.ESTIMATORS)) == len(E.ESTIMATORS)
    with pytest.raises(TypeError, match="Precomputed.load"):
        E.Precomputed.make(nk.bench.load("mini"))
    with pytest.raises(ValueError, match="unknown estimator 'nope'; choose from"):
        E.make("nope")


def _runs(name, bench, data) -> bool:
    """Brute force: does any epoch count build estimator ``name`` that scores an arch?"""
    for epochs in (None, *range(1, 210)):
        try:
            est = E.make(name, bench, data, epochs=epochs, **NET)
        except ValueError:
            continue
        score = est(ARCH)
        assert isinstance(score, float) and math.isfinite(score), (name, epochs, score)
        return True
    return False


@pytest.mark.slow
def test_supports_agrees_with_building_and_scoring(benches, data):
    for bench_name, bench in benches.items():
        for d in (None, data):
            offered = E.supported(bench, d)
            why = E.unsupported(bench, d)
            assert set(offered) | set(why) == set(E.ESTIMATORS) and not set(offered) & set(why)
            for name, cls in E.ESTIMATORS.items():
                assert cls.supports(bench, d) == (name in offered)
                assert _runs(name, bench, d) == (name in offered), (bench_name, name, why.get(name))


def test_what_the_embedded_bench_supports(benches):
    mini, data = benches["mini"], nk.datasets.load()
    offered = E.supported(mini, data)
    assert "curve_extrapolation" not in offered
    assert {"naswot", "params", "flops", "tse", "early_stopping", "subset_training"} <= set(offered)
    why = E.unsupported(mini, data)
    assert set(why) == {"curve_extrapolation"}
    assert "at least 3 epochs of 'valid_acc_curve'" in why["curve_extrapolation"]
    assert f"mini records {mini.columns['valid_acc_curve'].shape[1]}" in why["curve_extrapolation"]
    no_data = E.unsupported(mini)
    assert all("needs a data set" in no_data[n] for n in E.ZERO_COST)
    with pytest.raises(ValueError, match="CurveExtrapolation needs at least 3 epochs"):
        E.make("curve_extrapolation", mini)
    with pytest.raises(ValueError, match="NASWOT needs a data set"):
        E.make("naswot", mini)


def test_epochs_for_agrees_with_the_constructors(benches):
    for bench in benches.values():
        for name in ("tse", "tse_e", "tse_ema", "early_stopping", "curve_extrapolation"):
            cls = E.ESTIMATORS[name]
            accepted = []
            for epochs in range(0, 210):
                try:
                    cls(bench, epochs=epochs)
                except ValueError:
                    continue
                accepted.append(epochs)
            assert E.epochs_for(name, bench) == tuple(accepted), (bench.name, name)
    assert E.epochs_for("naswot", benches["mini"]) == ()


def test_make_builds_what_the_constructors_build(benches, data):
    toy = benches["toy"]
    pairs = [(E.make("naswot", toy, data, **NET), E.NASWOT(data, **NET)),
             (E.make("synflow", toy, data, **NET),
              E.Synflow(data, channels=4, cells_per_stage=1, seed=0)),
             (E.make("tse_ema", toy, data, epochs=3, **NET), E.TSEEMA(toy, epochs=3)),
             (E.make("early_stopping", toy, epochs=2), E.EarlyStopping(toy, epochs=2)),
             (E.make("curve_extrapolation", toy, epochs=4), E.CurveExtrapolation(toy, epochs=4))]
    for made, direct in pairs:
        assert type(made) is type(direct) and repr(made) == repr(direct)
        assert made(ARCH) == direct(ARCH)
        if made.simulated:
            assert made.cost_ == direct.cost_
    sub = E.make("subset_training", None, data, epochs=1, **NET)
    assert sub.fraction == E.SubsetTraining.default_fraction and sub.epochs == 1
    assert np.isfinite(sub(ARCH))
