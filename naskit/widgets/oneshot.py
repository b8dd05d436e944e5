"""The alpha watcher: run a one-shot search live, or replay a recorded one, and watch alpha move.

``AlphaWatcher`` drives a ``nk.oneshot`` search (DARTS, Liu et al., ICLR 2019, or any other
``OneShotSearch``) in a background thread, so the kernel stays free while it runs, and shows
softmax(alpha) per edge and op, each edge's weights over the steps, the cell derived now with its
ground-truth accuracy from a benchmark, and the share of parameter-free ops in it (the collapse
signal of Zela et al., ICLR 2020). Start, pause, step and reset are buttons. Everything learned
lives in the search object (its ``trace_``), so a new watcher over the same search shows the same
step; everything shown is an attribute, drawn through ``naskit.plot`` into PNG bytes, and
``display()`` is never called. ``AlphaWatcher.replay`` plays a run recorded under NAS-Bench-201's
protocol (``nk.oneshot.AlphaReplay``) with a Play button and a step slider instead; ``frame(step)``
gives what either mode shows as plain data.
"""
from __future__ import annotations

import html
import os
import threading
import time
import traceback
import weakref

import ipywidgets as widgets

from .. import plot
from ..plot._png import render_png
from ..bench import Benchmark
from ..oneshot import AlphaReplay, Frame, OneShotSearch, parameter_free_share, random_share
from ..oneshot.runner import STEP_WEIGHTS
from ..space import Arch, NB201Space
from .._checks import check_int
from ._alpha_replay import ReplayFigures, ties_text, wrap_arch

__all__ = ["AlphaWatcher"]

_ERROR_COLOR = plot.HIGHLIGHT_COLOR
_SEARCH_PER_DRAW = 4.0  # seconds of search between redraws per second of drawing: at most 20% drawing


class _Run:
    """What every watcher of one search shares: one thread steps it at a time."""

    def __init__(self):
        self.lock = threading.Lock()      # held for each step: the search is stepped by one thread
        self.guard = threading.Lock()     # makes start's check-and-set atomic
        self.stop = threading.Event()     # set by pause; the thread stops after its current step
        self.thread: threading.Thread | None = None
        self.active = False               # the thread is stepping (not just drawing its last frame)
        self.error = None                 # (exception, traceback text) of the last failed step
        self.views = weakref.WeakSet()
        self.latest = None                # weakref to the newest watcher: the thread redraws it


# One _Run per search, for as long as the search lives, so that a watcher re-created in a new
# cell finds the thread an older one started (and can pause it).
_RUNS: "weakref.WeakKeyDictionary[OneShotSearch, _Run]" = weakref.WeakKeyDictionary()


def _png(draw, figsize, dpi: int = 100) -> bytes:
    return render_png(draw, figsize, dpi=dpi, axes=False)


class _NoTrace:
    """Stands in for a shipped trace that is missing: the watcher says so instead of failing."""

    def __init__(self, method: str, seed: int, message: str):
        self.method, self.seed, self.message = method, seed, message


