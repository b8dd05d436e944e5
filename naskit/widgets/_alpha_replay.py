"""The figures and text of ``AlphaWatcher``'s replay of a recorded search, one frame per step.

Each figure is drawn once (``FigurePNG``) and changed in place for a new step: the heat map's
colours and values (``plot.update_alpha_heatmap``), the cursor of the timeline and of the weight
traces (``plot.move_cursor``), so that a frame costs one rendering per visible figure. Cells are
drawn once per distinct cell. Nothing here imports ipywidgets: the watcher puts the bytes and the
HTML into its widgets.
"""
from __future__ import annotations

import html

import numpy as np

from .. import plot
from ..oneshot import AlphaReplay, Frame, Step
from ..plot._png import FigurePNG
from ..plot.oneshot import changing_artists

HEATMAP_SIZE, TIMELINE_SIZE, TRACE_SIZE, CELL_SIZE = (6.4, 4.3), (6.4, 4.0), (12.0, 4.6), (5.4, 2.6)
DPI = 80            # modest: a frame is rendered while the slider plays
_TRACE_POINTS = 1500  # steps drawn per line of the weight traces (every k-th, and the last)


def wrap_arch(arch) -> str:
    """An arch string as HTML that breaks after each '+' and anywhere if still too long."""
    text = html.escape(str(arch)).replace("+", "+<wbr>")
    return f'<code style="overflow-wrap:anywhere;word-break:break-all">{text}</code>'


def ties_text(frame: Frame, edges) -> str:
    """A note on the edges whose two strongest ops tie at the trace's float16 precision."""
    if not frame.ties:
        return ""
    names = ", ".join(edges[e] for e in frame.ties)
    return (f"float16 tie on edge{'s' if len(frame.ties) > 1 else ''} {names}: derive takes the "
            f"op listed first")


class ReplayFigures:
    """The replay's figures, drawn on first use and moved from frame to frame."""

    def __init__(self, replay: AlphaReplay, edges, dpi: int = DPI):
        self.replay, self.edges, self.dpi = replay, list(edges), dpi
        self.heatmap: FigurePNG | None = None
        self.timeline: FigurePNG | None = None
        self.trace: FigurePNG | None = None
        self._trace_cursors: list = []
        self._cells: dict = {}

    def heatmap_png(self, frame: Frame) -> bytes:
        """softmax(alpha) at ``frame`` on the fixed colour scale."""
        title = f"softmax(alpha) after step {frame.step} (epoch {frame.epoch})"
        if self.heatmap is None:
            self.heatmap = FigurePNG(lambda ax: plot.alpha_heatmap(
                frame.weights, self.replay.op_names, ax=ax, edges=self.edges, title=title),
                HEATMAP_SIZE, dpi=self.dpi, animated=changing_artists)
        else:
            plot.update_alpha_heatmap(self.heatmap.drawn, frame.weights, title=title)
        return self.heatmap.png()

    def timeline_png(self, frame: Frame) -> bytes:
        """The parameter-free share and truth at every step, the epochs, a cursor at ``frame``."""
        r = self.replay
        if self.timeline is None:
            acc = r.accuracies if r.bench is not None else None
            self.timeline = FigurePNG(lambda ax: plot.share_timeline(
                r.shares, acc, baseline=r.baseline, epoch_steps=r.epoch_steps,
                crossing=r.crossing, step=frame.step, ax=ax), TIMELINE_SIZE, dpi=self.dpi,
                animated=changing_artists)
        else:
            plot.move_cursor(self.timeline.drawn, frame.step)
        return self.timeline.png()

    def trace_png(self, frame: Frame) -> bytes:
        """softmax(alpha) of each edge over all steps, a cursor at ``frame``."""
        if self.trace is None:
            w, n = self.replay.weights, self.replay.n_steps
            keep = np.unique(np.r_[np.arange(0, n, max(1, n // _TRACE_POINTS)), n - 1])
            steps = [Step(step=int(k), train_loss=0.0, seconds=0.0, weights={"cell": w[k]})
                     for k in keep]
            rows, cols = -(-len(self.edges) // 3), 3

            def draw(fig):
                axes = fig.subplots(rows, cols, sharex=True, sharey=True, squeeze=False)
                used = plot.alpha_trace(steps, self.replay.op_names, ax=axes, edges=self.edges)
                self._trace_cursors = [a.axvline(frame.step, color="black", lw=1.2) for a in used]
                fig.suptitle("softmax(alpha) per edge over the run (dotted: uniform)")
            self.trace = FigurePNG(draw, TRACE_SIZE, dpi=self.dpi, axes=False,
                                   animated=lambda fig: self._trace_cursors)
        for line in self._trace_cursors:
            line.set_xdata([frame.step, frame.step])
        return self.trace.png()

    def cell_png(self, arch) -> bytes:
        """The derived cell (drawn once per cell)."""
        if arch not in self._cells:
            self._cells[arch] = FigurePNG(lambda ax: plot.cell(arch, ax=ax), CELL_SIZE,
                                          dpi=100).png()
        return self._cells[arch]
