"""History: the incumbent, best-so-far curves and the table export, checked by brute force."""
import numpy as np
import pytest

from naskit.history import History, Trial
from naskit.space import NB201Space

SPACE = NB201Space()


def make_history(fitness, epochs=None, reported=None, cost=10.0, infos=None) -> History:
    h = History(strategy="Test()", seed=0, budget=1000.0, bench="toy")
    epochs = epochs or [12] * len(fitness)
    reported = reported if reported is not None else [f + 5 for f in fitness]
    for k, f in enumerate(fitness):
        h.append(Trial(SPACE[k], float(f), float(reported[k]), cost, cost * (k + 1), epochs[k], k,
                       (infos or [{}] * len(fitness))[k]))
    return h


def brute_incumbent(trials, upto):
    """Highest fidelity first, then highest fitness, earliest on ties: by scanning all pairs."""
    best = None
    for t in trials[:upto + 1]:
        if best is None or t.epoch > best.epoch or (t.epoch == best.epoch and t.fitness > best.fitness):
            best = t
    return best


def test_best_is_the_highest_fitness_and_reports_its_final_accuracy():
    rng = np.random.default_rng(0)
    fit = rng.uniform(50, 90, 40)
    rep = rng.uniform(80, 95, 40)
    h = make_history(fit, reported=rep)
    b = h.best()
    assert b.fitness == fit.max() and b.reported == rep[np.argmax(fit)]
    assert b.arch == SPACE[int(np.argmax(fit))]


def test_best_so_far_by_fitness_is_monotone_and_by_reported_follows_the_incumbent():
    rng = np.random.default_rng(1)
    fit, rep = rng.uniform(50, 90, 60), rng.uniform(80, 95, 60)
    h = make_history(fit, reported=rep)
    t, f = h.best_so_far("fitness")
    assert np.all(np.diff(f) >= 0) and np.allclose(f, np.maximum.accumulate(fit))
    assert np.allclose(t, 10.0 * np.arange(1, 61))
    _, r = h.best_so_far("reported")
    assert np.allclose(r, [brute_incumbent(h.trials, k).reported for k in range(60)])
    assert np.any(np.diff(r) < 0)  # the incumbent's final accuracy need not grow


def test_ties_keep_the_earlier_trial_and_higher_fidelity_wins():
    h = make_history([70, 80, 80, 60, 95], epochs=[12, 12, 12, 200, 12])
    assert [int(i) for i in h.incumbents()] == [0, 1, 1, 3, 3]
    assert h.best().step == 3
    for k in range(5):
        assert h.incumbents()[k] == brute_incumbent(h.trials, k).step


def test_best_at_is_a_step_function_of_time():
    h = make_history([70, 80, 75])
    v = h.best_at([0, 9.99, 10, 15, 20, 30, 1e6], by="fitness")
    assert np.isnan(v[:2]).all()
    assert np.allclose(v[2:], [70, 70, 80, 80, 80])


def test_to_frame_has_one_row_per_trial_and_the_info_columns():
    pandas = pytest.importorskip("pandas")  # optional: naskit does not depend on it
    h = make_history([70, 80], infos=[{"parent": None}, {"parent": 0, "parents": (0, 0)}])
    frame = h.to_frame()
    assert isinstance(frame, pandas.DataFrame)
    cols = h.to_dict()
    assert list(cols) == ["step", "arch", "epoch", "fitness", "reported", "cost", "time", "parent",
                          "parents"]
    assert list(frame["fitness"]) == [70, 80] and list(frame["parent"]) == [None, 0]
    assert list(frame["parents"]) == [None, (0, 0)]
    assert list(frame["arch"]) == [str(SPACE[0]), str(SPACE[1])]
    assert all(len(v) == 2 for v in cols.values())
    with pytest.raises(ValueError, match="clashes"):
        make_history([1.0], infos=[{"time": 3}]).to_dict()


