"""Drawings of NAS results: cells as graphs, with one colour per operation.

A cell is drawn the way NAS papers draw it: a left-to-right DAG whose edges carry operations.
NAS-Bench-201 cells (Dong & Yang, ICLR 2020) have numbered nodes, input 0 and the last node as
output; DARTS cells (Liu et al., ICLR 2019) take the two previous cells' outputs c_{k-2} and
c_{k-1}, and their output c_{k} concatenates the intermediate nodes. Graphviz lays the graph out
when its ``dot`` program is installed; otherwise matplotlib draws it in layers by depth (the longest
path from an input, as in Sugiyama-style layered drawing), each op label on its edge in a box that
clears the nodes and the other labels, skip-over edges bowed around the nodes between. Every
function draws a result it is given, takes ``ax=None`` and returns the Axes; none calls show().
"""
from __future__ import annotations

import functools
import importlib.util
import io
import shutil
from dataclasses import dataclass

import matplotlib.image
import matplotlib.pyplot as plt
import networkx as nx
import numpy as np
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.colors import to_rgb
from matplotlib.font_manager import FontProperties
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch
from matplotlib.transforms import Bbox

from ..space import Arch
from ._textsize import mark_raster_text, tag

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
_DOT_EDGE_FONT = 14  # points: the smallest label of a Graphviz drawing (its ops)


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


def _graphviz():
    """Graphviz's Python package, imported when a drawing asks for it (the ``lab`` extra brings it)."""
    try:
        import graphviz
    except ImportError:
        raise ImportError("drawing with Graphviz needs its Python package: pip install graphviz "
                          "(or naskit-edu[lab]); engine='networkx' draws without it") from None
    return graphviz


def _dot_available() -> bool:
    """Whether both Graphviz's ``dot`` program and its Python package are installed."""
    return shutil.which("dot") is not None and importlib.util.find_spec("graphviz") is not None


def cell_dot(cell, which: str = "normal", highlight=()) -> graphviz.Digraph:  # noqa: F821
    """The Graphviz DOT graph of a cell: an ``Arch`` (or cell string) or a DARTS genotype."""
    graphviz = _graphviz()
    nodes, edges = _graph(cell, which)
    chosen = _check_highlight(highlight, edges)
    dot = graphviz.Digraph(graph_attr=dict(rankdir="LR", nodesep="0.4", ranksep="0.45",
                                           bgcolor="white", pad="0.15"),
                           node_attr=dict(fontname="Helvetica", fontsize="16", penwidth="1.6",
                                          color="#333333", style="filled"),
                           edge_attr=dict(fontname="Helvetica", fontsize=str(_DOT_EDGE_FONT),
                                          penwidth="2.2", arrowsize="0.9"))
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


# The fallback drawing is laid out in data units and every size in it (fonts, line widths, arrow
# heads, paddings) is a fixed number of data units, turned into points when the figure is drawn.
# The drawing is therefore the same picture at any axes size: a layout whose label boxes clear
# each other and the nodes at one size clears them at every size.
_LABEL_FONT = 0.21           # op label font size; 12 pt at the 0.8 in per unit of a figure of its own
_NODE_FONT = 0.245
_LABEL_PAD = 0.22            # label box padding, a fraction of the label font size (as matplotlib's)
_GAP = 0.1                   # clearance kept between label boxes, nodes and arrowheads
_KEEPOUT = 0.22              # labels keep this far from nodes: arrowheads end at their boundary
_DY = 1.45                   # between the nodes of one layer
_R = 0.34                    # radius of an inner node
_BOX = {True: (0.8, 0.56), False: (0.95, 0.72)}  # input/output node (w, h): math label or words
_INCH_PER_UNIT = 0.8         # the scale of a figure cell() makes itself
_STYLE = dict(edge=0.045, hot=0.087, none=0.028, concat=0.024, node=0.031, head=0.35,
              box=0.021, hot_box=0.035, shrink_a=0.035, shrink_b=0.052)  # data units


