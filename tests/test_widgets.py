"""Headless tests of the widgets: set `.value` as a learner's click would, assert on what they expose."""
import html

import numpy as np
import pytest

import naskit.widgets.cell_builder as cb
from naskit.hardware import Latency, count_flops, count_params
from naskit.model import build, build_darts
from naskit.space import DARTS_V2, Arch, CellSpace, DartsSpace, Genotype, NB201Space
from naskit.widgets import CellBuilder

PNG = b"\x89PNG\r\n\x1a\n"
START = "|nor_conv_3x3~0|+|skip_connect~0|nor_conv_1x1~1|+|avg_pool_3x3~0|none~1|nor_conv_3x3~2|"



@pytest.fixture(scope="module")
def space():
    return NB201Space()


@pytest.fixture
def builder(space):
    return CellBuilder(space, arch=Arch.from_string(START), channels=8, cells_per_stage=2,
                       measure_latency=False)


def test_starts_from_the_given_arch(builder):
    assert str(builder.arch) == START
    assert builder.cell_text.value == START
    assert [p.value for p in builder.op_pickers] == [
        "nor_conv_3x3", "skip_connect", "nor_conv_1x1", "avg_pool_3x3", "none", "nor_conv_3x3"]
    assert [p.description for p in builder.op_pickers] == ["0→1", "0→2", "1→2", "0→3", "1→3", "2→3"]
    assert bytes(builder.image.value).startswith(PNG)
    assert builder.error_message == "" and builder.error.value == ""
    assert builder.latency_ is None
    for widget, css in ((builder.image, "naskit-cell-image"), (builder.info, "naskit-cell-info"),
                        (builder.error, "naskit-cell-error")):
        assert css in widget._dom_classes


def test_op_picker_changes_arch_text_and_image(builder):
    before = builder.image.value
    builder.op_pickers[4].value = "skip_connect"  # edge 1->3
    expected = START.replace("none~1|nor_conv_3x3~2", "skip_connect~1|nor_conv_3x3~2")
    assert str(builder.arch) == expected
    assert builder.cell_text.value == expected
    assert expected in builder.info.value
    assert bytes(builder.image.value).startswith(PNG) and builder.image.value != before


def test_class_info_matches_brute_force(builder, space):
    builder.op_pickers[0].value = "none"  # node 1 is now zero, so edges out of it stop mattering
    arch = builder.arch
    rep = space.canonical(arch)
    key = space.class_key(arch)
    assert builder.class_size_ == sum(space.class_key(a) == key for a in space)
    assert builder.class_size_ > 1
    assert html.escape(str(rep)) in builder.info.value or rep == arch
    assert f"{space.index(arch):,} of 15,625" in builder.info.value


def test_params_and_flops_match_an_independent_build(space):
    b = CellBuilder(space, arch=Arch.from_string(START), measure_latency=False)  # NB201's C=16, N=5
    b.op_pickers[1].value = "nor_conv_3x3"
    net = build(b.arch, channels=16, cells_per_stage=5, num_classes=10)
    assert b.params_ == count_params(net) == sum(p.numel() for p in net.parameters())
    assert b.flops_ == count_flops(net, input_shape=(1, 3, 32, 32))
    assert f"{b.params_ / 1e6:.3f} M params" in b.info.value


def test_network_settings_are_used(space):
    arch = Arch.from_string(START)
    small = CellBuilder(space, arch=arch, channels=8, cells_per_stage=1, num_classes=3,
                        input_shape=(1, 1, 16, 16), measure_latency=False)
    net = build(arch, channels=8, cells_per_stage=1, num_classes=3, in_channels=1)
    assert small.params_ == count_params(net)
    assert small.flops_ == count_flops(net, input_shape=(1, 1, 16, 16))