def test_to_frame_without_pandas_says_to_use_to_dict(monkeypatch):
    import builtins
    real_import = builtins.__import__

    def no_pandas(name, *args, **kwargs):
        if name == "pandas":
            raise ImportError("no pandas here")
        return real_import(name, *args, **kwargs)
    monkeypatch.setattr(builtins, "__import__", no_pandas)
    h = make_history([70, 80])
    with pytest.raises(ImportError, match=r"to_dict\(\)"):
        h.to_frame()
    assert isinstance(h.to_dict(), dict) and list(h.to_dict()["fitness"]) == [70, 80]


def test_container_repr_and_errors():
    h = make_history([70, 80, 75])
    assert len(h) == 3 and [t.step for t in h] == [0, 1, 2] and h[1].fitness == 80
    assert "Test()" in repr(h) and "3 trials" in repr(h) and "85.00" in repr(h)
    assert "fitness=80.00" in repr(h[1])
    assert hash(h[0]) == hash(make_history([70])[0])
    with pytest.raises(ValueError, match="step"):
        h.append(h[0])
    with pytest.raises(ValueError, match="empty"):
        History().best()
    with pytest.raises(ValueError, match="by="):
        h.best_so_far("test_acc")
    assert "0 trials" in repr(History())


# -- the Pareto front and the best under a budget ---------------------------------------------------
def test_pareto_front_of_a_hand_made_history():
    #            0   1   2   3   4   5
    fitness = [50, 70, 60, 65, 80, 80]
    latency = [1., 2., 2., 3., 4., 5.]
    h = make_history(fitness, infos=[{"latency_ms": v} for v in latency])
    # 2 is beaten by 1 (as fast, better), 3 by 1 (faster, better), 5 by 4 (faster, as good)
    assert [t.step for t in h.pareto()] == [0, 1, 4]
    assert [t.step for t in h.pareto(by="reported")] == [0, 1, 4]
    assert h.best_under(3.0).step == 1 and h.best_under(10).step == 4
    assert h.best_under(0.5 + 4.5).step == 4  # ties on fitness keep the first
    with pytest.raises(ValueError, match="cheapest trial has 1"):
        h.best_under(0.5)


@pytest.mark.parametrize("seed", range(20))
def test_history_pareto_equals_brute_force(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 30))
    fitness, latency = rng.integers(0, 6, n), rng.integers(0, 6, n)
    h = make_history(fitness, infos=[{"latency_ms": float(v)} for v in latency])
    front = {t.step for t in h.pareto()}
    brute = {i for i in range(n) if not any(
        latency[j] <= latency[i] and fitness[j] >= fitness[i]
        and (latency[j] < latency[i] or fitness[j] > fitness[i]) for j in range(n))}
    assert front == brute


def test_pareto_needs_the_cost_in_every_trial():
    h = make_history([1, 2], infos=[{"latency_ms": 1.0}, {}])
    with pytest.raises(ValueError, match="HardwareAware"):
        h.pareto()
    with pytest.raises(ValueError, match="unknown by"):
        make_history([1]).pareto(by="accuracy")
    assert History().pareto() == []


@pytest.mark.parametrize("field", ["fitness", "reported", "cost", "time"])
def test_a_non_finite_trial_cannot_poison_the_history(field):
    good = dict(arch=SPACE[3], fitness=50.0, reported=55.0, cost=1.0, time=1.0, epoch=12, step=0)
    h = History()
    with pytest.raises(ValueError, match=rf"trial 0 \(arch .*\) has {field} nan"):
        h.append(Trial(**{**good, field: float("nan")}))
    with pytest.raises(ValueError, match=rf"has {field} nan"):
        History([Trial(**{**good, field: float("nan")})])
    assert len(h) == 0
    h.append(Trial(**good))
    assert h.best().fitness == 50.0
    with pytest.raises(TypeError, match="a History holds Trials, got dict"):
        h.append(good)