class AlphaWatcher(widgets.VBox):
    """Start, pause, step or reset a one-shot ``search`` and watch alpha, the derived cell and its truth.

    ``search``: a ``OneShotSearch`` to run live, or an ``AlphaReplay`` of a recorded run to play
    (see ``AlphaWatcher.replay``). ``bench``: a benchmark of the search's cell space
    (``nk.bench.load("mini")``) for the derived cell's ground truth (a replay brings its own);
    ``steps_per_click``: steps of the step button; ``refresh_every``: steps between redraws of the
    figures while running live (the status line follows every step; a redraw also waits until four
    times its own drawing time has gone to the search, so that drawing never takes more than a
    fifth of the time); ``interval_ms`` and ``steps_per_frame``: a replay's pace (default: the run
    in about 250 frames). ``redraw_seconds_``: how long the last redraw took.
    """

    def __init__(self, search, bench: Benchmark | None = None, steps_per_click: int = 1,
                 refresh_every: int = 5, interval_ms: int = 200, steps_per_frame: int | None = None):
        replay = search if isinstance(search, (AlphaReplay, _NoTrace)) else None
        if replay is None and not isinstance(search, OneShotSearch):
            raise TypeError(f"AlphaWatcher drives a naskit one-shot search (nk.oneshot.DARTS, ...) "
                            f"or replays an nk.oneshot.AlphaReplay, got {type(search).__name__}")
        if bench is not None and not isinstance(bench, Benchmark):
            raise TypeError(f"bench must be a naskit Benchmark (nk.bench.load('mini')) or None, got "
                            f"{type(bench).__name__}")
        if isinstance(replay, AlphaReplay) and bench is not None and bench is not replay.bench:
            raise ValueError("a replay reads the truth from its own bench: give it to "
                             "AlphaReplay(..., bench=...) or AlphaWatcher.replay(..., bench=...)")
        self.steps_per_click = check_int(steps_per_click, "steps_per_click")
        self.refresh_every = check_int(refresh_every, "refresh_every")
        self.interval_ms = check_int(interval_ms, "interval_ms (milliseconds between frames)")
        if steps_per_frame is not None:
            steps_per_frame = check_int(steps_per_frame, "steps_per_frame")
        self.replay_ = replay
        if replay is None:
            self.search, self.bench = search, bench
            net = search.supernet
            self.op_names, self.cell_types = tuple(net.op_names), tuple(net.cell_types)
            self.edges, self.baseline = plot.edge_names(net.space), random_share(net.space)
            self._run = _RUNS.setdefault(search, _Run())
            self._run.views.add(self)
            self._run.latest = weakref.ref(self)
        else:
            self.search, self.bench = None, getattr(replay, "bench", None)
            space = NB201Space()
            self.op_names, self.cell_types = tuple(space.ops), ("cell",)
            self.edges, self.baseline = plot.edge_names(space), random_share(space)
            self._run = _Run()
        self._truth: dict = {}            # arch -> Record, or None when the bench lacks it
        self._cell_png: dict = {}         # (arch, which) -> PNG bytes: cells change rarely
        self._draw_lock = threading.RLock()
        self._stale = {0, 1, 2}           # tabs whose images are older than the trace
        self.redraw_seconds_ = None

        def button(description, tooltip, icon, handler):
            b = widgets.Button(description=description, tooltip=tooltip, icon=icon,
                               layout=widgets.Layout(width="96px"))
            b.on_click(handler)
            b.add_class(f"naskit-alpha-{description}")
            return b
        what = "the search" if replay is None else "the replay"
        self.start_button = button("start", f"run {what}", "play", lambda b: self.start())
        self.pause_button = button("pause", f"pause {what}", "pause", lambda b: self.pause())
        self.step_button = button("step", f"{steps_per_click} step(s) now", "step-forward",
                                  self._on_step)
        self.reset_button = button("reset", f"start {what} over", "undo", self._on_reset)
        self.status = widgets.HTML(layout=widgets.Layout(width="100%"))
        image = dict(format="png", layout=widgets.Layout(max_width="100%", height="auto"))
        self.alpha_images = {k: widgets.Image(**image) for k in self.cell_types}
        self.trace_image = widgets.Image(**image)
        self.trace_cell = widgets.ToggleButtons(options=self.cell_types, description="cell",
                                                layout=widgets.Layout(
                                                    display="" if len(self.cell_types) > 1
                                                    else "none"))
        self.cell_images = {k: widgets.Image(**image) for k in self._which()}
        self.cell_text = widgets.HTML(layout=widgets.Layout(width="100%"))
        self.collapse_image = widgets.Image(**image)
        for w, css in ((self.status, "status"), (self.trace_image, "trace"),
                       (self.cell_text, "cell-text"), (self.collapse_image, "collapse"),
                       *((im, f"heatmap-{k}") for k, im in self.alpha_images.items()),
                       *((im, f"cell-{k}") for k, im in self.cell_images.items())):
            w.add_class(f"naskit-alpha-{css}")
        row = dict(flex_flow="row wrap", align_items="flex-start")
        self.tabs = widgets.Tab(children=[
            widgets.HBox(list(self.alpha_images.values()), layout=widgets.Layout(**row)),
            widgets.VBox([self.trace_cell, self.trace_image]),
            widgets.HBox([widgets.VBox([*self.cell_images.values(), self.cell_text],
                                       layout=widgets.Layout(max_width="50%")),
                          self.collapse_image], layout=widgets.Layout(**row))])
        for i, title in enumerate(("alpha now", "alpha over steps", "derived cell")):
            self.tabs.set_title(i, title)
        self.tabs.observe(self._on_tab, "selected_index")
        self.trace_cell.observe(self._on_trace_cell, "value")
        controls = [self.start_button, self.pause_button, self.step_button, self.reset_button]
        if replay is not None:
            controls = self._replay_controls(steps_per_frame)
        super().__init__(children=[widgets.HBox(controls, layout=widgets.Layout(flex_flow="row wrap")),
                                   self.status, self.tabs],
                         layout=widgets.Layout(max_width="1240px"))
        self.add_class("naskit-alpha-watcher")
        self._show(images=True)

    @classmethod
    def replay(cls, trace="DARTS-V1", bench: Benchmark | None = None, seed: int = 0,
               steps_per_click: int = 1, interval_ms: int = 200,
               steps_per_frame: int | None = None) -> "AlphaWatcher":
        """A watcher that plays a recorded run: ``trace`` is an ``AlphaReplay``, a trace file's path,
        the dict ``read_trace`` gives, or a method whose shipped trace (``seed``) to read; a shipped
        trace that is missing is said in the widget, calmly."""
        if isinstance(trace, AlphaReplay):
            source = trace
            if bench is not None and bench is not trace.bench:
                raise ValueError("the AlphaReplay has its own bench; give bench to AlphaReplay, "
                                 "or pass a path or a method name here")
        elif isinstance(trace, dict):
            source = AlphaReplay(trace, bench=bench)
        elif isinstance(trace, str) and trace in STEP_WEIGHTS:
            try:
                source = AlphaReplay.shipped(trace, seed, bench=bench)
            except FileNotFoundError as e:
                source = _NoTrace(trace, seed, str(e))
        elif isinstance(trace, (str, os.PathLike)):
            if isinstance(trace, str) and not trace.endswith(".npz") and os.sep not in trace:
                raise ValueError(f"trace {trace!r} is neither a method with a shipped trace "
                                 f"({list(STEP_WEIGHTS)}) nor a path to an .npz trace")
            source = AlphaReplay.read(trace, bench=bench)
        else:
            raise TypeError(f"trace must be an AlphaReplay, a path, a read_trace dict or one of "
                            f"{list(STEP_WEIGHTS)}, got {type(trace).__name__}")
        return cls(source, steps_per_click=steps_per_click, interval_ms=interval_ms,
                   steps_per_frame=steps_per_frame)

    def _replay_controls(self, steps_per_frame) -> list:
        """The replay's play button, step slider and speed; the live buttons it does not need hide."""
        self.start_button.layout.display = self.pause_button.layout.display = "none"
        if isinstance(self.replay_, _NoTrace):
            for b in (self.step_button, self.reset_button):
                b.disabled, b.layout.display = True, "none"
            self.tabs.layout.display = "none"
            self.play = self.slider = self.speed = None
            return []
        r = self.replay_
        last = r.n_steps - 1
        per_epoch = int(r.epoch_steps[0]) + 1 if len(r.epoch_steps) else r.n_steps
        choices = {1, 5, 25, per_epoch, 5 * per_epoch}
        default = max([c for c in choices if c <= max(1, r.n_steps // 250)] or [1])
        steps_per_frame = default if steps_per_frame is None else steps_per_frame
        choices = sorted(c for c in choices | {steps_per_frame} if c <= max(1, last) or c == steps_per_frame)

        def label(c):
            epochs = f" ({c / per_epoch:g} epoch{'s' if c != per_epoch else ''})" \
                if c % per_epoch == 0 and per_epoch < r.n_steps else ""
            return f"{c} step{'s' if c > 1 else ''}{epochs} per frame"
        self.play = widgets.Play(value=0, min=0, max=last, step=steps_per_frame,
                                 interval=self.interval_ms, description="play")
        self.slider = widgets.IntSlider(0, min=0, max=last, description="step",
                                        continuous_update=False,
                                        layout=widgets.Layout(width="460px"))
        self.speed = widgets.Dropdown(options=[(label(c), c) for c in choices],
                                      value=steps_per_frame, layout=widgets.Layout(width="250px"))
        widgets.link((self.play, "value"), (self.slider, "value"))  # kernel-side: testable
        widgets.link((self.speed, "value"), (self.play, "step"))
        self.slider.observe(lambda change: self._show(images=True), "value")
        for w, css in ((self.play, "play"), (self.slider, "slider"), (self.speed, "speed")):
            w.add_class(f"naskit-alpha-{css}")
        self._figures = ReplayFigures(r, self.edges)
        return [self.play, self.slider, self.speed, self.step_button, self.reset_button]

    def __repr__(self):
        if isinstance(self.replay_, _NoTrace):
            return f"AlphaWatcher.replay({self.replay_.method!r}, seed={self.replay_.seed}) # missing"
        if self.replay_ is not None:
            return f"AlphaWatcher({self.replay_!r}, step={self.step_})"
        return (f"AlphaWatcher({self.search!r}, refresh_every={self.refresh_every}"
                f"{', running' if self.running_ else ''})")

    # -- state -----------------------------------------------------------------------------------
    @property
    def trace_(self) -> list | None:
        """The live search's trace (one ``Step`` per step made); None for a replay."""
        return None if self.search is None else self.search.trace_

    @property
    def running_(self) -> bool:
        """Whether a background thread steps the search (a replay: whether it plays)."""
        if self.search is None:
            return bool(getattr(self.play, "playing", False)) if self._replaying() else False
        return self._run.active

    @property
    def error_(self):
        """The exception of the last failed step (in the thread or not), or None."""
        return None if self._run.error is None else self._run.error[0]

    @property
    def step_(self) -> int | None:
        """The step shown: the slider's (replay) or the newest in the trace (live; None before any)."""
        if self.search is None:
            return self.slider.value if self._replaying() else None
        return self.search.trace_[-1].step if self.search.trace_ else None

    @property
    def arch_(self):
        """The cell derived at the step shown (live: the newest ``arch`` in the trace; None before any)."""
        if self.search is None:
            return self.replay_.arch(self.step_) if self._replaying() else None
        return next((s.arch for s in reversed(self.search.trace_) if s.arch is not None), None)

    @property
    def truth_(self):
        """The bench's ``Record`` of ``arch_``, or None (no bench, no arch, not in the bench)."""
        if self.search is None:
            return self.frame().truth if self._replaying() else None
        return self._truth_of(self.arch_)

    @property
    def share_(self) -> float | None:
        """Share of parameter-free ops in ``arch_`` (the collapse signal; ``baseline`` for a random cell), or None."""
        arch = self.arch_
        return None if arch is None else parameter_free_share(arch)

    @property
    def replay_axes_(self) -> dict:
        """A replay's drawn Axes by figure ('alpha', 'timeline'; None until first shown)."""
        figures = getattr(self, "_figures", None)
        get = lambda f: None if f is None else f.drawn  # noqa: E731
        return ({} if figures is None else
                {"alpha": get(figures.heatmap), "timeline": get(figures.timeline)})

    def frame(self, step: int | None = None) -> Frame:
        """What the watcher shows at ``step`` (an int >= 0; default the step shown) as plain data.

        A replay's frames come from its trace; a live search's from its ``trace_`` (``record`` is
        None, ``ties`` empty). ``weights`` is one cell's array (a dict by cell type in a DARTS space).
        """
        if isinstance(self.replay_, _NoTrace):
            raise FileNotFoundError(self.replay_.message)
        if self.replay_ is not None:
            return self.replay_.frame(self.step_ if step is None else step)
        trace = self.search.trace_
        if not trace:
            raise ValueError("the search has made no step yet: advance() or start() first")
        step = trace[-1].step if step is None else check_int(step, "step", minimum=0,
                                                               maximum=len(trace) - 1)
        s = trace[step]
        truth = self._truth_of(s.arch)
        per_epoch = getattr(self.search, "steps_per_epoch", None) or len(trace)
        weights = s.weights.get("cell", s.weights) if s.weights else None
        return Frame(step=s.step, epoch=s.step // per_epoch + 1, weights=weights, arch=s.arch,
                     ties=(), share=None if s.arch is None else parameter_free_share(s.arch),
                     baseline=self.baseline, truth=truth, accuracy=self._accuracy(truth),
                     train_loss=s.train_loss, val_loss=s.val_loss, record=None)

    def _replaying(self) -> bool:
        return isinstance(self.replay_, AlphaReplay)

    def _truth_of(self, arch):
        if arch is None or self.bench is None or not isinstance(arch, Arch):
            return None
        if arch not in self._truth:
            try:
                self._truth[arch] = self.bench.query(arch)
            except (ValueError, KeyError, IndexError, TypeError):
                self._truth[arch] = None  # another cell space than the bench's
        return self._truth[arch]

    @staticmethod
    def _accuracy(record) -> float | None:
        if record is None:
            return None
        return record.test_acc if record.test_acc is not None else record.valid_acc

    # -- actions ---------------------------------------------------------------------------------
    def advance(self, n: int | None = None) -> int:
        """Make ``n`` steps now (an int >= 0, default ``steps_per_click``), then redraw; returns how
        many were made. A replay moves its slider ``n`` steps on (to the last at most).

        Refused while the background thread runs. A failing step is shown in the status and raised.
        """
        n = self.steps_per_click if n is None else check_int(n, "n", minimum=0)
        if self.search is None:
            if not self._replaying():
                return 0
            to = min(self.slider.value + n, self.slider.max)
            made, self.slider.value = to - self.slider.value, to
            return made
        if self.running_:
            raise RuntimeError("the search is running in the background; pause() and wait() first")
        run, made = self._run, 0
        run.error = None
        try:
            with run.lock:
                while made < n and not self.search.done_:
                    self.search.step()
                    made += 1
        except Exception as exc:
            run.error = (exc, traceback.format_exc())
            raise
        finally:
            self._show(images=True)
        return made

    def start(self) -> bool:
        """Run the search in a background thread until paused or done (a replay: play it from the
        step shown); False if it cannot start."""
        if self.search is None:
            if not self._replaying() or self.play.playing or self.slider.value >= self.slider.max:
                return False
            self.play.playing = True
            return True
        run = self._run
        with run.guard:
            if run.active or self.search.done_:
                return False
            if run.thread is not None:
                run.thread.join()  # a finished thread may still be drawing its last frame
            run.stop.clear()
            run.error = None
            run.active = True
            run.thread = threading.Thread(target=_loop, args=(self.search, run), daemon=True,
                                          name=f"AlphaWatcher({type(self.search).__name__})")
        self._buttons_everywhere()
        run.thread.start()
        return True

    def pause(self) -> None:
        """Ask the background thread to stop after its current step (returns at once; see wait);
        a replay stops playing."""
        if self.search is None:
            if self._replaying():
                self.play.playing = False
            return
        self._run.stop.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the background thread has stopped (or ``timeout`` s); True if it has."""
        thread = self._run.thread
        if thread is not None:
            thread.join(timeout)
        return thread is None or not thread.is_alive()

    def reset(self) -> None:
        """Stop the thread if it runs, and start the search over (the trace empties); a replay goes
        back to step 0."""
        self.pause()
        if self.search is None:
            if self._replaying():
                self.slider.value = 0
            return
        self.wait()
        run = self._run
        with run.lock:
            self.search.reset()
            run.error = None
        self._stale = {0, 1, 2}
        self._show(images=True)

    def redraw(self) -> None:
        """Redraw every tab now (the watcher otherwise draws only the tab on show)."""
        self._show(images=True, every_tab=True)

    def _on_step(self, button):
        try:
            self.advance()
        except Exception:
            pass  # advance has put it in the status line

    def _on_reset(self, button):
        self.reset()

    def _on_tab(self, change):
        if change["new"] in self._stale:
            self._show(images=True)

    def _on_trace_cell(self, change):
        self._stale.add(1)
        self._show(images=True)

    def _buttons_everywhere(self):
        for view in list(self._run.views):
            view._buttons()

    def _buttons(self):
        if self.search is None:
            return
        running, done = self.running_, self.search.done_
        self.start_button.disabled = running or done
        self.step_button.disabled = running or done
        self.pause_button.disabled = not running
        self.reset_button.disabled = running

    # -- views -----------------------------------------------------------------------------------
    def _which(self) -> tuple[str, ...]:
        return ("normal", "reduce") if "normal" in self.cell_types else ("normal",)

    def _show(self, images: bool = False, every_tab: bool = False):
        with self._draw_lock:
            self._buttons()
            self.status.value = self._status()
            self.cell_text.value = self._cell_text()
            self._stale = {0, 1, 2}  # the trace may have grown since any tab was drawn
            if images and (self.search is not None or self._replaying()):
                start = time.perf_counter()
                draws = ((self._draw_alpha, self._draw_trace, self._draw_cell)
                         if self.search is not None else
                         (self._replay_alpha, self._replay_trace, self._replay_cell))
                for tab in (0, 1, 2) if every_tab else (self.tabs.selected_index or 0,):
                    draws[tab]()
                    self._stale.discard(tab)
                self.redraw_seconds_ = time.perf_counter() - start

    def _replay_alpha(self):
        self.alpha_images["cell"].value = self._figures.heatmap_png(self.frame())

    def _replay_trace(self):
        self.trace_image.value = self._figures.trace_png(self.frame())

    def _replay_cell(self):
        frame = self.frame()
        self.cell_images["normal"].value = self._figures.cell_png(frame.arch)
        self.collapse_image.value = self._figures.timeline_png(frame)

    def _weights_now(self) -> tuple[dict, int]:
        trace = self.search.trace_
        if trace:
            return trace[-1].weights, trace[-1].step
        return {k: w.cpu().numpy() for k, w in self.search.supernet.edge_weights().items()}, None

    def _draw_alpha(self):
        weights, step = self._weights_now()
        when = "before the first step" if step is None else f"after step {step}"
        size = (6.8, 4.3) if len(self.edges) <= 8 else (6.8, 4.8)
        for k, image in self.alpha_images.items():
            if k not in weights:
                image.value = b""
                continue
            cell = "" if k == "cell" else f"{k} cell, "
            image.value = _png(lambda fig: plot.alpha_heatmap(
                weights[k], self.op_names, ax=fig.add_subplot(), edges=self.edges,
                title=f"softmax(alpha), {cell}{when}"), size)

    def _draw_trace(self):
        n = len(self.edges)
        cols = 3 if n <= 6 else 5
        rows = -(-n // cols)

        def draw(fig):
            axes = fig.subplots(rows, cols, sharex=True, sharey=True, squeeze=False)
            plot.alpha_trace(self.search.trace_, self.op_names, ax=axes,
                             which=self.trace_cell.value, edges=self.edges)
            cell = "" if self.trace_cell.value == "cell" else f", {self.trace_cell.value} cell"
            fig.suptitle(f"softmax(alpha) per edge over the steps{cell} (dotted: uniform)")
        self.trace_image.value = _png(draw, (12.0, 4.6 if n <= 6 else 5.2))

    def _draw_cell(self):
        arch = self.arch_
        for which, image in self.cell_images.items():
            if arch is None:
                image.value = b""
                continue
            key = (arch, which)
            if key not in self._cell_png:
                title = None if isinstance(arch, Arch) else f"{which} cell"
                self._cell_png[key] = _png(lambda fig: plot.cell(
                    arch, ax=fig.add_subplot(), which=which, title=title),
                    (5.4, 2.6) if isinstance(arch, Arch) else (6.0, 3.0), dpi=110)
            image.value = self._cell_png[key]
        trace = self.search.trace_
        accuracy = ([self._accuracy(self._truth_of(s.arch)) for s in trace]
                    if self.bench is not None else None)
        self.collapse_image.value = _png(lambda fig: plot.collapse_trace(
            trace, ax=fig.add_subplot(), accuracy=accuracy, baseline=self.baseline), (6.0, 4.2))

    def _truth_text(self, arch) -> str:
        if self.bench is None:
            return "no bench given for its ground truth"
        record = self._truth_of(arch)
        if record is None:
            return f"not in the benchmark {html.escape(repr(self.bench.name))}"
        test = "" if record.test_acc is None else f"test {record.test_acc:.2f}%, "
        return f"ground truth: {test}valid {record.valid_acc:.2f}% after {record.epoch} epochs"

    def _share_text(self, share: float) -> str:
        return (f"parameter-free share {share:.2f} (skip, pooling, none; a random cell has "
                f"{self.baseline:.2f}, so collapse is well above that, not above 0)")

    def _status(self) -> str:
        if self.search is None:
            return self._replay_status()
        s, run = self.search, self._run
        state = ("running" if self.running_ else "done" if s.done_
                 else "paused" if s.trace_ else "ready")
        lr = getattr(s, "arch_lr", None)
        lr = "" if lr is None else f" at arch lr {lr:g}"
        line = (f"<b>live</b>: {s.total_steps:,} steps{lr} · <b>step {s.step_} of {s.total_steps}</b>"
                f" · {s.seconds_:.1f} s of search · {state}")
        if s.trace_:
            last = s.trace_[-1]
            line += f" · train loss {last.train_loss:.3f}"
            if last.val_loss is not None:
                line += f" · val loss {last.val_loss:.3f}"
        lines = [line]
        arch = self.arch_
        if arch is not None:
            lines.append(f"<b>derived cell</b>: {self._truth_text(arch)} · parameter-free share "
                         f"{parameter_free_share(arch):.2f} (a random cell: {self.baseline:.2f})")
        if run.error is not None:
            exc, tb = run.error
            lines.append(f'<span style="color:{_ERROR_COLOR}"><b>error at step {s.step_}</b>: '
                         f"{html.escape(type(exc).__name__)}: {html.escape(str(exc))}</span>"
                         f"<details><summary>traceback</summary><pre>{html.escape(tb)}</pre>"
                         f"</details>")
        return "<br>".join(lines)

    def _replay_status(self) -> str:
        r = self.replay_
        if isinstance(r, _NoTrace):
            return (f"<b>no recorded {html.escape(r.method)} run to replay yet</b>: "
                    f"{html.escape(r.message)}. A search can be watched live meanwhile: "
                    f"<code>AlphaWatcher(search, bench)</code>.")
        f = self.frame()
        lr = "" if r.arch_lr is None else f" at arch lr {r.arch_lr:g}"
        protocol = r.settings.get("protocol", {})
        protocol = protocol.get("name") if isinstance(protocol, dict) else protocol
        line = (f"<b>replay</b> of a recorded {html.escape(r.method)} run (seed {r.seed}"
                f"{f', {html.escape(str(protocol))} protocol' if protocol else ''}): "
                f"{r.n_steps:,} steps{lr} · <b>step {f.step:,} of {r.n_steps - 1:,}</b> · "
                f"epoch {f.epoch} of {max(len(r.epochs_), 1)}"
                f"{' · playing' if self.running_ else ''} · train loss {f.train_loss:.3f}")
        if f.val_loss is not None:
            line += f" · val loss {f.val_loss:.3f}"
        lines = [line, f"<b>derived cell</b>: {self._truth_text(f.arch)} · parameter-free share "
                       f"{f.share:.2f} (a random cell: {f.baseline:.2f}) · {self._crossing_text()}"]
        if f.record is not None:
            rec = f.record
            lines.append(f"<b>end of epoch {rec.epoch}</b> (step {rec.step:,}): supernet val acc "
                         f"{100 * rec.supernet_acc:.1f}%, derived cell with the supernet's weights "
                         f"{100 * rec.derived_acc:.1f}%, train loss {rec.train_loss:.3f}, val loss "
                         f"{rec.val_loss:.3f}")
        return "<br>".join(lines)

    def _crossing_text(self) -> str:
        r = self.replay_
        first, cross = r.first_above, r.crossing
        if first is None:
            return "never above a random cell's share"
        if cross is None:
            return f"first above a random cell's share at step {first:,}, not above at the end"
        if cross == first:
            return f"above a random cell's share from step {cross:,} on"
        return f"first above a random cell's share at step {first:,}, above for good from step {cross:,}"

    def _cell_text(self) -> str:
        if self.search is None:
            if not self._replaying():
                return ""
            f = self.frame()
            ties = ties_text(f, self.edges)
            recorded = ""
            if f.record is not None and f.record.step == f.step and f.record.arch != f.arch:
                recorded = (f"<br>the run recorded {wrap_arch(f.record.arch)} here, from alpha "
                            f"before float16 rounding")
            return (f"<b>derived after step {f.step:,}</b>: {wrap_arch(f.arch)}<br>"
                    f"{self._truth_text(f.arch)}<br>{self._share_text(f.share)}<br>"
                    f"{self._crossing_text()}{'<br>' + ties if ties else ''}{recorded}")
        arch = self.arch_
        if arch is None:
            if self.search.trace_:
                return ("this search records no derived cell while it runs; "
                        "<code>search.derive()</code> gives it at the end")
            return "no steps yet: press step or start"
        step = next(t.step for t in reversed(self.search.trace_) if t.arch is not None)
        share = parameter_free_share(arch)
        return (f"<b>derived after step {step}</b>: {wrap_arch(arch)}<br>"
                f"{self._truth_text(arch)}<br>{self._share_text(share)}")


def _loop(search: OneShotSearch, run: _Run) -> None:
    """The background thread: step until paused or done, redraw the newest watcher as it goes."""
    since, drawn_at = 0, time.perf_counter()
    try:
        while not run.stop.is_set() and not search.done_:
            with run.lock:
                search.step()
            since += 1
            view = run.latest() if run.latest is not None else None
            if view is None:
                continue
            # Redraw the figures every refresh_every steps, and never so often that drawing
            # takes more than a fifth of the time: at least 4 drawing-times of search between two.
            images = (since >= view.refresh_every
                      and time.perf_counter() - drawn_at
                      >= _SEARCH_PER_DRAW * (view.redraw_seconds_ or 0.0))
            view._show(images=images)
            if images:
                drawn_at, since = time.perf_counter(), 0
    except Exception as exc:  # shown in the widget: a thread's exception would otherwise be lost
        run.error = (exc, traceback.format_exc())
    finally:
        run.active = False
        for view in list(run.views):
            view._buttons()
        view = run.latest() if run.latest is not None else None
        if view is not None:
            try:
                view._show(images=True)
            except Exception as exc:
                run.error = (exc, traceback.format_exc())
                view.status.value = view._status()