@functools.lru_cache(maxsize=256)
def _text_em(text: str, bold: bool) -> tuple[float, float]:
    """Width and height of a one-line text as matplotlib lays it out, in units of its font size."""
    renderer = _measuring_renderer()
    prop = FontProperties(size=100, weight="bold" if bold else "normal")
    w, h, _ = renderer.get_text_width_height_descent(text, prop, ismath=False)
    _, lp_h, _ = renderer.get_text_width_height_descent("lp", prop, ismath=False)
    return w / 100, max(h, lp_h) / 100  # at 72 dpi a pixel is a point


@functools.lru_cache(maxsize=1)
def _measuring_renderer():
    return RendererAgg(8, 8, 72)


def _label_size(op: str, bold: bool) -> tuple[float, float]:
    """(w, h) in data units of an op label's box, padding included."""
    w, h = _text_em(op, bold)
    pad = 2 * _LABEL_PAD
    return (w + pad) * _LABEL_FONT, (h + pad) * _LABEL_FONT


def _node_size(node) -> tuple[float, float]:
    return (2 * _R, 2 * _R) if node.kind == "inner" else _BOX["$" in node.text]


def _positions(nodes, edges, layer, sizes, label_sizes) -> dict[str, tuple[float, float]]:
    """Layers left to right, each as far from the last as its incoming labels need; in a layer,
    each node near its inputs' mean height, _DY apart."""
    by_layer: dict[int, list[str]] = {}
    for n in nodes:
        by_layer.setdefault(layer[n.id], []).append(n.id)
    pos: dict[str, tuple[float, float]] = {}
    x, last_half = 0.0, 0.0
    for k in sorted(by_layer):
        ids = by_layer[k]
        half = max(sizes[n][0] for n in ids) / 2
        if not k:
            for i, n in enumerate(ids):
                pos[n] = (x, ((len(ids) - 1) / 2 - i) * _DY)
            last_half = half
            continue
        want = {n: float(np.mean([pos[e.src][1] for e in edges if e.dst == n])) for n in ids}
        ids = sorted(ids, key=lambda n: -want[n])  # stable: ties keep the cell's own order
        ys = []
        for n in ids:  # top to bottom, at least _DY apart
            ys.append(want[n] if not ys else min(want[n], ys[-1] - _DY))
        shift = float(np.mean([want[n] - y for n, y in zip(ids, ys)]))
        # room between the layers for the widest label arriving from the layer before, and more
        # when many labelled edges cross the gap (their labels then stagger along the edges)
        widths = [label_sizes[i][0] for i, e in enumerate(edges)
                  if e.op is not None and layer[e.dst] == k and layer[e.src] == k - 1]
        # a label centred between two node centres: the wider node needs the extra room
        gap = max(widths, default=0.9) + 2 * (_GAP + _KEEPOUT) + abs(half - last_half) + 0.15
        gap *= max(1.0, len(widths) / 4)
        x += last_half + gap + half
        for n, y in zip(ids, ys):
            pos[n] = (x, y + shift)
        last_half = half
    return pos


def _bezier(p0, p2, rad):
    """The curve matplotlib's ``arc3`` draws from p0 to p2 (equal-aspect data coordinates)."""
    (x0, y0), (x2, y2) = p0, p2
    cx, cy = (x0 + x2) / 2 + rad * (y2 - y0), (y0 + y2) / 2 - rad * (x2 - x0)
    return lambda t: ((1 - t) ** 2 * x0 + 2 * t * (1 - t) * cx + t ** 2 * x2,
                      (1 - t) ** 2 * y0 + 2 * t * (1 - t) * cy + t ** 2 * y2)


_TS = np.linspace(0, 1, 61)
_LABEL_TS = (0.5, 0.45, 0.55, 0.4, 0.6, 0.35, 0.65)
_SOFT = 1.5  # cost of one point of an arc under a label, against one step of bowing further


def _rect(center, size, grow=0.0):
    (x, y), (w, h) = center, size
    return (x - w / 2 - grow, y - h / 2 - grow, x + w / 2 + grow, y + h / 2 + grow)


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _within(points, rect) -> np.ndarray:
    x, y = points[:, 0], points[:, 1]
    return (x > rect[0]) & (x < rect[2]) & (y > rect[1]) & (y < rect[3])


def _inside(points, rect) -> int:
    """How many of ``points`` (an (n, 2) array) lie inside ``rect``."""
    x, y = points[:, 0], points[:, 1]
    return int(np.count_nonzero((x > rect[0]) & (x < rect[2]) & (y > rect[1]) & (y < rect[3])))


