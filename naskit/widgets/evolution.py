"""The evolution stepper: watch an evolutionary search one cycle at a time.

``EvolutionStepper`` replays a regularized evolution (Real et al., AAAI 2019) or an OFA-style
genetic search (Cai et al., ICLR 2020) frame by frame (``nk.search.evolution_frames``): the
population as fitness against age, the tournament drawn from it, the parent and child cells with
the changed edges marked (both parents of a crossover), the member that leaves, and the
best-so-far curve up to that step. A slider (with play/pause) picks the step; everything shown is
an attribute, drawn through ``naskit.plot`` into PNG bytes, and ``display()`` is never called.
"""
from __future__ import annotations

import html

import ipywidgets as widgets
import matplotlib
import traitlets
from matplotlib.figure import Figure

from .._config import figure_rc
from .. import plot
from ..history import History
from ..search import GeneticEvolution, RegularizedEvolution, evolution_frames, run

__all__ = ["EvolutionStepper"]


def _png(draw, figsize, dpi: int = 100) -> bytes:
    # A bare Figure, not pyplot: the inline backend would show a pyplot figure below the cell.
    with matplotlib.rc_context(figure_rc({"font.size": 12})):  # readable on a projector
        fig = Figure(figsize=figsize, layout="constrained")
        draw(fig.add_subplot())
        return plot.figure_png(fig, dpi=dpi)


class EvolutionStepper(widgets.VBox):
    """Step through an evolution: population, tournament, parent and child cells, best so far.

    Give a ``RegularizedEvolution`` or ``GeneticEvolution`` and either its finished ``history`` or
    a ``bench`` (with ``budget`` and/or ``max_trials``, ``fidelity``) to run it on now.
    """

    step = traitlets.Int(0, help="the history step whose cycle is shown")

    def __init__(self, strategy, bench=None, budget: float | None = None,
                 fidelity: int | None = None, max_trials: int | None = None,
                 history: History | None = None, interval_ms: int = 600):
        if not isinstance(strategy, (RegularizedEvolution, GeneticEvolution)):
            raise TypeError(f"EvolutionStepper shows RegularizedEvolution or GeneticEvolution, "
                            f"got {type(strategy).__name__}")
        if history is None:
            if bench is None:
                raise ValueError("give the history of a finished search, or a bench to run it on")
            history = run(strategy, bench, budget=budget, fidelity=fidelity, max_trials=max_trials)
        if not len(history):
            raise ValueError(f"{history!r} is empty: nothing to step through")
        self.strategy, self.history_ = strategy, history
        self.frames_ = evolution_frames(history, strategy)
        self._times = [t.time for t in history]
        best = history.best_so_far("fitness")[1]
        pad = max(0.5, 0.05 * (best.max() - best.min()))
        self._best_ylim = (best.min() - pad, best.max() + pad)  # fixed, so the curve grows in place

        last = len(self.frames_) - 1
        self.slider = widgets.IntSlider(0, min=0, max=last, description="step",
                                        continuous_update=False, layout=widgets.Layout(width="60%"))
        self.play = widgets.Play(value=0, min=0, max=last, interval=interval_ms, description="play")
        widgets.link((self.play, "value"), (self.slider, "value"))  # kernel-side: testable
        traitlets.link((self.slider, "value"), (self, "step"))
        image = dict(format="png")
        self.population_image = widgets.Image(**image, layout=widgets.Layout(max_width="560px"))
        self.best_image = widgets.Image(**image, layout=widgets.Layout(max_width="560px"))
        self.parent_image = widgets.Image(**image, layout=widgets.Layout(max_width="504px"))
        self.second_parent_image = widgets.Image(**image, layout=widgets.Layout(max_width="504px"))
        self.child_image = widgets.Image(**image, layout=widgets.Layout(max_width="504px"))
        self.summary = widgets.HTML()
        for w, css in ((self.population_image, "population"), (self.best_image, "best"),
                       (self.parent_image, "parent"), (self.second_parent_image, "second-parent"),
                       (self.child_image, "child"), (self.summary, "summary")):
            w.add_class(f"naskit-evolution-{css}")
        super().__init__(children=[
            widgets.HBox([self.play, self.slider]), self.summary,
            widgets.HBox([self.population_image, self.best_image],
                         layout=widgets.Layout(flex_flow="row wrap")),
            widgets.HBox([self.parent_image, self.second_parent_image, self.child_image],
                         layout=widgets.Layout(flex_flow="row wrap", align_items="center"))])
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
    def _step_changed(self, change):
        self._show()

    # -- views -----------------------------------------------------------------------------------
    def _show(self):
        f, history = self.frame_, self.history_
        self.population_image.value = _png(
            lambda ax: plot.population(f.population, ax=ax, step=f.step, sample=f.sample,
                                       parents=f.parents, removed=f.removed, child=f.child,
                                       title=self._title(f)), (6.0, 4.0))
        t_end = self._times[-1]

        def best(ax):
            plot.history(History(history[:f.step + 1], strategy=history.strategy), ax=ax,
                         by="fitness")
            ax.set_xlim(0, t_end * 1.02)
            ax.set_ylim(*self._best_ylim)
            ax.set_title("best fitness so far")
        self.best_image.value = _png(best, (6.0, 4.0))
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
        # Cells are drawn small with small labels: a higher dpi makes them readable from afar.
        return _png(lambda ax: plot.cell(arch, ax=ax, highlight=highlight, title=title), (4.2, 2.0),
                    dpi=120)

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
                 f"<b>child</b> <code>{html.escape(str(f.child.arch))}</code> fitness "
                 f"{f.child.fitness:.2f}% at t = {f.child.time:,.0f} s"]
        if f.removed:
            worst = " ".join(f"{h[s].fitness:.2f}%" for s in f.removed[:8])
            more = " ..." if len(f.removed) > 8 else ""
            lines.append(f"<b>removed</b> steps {list(f.removed[:8])}{more} (fitness {worst}{more})")
        best = h[int(h.incumbents()[f.step])]
        lines.append(f"<b>best so far</b> {best.fitness:.2f}% (step {best.step})")
        return "<br>".join(lines)
