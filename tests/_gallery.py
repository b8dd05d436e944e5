"""Write the gallery's index page from what the browser tests recorded.

``python tests/_gallery.py docs/gallery`` reads ``docs/gallery/sizes.json`` (one record per lesson:
its title, main widget, measured size at 1280x720, screenshot file and time in the browser, written
by tests/test_browser.py) and writes ``docs/gallery/README.md``: one heading and image per lesson.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

LAPTOP = (1280, 720)


def index(records: dict) -> str:
    """The Markdown page for ``records`` (lesson stem -> record), lessons in order."""
    lines = ["# Gallery: each lesson's main widget",
             "",
             "Screenshots taken by `tests/test_browser.py` after it ran the lesson in JupyterLab",
             "(fast mode, headless Chromium at a 1280x720 laptop screen) and operated the widget.",
             "Regenerate with `make gallery`. Sizes are the widget's rendered box in CSS pixels.",
             ""]
    for stem, r in sorted(records.items()):
        fits = r["width"] <= LAPTOP[0] and r["height"] <= LAPTOP[1]
        lines += [f"## {r['title']}",
                  "",
                  f"`lessons/{stem}.ipynb`: `{r['widget']}`, {r['width']}x{r['height']} px"
                  f"{'' if fits else ' (taller or wider than 1280x720)'}; the lesson ran in "
                  f"{r['seconds']:.0f} s in the browser.",
                  "",
                  f"![{r['widget']} in lesson {stem[:2]}]({r['image']})",
                  ""]
    return "\n".join(lines)


def main(folder: str) -> int:
    path = Path(folder) / "sizes.json"
    if not path.exists():
        print(f"no {path}: run the browser tests with NASKIT_GALLERY={folder} first", file=sys.stderr)
        return 1
    records = json.loads(path.read_text())
    missing = [r["image"] for r in records.values() if not (Path(folder) / r["image"]).exists()]
    if missing:
        print(f"screenshots missing from {folder}: {missing}", file=sys.stderr)
        return 1
    (Path(folder) / "README.md").write_text(index(records))
    print(f"wrote {Path(folder) / 'README.md'}: {len(records)} lessons")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python tests/_gallery.py FOLDER")
    sys.exit(main(sys.argv[1]))
