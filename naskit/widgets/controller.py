"""The controller inspector: step a REINFORCE controller and watch its policy learn.

``ControllerInspector`` drives a ``nk.search.Reinforce`` strategy (Williams 1992; the per-edge
softmax controller NAS-Bench-201 ran, after Zoph & Le, ICLR 2017) one paid query at a time through
``nk.search.Searcher`` on the benchmark's simulated clock, and shows the per-edge op probabilities
and the trace of reward, baseline, advantage and entropy, side by side (560 px each, at most 440 px
tall under the buttons and the summary: it fits a 1280x720 screen). Buttons step, run ``n`` steps
or reset; everything shown is an attribute, drawn through ``naskit.plot`` into PNG bytes, and
``display()`` is never called.
"""
from __future__ import annotations

import html

import ipywidgets as widgets
import numpy as np

from .. import plot
from ..plot._png import render_png
from ..search import Reinforce, Searcher
from ._calm import calm

__all__ = ["ControllerInspector"]

POLICY_SIZE, TRACE_SIZE = (5.6, 3.6), (5.6, 4.4)  # inches at 100 dpi


class ControllerInspector(widgets.VBox):
    """Buttons to step, run or reset a ``Reinforce`` search; its policy and update trace as images."""

    def __init__(self, strategy: Reinforce, bench, epoch: int | None = None,
                 budget: float | None = None, n_steps: int = 20):
        if not isinstance(strategy, Reinforce):
            raise TypeError(f"ControllerInspector drives a Reinforce strategy, got "
                            f"{type(strategy).__name__}")
        self.strategy, self.bench = strategy, bench
        self.searcher = Searcher(strategy, bench, budget=budget, epoch=epoch)
        self.step_button = widgets.Button(description="step", tooltip="one proposal and update")
        self.run_button = widgets.Button(description="run", tooltip="n_steps proposals and updates")
        self.reset_button = widgets.Button(description="reset", tooltip="back to a uniform policy")
        self.n_steps = widgets.BoundedIntText(n_steps, min=1, max=100_000, description="steps",
                                              layout=widgets.Layout(width="160px"))
        self.step_button.on_click(self._on_step)
        self.run_button.on_click(self._on_run)
        self.reset_button.on_click(self._on_reset)
        # side by side, each half of what the notebook gives the widget (at most 560 px): a
        # notebook next to JupyterLab's file browser is ~850 px wide on a 1280 px screen
        half = dict(width="49%", max_width="560px", height="auto")
        self.policy_image = widgets.Image(format="png", layout=widgets.Layout(**half))
        self.trace_image = widgets.Image(format="png", layout=widgets.Layout(**half))
        self.summary = widgets.HTML()
        for w, css in ((self.policy_image, "policy"), (self.trace_image, "trace"),
                       (self.summary, "summary")):
            w.add_class(f"naskit-controller-{css}")
        super().__init__(children=[
            widgets.HBox([self.step_button, self.n_steps, self.run_button, self.reset_button]),
            self.summary,
            widgets.HBox([self.policy_image, self.trace_image],
                         layout=widgets.Layout(align_items="flex-start"))])
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

    @calm("summary")
    def _on_step(self, button):
        self.step(1)

    @calm("summary")
    def _on_run(self, button):
        self.step(self.n_steps.value)

    @calm("summary")
    def _on_reset(self, button):
        self.reset()

    # -- views -----------------------------------------------------------------------------------
    def _show(self):
        self._draw()
        self.summary.value = self._summary()

    def _draw(self):
        s, space = self.strategy, self.strategy.space
        edges = [f"{src}→{dst}" for dst in range(1, space.n_nodes) for src in range(dst)]
        # Outline the last arch sampled, on the policy its update produced.
        self.policy_image.value = render_png(lambda ax: plot.policy(
            self.probabilities, space.ops, ax=ax, edges=edges,
            actions=s.actions_[-1] if s.actions_ else None,
            title=f"policy after {self.steps_} updates"), POLICY_SIZE)
        self.trace_image.value = render_png(lambda fig: plot.controller_trace(
            s.rewards_, s.baselines_, s.advantages_, s.entropies_,
            ax=fig.subplots(3, 1, sharex=True)), TRACE_SIZE, axes=False)

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
        lines.append(self._most_probable())
        return "<br>".join(lines)

    def _most_probable(self) -> str:
        p = self.probabilities
        if np.allclose(p, p[:, :1]):  # every op equally likely: an argmax would only pick a tie
            return (f"<b>most probable arch</b>: no single one, the policy is uniform (each op "
                    f"{1 / p.shape[1]:.2f} on every edge)")
        return f"<b>most probable arch</b> <code>{html.escape(str(self.strategy.best_arch()))}</code>"
