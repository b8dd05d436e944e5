"""Once-for-All widgets: pick a subnet with sliders, step the hardware-aware evolution.

``SubnetPicker`` shows one subnet of a trained supernet (Cai et al., ICLR 2020): kernel size,
expansion ratio and depth per stage on sliders; its predicted accuracy, its latency predicted by
the lookup table and measured on this CPU update as they move. ``OFAEvolutionStepper`` steps an
``nk.ofa.OFAEvolution`` one generation at a time (the evolution stepper's style): the population as
predicted accuracy against latency with the constraint, the parents selected, the best so far.
Everything shown is an attribute, drawn through ``naskit.plot`` into PNG bytes; ``display()`` is
never called.
"""
from __future__ import annotations

import html

import ipywidgets as widgets
import numpy as np
import traitlets

from .. import plot
from .._checks import check_int, check_positive
from ..hardware import count_params
from ..ofa import OFAArch, OFAEvolution, OFASuperNet, measure_ms
from ..plot._png import render_png as _png

__all__ = ["SubnetPicker", "OFAEvolutionStepper"]


class SubnetPicker(widgets.VBox):
    """Sliders for kernel, expansion and depth of each stage of ``supernet``'s subnets.

    ``accuracy``: a callable arch -> predicted accuracy (an ``AccuracyPredictor``); ``latency``: an
    optional callable arch -> predicted ms (a ``LatencyTable``); ``measure``: time each subnet on
    this CPU (``min_run_time`` seconds). ``reference``: optional (latencies, accuracies) of other
    subnets to draw behind the current one. ``kernel``, ``expand``, ``depth``: starting values for
    every stage (default: the largest subnet).
    """

    def __init__(self, supernet: OFASuperNet, accuracy, latency=None, measure: bool = True,
                 min_run_time: float = 0.05, reference=None, kernel: int | None = None,
                 expand: int | None = None, depth: int | None = None):
        if not isinstance(supernet, OFASuperNet):
            raise TypeError(f"supernet must be an OFASuperNet, got {type(supernet).__name__}")
        if not callable(accuracy):
            raise TypeError(f"accuracy must be a callable arch -> predicted accuracy (an "
                            f"AccuracyPredictor), got {type(accuracy).__name__}")
        if latency is not None and not callable(latency):
            raise TypeError(f"latency must be a callable arch -> ms (a LatencyTable) or None, got "
                            f"{type(latency).__name__}")
        if not isinstance(measure, (bool, np.bool_)):
            raise TypeError(f"measure must be True or False, got {measure!r}")
        min_run_time = check_positive(min_run_time, "min_run_time")
        if reference is not None:
            try:
                lat, acc = (np.asarray(x, float) for x in reference)
            except (TypeError, ValueError):
                raise ValueError("reference must be (latencies, accuracies): two lists of numbers")\
                    from None
            if lat.shape != acc.shape or lat.ndim != 1 or not (np.isfinite(lat).all()
                                                              and np.isfinite(acc).all()):
                raise ValueError(f"reference must be (latencies, accuracies) of equal length and "
                                 f"finite, got shapes {lat.shape} and {acc.shape}")
            reference = (lat, acc)
        space = supernet.space
        start = {}
        for name, value, allowed in (("kernel", kernel, space.kernels), ("expand", expand, space.expands),
                                     ("depth", depth, space.depths)):
            if value is not None and value not in allowed:
                raise ValueError(f"{name} {value!r} is not in the space; choose from {list(allowed)}")
            start[name] = allowed[-1] if value is None else value
        self.supernet, self.space, self.accuracy, self.latency = supernet, space, accuracy, latency
        self.measure, self.min_run_time, self.reference = measure, min_run_time, reference

        def slider(name, options, s):  # three to a row: one row per stage fits a laptop screen
            return widgets.SelectionSlider(options=list(options), value=start[name],
                                           description=f"{name} {s}", continuous_update=False,
                                           style={"description_width": "62px"},
                                           layout=widgets.Layout(width="250px"))
        self.kernel_sliders = [slider("kernel", space.kernels, s) for s in range(space.n_stages)]
        self.expand_sliders = [slider("expand", space.expands, s) for s in range(space.n_stages)]
        self.depth_sliders = [slider("depth", space.depths, s) for s in range(space.n_stages)]
        for w in (*self.kernel_sliders, *self.expand_sliders, *self.depth_sliders):
            w.observe(self._changed, names="value")
        self.info = widgets.HTML()
        self.image = widgets.Image(format="png", layout=widgets.Layout(max_width="440px"))
        self.info.add_class("naskit-ofa-picker-info")
        self.image.add_class("naskit-ofa-picker-image")
        stages = [widgets.HBox([widgets.HTML(f"<b>stage {s}</b>", layout=widgets.Layout(width="64px")),
                                self.kernel_sliders[s], self.expand_sliders[s], self.depth_sliders[s]])
                  for s in range(space.n_stages)]
        self.info.layout = widgets.Layout(width="380px")
        super().__init__(children=[*stages, widgets.HBox([self.info, self.image])])
        self.add_class("naskit-ofa-picker")
        self._show()

    def __repr__(self):
        return f"SubnetPicker({self.arch_})"

    @property
    def arch_(self) -> OFAArch:
        """The subnet the sliders describe (every block of a stage alike)."""
        return OFAArch(tuple((k.value,) * d.value for k, d in zip(self.kernel_sliders, self.depth_sliders)),
                       tuple((e.value,) * d.value for e, d in zip(self.expand_sliders, self.depth_sliders)))

    def _changed(self, change):
        self._show()

    def _show(self):
        """Show the subnet the sliders describe; a failure is shown in the widget, never raised."""
        self.error_ = None
        try:
            self._compute()
        except Exception as exc:  # a slider's callback: the view must match the sliders, calmly
            self.error_ = exc
            self.params_ = self.predicted_accuracy_ = self.predicted_latency_ = self.latency_ = None
            self.image.value = b""
            self.info.value = (f"<code>{html.escape(str(self.arch_))}</code><br>"
                               f"<span style='color:#b00020'>This subnet cannot be shown: "
                               f"{html.escape(type(exc).__name__)}: {html.escape(str(exc))}</span>"
                               "<br>Move a slider to another subnet.")

    def _compute(self):
        arch = self.arch_
        net = self.supernet.extract(arch).eval()
        self.params_ = count_params(net)
        self.predicted_accuracy_ = float(self.accuracy(arch))
        self.predicted_latency_ = None if self.latency is None else float(self.latency(arch))
        size = getattr(self.supernet, "image_size", 16)
        self.latency_ = (measure_ms(net, (1, self.supernet.in_channels, size, size), self.min_run_time)
                         if self.measure else None)
        lines = [f"<code>{html.escape(str(arch))}</code>",
                 f"<b>predicted accuracy</b> {100 * self.predicted_accuracy_:.1f}%",
                 f"{self.params_:,} params"]
        if self.predicted_latency_ is not None:
            lines.append(f"<b>latency predicted</b> (table) {self.predicted_latency_:.3f} ms")
        if self.latency_ is not None:
            lines.append(f"<b>latency measured</b> {self.latency_.median_ms:.3f} ms "
                         f"(IQR {self.latency_.iqr_ms:.2g} ms, {self.latency_.n_runs} runs)")
        self.info.value = "<br>".join(lines)
        ms = (self.latency_.median_ms if self.latency_ is not None else self.predicted_latency_)
        if self.reference is not None and ms is not None:
            lat, acc = self.reference
            self.image.value = _png(lambda ax: plot.tradeoff(
                lat, 100 * np.asarray(acc, float), ax=ax, current=(ms, 100 * self.predicted_accuracy_),
                xlabel="latency (ms)", ylabel="predicted accuracy (%)", label="sampled subnets",
                title="this subnet among others"), (5.2, 3.6))


