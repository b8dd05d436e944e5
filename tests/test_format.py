"""The one duration formatter and the one figure-to-PNG helper that reprs and widgets share."""
import math

import pytest

from naskit._format import seconds
from naskit.plot._png import render_png, widget_rc


@pytest.mark.parametrize("s, text", [(2.5e-7, "0.25 µs"), (4.2e-4, "420 µs"), (1e-3, "1 ms"),
                                     (0.1234, "123 ms"), (1.0, "1 s"), (1234.5, "1.23e+03 s"),
                                     (math.inf, "inf s"), (math.nan, "nan s")])
def test_seconds_picks_the_unit(s, text):
    assert seconds(s) == text


def test_render_png_gives_a_png_of_the_asked_size():
    import io

    from matplotlib.image import imread

    seen = {}

    def draw(ax):
        seen["font"] = ax.xaxis.label.get_fontsize()
        ax.plot([0, 1], [0, 1])

    png = render_png(draw, (3.0, 2.0), dpi=50)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert imread(io.BytesIO(png)).shape[:2] == (100, 150)
    assert seen["font"] == widget_rc()["axes.labelsize"]
    figs = []
    render_png(lambda fig: figs.append(fig.subplots(2, 1)), (3.0, 2.0), axes=False)
    assert len(figs[0]) == 2


def test_widget_figures_follow_the_projector_switch(monkeypatch):
    from naskit._config import PROJECTOR_SCALE
    from naskit.plot._png import WIDGET_RC
    monkeypatch.delenv("NASKIT_PROJECTOR", raising=False)
    assert widget_rc() == WIDGET_RC
    monkeypatch.setenv("NASKIT_PROJECTOR", "1")
    assert widget_rc()["font.size"] == pytest.approx(WIDGET_RC["font.size"] * PROJECTOR_SCALE)
    assert widget_rc({"font.size": 20})["font.size"] == pytest.approx(20 * PROJECTOR_SCALE)
