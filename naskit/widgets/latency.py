"""The latency explorer: pick a measured candidate, see its latency and where the prediction misses.

``LatencyExplorer`` shows archs whose latency was measured (``nk.hardware.MeasuredLatency`` or a
dict ``arch -> Latency``): the distribution of the picked arch's timings with its median and
interval, its point among all candidates (accuracy against latency, with the Pareto front, when
accuracies are given), predicted against measured latency for every candidate when an
``AdditivePredictor`` is given (the lookup tables of ProxylessNAS, Cai et al., ICLR 2019), and the
per-op breakdown the prediction sums. Like every naskit widget it keeps its state in attributes,
draws through ``naskit.plot`` into PNG bytes and never calls ``display()``.
"""
from __future__ import annotations

import html

import ipywidgets as widgets
import numpy as np
import traitlets

from .. import plot
from ..plot._png import render_png as _png
from ..bench import Benchmark
from ..hardware import AdditivePredictor, Latency, MeasuredLatency
from ._calm import calm
from ._compat import tab

__all__ = ["LatencyExplorer"]



class LatencyExplorer(widgets.VBox):
    """Pick a candidate (``value``: its position) and see its measured and predicted latency."""

    value = traitlets.Int(0, help="position of the candidate shown")

    def __init__(self, measured, predictor: AdditivePredictor | None = None, accuracy=None):
        if isinstance(measured, MeasuredLatency):
            measured = measured.measured_
        if not isinstance(measured, dict) or not measured or \
                not all(isinstance(v, Latency) for v in measured.values()):
            raise ValueError("measured must be a MeasuredLatency that has measured archs, or a "
                             "non-empty dict arch -> Latency")
        if predictor is not None and not isinstance(predictor, AdditivePredictor):
            raise TypeError(f"predictor must be an AdditivePredictor or None, got "
                            f"{type(predictor).__name__}")
        self.archs = list(measured)
        self.latencies = [measured[a] for a in self.archs]
        self.measured_ms = np.array([lat.median_ms for lat in self.latencies])
        self.predictor = predictor
        self.predicted_ms = None if predictor is None else \
            np.array([predictor(a) for a in self.archs])
        if isinstance(accuracy, Benchmark):
            accuracy = accuracy.values(self.archs)
        self.accuracy = None if accuracy is None else np.asarray(accuracy, float)
        if self.accuracy is not None and self.accuracy.shape != (len(self.archs),):
            raise ValueError(f"accuracy needs one value per measured arch ({len(self.archs)}), "
                             f"got shape {self.accuracy.shape}")
        if self.accuracy is not None and not np.isfinite(self.accuracy).all():
            raise ValueError(f"accuracy must be finite numbers, got "
                             f"{self.accuracy[~np.isfinite(self.accuracy)][0]} for candidate "
                             f"{int(np.flatnonzero(~np.isfinite(self.accuracy))[0])}")

        options = [(f"{i}: {lat.median_ms:.3g} ms  {a}", i)
                   for i, (a, lat) in enumerate(zip(self.archs, self.latencies))]
        self.picker = widgets.Dropdown(options=options, value=0, description="candidate",
                                       layout=widgets.Layout(width="95%"))
        traitlets.link((self.picker, "value"), (self, "value"))
        image = dict(format="png")
        self.distribution_image = widgets.Image(**image, layout=widgets.Layout(max_width="520px"))
        self.accuracy_image = widgets.Image(**image, layout=widgets.Layout(max_width="520px"))
        self.prediction_image = widgets.Image(**image, layout=widgets.Layout(max_width="400px"))
        self.breakdown_image = widgets.Image(**image, layout=widgets.Layout(max_width="430px"))
        self.summary = widgets.HTML()
        for w, css in ((self.picker, "picker"), (self.distribution_image, "distribution"),
                       (self.accuracy_image, "accuracy"), (self.prediction_image, "prediction"),
                       (self.breakdown_image, "breakdown"), (self.summary, "summary")):
            w.add_class(f"naskit-latency-{css}")
        self.accuracy_image.layout.display = "" if self.accuracy is not None else "none"
        self.prediction_image.layout.display = "" if predictor is not None else "none"
        self.breakdown_image.layout.display = "" if predictor is not None else "none"
        # One figure at a time in tabs, so that the explorer fits a laptop screen (1280x720).
        pages = [("timed blocks", self.distribution_image)]
        if self.accuracy is not None:
            pages.append(("accuracy against latency", self.accuracy_image))
        if predictor is not None:
            pages.append(("predicted against measured",
                          widgets.HBox([self.prediction_image, self.breakdown_image])))
        self.tabs = tab(pages)
        self.tabs.add_class("naskit-latency-tabs")
        super().__init__(children=[self.picker, self.summary, self.tabs])
        self.add_class("naskit-latency-explorer")
        self._show()

    def __repr__(self):
        pred = "" if self.predictor is None else ", with predictions"
        return (f"LatencyExplorer({len(self.archs)} candidates{pred}, value={self.value}: "
                f"{self.latency_!r})")

    # -- what is shown -------------------------------------------------------------------------
    @property
    def arch_(self):
        """The candidate shown."""
        return self.archs[self.value]

    @property
    def latency_(self) -> Latency:
        """Its measured ``Latency``."""
        return self.latencies[self.value]

    @property
    def predicted_ms_(self) -> float | None:
        """Its predicted latency (None without a predictor)."""
        return None if self.predicted_ms is None else float(self.predicted_ms[self.value])

    @property
    def breakdown_(self) -> list:
        """The parts its prediction sums (empty without a predictor)."""
        return [] if self.predictor is None else self.predictor.breakdown(self.arch_)

    @traitlets.validate("value")
    def _validate_value(self, proposal):
        k = proposal["value"]
        if not 0 <= k < len(self.archs):
            raise traitlets.TraitError(f"value {k} is not a candidate: choose 0..{len(self.archs) - 1}")
        return k

    @traitlets.observe("value")
    @calm("summary")
    def _value_changed(self, change):
        self._show()

    def _show(self):
        i, lat = self.value, self.latency_
        self.distribution_image.value = _png(
            lambda ax: plot.latency_distribution(lat, ax=ax), (5.6, 3.4))
        if self.accuracy is not None:
            self.accuracy_image.value = _png(
                lambda ax: plot.latency_accuracy(self.measured_ms, self.accuracy, ax=ax,
                                                 highlight=i, xlabel="measured latency (ms)"),
                (5.6, 3.4))
        if self.predictor is not None:
            self.prediction_image.value = _png(
                lambda ax: plot.predicted_measured(self.predicted_ms, self.measured_ms, ax=ax,
                                                   highlight=i), (4.4, 4.0))
            parts = self.breakdown_
            self.breakdown_image.value = _png(
                lambda ax: plot.latency_breakdown(parts, ax=ax, measured_ms=lat.median_ms),
                (5.6, 0.9 + 0.24 * len(parts)))
        self.summary.value = self._summary()

    def _summary(self) -> str:
        lat = self.latency_
        lo, hi = lat.ci_ms
        lines = [f"<b>cell</b> <code>{html.escape(str(self.arch_))}</code>",
                 f"<b>measured</b> {lat.median_ms:.3g} ms median ({lat.confidence:.0%} CI "
                 f"{lo:.3g}-{hi:.3g}, IQR {lat.iqr_ms:.2g} ms, {lat.n_runs} runs, {lat.clock} "
                 f"clock){' <b>busy machine</b>' if lat.busy else ''}"]
        if self.predicted_ms_ is not None:
            err = self.predicted_ms_ / lat.median_ms - 1
            lines.append(f"<b>predicted</b> {self.predicted_ms_:.3g} ms ({err:+.0%})")
        if self.accuracy is not None:
            lines.append(f"<b>accuracy</b> {self.accuracy[self.value]:.2f}%")
        return "<br>".join(lines)
