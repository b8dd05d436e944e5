"""LatencyExplorer driven headlessly: pick candidates by value and read what it shows."""
import numpy as np
import pytest
import traitlets

import naskit as nk
from naskit.hardware import AdditivePredictor, LatencyTable, MeasuredLatency
from naskit.widgets import LatencyExplorer

PNG = b"\x89PNG\r\n\x1a\n"
SPACE = nk.NB201Space()


@pytest.fixture(scope="module")
def measured():
    live = MeasuredLatency(channels=2, cells_per_stage=1, input_shape=(1, 1, 8, 8),
                           min_run_time=0.005, min_blocks=5, clock="cpu", warn=False)
    for i in range(4):
        live(SPACE.sample(seed=i))
    return live


@pytest.fixture(scope="module")
def predictor():
    entries = {k: 0.01 * (i + 1) for i, k in enumerate(LatencyTable.keys_needed())}
    return AdditivePredictor(LatencyTable(entries, channels=2, cells_per_stage=1,
                                          input_shape=(1, 1, 8, 8)))


@pytest.mark.slow
def test_picking_a_candidate_shows_its_measurement_prediction_and_breakdown(measured, predictor):
    bench = nk.bench.load("mini")
    w = LatencyExplorer(measured, predictor, accuracy=bench)
    archs = list(measured.measured_)
    for k in (2, 0, 3):
        before = w.distribution_image.value
        w.value = k
        assert w.arch_ == archs[k] and w.picker.value == k
        assert w.latency_ is measured.measured_[archs[k]]
        assert w.predicted_ms_ == pytest.approx(predictor(archs[k]))
        assert sum(p.total_ms for p in w.breakdown_) == pytest.approx(predictor(archs[k]))
        assert str(archs[k]) in w.summary.value and "predicted" in w.summary.value
        assert f"{bench.query(archs[k]).valid_acc:.2f}%" in w.summary.value
        for image in (w.distribution_image, w.accuracy_image, w.prediction_image,
                      w.breakdown_image):
            assert bytes(image.value).startswith(PNG)
        assert w.distribution_image.value != before
    w.picker.value = 1  # the dropdown drives the same state
    assert w.value == 1 and "LatencyExplorer(4 candidates, with predictions, value=1" in repr(w)


def test_without_predictor_or_accuracy_only_the_measurement_is_shown(measured):
    w = LatencyExplorer(dict(measured.measured_))
    assert w.predicted_ms_ is None and w.breakdown_ == []
    assert w.prediction_image.layout.display == "none" and w.accuracy_image.layout.display == "none"
    assert bytes(w.distribution_image.value).startswith(PNG) and "predicted" not in w.summary.value
    with pytest.raises(traitlets.TraitError, match="choose 0..3"):
        w.value = 4


def test_bad_input_is_refused(measured):
    with pytest.raises(ValueError, match="MeasuredLatency"):
        LatencyExplorer({})
    with pytest.raises(TypeError, match="AdditivePredictor"):
        LatencyExplorer(measured, predictor=3)
    with pytest.raises(ValueError, match="one value per measured arch"):
        LatencyExplorer(measured, accuracy=np.ones(2))
