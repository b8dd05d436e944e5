"""The ranking comparer: pick performance estimators and a budget, see how well each one ranks.

``RankingComparer`` runs ``naskit.estimators.compare`` on a sample of archs of a benchmark with
the estimators that the registry (``naskit.estimators.supported``) says can run there: the
zero-cost proxies (Mellor et al., ICML 2021; Abdelfattah et al., ICLR 2021) with their parameter
and FLOP baselines on a minibatch of a data set, and, when the bench records per-epoch curves,
training-speed, early-stopping and curve-extrapolation estimators (Ru et al., NeurIPS 2021;
Domhan et al., IJCAI 2015); those that cannot run are listed with the reason. In three tabs it
shows a table of every estimator's rank agreement, one estimator's scores against the ground
truth as values and as ranks, and every estimator's Kendall tau against its cost, with the
parameter and FLOP baselines always among them and, when the bench trained some archs with two
seeds, the ceiling (the noise-free truth against one run) and the seed-to-seed tau as lines; the
whole widget fits a 1280x720 window. Computing takes seconds, so it runs when the button is
pressed, never on a control change, and an error while computing is shown, never raised. Like
every naskit widget it keeps its state in attributes, draws through ``naskit.plot`` into PNG
bytes and never calls ``display()``.
"""
from __future__ import annotations

import html
import math

import ipywidgets as widgets

from .. import plot
from .._checks import check_int, check_seed
from ..plot._png import render_png
from ..bench import Benchmark
from ..datasets import Dataset
from ..estimators import (Comparison, NoiseCeiling, compare, epochs_for, make, noise_ceiling,
                          sample_archs, supported, unsupported)
from ._calm import calm
from ._compat import tooltip

__all__ = ["RankingComparer"]

# what is selected at first, where the bench and data allow it
_DEFAULT = ("naswot", "synflow", "jacob_cov", "params", "flops", "tse", "early_stopping")
# scored in every comparison, selected or not: a proxy must beat them to be worth its cost
_BASELINES = ("params", "flops")
# figure sizes (inches at 100 dpi): the scatter and the rank plot side by side, the cost plot
# alone, each in its tab, so that controls, tab bar and figure fit a 1280x720 window
_SCATTER, _RANK, _COST = (6.4, 3.9), (4.4, 3.9), (11.0, 3.9)
_DPI = 100