def test_latency_is_measured_when_asked(space):
    b = CellBuilder(space, arch=Arch.from_string(START), channels=4, cells_per_stage=1,
                    min_run_time=0.01)
    assert isinstance(b.latency_, Latency) and b.latency_.median_ms > 0
    assert b.latency_.device == "cpu" and b.latency_.threads == 1
    assert "ms median" in b.info.value


@pytest.mark.parametrize("bad", ["garbage", "|nor_conv_3x3~0|+|skip_connect~0|conv_7x7~1|",
                                 "|nor_conv_3x3~0|+|skip_connect~0|none~2|+|a~0|b~1|c~2|", ""])
def test_bad_text_shows_the_library_message_and_keeps_arch(builder, space, bad):
    with pytest.raises(ValueError) as raised:
        space.parse(bad)
    builder.cell_text.value = bad
    assert builder.error_message == str(raised.value)
    assert html.escape(str(raised.value)) in builder.error.value
    assert "Traceback" not in builder.error.value
    assert str(builder.arch) == START
    # a valid string afterwards clears the error and moves the dropdowns
    good = START.replace("avg_pool_3x3~0", "nor_conv_1x1~0")
    builder.cell_text.value = good
    assert builder.error_message == "" and builder.error.value == ""
    assert str(builder.arch) == good and builder.op_pickers[3].value == "nor_conv_1x1"


def test_assigning_arch_syncs_the_controls(builder, space):
    other = space[123]
    builder.arch = other
    assert [p.value for p in builder.op_pickers] == list(other.ops)
    assert builder.cell_text.value == str(other)
    with pytest.raises(ValueError):
        builder.arch = Arch.from_ops(["none"] * 10, n_nodes=5)


def test_other_cell_spaces(builder):
    space = CellSpace(ops=("skip_connect", "nor_conv_3x3"), n_nodes=3)
    b = CellBuilder(space, measure_latency=False)
    assert len(b.op_pickers) == 3 and b.op_pickers[0].options == ("skip_connect", "nor_conv_3x3")
    assert b.class_size_ == sum(space.class_key(a) == space.class_key(b.arch) for a in space)
    b.op_pickers[2].value = "skip_connect" if b.arch.ops[2] != "skip_connect" else "nor_conv_3x3"
    assert b.arch.ops[2] == b.op_pickers[2].value
    assert "index" not in b.info.value  # only NB201 has an official order


# -- DARTS -----------------------------------------------------------------------------------------
@pytest.fixture
def darts():
    return CellBuilder(DartsSpace(), arch=DARTS_V2, channels=4, cells_per_stage=1,
                       measure_latency=False)


def test_darts_pickers_show_the_normal_cell(darts):
    assert len(darts.op_pickers) == len(darts.input_pickers) == 8
    assert [(o.value, i.value) for o, i in zip(darts.op_pickers, darts.input_pickers)] == \
        [tuple(p) for p in DARTS_V2.normal]
    assert darts.class_size_ is None
    # node 3 may read both cell inputs and nodes 0..2: genotype states 0..4
    assert [state for _, state in darts.input_pickers[-1].options] == [0, 1, 2, 3, 4]
    assert darts.input_pickers[-1].options[2][0] == "node 0 (2)"
    net = build_darts(DARTS_V2, channels=4, layers=5, num_classes=10)
    assert darts.params_ == count_params(net)


def test_darts_same_input_twice_is_an_error(darts):
    # node 2 reads inputs 0 and 1; make its second edge read 0 as well
    assert darts.input_pickers[1].value == 1
    darts.input_pickers[1].value = darts.input_pickers[0].value
    assert darts.error_message
    with pytest.raises(ValueError) as raised:
        darts.space.check(Genotype(normal=[DARTS_V2.normal[0], (DARTS_V2.normal[1][0], 0),
                                           *DARTS_V2.normal[2:]],
                                   normal_concat=DARTS_V2.normal_concat, reduce=DARTS_V2.reduce,
                                   reduce_concat=DARTS_V2.reduce_concat))
    assert darts.error_message == str(raised.value)
    assert darts.arch == DARTS_V2
    darts.input_pickers[1].value = 1
    assert darts.error_message == "" and darts.arch == DARTS_V2


