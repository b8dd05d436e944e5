"""Cell drawings: the DOT graph and both drawing engines show exactly the cell they are given."""
import re
import shutil
from collections import Counter, namedtuple

import matplotlib

matplotlib.use("Agg")

import graphviz  # noqa: E402
import hypothesis.strategies as st  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import FancyArrowPatch  # noqa: E402

from naskit import plot  # noqa: E402
from naskit.ops import DARTS_OPS, NB201_OPS  # noqa: E402
from naskit.space import DARTS_V1, Arch, CellSpace, DartsSpace, NB201Space  # noqa: E402

BEST = Arch.from_string("|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|"
                        "nor_conv_3x3~1|nor_conv_1x1~2|")
NONES = Arch.from_ops(["none"] * 6)
ARCHS = [BEST, NONES] + [NB201Space().sample(seed=s) for s in range(3)]

# the DARTS paper's namedtuple and its DARTS (second order) cell
Genotype = namedtuple("Genotype", "normal normal_concat reduce reduce_concat")
DARTS_V2 = Genotype(
    normal=[("sep_conv_3x3", 0), ("sep_conv_3x3", 1), ("sep_conv_3x3", 0), ("sep_conv_3x3", 1),
            ("sep_conv_3x3", 1), ("skip_connect", 0), ("skip_connect", 0), ("dil_conv_3x3", 2)],
    normal_concat=[2, 3, 4, 5],
    reduce=[("max_pool_3x3", 0), ("max_pool_3x3", 1), ("skip_connect", 2), ("max_pool_3x3", 1),
            ("max_pool_3x3", 0), ("skip_connect", 2), ("skip_connect", 2), ("max_pool_3x3", 1)],
    reduce_concat=[2, 3, 4, 5])

EDGE = re.compile(r'^\s*("[^"]*"|\S+) -> ("[^"]*"|\S+) \[(.*)\]\s*$')
ATTR = re.compile(r'(\w+)=("(?:[^"\\]|\\.)*"|<.*?>|\S+)')


def dot_edges(dot):
    """(src, dst, attrs) of every edge in a DOT source, parsed back from the text."""
    edges = []
    for line in dot.source.splitlines():
        m = EDGE.match(line)
        if m:
            attrs = {k: v.strip('"') for k, v in ATTR.findall(m.group(3))}
            edges.append((m.group(1).strip('"'), m.group(2).strip('"'), attrs))
    return edges


@pytest.fixture(autouse=True)
def _close_figures(monkeypatch):
    monkeypatch.setattr(plt, "show", lambda *a, **k: pytest.fail("plot functions never show()"))
    yield
    plt.close("all")


# -- DOT -------------------------------------------------------------------------------------
@pytest.mark.parametrize("arch", ARCHS, ids=str)
def test_dot_has_every_edge_with_its_op(arch):
    edges = dot_edges(plot.cell_dot(arch))
    got = Counter((int(s), int(d), a["label"].strip()) for s, d, a in edges)
    assert got == Counter(arch.edges)
    for _, _, attrs in edges:
        assert ("dashed" in attrs.get("style", "")) == (attrs["label"].strip() == "none")


def test_dot_colours_follow_the_op_colour_map():
    for _, _, attrs in dot_edges(plot.cell_dot(BEST)):
        assert attrs["color"] == plot.OP_COLORS[attrs["label"].strip()]


def test_dot_input_and_output_nodes_are_shaped_differently():
    source = plot.cell_dot(BEST).source
    shapes = dict(re.findall(r'^\s*(\d+) \[.*?shape=(\w+)', source, flags=re.M))
    assert shapes["0"] == shapes["3"] == "box" and shapes["1"] == shapes["2"] == "circle"


@pytest.mark.parametrize("chosen", [(), (0,), (2, 5), tuple(range(6))])
def test_dot_highlight_marks_exactly_the_chosen_edges(chosen):
    edges = dot_edges(plot.cell_dot(BEST, highlight=chosen))
    index = {(s, d): i for i, (s, d, _) in enumerate(BEST.edges)}
    marked = {index[int(s), int(d)] for s, d, a in edges if a["color"] == plot.HIGHLIGHT_COLOR}
    thick = {index[int(s), int(d)] for s, d, a in edges if float(a.get("penwidth", 0)) > 3}
    assert marked == thick == set(chosen)


