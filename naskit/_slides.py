"""A lesson as slides: which cell starts a slide, for ``make slides`` (Voila's reveal.js template).

A lesson carries no slide metadata of its own; its headings say where a slide begins. A markdown
cell that opens with a level-1 or level-2 heading starts a slide, one with a level-3 heading a
sub-slide (reveal.js shows those below the slide, reached with the down arrow), and every other
cell continues the slide before it. Voila hides the code and shows the outputs, so a slide is a
section's text, figures and live widgets.
"""
from __future__ import annotations

import json
import re

__all__ = ["slide_type", "as_slides"]

_HEADING = re.compile(r"\s*(#{1,6})\s+\S")


def slide_type(cell: dict) -> str:
    """The reveal.js slide type of one notebook cell: ``slide``, ``subslide`` or ``-`` (continue)."""
    if cell.get("cell_type") != "markdown":
        return "-"
    source = cell.get("source", "")
    text = "".join(source) if isinstance(source, list) else str(source)
    first = next((line for line in text.splitlines() if line.strip()), "")
    match = _HEADING.match(first)
    if match is None:
        return "-"
    return "slide" if len(match.group(1)) <= 2 else "subslide"


def as_slides(notebook: dict) -> dict:
    """A copy of ``notebook`` (nbformat 4, as JSON) with every cell's ``slideshow`` metadata set.

    The first cell always starts a slide, so that nothing precedes the first slide.
    """
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        raise ValueError("not a notebook: expected a JSON object with a list of cells")
    copy = json.loads(json.dumps(notebook))
    for i, cell in enumerate(copy["cells"]):
        kind = "slide" if i == 0 else slide_type(cell)
        cell.setdefault("metadata", {})["slideshow"] = {"slide_type": kind}
    return copy
