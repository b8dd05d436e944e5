"""How large the smallest text of a widget's figure is, carried inside its PNG.

A figure shown in a widget is a PNG that the browser may scale down to fit the page, so its text
size on screen is the text's height in the PNG's pixels times the scale. The PNG says the first
factor itself: a ``tEXt`` chunk named ``naskit-smallest-text-px`` holds the height in pixels of its
smallest text (a label's font size in points times the dots per inch over 72), and the browser
tests multiply it by the shown width over the PNG's width. Text inside a raster drawn into the
figure (a Graphviz drawing) counts too: ``mark_raster_text`` tells the image the font size, in the
raster's pixels, of its smallest label.
"""
from __future__ import annotations

import struct
import zlib

__all__ = ["TEXT_KEY", "mark_raster_text", "smallest_text_px", "with_text_chunk", "read_text_chunk",
           "tag"]

TEXT_KEY = "naskit-smallest-text-px"
_RASTER_ATTR = "_naskit_text_px"
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def mark_raster_text(image, px: float) -> None:
    """Record that ``image`` (a matplotlib ``AxesImage``) holds text ``px`` pixels high in its own
    pixels."""
    setattr(image, _RASTER_ATTR, float(px))


def smallest_text_px(fig, dpi: float | None = None) -> float | None:
    """The height in pixels of the smallest visible text in ``fig`` as last drawn, rendered at
    ``dpi`` (default: the figure's), or None when it has none. Call it after drawing: some
    drawings size their labels at draw time."""
    from matplotlib.image import AxesImage
    from matplotlib.text import Text

    renderer = fig.canvas.get_renderer() if hasattr(fig.canvas, "get_renderer") else None
    frame, dpi = fig.bbox, float(dpi or fig.dpi)
    sizes = []
    for artist in fig.findobj(lambda a: isinstance(a, (Text, AxesImage))):
        if not artist.get_visible():
            continue
        try:
            box = artist.get_window_extent(renderer)
        except (RuntimeError, TypeError):  # not drawn yet
            continue
        if box.width <= 0 or box.height <= 0 or not box.overlaps(frame):
            continue
        if isinstance(artist, Text):
            if artist.get_text().strip():
                sizes.append(artist.get_fontsize() * dpi / 72)
        elif hasattr(artist, _RASTER_ATTR):  # its extent is in the figure's own pixels
            shown = box.width * dpi / fig.dpi
            sizes.append(getattr(artist, _RASTER_ATTR) * shown / artist.get_array().shape[1])
    return min(sizes) if sizes else None


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def with_text_chunk(png: bytes, key: str, value: str) -> bytes:
    """``png`` with a ``tEXt`` chunk ``key``: ``value`` (Latin-1) right after its header chunk."""
    if not png.startswith(_PNG_SIGNATURE) or png[12:16] != b"IHDR":
        raise ValueError("not a PNG: expected the PNG signature and an IHDR chunk first")
    end = 8 + 8 + struct.unpack(">I", png[8:12])[0] + 4  # signature, IHDR (length, type, data, CRC)
    return png[:end] + _chunk(b"tEXt", key.encode("latin-1") + b"\0" + value.encode("latin-1")) + png[end:]


def read_text_chunk(png: bytes, key: str) -> str | None:
    """The value of the ``tEXt`` chunk ``key`` in ``png``, or None."""
    if not png.startswith(_PNG_SIGNATURE):
        raise ValueError("not a PNG: expected the PNG signature")
    at = 8
    while at + 8 <= len(png):
        length = struct.unpack(">I", png[at:at + 4])[0]
        kind, data = png[at + 4:at + 8], png[at + 8:at + 8 + length]
        if kind == b"tEXt":
            name, _, value = data.partition(b"\0")
            if name.decode("latin-1") == key:
                return value.decode("latin-1")
        if kind == b"IEND":
            break
        at += 12 + length
    return None


def tag(png: bytes, fig, dpi: float | None = None) -> bytes:
    """``png`` (just rendered from ``fig`` at ``dpi``) with its smallest text's height recorded."""
    px = smallest_text_px(fig, dpi)
    return png if px is None else with_text_chunk(png, TEXT_KEY, f"{px:.2f}")
