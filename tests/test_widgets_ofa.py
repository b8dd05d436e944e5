"""Headless tests of the OFA widgets: move sliders, click buttons, assert on what they expose."""
import pytest

from naskit.ofa import LatencyTable, OFAArch, OFAEvolution, OFASpace, OFASuperNet
from naskit.widgets import OFAEvolutionStepper, SubnetPicker

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def supernet():
    return OFASuperNet(OFASpace(), channels=(4, 8, 8), head_channels=16, seed=0).eval()


def accuracy(arch):
    """A stand-in predictor, known exactly: more and bigger blocks score higher."""
    return sum(k * e for _, _, k, e in arch.blocks()) / 1000


@pytest.fixture(scope="module")
def table(supernet):
    entries = {k: 0.01 * (i + 1) for i, k in enumerate(LatencyTable.keys(supernet.space))}
    return LatencyTable(supernet.space, entries)


def test_picker_sliders_make_the_arch_and_update_what_it_shows(supernet, table):
    p = SubnetPicker(supernet, accuracy, latency=table, measure=False, reference=([0.1, 0.2], [0.5, 0.6]))
    assert p.arch_ == supernet.space.largest()
    before = p.image.value
    p.kernel_sliders[0].value = 3
    p.depth_sliders[2].value = 2
    p.expand_sliders[1].value = 4
    want = OFAArch(((3,) * 4, (7,) * 4, (7,) * 2), ((6,) * 4, (4,) * 4, (6,) * 2))
    assert p.arch_ == want
    assert p.predicted_accuracy_ == accuracy(want)
    assert p.predicted_latency_ == pytest.approx(table(want))
    assert p.params_ == sum(t.numel() for t in supernet.extract(want).parameters())
    assert str(want) in p.info.value and f"{100 * accuracy(want):.1f}%" in p.info.value
    assert bytes(p.image.value).startswith(PNG) and p.image.value != before
    assert [s.options for s in p.kernel_sliders] == [(3, 5, 7)] * 3
    assert "naskit-ofa-picker-info" in p.info._dom_classes


def test_picker_measures_latency_live(supernet):
    p = SubnetPicker(supernet, accuracy, measure=True, min_run_time=0.001, depth=2, kernel=3, expand=3)
    assert p.arch_ == supernet.space.smallest()
    first = p.latency_
    assert first.median_ms > 0 and "latency measured" in p.info.value
    p.depth_sliders[0].value = 4
    assert p.latency_ is not first


def test_picker_rejects_values_outside_the_space(supernet):
    with pytest.raises(ValueError, match=r"kernel 4 is not in the space; choose from \[3, 5, 7\]"):
        SubnetPicker(supernet, accuracy, measure=False, kernel=4)


def test_evolution_stepper_steps_and_replays(supernet, table):
    budget = (table(supernet.space.smallest()) + table(supernet.space.largest())) / 2
    search = OFAEvolution(supernet.space, accuracy, table, constraint=budget, population_size=12, seed=0)
    s = OFAEvolutionStepper(search, generations=2)
    assert len(search.generations_) == 3 and s.generation == 2 and s.slider.max == 2
    assert s.generation_ is search.generations_[2]
    assert bytes(s.population_image.value).startswith(PNG)
    assert "generation 2" in s.summary.value and str(search.generations_[2].best.arch) in s.summary.value
    s.step_button.click()
    assert len(search.generations_) == 4 and s.slider.value == s.generation == 3
    s.slider.value = 0
    assert s.generation_.index == 0 and "initial population" in s.summary.value
    with pytest.raises(Exception, match="has not been made"):
        s.generation = 9
    again = OFAEvolution(supernet.space, accuracy, table, constraint=budget, population_size=12, seed=0).run(4)
    assert [g.best for g in again.generations_] == [g.best for g in search.generations_]