class RankingComparer(widgets.VBox):
    """Choose estimators, epochs, batch size and archs; compare their rankings with the truth."""

    def __init__(self, bench: Benchmark, data: Dataset | None = None, estimators=None,
                 n_archs: int = 50, epochs: int | None = None, batch_size: int = 64,
                 channels: int = 8, cells_per_stage: int = 1, truth: str = "valid_acc",
                 n_boot: int = 300, seed: int = 0):
        if not isinstance(bench, Benchmark):
            raise TypeError(f"RankingComparer needs a naskit Benchmark (nk.bench.load()), got "
                            f"{type(bench).__name__}")
        if data is not None and not isinstance(data, Dataset):
            raise TypeError(f"data must be a naskit Dataset (nk.datasets.load()) or None, got "
                            f"{type(data).__name__}")
        # refused, never clamped: a comparer asked for 2 archs must not quietly score 3
        n_archs = check_int(n_archs, "n_archs", minimum=3, maximum=len(bench.space))
        n_images = len(data.y_train) if data is not None else 2
        if data is not None:  # without data the batch size is unused (its control is disabled)
            batch_size = check_int(batch_size, "batch_size", minimum=2, maximum=n_images)
        channels = check_int(channels, "channels")
        cells_per_stage = check_int(cells_per_stage, "cells_per_stage", minimum=0)
        n_boot = check_int(n_boot, "n_boot")
        seed = check_seed(seed)
        truths = ["valid_acc", "test_acc", *bench.columns]
        if truth not in truths:
            raise ValueError(f"truth must be a metric of the bench, one of {truths}; got {truth!r}")
        self.bench, self.data, self.truth = bench, data, truth
        self.channels, self.cells_per_stage = channels, cells_per_stage
        self.n_boot, self.seed = n_boot, seed
        self.comparison_: Comparison | None = None
        self.ceiling_: NoiseCeiling | None = None
        # the last full result; comparison_ is it or the subset still selected
        self._computed: Comparison | None = None

        self.available = supported(bench, data)
        #: name -> why it is not offered with this bench and data
        self.unavailable = unsupported(bench, data)
        chosen = [n for n in _DEFAULT if n in self.available] if estimators is None \
            else list(estimators)
        unknown = [n for n in chosen if n not in self.available]
        if unknown:
            why = "; ".join(f"{n} {self.unavailable[n]}" for n in unknown if n in self.unavailable)
            raise ValueError(f"unknown or unavailable estimators {unknown}; with this bench and "
                             f"data choose from {self.available}" + (f" ({why})" if why else ""))
        self.estimator_picker = widgets.SelectMultiple(
            options=self.available, value=tuple(chosen), rows=min(len(self.available), 7),
            description="estimators", layout=widgets.Layout(width="290px"))

        allowed = sorted({e for n in self.available for e in epochs_for(n, bench)})
        if epochs is None:
            # the lowest fidelity below the truth's, so early stopping has something to read
            early = [f for f in self.bench.fidelities if f < self.bench.final_epoch]
            epochs = early[0] if early else (allowed[0] if allowed else 1)
        else:
            epochs = check_int(epochs, "epochs", maximum=max([1, *allowed]))
        self.epochs = widgets.BoundedIntText(value=epochs, min=1, max=max([1, *allowed]),
                                             description="epochs", disabled=not allowed,
                                             **tooltip("epochs seen by training-based estimators"),
                                             layout=widgets.Layout(width="210px"))
        sizes = sorted({s for s in (8, 16, 32, 64, 128, 256, batch_size) if 2 <= s <= n_images})
        sizes = sizes or [2]
        self.batch_size = widgets.Dropdown(options=sizes, description="batch size",
                                           value=batch_size if batch_size in sizes else sizes[-1],
                                           disabled=data is None,
                                           layout=widgets.Layout(width="210px"))
        self.n_archs = widgets.BoundedIntText(value=n_archs, min=3, max=len(bench.space),
                                              description="archs",
                                              layout=widgets.Layout(width="210px"))
        self.compute_button = widgets.Button(description="Compute", button_style="primary",
                                             icon="play", layout=widgets.Layout(width="210px"))
        self.progress = widgets.HTML("Press <b>Compute</b> to score the archs.")
        self.not_offered = widgets.HTML(_not_offered(self.unavailable))
        self.focus = widgets.Dropdown(options=[], description="show")
        # side by side the scatter and rank plots share the width in the ratio they are drawn
        # (no wider than drawn): next to JupyterLab's file browser a 1280 px screen leaves ~850 px
        share = {id(_SCATTER): "58%", id(_RANK): "40%", id(_COST): "98%"}
        self.scatter_image, self.rank_image, self.cost_image = (
            widgets.Image(format="png", layout=widgets.Layout(
                width=share[id(size)], max_width=f"{round(size[0] * _DPI)}px", height="auto"))
            for size in (_SCATTER, _RANK, _COST))
        self.table = widgets.HTML(layout=widgets.Layout(max_height="400px", overflow="auto"))
        for w, cls in [(self.estimator_picker, "estimators"), (self.epochs, "epochs"),
                       (self.batch_size, "batch-size"), (self.n_archs, "n-archs"),
                       (self.compute_button, "compute"), (self.progress, "progress"),
                       (self.not_offered, "not-offered"),
                       (self.focus, "focus"), (self.scatter_image, "scatter"),
                       (self.rank_image, "rank"), (self.cost_image, "cost"),
                       (self.table, "table")]:
            w.add_class(f"naskit-ranking-{cls}")

        self.compute_button.on_click(lambda _: self.compute())
        self.estimator_picker.observe(self._on_pick, "value")
        for control in (self.epochs, self.batch_size, self.n_archs):
            control.observe(self._on_setting, "value")
        self.focus.observe(self._on_focus, "value")

        settings = widgets.VBox([self.epochs, self.batch_size, self.n_archs, self.compute_button])
        messages = widgets.VBox([self.progress, self.not_offered],
                                layout=widgets.Layout(flex="1 1 0%", min_width="200px",
                                                      max_width="620px"))
        controls = widgets.HBox([self.estimator_picker, settings, messages])
        scores = widgets.VBox([self.focus, widgets.HBox([self.scatter_image, self.rank_image])])
        self.tabs = widgets.Tab(children=[self.table, scores, self.cost_image])
        for i, title in enumerate(["table", "scores vs truth", "cost vs quality"]):
            self.tabs.set_title(i, title)
        self.tabs.add_class("naskit-ranking-tabs")
        super().__init__(children=[controls, self.tabs],
                         layout=widgets.Layout(max_width="1240px"))
        self.add_class("naskit-ranking-comparer")

    def __repr__(self):
        done = "not computed" if self.comparison_ is None else \
            f"{len(self.comparison_)} estimators on {len(self.comparison_.archs)} archs"
        return (f"RankingComparer(bench={self.bench.name!r}, "
                f"estimators={list(self.estimator_picker.value)})  # {done}")

    # -- what can be compared ------------------------------------------------------------------
    def estimators(self, names=None) -> dict:
        """Estimators ``names`` (default: the selected ones) with the current settings."""
        return {name: make(name, self.bench, self.data, epochs=self.epochs.value,
                           batch_size=self.batch_size.value, channels=self.channels,
                           cells_per_stage=self.cells_per_stage, seed=self.seed)
                for name in (self.estimator_picker.value if names is None else names)}

    # -- computing -----------------------------------------------------------------------------
    def compute(self) -> Comparison | None:
        """Score a fresh sample of archs with the selected estimators; redraw everything."""
        names = list(self.estimator_picker.value)
        if not names:
            self._say("Select at least one estimator.", error=True)
            return None
        names += [n for n in _BASELINES if n in self.available and n not in names]
        try:
            ests = self.estimators(names)
            archs = sample_archs(self.bench.space, self.n_archs.value, seed=self.seed)
        except Exception as exc:  # bad settings for an estimator: say which, never raise
            self._say(str(exc), error=True)
            return None
        done = {"n": 0}
        total = len(names) * len(archs)

        def progress(name, j, n):
            done["n"] += 1
            if j == n or j % 10 == 0:
                self._say(f"Scoring with <b>{html.escape(name)}</b>: {j}/{n} archs "
                          f"({done['n'] / total:.0%} done)")

        try:
            computed = compare(ests, self.bench, archs, truth=self.truth, n_boot=self.n_boot,
                               seed=self.seed, progress=progress)
            if self.ceiling_ is None:
                self.ceiling_ = self._ceiling()
            self._show(computed)
        except Exception as exc:  # a button's callback: show the problem, never raise into it
            self._say(f"Could not score the archs: {type(exc).__name__}: {exc}", error=True)
            return None
        self._computed = computed
        self._say(f"Scored {len(archs)} archs with {len(names)} estimator"
                  f"{'s' * (len(names) != 1)}.")
        return self.comparison_

    def _show(self, comparison: Comparison) -> None:
        self.comparison_ = comparison
        keep = self.focus.value if self.focus.value in comparison.names else None
        self.focus.unobserve(self._on_focus, "value")
        self.focus.options = comparison.names
        self.focus.value = keep or (comparison.names[0] if comparison.names else None)
        self.focus.observe(self._on_focus, "value")
        self._draw_focus()
        self.cost_image.value = render_png(
            lambda ax: plot.cost_quality(comparison, ax=ax, ceiling=self.ceiling_,
                                      legend="right"), _COST,
            dpi=_DPI) if len(comparison) else b""
        self.table.value = _table(comparison, self.ceiling_)

    def _ceiling(self) -> NoiseCeiling | None:
        # archs are sampled uniformly, so the ceiling is measured per arch, not per class
        if self.truth not in ("valid_acc", "test_acc") or \
                f"{self.truth}_seeds" not in self.bench.columns:
            return None
        try:
            return noise_ceiling(self.bench, metric=self.truth, per="arch", n_boot=self.n_boot,
                                 seed=self.seed)
        except ValueError:  # fewer than 3 archs with two seeds
            return None

    # -- events --------------------------------------------------------------------------------
    @calm("progress")
    def _on_pick(self, change):
        if self._computed is None:
            return
        have = [n for n in change["new"] if n in self._computed.names]
        have += [n for n in _BASELINES if n in self._computed.names and n not in have]
        self._show(self._computed.select(have))
        missing = [n for n in change["new"] if n not in self._computed.names]
        if missing:
            self._say(f"Press <b>Compute</b> to score with {', '.join(missing)}.")

    def _on_setting(self, change):
        if self._computed is not None:
            self._say("Settings changed: press <b>Compute</b> to score again.")

    @calm("progress")
    def _on_focus(self, change):
        self._draw_focus()

    # -- views ---------------------------------------------------------------------------------
    def _draw_focus(self):
        c, name = self.comparison_, self.focus.value
        if c is None or name is None:
            self.scatter_image.value = self.rank_image.value = b""
            return
        self.scatter_image.value = render_png(lambda ax: plot.score_scatter(c, name, ax=ax),
                                              _SCATTER, dpi=_DPI)
        self.rank_image.value = render_png(lambda ax: plot.rank_rank(c, name, ax=ax), _RANK,
                                           dpi=_DPI)

    def _say(self, text: str, error: bool = False) -> None:
        self.progress.value = f"<span style='color:#b00020'>{html.escape(text)}</span>" \
            if error else text

    @property
    def scatter_png(self) -> bytes:
        """PNG bytes of the focused estimator's score-against-truth scatter."""
        return bytes(self.scatter_image.value)

    @property
    def rank_png(self) -> bytes:
        """PNG bytes of the focused estimator's rank-against-rank plot."""
        return bytes(self.rank_image.value)

    @property
    def cost_png(self) -> bytes:
        """PNG bytes of every shown estimator's tau against its seconds per arch."""
        return bytes(self.cost_image.value)



