"""Headless tests of the alpha watcher: press its buttons as a learner would, assert on what it shows."""
import time

import numpy as np
import pytest
import torch

import naskit as nk
from naskit.oneshot import DARTS
from naskit.supernet import SuperNet, derive
from naskit.widgets import AlphaWatcher

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def data():
    return nk.datasets.load().subset(n_train=256, n_val=128)


@pytest.fixture(scope="module")
def bench():
    return nk.bench.load("mini")


def nb201_search(data, epochs=5):
    net = SuperNet(nk.NB201Space(), channels=2, cells_per_stage=1, num_classes=10, in_channels=1)
    return DARTS(net, data, epochs=epochs, seed=0)


def wait_for(condition, timeout=60.0):
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise AssertionError("timed out")
        time.sleep(0.02)


@pytest.mark.slow
def test_step_button_grows_the_trace_and_redraws(data, bench):
    search = nb201_search(data)
    w = AlphaWatcher(search, bench=bench)
    assert "step 0 of 20" in w.status.value and w.arch_ is None and w.truth_ is None
    assert bytes(w.alpha_images["cell"].value).startswith(PNG)  # the initial alpha
    before = w.alpha_images["cell"].value
    w.step_button.click()
    assert len(search.trace_) == 1
    assert "step 1 of 20" in w.status.value
    assert f"val loss {search.trace_[-1].val_loss:.3f}" in w.status.value
    assert w.alpha_images["cell"].value != before
    assert w.redraw_seconds_ > 0
    truth = bench.query(search.derive())
    assert w.arch_ == search.derive() and w.truth_ == truth
    for text in (w.status.value, w.cell_text.value):
        assert f"test {truth.test_acc:.2f}%" in text
    assert str(search.derive()) in w.cell_text.value.replace("<wbr>", "")  # wrap points
    assert w.share_ == nk.oneshot.parameter_free_share(search.derive())
    assert f"parameter-free share {w.share_:.2f}" in w.status.value
    for widget, css in ((w.status, "status"), (w.alpha_images["cell"], "heatmap-cell"),
                        (w.trace_image, "trace"), (w.cell_images["normal"], "cell-normal"),
                        (w.collapse_image, "collapse"), (w.cell_text, "cell-text")):
        assert f"naskit-alpha-{css}" in widget._dom_classes
    assert "naskit-alpha-watcher" in w._dom_classes


def test_steps_per_click_and_lazy_tabs(data, bench):
    search = nb201_search(data)
    w = AlphaWatcher(search, bench=bench, steps_per_click=2)
    trace_before, collapse_before = w.trace_image.value, w.collapse_image.value
    w.step_button.click()
    assert search.step_ == 2
    assert w.trace_image.value == trace_before  # a hidden tab is drawn when it is shown
    w.tabs.selected_index = 1
    assert w.trace_image.value != trace_before
    w.tabs.selected_index = 2
    assert w.collapse_image.value != collapse_before
    assert bytes(w.cell_images["normal"].value).startswith(PNG)


def test_advance_stops_at_the_end_and_disables_stepping(data):
    search = nb201_search(data, epochs=1)  # 4 steps
    w = AlphaWatcher(search)
    assert w.advance(10) == 4 and search.done_
    assert w.step_button.disabled and w.start_button.disabled and not w.reset_button.disabled
    assert "done" in w.status.value and "no bench given" in w.status.value
    assert w.start() is False


def test_start_then_pause_stops_the_thread(data, bench):
    search = nb201_search(data, epochs=50)  # 200 steps: far more than the test waits for
    w = AlphaWatcher(search, bench=bench, refresh_every=2)
    assert w.start() is True
    assert w.running_ and w.pause_button.disabled is False
    assert w.start_button.disabled and w.step_button.disabled and w.reset_button.disabled
    assert w.start() is False  # one thread steps a search at a time
    with pytest.raises(RuntimeError, match="running in the background"):
        w.advance()
    wait_for(lambda: search.step_ >= 3)
    w.pause()
    assert w.wait(60)
    assert not w.running_
    n = search.step_
    time.sleep(0.5)
    assert search.step_ == n < search.total_steps
    assert f"step {n} of 200" in w.status.value and "paused" in w.status.value
    assert not w.start_button.disabled and w.pause_button.disabled
    assert w.truth_ == bench.query(search.derive())
    assert f"after step {n - 1}" in w.cell_text.value


def test_reset_empties_the_trace(data, bench):
    search = nb201_search(data)
    w = AlphaWatcher(search, bench=bench)
    w.advance(2)
    w.reset_button.click()
    assert search.trace_ == [] and search.step_ == 0
    assert "step 0 of 20" in w.status.value and w.arch_ is None
    assert "no steps yet" in w.cell_text.value
    w.advance(1)
    assert search.step_ == 1


