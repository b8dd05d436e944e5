"""The cell builder: edit one cell by hand and see what it computes and costs.

``CellBuilder`` lets a learner edit one cell of a search space by hand, an NAS-Bench-201 cell
(Dong & Yang, ICLR 2020) or the normal and reduction cells of a DARTS genotype (Liu et al.,
ICLR 2019), and see at once the drawn DAG, its isomorphism class and what the network built from
it costs: parameters, FLOPs and measured latency. Widgets keep their state in attributes, draw
through ``naskit.plot`` into PNG bytes and never call ``display()``, so tests drive them by
setting ``.value`` without a browser.
"""
from __future__ import annotations

import functools
import html
import math

import ipywidgets as widgets
import traitlets
from matplotlib.figure import Figure

from .. import hardware, plot
from ..model import build, build_darts
from ..space import Arch, DartsSpace, Genotype, NB201Space
from ..space.darts import state_name

__all__ = ["CellBuilder"]

# Enumerating a space's isomorphism classes is instant for NB201 (15,625 cells), too slow beyond.
_MAX_ENUMERATE = 100_000
# A latency measurement stops after this many seconds however noisy the timings (a DARTS net of
# 17 cells runs ~30 ms a pass on one busy core: 30 blocks fit well inside it).
_MAX_RUN_TIME = 2.0
_MEASURING = "<i style='color:#555'>measuring {what} …</i>"
# (kind, cell string, channels, cells per stage, classes, input shape) -> (params, FLOPs)
_COUNTS: dict[tuple, tuple[int, int]] = {}


class _ArchTrait(traitlets.TraitType):
    """Any value, None included, goes to ``CellBuilder._validate_arch`` (``Any`` lets None pass
    unchecked)."""

    allow_none = False
    info_text = "an Arch or Genotype of the builder's space, or its string"

    def validate(self, obj, value):
        return value


