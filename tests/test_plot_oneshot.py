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
    # one outline per edge, around its strongest op
    outlined = [(round(p.get_x() + p.get_width() / 2), round(p.get_y() + p.get_height() / 2))
                for p in ax.patches]
    assert sorted(outlined, key=lambda c: c[1]) == [(int(np.argmax(w[e])), e) for e in range(6)]


def test_heatmap_colour_is_centred_on_uniform():
    w = np.full((3, 4), 0.25)
    w[0] = [0.4, 0.2, 0.2, 0.2]
    ax = plot.alpha_heatmap(w, ["a", "b", "c", "d"])
    lo, hi = ax.images[0].get_clim()
    assert lo + hi == pytest.approx(0.5) and hi == pytest.approx(0.4)


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