def test_an_error_in_the_thread_is_shown(data, bench):
    search = nb201_search(data)
    w = AlphaWatcher(search, bench=bench)
    w.advance(1)

    def boom():
        raise FloatingPointError("the loss is nan")
    search._step = boom
    w.start()
    assert w.wait(60)
    assert isinstance(w.error_, FloatingPointError)
    assert "FloatingPointError: the loss is nan" in w.status.value
    assert "error at step 1" in w.status.value and "traceback" in w.status.value
    assert not w.running_ and not w.start_button.disabled
    # the step button shows it too, without raising into the kernel's log
    w.step_button.click()
    assert "the loss is nan" in w.status.value
    del search._step
    w.step_button.click()
    assert w.error_ is None and "error" not in w.status.value and search.step_ == 2


def test_a_new_watcher_shows_the_same_search(data, bench):
    search = nb201_search(data, epochs=50)
    w = AlphaWatcher(search, bench=bench)
    w.advance(3)
    again = AlphaWatcher(search, bench=bench)
    assert "step 3 of 200" in again.status.value
    assert again.alpha_images["cell"].value == w.alpha_images["cell"].value
    assert again.cell_text.value == w.cell_text.value
    # a watcher made while another one's thread runs can pause it
    w.start()
    newest = AlphaWatcher(search, bench=bench)
    assert newest.running_ and newest.start_button.disabled
    newest.pause()
    assert newest.wait(60) and not w.running_
    assert f"step {search.step_} of 200" in newest.status.value


@pytest.mark.slow
def test_darts_cells_and_no_ground_truth(data, bench):
    net = SuperNet(nk.DartsSpace(), channels=2, layers=3, num_classes=10, in_channels=1)
    search = DARTS(net, data, epochs=1)
    w = AlphaWatcher(search, bench=bench)
    w.advance(1)
    assert set(w.alpha_images) == {"normal", "reduce"} and set(w.cell_images) == {"normal", "reduce"}
    assert all(bytes(im.value).startswith(PNG) for im in w.alpha_images.values())
    assert w.truth_ is None and "not in the benchmark" in w.status.value
    w.tabs.selected_index = 2
    assert all(bytes(im.value).startswith(PNG) for im in w.cell_images.values())
    w.tabs.selected_index = 1
    before = w.trace_image.value
    w.trace_cell.value = "reduce"
    assert w.trace_image.value != before


def test_a_search_that_records_no_arch(data, bench):
    class Quiet(DARTS):
        def _current_arch(self):
            return None
    net = SuperNet(nk.NB201Space(), channels=2, cells_per_stage=1, num_classes=10, in_channels=1)
    w = AlphaWatcher(Quiet(net, data, epochs=1), bench=bench)
    w.advance(2)
    w.redraw()
    assert w.arch_ is None and w.truth_ is None
    assert "records no derived cell" in w.cell_text.value
    assert "derived cell" not in w.status.value
    assert bytes(w.collapse_image.value).startswith(PNG) and w.cell_images["normal"].value == b""


def test_refuses_what_it_cannot_watch(data):
    with pytest.raises(TypeError, match="one-shot search"):
        AlphaWatcher("darts")
    with pytest.raises(TypeError, match="Benchmark"):
        AlphaWatcher(nb201_search(data), bench="mini")
    with pytest.raises(ValueError, match="refresh_every"):
        AlphaWatcher(nb201_search(data), refresh_every=0)


# -- replaying a recorded run ---------------------------------------------------------------------
from _traces import STEPS, write_synthetic_trace  # noqa: E402


@pytest.fixture(scope="module")
def trace_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("traces") / "DARTS-V1-seed0-nb201.npz"
    write_synthetic_trace(path)
    return path


def plain(text):
    return text.replace("<wbr>", "")


def test_replay_slider_shows_the_trace_at_each_step(trace_path, bench):
    raw = nk.oneshot.read_trace(trace_path)
    w = AlphaWatcher.replay(trace_path, bench=bench)
    assert w.slider.max == STEPS - 1 and w.step_ == 0 and w.search is None
    clims = set()
    for k in (5, 17, 0, STEPS - 1):
        w.slider.value = k
        f = w.frame()
        assert f.step == k == w.step_
        assert np.array_equal(f.weights, raw["step_weights"][k].astype(np.float32))
        ax = w.replay_axes_["alpha"]
        assert np.array_equal(ax.images[0].get_array(), f.weights)  # the heat map shows step k
        clims.add(ax.images[0].get_clim())
        assert f.arch == derive(torch.as_tensor(f.weights), nk.NB201Space()) == w.arch_
        assert w.truth_ == bench.query(f.arch) and w.share_ == f.share
        assert f"step {k} of {STEPS - 1}" in w.status.value
        assert f"test {f.truth.test_acc:.2f}%" in w.status.value
        assert str(f.arch) in plain(w.cell_text.value)
        assert f"parameter-free share {f.share:.2f} (a random cell: 0.60)" in w.status.value
        assert "a random cell has 0.60" in w.cell_text.value
        assert bytes(w.alpha_images["cell"].value).startswith(PNG)
    assert clims == {(0.0, 0.4)}  # one fixed colour scale for every frame
    assert "above a random cell's share from step 30" not in w.status.value
    assert "first above a random cell's share at step 0, above for good from step 30" in \
        w.status.value
    assert "DARTS-V1" in w.status.value and "at arch lr 0.0003" in w.status.value
    assert "epoch 5 of 5" in w.status.value and "end of epoch 5" in w.status.value
    w.slider.value = 0
    assert "float16 tie on edges 0→1" in w.cell_text.value


