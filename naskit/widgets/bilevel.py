"""The bilevel explorer: choose how the inner problem is solved, see the outer answer move.

NAS is min_a L_val(w*(a), a) with w*(a) = argmin_w L_train(w, a) (Liu et al., ICLR 2019, Eq. 3;
lesson 0). ``BilevelExplorer`` shows a handful of archs of a benchmark: ``epoch`` picks how long the
inner problem was solved (a fidelity the bench recorded), ``objective`` what the outer problem
compares (the validation loss, as the formula says, or the training loss, the mistake of judging
archs on the data that fitted them). ``values_`` and ``winner_`` hold what is drawn.
"""
from __future__ import annotations

import ipywidgets as widgets
import numpy as np
import traitlets

from .. import plot
from ..bench import Benchmark
from ..plot._png import render_png as _png
from ._calm import calm

__all__ = ["BilevelExplorer"]

_COLUMNS = {"validation loss": "valid_loss", "training loss": "train_loss"}


class BilevelExplorer(widgets.VBox):
    """A handful of archs, the inner problem's length and the outer objective as controls."""

    epoch = traitlets.Int(help="epochs of the inner training (one of bench.fidelities)")
    objective = traitlets.Unicode("validation loss", help="what the outer problem minimises")

    def __init__(self, bench: Benchmark, archs):
        missing = [c for c in _COLUMNS.values() if c not in bench.columns]
        if missing:
            raise ValueError(f"{bench.name} records no {missing}: BilevelExplorer needs per-epoch losses")
        self.bench = bench
        self.archs = list(archs)
        if len(self.archs) < 2:
            raise ValueError("give at least two archs to choose between")
        self.indices = [bench.index(a) for a in self.archs]
        self.epoch_picker = widgets.ToggleButtons(options=list(bench.fidelities),
                                                  value=bench.final_epoch, description="inner epochs")
        self.objective_picker = widgets.ToggleButtons(options=list(_COLUMNS), description="outer on")
        self.image = widgets.Image(format="png", layout=widgets.Layout(max_width="600px"))
        self.summary = widgets.HTML()
        for w, css in ((self.epoch_picker, "epoch"), (self.objective_picker, "objective"),
                       (self.image, "image"), (self.summary, "summary")):
            w.add_class(f"naskit-bilevel-{css}")
        super().__init__([self.epoch_picker, self.objective_picker, self.image, self.summary])
        self.epoch = bench.final_epoch
        traitlets.link((self.epoch_picker, "value"), (self, "epoch"))
        traitlets.link((self.objective_picker, "value"), (self, "objective"))
        self._show()

    @property
    def values_(self) -> np.ndarray:
        """The outer objective of each arch at the chosen inner epoch."""
        column = self.bench.columns[_COLUMNS[self.objective]]
        return column[self.indices, self.bench.fidelities.index(self.epoch)]

    @property
    def winner_(self) -> int:
        """Position of the arch the outer problem picks."""
        return int(np.argmin(self.values_))

    @traitlets.validate("epoch")
    def _validate_epoch(self, proposal):
        if proposal["value"] not in self.bench.fidelities:
            raise traitlets.TraitError(f"epoch {proposal['value']} not recorded; choose from "
                                       f"{list(self.bench.fidelities)}")
        return proposal["value"]

    @traitlets.observe("epoch", "objective")
    @calm("summary")
    def _changed(self, change):
        if hasattr(self, "image"):
            self._show()

    def _show(self):
        values, winner = self.values_, self.winner_
        self.image.value = _png(lambda ax: plot.bilevel(values, winner, ax=ax, ylabel=self.objective),
                                (6, 3))
        truth = self.bench.column("valid_acc")[self.indices]
        self.summary.value = (f"arch {winner} wins; its final validation accuracy is "
                              f"{truth[winner]:.1f}% (the best of these: {truth.max():.1f}%)")

    def __repr__(self):
        return (f"BilevelExplorer({len(self.archs)} archs, epoch={self.epoch}, "
                f"objective={self.objective!r}: arch {self.winner_} wins)")