@pytest.mark.parametrize("which", ["normal", "reduce"])
def test_dot_of_a_darts_genotype(which):
    pairs, concat = getattr(DARTS_V2, which), getattr(DARTS_V2, f"{which}_concat")
    edges = dot_edges(plot.cell_dot(DARTS_V2, which=which))
    names = ["c_{k-2}", "c_{k-1}", "0", "1", "2", "3"]
    expected = Counter((names[j], str(i // 2), op) for i, (op, j) in enumerate(pairs))
    assert Counter((s, d, a["label"].strip()) for s, d, a in edges if "label" in a) == expected
    assert sorted(s for s, d, a in edges if d == "c_{k}") == sorted(names[j] for j in concat)


def test_dot_highlight_on_a_genotype_counts_its_pairs_in_order():
    edges = [e for e in dot_edges(plot.cell_dot(DARTS_V2, highlight=(7,))) if "label" in e[2]]
    assert [i for i, (_, _, a) in enumerate(edges) if a["color"] == plot.HIGHLIGHT_COLOR] == [7]
    assert edges[7][:2] == ("0", "3")


def test_every_op_has_a_colour():
    assert set(NB201_OPS) | set(DARTS_OPS) <= set(plot.OP_COLORS)
    assert plot.HIGHLIGHT_COLOR not in plot.OP_COLORS.values()


# -- networkx engine -------------------------------------------------------------------------
def _arrows(ax):
    return {p.get_gid(): p for p in ax.patches if isinstance(p, FancyArrowPatch)}


def _labels(ax):
    return {t.get_gid(): t for t in ax.texts if (t.get_gid() or "").startswith("edge-label-")}


@pytest.mark.parametrize("arch", ARCHS[:3], ids=str)
def test_networkx_draws_one_labelled_edge_per_cell_edge(arch):
    ax = plot.cell(arch, engine="networkx")
    arrows, labels = _arrows(ax), _labels(ax)
    assert set(arrows) == {f"edge-{i}" for i in range(len(arch.edges))}
    assert {g: t.get_text() for g, t in labels.items()} == \
        {f"edge-label-{i}": op for i, (_, _, op) in enumerate(arch.edges)}
    for i, (_, _, op) in enumerate(arch.edges):
        dashed = arrows[f"edge-{i}"].get_linestyle() not in ("-", "solid")
        assert dashed == (op == "none")
    assert not ax.images


# Fallback drawings must read as well as Graphviz's at every size a lesson or widget draws them:
# the figure cell() makes, lesson 1's side-by-side DARTS cells, the CellBuilder's, the evolution
# stepper's and the one-shot explorer's small figures.
SIZES = {"own": None, "lesson-pair": (12, 3.5), "builder": (5.5, 3.2), "builder-nb201": (6.0, 2.2),
         "stepper": (4.2, 2.0), "stepper-short": (4.2, 1.8), "oneshot": (5.4, 2.6)}


def _drawn(cell, which, size, highlight=()):
    """Draw with the fallback engine at ``size`` and render; (axes, renderer)."""
    if size is None:
        ax = plot.cell(cell, which=which, engine="networkx", highlight=highlight, title="cell")
    elif size == (12, 3.5):  # as lesson 1 draws its two DARTS cells: pyplot, no layout engine
        _, axes = plt.subplots(1, 2, figsize=size)
        ax = plot.cell(cell, ax=axes[0], which=which, engine="networkx", highlight=highlight,
                       title="normal cell")
        plot.cell(cell, ax=axes[1], which=which, engine="networkx", title="other")
    else:  # as the widgets draw: a bare Figure with a constrained layout
        fig = Figure(figsize=size, layout="constrained")
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        plot.cell(cell, ax=ax, which=which, engine="networkx", highlight=highlight, title="child")
    ax.figure.canvas.draw()
    return ax, ax.figure.canvas.get_renderer()


def _extents(ax, renderer):
    """Window extents of the label boxes and of the nodes (patch and text), keyed by gid."""
    labels = {t.get_gid(): t.get_bbox_patch().get_window_extent(renderer)
              for t in ax.texts if (t.get_gid() or "").startswith("edge-label-")}
    nodes = {p.get_gid(): p.get_window_extent(renderer)
             for p in ax.patches if (p.get_gid() or "").startswith("node-")}
    texts = {t.get_gid(): t.get_window_extent(renderer)
             for t in ax.texts if (t.get_gid() or "").startswith("node-text-")}
    return labels, nodes, texts


def _assert_readable(ax, renderer, n_labels):
    labels, nodes, texts = _extents(ax, renderer)
    assert len(labels) == n_labels
    boxes = list(labels.items())
    for i, (a, box) in enumerate(boxes):
        for b, other in boxes[i + 1:]:
            assert not box.overlaps(other), f"{a} overlaps {b}"
        for node, extent in nodes.items():
            assert not box.overlaps(extent), f"{a} covers {node}"
        for node, extent in texts.items():
            assert not box.overlaps(extent), f"{a} covers the text of {node}"
    # every node's name fits inside the node
    for gid, extent in texts.items():
        node = nodes["node-" + gid.removeprefix("node-text-")]
        assert node.x0 <= extent.x0 and extent.x1 <= node.x1 and node.y0 <= extent.y0 \
            and extent.y1 <= node.y1, gid
    # each label sits on its own edge: the edge's drawn curve passes through the label's box
    for gid, box in labels.items():
        arrow = _arrows(ax)["edge-" + gid.removeprefix("edge-label-")]
        points = _curve(arrow)
        assert np.any((points[:, 0] > box.x0) & (points[:, 0] < box.x1) &
                      (points[:, 1] > box.y0) & (points[:, 1] < box.y1)), gid
    # no edge runs through a node other than its two ends
    for gid, arrow in _arrows(ax).items():
        points = _curve(arrow)
        ends = _ends(ax)[id(arrow)]
        for node, extent in nodes.items():
            if node in ends:
                continue
            inner = extent.shrunk(0.9, 0.9).translated(0.05 * extent.width, 0.05 * extent.height)
            assert not np.any((points[:, 0] > inner.x0) & (points[:, 0] < inner.x1) &
                              (points[:, 1] > inner.y0) & (points[:, 1] < inner.y1)), \
                f"{gid} runs through {node}"


def _curve(arrow):
    """Points along an arrow as drawn (display coordinates), 20 per segment of its outline."""
    lines = arrow.get_path().to_polygons(arrow.get_transform(), closed_only=False)
    return np.concatenate([np.concatenate([np.linspace(a, b, 20) for a, b in zip(p[:-1], p[1:])])
                           for p in lines if len(p) > 1])


def _ends(ax):
    """id(arrow) -> gids of the two nodes it joins (its patchA and patchB)."""
    return {id(a): {a.patchA.get_gid(), a.patchB.get_gid()} for a in ax.patches
            if isinstance(a, FancyArrowPatch)}


@pytest.mark.parametrize("size", SIZES.values(), ids=SIZES.keys())
@pytest.mark.parametrize("cell,which", [(BEST, "normal"), (NONES, "normal"), (DARTS_V2, "normal"),
                                        (DARTS_V2, "reduce"), (DARTS_V1, "normal"),
                                        (DARTS_V1, "reduce")],
                         ids=["nb201-best", "nb201-nones", "v2-normal", "v2-reduce", "v1-normal",
                              "v1-reduce"])
def test_networkx_labels_clear_each_other_and_the_nodes(cell, which, size):
    ax, renderer = _drawn(cell, which, size, highlight=(1,))
    n = len(cell.edges) if isinstance(cell, Arch) else len(getattr(cell, which))
    _assert_readable(ax, renderer, n)


@settings(max_examples=20, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(index=st.integers(0, 15_624), size=st.sampled_from(list(SIZES.values())),
       hot=st.integers(0, 5))
def test_networkx_every_nb201_cell_is_readable(index, size, hot):
    arch = NB201Space()[index]
    ax, renderer = _drawn(arch, "normal", size, highlight=(hot,))
    _assert_readable(ax, renderer, 6)
    plt.close("all")


@pytest.mark.slow
@settings(max_examples=20, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2 ** 31 - 1), which=st.sampled_from(["normal", "reduce"]),
       size=st.sampled_from(list(SIZES.values())), hot=st.integers(0, 7))
def test_networkx_every_darts_cell_is_readable(seed, which, size, hot):
    genotype = DartsSpace().sample(seed=seed)
    ax, renderer = _drawn(genotype, which, size, highlight=(hot,))
    _assert_readable(ax, renderer, 8)
    plt.close("all")


@pytest.mark.parametrize("n_nodes", [2, 3, 5])
def test_networkx_other_cell_sizes_are_readable(n_nodes):
    space = CellSpace(n_nodes=n_nodes)
    for seed in range(3):
        arch = space.sample(seed=seed)
        for size in (None, (4.2, 2.0)):
            ax, renderer = _drawn(arch, "normal", size)
            _assert_readable(ax, renderer, len(arch.edges))
            plt.close("all")


def test_networkx_drawing_is_the_same_picture_at_any_size():
    # fonts, lines and boxes are sized in data units, so a smaller axes shows a scaled copy
    big, r_big = _drawn(DARTS_V2, "normal", None)
    small, r_small = _drawn(DARTS_V2, "normal", (4.2, 2.0))

    def relative(ax, renderer):
        frame = ax.transData.transform([ax.get_xlim()[0], ax.get_ylim()[0]]), \
            ax.transData.transform([ax.get_xlim()[1], ax.get_ylim()[1]])
        (x0, y0), (x1, y1) = frame
        labels, _, _ = _extents(ax, renderer)
        return np.array([[(b.x0 - x0) / (x1 - x0), (b.x1 - x0) / (x1 - x0),
                          (b.y0 - y0) / (y1 - y0), (b.y1 - y0) / (y1 - y0)]
                         for _, b in sorted(labels.items())])

    a, b = relative(big, r_big), relative(small, r_small)
    assert a.shape == b.shape == (8, 4)
    assert np.abs(a - b).max() < 0.02
    font = {t.get_gid(): t.get_fontsize() for t in big.texts}
    assert 10 <= font["edge-label-0"] <= 14  # a figure of its own: text at a normal size


def test_networkx_parallel_edges_between_the_same_nodes_are_curved_apart():
    twice = Genotype([("sep_conv_3x3", 0), ("dil_conv_3x3", 0)], [2], [], [])
    ax = plot.cell(twice, engine="networkx")
    arrows = _arrows(ax)
    paths = [arrows[f"edge-{i}"].get_path().vertices for i in (0, 1)]
    assert abs(paths[0][:, 1].mean() - paths[1][:, 1].mean()) > 0.1


def test_networkx_highlight_is_red_and_thicker():
    ax = plot.cell(BEST, engine="networkx", highlight=(4,))
    arrows = _arrows(ax)
    widths = {g: a.get_linewidth() for g, a in arrows.items()}
    assert max(widths, key=widths.get) == "edge-4"
    assert matplotlib.colors.same_color(arrows["edge-4"].get_edgecolor(), plot.HIGHLIGHT_COLOR)


def test_networkx_draws_a_genotype_with_its_concat_edges():
    ax = plot.cell(DARTS_V2, engine="networkx", which="reduce")
    arrows = list(ax.patches)
    gids = Counter(p.get_gid() for p in arrows if isinstance(p, FancyArrowPatch))
    assert gids["concat"] == len(DARTS_V2.reduce_concat)
    assert sum(g.startswith("edge-") for g in gids) == len(DARTS_V2.reduce)


def test_auto_engine_works_without_dot(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name, *a, **k: None)
    ax = plot.cell(BEST)
    assert not ax.images and len(_labels(ax)) == 6


def test_auto_engine_falls_back_when_graphviz_cannot_run(monkeypatch):
    def missing(*args, **kwargs):
        raise graphviz.ExecutableNotFound(["dot"])
    monkeypatch.setattr(shutil, "which", lambda name, *a, **k: "/usr/bin/dot")
    monkeypatch.setattr(graphviz.Digraph, "pipe", missing)
    ax = plot.cell(BEST, engine="auto")
    assert not ax.images and len(_labels(ax)) == 6
    with pytest.raises(graphviz.ExecutableNotFound):
        plot.cell(BEST, engine="graphviz")


# -- graphviz engine -------------------------------------------------------------------------
needs_dot = pytest.mark.skipif(
    shutil.which("dot") is None,
    reason="Graphviz's dot program is not installed (apt-get install graphviz, or conda's "
           "graphviz package) so the Graphviz drawing path cannot run")


@needs_dot
def test_graphviz_engine_shows_the_rendered_image():
    ax = plot.cell(BEST, engine="graphviz", title="best cell")
    assert len(ax.images) == 1
    h, w = ax.images[0].get_array().shape[:2]
    assert w > 2 * h > 100  # a left-to-right cell is wide
    assert ax.get_title() == "best cell" and not ax.axison


@needs_dot
@pytest.mark.parametrize("which", ["normal", "reduce"])
def test_graphviz_draws_darts_cells_into_a_small_axes_and_auto_picks_it(which):
    fig = Figure(figsize=(4.2, 2.0), layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    assert plot.cell(DARTS_V2, ax=ax, which=which, highlight=(7,), title="child") is ax
    fig.canvas.draw()
    assert len(ax.images) == 1 and not _labels(ax)  # the picture is Graphviz's
    image = ax.images[0].get_array()
    assert image.shape[1] > image.shape[0] > 50
    # the highlighted edge is drawn in the highlight colour somewhere in the picture
    red = np.all(np.abs(image[..., :3] - matplotlib.colors.to_rgb(plot.HIGHLIGHT_COLOR)) < 0.1,
                 axis=-1)
    assert red.sum() > 20
    auto = plot.cell(DARTS_V2, which=which)
    assert len(auto.images) == 1


# -- shared behaviour ------------------------------------------------------------------------
@pytest.mark.parametrize("engine", ["networkx", "auto"])
def test_cell_draws_into_the_given_axes(engine):
    fig, axes = plt.subplots(1, 2)
    before = plt.get_fignums()
    assert plot.cell(BEST, ax=axes[1], engine=engine) is axes[1]
    assert plt.get_fignums() == before


def test_cell_accepts_a_cell_string():
    ax = plot.cell(str(BEST), engine="networkx")
    assert len(_labels(ax)) == 6


@pytest.mark.parametrize("kwargs,error", [
    (dict(engine="tikz"), "unknown engine"),
    (dict(highlight=(6,)), r"edges \[6\]; this cell has edges 0..5"),
    (dict(which="reduce"), "DARTS genotypes"),
    (dict(which="both"), "unknown which"),
])
def test_cell_rejects_bad_arguments(kwargs, error):
    with pytest.raises(ValueError, match=error):
        plot.cell(BEST, **kwargs)


def test_cell_rejects_what_is_not_a_cell():
    with pytest.raises(TypeError, match="DARTS genotype"):
        plot.cell_dot(42)
    with pytest.raises(ValueError, match="two"):
        plot.cell_dot(Genotype([("sep_conv_3x3", 0)], [2], [], []))
    with pytest.raises(ValueError, match="may only read inputs 0..1"):
        plot.cell_dot(Genotype([("sep_conv_3x3", 2), ("sep_conv_3x3", 0)], [2], [], []))


def test_figure_png_returns_png_bytes_of_the_figure_size():
    fig = plt.figure(figsize=(3, 2))
    data = plot.figure_png(fig, dpi=50)
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (150, 100)