class CellBuilder(widgets.VBox):
    """Edit a cell with dropdowns or text; see its drawing, class, params, FLOPs and latency."""

    arch = _ArchTrait(help="the current valid Arch (NB201-style space) or Genotype (DartsSpace)")

    def __init__(self, space=None, arch=None, channels: int = 16, cells_per_stage: int = 5,
                 num_classes: int = 10, input_shape=(1, 3, 32, 32), measure_latency: bool = True,
                 min_run_time: float = 0.1):
        self.space = NB201Space() if space is None else space
        self.darts = isinstance(self.space, DartsSpace)
        self.channels, self.cells_per_stage, self.num_classes = channels, cells_per_stage, num_classes
        self.input_shape = tuple(input_shape)
        self.measure_latency, self.min_run_time = measure_latency, min_run_time
        self.error_message = ""
        self.params_ = self.flops_ = self.latency_ = self.class_size_ = None
        self._syncing = False
        self._metrics: dict[str, tuple] = {}

        head, rows = self._darts_controls() if self.darts else self._cell_controls()
        for picker in self.op_pickers:
            picker.observe(self._on_pick, "value")
            picker.add_class("naskit-op-picker")

        example = "Genotype(normal=[('sep_conv_3x3', 0), ...], ...)" if self.darts else \
            "|nor_conv_3x3~0|+|skip_connect~0|none~1|+|...|"
        self.cell_text = widgets.Text(description="cell", placeholder=f"{example}  (press Enter)",
                                      continuous_update=False,
                                      layout=widgets.Layout(width="100%"))
        self.cell_text.add_class("naskit-cell-text")
        self.cell_text.observe(self._on_text, "value")
        self.image = widgets.Image(format="png", layout=widgets.Layout(max_width="600px"))
        self.image.add_class("naskit-cell-image")
        self.error = widgets.HTML()
        self.error.add_class("naskit-cell-error")
        self.info = widgets.HTML()
        self.info.add_class("naskit-cell-info")
        body = widgets.HBox([widgets.VBox(rows), self.image],
                            layout=widgets.Layout(flex_flow="row wrap", align_items="center"))
        super().__init__(children=[*head, body, self.cell_text, self.error, self.info])
        self.add_class("naskit-cell-builder")
        self.arch = self.space.sample(seed=0) if arch is None else arch

    def _cell_controls(self):
        """One op dropdown per edge, a row per target node."""
        self.which, self.input_pickers = None, []
        edges = [(src, dst) for dst in range(1, self.space.n_nodes) for src in range(dst)]
        self.op_pickers = [widgets.Dropdown(options=list(self.space.ops), description=f"{src}→{dst}",
                                            layout=widgets.Layout(width="210px"),
                                            style={"description_width": "36px"})
                           for src, dst in edges]
        rows = [widgets.HBox([p for p, (_, d) in zip(self.op_pickers, edges) if d == dst])
                for dst in range(1, self.space.n_nodes)]
        return [], rows

    def _darts_controls(self):
        """A normal/reduction toggle, then per node an op and an input dropdown for each edge."""
        n, m = self.space.n_intermediate, self.space.inputs_per_node
        self.which = widgets.ToggleButtons(
            options=[("normal cell", "normal"), ("reduction cell", "reduce")], value="normal",
            tooltips=["keeps the resolution", "halves the resolution, doubles the channels"])
        self.which.observe(self._on_which, "value")
        # Node i may read any of the i + 2 earlier states: the two cell inputs, then nodes 0..i-1.
        self.input_pickers = [widgets.Dropdown(options=[(_input_label(s), s) for s in range(i + 2)],
                                               layout=widgets.Layout(width="130px"))
                              for i in range(n) for _ in range(m)]
        self.op_pickers = [widgets.Dropdown(options=list(self.space.ops),
                                            layout=widgets.Layout(width="140px"))
                           for _ in range(n * m)]
        for picker in self.input_pickers:
            picker.observe(self._on_pick, "value")
            picker.add_class("naskit-input-picker")
        rows = []
        for i in range(n):
            row = [widgets.Label(f"node {i} =", layout=widgets.Layout(width="60px"))]
            for j in range(i * m, (i + 1) * m):
                plus = [widgets.Label("+")] if j > i * m else []
                row += [*plus, self.op_pickers[j], self.input_pickers[j]]
            rows.append(widgets.HBox(row))
        return [self.which], rows

    def __repr__(self) -> str:
        params = "?" if self.params_ is None else f"{self.params_:,}"
        return f"CellBuilder(arch={self.arch!r})  # in {type(self.space).__name__}, {params} params"

    # -- state -----------------------------------------------------------------------------------
    @traitlets.validate("arch")
    def _validate_arch(self, proposal):
        """An Arch/Genotype of the space or its string; anything else is shown in the widget and
        raised (the last valid arch stays)."""
        arch = proposal["value"]
        kind = Genotype if self.darts else Arch
        try:
            if isinstance(arch, str):
                arch = self.space.parse(arch)
            if not isinstance(arch, kind):
                article = "an" if self.darts is False else "a"
                raise TypeError(f"arch must be {article} {kind.__name__} of this "
                                f"{type(self.space).__name__} or its string, got "
                                f"{type(arch).__name__}")
            self.space.check(arch)
        except (ValueError, TypeError) as exc:
            self._show_error(str(exc))
            raise
        return arch

    @traitlets.observe("arch")
    def _arch_changed(self, change):
        self._show_error("")
        self._sync_controls()
        # say "measuring" before the new drawing appears: the old numbers never sit beside it
        head = self._head_lines()
        self._show_measuring(head)
        self._redraw()
        self._update_info(head)

    def _cell(self, which=None):
        """The (op, input) pairs of the normal or reduction cell being edited."""
        return list(getattr(self.arch, which or self.which.value))

    def _from_pickers(self):
        if not self.darts:
            return Arch.from_ops([p.value for p in self.op_pickers], n_nodes=self.space.n_nodes)
        pairs = [(op.value, inp.value) for op, inp in zip(self.op_pickers, self.input_pickers)]
        which = self.which.value
        return Genotype(normal=pairs if which == "normal" else self._cell("normal"),
                        normal_concat=self.arch.normal_concat,
                        reduce=pairs if which == "reduce" else self._cell("reduce"),
                        reduce_concat=self.arch.reduce_concat)

    def _propose(self, make) -> None:
        """Adopt the arch ``make()`` returns, or show its ValueError and keep the last valid one."""
        try:
            candidate = make()
            self.space.check(candidate)
        except ValueError as exc:
            self._show_error(str(exc))
            return
        if candidate == self.arch:  # e.g. the same string typed again
            self._show_error("")
            self._sync_controls()
        else:
            self.arch = candidate

    def _show_error(self, message: str) -> None:
        self.error_message = message
        self.error.value = (f"<div style='color:#b00020'><b>Not a valid cell:</b> "
                            f"{html.escape(message)}</div>") if message else ""

    # -- events ----------------------------------------------------------------------------------
    def _on_pick(self, change):
        if not self._syncing:
            self._propose(self._from_pickers)

    def _on_text(self, change):
        if not self._syncing:
            self._propose(lambda: self.space.parse(change["new"]))

    def _on_which(self, change):
        # Switching cells reloads the pickers from the last valid genotype, dropping invalid edits.
        self._show_error("")
        self._sync_controls()
        self._redraw()

    def _sync_controls(self):
        self._syncing = True
        try:
            if self.darts:
                for (op, inp), op_picker, inp_picker in zip(self._cell(), self.op_pickers,
                                                            self.input_pickers):
                    op_picker.value, inp_picker.value = op, inp
            else:
                for op, picker in zip(self.arch.ops, self.op_pickers):
                    picker.value = op
            self.cell_text.value = str(self.arch)
        finally:
            self._syncing = False

    # -- views -----------------------------------------------------------------------------------
    def _redraw(self):
        # A bare Figure, not pyplot: the inline backend would show a pyplot figure below the cell.
        fig = Figure(figsize=(5.5, 3.2) if self.darts else (6.0, 2.2), layout="constrained")
        ax = fig.add_subplot()
        plot.cell(self.arch, ax=ax, which=self.which.value if self.darts else "normal",
                  title=self.which.label if self.darts else None)
        self.image.value = plot.figure_png(fig)

    def _net(self):
        if self.darts:
            # 3N + 2 layers puts N normal cells in each of the three stages, like the NB201 net.
            return build_darts(self.arch, channels=self.channels, layers=3 * self.cells_per_stage + 2,
                               num_classes=self.num_classes, in_channels=self.input_shape[1])
        return build(self.arch, channels=self.channels, cells_per_stage=self.cells_per_stage,
                     num_classes=self.num_classes, in_channels=self.input_shape[1])

    def _head_lines(self) -> list[str]:
        """The info lines that need no measuring: the cell, its class and index."""
        head = [f"<b>cell</b> <code>{html.escape(str(self.arch))}</code>"]
        if not self.darts:
            head += self._class_lines()
        return head

    def _show_measuring(self, head) -> None:
        self.params_ = self.flops_ = self.latency_ = None
        what = "params, FLOPs and latency" if self.measure_latency else "params and FLOPs"
        self.info.value = "<br>".join(head + [_MEASURING.format(what=what)])

    def _update_info(self, head=None):
        """Show the cell's numbers; while they are computed, say so (never the last cell's)."""
        key = str(self.arch)
        if head is None:
            head = self._head_lines()
            self._show_measuring(head)
        try:
            if key not in self._metrics:
                net = None
                counts_key = (type(self.space).__name__, key, self.channels, self.cells_per_stage,
                              self.num_classes, self.input_shape)
                if counts_key not in _COUNTS:
                    net = self._net()
                    _COUNTS[counts_key] = (hardware.count_params(net),
                                           hardware.count_layer_flops(net, self.input_shape))
                self.params_, self.flops_ = _COUNTS[counts_key]
                latency = None
                if self.measure_latency:
                    self.info.value = "<br>".join(head + [self._size_line(),
                                                          _MEASURING.format(what="latency")])
                    net = self._net() if net is None else net
                    # One thread: on a busy or shared CPU, thread pools make timings jump by 10x.
                    latency = hardware.measure_latency(
                        net, input_shape=self.input_shape, device="cpu", threads=1,
                        min_run_time=self.min_run_time,
                        max_run_time=max(_MAX_RUN_TIME, self.min_run_time))
                self._metrics[key] = (self.params_, self.flops_, latency)
        except Exception as exc:  # a callback: show the problem, never raise into the kernel
            self.params_ = self.flops_ = self.latency_ = None
            self.info.value = "<br>".join(head + [
                f"<span style='color:#b00020'><b>Could not build or measure the network:</b> "
                f"{html.escape(type(exc).__name__)}: {html.escape(str(exc))}</span>"])
            return
        self.params_, self.flops_, self.latency_ = self._metrics[key]
        lines = head + [self._size_line()]
        if self.latency_ is not None:
            lines.append(f"<b>latency</b> {_latency_text(self.latency_)}")
        self.info.value = "<br>".join(lines)

    def _size_line(self) -> str:
        shape = "×".join(map(str, self.input_shape))
        return (f"<b>network</b> {self.params_ / 1e6:.3f} M params, "
                f"{self.flops_ / 1e6:.1f} MFLOPs for a {shape} input")

    def _class_lines(self) -> list[str]:
        if len(self.space) > _MAX_ENUMERATE:
            self.class_size_ = None
            return [f"<b>class key</b> <code>{html.escape(self.space.class_key(self.arch))}</code>"]
        rep, self.class_size_ = _class_table(self.space)[self.space.class_key(self.arch)]
        if self.class_size_ == 1:
            lines = ["<b>isomorphism class</b> no other cell computes the same function"]
        else:
            same = "this cell" if rep == self.arch else f"<code>{html.escape(str(rep))}</code>"
            lines = [f"<b>isomorphism class</b> {self.class_size_:,} cells compute the same "
                     f"function; representative: {same}"]
        if hasattr(self.space, "index"):
            lines.append(f"<b>index</b> {self.space.index(self.arch):,} of {len(self.space):,} "
                         f"in NAS-Bench-201 order")
        return lines


