"""The controller inspector: step a REINFORCE controller and watch its policy learn.

``ControllerInspector`` drives a ``nk.search.Reinforce`` strategy (Williams 1992; the per-edge
softmax controller NAS-Bench-201 ran, after Zoph & Le, ICLR 2017) one paid query at a time through
``nk.search.Searcher`` on the benchmark's simulated clock, and shows the per-edge op probabilities
and the trace of reward, baseline, advantage and entropy. Buttons step, run ``n`` steps or reset;
everything shown is an attribute, drawn through ``naskit.plot`` into PNG bytes, and ``display()``
is never called.
"""
from __future__ import annotations

import html

import ipywidgets as widgets
import matplotlib
import numpy as np
from matplotlib.figure import Figure

from .._config import figure_rc
from .. import plot
from ..search import Reinforce, Searcher

__all__ = ["ControllerInspector"]


class ControllerInspector(widgets.VBox):
    """Buttons to step, run or reset a ``Reinforce`` search; its policy and update trace as images."""

    def __init__(self, strategy: Reinforce, bench, fidelity: int | None = None,
                 budget: float | None = None, n_steps: int = 20):
        if not isinstance(strategy, Reinforce):
            raise TypeError(f"ControllerInspector drives a Reinforce strategy, got "
                            f"{type(strategy).__name__}")
        self.strategy, self.bench = strategy, bench
        self.searcher = Searcher(strategy, bench, budget=budget, fidelity=fidelity)
        self.step_button = widgets.Button(description="step", tooltip="one proposal and update")
        self.run_button = widgets.Button(description="run", tooltip="n_steps proposals and updates")
        self.reset_button = widgets.Button(description="reset", tooltip="back to a uniform policy")
        self.n_steps = widgets.BoundedIntText(n_steps, min=1, max=100_000, description="steps",
                                              layout=widgets.Layout(width="160px"))
        self.step_button.on_click(self._on_step)
        self.run_button.on_click(self._on_run)
        self.reset_button.on_click(self._on_reset)
        self.policy_image = widgets.Image(format="png", layout=widgets.Layout(max_width="560px"))
        self.trace_image = widgets.Image(format="png", layout=widgets.Layout(max_width="560px"))
        self.summary = widgets.HTML()
        for w, css in ((self.policy_image, "policy"), (self.trace_image, "trace"),
                       (self.summary, "summary")):
            w.add_class(f"naskit-controller-{css}")
        super().__init__(children=[
            widgets.HBox([self.step_button, self.n_steps, self.run_button, self.reset_button]),
            self.summary,
            widgets.HBox([self.policy_image, self.trace_image],
                         layout=widgets.Layout(flex_flow="row wrap", align_items="center"))])
        self.add_class("naskit-controller-inspector")
        self.reset()

    def __repr__(self):
        return f"ControllerInspector({self.strategy!r}, {self.steps_} steps)"

    # -- state -----------------------------------------------------------------------------------
    @property
    def steps_(self) -> int:
        """Updates made since the last reset."""
        return len(self.searcher.history_)

    @property
    def history_(self):
        """The ``History`` of the trials paid for since the last reset."""
        return self.searcher.history_

    @property
    def probabilities(self) -> np.ndarray:
        """The current policy, edges x ops (``strategy.probabilities()``)."""
        return self.strategy.probabilities()

    def step(self, n: int = 1) -> int:
        """Make up to ``n`` updates (fewer once the budget is spent); returns how many were made."""
        made = 0
        while made < n and self.searcher.step() is not None:
            made += 1
        self._show()
        return made

    def reset(self) -> None:
        """Start over: a uniform policy, an empty history, simulated time 0."""
        self.searcher.reset()
        self._show()

    def _on_step(self, button):
        self.step(1)

    def _on_run(self, button):
        self.step(self.n_steps.value)

    def _on_reset(self, button):
        self.reset()

    # -- views -----------------------------------------------------------------------------------
    def _show(self):
        with matplotlib.rc_context(figure_rc({"font.size": 12})):  # readable on a projector
            self._draw()
        self.summary.value = self._summary()

    def _draw(self):
        s, space = self.strategy, self.strategy.space
        edges = [f"{src}→{dst}" for dst in range(1, space.n_nodes) for src in range(dst)]
        fig = Figure(figsize=(6.4, 4.0), layout="constrained")
        # Outline the last arch sampled, on the policy its update produced.
        plot.policy(self.probabilities, space.ops, ax=fig.add_subplot(), edges=edges,
                    actions=s.actions_[-1] if s.actions_ else None,
                    title=f"policy after {self.steps_} updates")
        self.policy_image.value = plot.figure_png(fig)
        fig = Figure(figsize=(6.4, 5.2), layout="constrained")
        axes = fig.subplots(3, 1, sharex=True)
        plot.controller_trace(s.rewards_, s.baselines_, s.advantages_, s.entropies_, ax=axes)
        self.trace_image.value = plot.figure_png(fig)

    def _summary(self) -> str:
        s, h = self.strategy, self.searcher.history_
        budget = "" if self.searcher.budget is None else f" of {self.searcher.budget:,.0f}"
        lines = [f"<b>{self.steps_} updates</b>, {self.searcher.clock_:,.0f}{budget} simulated s"
                 + (" (budget spent)" if self.searcher.done_ else "")]
        if s.rewards_:
            t = h[-1]
            lines.append(f"<b>last arch</b> <code>{html.escape(str(t.arch))}</code> (outlined): "
                         f"reward {s.rewards_[-1]:.2f}, baseline {s.baselines_[-1]:.2f}, "
                         f"advantage {s.advantages_[-1]:+.2f}")
            best = h.best()
            lines.append(f"<b>best so far</b> {best.fitness:.2f}% (step {best.step})")
        lines.append(f"<b>most probable arch</b> <code>{html.escape(str(s.best_arch()))}</code>")
        return "<br>".join(lines)
