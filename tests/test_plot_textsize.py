"""The smallest text of a widget figure, recorded in its PNG for the browser tests' bound."""
import io

import numpy as np
import PIL.Image
import pytest
from matplotlib.figure import Figure

from naskit.plot import figure_png
from naskit.plot._png import FigurePNG, render_png
from naskit.plot._textsize import (TEXT_KEY, mark_raster_text, read_text_chunk, smallest_text_px,
                                   with_text_chunk)


def _figure(dpi=100):
    fig = Figure(figsize=(4, 3), dpi=dpi)
    ax = fig.add_subplot()
    ax.set_xlabel("x", fontsize=9)
    ax.tick_params(labelsize=11)
    ax.text(0.5, 0.5, "small", fontsize=7)
    ax.text(0.5, 0.2, "   ", fontsize=2)  # blank: no text to read
    hidden = ax.text(0.1, 0.1, "hidden", fontsize=3)
    hidden.set_visible(False)
    ax.text(5.0, 5.0, "outside the figure", fontsize=4, transform=ax.transAxes)
    return fig


@pytest.mark.parametrize("dpi", [100, 200])
def test_the_png_records_its_smallest_visible_text_in_its_own_pixels(dpi):
    png = figure_png(_figure(), dpi=dpi)
    recorded = float(read_text_chunk(png, TEXT_KEY))
    assert recorded == pytest.approx(7 * dpi / 72, abs=0.01)  # 7 pt at dpi, whatever the figure's dpi
    image = PIL.Image.open(io.BytesIO(png))
    assert image.text[TEXT_KEY] == f"{recorded:.2f}"  # a standard tEXt chunk: PIL reads it too
    assert image.size == (4 * dpi, 3 * dpi)
    image.load()  # the chunk's CRC is right, or PIL refuses the file


def test_a_raster_counts_at_the_size_it_is_shown():
    fig = Figure(figsize=(4, 2), dpi=100)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.axis("off")
    mark_raster_text(ax.imshow(np.zeros((100, 800, 3)), aspect="auto"), 40.0)  # 800 px shown in 400
    png = figure_png(fig)
    assert float(read_text_chunk(png, TEXT_KEY)) == pytest.approx(20.0, abs=0.05)
    assert smallest_text_px(Figure()) is None  # nothing drawn, nothing to read
    assert read_text_chunk(figure_png(Figure(figsize=(1, 1))), TEXT_KEY) is None


def test_widget_pngs_and_animation_frames_carry_the_size():
    def draw(ax):
        ax.set_title("t", fontsize=12)
        return ax.plot([0, 1], [0, 1], label="line")

    png = render_png(draw, (3, 2), rc={"font.size": 8})
    assert float(read_text_chunk(png, TEXT_KEY)) == pytest.approx(8 * 100 / 72, abs=0.01)
    frames = FigurePNG(draw, (3, 2), rc={"font.size": 8}, animated=lambda lines: lines)
    first, second = frames.png(), frames.png()
    assert read_text_chunk(first, TEXT_KEY) == read_text_chunk(second, TEXT_KEY) == \
        read_text_chunk(png, TEXT_KEY)


def test_text_chunks_round_trip_and_refuse_what_is_not_a_png():
    png = figure_png(Figure(figsize=(1, 1)))
    tagged = with_text_chunk(png, "k", "v 1")
    assert read_text_chunk(tagged, "k") == "v 1" and read_text_chunk(tagged, "other") is None
    assert PIL.Image.open(io.BytesIO(tagged)).text["k"] == "v 1"
    for bad in (b"", b"GIF89a" + png[6:], png[:8] + b"\0\0\0\0JUNK"):
        with pytest.raises(ValueError, match="not a PNG"):
            with_text_chunk(bad, "k", "v")
    with pytest.raises(ValueError, match="not a PNG"):
        read_text_chunk(b"nope", "k")
