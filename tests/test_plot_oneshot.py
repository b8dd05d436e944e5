"""One-shot drawings show exactly the weights and derived cells they are given."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from naskit import plot  # noqa: E402
from naskit.oneshot import Step, parameter_free_share  # noqa: E402
from naskit.space import Arch, DartsSpace, NB201Space  # noqa: E402

OPS = NB201Space().ops
SKIPS = Arch.from_ops(["skip_connect"] * 6)
CONVS = Arch.from_ops(["nor_conv_3x3"] * 5 + ["avg_pool_3x3"])


def softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def make_trace(n_steps=7, n_edges=6, n_ops=5, kinds=("cell",), seed=0, archs=None):
    rng = np.random.default_rng(seed)
    archs = archs or [CONVS] * n_steps
    return [Step(step=i, train_loss=1.0, seconds=float(i), val_loss=1.2,
                 weights={k: softmax(rng.normal(size=(n_edges, n_ops))) for k in kinds},
                 arch=archs[i]) for i in range(n_steps)]


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_edge_names_follow_alpha_rows():
    assert plot.edge_names(NB201Space()) == ["0→1", "0→2", "1→2", "0→3", "1→3", "2→3"]
    names = plot.edge_names(DartsSpace())
    assert len(names) == 14
    assert names[:2] == ["c_{k-2}→0", "c_{k-1}→0"] and names[-1] == "2→3"
    with pytest.raises(TypeError, match="CellSpace or a DartsSpace"):
        plot.edge_names("nb201")


def test_heatmap_shows_the_weights_and_their_values():
    w = softmax(np.random.default_rng(1).normal(size=(6, 5)))
    ax = plot.alpha_heatmap(w, OPS, edges=plot.edge_names(NB201Space()), title="alpha")
    assert np.allclose(ax.images[0].get_array(), w)
    texts = [t.get_text() for t in ax.texts]
    assert len(texts) == 30
    assert texts[7] == f"{w[1, 2]:.3f}".lstrip("0")
    assert [t.get_text() for t in ax.get_xticklabels()] == list(OPS)
    assert [t.get_text() for t in ax.get_yticklabels()][0] == "0→1"
    assert ax.get_title() == "alpha"
    # an outline around the strongest op of each edge that leads the next one by 0.01 or more
    assert outlines(ax) == [(int(np.argmax(w[e])), e) for e in range(6)
                            if np.sort(w[e])[-1] - np.sort(w[e])[-2] >= 0.01]


def outlines(ax):
    return sorted(((round(p.get_x() + p.get_width() / 2), round(p.get_y() + p.get_height() / 2))
                   for p in ax.patches if p.get_visible()), key=lambda c: c[1])


def test_heatmap_colour_scale_is_fixed_and_labelled():
    early = np.full((3, 4), 0.25)
    early[0] = [0.2505, 0.2495, 0.25, 0.25]        # step 0: differences of 0.001
    late = np.full((3, 4), 0.25)
    late[0] = [0.7, 0.1, 0.1, 0.1]
    late[1] = [0.26, 0.25, 0.245, 0.245]           # leads by 0.01: outlined
    a, b = plot.alpha_heatmap(early, list("abcd")), plot.alpha_heatmap(late, list("abcd"))
    assert a.images[0].get_clim() == b.images[0].get_clim() == pytest.approx((0.0, 0.5))
    assert outlines(a) == [] and outlines(b) == [(0, 0), (0, 1)]
    # the step-0 weights stay white-ish: within 1% of the scale's middle
    norm = a.images[0].norm
    assert abs(float(norm(early[0, 0])) - 0.5) < 0.01
    bar = a.figure.axes[-1]
    assert "fixed scale" in bar.get_ylabel() and "0.25" in bar.get_ylabel()
    assert "0.01" in a.get_xlabel()
    # white text only far from uniform
    assert b.texts[0].get_color() == "white" and a.texts[0].get_color() == "black"
    c = plot.alpha_heatmap(late, list("abcd"), spread=0.5, margin=0.3, colorbar=False)
    assert c.images[0].get_clim() == pytest.approx((-0.25, 0.75)) and outlines(c) == [(0, 0)]
    assert len(c.figure.axes) == 1
    with pytest.raises(ValueError, match="spread"):
        plot.alpha_heatmap(late, list("abcd"), spread=0)


def test_update_heatmap_equals_a_fresh_drawing():
    rng = np.random.default_rng(2)
    first, second = (softmax(rng.normal(size=(6, 5))) for _ in range(2))
    ax = plot.alpha_heatmap(first, OPS, title="one")
    clim = ax.images[0].get_clim()
    plot.update_alpha_heatmap(ax, second, title="two")
    fresh = plot.alpha_heatmap(second, OPS)
    assert np.allclose(ax.images[0].get_array(), second) and ax.images[0].get_clim() == clim
    assert [t.get_text() for t in ax.texts] == [t.get_text() for t in fresh.texts]
    assert [t.get_color() for t in ax.texts] == [t.get_color() for t in fresh.texts]
    assert outlines(ax) == outlines(fresh) and ax.get_title() == "two"
    assert set(plot.oneshot.changing_artists(ax)) >= {ax.images[0], ax.title, *ax.texts}
    with pytest.raises(ValueError, match="shape"):
        plot.update_alpha_heatmap(ax, second[:3])
    with pytest.raises(ValueError, match="no alpha_heatmap"):
        plot.update_alpha_heatmap(plt.subplots()[1], second)


def test_heatmap_refuses_wrong_shapes_and_dicts():
    with pytest.raises(ValueError, match="edges x ops"):
        plot.alpha_heatmap(np.ones((6, 4)) / 4, OPS)
    with pytest.raises(TypeError, match="one cell at a time"):
        plot.alpha_heatmap({"normal": np.ones((14, 8))}, OPS)
    with pytest.raises(ValueError, match="edge labels"):
        plot.alpha_heatmap(np.ones((6, 5)) / 5, OPS, edges=["a"])


def test_trace_grid_has_one_line_per_op_on_each_edge():
    trace = make_trace()
    axes = plot.alpha_trace(trace, OPS)
    assert len(axes) == 6
    for e, ax in enumerate(axes):
        lines = [line for line in ax.get_lines() if not line.get_label().startswith("_")]
        assert [line.get_label() for line in lines] == list(OPS)
        for o, line in enumerate(lines):
            assert np.array_equal(line.get_xdata(), np.arange(7))
            assert np.allclose(line.get_ydata(), [s.weights["cell"][e, o] for s in trace])
        assert ax.get_title() == f"edge {e}"


def test_trace_of_one_edge_and_of_a_chosen_cell_type():
    trace = make_trace(n_edges=14, n_ops=8, kinds=("normal", "reduce"))
    ops = [f"op{o}" for o in range(8)]
    ax = plot.alpha_trace(trace, ops, edge=3, which="reduce",
                          edges=plot.edge_names(DartsSpace()))
    lines = [line for line in ax.get_lines() if not line.get_label().startswith("_")]
    assert len(lines) == 8
    assert np.allclose(lines[5].get_ydata(), [s.weights["reduce"][3, 5] for s in trace])
    assert ax.get_title() == "c_{k-1}→1 (reduce cell)"
    with pytest.raises(ValueError, match="unknown cell type"):
        plot.alpha_trace(trace, ops, which="cell")
    with pytest.raises(ValueError, match="edge must be in"):
        plot.alpha_trace(trace, ops, edge=14)


def test_trace_into_given_axes_hides_the_spare_ones():
    fig, axes = plt.subplots(3, 5)
    used = plot.alpha_trace(make_trace(n_edges=14, n_ops=8, kinds=("normal", "reduce")),
                            [f"op{o}" for o in range(8)], ax=axes)
    assert len(used) == 14 and not axes.ravel()[14].get_visible()
    with pytest.raises(ValueError, match="at least 6"):
        plot.alpha_trace(make_trace(), OPS, ax=plt.subplots(1, 2)[1])


def test_empty_trace_says_so():
    axes = plot.alpha_trace([], OPS)
    assert "no steps yet" in axes[0].texts[0].get_text()
    ax = plot.collapse_trace([])
    assert "no derived cell" in ax.texts[0].get_text()


def test_collapse_trace_draws_share_and_accuracy():
    archs = [CONVS, CONVS, SKIPS, SKIPS, None, SKIPS]
    trace = make_trace(n_steps=6, archs=archs)
    accuracy = [90.0, 90.0, 10.0, 10.0, None, 10.0]
    ax = plot.collapse_trace(trace, accuracy=accuracy)
    (share,) = ax.get_lines()
    assert list(share.get_xdata()) == [0, 1, 2, 3, 5]  # the step without an arch is skipped
    assert list(share.get_ydata()) == [parameter_free_share(a) for a in archs if a is not None]
    assert list(share.get_ydata())[-1] == 1.0
    twin = [a for a in ax.figure.axes if a is not ax]
    assert len(twin) == 1
    (acc,) = twin[0].get_lines()
    assert np.array_equal(acc.get_ydata(), [90.0, 90.0, 10.0, 10.0, np.nan, 10.0],
                          equal_nan=True)
    assert "accuracy" in twin[0].get_ylabel() and "parameter-free" in ax.get_ylabel()
    with pytest.raises(ValueError, match="accuracies for 6 steps"):
        plot.collapse_trace(trace, accuracy=[1.0])


def test_collapse_trace_without_accuracy_has_one_axes():
    ax = plot.collapse_trace(make_trace(n_steps=3))
    assert ax.figure.axes == [ax] and len(ax.get_lines()) == 1


def test_collapse_trace_draws_the_random_baseline():
    ax = plot.collapse_trace(make_trace(n_steps=3), baseline=0.6)
    assert any(np.allclose(line.get_ydata(), 0.6) for line in ax.get_lines()[1:])
    assert any("random cell: 0.60" in t.get_text() for t in ax.texts)


def test_share_timeline_marks_epochs_baseline_crossing_and_cursor():
    shares = np.array([0.5, 0.5, 0.67, 0.5, 0.67, 0.67, 0.83, 0.83])
    acc = np.array([60, 60, 55, 60, 50, 50, np.nan, 40.0])
    ax = plot.share_timeline(shares, acc, baseline=0.6, epoch_steps=[3, 7], crossing=4, step=2)
    share, baseline, crossing, cursor = ax.get_lines()
    assert np.array_equal(share.get_ydata(), shares) and np.array_equal(share.get_xdata(),
                                                                         np.arange(8))
    assert np.allclose(baseline.get_ydata(), 0.6) and list(crossing.get_xdata()) == [4, 4]
    assert list(cursor.get_xdata()) == [2, 2]
    plot.move_cursor(ax, 6)
    assert list(cursor.get_xdata()) == [6, 6] and cursor in plot.oneshot.changing_artists(ax)
    (top,) = [c for c in ax.get_children() if type(c).__name__ == "SecondaryAxis"]
    assert list(top.get_xticks()) == [3, 7]
    (twin,) = [a for a in ax.figure.axes if a is not ax]
    assert np.array_equal(twin.get_lines()[0].get_ydata(), acc, equal_nan=True)
    with pytest.raises(ValueError, match="accuracies"):
        plot.share_timeline(shares, acc[:3])
    with pytest.raises(ValueError, match="no share_timeline"):
        plot.move_cursor(plt.subplots()[1], 1)