@functools.lru_cache(maxsize=4)
def _class_table(space) -> dict:
    """class key -> (representative, class size), shared by every builder on an equal space."""
    return {space.class_key(c[0]): (c[0], len(c)) for c in space.isomorphism_classes()}


def _latency_text(lat) -> str:
    """A latency with the digits its spread supports: '8.7 ms median (IQR 0.9 ms, 30 blocks ...)'.

    The median and the IQR are rounded to the decimal of the IQR's first significant digit; from
    one timed block there is no spread, so no IQR is given and the median keeps 2 significant
    digits, marked as a single block.
    """
    blocks = len(lat.times_ms) or max(1, lat.n_runs // max(1, lat.number_per_block))
    per = f" of {_count(lat.number_per_block, 'run')}" if lat.number_per_block > 1 else ""
    where = f"on {lat.device}, {_count(lat.threads, 'thread')}"
    if blocks < 2:
        return (f"{lat.median_ms:.2g} ms (one timed block{per}: spread unknown; "
                f"{where})")
    iqr = lat.iqr_ms
    # the IQR's first significant digit sets the last digit shown; a zero IQR (identical timings,
    # at the clock's resolution) supports 3 significant digits of the median
    ref = iqr if iqr > 0 else lat.median_ms / 100
    decimals = max(0, -math.floor(math.log10(ref))) if ref > 0 else 2
    return (f"{lat.median_ms:.{decimals}f} ms median (IQR {iqr:.{decimals}f} ms over "
            f"{_count(blocks, 'timed block')}{per}; {where})")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _input_label(state: int) -> str:
    """'c_{k-2} (0)', 'c_{k-1} (1)', then 'node 0 (2)', ...: the name and the genotype's index."""
    name = state_name(state)
    return f"{name} ({state})" if state < 2 else f"node {name} ({state})"
