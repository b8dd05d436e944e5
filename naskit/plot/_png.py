"""One way for widgets to turn a drawing into PNG bytes for an ``ipywidgets.Image``."""
from __future__ import annotations

import matplotlib
from matplotlib.figure import Figure

from .._config import figure_rc
from .cells import figure_png

#: matplotlib settings of every widget figure: readable on a laptop and on a projector.
WIDGET_RC = {"font.size": 12, "axes.titlesize": 13, "axes.labelsize": 12, "legend.fontsize": 10}


def widget_rc(extra: dict | None = None) -> dict:
    """The rc settings a widget figure is drawn with (``extra`` overrides single keys); fonts
    scaled up under ``NASKIT_PROJECTOR`` (``make demo``), read at every drawing."""
    return figure_rc({**WIDGET_RC, **(extra or {})})


def render_png(draw, figsize, dpi: int = 100, axes: bool = True, rc: dict | None = None) -> bytes:
    """Draw into a bare ``Figure`` and return its PNG bytes.

    ``draw`` gets one ``Axes`` (``axes=True``) or the ``Figure`` itself (``axes=False``). A bare
    Figure, not pyplot: widgets draw in callbacks and threads, where the inline backend would show
    a pyplot figure below the cell.
    """
    with matplotlib.rc_context(widget_rc(rc)):
        fig = Figure(figsize=figsize, layout="constrained")
        draw(fig.add_subplot() if axes else fig)
        return figure_png(fig, dpi=dpi)
