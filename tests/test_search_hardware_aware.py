"""Hardware-aware search: the wrapper works with every strategy and finds the constrained optimum.

The reference is brute force over the toy benchmark of test_search: its accuracy grows with
3x3 convs, and the made-up latency below grows with them too, so a budget moves the optimum.
"""
import math

import numpy as np
import pytest

from naskit.hardware import best_under
from naskit.search import (HardwareAware, LatencyConstraint, LatencyWeighted, RandomSearch,
                           RegularizedEvolution, run)

from test_search import SPACE, STRATEGIES, TOY

OPS = np.array([a.ops for a in SPACE])
LATENCY = 1.0 + (OPS == "nor_conv_3x3").sum(1) + 0.1 * (OPS == "nor_conv_1x1").sum(1)  # ms
FINAL = TOY.valid_acc[9]
BUDGET = 4.5  # at most 3 conv3x3 edges


def test_constraint_and_mnasnet_objective_by_hand():
    c = LatencyConstraint(max_ms=10)
    assert c(70.0, 10.0) == 70.0 and c(70.0, 20.0) == -2.0 and c(0.0, 5.0) > c(99.0, 11.0)
    w = LatencyWeighted(target_ms=10)
    assert w(70.0, 10.0) == pytest.approx(70.0)
    assert w(70.0, 20.0) == pytest.approx(70.0 * 2 ** -0.07)
    hard = LatencyWeighted(target_ms=10, alpha=0.0, beta=-1.0)  # MnasNet's hard setting
    assert hard(70.0, 5.0) == 70.0 and hard(70.0, 20.0) == pytest.approx(35.0)
    for bad in (lambda: LatencyConstraint(0), lambda: LatencyConstraint(math.inf),
                lambda: LatencyWeighted(10, alpha=0.5), lambda: LatencyWeighted(-1)):
        with pytest.raises(ValueError):
            bad()


@pytest.mark.parametrize("name", STRATEGIES)
def test_every_strategy_can_be_wrapped_and_is_told_the_combined_fitness(name):
    inner = STRATEGIES[name](0)
    told = []
    observe = inner.observe
    inner.observe = lambda arch, result: (told.append(result.valid_acc), observe(arch, result))
    objective = LatencyConstraint(BUDGET)
    strategy = HardwareAware(inner, LATENCY, objective)
    h = run(strategy, TOY, max_trials=25)
    assert len(h) == 25 and len(told) == 25
    for t, score in zip(h, told):
        lat = LATENCY[SPACE.index(t.arch)]
        assert t.info["latency_ms"] == lat
        assert score == objective(t.fitness, lat)  # the strategy saw the score, the history accuracy
    feasible = [t.fitness for t in h if t.info["latency_ms"] <= BUDGET]
    if feasible:
        assert h.best_under(BUDGET).fitness == max(feasible)
    assert "HardwareAware" in h.strategy and "LatencyConstraint" in repr(strategy)


def test_same_seed_same_search():
    make = lambda: HardwareAware(RegularizedEvolution(SPACE, seed=4), LATENCY,
                                 LatencyConstraint(BUDGET))
    a, b = run(make(), TOY, budget=2000), run(make(), TOY, budget=2000)
    assert [t.arch for t in a] == [t.arch for t in b]


@pytest.mark.parametrize("latency", ["array", "callable"])
def test_regularized_evolution_finds_the_best_arch_under_the_budget(latency):
    optimum = best_under(FINAL, LATENCY, BUDGET)
    lookup = LATENCY if latency == "array" else (lambda arch: LATENCY[SPACE.index(arch)])
    found = []
    for seed in range(20):
        s = HardwareAware(RegularizedEvolution(SPACE, seed=seed), lookup, LatencyConstraint(BUDGET))
        best = run(s, TOY, budget=8000).best_under(BUDGET)
        found.append(FINAL[SPACE.index(best.arch)])
    # the top set: 3 conv3x3 and 3 conv1x1 edges; the exact optimum differs from it by noise only
    top = FINAL[(OPS == "nor_conv_3x3").sum(1) == 3].max()
    assert top == FINAL[optimum]
    near = sum(f >= top - 1.5 for f in found)
    assert near >= 18, f"{near} of 20 runs came within 1.5 points of the constrained optimum"
    unconstrained = run(RegularizedEvolution(SPACE, seed=0), TOY, budget=8000).best()
    assert LATENCY[SPACE.index(unconstrained.arch)] > BUDGET  # the budget does change the answer


def test_a_weighted_objective_prefers_faster_archs_than_accuracy_alone():
    def mean_latency(objective):
        lat = []
        for seed in range(5):
            h = run(HardwareAware(RegularizedEvolution(SPACE, seed=seed), LATENCY, objective),
                    TOY, budget=4000)
            lat += [t.info["latency_ms"] for t in h[-20:]]
        return np.mean(lat)
    strong = LatencyWeighted(target_ms=2.0, alpha=-1.0, beta=-1.0)
    assert mean_latency(strong) < mean_latency(lambda acc, lat: acc)


def test_hardware_aware_rejects_bad_arguments():
    with pytest.raises(TypeError, match="strategy"):
        HardwareAware(object(), LATENCY, LatencyConstraint(1))
    with pytest.raises(ValueError, match="one value per arch"):
        HardwareAware(RandomSearch(SPACE), LATENCY[:10], LatencyConstraint(1))
    with pytest.raises(TypeError, match="objective"):
        HardwareAware(RandomSearch(SPACE), LATENCY, 3.0)