def test_replay_play_speed_and_actions(trace_path, bench):
    w = AlphaWatcher.replay(trace_path, bench=bench, steps_per_frame=5, interval_ms=150)
    assert w.play.step == 5 and w.play.interval == 150 and w.speed.value == 5
    w.speed.value = 8  # one epoch of the synthetic run per frame
    assert w.play.step == 8
    before = w.alpha_images["cell"].value
    w.play.value = 8  # what the Play widget does in the browser
    assert w.slider.value == 8 and w.frame().step == 8 and w.alpha_images["cell"].value != before
    assert w.start() is True and w.running_ and w.play.playing
    w.pause()
    assert not w.play.playing and not w.running_
    assert w.advance(3) == 3 and w.step_ == 11
    assert w.advance(0) == 0 and w.step_ == 11
    assert w.advance(10 ** 6) == STEPS - 12 and w.step_ == STEPS - 1
    assert w.start() is False  # at the end
    w.reset()
    assert w.step_ == 0
    w.step_button.click()
    assert w.step_ == 1
    for bad in (True, -1, 1.5, "2"):
        with pytest.raises(ValueError, match="n must be an int >= 0"):
            w.advance(bad)
    with pytest.raises(ValueError, match="step must be an int in 0..39"):
        w.frame(STEPS)
    assert w.frame(7).step == 7 and w.step_ == 1  # frame(k) reads, it does not move the view


def test_replay_tabs_draw_the_cell_and_the_timeline(trace_path, bench):
    w = AlphaWatcher.replay(trace_path, bench=bench)
    w.tabs.selected_index = 2
    assert bytes(w.cell_images["normal"].value).startswith(PNG)
    assert bytes(w.collapse_image.value).startswith(PNG)
    timeline = w.replay_axes_["timeline"]
    w.slider.value = 12
    cursor = [line for line in timeline.get_lines() if list(line.get_xdata()) == [12, 12]]
    assert cursor, "the timeline's cursor follows the slider"
    w.tabs.selected_index = 1
    assert bytes(w.trace_image.value).startswith(PNG)
    w.redraw()
    assert w.redraw_seconds_ > 0


def test_replay_of_a_missing_shipped_trace_says_so(bench):
    w = AlphaWatcher.replay("GDAS", bench=bench, seed=987)
    assert "no recorded GDAS run" in w.status.value and "--methods GDAS --seeds 987" in w.status.value
    assert "AlphaWatcher(search, bench)" in w.status.value
    assert w.arch_ is None and w.step_ is None and w.advance(1) == 0 and w.start() is False
    with pytest.raises(FileNotFoundError, match="GDAS"):
        w.frame()
    assert "missing" in repr(w)


def test_replay_refuses_what_it_cannot_play(trace_path, bench):
    with pytest.raises(TypeError, match="AlphaReplay, a path"):
        AlphaWatcher.replay(42)
    with pytest.raises(ValueError, match="neither a method"):
        AlphaWatcher.replay("RSPS")
    replay = nk.oneshot.AlphaReplay.read(trace_path, bench=bench)
    with pytest.raises(ValueError, match="its own bench"):
        AlphaWatcher(replay, bench=nk.bench.load("mini"))
    with pytest.raises(ValueError, match="steps_per_frame"):
        AlphaWatcher.replay(trace_path, steps_per_frame=0)
    assert AlphaWatcher(replay).frame(3).arch == replay.frame(3).arch


def test_live_status_names_its_learning_rate_and_frames(data, bench):
    search = nb201_search(data)
    w = AlphaWatcher(search, bench=bench)
    assert "<b>live</b>: 20 steps at arch lr 0.0003" in w.status.value
    with pytest.raises(ValueError, match="no step yet"):
        w.frame()
    w.advance(2)
    f = w.frame()
    assert f.step == 1 and f.arch == search.trace_[-1].arch and f.baseline == pytest.approx(0.6)
    assert np.array_equal(f.weights, search.trace_[-1].weights["cell"])
    assert w.frame(0).step == 0 and f.truth == bench.query(f.arch)
    assert "(a random cell: 0.60)" in w.status.value
    assert w.advance(0) == 0
    with pytest.raises(ValueError, match="n must be an int >= 0"):
        w.advance(True)