def _route(nodes, edges, pos, layer, sizes, label_sizes):
    """Curvature of each edge and the centre of its label.

    Each edge is a quadratic arc (matplotlib's ``arc3``) and its label sits on it. Edges are routed
    one by one, short spans first, unlabelled (concat) edges last. The candidates for an edge are
    arcs bowing further and further to either side (straight first), with the label at the middle
    or slid along the arc. A candidate whose label box touches a node or a placed label, or whose
    arc runs through a node other than its two ends, is taken only if no other is left; among the
    rest, the cheapest, where bowing further costs and so does each point of an arc hidden under a
    label box.
    """
    node_rects = {n.id: _rect(pos[n.id], sizes[n.id]) for n in nodes}
    # labels keep clear of nodes by more than _GAP: arrowheads end at the node boundary
    node_keepout = {n: _rect(pos[n], sizes[n], _KEEPOUT) for n in node_rects}
    rads = [0.0] * len(edges)
    label_at: dict[int, tuple[float, float]] = {}
    placed_labels: list[tuple[int, tuple]] = []
    placed_curves: list[np.ndarray] = []
    steps = [0.0] + [s * sign for s in np.arange(1, 40) * 0.18 for sign in (1, -1)]
    order = sorted(range(len(edges)), key=lambda i: (edges[i].op is None,
                                                     layer[edges[i].dst] - layer[edges[i].src],
                                                     layer[edges[i].dst], i))
    seen: dict[tuple[str, str], int] = {}
    for i in order:
        e = edges[i]
        p0, p2 = np.asarray(pos[e.src]), np.asarray(pos[e.dst])
        length = float(np.hypot(*(p2 - p0)))
        others = [_rect(pos[n], sizes[n], _GAP) for n in node_rects if n not in (e.src, e.dst)]
        own = (_rect(pos[e.src], sizes[e.src], _GAP), _rect(pos[e.dst], sizes[e.dst], _GAP))
        k = seen.get((e.src, e.dst), 0)
        seen[(e.src, e.dst)] = k + 1
        best = None
        for rank, s in enumerate(steps):
            if best is not None and best[0][:2] == (False, 0) and rank > best[0][2]:
                break  # every later candidate costs more than the best one found
            rad = 2 * s / length
            curve = np.column_stack(_bezier(p0, p2, rad)(_TS))
            # the part of the arc outside its own two nodes: it must pass no other node
            free = curve[~(_within(curve, own[0]) | _within(curve, own[1]))]
            hard = sum(_inside(free, r) for r in others)
            crossed = sum(_inside(free, r) for _, r in placed_labels)
            if e.op is None:
                cost = (hard > 0, 0, _SOFT * crossed + rank)
                if best is None or cost < best[0]:
                    best = (cost, rad, None, curve)
                continue
            size = label_sizes[i]
            for t in _LABEL_TS:
                center = _bezier(p0, p2, rad)(t)
                box = _rect(center, size)
                grown = _rect(center, size, _GAP)
                hard_box = sum(_overlap(grown, r) for r in node_keepout.values()) + \
                    sum(_overlap(grown, r) for _, r in placed_labels)
                under = sum(_inside(c, box) for c in placed_curves)
                # parallel edges between the same two nodes bow apart: the k-th skips straight
                penalty = 1 if (k and abs(s) < 0.3) else 0
                cost = (hard + hard_box > 0, penalty,
                        _SOFT * (crossed + under) + rank + 4 * abs(t - 0.5))
                if best is None or cost < best[0]:
                    best = (cost, rad, center, curve)
        _, rads[i], center, curve = best
        placed_curves.append(curve)
        if center is not None:
            label_at[i] = center
            placed_labels.append((i, _rect(center, label_sizes[i])))
    return rads, label_at


