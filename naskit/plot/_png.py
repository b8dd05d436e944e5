"""One way for widgets to turn a drawing into PNG bytes for an ``ipywidgets.Image``."""
from __future__ import annotations

import io

import matplotlib
import PIL.Image
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .._config import figure_rc
from ._textsize import TEXT_KEY, smallest_text_px, with_text_chunk
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


class FigurePNG:
    """A figure drawn once and rendered again after some of its artists change: animation frames.

    ``draw`` gets one ``Axes`` (``axes=True``) or the ``Figure`` and may return what it drew
    (kept as ``drawn``). ``animated(drawn)`` names the artists that change between frames: the
    rest is rendered once, with the layout of the first frame, and each frame redraws only those
    on a copy of it (matplotlib's blitting), written as a quickly compressed PNG.
    """

    def __init__(self, draw, figsize, dpi: int = 100, axes: bool = True, rc: dict | None = None,
                 animated=None):
        self.dpi, self._rc = dpi, widget_rc(rc)
        with matplotlib.rc_context(self._rc):
            self.figure = Figure(figsize=figsize, dpi=dpi, layout="constrained")
            self.drawn = draw(self.figure.add_subplot() if axes else self.figure)
        self._canvas = FigureCanvasAgg(self.figure)
        self._animated = list(animated(self.drawn)) if animated is not None else []
        self._background = None
        self._text_px = None  # the smallest text's height, measured on the first frame

    def png(self) -> bytes:
        """The figure as it is now, in PNG bytes."""
        canvas = self._canvas
        with matplotlib.rc_context(self._rc):
            if self._background is None:
                for artist in self._animated:
                    artist.set_animated(True)  # left out of the background
                canvas.draw()
                self.figure.set_layout_engine("none")  # keep the first frame's layout
                self._background = canvas.copy_from_bbox(self.figure.bbox)
            else:
                canvas.restore_region(self._background)
            renderer = canvas.get_renderer()
            for artist in self._animated:
                if artist.get_visible():
                    artist.draw(renderer)
        width, height = canvas.get_width_height()
        image = PIL.Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
        buffer = io.BytesIO()
        image.save(buffer, format="png", compress_level=1)
        if self._text_px is None:
            self._text_px = smallest_text_px(self.figure) or 0.0
        if not self._text_px:
            return buffer.getvalue()
        return with_text_chunk(buffer.getvalue(), TEXT_KEY, f"{self._text_px:.2f}")
