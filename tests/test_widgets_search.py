"""Headless tests of the search widgets and their plots: drive them as a learner's clicks would,
check what they expose against a hand replay of the strategy with propose/observe."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest
import traitlets
from matplotlib.axes import Axes

from naskit import plot
from naskit.bench import Benchmark
from naskit.search import GeneticEvolution, RandomSearch, RegularizedEvolution, Reinforce, run
from naskit.space import NB201Space
from naskit.widgets import ControllerInspector, EvolutionStepper
from naskit.widgets._compat import tab_titles

PNG = b"\x89PNG\r\n\x1a\n"
SPACE = NB201Space()


def toy_bench() -> Benchmark:
    """Fitness grows with the number of 3x3 convolutions, plus fixed noise; epochs 1 and 4."""
    ops = np.array([a.ops for a in SPACE])
    rng = np.random.default_rng(1)
    final = 40 + 8 * (ops == "nor_conv_3x3").sum(1) + rng.uniform(0, 2, len(SPACE))
    valid = {1: final - 8 + rng.normal(0, 2, len(SPACE)), 4: final}
    return Benchmark("toy", SPACE, valid, seconds_per_epoch=np.full(len(SPACE), 2.0),
                     eval_seconds=np.full(len(SPACE), 0.5))


TOY = toy_bench()


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


# -- EvolutionStepper ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def rea_stepper():
    return EvolutionStepper(RegularizedEvolution(SPACE, population_size=5, sample_size=2, seed=4),
                            TOY, max_trials=25, epoch=1)


def hand_replay(strategy, k, epoch=1):
    """Run ``strategy`` by hand for ``k`` observations, then propose the next child."""
    strategy.reset()
    for _ in range(k):
        p = strategy.propose()
        strategy.observe(p.arch, TOY.query(p.arch, epoch))
    return strategy.propose()


def test_stepping_the_slider_changes_the_frame_and_the_images(rea_stepper):
    w = rea_stepper
    assert w.step == 0 and w.frame_.step == 0 and w.play.max == w.slider.max == 24
    before = {name: bytes(getattr(w, name).value) for name in
              ("population_image", "best_image", "child_image")}
    assert all(b.startswith(PNG) for b in before.values())
    w.slider.value = 17
    assert w.step == 17 and w.frame_ is w.frames_[17] and w.frame_.child is w.history_[17]
    for name, png in before.items():
        now = bytes(getattr(w, name).value)
        assert now.startswith(PNG) and now != png, name
    assert bytes(w.parent_image.value).startswith(PNG)
    assert w.second_parent_image.layout.display == "none"  # mutation: one parent
    assert f"step {w.frame_.parents[0]}" in w.summary.value
    w.play.value = 9  # what the play button does each tick
    assert w.slider.value == 9 and w.frame_.step == 9
    w.step = 2
    assert w.slider.value == w.play.value == 2
    assert w.parent_image.layout.display == "none"  # a random member of the first population
    with pytest.raises(traitlets.TraitError, match="0..24"):
        w.step = 25


def test_frame_population_equals_a_hand_replay(rea_stepper):
    w = rea_stepper
    replay = RegularizedEvolution(SPACE, population_size=5, sample_size=2, seed=4)
    for k in (3, 5, 11, 24):
        w.slider.value = k
        child = hand_replay(replay, k)
        f = w.frame_
        assert [m.arch for m in f.population] == [m[0] for m in replay.population_]
        assert [m.fitness for m in f.population] == [m[1] for m in replay.population_]
        assert f.child.arch == child.arch
        if k >= 5:
            parent = w.history_[child.info["parent"]].arch
            differing = [e for e in range(6) if parent.ops[e] != child.arch.ops[e]]
            assert len(differing) == 1 and f.mutated == tuple(differing)
            assert f.removed == (min(m.step for m in f.population),)  # the oldest, not the worst
            assert f.sample == child.info["sample"] and f.parents == (child.info["parent"],)


def test_genetic_stepper_shows_both_parents_of_a_crossover():
    g = GeneticEvolution(SPACE, population_size=6, mutation_ratio=0.5, seed=0)
    w = EvolutionStepper(g, history=run(g, TOY, max_trials=18, epoch=1))
    crossover = next(f.step for f in w.frames_ if len(set(f.parents)) == 2)
    w.step = crossover
    assert w.frame_.generation == crossover // 6
    assert w.second_parent_image.layout.display == ""
    assert bytes(w.second_parent_image.value).startswith(PNG)
    assert "crossover" in w.summary.value
    mutant = next(f.step for f in w.frames_ if len(f.parents) == 1)
    w.step = mutant
    assert w.second_parent_image.layout.display == "none"


def test_stepper_shows_the_worst_member_leaving_in_non_ageing_evolution():
    strategy = RegularizedEvolution(SPACE, population_size=5, sample_size=2, removal="worst", seed=4)
    w = EvolutionStepper(strategy, TOY, max_trials=30, epoch=1)
    replay = RegularizedEvolution(SPACE, population_size=5, sample_size=2, removal="worst", seed=4)
    for k in (7, 18, 29):
        w.slider.value = k
        hand_replay(replay, k)
        f = w.frame_
        assert [m.step for m in f.population] == [m[2] for m in replay.population_]
        worst = min(m.fitness for m in f.population)
        assert [w.history_[s].fitness for s in f.removed] == [worst]
        assert f"removed</b> steps {list(f.removed)}" in w.summary.value
        assert bytes(w.population_image.value).startswith(PNG)


def test_stepper_rejects_what_it_cannot_show():
    with pytest.raises(TypeError, match="RegularizedEvolution or GeneticEvolution"):
        EvolutionStepper(RandomSearch(SPACE), TOY, max_trials=5)
    with pytest.raises(ValueError, match="bench"):
        EvolutionStepper(RegularizedEvolution(SPACE))


# -- ControllerInspector -------------------------------------------------------------------------
@pytest.fixture
def inspector():
    return ControllerInspector(Reinforce(SPACE, lr=0.05, seed=1), TOY, epoch=1, n_steps=7)


def test_step_button_makes_one_update_matching_a_hand_replay(inspector):
    w = inspector
    uniform = np.full((6, 5), 0.2)
    assert w.steps_ == 0 and np.allclose(w.probabilities, uniform)
    before = bytes(w.policy_image.value), bytes(w.trace_image.value)
    for _ in range(3):
        w.step_button.click()
    assert w.steps_ == 3 and len(w.history_) == 3
    assert np.array_equal(w.probabilities, w.strategy.probabilities())
    replay = Reinforce(SPACE, lr=0.05, seed=1)
    replay.reset()
    clock = 0.0
    for _ in range(3):
        arch = replay.propose()
        result = TOY.query(arch, 1)
        replay.observe(arch, result)
        clock += result.cost
    assert np.allclose(w.probabilities, replay.probabilities())
    assert not np.allclose(w.probabilities, uniform)
    assert w.searcher.clock_ == pytest.approx(clock)  # charged like run
    after = bytes(w.policy_image.value), bytes(w.trace_image.value)
    assert all(a.startswith(PNG) and a != b for a, b in zip(after, before))
    assert "3 updates" in w.summary.value


def test_run_button_runs_n_steps_and_reset_restores_the_uniform_policy(inspector):
    w = inspector
    w.run_button.click()
    assert w.steps_ == 7 and len(w.strategy.rewards_) == 7
    w.n_steps.value = 4
    w.run_button.click()
    assert w.steps_ == 11
    w.reset_button.click()
    assert w.steps_ == 0 and w.searcher.clock_ == 0
    assert np.allclose(w.probabilities, 0.2) and w.strategy.rewards_ == []


def test_inspector_stops_at_the_budget_and_rejects_other_strategies():
    cost = TOY.cost(SPACE[0], 1)  # every arch costs the same on the toy bench
    w = ControllerInspector(Reinforce(SPACE, seed=0), TOY, epoch=1, budget=4.5 * cost)
    assert w.step(10) == 4 and w.steps_ == 4 and w.searcher.done_
    assert "budget spent" in w.summary.value
    with pytest.raises(TypeError, match="Reinforce"):
        ControllerInspector(RegularizedEvolution(SPACE), TOY)


def test_after_reset_the_inspector_says_the_policy_is_uniform(inspector):
    w = inspector
    assert "the policy is uniform" in w.summary.value
    assert str(w.strategy.best_arch()) not in w.summary.value  # not an argmax tie-break
    w.step(3)
    assert "uniform" not in w.summary.value
    assert f"<code>{w.strategy.best_arch()}</code>" in w.summary.value
    w.reset()
    assert "the policy is uniform (each op 0.20 on every edge)" in w.summary.value


# -- fits a 1280x720 screen ----------------------------------------------------------------------
def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) in pixels from a PNG's header."""
    assert bytes(data).startswith(PNG)
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