def _layout(nodes, edges, chosen=()):
    """Node positions and sizes, edge curvatures, label centres and sizes, and the data limits."""
    layer = _layers(nodes, edges)
    sizes = {n.id: _node_size(n) for n in nodes}
    label_sizes = [_label_size(e.op, e.index in chosen) if e.op is not None else None
                   for e in edges]
    pos = _positions(nodes, edges, layer, sizes, label_sizes)
    rads, label_at = _route(nodes, edges, pos, layer, sizes, label_sizes)
    rects = [_rect(pos[n.id], sizes[n.id]) for n in nodes]
    rects += [_rect(c, label_sizes[i]) for i, c in label_at.items()]
    xs = [v for r in rects for v in (r[0], r[2])]
    ys = [v for r in rects for v in (r[1], r[3])]
    for e, rad in zip(edges, rads):
        x, y = _bezier(pos[e.src], pos[e.dst], rad)(_TS)
        xs += [float(x.min()), float(x.max())]
        ys += [float(y.min()), float(y.max())]
    margin = 0.15
    return dict(pos=pos, sizes=sizes, rads=rads, label_at=label_at, label_sizes=label_sizes,
                xlim=(min(xs) - margin, max(xs) + margin), ylim=(min(ys) - margin, max(ys) + margin))


class _Scaled(Artist):
    """Sets the sizes of a cell drawing's artists from data units to points just before they draw.

    Drawn first (lowest zorder): by then the Axes has its final size and aspect, so the drawing
    is a scaled copy of its layout whatever the figure or axes size.
    """

    def __init__(self, ax, sized):
        super().__init__()
        self.set_zorder(-100)
        self.set_in_layout(False)
        self._ax, self._sized = ax, sized

    def get_window_extent(self, renderer=None):
        return Bbox.null()

    def draw(self, renderer):
        trans = self._ax.transData
        unit = float(abs(trans.transform((1, 0))[0] - trans.transform((0, 0))[0]))
        self.apply(unit * 72 / self._ax.figure.dpi)
        self.stale = False

    def apply(self, points: float) -> None:
        """Size every artist for ``points`` points per data unit."""
        for artist, what, value in self._sized:
            if what == "font":
                artist.set_fontsize(max(value * points, 0.1))
            elif what == "lw":
                artist.set_linewidth(value * points)
            elif what == "box":
                patch = artist.get_bbox_patch()
                if patch is not None:
                    patch.set_linewidth(value * points)
            elif what == "arrow":
                lw, head = value
                artist.set_linewidth(lw * points)
                artist.set_mutation_scale(head * points)
                artist.shrinkA, artist.shrinkB = (_STYLE["shrink_a"] * points,
                                                  _STYLE["shrink_b"] * points)


def _draw_networkx(ax, nodes, edges, chosen):
    lay = _layout(nodes, edges, chosen)
    pos, sizes = lay["pos"], lay["sizes"]
    patches, sized = {}, []
    for node in nodes:
        x, y = pos[node.id]
        w, h = sizes[node.id]
        if node.kind == "inner":
            patch = Circle((x, y), _R, fc=_INNER_FILL, ec="#333333", zorder=3)
            text = node.text
        else:
            pad = 0.06
            patch = FancyBboxPatch((x - w / 2 + pad, y - h / 2 + pad), w - 2 * pad, h - 2 * pad,
                                   boxstyle=f"round,pad={pad}",
                                   fc=_INPUT_FILL if node.kind == "input" else _OUTPUT_FILL,
                                   ec="#333333", zorder=3)
            text = node.text.replace(" ", "\n")
        patch.set_gid(f"node-{node.id}")
        patch.set_in_layout(False)
        ax.add_patch(patch)
        patches[node.id] = patch
        sized.append((patch, "lw", _STYLE["node"]))
        label = ax.text(x, y, text, ha="center", va="center", zorder=4, linespacing=1.1,
                        in_layout=False)
        label.set_gid(f"node-text-{node.id}")
        sized.append((label, "font", _NODE_FONT))
    for edge, rad in zip(edges, lay["rads"]):
        p0, p2 = pos[edge.src], pos[edge.dst]
        hot = edge.index in chosen
        color = HIGHLIGHT_COLOR if hot else _color(edge.op)
        if edge.op is None:
            lw, style = _STYLE["concat"], dict(alpha=0.9)
        elif edge.op == "none":
            lw = _STYLE["hot"] if hot else _STYLE["none"]
            style = dict(linestyle=(0, (4, 3)), alpha=1.0 if hot else 0.8)
        else:
            lw, style = _STYLE["hot"] if hot else _STYLE["edge"], {}
        arrow = FancyArrowPatch(p0, p2, patchA=patches[edge.src], patchB=patches[edge.dst],
                                connectionstyle=f"arc3,rad={rad}",
                                arrowstyle="-|>" if edge.op != "skip_connect" else "->",
                                color=color, zorder=2, **style)
        arrow.set_gid("concat" if edge.index is None else f"edge-{edge.index}")
        arrow.set_in_layout(False)
        ax.add_patch(arrow)
        sized.append((arrow, "arrow", (lw, _STYLE["head"])))
    for i, edge in enumerate(edges):
        if edge.op is None:
            continue
        hot = edge.index in chosen
        color = HIGHLIGHT_COLOR if hot else _color(edge.op)
        faint = edge.op == "none" and not hot
        text = ax.text(*lay["label_at"][i], edge.op, ha="center", va="center", zorder=5,
                       color=HIGHLIGHT_COLOR if hot else "#8A8A8A" if faint else "#1A1A1A",
                       fontweight="bold" if hot else "normal",
                       fontstyle="italic" if faint else "normal", in_layout=False,
                       bbox=dict(boxstyle=f"round,pad={_LABEL_PAD}",
                                 fc="white" if faint else _tint(color), ec=color,
                                 linestyle="--" if faint else "-"))
        text.set_gid(f"edge-label-{edge.index}")
        sized += [(text, "font", _LABEL_FONT),
                  (text, "box", _STYLE["hot_box"] if hot else _STYLE["box"])]
    scaled = _Scaled(ax, sized)
    scaled.apply(72 * _INCH_PER_UNIT)  # the sizes of a figure of its own, until drawn
    ax.add_artist(scaled)
    ax.set_xlim(*lay["xlim"])
    ax.set_ylim(*lay["ylim"])
    ax.set_aspect("equal")
    ax.axis("off")


