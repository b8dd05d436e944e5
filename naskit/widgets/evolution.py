"""The evolution stepper: watch an evolutionary search one cycle at a time.

``EvolutionStepper`` replays a regularized evolution (Real et al., AAAI 2019) or an OFA-style
genetic search (Cai et al., ICLR 2020) frame by frame, reading what the strategy noted in each
trial (``nk.search.EvolutionFrame.of``): the population as fitness against age, the tournament
drawn from it, the parent and child cells with the changed edges marked (both parents of a
crossover), the member that leaves, and the best-so-far curve up to that step. A slider (with
play/pause) picks the step; everything shown is an attribute, drawn through ``naskit.plot`` into
PNG bytes, and ``display()`` is never called. The layout fits a 1280x720 screen: the slider and
the summary on top, then three tabs as wide as the widget (the population, the parent and child
cells, the best-so-far curve), so that a cell's op labels are drawn large enough to read.
"""
from __future__ import annotations

import html

import ipywidgets as widgets
import traitlets

from .. import plot
from .._checks import check_int
from ..plot._png import render_png as _png
from ..history import History
from ..search import EvolutionFrame, GeneticEvolution, RegularizedEvolution, run
from ._calm import calm
from ._compat import tab

__all__ = ["EvolutionStepper"]

# Figure sizes (inches at 100 dpi): population 540x360 px on the left; on the right a tab bar and up
# to three cells of 420x180 px (a crossover's two parents and the child), or the best-so-far curve.
# Inches at 100 dpi. A cell drawing needs the widget's whole width for op labels of at least
# 10 px on a 1280x720 screen (tests/test_browser.py measures them), so the drawings sit in tabs below
# the summary, stacked, each as wide as the widget.
POPULATION_SIZE, CELL_SIZE, BEST_SIZE = (8.2, 3.6), (8.2, 1.7), (8.2, 3.6)


