"""Drawings of NAS results: cells as graphs, with one colour per operation.

A cell is drawn the way NAS papers draw it: a left-to-right DAG whose edges carry operations.
NAS-Bench-201 cells (Dong & Yang, ICLR 2020) have numbered nodes, input 0 and the last node as
output; DARTS cells (Liu et al., ICLR 2019) take the two previous cells' outputs c_{k-2} and
c_{k-1}, and their output c_{k} concatenates the intermediate nodes. Graphviz lays the graph out
when its ``dot`` program is installed; otherwise matplotlib and networkx draw it. Every function
draws a result it is given, takes ``ax=None`` and returns the Axes; none calls show().
"""
from __future__ import annotations

import io
import shutil
from dataclasses import dataclass

import graphviz
import matplotlib.image
import matplotlib.pyplot as plt
import networkx as nx
import numpy as np
from matplotlib.colors import to_rgb
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch

from ..space import Arch

__all__ = ["OP_COLORS", "HIGHLIGHT_COLOR", "cell_dot", "cell", "figure_png"]

# Okabe-Ito colours (readable by colour-blind viewers); similar ops get related hues.
OP_COLORS: dict[str, str] = {
    "none": "#B0B0B0",
    "skip_connect": "#009E73",
    "nor_conv_1x1": "#56B4E9",
    "nor_conv_3x3": "#0072B2",
    "avg_pool_3x3": "#E69F00",
    "max_pool_3x3": "#A0522D",
    "sep_conv_3x3": "#0072B2",
    "sep_conv_5x5": "#003D73",
    "dil_conv_3x3": "#CC79A7",
    "dil_conv_5x5": "#8E3B73",
}
HIGHLIGHT_COLOR = "#D62728"
_OTHER_COLOR = "#555555"
_CONCAT_COLOR = "#8C8C8C"
_INPUT_FILL, _OUTPUT_FILL, _INNER_FILL = "#DCEAF7", "#E2F0D9", "#FFFFFF"
_ENGINES = ("auto", "graphviz", "networkx")
_DOT_DPI = 160


@dataclass(frozen=True)
class _Node:
    id: str
    text: str       # matplotlib mathtext
    html: str       # graphviz HTML-like label
    kind: str       # 'input', 'inner' or 'output'


@dataclass(frozen=True)
class _Edge:
    src: str
    dst: str
    op: str | None  # None: a DARTS concat edge into the output
    index: int | None


def _color(op: str | None) -> str:
    return _CONCAT_COLOR if op is None else OP_COLORS.get(op, _OTHER_COLOR)


def _tint(color: str, amount: float = 0.82) -> tuple[float, float, float]:
    return tuple(c + (1 - c) * amount for c in to_rgb(color))