CONTROLS, LINE, TAB_BAR = 40, 20, 36  # px: a row of buttons/slider, a summary line, a tab bar


def test_evolution_stepper_fits_a_laptop_screen():
    g = GeneticEvolution(SPACE, population_size=6, mutation_ratio=0.5, seed=0)
    w = EvolutionStepper(g, history=run(g, TOY, max_trials=18, epoch=1))
    w.step = next(f.step for f in w.frames_ if len(set(f.parents)) == 2)  # three cells: the tallest
    pop_w, pop_h = png_size(w.population_image.value)
    cells = [png_size(i.value) for i in (w.parent_image, w.second_parent_image, w.child_image)]
    best_w, best_h = png_size(w.best_image.value)
    lines = w.summary.value.count("<br>") + 1
    height = CONTROLS + LINE * lines + TAB_BAR + max(pop_h, sum(h for _, h in cells), best_h)
    width = max(pop_w, best_w, *(c for c, _ in cells))
    assert height < 700 and width <= 850, (width, height)  # the notebook's width beside the files
    assert tab_titles(w.tabs) == ("population", "parent and child", "best so far")


def test_controller_inspector_fits_a_laptop_screen(inspector):
    inspector.step(3)
    (pw, ph), (tw, th) = png_size(inspector.policy_image.value), png_size(inspector.trace_image.value)
    lines = inspector.summary.value.count("<br>") + 1
    height, width = CONTROLS + LINE * lines + max(ph, th), pw + tw + 20
    assert height < 650 and width < 1250, (width, height)