class EvolutionStepper(widgets.VBox):
    """Step through an evolution: population, tournament, parent and child cells, best so far.

    Give a ``RegularizedEvolution`` or ``GeneticEvolution`` and either its finished ``history`` or
    a ``bench`` (with ``budget`` and/or ``max_trials``, ``epoch``) to run it on now.
    """

    step = traitlets.Int(0, help="the history step whose cycle is shown")

    def __init__(self, strategy, bench=None, budget: float | None = None,
                 epoch: int | None = None, max_trials: int | None = None,
                 history: History | None = None, interval_ms: int = 600):
        if not isinstance(strategy, (RegularizedEvolution, GeneticEvolution)):
            raise TypeError(f"EvolutionStepper shows RegularizedEvolution or GeneticEvolution, "
                            f"got {type(strategy).__name__}")
        interval_ms = check_int(interval_ms, "interval_ms (milliseconds between frames)")
        if history is None:
            if bench is None:
                raise ValueError("give the history of a finished search, or a bench to run it on")
            history = run(strategy, bench, budget=budget, epoch=epoch, max_trials=max_trials)
        if not len(history):
            raise ValueError(f"{history!r} is empty: nothing to step through")
        self.strategy, self.history_ = strategy, history
        self.frames_ = [EvolutionFrame.of(history, k) for k in range(len(history))]
        self._times = [t.time for t in history]
        best = history.best_so_far("fitness")[1]
        pad = max(0.5, 0.05 * (best.max() - best.min()))
        self._best_ylim = (best.min() - pad, best.max() + pad)  # fixed, so the curve grows in place

        last = len(self.frames_) - 1
        self.slider = widgets.IntSlider(0, min=0, max=last, description="step",
                                        continuous_update=False, layout=widgets.Layout(width="480px"))
        self.play = widgets.Play(value=0, min=0, max=last, interval=interval_ms, description="play")
        widgets.link((self.play, "value"), (self.slider, "value"))  # kernel-side: testable
        traitlets.link((self.slider, "value"), (self, "step"))
        image = dict(format="png")
        # Images shrink with the room the notebook gives (no wider than drawn): next to
        # JupyterLab's file browser a 1280 px screen leaves the widget ~850 px.
        px = lambda size: widgets.Layout(width="100%", max_width=f"{100 * size[0]:.0f}px",  # noqa: E731
                                         height="auto")
        self.population_image = widgets.Image(**image, layout=px(POPULATION_SIZE))
        self.best_image = widgets.Image(**image, layout=px(BEST_SIZE))
        self.parent_image = widgets.Image(**image, layout=px(CELL_SIZE))
        self.second_parent_image = widgets.Image(**image, layout=px(CELL_SIZE))
        self.child_image = widgets.Image(**image, layout=px(CELL_SIZE))
        self.summary = widgets.HTML(layout=widgets.Layout(width="100%"))
        for w, css in ((self.population_image, "population"), (self.best_image, "best"),
                       (self.parent_image, "parent"), (self.second_parent_image, "second-parent"),
                       (self.child_image, "child"), (self.summary, "summary")):
            w.add_class(f"naskit-evolution-{css}")
        self.tabs = tab([
            ("population", widgets.VBox([self.population_image])),
            ("parent and child", widgets.VBox([self.parent_image, self.second_parent_image,
                                               self.child_image])),
            ("best so far", widgets.VBox([self.best_image]))])
        super().__init__(children=[widgets.HBox([self.play, self.slider]), self.summary, self.tabs])
        self.add_class("naskit-evolution-stepper")
        self._show()

    def __repr__(self):
        return (f"EvolutionStepper({self.strategy!r}, {len(self.frames_)} steps, "
                f"step={self.step})")

    @property
    def frame_(self):
        """The ``EvolutionFrame`` of the current step."""
        return self.frames_[self.step]

    @traitlets.validate("step")
    def _validate_step(self, proposal):
        k = proposal["value"]
        if not 0 <= k < len(self.frames_):
            raise traitlets.TraitError(f"step {k} is outside the history: choose 0..{len(self.frames_) - 1}")
        return k

    @traitlets.observe("step")
    @calm("summary")
    def _step_changed(self, change):
        self._show()

    # -- views -----------------------------------------------------------------------------------
    def _show(self):
        f, history = self.frame_, self.history_
        self.population_image.value = _png(
            lambda ax: plot.population(f.population, ax=ax, step=f.step, sample=f.sample,
                                       parents=f.parents, removed=f.removed, child=f.child,
                                       title=self._title(f)), POPULATION_SIZE)
        t_end = self._times[-1]

        def best(ax):
            plot.history(History(history[:f.step + 1], strategy=history.strategy), ax=ax,
                         by="fitness")
            ax.set_xlim(0, t_end * 1.02)
            ax.set_ylim(*self._best_ylim)
            ax.set_title("best fitness so far")
        self.best_image.value = _png(best, BEST_SIZE)
        parents = list(dict.fromkeys(f.parents))
        self.parent_image.value = self._cell(history[parents[0]].arch, f.mutated, "parent") \
            if parents else b""
        self.second_parent_image.value = self._cell(history[parents[1]].arch, (), "second parent") \
            if len(parents) > 1 else b""
        self.second_parent_image.layout.display = "" if len(parents) > 1 else "none"
        self.parent_image.layout.display = "" if parents else "none"
        self.child_image.value = self._cell(f.child.arch, f.mutated, "child")
        self.summary.value = self._summary(f)

    @staticmethod
    def _cell(arch, highlight, title) -> bytes:
        return _png(lambda ax: plot.cell(arch, ax=ax, highlight=highlight, title=title), CELL_SIZE)

    @staticmethod
    def _title(f) -> str:
        gen = "" if f.generation is None else f", generation {f.generation}"
        return f"step {f.step}{gen}"

    def _summary(self, f) -> str:
        h = self.history_
        if not f.parents:
            how = "a random arch (the initial population is still filling)"
        elif len(f.parents) == 2:
            how = (f"crossover of steps {f.parents[0]} and {f.parents[1]}; differs from the "
                   f"first on edges {list(f.mutated)}")
        else:
            picked = f" (tournament draws steps {list(f.sample)})" if f.sample else ""
            how = f"mutant of step {f.parents[0]}{picked}, edge {list(f.mutated)} changed"
        lines = [f"<b>step {f.step}</b>: {how}",
                 # the cell string is longer than the column: let it break anywhere, not overflow
                 f"<b>child</b> <code style='overflow-wrap: anywhere'>"
                 f"{html.escape(str(f.child.arch))}</code> fitness "
                 f"{f.child.fitness:.2f}% at t = {f.child.time:,.0f} s"]
        if f.removed:
            worst = " ".join(f"{h[s].fitness:.2f}%" for s in f.removed[:8])
            more = " ..." if len(f.removed) > 8 else ""
            lines.append(f"<b>removed</b> steps {list(f.removed[:8])}{more} (fitness {worst}{more})")
        best = h[int(h.incumbents()[f.step])]
        lines.append(f"<b>best so far</b> {best.fitness:.2f}% (step {best.step})")
        return "<br>".join(lines)