def cell(cell, ax=None, which: str = "normal", engine: str = "auto", highlight=(), title=None):
    """Draw a cell (``Arch``, cell string or DARTS genotype) as a left-to-right graph.

    ``engine``: 'graphviz' (its ``dot`` program lays the graph out), 'networkx' (matplotlib: a
    layered layout whose op labels sit on their edges and never cover a node or each other, at
    any axes size) or 'auto' (Graphviz when its ``dot`` program and Python package are installed).
    """
    if engine not in _ENGINES:
        raise ValueError(f"unknown engine {engine!r}; choose from {list(_ENGINES)}")
    nodes, edges = _graph(cell, which)
    chosen = _check_highlight(highlight, edges)
    use_dot = engine == "graphviz" or (engine == "auto" and _dot_available())
    image = None
    if use_dot:
        dot = cell_dot(cell, which=which, highlight=highlight)
        dot.attr(dpi=str(_DOT_DPI))
        try:
            image = matplotlib.image.imread(io.BytesIO(dot.pipe(format="png")), format="png")
        except _graphviz().ExecutableNotFound:
            if engine == "graphviz":
                raise
    if ax is None:
        if image is not None:
            h, w = image.shape[:2]
            scale = min(1.0, 10 / (w / _DOT_DPI))  # at most 10 inches wide
            size = (w / _DOT_DPI * scale, h / _DOT_DPI * scale)
        else:
            lay = _layout(nodes, edges, chosen)
            (x0, x1), (y0, y1) = lay["xlim"], lay["ylim"]
            scale = min(_INCH_PER_UNIT, 12 / (x1 - x0))  # at most 12 inches wide
            size = ((x1 - x0) * scale, (y1 - y0) * scale)
        _, ax = plt.subplots(figsize=(size[0], size[1] + (0.45 if title else 0.1)),
                             layout="constrained")
    if title is not None:
        ax.set_title(title, fontsize=15)
    if image is not None:
        # the smallest label: the edges' font (cell_dot), in the raster's pixels
        mark_raster_text(ax.imshow(image), _DOT_EDGE_FONT * _DOT_DPI / 72)
        ax.axis("off")
    else:
        _draw_networkx(ax, nodes, edges, chosen)
    return ax


def figure_png(fig, dpi: int = 100) -> bytes:
    """The PNG bytes of a matplotlib figure (for an ``ipywidgets.Image`` value)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return tag(buffer.getvalue(), fig, dpi)