def _not_offered(reasons: dict[str, str]) -> str:
    """One line per reason, naming the estimators it keeps out."""
    if not reasons:
        return ""
    by_reason: dict[str, list[str]] = {}
    for name, why in reasons.items():
        by_reason.setdefault(why, []).append(name)
    lines = [f"<b>{html.escape(', '.join(names))}</b>: {html.escape(why)}"
             for why, names in by_reason.items()]
    return ("<div style='font-size:13px;color:#555'>Not offered with this benchmark and data:<br>"
            + "<br>".join(lines) + "</div>")


def _fmt(x: float, digits: int = 2) -> str:
    return "–" if not math.isfinite(x) else f"{x:.{digits}f}"


def _table(c: Comparison, ceiling: NoiseCeiling | None = None) -> str:
    if not len(c):
        return "<i>No estimator selected.</i>"
    pct = f"{c.level:.0%}"
    head = ["estimator", "Kendall τ", f"τ {pct} CI", "Spearman ρ", f"ρ {pct} CI",
            f"top-{c.k} precision", "seconds / arch"]
    rows = []
    for r in sorted(c, key=lambda r: -r.tau if math.isfinite(r.tau) else math.inf):
        clock = " <small>(simulated)</small>" if r.simulated else ""
        cells = [f"<b>{html.escape(r.name)}</b>", _fmt(r.tau),
                 f"[{_fmt(r.tau_ci[0])}, {_fmt(r.tau_ci[1])}]", _fmt(r.rho),
                 f"[{_fmt(r.rho_ci[0])}, {_fmt(r.rho_ci[1])}]", _fmt(r.top_k),
                 f"{r.seconds_per_arch:.3g}{clock}"]
        rows.append("<tr>" + "".join(f"<td style='padding:2px 10px'>{x}</td>" for x in cells)
                    + "</tr>")
    header = "".join(f"<th style='padding:2px 10px;text-align:left'>{h}</th>" for h in head)
    note = ""
    if ceiling is not None:
        note = (f"<br>Noise ceiling (the noise-free truth against one run, {ceiling.n:,} archs "
                f"trained twice): Kendall τ = {_fmt(ceiling.truth_tau)} "
                f"[{_fmt(ceiling.truth_tau_ci[0])}, {_fmt(ceiling.truth_tau_ci[1])}]; "
                f"a second training seed against the first: τ = {_fmt(ceiling.tau)} "
                f"[{_fmt(ceiling.tau_ci[0])}, {_fmt(ceiling.tau_ci[1])}]")
    return (f"<div style='font-size:14px'>Ground truth: {html.escape(c.truth_label)} on "
            f"{len(c.archs)} archs{note}<table><tr>{header}</tr>{''.join(rows)}</table></div>")