# -- plots ---------------------------------------------------------------------------------------
def test_race_plots_take_a_race_as_they_take_a_dict():
    from naskit.search import race
    r = race({"random": lambda seed: RandomSearch(SPACE, seed=seed),
              "rea": lambda seed: RegularizedEvolution(SPACE, population_size=5, seed=seed)},
             TOY, runs=3, budget=60, epoch=1, progress=False)
    a, b = plot.race(r), plot.race(dict(r.items()), optimum=r.optimum)
    assert [l.get_label() for l in a.get_lines()] == [l.get_label() for l in b.get_lines()]
    assert np.array_equal(a.get_lines()[0].get_ydata(), b.get_lines()[0].get_ydata())
    assert any(np.allclose(l.get_ydata(), r.optimum) for l in a.get_lines())  # the race's optimum
    c, d = plot.race_outcomes(r), plot.race_outcomes(dict(r.items()))
    assert [t.get_text() for t in c.get_xticklabels()] == ["random", "rea"]
    assert np.allclose(c.lines[-1].get_ydata(), d.lines[-1].get_ydata())


def test_plots_return_axes_and_check_their_input(rea_stepper):
    f = rea_stepper.frames_[20]
    ax = plot.population(f.population, step=f.step, sample=f.sample, parents=f.parents,
                         removed=f.removed, child=f.child)
    assert isinstance(ax, Axes)
    assert len(ax.collections) == 5  # members, sample, parent, removed, child
    with pytest.raises(ValueError, match="not among the members"):
        plot.population(f.population[1:], removed=(f.population[0].step,))
    with pytest.raises(TypeError, match="Trial"):
        plot.population([1, 2])
    p = np.full((6, 5), 0.2)
    ax = plot.policy(p, SPACE.ops, actions=[0] * 6)
    assert isinstance(ax, Axes) and len(ax.texts) == 30
    with pytest.raises(ValueError, match=r"\(n, 5\)"):
        plot.policy(p[:, :4], SPACE.ops)
    axes = plot.controller_trace([1, 2], [1, 1.5], [0, 0.5], [1.6, 1.5])
    assert len(axes) == 3 and all(isinstance(a, Axes) for a in axes)
    with pytest.raises(ValueError, match="differ in length"):
        plot.controller_trace([1, 2], [1], [0, 0.5], [1.6, 1.5])
