"""The few ipywidgets calls that differ between ipywidgets 7 (Google Colab ships 7.7) and 8.

Every naskit widget is built from standard widgets; only a tab's titles and a described widget's
tooltip are spelled differently. ``set_title``/``get_title`` exist in both versions, the ``titles``
trait only in 8; a text box's tooltip is ``description_tooltip`` in 7 and ``tooltip`` in 8.
"""
from __future__ import annotations

import ipywidgets as widgets

__all__ = ["IPYWIDGETS_8", "tab", "tab_titles", "tooltip"]

IPYWIDGETS_8 = int(widgets.__version__.split(".")[0]) >= 8


def tab(pages) -> widgets.Tab:
    """A Tab of ``(title, widget)`` pages."""
    pages = list(pages)
    out = widgets.Tab(children=[w for _, w in pages])
    for i, (title, _) in enumerate(pages):
        out.set_title(i, title)
    return out


def tab_titles(tabs: widgets.Tab) -> tuple[str, ...]:
    """The titles of a Tab's pages, in order."""
    return tuple(tabs.get_title(i) for i in range(len(tabs.children)))


def tooltip(text: str) -> dict:
    """The keyword argument that gives a described widget (a text box, a slider) a tooltip."""
    return {"tooltip": text} if IPYWIDGETS_8 else {"description_tooltip": text}