def test_darts_switching_cells(darts):
    normal_png = darts.image.value
    darts.which.value = "reduce"
    assert [(o.value, i.value) for o, i in zip(darts.op_pickers, darts.input_pickers)] == \
        [tuple(p) for p in DARTS_V2.reduce]
    assert darts.image.value != normal_png
    darts.op_pickers[0].value = "avg_pool_3x3"
    assert darts.arch.reduce[0][0] == "avg_pool_3x3"
    assert list(darts.arch.reduce[1:]) == list(DARTS_V2.reduce[1:])
    assert list(darts.arch.normal) == list(DARTS_V2.normal)
    darts.which.value = "normal"
    assert darts.op_pickers[0].value == DARTS_V2.normal[0][0]


def test_darts_text(darts):
    other = DartsSpace().sample(seed=3)
    darts.cell_text.value = str(other)
    assert darts.arch == other and darts.error_message == ""
    darts.cell_text.value = "Genotype(normal=[('sep_conv_3x3', 0)"
    assert darts.error_message and darts.arch == other


def test_assigning_a_non_arch_is_shown_and_raised_clearly(builder):
    # cb.arch = None used to end in a bare AttributeError from deep inside the space
    with pytest.raises(TypeError, match=r"arch must be an Arch of this NB201Space or its string, got NoneType"):
        builder.arch = None
    assert "got NoneType" in builder.error.value and str(builder.arch) == START
    with pytest.raises(TypeError, match="got int"):
        builder.arch = 7


def test_an_error_while_computing_metrics_is_shown_not_raised(builder, space, monkeypatch):
    import naskit.widgets.cell_builder as cb

    def broken(*args, **kwargs):
        raise RuntimeError("the counter broke")
    monkeypatch.setattr(cb.hardware, "count_layer_flops", broken)
    cb._COUNTS.clear()
    builder.arch = space[4321]  # an arch not measured before
    assert "Could not build or measure the network:</b> RuntimeError: the counter broke" in \
        builder.info.value
    assert builder.params_ is None and str(builder.arch) == str(space[4321])
    monkeypatch.undo()
    builder.arch = space[4322]
    assert builder.params_ > 0 and "Could not" not in builder.info.value


# -- feedback while measuring, latency precision, counting once -------------------------------------
def _info_history(b):
    """Every value the info panel takes from now on, with the numbers the builder exposed then."""
    seen = []
    b.info.observe(lambda change: seen.append((change["new"], b.params_)), "value")
    return seen


def test_info_says_measuring_for_the_new_cell_before_its_numbers(space):
    b = CellBuilder(space, arch=Arch.from_string(START), channels=4, cells_per_stage=1,
                    min_run_time=0.01)
    old = b.info.value
    seen = _info_history(b)
    beside_new_drawing = []
    b.image.observe(lambda change: beside_new_drawing.append(b.info.value), "value")
    b.op_pickers[0].value = "skip_connect"
    new = html.escape(str(b.arch))
    # when the new drawing arrives, the info already names the new cell and is measuring
    assert len(beside_new_drawing) == 1
    assert "measuring" in beside_new_drawing[0] and new in beside_new_drawing[0]
    first, params_then = seen[0]
    assert "measuring" in first and new in first and params_then is None
    assert "params" not in first.split("measuring")[0].split("</code>")[-1]  # no numbers yet
    assert old.split("<b>network</b>")[1] not in first  # never the last cell's numbers
    final = seen[-1][0]
    assert "measuring" not in final and new in final and "ms median" in final
    assert b.info.value == final and b.params_ > 0