def _graph(cell, which: str) -> tuple[list[_Node], list[_Edge]]:
    """Nodes and edges of an NB201 ``Arch`` (or its cell string) or of a DARTS genotype."""
    if which not in ("normal", "reduce"):
        raise ValueError(f"unknown which={which!r}; choose from ['normal', 'reduce']")
    if isinstance(cell, str):
        cell = Arch.from_string(cell)
    if isinstance(cell, Arch):
        if which != "normal":
            raise ValueError("an NB201 Arch has one kind of cell; which='reduce' is for DARTS "
                             "genotypes")
        last = cell.n_nodes - 1
        kinds = ["input"] + ["inner"] * (last - 1) + ["output"]
        names = [f"input {k}" if k == 0 else f"output {k}" if k == last else str(k)
                 for k in range(cell.n_nodes)]
        nodes = [_Node(str(k), name, name, kind) for k, (name, kind) in enumerate(zip(names, kinds))]
        edges = [_Edge(str(s), str(d), op, i) for i, (s, d, op) in enumerate(cell.edges)]
        return nodes, edges
    if not (hasattr(cell, which) and hasattr(cell, f"{which}_concat")):
        raise TypeError(f"expected an Arch, a cell string or a DARTS genotype (with .{which} and "
                        f".{which}_concat), got {type(cell).__name__}")
    pairs, concat = list(getattr(cell, which)), list(getattr(cell, f"{which}_concat"))
    if len(pairs) % 2:
        raise ValueError(f"a DARTS {which} cell lists two (op, input) pairs per node, got "
                         f"{len(pairs)} pairs")
    steps = len(pairs) // 2
    names = ["c_{k-2}", "c_{k-1}"] + [str(i) for i in range(steps)]
    nodes = [_Node("c_{k-2}", "$c_{k-2}$", "<c<sub>k-2</sub>>", "input"),
             _Node("c_{k-1}", "$c_{k-1}$", "<c<sub>k-1</sub>>", "input")]
    nodes += [_Node(str(i), str(i), str(i), "inner") for i in range(steps)]
    nodes.append(_Node("c_{k}", "$c_{k}$", "<c<sub>k</sub>>", "output"))
    edges = []
    for i, pair in enumerate(pairs):
        try:
            op, j = pair
            j = int(j)
        except (TypeError, ValueError):
            raise ValueError(f"{which} pair {i} is {pair!r}; expected (op, input), e.g. "
                             "('sep_conv_3x3', 1)") from None
        if not 0 <= j < 2 + i // 2:
            raise ValueError(f"{which} pair {i} ({op!r}, {j}) feeds node {i // 2} from input {j}; "
                             f"node {i // 2} may only read inputs 0..{1 + i // 2} (c_{{k-2}}, "
                             "c_{k-1} and earlier nodes)")
        edges.append(_Edge(names[j], str(i // 2), str(op), i))
    for j in concat:
        if not 0 <= int(j) < len(names):
            raise ValueError(f"{which}_concat names node {j}; this cell has inputs 0..{len(names) - 1}")
        edges.append(_Edge(names[int(j)], "c_{k}", None, None))
    return nodes, edges


def _check_highlight(highlight, edges) -> set[int]:
    n = sum(e.index is not None for e in edges)
    chosen = {int(highlight)} if isinstance(highlight, int) else {int(h) for h in highlight}
    bad = sorted(h for h in chosen if not 0 <= h < n)
    if bad:
        raise ValueError(f"highlight names edges {bad}; this cell has edges 0..{n - 1}")
    return chosen


def cell_dot(cell, which: str = "normal", highlight=()) -> graphviz.Digraph:
    """The Graphviz DOT graph of a cell: an ``Arch`` (or cell string) or a DARTS genotype."""
    nodes, edges = _graph(cell, which)
    chosen = _check_highlight(highlight, edges)
    dot = graphviz.Digraph(graph_attr=dict(rankdir="LR", nodesep="0.4", ranksep="0.45",
                                           bgcolor="white", pad="0.15"),
                           node_attr=dict(fontname="Helvetica", fontsize="16", penwidth="1.6",
                                          color="#333333", style="filled"),
                           edge_attr=dict(fontname="Helvetica", fontsize="14", penwidth="2.2",
                                          arrowsize="0.9"))
    for node in nodes:
        if node.kind == "inner":
            dot.node(node.id, label=node.html, shape="circle", fillcolor=_INNER_FILL,
                     width="0.55", fixedsize="true")
        else:
            dot.node(node.id, label=node.html, shape="box", style="rounded,filled",
                     fillcolor=_INPUT_FILL if node.kind == "input" else _OUTPUT_FILL)
    for edge in edges:
        if edge.op is None:
            dot.edge(edge.src, edge.dst, color=_CONCAT_COLOR, penwidth="1.3", arrowsize="0.7")
            continue
        attrs = dict(label=f" {edge.op} ", color=_color(edge.op),
                     fontcolor="#222222" if edge.op != "none" else "#8A8A8A")
        if edge.op == "none":
            attrs.update(style="dashed", penwidth="1.4")
        elif edge.op == "skip_connect":
            attrs.update(arrowhead="onormal")  # hollow head: passes its input unchanged
        if edge.index in chosen:
            attrs.update(color=HIGHLIGHT_COLOR, fontcolor=HIGHLIGHT_COLOR, penwidth="4.5",
                         fontname="Helvetica-Bold")
        dot.edge(edge.src, edge.dst, **attrs)
    return dot


def _layers(nodes, edges) -> dict[str, int]:
    """Layer of each node: the longest path reaching it from an input."""
    graph = nx.MultiDiGraph()
    graph.add_nodes_from(n.id for n in nodes)
    graph.add_edges_from((e.src, e.dst) for e in edges)
    layer = {}
    for n in nx.topological_sort(graph):
        layer[n] = max((layer[p] + 1 for p in graph.predecessors(n)), default=0)
    return layer


_DX, _DY = 3.3, 1.7  # data units between layers and between nodes of a layer


def _positions(nodes, edges) -> dict[str, tuple[float, float]]:
    """Layers left to right; in a layer, each node near its inputs' mean height, _DY apart."""
    layer = _layers(nodes, edges)
    by_layer: dict[int, list[str]] = {}
    for n in nodes:
        by_layer.setdefault(layer[n.id], []).append(n.id)
    pos: dict[str, tuple[float, float]] = {}
    x = 0.0
    for k in sorted(by_layer):
        ids = by_layer[k]
        if not k:
            for i, n in enumerate(ids):
                pos[n] = (x, ((len(ids) - 1) / 2 - i) * _DY)
            continue
        want = {n: float(np.mean([pos[e.src][1] for e in edges if e.dst == n])) for n in ids}
        ids = sorted(ids, key=lambda n: -want[n])  # stable: ties keep the cell's own order
        ys = []
        for n in ids:  # top to bottom, at least _DY apart
            ys.append(want[n] if not ys else min(want[n], ys[-1] - _DY))
        shift = float(np.mean([want[n] - y for n, y in zip(ids, ys)]))
        # room for the labels of the edges arriving in this layer
        arriving = sum(e.op is not None and layer[e.dst] == k for e in edges)
        x += _DX * max(1.0, arriving / 4)
        for n, y in zip(ids, ys):
            pos[n] = (x, y + shift)
    return pos


def _rads(edges, pos, layer) -> list[float]:
    """Curvature of each edge: straight where it can be, arcs around nodes, other edges, parallels."""
    rads = [0.0] * len(edges)
    seen: dict[tuple[str, str], int] = {}
    for i, e in enumerate(edges):
        (x0, y0), (x1, y1) = p0, p2 = pos[e.src], pos[e.dst]
        span = layer[e.dst] - layer[e.src]
        length = max(((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5, 1e-9)
        if span >= 2 and abs(y1 - y0) < 1e-9:
            # over the nodes in between: even spans arc above, odd ones below, higher if longer
            rise = 0.75 + 0.45 * (span - 2)
            rads[i] = 2 * rise / length * (-1 if span % 2 == 0 else 1)
        elif span >= 2:
            between = [pos[n] for n, k in layer.items() if layer[e.src] < k < layer[e.dst]]
            others = [_bezier(pos[o.src], pos[o.dst], rads[j]) for j, o in enumerate(edges) if j != i]
            # first stay clear of nodes, then of other edges, then stay as straight as possible
            rads[i] = max(_CURVES, key=lambda r: (min(_clearance(p0, p2, r, between), 0.6),
                                                   -_alongside(p0, p2, r, others), -abs(r)))
        k = seen.get((e.src, e.dst), 0)
        seen[(e.src, e.dst)] = k + 1
        if k:
            rads[i] += 0.35 * ((k + 1) // 2) * (1 if k % 2 else -1)  # parallel edges fan out
    return rads


_CURVES = (0.0, 0.15, -0.15, 0.3, -0.3, 0.45, -0.45)
_TS = np.linspace(0, 1, 41)


def _clearance(p0, p2, rad, points) -> float:
    """Smallest distance from the arc3 curve p0 -> p2 to any of ``points``."""
    if not points:
        return float("inf")
    xs, ys = _bezier(p0, p2, rad)(_TS)
    return min(float(np.min(np.hypot(xs - px, ys - py))) for px, py in points)


def _alongside(p0, p2, rad, curves) -> int:
    """How many points of the curve p0 -> p2 run close to another curve (crossing is fine)."""
    if not curves:
        return 0
    xs, ys = _bezier(p0, p2, rad)(_TS[5:36])
    points = np.concatenate([np.column_stack(c(_TS)) for c in curves])
    near = np.hypot(xs[:, None] - points[:, 0], ys[:, None] - points[:, 1]).min(axis=1) < 0.25
    return int(np.count_nonzero(near))


def _bezier(p0, p2, rad):
    """The curve matplotlib's ``arc3`` draws from p0 to p2 (equal-aspect data coordinates)."""
    (x0, y0), (x2, y2) = p0, p2
    cx, cy = (x0 + x2) / 2 + rad * (y2 - y0), (y0 + y2) / 2 - rad * (x2 - x0)
    return lambda t: ((1 - t) ** 2 * x0 + 2 * t * (1 - t) * cx + t ** 2 * x2,
                      (1 - t) ** 2 * y0 + 2 * t * (1 - t) * cy + t ** 2 * y2)


_LABEL_TS = (0.5, 0.42, 0.58, 0.35, 0.65, 0.28, 0.72)


def _place_labels(ax, labels, obstacles, curves):
    """Slide each edge label along its edge to the spot that covers the least of the drawing.

    Greedy: labels are placed one by one; overlapping a placed label or a node costs its area,
    covering another edge costs a little per point of that edge under the label.
    """
    ax.figure.draw_without_rendering()  # final layout, so the extents below are what is shown
    pad = 4 * ax.figure.dpi / 72
    taken = [o.get_window_extent().padded(3 * pad) for o in obstacles]  # keep arrowheads clear
    tracks = [ax.transData.transform(np.column_stack(c(_TS))) for c in curves]
    for text, curve in labels:
        others = np.concatenate([tr for c, tr in zip(curves, tracks) if c is not curve])
        best = None
        for t in _LABEL_TS:
            text.set_position(curve(t))
            box = text.get_window_extent().padded(pad)
            cost = sum(max(0, min(box.x1, o.x1) - max(box.x0, o.x0)) *
                       max(0, min(box.y1, o.y1) - max(box.y0, o.y0)) for o in taken)
            inside = ((others[:, 0] > box.x0) & (others[:, 0] < box.x1) &
                      (others[:, 1] > box.y0) & (others[:, 1] < box.y1))
            cost += 40 * np.count_nonzero(inside)
            if best is None or cost < best[0]:
                best = (cost, t, box)
            if cost == 0:
                break
        text.set_position(curve(best[1]))
        taken.append(best[2])


def _layout(nodes, edges):
    """Node positions, edge curvatures and curves, and the data limits that show them all."""
    pos = _positions(nodes, edges)
    rads = _rads(edges, pos, _layers(nodes, edges))
    curves = [_bezier(pos[e.src], pos[e.dst], r) for e, r in zip(edges, rads)]
    points = [c(t / 10) for c in curves for t in range(11)] + list(pos.values())
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return pos, rads, curves, (min(xs) - 0.75, max(xs) + 0.75), (min(ys) - 0.45, max(ys) + 0.45)


def _draw_networkx(ax, nodes, edges, chosen):
    pos, rads, curves, xlim, ylim = _layout(nodes, edges)
    patches = {}
    for node in nodes:
        x, y = pos[node.id]
        if node.kind == "inner":
            patch = Circle((x, y), 0.34, fc=_INNER_FILL, ec="#333333", lw=1.8, zorder=3)
            text = node.text
        else:
            w, h = (0.95, 0.72) if "$" not in node.text else (0.8, 0.56)
            patch = FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0.06",
                                   fc=_INPUT_FILL if node.kind == "input" else _OUTPUT_FILL,
                                   ec="#333333", lw=1.8, zorder=3)
            text = node.text.replace(" ", "\n")
        patch.set_gid(f"node-{node.id}")
        ax.add_patch(patch)
        patches[node.id] = patch
        ax.text(x, y, text, ha="center", va="center", fontsize=14, zorder=4, linespacing=1.1)
    labels = []
    for edge, rad, curve in zip(edges, rads, curves):
        p0, p2 = pos[edge.src], pos[edge.dst]
        hot = edge.index in chosen
        color = HIGHLIGHT_COLOR if hot else _color(edge.op)
        faint = edge.op == "none" and not hot
        if edge.op is None:
            style = dict(lw=1.4, alpha=0.9)
        elif edge.op == "none":
            style = dict(lw=5.0 if hot else 1.6, linestyle=(0, (4, 3)), alpha=1.0 if hot else 0.8)
        else:
            style = dict(lw=5.0 if hot else 2.6)
        arrow = FancyArrowPatch(p0, p2, patchA=patches[edge.src], patchB=patches[edge.dst],
                                connectionstyle=f"arc3,rad={rad}", mutation_scale=20,
                                arrowstyle="-|>" if edge.op != "skip_connect" else "->",
                                color=color, zorder=2, shrinkA=2, shrinkB=3, **style)
        arrow.set_gid("concat" if edge.index is None else f"edge-{edge.index}")
        ax.add_patch(arrow)
        if edge.op is None:
            continue
        text = ax.text(*curve(0.5), edge.op, ha="center", va="center", zorder=5,
                       fontsize=12, color=HIGHLIGHT_COLOR if hot else "#8A8A8A" if faint else "#1A1A1A",
                       fontweight="bold" if hot else "normal",
                       fontstyle="italic" if faint else "normal",
                       bbox=dict(boxstyle="round,pad=0.22", fc="white" if faint else _tint(color),
                                 ec=color, lw=2.0 if hot else 1.2, linestyle="--" if faint else "-"))
        text.set_gid(f"edge-label-{edge.index}")
        labels.append((text, curve))
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal")
    ax.axis("off")
    _place_labels(ax, labels, list(patches.values()), curves)


def cell(cell, ax=None, which: str = "normal", engine: str = "auto", highlight=(), title=None):
    """Draw a cell (``Arch``, cell string or DARTS genotype) as a left-to-right graph."""
    if engine not in _ENGINES:
        raise ValueError(f"unknown engine {engine!r}; choose from {list(_ENGINES)}")
    nodes, edges = _graph(cell, which)
    chosen = _check_highlight(highlight, edges)
    use_dot = engine == "graphviz" or (engine == "auto" and shutil.which("dot") is not None)
    image = None
    if use_dot:
        dot = cell_dot(cell, which=which, highlight=highlight)
        dot.attr(dpi=str(_DOT_DPI))
        try:
            image = matplotlib.image.imread(io.BytesIO(dot.pipe(format="png")), format="png")
        except graphviz.ExecutableNotFound:
            if engine == "graphviz":
                raise
    if ax is None:
        if image is not None:
            h, w = image.shape[:2]
            scale = min(1.0, 10 / (w / _DOT_DPI))  # at most 10 inches wide
            size = (w / _DOT_DPI * scale, h / _DOT_DPI * scale)
        else:
            *_, (x0, x1), (y0, y1) = _layout(nodes, edges)
            size = ((x1 - x0) * 0.8, (y1 - y0) * 0.8)
        _, ax = plt.subplots(figsize=(size[0], size[1] + (0.45 if title else 0.1)),
                             layout="constrained")
    if title is not None:
        ax.set_title(title, fontsize=15)
    if image is not None:
        ax.imshow(image)
        ax.axis("off")
    else:
        _draw_networkx(ax, nodes, edges, chosen)
    return ax


def figure_png(fig, dpi: int = 100) -> bytes:
    """The PNG bytes of a matplotlib figure (for an ``ipywidgets.Image`` value)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()