class OFAEvolutionStepper(widgets.VBox):
    """Step an ``OFAEvolution`` generation by generation; the slider replays those made so far."""

    generation = traitlets.Int(0, help="the generation shown")

    def __init__(self, search: OFAEvolution, generations: int = 0):
        if not isinstance(search, OFAEvolution):
            raise TypeError(f"OFAEvolutionStepper steps an OFAEvolution, got {type(search).__name__}")
        generations = check_int(generations, "generations", minimum=0)
        self.search = search
        self.error_ = None
        if not search.generations_:
            search.step()  # the initial population
        if generations:
            search.run(generations)
        self.slider = widgets.IntSlider(0, min=0, max=len(search.generations_) - 1,
                                        description="generation", continuous_update=False,
                                        layout=widgets.Layout(width="60%"))
        traitlets.link((self.slider, "value"), (self, "generation"))
        self.step_button = widgets.Button(description="next generation",
                                          tooltip="select, crossover, mutate, evaluate, replace")
        self.step_button.on_click(self._on_step)
        self.population_image = widgets.Image(format="png", layout=widgets.Layout(max_width="560px"))
        self.best_image = widgets.Image(format="png", layout=widgets.Layout(max_width="480px"))
        self.summary = widgets.HTML()
        for w, css in ((self.population_image, "population"), (self.best_image, "best"),
                       (self.summary, "summary")):
            w.add_class(f"naskit-ofa-evolution-{css}")
        super().__init__(children=[
            widgets.HBox([self.step_button, self.slider]), self.summary,
            widgets.HBox([self.population_image, self.best_image],
                         layout=widgets.Layout(flex_flow="row wrap"))])
        self.add_class("naskit-ofa-evolution-stepper")
        self.slider.value = len(search.generations_) - 1
        self._show()

    def __repr__(self):
        return f"OFAEvolutionStepper({self.search!r}, generation={self.generation})"

    @property
    def generation_(self):
        """The ``Generation`` shown."""
        return self.search.generations_[self.generation]

    @traitlets.validate("generation")
    def _validate(self, proposal):
        k = proposal["value"]
        n = len(self.search.generations_)
        if not 0 <= k < n:
            raise traitlets.TraitError(f"generation {k} has not been made: choose 0..{n - 1}")
        return k

    @traitlets.observe("generation")
    def _changed(self, change):
        self._show()

    def _on_step(self, _=None):
        self.error_ = None
        try:
            self.search.step()
        except Exception as exc:  # a button's callback: show the problem, never raise into it
            self.error_ = exc
        self.slider.max = len(self.search.generations_) - 1
        if self.slider.value != self.slider.max:
            self.slider.value = self.slider.max   # shows it (through the link)
        else:
            self._show()

    def _error_line(self) -> str:
        if self.error_ is None:
            return ""
        return (f"<br><span style='color:#b00020'>The next generation could not be made: "
                f"{html.escape(type(self.error_).__name__)}: {html.escape(str(self.error_))}; "
                "the last generation made is shown.</span>")

    def _limits(self):
        cands = [c for g in self.search.generations_ for c in g.population]
        lat = [c.latency for c in cands] + [self.search.constraint]
        acc = [c.accuracy for c in cands]
        pad_x, pad_y = 0.05 * (max(lat) - min(lat) or 1), 0.05 * (max(acc) - min(acc) or 1)
        return (min(lat) - pad_x, max(lat) + pad_x), (min(acc) - pad_y, max(acc) + pad_y)

    def _show(self):
        g, search = self.generation_, self.search
        xlim, ylim = self._limits()  # fixed over generations, so the cloud moves in place
        self.population_image.value = _png(lambda ax: plot.ofa_generation(
            g, search.constraint, ax=ax, xlim=xlim, ylim=ylim), (6.0, 4.0))
        best = search.best_so_far()

        def curve(ax):
            ax.plot(range(len(best)), best, "-", color="#2CA02C", lw=2)
            ax.plot([g.index], [best[g.index]], "o", color="#2CA02C", ms=9)
            ax.set(xlabel="generation", ylabel="best predicted accuracy", title="best so far")
            ax.grid(alpha=0.3)
        self.best_image.value = _png(curve, (4.6, 4.0))
        origins = {o: sum(c.origin == o for c in g.children) for o in ("mutation", "crossover", "copy")}
        bred = ("the initial population: random subnets that meet the constraint" if g.index == 0
                else f"{len(g.parents)} parents selected; children: {origins['mutation']} mutants, "
                     f"{origins['crossover']} crossovers" + (f", {origins['copy']} copies" if origins["copy"] else ""))
        self.summary.value = "<br>".join([
            f"<b>generation {g.index}</b>: {bred}; {g.redrawn} candidates broke the "
            f"{search.constraint:g} ms constraint and were redrawn",
            f"<b>best</b> <code>{html.escape(str(g.best.arch))}</code> predicted accuracy "
            f"{100 * g.best.accuracy:.2f}% at {g.best.latency:.3f} ms"]) + self._error_line()