def test_darts_info_says_measuring_first(darts):
    seen = _info_history(darts)
    darts.op_pickers[0].value = "dil_conv_5x5"
    assert "measuring" in seen[0][0] and seen[0][1] is None
    assert "measuring" not in darts.info.value and "MFLOPs" in darts.info.value


def _latency(times_ms, number=1):
    t = np.sort(times_ms)
    q1, med, q3 = np.percentile(t, [25, 50, 75])
    return Latency(median_ms=float(med), iqr_ms=float(q3 - q1), mean_ms=float(t.mean()),
                   n_runs=len(t) * number, device="cpu", batch_size=1, threads=1,
                   times_ms=tuple(times_ms), number_per_block=number)


def test_one_timed_block_reports_no_iqr():
    text = cb._latency_text(_latency([8.7134], number=4))
    assert "IQR" not in text and "spread unknown" in text and "one timed block of 4 runs" in text
    assert text.startswith("8.7 ms")


@pytest.mark.parametrize("times,median,iqr", [
    ([8.61, 8.65, 8.71, 8.80, 9.52], "8.7", "0.2"),      # IQR 0.15: one decimal
    ([27.0, 25.1, 29.4, 31.0, 26.2, 28.3], "28", "3"),   # IQR 3.0: whole ms
    ([1.2345, 1.2351, 1.2349, 1.2362], "1.2350", "0.0006"),
])
def test_latency_is_rounded_to_the_digits_its_spread_supports(times, median, iqr):
    lat = _latency(times)
    text = cb._latency_text(lat)
    assert text.startswith(f"{median} ms median (IQR {iqr} ms over {len(times)} timed blocks")
    # the shown digits sit within half a unit of the last shown digit of the true values
    unit = 10.0 ** -len(median.partition(".")[2])
    assert abs(float(median) - lat.median_ms) <= unit / 2 + 1e-12
    assert abs(float(iqr) - lat.iqr_ms) <= unit / 2 + 1e-12


def test_builder_shows_no_iqr_for_a_one_block_measurement(space, monkeypatch):
    monkeypatch.setattr(cb.hardware, "measure_latency", lambda *a, **k: _latency([3.14159]))
    b = CellBuilder(space, arch=space[77], channels=4, cells_per_stage=1)
    assert "IQR" not in b.info.value and "spread unknown" in b.info.value
    assert "3.1 ms" in b.info.value


def test_flops_are_counted_once_per_cell(space, monkeypatch):
    cb._COUNTS.clear()
    calls = []
    real = cb.hardware.count_layer_flops
    monkeypatch.setattr(cb.hardware, "count_layer_flops", lambda net, shape: calls.append(1) or real(net, shape))
    b = CellBuilder(space, arch=space[10], channels=4, cells_per_stage=1, measure_latency=False)
    flops_10 = b.flops_
    b.arch = space[11]
    b.arch = space[10]
    assert len(calls) == 2 and b.flops_ == flops_10
    again = CellBuilder(space, arch=space[11], channels=4, cells_per_stage=1,
                        measure_latency=False)  # another builder, same network settings
    assert len(calls) == 2 and again.flops_ > 0
    wider = CellBuilder(space, arch=space[11], channels=8, cells_per_stage=1,
                        measure_latency=False)  # other settings: another network
    assert len(calls) == 3 and wider.flops_ > again.flops_


@pytest.mark.parametrize("which", ["nb201", "darts", "nb201-gray"])
def test_hook_flop_count_equals_the_hardware_counter(which):
    if which == "darts":
        net, shape = build_darts(DARTS_V2, channels=4, layers=5), (1, 3, 32, 32)
    else:
        shape = (2, 3, 32, 32) if which == "nb201" else (1, 1, 16, 16)
        net = build(Arch.from_string(START), channels=8, cells_per_stage=1, num_classes=3,
                    in_channels=shape[1])
    net.train()
    assert cb.hardware.count_layer_flops(net, shape) == count_flops(net, input_shape=shape)
    assert net.training  # its mode comes back
